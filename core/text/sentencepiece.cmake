# lienzo_sentencepiece: SentencePiece tokenizer + trainer over the static sentencepiece build
# (lienzo_spm_static, cmake/LienzoSentencePiece.cmake), which can share a process with libtorch,
# and the T5 token layouts built on it (t5_tokenizer: HF padded, SD3.5 reference).
lienzo_core_library(lienzo_sentencepiece sp_tokenizer.cpp sp_tokenizer.h t5_tokenizer.cpp
                    t5_tokenizer.h)
target_link_libraries(lienzo_sentencepiece PUBLIC lienzo_core_text PRIVATE lienzo_spm_static)
