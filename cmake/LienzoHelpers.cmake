# Shared compile settings and the test helper. Included by the top-level CMakeLists.txt.

set(LIENZO_SANITIZER_FLAGS "")
if(LIENZO_ENABLE_ASAN)
  set(LIENZO_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                             -fno-sanitize-recover=undefined)
endif()
if(LIENZO_ENABLE_TSAN)
  if(LIENZO_ENABLE_ASAN)
    message(FATAL_ERROR "LIENZO_ENABLE_ASAN and LIENZO_ENABLE_TSAN are mutually exclusive")
  endif()
  set(LIENZO_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
endif()
if(LIENZO_BUILD_FUZZERS)
  # libFuzzer: every target (the core libraries the fuzzers link included) gets coverage
  # instrumentation plus ASan+UBSan; the fuzz executables add -fsanitize=fuzzer (libFuzzer's main)
  # in tests/fuzz/CMakeLists.txt.
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LIENZO_BUILD_FUZZERS needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  if(LIENZO_ENABLE_ASAN OR LIENZO_ENABLE_TSAN)
    message(FATAL_ERROR "LIENZO_BUILD_FUZZERS already enables ASan+UBSan; turn the others off")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  set(LIENZO_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                             -fno-sanitize-recover=undefined)
endif()
if(LIENZO_SANITIZER_FLAGS)
  # Debian's libtorch pulls in OpenCV's highgui and with it Qt 5 beside our Qt 6. Unoptimised
  # builds emit Qt 6 inline members (QByteArray::append(const char*), ...) out of line in our
  # executables; exported, they would interpose Qt 5's identically named symbols, and Qt 5's
  # static initialisers crash before main(). Hidden inlines are never exported.
  add_compile_options(${LIENZO_SANITIZER_FLAGS})
  if(LIENZO_BUILD_UI)
    add_compile_options(-fvisibility-inlines-hidden)
  endif()
  add_link_options(${LIENZO_SANITIZER_FLAGS})
endif()

# lienzo_target_defaults(<target>): warnings and include root for a project target.
function(lienzo_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(LIENZO_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# lienzo_add_test(<name> SOURCES <files...> LIBS <targets...> LABELS <labels...>)
# One GoogleTest executable = one CTest test that runs all of its cases in one process
# (--gtest_brief: only failures are printed in full). Not one CTest test per case: every process
# start loads libtorch and its ~285 shared libraries, about 1 s of CPU, which for ~750 cases was
# most of the suite's time. Run one case with `build/tests/<name> --gtest_filter=Suite.Case`.
# Labels: unit, golden, ui, gpu, slow.
function(lienzo_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  lienzo_target_defaults(${name})
  target_link_libraries(${name} PRIVATE lienzo_testing ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 900)
endfunction()

# ---- precompiled libtorch header ---------------------------------------------------------------
# Parsing <ATen/ATen.h> is ~60 % of compiling a typical core or test source (measured: 12.3 s ->
# 4.9 s per source with the header precompiled). lienzo_apply_torch_pch(), called once after every
# target exists, walks the project's targets and gives each one that links libtorch (directly or
# through project libraries) a precompiled <ATen/ATen.h>: one built for position-independent code
# (static libraries, -fPIC) and one for executables (-fPIE), since GCC refuses a header built with
# the other setting. Targets that link Qt are left alone: Qt's targets add their own definitions and
# -fPIC, and the UI never includes torch headers.
# GCC only; clang builds (the fuzzers) and LIENZO_PCH=OFF compile without it.

# _lienzo_link_closure(<target> <out-var>): every library <target> links, transitively (project
# targets are followed; imported and plain libraries are listed as named).
function(_lienzo_link_closure target out)
  get_property(_known GLOBAL PROPERTY _LIENZO_CLOSURE_${target} SET)
  if(_known)
    get_property(_v GLOBAL PROPERTY _LIENZO_CLOSURE_${target})
    set(${out} "${_v}" PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY _LIENZO_CLOSURE_${target} "")  # cycles end here
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(_libs ${target} INTERFACE_LINK_LIBRARIES)
  else()
    get_target_property(_libs ${target} LINK_LIBRARIES)
  endif()
  set(_all "")
  foreach(_lib IN LISTS _libs)
    if(_lib MATCHES "^\\$<" OR _lib MATCHES "-NOTFOUND$")
      continue()
    endif()
    list(APPEND _all ${_lib})
    if(TARGET ${_lib} AND NOT _lib MATCHES "::")
      _lienzo_link_closure(${_lib} _sub)
      list(APPEND _all ${_sub})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _all)
  set_property(GLOBAL PROPERTY _LIENZO_CLOSURE_${target} "${_all}")
  set(${out} "${_all}" PARENT_SCOPE)
endfunction()

function(_lienzo_collect_targets dir out)
  get_property(_targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(_subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(_sub IN LISTS _subdirs)
    _lienzo_collect_targets(${_sub} _more)
    list(APPEND _targets ${_more})
  endforeach()
  set(${out} ${_targets} PARENT_SCOPE)
endfunction()

function(lienzo_apply_torch_pch)
  if(NOT LIENZO_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  _lienzo_collect_targets(${PROJECT_SOURCE_DIR} _targets)
  set(_carriers FALSE)
  foreach(_t IN LISTS _targets)
    get_target_property(_type ${_t} TYPE)
    if(NOT _type MATCHES "^(STATIC_LIBRARY|EXECUTABLE)$")
      continue()
    endif()
    _lienzo_link_closure(${_t} _closure)
    set(_torch FALSE)
    set(_qt FALSE)
    foreach(_lib IN LISTS _closure)
      if(_lib STREQUAL "torch" OR _lib IN_LIST TORCH_LIBRARIES)
        set(_torch TRUE)
      elseif(_lib MATCHES "^Qt[56]?::")
        set(_qt TRUE)
      endif()
    endforeach()
    if(NOT _torch OR _qt)
      continue()
    endif()
    if(NOT _carriers)
      # The carriers: an empty static library and an empty executable, compiled like the rest.
      file(WRITE ${PROJECT_BINARY_DIR}/lienzo_pch_carrier.cpp "int main() { return 0; }\n")
      add_library(lienzo_pch_pic STATIC ${PROJECT_BINARY_DIR}/lienzo_pch_carrier.cpp)
      add_executable(lienzo_pch_pie ${PROJECT_BINARY_DIR}/lienzo_pch_carrier.cpp)
      foreach(_c lienzo_pch_pic lienzo_pch_pie)
        lienzo_target_defaults(${_c})
        target_link_libraries(${_c} PRIVATE ${TORCH_LIBRARIES})
        target_precompile_headers(${_c} PRIVATE <ATen/ATen.h>)
      endforeach()
      set(_carriers TRUE)
    endif()
    if(_type STREQUAL "EXECUTABLE")
      target_precompile_headers(${_t} REUSE_FROM lienzo_pch_pie)
    else()
      target_precompile_headers(${_t} REUSE_FROM lienzo_pch_pic)
    endif()
  endforeach()
endfunction()
