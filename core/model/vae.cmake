# AutoencoderKL (SD 1.x / 2.x / SDXL VAE): encoder, decoder, latent distribution and scaling;
# tiled decode / encode for large pictures.
lienzo_core_library(lienzo_core_vae
  ${CMAKE_CURRENT_LIST_DIR}/vae.cpp ${CMAKE_CURRENT_LIST_DIR}/vae.h
  ${CMAKE_CURRENT_LIST_DIR}/vae_tiling.cpp ${CMAKE_CURRENT_LIST_DIR}/vae_tiling.h
)
target_link_libraries(lienzo_core_vae PUBLIC lienzo_core_nn lienzo_core_io)
# TAESD (tiny autoencoder for previews and fast decodes): decoder and encoder, three key layouts.
lienzo_core_library(lienzo_core_taesd
  ${CMAKE_CURRENT_LIST_DIR}/taesd.cpp ${CMAKE_CURRENT_LIST_DIR}/taesd.h
)
target_link_libraries(lienzo_core_taesd PUBLIC lienzo_core_nn lienzo_core_io torch)
