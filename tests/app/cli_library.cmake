# `lienzo library`: a scan of a temporary A1111 tree and a ComfyUI tree whose
# extra_model_paths.yaml points at the shared LoRA / embedding fixtures (read in place, never
# copied), a second scan served by the cache, and add / roots in a temporary settings file.
# The driver is tests/support/cli_library_test.cmake (cmake -P).
if(TARGET lienzo_cli)
  add_test(NAME cli_library_scan
           COMMAND ${CMAKE_COMMAND} -DLIENZO=$<TARGET_FILE:lienzo_cli>
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/cli-library
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -P ${CMAKE_CURRENT_LIST_DIR}/../support/cli_library_test.cmake)
  set_tests_properties(cli_library_scan PROPERTIES LABELS unit)
  add_test(NAME cli_library_help COMMAND $<TARGET_FILE:lienzo_cli> library --help)
  set_tests_properties(cli_library_help PROPERTIES
    PASS_REGULAR_EXPRESSION "lienzo library scan \\[ROOT\\.\\.\\.\\]" LABELS unit)
  add_test(NAME cli_library_bad_category
           COMMAND $<TARGET_FILE:lienzo_cli> library scan --folder ${PROJECT_SOURCE_DIR}
                   --category hypernetwork)
  set_tests_properties(cli_library_bad_category PROPERTIES
    PASS_REGULAR_EXPRESSION "unknown category 'hypernetwork'" LABELS unit)
endif()
