# Text encoders against the sd1/sd2/sdxl goldens (F32, BF16, F16 weights).
lienzo_add_test(test_clip_text_model SOURCES core/test_clip_text_model.cpp
                LIBS lienzo_core_textenc LABELS golden)
lienzo_add_test(test_openclip_text_model SOURCES core/test_openclip_text_model.cpp
                LIBS lienzo_core_textenc LABELS golden)
