# Torch-free picture operations (core/edit): golden checks against A1111's inpainting
# preprocessing (the test support library brings torch for reading the fixture) and unit tests.
lienzo_add_test(test_edit SOURCES core/test_edit.cpp LIBS lienzo_core_edit LABELS unit)
lienzo_add_test(test_edit_golden SOURCES core/test_edit_golden.cpp LIBS lienzo_core_edit
                LABELS golden)
