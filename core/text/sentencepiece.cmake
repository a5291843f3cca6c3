# lienzo_sentencepiece: SentencePiece tokenizer + trainer over the static sentencepiece build
# (lienzo_spm_static, cmake/LienzoSentencePiece.cmake), which can share a process with libtorch.
lienzo_core_library(lienzo_sentencepiece sp_tokenizer.cpp sp_tokenizer.h)
target_link_libraries(lienzo_sentencepiece PRIVATE lienzo_spm_static)
