#!/usr/bin/env bash
# The full learning run of a built-in CPU recipe: trains a shapes config from scratch (starting over), evaluates on
# shapes_val, and prints the wall time and the AP against the recipe's target within 15 minutes of training on a
# 2-core CPU: configs/shapes/mask_rcnn_R_18_FPN_gn.yaml (README's main command; bbox and segm AP >= 0.6) or, with
# --yolact, configs/shapes/yolact_R_18_FPN_gn.yaml (bbox and segm AP >= 0.5). Extra arguments are config overrides,
# e.g. SOLVER.MAX_ITER 1200. Exits 1 when the target is missed.
# Usage: scripts/train_shapes.sh [--yolact] [KEY VALUE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
config=configs/shapes/mask_rcnn_R_18_FPN_gn.yaml out=output/shapes_R_18_FPN_gn_run target=0.6
if [[ "${1:-}" == "--yolact" ]]; then
  shift
  config=configs/shapes/yolact_R_18_FPN_gn.yaml out=output/shapes_yolact_R_18_FPN_gn_run target=0.5
fi
dotnet build src/MaskRcnn.Cli -c Release -v quiet -nologo >/dev/null
start=$(date +%s)
dotnet src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn.dll train --config "$config" --no-resume \
  OUTPUT_DIR "$out" "$@" | tee "$out.log"
end=$(date +%s)
train_line=$(grep -o 'done: [0-9]* iterations in [0-9:]*' "$out.log" | tail -1)
/usr/bin/python3 - "$out/inference/shapes_val/coco_eval.json" "$train_line" "$((end - start))" "$target" <<'PY'
import json, sys
numbers = json.load(open(sys.argv[1]))
bbox, segm = numbers["bbox"]["stats"]["AP"], numbers["segm"]["stats"]["AP"]
target = float(sys.argv[4])
h, m, s = (int(x) for x in sys.argv[2].split()[-1].split(":"))
train_s = 3600 * h + 60 * m + s
print(f"\ntraining {train_s // 60} min {train_s % 60} s ({sys.argv[2]}); train + evaluate {int(sys.argv[3]) // 60} min {int(sys.argv[3]) % 60} s")
print(f"shapes_val bbox AP {bbox:.3f}, segm AP {segm:.3f} (target {target} each within 15 min of training)")
sys.exit(0 if bbox >= target and segm >= target and train_s <= 15 * 60 else 1)
PY
