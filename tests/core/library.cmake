# The torch-free model library (core/library): layouts, extra_model_paths.yaml, family guesses,
# hashing and its cache, settings, lookups.
lienzo_add_test(test_model_library
  SOURCES core/test_model_library.cpp core/test_library_layout.cpp core/library_files.h
  LIBS lienzo_core_library LABELS unit)
