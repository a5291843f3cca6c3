# Image metadata (A1111 infotext, PNG text chunks, EXIF UserComment, ComfyUI/InvokeAI import):
# pure C++ + zlib, part of lienzo_core_io (no OpenImageIO needed to read or write the text).
target_sources(lienzo_core_io PRIVATE
  infotext.cpp infotext.h
  png_text.cpp png_text.h
  exif_text.cpp exif_text.h
  text_codec.cpp text_codec.h
  metadata_import.cpp metadata_import.h
  comfy_custom_sampler.cpp comfy_custom_sampler.h
)
find_package(ZLIB REQUIRED)
# Sampler/schedule names of imported metadata (core/sampling/sampler_names.h, torch-free; used by
# metadata_import.cpp only).
target_link_libraries(lienzo_core_io PUBLIC ZLIB::ZLIB PRIVATE lienzo_core_names)
