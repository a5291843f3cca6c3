# SentencePiece tokenizer + trainer beside libtorch (LIENZO_WITH_SENTENCEPIECE).
if(LIENZO_WITH_SENTENCEPIECE)
  lienzo_add_test(test_sp_tokenizer SOURCES core/test_sp_tokenizer.cpp LIBS lienzo_sentencepiece
                  LABELS unit)
endif()
