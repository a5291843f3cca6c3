# lienzo_imageio: PNG/JPEG/WebP pixels through OpenImageIO, metadata through lienzo_core_io.
# Separable: only built with LIENZO_WITH_IMAGEIO (see cmake/LienzoOpenImageIO.cmake).
lienzo_core_library(lienzo_imageio image_io.cpp image_io.h edit_inputs.cpp edit_inputs.h)
target_link_libraries(lienzo_imageio PUBLIC lienzo_core_io PRIVATE OpenImageIO::OpenImageIO)

# WebP encoding uses libwebp's simple API directly (OIIO 2.4's WebP writer alters pixels). The
# runtime library comes with OpenImageIO; the -dev package (header + libwebp.so) is optional.
find_library(LIENZO_WEBP_LIB NAMES webp libwebp.so.7)
if(LIENZO_WEBP_LIB)
  target_link_libraries(lienzo_imageio PRIVATE ${LIENZO_WEBP_LIB})
  target_compile_definitions(lienzo_imageio PRIVATE LIENZO_HAVE_LIBWEBP=1)
else()
  message(STATUS "libwebp not found: lienzo_imageio cannot write WebP")
  target_compile_definitions(lienzo_imageio PRIVATE LIENZO_HAVE_LIBWEBP=0)
endif()
