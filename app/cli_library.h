// `lienzo library scan|add|remove|roots|find|set-vae`: the model library from the command line —
// list what is under A1111 / ComfyUI installs and plain folders (read in place), with family, A1111
// short hash, size and preview, and store the roots in the library settings.
#pragma once

namespace lienzo::cli {

/// Returns the process exit code (0 ok, 1 a failure to read/write settings or cache or a `find`
/// without match, 2 usage).
int runLibrary(int argc, char** argv);

}  // namespace lienzo::cli
