# U-Net (SD 1.x / 2.x / SDXL) and cheap latent previews. Included by core/model/CMakeLists.txt.
lienzo_core_library(lienzo_core_unet
  ${CMAKE_CURRENT_LIST_DIR}/unet.cpp ${CMAKE_CURRENT_LIST_DIR}/unet.h
  ${CMAKE_CURRENT_LIST_DIR}/unet_blocks.cpp ${CMAKE_CURRENT_LIST_DIR}/unet_blocks.h
  ${CMAKE_CURRENT_LIST_DIR}/latent_preview.cpp ${CMAKE_CURRENT_LIST_DIR}/latent_preview.h
)
target_link_libraries(lienzo_core_unet PUBLIC lienzo_core_nn lienzo_core_io)
