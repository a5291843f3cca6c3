# SD3 / SD3.5 MMDiT (MMDiT-X). Included by core/model/CMakeLists.txt.
lienzo_core_library(lienzo_core_mmdit
  ${CMAKE_CURRENT_LIST_DIR}/mmdit.cpp ${CMAKE_CURRENT_LIST_DIR}/mmdit.h
  ${CMAKE_CURRENT_LIST_DIR}/mmdit_blocks.cpp ${CMAKE_CURRENT_LIST_DIR}/mmdit_blocks.h
)
target_link_libraries(lienzo_core_mmdit PUBLIC lienzo_core_nn lienzo_core_unet lienzo_core_io)
