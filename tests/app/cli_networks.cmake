# `lienzo info` on LoRA-family files (the fixture set of LIENZO_FIXTURES, read at run time) and
# `lienzo generate` with a `<lora:…>` tag naming no file: a note, and the picture is still made
# (the built-in model, a few steps).
if(TARGET lienzo_cli)
  set(_fixtures "\${LIENZO_FIXTURES:-${PROJECT_SOURCE_DIR}/../shared/fixtures}")
  function(lienzo_cli_sh name regex script)
    add_test(NAME ${name} COMMAND sh -c "${script}")
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}" LABELS golden)
  endfunction()
  lienzo_cli_sh(cli_info_loha "adapter: +LoHa .*LyCORIS key names.*fits: +SD 1.x"
                "$<TARGET_FILE:lienzo_cli> info ${_fixtures}/lora/tiny-sd1-loha.safetensors")
  lienzo_cli_sh(cli_info_lora_sdxl "adapter: +LoRA .*fits: +SDXL.*rank: +[1-9]"
                "$<TARGET_FILE:lienzo_cli> info ${_fixtures}/lora/tiny-sdxl-lora-kohya.safetensors")
  lienzo_cli_sh(cli_info_lora_peft "diffusers/PEFT key names"
                "$<TARGET_FILE:lienzo_cli> info ${_fixtures}/lora/tiny-sd1-lora-peft.safetensors")
  add_test(NAME cli_generate_missing_lora
           COMMAND $<TARGET_FILE:lienzo_cli> generate --prompt "tres círculos <lora:nowhere:0.7>"
                   --steps 2 --seed 1 --lora-dir ${CMAKE_CURRENT_BINARY_DIR}
                   -o ${CMAKE_CURRENT_BINARY_DIR}/cli-missing-lora.png)
  set_tests_properties(cli_generate_missing_lora PROPERTIES
    PASS_REGULAR_EXPRESSION "note: LoRA 'nowhere' not found.*cli-missing-lora.png  seed 1"
    LABELS unit)
endif()
