# Text encoders: HF-layout CLIP (SD1, SDXL CLIP-L) and OpenCLIP (SD2, SDXL bigG), and the
# textual-inversion embeddings they take.
lienzo_core_library(lienzo_core_textenc
  ${CMAKE_CURRENT_LIST_DIR}/clip_text_model.cpp ${CMAKE_CURRENT_LIST_DIR}/clip_text_model.h
  ${CMAKE_CURRENT_LIST_DIR}/openclip_text_model.cpp ${CMAKE_CURRENT_LIST_DIR}/openclip_text_model.h
  ${CMAKE_CURRENT_LIST_DIR}/embeddings.cpp ${CMAKE_CURRENT_LIST_DIR}/embeddings.h
  ${CMAKE_CURRENT_LIST_DIR}/sd3_conditioning.cpp ${CMAKE_CURRENT_LIST_DIR}/sd3_conditioning.h
)
target_link_libraries(lienzo_core_textenc PUBLIC lienzo_core_nn lienzo_core_io lienzo_core_text)
