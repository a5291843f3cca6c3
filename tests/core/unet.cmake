# U-Net against {sd1,sd2,sdxl}/golden_unet.safetensors (F32, channels_last, BF16, F16).
lienzo_add_test(test_unet SOURCES core/test_unet.cpp LIBS lienzo_core_unet LABELS golden)
# U-Net blocks/config without fixtures, and the latent -> RGB preview.
lienzo_add_test(test_unet_blocks SOURCES core/test_unet_blocks.cpp LIBS lienzo_core_unet
                LABELS unit)
lienzo_add_test(test_latent_preview SOURCES core/test_latent_preview.cpp LIBS lienzo_core_unet
                LABELS unit)
