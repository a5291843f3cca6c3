# Driver of the cli_library_scan test (tests/app/cli_library.cmake): cmake -P with
# -DLIENZO=<lienzo executable> -DWORK=<scratch folder> -DSOURCE_DIR=<repository>.
# The fixture folder is $LIENZO_FIXTURES or <repository>/../shared/fixtures, as for the C++ tests.
if(DEFINED ENV{LIENZO_FIXTURES})
  set(fixtures "$ENV{LIENZO_FIXTURES}")
else()
  get_filename_component(fixtures "${SOURCE_DIR}/../shared/fixtures" ABSOLUTE)
endif()
if(NOT EXISTS "${fixtures}/lora/tiny-sdxl-lora-kohya.safetensors")
  message(FATAL_ERROR "fixtures not found at ${fixtures} (set LIENZO_FIXTURES)")
endif()

file(REMOVE_RECURSE "${WORK}")
set(webui "${WORK}/webui")
set(comfy "${WORK}/comfy")
file(MAKE_DIRECTORY "${webui}/models/Stable-diffusion" "${webui}/models/Lora"
     "${comfy}/models/checkpoints")
file(WRITE "${webui}/models/Stable-diffusion/old-model.ckpt" "a pickle is never opened")
file(WRITE "${comfy}/extra_model_paths.yaml"
     "# fixtures read in place\nshared:\n    base_path: ${fixtures}\n    loras: |\n"
     "        lora\n    embeddings: embeddings   # A1111 textual inversions\n")
set(ENV{XDG_CACHE_HOME} "${WORK}/cache")
set(ENV{XDG_CONFIG_HOME} "${WORK}/config")

function(run_lienzo out_var)
  execute_process(COMMAND "${LIENZO}" library ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lienzo library ${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "lienzo library ${ARGN}:\n${out}${err}")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(expect text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "expected ${what} (/${regex}/) in:\n${text}")
  endif()
endfunction()

run_lienzo(first scan --a1111 "${webui}" --comfyui "${comfy}")
expect("${first}" "lora +SDXL base +[0-9a-f]+ [^\n]*tiny-sdxl-lora-kohya" "the SDXL LoRA row")
expect("${first}" "lora +SD 1.x +[0-9a-f]+ [^\n]*tiny-sd1-lora-kohya" "an SD 1.x LoRA row")
expect("${first}" "embedding +SDXL base [^\n]*lienzo-xl" "the SDXL embedding row")
expect("${first}" "checkpoint +pickle [^\n]*old-model[^\n]*not loadable" "the pickle row")
expect("${first}" "missing folder \\(skipped\\): [^\n]*webui/models/VAE" "a missing A1111 folder")
expect("${first}" "hashed [1-9][0-9]* files" "files hashed by the first scan")
if(NOT EXISTS "${WORK}/cache/lienzo/model-hashes.json")
  message(FATAL_ERROR "no hash cache in \$XDG_CACHE_HOME/lienzo")
endif()

run_lienzo(second scan --a1111 "${webui}" --comfyui "${comfy}")
expect("${second}" "hashed 0 files, read 0 headers" "a second scan served by the cache")

run_lienzo(added add "${webui}" --folder "lora=${fixtures}/lora")
expect("${added}" "added: +a1111  ${webui}" "the detected A1111 root")
if(NOT EXISTS "${WORK}/config/lienzo/library.json")
  message(FATAL_ERROR "no settings in \$XDG_CONFIG_HOME/lienzo")
endif()
run_lienzo(roots roots)
expect("${roots}" "folder  ${fixtures}/lora  \\(lora\\)" "the stored folder root")
run_lienzo(stored scan --category lora)
expect("${stored}" "tiny-sd1-loha" "a LoRA from the stored roots")
run_lienzo(found find tiny-sdxl-lora-kohya --category lora)
expect("${found}" "tensors: [0-9a-f]+  \\(A1111 LoRA hash\\)" "the LoRA's data hash")
run_lienzo(vae set-vae "${webui}/models/Stable-diffusion/model.safetensors" "${webui}/models/VAE/ft.safetensors")
run_lienzo(roots_vae roots)
expect("${roots_vae}" "VAE for [^\n]*model.safetensors: [^\n]*VAE/ft.safetensors" "the stored VAE choice")
