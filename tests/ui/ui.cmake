# Qt UI tests (label ui): offscreen widgets driven with QTest inside GoogleTest. Each executable
# uses ui/ui_test_main.cpp (offscreen platform and private settings before QApplication).
# Screenshots of the main window (idle, mid-generation) and of the compare view are written to
# ${CMAKE_BINARY_DIR}/screenshots/ for CI to keep as artifacts. Included when LIENZO_BUILD_UI is ON.
find_package(Qt6 REQUIRED COMPONENTS Test)

add_library(lienzo_ui_testing STATIC ${CMAKE_CURRENT_LIST_DIR}/fakebackend.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/fakebackend.h)
lienzo_target_defaults(lienzo_ui_testing)
target_include_directories(lienzo_ui_testing PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(lienzo_ui_testing PUBLIC lienzo_ui_glue Qt6::Test)

set(LIENZO_UI_SCREENSHOTS ${CMAKE_BINARY_DIR}/screenshots)
file(MAKE_DIRECTORY ${LIENZO_UI_SCREENSHOTS})

lienzo_add_test(test_ui_glue SOURCES ui/test_ui_glue.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui_testing LABELS ui)
lienzo_add_test(test_ui_widgets SOURCES ui/test_ui_widgets.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_widgets PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# The real pipeline with the tiny fixture model (reads the golden fixtures). One label only:
# lienzo_add_test passes LABELS through gtest_discover_tests, where a second label is lost.
lienzo_add_test(test_ui_pipeline SOURCES ui/test_ui_pipeline.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_pipeline PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# Reliability of the gallery (docs/reliability.md): SIGKILL mid-batch, cancel at every step,
# read-only folder and full disk during a save. Both fork children; glue only, no widgets.
lienzo_add_test(test_gallery_kill SOURCES ui/test_gallery_kill.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui_testing LABELS ui)
lienzo_add_test(test_gallery_disk SOURCES ui/test_gallery_disk.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui_testing LABELS ui)
# The model library in the studio: network browser, completion, restore by hash, notices.
lienzo_add_test(test_ui_networks SOURCES ui/test_ui_networks.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_networks PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# Step previews (linear, TAESD, full VAE) and the fast decode with the tiny SD1 fixture model.
lienzo_add_test(test_ui_previews SOURCES ui/test_ui_previews.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_previews PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
