# Image files through OpenImageIO (+ libwebp); lienzo_imageio is built exactly when
# LIENZO_WITH_IMAGEIO is ON.
if(LIENZO_WITH_IMAGEIO)
  lienzo_add_test(test_image_io SOURCES core/test_image_io.cpp LIBS lienzo_imageio LABELS unit)
  # The pictures an edit request starts from (init picture, mask) and the files refused.
  lienzo_add_test(test_edit_inputs SOURCES core/test_edit_inputs.cpp LIBS lienzo_imageio
                  LABELS unit)
  # libpng as an independent reader of our iTXt chunks (ImageMagick 6 does not print iTXt).
  find_package(PNG QUIET)
  if(PNG_FOUND)
    target_link_libraries(test_image_io PRIVATE PNG::PNG)
    target_compile_definitions(test_image_io PRIVATE LIENZO_TEST_HAVE_LIBPNG=1)
  endif()
endif()
