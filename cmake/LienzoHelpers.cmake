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
# One GoogleTest executable; tests are discovered when CTest runs (not at build time, so a
# start-up crash is a test failure, not a build error). Labels: unit, golden, ui, gpu, slow.
function(lienzo_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  lienzo_target_defaults(${name})
  target_link_libraries(${name} PRIVATE lienzo_testing ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 900)
endfunction()
