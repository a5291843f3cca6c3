# `lienzo generate --control …`: the option groups are parsed (and refused) before any model is
# loaded, and a canny-controlled generation runs on the tiny SD 1.x fixtures (LIENZO_FIXTURES at
# run time) and writes the ControlNet unit into the picture's parameters.
if(TARGET lienzo_cli AND TARGET lienzo_imageio)
  set(_generate $<TARGET_FILE:lienzo_cli> generate --model ${PROJECT_SOURCE_DIR}/README.md
                --prompt p -o ${CMAKE_CURRENT_BINARY_DIR}/cli-control-never-written.png)
  add_test(NAME cli_control_option_needs_control COMMAND ${_generate} --control-weight 0.5)
  set_tests_properties(cli_control_option_needs_control PROPERTIES
    PASS_REGULAR_EXPRESSION "--control-weight needs --control MODEL" LABELS unit)
  add_test(NAME cli_control_bad_mode COMMAND ${_generate} --control m --control-mode loud)
  set_tests_properties(cli_control_bad_mode PROPERTIES
    PASS_REGULAR_EXPRESSION "--control-mode must be balanced\\|prompt\\|control" LABELS unit)
  add_test(NAME cli_control_bad_picture
           COMMAND ${_generate} --control m --control-image ${PROJECT_SOURCE_DIR}/README.md)
  set_tests_properties(cli_control_bad_picture PROPERTIES
    PASS_REGULAR_EXPRESSION "README.md" LABELS unit)

  set(_fixtures "\${LIENZO_FIXTURES:-${PROJECT_SOURCE_DIR}/../shared/fixtures}")
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/cli-control-canny.png)
  add_test(NAME cli_control_canny_generation COMMAND sh -c
    "$<TARGET_FILE:lienzo_cli> generate --model ${_fixtures}/sd1/tiny-sd1.safetensors --prompt 'a horse' --width 64 --height 64 --steps 2 --seed 1 --sampler Euler --control ${_fixtures}/controlnet/tiny-controlnet-sd1.safetensors --control-image ${_fixtures}/controlnet/canny_input.png --control-preprocessor canny --control-weight 0.8 --control-end 0.5 --control-mode prompt -o ${_out} && tr -c '[:print:]' '\\n' < ${_out} | grep ControlNet")
  set_tests_properties(cli_control_canny_generation PROPERTIES
    PASS_REGULAR_EXPRESSION "ControlNet 0: \"Module: canny, Model: tiny-controlnet-sd1[^\n]*Weight: 0.8[^\n]*Guidance End: 0.5[^\n]*Control Mode: My prompt is more important"
    LABELS golden)
endif()
