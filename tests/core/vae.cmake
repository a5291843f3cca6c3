# AutoencoderKL against sd1/golden_vae.safetensors (F32, BF16, F16 weights) and latent scaling.
lienzo_add_test(test_vae SOURCES core/test_vae.cpp LIBS lienzo_core_vae LABELS golden)
# Tiled VAE decode / encode against untiled (tiny SD1 VAE), tile layout, automatic-tiling rule.
lienzo_add_test(test_vae_tiling SOURCES core/test_vae_tiling.cpp LIBS lienzo_core_vae LABELS golden)
# TAESD decoder / encoder against taesd/golden_taesd.safetensors in the three key layouts.
lienzo_add_test(test_taesd SOURCES core/test_taesd.cpp LIBS lienzo_core_taesd LABELS golden)
