lienzo_add_test(test_safetensors SOURCES core/test_safetensors.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_sha256 SOURCES core/test_sha256.cpp LIBS lienzo_core_io LABELS unit)
