# lienzo_core_sampling: torch-CPU-compatible RNG, schedules, the k-diffusion samplers and the
# A1111-named registry. discrete.cmake (included after this file) adds the CompVis/diffusers-style
# samplers and makeDiscreteSampler() (core/sampling/discrete_registry.h) with target_sources().
lienzo_core_library(lienzo_core_sampling
  ${CMAKE_CURRENT_LIST_DIR}/rng.cpp ${CMAKE_CURRENT_LIST_DIR}/rng.h
  ${CMAKE_CURRENT_LIST_DIR}/schedule.cpp ${CMAKE_CURRENT_LIST_DIR}/schedule.h
  ${CMAKE_CURRENT_LIST_DIR}/flow_schedule.cpp ${CMAKE_CURRENT_LIST_DIR}/flow_schedule.h
  ${CMAKE_CURRENT_LIST_DIR}/denoise_window.cpp ${CMAKE_CURRENT_LIST_DIR}/denoise_window.h
  ${CMAKE_CURRENT_LIST_DIR}/denoiser.cpp ${CMAKE_CURRENT_LIST_DIR}/denoiser.h
  ${CMAKE_CURRENT_LIST_DIR}/kdiffusion.cpp ${CMAKE_CURRENT_LIST_DIR}/kdiffusion.h
  ${CMAKE_CURRENT_LIST_DIR}/euler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/euler_ancestral.cpp
  ${CMAKE_CURRENT_LIST_DIR}/heun.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpm2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpm2_ancestral.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpmpp_2s_ancestral.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpmpp_2m.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpmpp_sde.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpmpp_2m_sde.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dpmpp_3m_sde.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kdiffusion_sampler.cpp ${CMAKE_CURRENT_LIST_DIR}/kdiffusion_sampler.h
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp ${CMAKE_CURRENT_LIST_DIR}/discrete_registry.h
  ${CMAKE_CURRENT_LIST_DIR}/sampler.h
)
target_link_libraries(lienzo_core_sampling PUBLIC lienzo_core_names torch)
# The RNG reproduces torch's float kernels bit for bit: no fused multiply-adds there.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/rng.cpp PROPERTIES COMPILE_OPTIONS
                            "-ffp-contract=off")
