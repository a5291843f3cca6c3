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
if(LIENZO_SANITIZER_FLAGS)
  add_compile_options(${LIENZO_SANITIZER_FLAGS})
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
