#!/bin/bash
# Built-in model: the diffusion stage trained on a lent CUDA machine (docs/builtin-model.md).
# Unlike scripts/device-check.sh (goldens + benchmarks + one run) this spends the whole lease on
# training: it builds only the `lienzo` CLI (no tests, no Qt, no OpenImageIO), then trains two
# recipes side by side on the one GPU (H200, 2026-11-27: 7.8 it/s each at batch 512, the GPU 85 %
# busy), until DEADLINE seconds after the start, and brings back both exported
# models (2 parts each, `cat NAME.part0* > NAME.safetensors`) plus extras.tgz (logs, eval.jsonl,
# last sample grids). Tokenizer, VAE and config.json (prediction, pooled text) come from the CPU
# run packed by scripts/device-pack.sh into .devdeps/pack/run.
# Usage (device tool, repo root, carry [".devdeps/pack"]): bash scripts/device-train.sh
# Env: DEADLINE (s, default 560), DEVICE (default cuda), LIENZO (a built CLI: skips the build),
# COMMON (training options shared by both runs), RUN_A / RUN_B (each run's own options), INIT
# (the exported model both runs start from; default the shipped one).
# If a run dies before its first progress line with --bf16 it is retried in F32.
set -u
start=$(date +%s)
OUT=${OUT:-/tmp/lienzo-device-out}
mkdir -p "$OUT"
R=$(pwd)
D=/tmp/lienzo-deps
DEADLINE=${DEADLINE:-560}
DEVICE=${DEVICE:-cuda}
log() { echo "[device-train +$(($(date +%s) - start))s] $*"; }
exec > >(tee "$OUT/device.log") 2>&1

L=${LIENZO:-}
if [ -z "$L" ]; then
  log "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
  TORCH_DIR=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
  TORCH_ABI=$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  log "torch $(python3 -c 'import torch;print(torch.__version__, torch.version.cuda)')"
  mkdir -p "$D" && tar -xJf .devdeps/pack/deps.tar.xz -C "$D"
  export CMAKE_POLICY_VERSION_MINIMUM=3.5  # sentencepiece 0.1.97 asks for CMake < 3.5 policies
  cmake -S "$D/sentencepiece-src" -B "$D/spb" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSPM_USE_BUILTIN_PROTOBUF=ON -DSPM_ENABLE_SHARED=OFF -DSPM_ENABLE_TCMALLOC=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$D/spm" -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI -Dgoogle=lienzo_spm_google" >/dev/null &&
    cmake --build "$D/spb" -j16 >/dev/null && cmake --install "$D/spb" >/dev/null || exit 1
  log "sentencepiece built"
  common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DLIENZO_BUILD_UI=OFF -DLIENZO_BUILD_TESTS=OFF
          -DLIENZO_WITH_IMAGEIO=OFF -DLIENZO_SENTENCEPIECE_DIR="$D/spm"
          -DLIENZO_SPM_BUILTIN_PROTOBUF=ON
          -DCMAKE_PREFIX_PATH="$TORCH_DIR;$TORCH_DIR/share/cmake;$D/nlohmann")
  export TORCH_CUDA_ARCH_LIST=9.0
  if ! cmake -S . -B build-cuda "${common[@]}" -DCMAKE_CUDA_ARCHITECTURES=90 \
      > "$OUT/configure.log" 2>&1; then
    log "find_package(Torch) failed: the wheel's include/ and lib/ instead"
    rm -rf build-cuda
    cmake -S . -B build-cuda "${common[@]}" -DLIENZO_TORCH_MANUAL="$TORCH_DIR" \
      -DLIENZO_TORCH_CXX11_ABI="$TORCH_ABI" > "$OUT/configure.log" 2>&1 ||
      { tail -40 "$OUT/configure.log"; exit 1; }
  fi
  ninja -C build-cuda -k 0 lienzo_cli 2>&1 | grep -E "error|FAILED" | head -40
  L=build-cuda/app/lienzo
  $L --version || exit 1
  log "built"
fi

# --steps is about what a 560 s lease trains (3 000 steps × 512 in 345 s on 2026-11-27, H200, both
# runs side by side at 9.2 it/s each), so the cosine decay to --lr-final ends with the lease.
COMMON=${COMMON:---steps 3000 --batch 512 --lr 3e-4 --lr-final 1.5e-5 --warmup 100 --cache 80000
  --min-snr 5 --eval-every 1500 --eval-count 200 --cfg 4 --log-every 250 --checkpoint-every 1500
  --threads 8}
# Both continue the shipped model (its weights travel with the tree; the carried config.json must
# be its config: device-pack.sh of build-trainer/run6). How it was made (docs/builtin-model.md):
# from scratch with the text encoder frozen 2 000 steps, then 0.1× lr; later leases continue it
# with a cosine decay per lease; lease 4 weighted positional and counting scenes up
# (--kind-weights), which raised counting but not position. Both runs now add the U-Net position
# map (--positional, zero at the start; the folder's config.json gets it) at two learning-rate
# scales for it: position is what this lease should answer.
INIT=${INIT:-resources/models/lienzo-builtin.safetensors}
KINDS="--kind-weights single=0.8,two_objects=0.8,positional=3.5,counting=2"
RUN_A=${RUN_A:---init $INIT --text-lr-scale 1.0 $KINDS --positional --position-lr-scale 10}
RUN_B=${RUN_B:---init $INIT --text-lr-scale 1.0 $KINDS --positional --position-lr-scale 50}
until=$((start + DEADLINE - 50))

train_one() {  # NAME OPTIONS...
  local name=$1 dir=/tmp/runs/$1 rc prec
  shift
  mkdir -p "$dir" && cp .devdeps/pack/run/* "$dir/"
  for prec in --bf16 ""; do
    local left=$((until - $(date +%s)))
    [ $left -gt 20 ] || break
    # shellcheck disable=SC2086
    timeout -k 30 -s TERM $left $L train diffusion --out "$dir" --device "$DEVICE" $prec $COMMON \
      "$@" >> "$dir/train.log" 2>&1
    rc=$?
    grep -q "\] step " "$dir/train.log" && break
    echo "[$name] no training step with '$prec' (exit $rc):"
    tail -15 "$dir/train.log"
  done
  # The VAE from INIT: the shipped model's decoder was tuned after the packed VAE was made (same
  # encoder, which export checks).
  $L train export --out "$dir" --vae-from "$INIT" 2>&1 | tail -1
}

# shellcheck disable=SC2086
train_one a $RUN_A &
pa=$!
# shellcheck disable=SC2086
train_one b $RUN_B &
pb=$!
sleep 150 && nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader &&
  log "$(grep -h "\] step " /tmp/runs/*/train.log | tail -2 | tr '\n' ' ')" &
probe=$!
wait $pa $pb  # not a bare `wait`: bash would also wait for the tee above, forever
kill $probe 2>/dev/null
log "trained"

for r in a b; do
  dir=/tmp/runs/$r
  echo "== run $r"
  grep -E "\] step |eval step|caption|stopped|error|Error" "$dir/train.log" | tail -12
  if [ -f "$dir/lienzo-builtin.safetensors" ]; then
    sha256sum "$dir/lienzo-builtin.safetensors"
    split -n 2 -d "$dir/lienzo-builtin.safetensors" "$OUT/$r.part"
  fi
done
(cd /tmp/runs && tar -czf "$OUT/extras.tgz" */train.log */eval.jsonl \
  $(for r in a b; do ls -t $r/samples/*.ppm 2>/dev/null | head -1; done) 2>/dev/null)
ls -la "$OUT"
log "end"
