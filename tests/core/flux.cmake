# Flux.1 transformer and packing (flux/golden_model, golden_prepare) and Flux's CLIP-L pooled
# conditioning (clip_* of flux/golden_txt2img_*).
lienzo_add_test(test_flux SOURCES core/test_flux.cpp
                LIBS lienzo_core_flux lienzo_core_sampling LABELS golden)
lienzo_add_test(test_flux_clip SOURCES core/test_flux_clip.cpp
                LIBS lienzo_core_textenc LABELS golden)
# FluxDiffusionModel (pack, ids, guidance, unpack) on every step of flux/golden_txt2img_*.
lienzo_add_test(test_flux_diffusion_model SOURCES core/test_flux_diffusion_model.cpp
                LIBS lienzo_core_pipeline LABELS golden)
# Flux's text conditioning (T5 + CLIP-L pooled) on the txt2img goldens' t5_* and clip_* tensors.
if(LIENZO_WITH_SENTENCEPIECE)
  lienzo_add_test(test_flux_conditioner SOURCES core/test_flux_conditioner.cpp
                  LIBS lienzo_core_pipeline LABELS golden)
endif()
# Flux.1 dev / schnell loaded by loadModelBundle (flux_factory.h: parts, sidecar) and run by
# generate(), end to end against flux/golden_txt2img_*; part discovery, missing parts, guidance.
if(LIENZO_WITH_SENTENCEPIECE)
  lienzo_add_test(test_flux_pipeline SOURCES core/test_flux_pipeline.cpp
                  LIBS lienzo_core_pipeline LABELS golden)
endif()
# Flux and MMDiT from GGUF files (packed linear weights) against flux/golden_model and
# sd3/golden_mmdit, and packed vs dequantize-once on Q8_0 / Q4_0 files written from the fixtures.
lienzo_add_test(test_dit_gguf SOURCES core/test_dit_gguf.cpp LIBS lienzo_core_dit_gguf LABELS golden)
