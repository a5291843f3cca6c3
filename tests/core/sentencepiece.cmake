# SentencePiece tokenizer + trainer beside libtorch; only when the static build is available.
if(TARGET lienzo_sentencepiece)
  lienzo_add_test(test_sp_tokenizer SOURCES core/test_sp_tokenizer.cpp LIBS lienzo_sentencepiece
                  LABELS unit)
endif()
