# Image metadata: A1111 infotext, PNG text chunks, EXIF UserComment, ComfyUI/InvokeAI import.
lienzo_add_test(test_infotext SOURCES core/test_infotext.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_png_text SOURCES core/test_png_text.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_exif_text SOURCES core/test_exif_text.cpp LIBS lienzo_core_io LABELS unit)
lienzo_add_test(test_metadata_import SOURCES core/test_metadata_import.cpp LIBS lienzo_core_io
                LABELS unit)
