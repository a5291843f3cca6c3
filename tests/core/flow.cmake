# Flow matching (SD3 / Flux): schedules against sd3/ and flux/golden_schedule, the k-diffusion
# samplers on flow sigmas (lienzo_core_sampling); the 16-channel VAEs against sd3/golden_vae and
# flux/golden_ae, and the sampler trajectories of sd3/golden_txt2img and flux/golden_txt2img_*
# replayed through the pipeline's denoise stage without the networks (lienzo_core_pipeline).
lienzo_add_test(test_flow_schedule SOURCES core/test_flow_schedule.cpp LIBS lienzo_core_sampling
                LABELS golden)
lienzo_add_test(test_flow_vae SOURCES core/test_flow_vae.cpp LIBS lienzo_core_pipeline
                LABELS golden)
lienzo_add_test(test_flow_trajectory SOURCES core/test_flow_trajectory.cpp
                LIBS lienzo_core_pipeline LABELS golden)
