# CompVis / diffusers-style samplers (DDIM, PLMS/PNDM, UniPC, LCM, DDPM and diffusers' Euler,
# Euler a, LMS, DPM-Solver++ schedulers), added to lienzo_core_sampling (sampling.cmake).
target_sources(lienzo_core_sampling PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/discrete_common.cpp ${CMAKE_CURRENT_LIST_DIR}/discrete_common.h
  ${CMAKE_CURRENT_LIST_DIR}/diffusers_schedule.cpp ${CMAKE_CURRENT_LIST_DIR}/diffusers_schedule.h
  ${CMAKE_CURRENT_LIST_DIR}/diffusers_scheduler.cpp ${CMAKE_CURRENT_LIST_DIR}/diffusers_scheduler.h
  ${CMAKE_CURRENT_LIST_DIR}/diffusers_euler.cpp ${CMAKE_CURRENT_LIST_DIR}/diffusers_euler.h
  ${CMAKE_CURRENT_LIST_DIR}/diffusers_dpmsolver.cpp ${CMAKE_CURRENT_LIST_DIR}/diffusers_dpmsolver.h
  ${CMAKE_CURRENT_LIST_DIR}/ddim.cpp ${CMAKE_CURRENT_LIST_DIR}/ddim.h
  ${CMAKE_CURRENT_LIST_DIR}/compvis_step.h
  ${CMAKE_CURRENT_LIST_DIR}/plms.cpp ${CMAKE_CURRENT_LIST_DIR}/plms.h
  ${CMAKE_CURRENT_LIST_DIR}/ddpm.cpp ${CMAKE_CURRENT_LIST_DIR}/ddpm.h
  ${CMAKE_CURRENT_LIST_DIR}/lcm.cpp ${CMAKE_CURRENT_LIST_DIR}/lcm.h
  ${CMAKE_CURRENT_LIST_DIR}/unipc.cpp ${CMAKE_CURRENT_LIST_DIR}/unipc.h
  ${CMAKE_CURRENT_LIST_DIR}/discrete_registry.cpp)
