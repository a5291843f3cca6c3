# T5 v1.1 (SD3/SD3.5, Flux): the encoder against the t5/ goldens, and the SentencePiece token
# layouts (LIENZO_WITH_SENTENCEPIECE) against t5/tokenizer_golden.json and the golden ids.
lienzo_add_test(test_t5_encoder SOURCES core/test_t5_encoder.cpp LIBS lienzo_core_textenc
                LABELS golden)
if(LIENZO_WITH_SENTENCEPIECE)
  lienzo_add_test(test_t5_tokenizer SOURCES core/test_t5_tokenizer.cpp LIBS lienzo_sentencepiece
                  LABELS golden)
endif()
