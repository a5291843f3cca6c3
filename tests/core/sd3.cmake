# SD3 / SD3.5 (fixtures sd3/): the MMDiT against golden_mmdit (F32, BF16) and the txt2img model
# calls; the MMDiT as a DiffusionModel; the conditioning (CLIP-L + CLIP-G + a given T5 state)
# against golden_conditioning, on its own and as a TextConditioner.
lienzo_add_test(test_mmdit SOURCES core/test_mmdit.cpp LIBS lienzo_core_mmdit LABELS golden)
lienzo_add_test(test_mmdit_diffusion_model SOURCES core/test_mmdit_diffusion_model.cpp
                LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_sd3_conditioning SOURCES core/test_sd3_conditioning.cpp
                LIBS lienzo_core_textenc LABELS golden)
lienzo_add_test(test_sd3_text_conditioner SOURCES core/test_sd3_text_conditioner.cpp
                LIBS lienzo_core_pipeline LABELS golden)
# SD3 through the loader and generate(): the txt2img golden end to end, the parts given, found
# in ComfyUI-style folders or bundled, and the errors for missing parts (sd3_factory.h,
# model_parts.h). Needs the SentencePiece T5 tokenizer.
if(LIENZO_WITH_SENTENCEPIECE)
  lienzo_add_test(test_sd3_loader SOURCES core/test_sd3_loader.cpp LIBS lienzo_core_pipeline
                  LABELS golden)
endif()
