# SD3 MMDiT against sd3/golden_mmdit.safetensors (F32; config from the weights).
lienzo_add_test(test_mmdit SOURCES core/test_mmdit.cpp LIBS lienzo_core_mmdit LABELS golden)
# The MMDiT as a DiffusionModel (core/pipeline/mmdit_diffusion_model).
lienzo_add_test(test_mmdit_diffusion_model SOURCES core/test_mmdit_diffusion_model.cpp
                LIBS lienzo_core_pipeline LABELS golden)
