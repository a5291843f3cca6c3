#!/usr/bin/env bash
# ASan+UBSan run of the cheap core tests (no model code: I/O, metadata, tokenizer, prompt syntax,
# the bad-input table) in the `asan` preset's tree, build-asan/, or in any tree built with ASan+UBSan:
# CI runs it from scripts/test.sh in scripts/fuzz.sh's clang tree (ASAN_BUILD_DIR=build-fuzz), so
# that the core libraries are compiled once for the fuzzers and these tests.
#   scripts/sanitize.sh [--all]     --all: every core test and, in a UI tree, the studio's tests
#                                   (builds the whole project under ASan; slow)
# Environment: ASAN_BUILD_DIR (default build-asan), LIENZO_FIXTURES, JOBS (default nproc).
# Exit status 1 when a test fails or a sanitizer reports (UBSan is fatal, LSan on).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${ASAN_BUILD_DIR:-build-asan}"
tests=(test_safetensors test_sha256 test_checkpoint test_infotext test_png_text test_exif_text
       test_metadata_import test_bad_input test_clip_tokenizer test_clip_normalizer
       test_prompt_parser test_prompt_chunks test_prompt_weights test_model_library
       test_gguf test_gguf_quants)
if [[ "${1:-}" == "--all" ]]; then
  tests+=(test_bad_input_pipeline test_pipeline test_txt2img test_params_infotext test_unet
          test_unet_blocks test_vae test_clip_text_model test_openclip_text_model test_rng
          test_schedules test_kdiffusion test_compvis_samplers test_diffusers_samplers
          test_sampler_registry test_latent_preview test_diffusers_folder test_forward_process
          test_sdxl_conditioner test_image_io test_sp_tokenizer test_scene test_captions
          test_evaluator test_trainer
          # editing, LoRA / embeddings, ControlNet, TAESD, the SD3 / Flux parts
          test_edit test_edit_pipeline test_edit_inputs test_edit_validation test_img2img
          test_inpaint test_lora test_adapters test_embeddings test_embedding_files test_control
          test_controlnet test_control_preprocess test_taesd test_step_preview test_vae_tiling
          test_denoise_window test_t5_tokenizer test_t5_encoder test_mmdit test_sd3_conditioning
          test_flux test_flux_conditioner test_flow_schedule test_flow_trajectory test_flow_vae)
  # The studio's tests too when the tree builds the UI (the asan preset does): worker, queue,
  # gallery, widgets, the real pipeline through the worker, SIGKILL and full-disk gallery tests.
  if [[ ! -f "$build/CMakeCache.txt" ]] || grep -q "^LIENZO_BUILD_UI:BOOL=ON" "$build/CMakeCache.txt"; then
    tests+=(test_ui_glue test_ui_widgets test_ui_pipeline test_gallery_kill test_gallery_disk
            test_ui_edit test_ui_networks test_ui_previews test_ui_control test_queue_journal
            test_two_windows test_queue_kill test_soak)
  fi
fi
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
if [[ ! -f "$build/build.ninja" ]]; then
  # -g1: line tables are all a sanitizer report needs; full -g makes -O0 objects slow to build.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLIENZO_BUILD_TESTS=ON \
    -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DLIENZO_ENABLE_ASAN=ON  # = the asan preset (but -g1)
elif grep -q "^LIENZO_BUILD_TESTS:BOOL=OFF" "$build/CMakeCache.txt"; then
  # A tree made without tests (an older scripts/fuzz.sh tree): add them, keep the rest.
  cmake -S . -B "$build" -DLIENZO_BUILD_TESTS=ON > /dev/null
fi
if ! grep -qE "^LIENZO_(ENABLE_ASAN|BUILD_FUZZERS):BOOL=ON" "$build/CMakeCache.txt"; then
  echo "sanitize: $build has neither LIENZO_ENABLE_ASAN nor LIENZO_BUILD_FUZZERS on" >&2
  exit 1
fi
if [[ "${1:-}" == "--all" ]]; then
  # --all: only the tests this tree configures (a tree without OpenImageIO, SentencePiece or the
  # trainer has no test_image_io, test_sp_tokenizer, test_trainer).
  cmake --build "$build" --target help > /dev/null  # (re)configures when needed
  known=$(ninja -C "$build" -t targets all | sed -n 's/^\(test_[a-z0-9_]*\): .*/\1/p')
  kept=()
  for t in "${tests[@]}"; do grep -qx "$t" <<< "$known" && kept+=("$t"); done
  tests=("${kept[@]}")
fi
cmake --build "$build" -j"${JOBS:-$(nproc)}" --target "${tests[@]}"

export LIENZO_FIXTURES="${LIENZO_FIXTURES:-$here/../shared/fixtures}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$here/tests/sanitizers/lsan.supp}"
failed=()
for t in "${tests[@]}"; do
  bin="$build/tests/$t"
  [[ -x "$bin" ]] || { failed+=("$t (not built)"); continue; }
  start=$(date +%s)
  if "$bin" --gtest_brief=1 > "$build/$t.asan.log" 2>&1; then
    echo "asan: $t ok ($(( $(date +%s) - start )) s)"
  else
    failed+=("$t")
    echo "asan: $t FAILED ($build/$t.asan.log):"
    grep -E "ERROR: |runtime error|SUMMARY|FAILED" "$build/$t.asan.log" | head -10 || true
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "asan: failed: ${failed[*]}"
  exit 1
fi
