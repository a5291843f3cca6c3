# The bad-input table of docs/reliability.md: model-free rows (unit) and rows that load the tiny
# SD1 fixture through the generation API (golden).
find_package(ZLIB REQUIRED)
lienzo_add_test(test_bad_input SOURCES core/test_bad_input.cpp LIBS lienzo_core_io ZLIB::ZLIB
                LABELS unit)
lienzo_add_test(test_bad_input_pipeline SOURCES core/test_bad_input_pipeline.cpp
                LIBS lienzo_core_pipeline LABELS golden)
