#!/usr/bin/env bash
# Times reading torchvision's resnet50 weights (102 MB) in every format this tool reads, ours and Python's, in one run.
# Needs Debian's python3-torchvision. Usage: scripts/bench_weight_files.sh [--reps N]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
reps=5
if [[ "${1:-}" == "--reps" ]]; then reps=$2; fi
dotnet build tests/MaskRcnn.Benchmarks -c Release -v quiet -nologo >/dev/null
/usr/bin/python3 scripts/bench_weight_files.py --dir "$out" --reps "$reps" --json "$out/python.json"
MASKRCNN_BENCH_WEIGHTS="$out" dotnet tests/MaskRcnn.Benchmarks/bin/Release/net10.0/MaskRcnn.Benchmarks.dll --threads 2 --reps "$reps" \
    --json "$out/ours.json" "read resnet50"
/usr/bin/python3 - "$out/ours.json" "$out/python.json" <<'PY'
import json, sys
ours = {r["Name"]: r for r in json.load(open(sys.argv[1]))}
ref = {r["Name"]: r for r in json.load(open(sys.argv[2]))}
print()
print(f"| {'case (median)':<46} | {'maskrcnn':>10} | {'Python':>10} | {'ratio':>6} |")
print(f"|{'-' * 48}|{'-' * 12}|{'-' * 12}|{'-' * 8}|")
for name, r in ours.items():
    t = ref[name]
    print(f"| {name:<46} | {r['MedianMs']:>7.0f} ms | {t['MedianMs']:>7.0f} ms | {r['MedianMs'] / t['MedianMs']:>5.2f}x |")
PY
