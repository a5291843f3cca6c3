# SDXL conditioner through the loaded bundle, and diffusers model folders (key map both ways,
# tiny-sd1 / tiny-sdxl written as folders and loaded back against the goldens, unsupported models).
lienzo_add_test(test_sdxl_conditioner SOURCES core/test_sdxl_conditioner.cpp
                LIBS lienzo_core_pipeline LABELS golden)
lienzo_add_test(test_diffusers_folder SOURCES core/test_diffusers_folder.cpp
                LIBS lienzo_core_pipeline LABELS golden)
