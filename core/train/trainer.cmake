# lienzo_core_trainer: training of the built-in model (`lienzo train`): data, VAE and diffusion
# trainers, checkpoints, export. Separate from lienzo_core_train (torch-free scenes/evaluator).
# Included by core/train/CMakeLists.txt when LIENZO_WITH_SENTENCEPIECE is ON.
lienzo_core_library(lienzo_core_trainer
  ${CMAKE_CURRENT_LIST_DIR}/train_utils.cpp ${CMAKE_CURRENT_LIST_DIR}/train_utils.h
  ${CMAKE_CURRENT_LIST_DIR}/train_data.cpp ${CMAKE_CURRENT_LIST_DIR}/train_data.h
  ${CMAKE_CURRENT_LIST_DIR}/vae_trainer.cpp ${CMAKE_CURRENT_LIST_DIR}/vae_trainer.h
  ${CMAKE_CURRENT_LIST_DIR}/decoder_trainer.cpp ${CMAKE_CURRENT_LIST_DIR}/decoder_trainer.h
  ${CMAKE_CURRENT_LIST_DIR}/diffusion_trainer.cpp ${CMAKE_CURRENT_LIST_DIR}/diffusion_trainer.h
  ${CMAKE_CURRENT_LIST_DIR}/trainer.cpp ${CMAKE_CURRENT_LIST_DIR}/trainer.h
)
target_link_libraries(lienzo_core_trainer PUBLIC lienzo_core_train lienzo_core_unet
                      lienzo_core_vae lienzo_core_textenc lienzo_core_nn lienzo_core_io
                      lienzo_core_builtin lienzo_core_pipeline lienzo_sentencepiece torch)
