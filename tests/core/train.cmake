# Built-in model data: procedural scenes, captions, the GenEval-style evaluator (lienzo_core_train).
lienzo_add_test(test_scene SOURCES core/test_scene.cpp LIBS lienzo_core_train LABELS unit)
lienzo_add_test(test_captions SOURCES core/test_captions.cpp LIBS lienzo_core_train LABELS unit)
lienzo_add_test(test_evaluator SOURCES core/test_evaluator.cpp LIBS lienzo_core_train LABELS unit)
