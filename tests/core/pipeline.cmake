lienzo_add_test(test_txt2img SOURCES core/test_txt2img.cpp LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_pipeline SOURCES core/test_pipeline.cpp LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_params_infotext SOURCES core/test_params_infotext.cpp LIBS lienzo_core_pipeline
                LABELS unit)
lienzo_add_test(test_memory_plan SOURCES core/test_memory_plan.cpp LIBS lienzo_core_pipeline
                LABELS unit)
lienzo_add_test(test_edit_validation SOURCES core/test_edit_validation.cpp LIBS lienzo_core_pipeline
                LABELS unit)
lienzo_add_test(test_forward_process SOURCES core/test_forward_process.cpp LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_img2img SOURCES core/test_img2img.cpp LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_inpaint SOURCES core/test_inpaint.cpp LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_edit_pipeline SOURCES core/test_edit_pipeline.cpp LIBS lienzo_core_pipeline LABELS golden)
# Step previews (linear / TAESD / full VAE), fast decode, TAESD lookup and the vae-approx category.
lienzo_add_test(test_step_preview SOURCES core/test_step_preview.cpp
                LIBS lienzo_core_pipeline lienzo_core_library LABELS golden)
# makeGuidedModel with contexts of different lengths: tiled for cross-attention, the halves run
# untiled one after the other for joint attention (MMDiT, Flux).
lienzo_add_test(test_guided_model SOURCES core/test_guided_model.cpp LIBS lienzo_core_pipeline
                LABELS unit)
# SD3 / Flux parts discovery (model_parts.h): given, preferred names, folders, spiece.model.
lienzo_add_test(test_model_parts SOURCES core/test_model_parts.cpp LIBS lienzo_core_pipeline
                LABELS unit)
