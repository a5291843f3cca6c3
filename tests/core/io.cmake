lienzo_add_test(test_safetensors SOURCES core/test_safetensors.cpp LIBS lienzo_core_io LABELS unit)
