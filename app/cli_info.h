// `lienzo info FILE...`: family, parts, parameter counts, dtypes and size of checkpoints.
#pragma once

namespace lienzo::cli {

/// Returns the process exit code (0 ok, 1 a file could not be identified, 2 usage).
int runInfo(int argc, char** argv);

}  // namespace lienzo::cli
