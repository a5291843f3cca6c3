# LoRA-family adapters (core/adapters): unit tests on hand-made files, and the golden merges of
# ../shared/fixtures/lora/ on the tiny SD1 / SDXL checkpoints.
lienzo_add_test(test_adapters SOURCES core/test_adapters.cpp LIBS lienzo_core_adapters LABELS unit)
lienzo_add_test(test_lora SOURCES core/test_lora.cpp LIBS lienzo_core_pipeline LABELS golden)
