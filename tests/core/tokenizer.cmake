# CLIP tokenizer (golden: reads clip/ fixtures), A1111 prompt syntax (unit) and prompt chunking /
# weighting (golden: needs the fixture vocabulary).
find_package(ZLIB REQUIRED)  # the tokenizer test decompresses the fixture itself
lienzo_add_test(test_clip_tokenizer SOURCES core/test_clip_tokenizer.cpp
                LIBS lienzo_core_text ZLIB::ZLIB LABELS golden)
lienzo_add_test(test_clip_normalizer SOURCES core/test_clip_normalizer.cpp
                LIBS lienzo_core_text LABELS unit)
lienzo_add_test(test_prompt_parser SOURCES core/test_prompt_parser.cpp
                LIBS lienzo_core_text LABELS unit)
lienzo_add_test(test_prompt_chunks SOURCES core/test_prompt_chunks.cpp
                LIBS lienzo_core_text LABELS golden)
lienzo_add_test(test_prompt_weights SOURCES core/test_prompt_weights.cpp
                LIBS lienzo_core_text LABELS unit)
