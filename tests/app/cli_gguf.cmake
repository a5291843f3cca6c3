# `lienzo info` on GGUF files: the hand-made seeds of tests/fuzz/corpus/gguf/ (written by
# scripts/fuzz_seeds.py; small, committed), so no fixture is needed.
if(TARGET lienzo_cli)
  set(_gguf ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/gguf)
  add_test(NAME cli_info_gguf_flux COMMAND $<TARGET_FILE:lienzo_cli> info ${_gguf}/flux_q8)
  set_tests_properties(cli_info_gguf_flux PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION
    "GGUF v3, alignment 32.*arch: +flux.*family: +Flux\n.*3 tensors.*types: +F16 ×1, F32 ×1, Q8_0 ×1.*general.name: \"seed\"")
  add_test(NAME cli_info_gguf_names COMMAND $<TARGET_FILE:lienzo_cli> info ${_gguf}/sd1_bare_v2)
  set_tests_properties(cli_info_gguf_names PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION
    "GGUF v2.*arch: +\\(none\\).*family: +SD 1.x \\(from the tensor names\\)")
  add_test(NAME cli_info_gguf_unsupported COMMAND $<TARGET_FILE:lienzo_cli> info ${_gguf}/kquants)
  set_tests_properties(cli_info_gguf_unsupported PROPERTIES LABELS unit PASS_REGULAR_EXPRESSION
    "Q2_K ×1.*Q6_K ×1.*note: +Lienzo cannot dequantize IQ4_NL ×1")
endif()
