lienzo_add_test(test_checkpoint SOURCES core/test_checkpoint.cpp LIBS lienzo_core_io LABELS golden)
