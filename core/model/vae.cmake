# AutoencoderKL (SD 1.x / 2.x / SDXL VAE): encoder, decoder, latent distribution and scaling.
lienzo_core_library(lienzo_core_vae
  ${CMAKE_CURRENT_LIST_DIR}/vae.cpp ${CMAKE_CURRENT_LIST_DIR}/vae.h
)
target_link_libraries(lienzo_core_vae PUBLIC lienzo_core_nn lienzo_core_io)
