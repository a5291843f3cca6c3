# SentencePiece (optional, separable; included only when LIENZO_WITH_SENTENCEPIECE is ON, and then
# required: a missing build stops the configure). Debian's libsentencepiece bundles protobuf-lite
# 3.14 and crashes any process that also loads libtorch (PLATFORM.md pitfall 1), so we link a
# static build made from Debian's source package against the system protobuf by
# scripts/setup-deps.sh.
set(_spm "${LIENZO_SENTENCEPIECE_DIR}")
find_library(LIENZO_SPM_LIB NAMES sentencepiece PATHS "${_spm}/lib" NO_DEFAULT_PATH)
find_library(LIENZO_SPM_TRAIN_LIB NAMES sentencepiece_train PATHS "${_spm}/lib" NO_DEFAULT_PATH)
find_path(LIENZO_SPM_INCLUDE NAMES sentencepiece_processor.h PATHS "${_spm}/include" NO_DEFAULT_PATH)
# LIENZO_SPM_BUILTIN_PROTOBUF: the static build carries sentencepiece's own protobuf-lite
# (SPM_USE_BUILTIN_PROTOBUF=ON), for machines without libprotobuf (scripts/device-check.sh). Build
# it with -Dgoogle=lienzo_spm_google: un-renamed, its protobuf-lite symbols clash with the protobuf
# inside libtorch and the process crashes at the first tokenization (measured with Debian's
# libtorch: SIGSEGV; renamed: identical token ids and training losses).
option(LIENZO_SPM_BUILTIN_PROTOBUF "The static sentencepiece embeds its protobuf-lite" OFF)
set(_spm_deps "Threads::Threads")
if(NOT LIENZO_SPM_BUILTIN_PROTOBUF)
  find_package(Protobuf QUIET)
  set(_spm_deps "protobuf::libprotobuf;Threads::Threads")
endif()
if(NOT LIENZO_SPM_LIB OR NOT LIENZO_SPM_INCLUDE
   OR (NOT LIENZO_SPM_BUILTIN_PROTOBUF AND NOT Protobuf_FOUND))
  message(FATAL_ERROR "LIENZO_WITH_SENTENCEPIECE is ON but the static sentencepiece build was "
                      "not found in ${_spm} (library ${LIENZO_SPM_LIB}, header "
                      "${LIENZO_SPM_INCLUDE}, protobuf found: ${Protobuf_FOUND}). Run "
                      "scripts/setup-deps.sh or set LIENZO_SENTENCEPIECE_DIR, or configure with "
                      "-DLIENZO_WITH_SENTENCEPIECE=OFF (no built-in model, no `lienzo train`; the "
                      "`core` preset does this).")
endif()
# Imported static libraries that carry their own dependency on protobuf, so the linker always
# sees libprotobuf after them (with --as-needed an earlier libprotobuf would be dropped).
add_library(lienzo_spm_core STATIC IMPORTED)
set_target_properties(lienzo_spm_core PROPERTIES IMPORTED_LOCATION "${LIENZO_SPM_LIB}"
                      INTERFACE_LINK_LIBRARIES "${_spm_deps}")
add_library(lienzo_spm_train STATIC IMPORTED)
set_target_properties(lienzo_spm_train PROPERTIES IMPORTED_LOCATION "${LIENZO_SPM_TRAIN_LIB}"
                      INTERFACE_LINK_LIBRARIES "lienzo_spm_core")
add_library(lienzo_spm_static INTERFACE)
target_include_directories(lienzo_spm_static SYSTEM INTERFACE "${LIENZO_SPM_INCLUDE}")
target_link_libraries(lienzo_spm_static INTERFACE lienzo_spm_train lienzo_spm_core)
