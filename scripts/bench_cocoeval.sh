#!/usr/bin/env bash
# COCO evaluation speed: pycocotools' COCOeval and this tool's evaluator on the same synthetic files, same run, and
# a check that both give the same 12 stats. Needs pycocotools built outside the repository (see
# scripts/make_cocoeval_fixtures.py); pass its PythonAPI folder.
# Usage: scripts/bench_cocoeval.sh PATH/TO/cocoapi/PythonAPI [--reps N]
set -euo pipefail
cd "$(dirname "$0")/.."
cocoapi=$1; shift
reps=1
if [[ "${1:-}" == "--reps" ]]; then reps=$2; fi
dir=${MASKRCNN_COCOEVAL_BENCH:-/tmp/maskrcnn-cocoeval-bench}
out=$(mktemp -d)
dotnet build src/MaskRcnn.Cli -c Release -v quiet -nologo >/dev/null
dotnet build tests/MaskRcnn.Benchmarks -c Release -v quiet -nologo >/dev/null
/usr/bin/python3 scripts/bench_cocoeval.py time --dir "$dir" --cocoapi "$cocoapi" --reps "$reps" --json | tail -1 > "$out/pycocotools.json"
for set in bbox segm; do
  # One process per set, so that each peak memory is its own.
  MASKRCNN_COCOEVAL_BENCH=$dir dotnet tests/MaskRcnn.Benchmarks/bin/Release/net10.0/MaskRcnn.Benchmarks.dll \
    --threads 2 --reps "$reps" --json "$out/ours_$set.json" "CocoEval $set" >/dev/null
  dotnet src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn.dll eval --gt "$dir/${set}_gt.json" --results "$dir/${set}_results.json" \
    --iou-type "$set" --output "$out/stats_$set.json" >/dev/null
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
ref = {r["set"]: r for r in json.load(open(os.path.join(out, "pycocotools.json")))["results"]}
names = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
print("| set (2 cores, evaluate+accumulate) | maskrcnn | pycocotools | speed-up | peak MB maskrcnn / pycocotools | max abs stat difference |")
print("|---|---:|---:|---:|---:|---:|")
for s in ["bbox", "segm"]:
    ours = json.load(open(os.path.join(out, f"ours_{s}.json")))[0]
    stats = json.load(open(os.path.join(out, f"stats_{s}.json")))[s]["stats"]
    r = ref[s]
    diff = max(abs(stats[n] - r["stats"][i]) for i, n in enumerate(names))
    t_ref = r["medianS"] * 1000
    print(f"| {s}: {r['images']} images, {r['detections']} detections | {ours['MedianMs'] / 1000:.2f} s | {t_ref / 1000:.2f} s | "
          f"{t_ref / ours['MedianMs']:.0f}x | {ours['PeakMb']:.0f} / {r['peakRssMb']:.0f} | {diff:.1e} |")
PY
