lienzo_add_test(test_safetensors SOURCES core/test_safetensors.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_sha256 SOURCES core/test_sha256.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_gguf_quants SOURCES core/test_gguf_quants.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_gguf SOURCES core/test_gguf.cpp LIBS lienzo_core_io LABELS unit)
