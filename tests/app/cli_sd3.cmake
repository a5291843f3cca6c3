# `lienzo info` / `lienzo generate` on the tiny SD3 model (LIENZO_FIXTURES, read at run time):
# info lists the bundled parts, the missing ones with their flags and the SD3 defaults; generate
# takes the parts as --t5 / --clip-l / --clip-g and refuses clearly without one.
if(TARGET lienzo_cli AND TARGET lienzo_imageio AND LIENZO_WITH_SENTENCEPIECE)
  set(_fixtures "\${LIENZO_FIXTURES:-${PROJECT_SOURCE_DIR}/../shared/fixtures}")
  set(_sd3 "$<TARGET_FILE:lienzo_cli> generate --model ${_fixtures}/sd3/tiny-sd3.safetensors")
  function(lienzo_cli_sd3 name regex script)
    add_test(NAME ${name} COMMAND sh -c "${script}")
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}" LABELS golden)
  endfunction()
  lienzo_cli_sd3(cli_info_sd3_parts
                 "vae \\(bundled\\).*t5xxl: not found \\(give --t5 FILE\\).*defaults: +1024x1024, 28 steps, CFG 4.5, Euler"
                 "$<TARGET_FILE:lienzo_cli> info ${_fixtures}/sd3/tiny-sd3.safetensors")
  lienzo_cli_sd3(cli_generate_sd3_parts "cli-sd3.png  seed 1"
                 "${_sd3} --t5 ${_fixtures}/t5/tiny-t5xxl.safetensors --clip-l ${_fixtures}/sd3/tiny-clip_l.safetensors --clip-g ${_fixtures}/sd3/tiny-clip_g.safetensors --prompt 'a red cube' --steps 2 --seed 1 --width 64 --height 64 -o ${CMAKE_CURRENT_BINARY_DIR}/cli-sd3.png")
  lienzo_cli_sd3(cli_generate_sd3_missing_t5 "T5-XXL text encoder is not inside the model file.*give it with --t5 FILE"
                 "${_sd3} --clip-l ${_fixtures}/sd3/tiny-clip_l.safetensors --clip-g ${_fixtures}/sd3/tiny-clip_g.safetensors --prompt p --width 64 --height 64 -o ${CMAKE_CURRENT_BINARY_DIR}/cli-sd3-never-written.png 2>&1")
endif()
