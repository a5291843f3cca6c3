# RNG, schedules, k-diffusion samplers and the sampler registry (lienzo_core_sampling).
# analytic_model.{h,cpp}: the samplers fixtures' analytic model, shared with the discrete samplers'
# tests (add tests/core/analytic_model.cpp to their SOURCES).
lienzo_add_test(test_rng SOURCES core/test_rng.cpp core/analytic_model.cpp
                LIBS lienzo_core_sampling LABELS golden)
lienzo_add_test(test_schedules SOURCES core/test_schedules.cpp core/analytic_model.cpp
                LIBS lienzo_core_sampling LABELS golden)
lienzo_add_test(test_kdiffusion SOURCES core/test_kdiffusion.cpp core/analytic_model.cpp
                LIBS lienzo_core_sampling LABELS golden)
# Sampler/schedule names (torch-free lienzo_core_names); the import round trip uses lienzo_core_io.
lienzo_add_test(test_sampler_names SOURCES core/test_sampler_names.cpp
                LIBS lienzo_core_names lienzo_core_io LABELS unit)
lienzo_add_test(test_sampler_registry SOURCES core/test_sampler_registry.cpp
                core/analytic_model.cpp LIBS lienzo_core_sampling LABELS golden)
lienzo_add_test(test_denoise_window SOURCES core/test_denoise_window.cpp LIBS lienzo_core_sampling
                LABELS unit)
