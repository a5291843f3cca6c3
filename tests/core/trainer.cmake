# Built-in model trainer (lienzo_core_trainer): tiny-width smoke test (< 60 s on 2 cores).
if(TARGET lienzo_core_trainer)
  lienzo_add_test(test_trainer SOURCES core/test_trainer.cpp LIBS lienzo_core_trainer
                  lienzo_core_pipeline LABELS unit)
endif()
