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
# The real pipeline with the tiny fixture model (reads the golden fixtures).
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
# The edit page: mask painting (exact pixels, undo/redo, 2048² responsiveness), edit jobs through
# the queue to the backend, outpaint drags, restoring an edit, cancel; screenshots.
lienzo_add_test(test_ui_edit SOURCES ui/test_ui_edit.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_edit PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# The model library in the studio: network browser, completion, restore by hash, notices.
lienzo_add_test(test_ui_networks SOURCES ui/test_ui_networks.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_networks PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# The queue's journal (crash-safe queue, docs/reliability.md).
lienzo_add_test(test_queue_journal SOURCES ui/test_queue_journal.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
# Tests with a second process (studio_child): SIGKILL during a journaled queue, 20 times, resumed
# by another process; two windows saving into one gallery and marking favourites at once.
add_executable(studio_child ${CMAKE_CURRENT_LIST_DIR}/studio_child.cpp)
lienzo_target_defaults(studio_child)
target_link_libraries(studio_child PRIVATE lienzo_ui_testing)
foreach(_t test_queue_kill test_two_windows)
  lienzo_add_test(${_t} SOURCES ui/${_t}.cpp ui/ui_test_main.cpp LIBS lienzo_ui_testing LABELS ui)
  target_compile_definitions(${_t} PRIVATE LIENZO_STUDIO_CHILD="$<TARGET_FILE:studio_child>")
  add_dependencies(${_t} studio_child)
endforeach()
# The soak (docs/reliability.md): the real controller, worker and gallery on the built-in model;
# test_soak is the CI-sized run, lienzo_soak the long one (scripts/soak.sh).
add_library(lienzo_soak_runner STATIC ${CMAKE_CURRENT_LIST_DIR}/soak_runner.cpp
                                      ${CMAKE_CURRENT_LIST_DIR}/soak_runner.h)
lienzo_target_defaults(lienzo_soak_runner)
target_include_directories(lienzo_soak_runner PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(lienzo_soak_runner PUBLIC lienzo_ui_glue)
lienzo_add_test(test_soak SOURCES ui/test_soak.cpp ui/ui_test_main.cpp
                LIBS lienzo_soak_runner lienzo_ui_testing LABELS ui)
target_compile_definitions(
  test_soak PRIVATE
  LIENZO_BUILTIN_MODEL_FILE="${PROJECT_SOURCE_DIR}/resources/models/lienzo-builtin.safetensors")
add_executable(lienzo_soak ${CMAKE_CURRENT_LIST_DIR}/soak_main.cpp)
lienzo_target_defaults(lienzo_soak)
target_link_libraries(lienzo_soak PRIVATE lienzo_soak_runner)
# Step previews (linear, TAESD, full VAE) and the fast decode with the tiny SD1 fixture model.
lienzo_add_test(test_ui_previews SOURCES ui/test_ui_previews.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_previews PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
# ControlNet slots: round trip through the gallery, preview, refusals (backend double); a
# canny-guided generation with the tiny SD1 model, ControlNet and TAESD, screenshots mid-run.
lienzo_add_test(test_ui_control SOURCES ui/test_ui_control.cpp ui/ui_test_main.cpp
                LIBS lienzo_ui lienzo_ui_testing LABELS ui)
target_compile_definitions(test_ui_control PRIVATE
                           LIENZO_SCREENSHOT_DIR="${LIENZO_UI_SCREENSHOTS}")
