# OpenImageIO (optional, separable; included only when LIENZO_WITH_IMAGEIO is ON, and then
# required: a missing package stops the configure instead of silently dropping image I/O).
# Debian's OpenImageIO target lists /usr/include/opencv4, which does not exist; filter it out so
# the generate step works (PLATFORM.md pitfall 4).
find_package(OpenImageIO CONFIG QUIET)
if(NOT OpenImageIO_FOUND)
  message(FATAL_ERROR "LIENZO_WITH_IMAGEIO is ON but OpenImageIO was not found (Debian: "
                      "libopenimageio-dev). Install it, or configure with -DLIENZO_WITH_IMAGEIO=OFF "
                      "(no `lienzo generate`; the `core` preset does this).")
endif()
foreach(tgt OpenImageIO::OpenImageIO OpenImageIO::OpenImageIO_Util)
  if(TARGET ${tgt})
    get_target_property(_incs ${tgt} INTERFACE_INCLUDE_DIRECTORIES)
    if(_incs)
      set(_kept "")
      foreach(dir IN LISTS _incs)
        if(dir MATCHES "^\\$<" OR EXISTS "${dir}")
          list(APPEND _kept "${dir}")
        endif()
      endforeach()
      set_target_properties(${tgt} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_kept}")
    endif()
  endif()
endforeach()
