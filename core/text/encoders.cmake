# Text encoders: HF-layout CLIP (SD1, SDXL CLIP-L), OpenCLIP (SD2, SDXL bigG) and T5 v1.1
# (SD3/SD3.5, Flux), the textual-inversion embeddings they take, Flux's pooled CLIP-L vector and SD3's
# CLIP-L/G conditioning.
lienzo_core_library(lienzo_core_textenc
  ${CMAKE_CURRENT_LIST_DIR}/clip_text_model.cpp ${CMAKE_CURRENT_LIST_DIR}/clip_text_model.h
  ${CMAKE_CURRENT_LIST_DIR}/openclip_text_model.cpp ${CMAKE_CURRENT_LIST_DIR}/openclip_text_model.h
  ${CMAKE_CURRENT_LIST_DIR}/t5_encoder.cpp ${CMAKE_CURRENT_LIST_DIR}/t5_encoder.h
  ${CMAKE_CURRENT_LIST_DIR}/embeddings.cpp ${CMAKE_CURRENT_LIST_DIR}/embeddings.h
  ${CMAKE_CURRENT_LIST_DIR}/flux_clip.cpp ${CMAKE_CURRENT_LIST_DIR}/flux_clip.h
  ${CMAKE_CURRENT_LIST_DIR}/sd3_conditioning.cpp ${CMAKE_CURRENT_LIST_DIR}/sd3_conditioning.h
)
target_link_libraries(lienzo_core_textenc PUBLIC lienzo_core_nn lienzo_core_io lienzo_core_text)
