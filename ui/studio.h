// Entry point of the desktop studio, called by app/main.cpp for `lienzo` and `lienzo gui`.
//
// Options: --grab FILE (save a screenshot of the main window and exit), --lang es|en (interface
// language for this run, over the setting and the system locale), --gallery DIR (use DIR as the
// gallery for this run); positional image files are opened with their parameters restored
// (the desktop file's "Open with Lienzo"). Returns the process exit code.
#pragma once

namespace lienzo {

int runStudio(int argc, char** argv);

}  // namespace lienzo
