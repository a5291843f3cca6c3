# Built-in model trainer (lienzo_core_trainer): tiny-width smoke test (~10 s). Its NaNs were the
# VAE attention's q/k/v/proj_out weights, which no initialisation rule covered: they kept whatever
# the heap held (zeros in a fresh process, NaN after the in-process SentencePiece training).
option(LIENZO_TRAINER_SMOKE_TEST "Build and run the trainer smoke test" ON)
if(LIENZO_WITH_SENTENCEPIECE AND LIENZO_TRAINER_SMOKE_TEST)
  lienzo_add_test(test_trainer SOURCES core/test_trainer.cpp LIBS lienzo_core_trainer
                  lienzo_core_pipeline LABELS unit)
endif()
