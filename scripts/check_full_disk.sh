#!/usr/bin/env bash
# A real full disk for `maskrcnn train` (issue 13), beyond the suite's injected one: OUTPUT_DIR is a tmpfs with room
# for one checkpoint and a half. The second checkpoint must fail with one line `no space left on OUTPUT_DIR …`, leave
# last_checkpoint naming the first (complete) one and no temporary file; after the tmpfs is enlarged, the same command
# resumes and finishes. Needs root and a tmpfs mount; prints "skipped" otherwise. .ci/run runs it. Uses the Release build (dotnet build -c Release).
# Usage: scripts/check_full_disk.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then echo "full disk check: skipped (needs root to mount a tmpfs)"; exit 0; fi
work=$(mktemp -d)
out="$work/out"
cleanup() { umount "$out" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
maskrcnn=(dotnet "$repo/src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn.dll")
"${maskrcnn[@]}" data shapes --output "$work/shapes" --images 8 >/dev/null
printf 'DATASETS:\n  tiny_train: {img_dir: %s/shapes/images, ann_file: %s/shapes/annotations.json}\n' "$work" "$work" >"$work/catalog.yaml"
train() {
  "${maskrcnn[@]}" train -c shapes/mask_rcnn_R_18_FPN_gn --skip-test --log-period 1 PATHS_CATALOG "$work/catalog.yaml" \
    DATASETS.TRAIN "('tiny_train',)" INPUT.MIN_SIZE_TRAIN "(64,)" INPUT.MAX_SIZE_TRAIN 96 SOLVER.IMS_PER_BATCH 2 \
    DATALOADER.NUM_WORKERS 0 SOLVER.CHECKPOINT_PERIOD 1 SEED 3 "$@"
}

# One checkpoint's size, measured on the ordinary disk.
train OUTPUT_DIR "$work/measure" SOLVER.MAX_ITER 1 >/dev/null
size=$(stat -c %s "$work/measure/model_final.safetensors")
mkdir -p "$out"
if ! mount -t tmpfs -o size=$((size * 3 / 2 + 4 * 1024 * 1024)) tmpfs "$out"; then
  echo "full disk check: skipped (this machine does not let root mount a tmpfs)"; exit 0
fi

set +e
train OUTPUT_DIR "$out" SOLVER.MAX_ITER 3 >"$work/stdout" 2>"$work/stderr"
code=$?
set -e
cat "$work/stderr"
[ "$code" -eq 1 ] || { echo "FAIL: exit code $code, expected 1"; exit 1; }
[ "$(wc -l <"$work/stderr")" -eq 1 ] || { echo "FAIL: more than one line on stderr"; exit 1; }
grep -q "^maskrcnn: error: no space left on OUTPUT_DIR $out while writing model_0000002.safetensors" "$work/stderr" || { echo "FAIL: message"; exit 1; }
[ "$(cat "$out/last_checkpoint")" = model_0000001.safetensors ] || { echo "FAIL: last_checkpoint is $(cat "$out/last_checkpoint")"; exit 1; }
if ls -A "$out" | grep -q '\.tmp$'; then echo "FAIL: a temporary file was left"; exit 1; fi

mount -o remount,size=$((size * 5)) "$out"
train OUTPUT_DIR "$out" SOLVER.MAX_ITER 3 >"$work/stdout"
grep -q "resuming from $out/model_0000001.safetensors at iteration 1" "$work/stdout" || { echo "FAIL: did not resume"; cat "$work/stdout"; exit 1; }
[ "$(cat "$out/last_checkpoint")" = model_final.safetensors ] || { echo "FAIL: did not finish"; exit 1; }
echo "full disk check passed"
