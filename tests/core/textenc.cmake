# Text encoders against the sd1/sd2/sdxl goldens (F32, BF16, F16 weights).
lienzo_add_test(test_clip_text_model SOURCES core/test_clip_text_model.cpp
                LIBS lienzo_core_textenc LABELS golden)
lienzo_add_test(test_openclip_text_model SOURCES core/test_openclip_text_model.cpp
                LIBS lienzo_core_textenc LABELS golden)
# SD3 conditioning (CLIP-L + CLIP-G + a given T5 state) against sd3/golden_conditioning.
lienzo_add_test(test_sd3_conditioning SOURCES core/test_sd3_conditioning.cpp
                LIBS lienzo_core_textenc LABELS golden)
