# `lienzo generate`: the edit / hires options are refused with a clear message before any model is
# loaded (--model names an existing file that is never read as a model), and --help states them.
if(TARGET lienzo_cli AND TARGET lienzo_imageio)
  set(_icons ${PROJECT_SOURCE_DIR}/resources/icons)
  set(_generate $<TARGET_FILE:lienzo_cli> generate --model ${PROJECT_SOURCE_DIR}/README.md
                --prompt p -o ${CMAKE_CURRENT_BINARY_DIR}/cli-edit-never-written.png)
  function(lienzo_cli_refusal name regex)
    add_test(NAME ${name} COMMAND ${_generate} ${ARGN})
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}" LABELS unit)
  endfunction()
  lienzo_cli_refusal(cli_edit_needs_init_image "--strength needs --init-image FILE"
                     --strength 0.5)
  lienzo_cli_refusal(cli_edit_not_a_picture "README.md' as an init picture: not a PNG, JPEG or WebP"
                     --init-image ${PROJECT_SOURCE_DIR}/README.md)
  lienzo_cli_refusal(cli_edit_strength_range "denoising strength must be between 0 and 1"
                     --init-image ${_icons}/lienzo-64.png --strength 1.5)
  lienzo_cli_refusal(cli_edit_mask_size "the mask is 32x32 but the init picture is 64x64"
                     --init-image ${_icons}/lienzo-64.png --mask ${_icons}/lienzo-32.png)
  lienzo_cli_refusal(cli_edit_outpaint_syntax "--outpaint needs four pixel counts"
                     --init-image ${_icons}/lienzo-64.png --outpaint 1,2,3)
  lienzo_cli_refusal(cli_edit_outpaint_negative "the left outpaint margin must not be negative"
                     --init-image ${_icons}/lienzo-64.png --outpaint -8,0,0,0)
  lienzo_cli_refusal(cli_hires_scale_or_size "give --hires-scale or --hires-size, not both"
                     --hires-scale 2 --hires-size 1024x1024)
  lienzo_cli_refusal(cli_hires_needs_scale "--hires-steps needs --hires-scale X or --hires-size WxH"
                     --hires-steps 5)
  lienzo_cli_refusal(cli_hires_unknown_upscaler "unknown --hires-upscaler 'ESRGAN'"
                     --hires-scale 2 --hires-upscaler ESRGAN)
  lienzo_cli_refusal(cli_seed_out_of_range
                     "--seed 999999999999999999999999 is out of range: integers go from"
                     --seed 999999999999999999999999)
  lienzo_cli_refusal(cli_vae_tiling_choice "--vae-tiling must be auto\\|on\\|off"
                     --vae-tiling sometimes)
  lienzo_cli_refusal(cli_guidance_number "--guidance needs a number, got 'lots'" --guidance lots)
  add_test(NAME cli_generate_help COMMAND $<TARGET_FILE:lienzo_cli> generate --help)
  set_tests_properties(cli_generate_help PROPERTIES
    PASS_REGULAR_EXPRESSION "rounded to the nearest multiple of 8" LABELS unit)
endif()
