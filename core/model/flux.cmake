# Flux.1 transformer (dev / schnell) and its latent packing. Included by core/model/CMakeLists.txt.
lienzo_core_library(lienzo_core_flux
  ${CMAKE_CURRENT_LIST_DIR}/flux.cpp ${CMAKE_CURRENT_LIST_DIR}/flux.h
  ${CMAKE_CURRENT_LIST_DIR}/flux_blocks.cpp ${CMAKE_CURRENT_LIST_DIR}/flux_blocks.h
  ${CMAKE_CURRENT_LIST_DIR}/flux_packing.cpp ${CMAKE_CURRENT_LIST_DIR}/flux_packing.h
)
# lienzo_core_unet for registerNested (unet_blocks.h).
target_link_libraries(lienzo_core_flux PUBLIC lienzo_core_nn lienzo_core_unet lienzo_core_io)
