#!/usr/bin/env bash
# Times this tool's ops and torchvision's on the same inputs in the same run, and prints them side by side.
# Needs Debian's python3-torchvision and libopenblas0-openmp (apt-get install python3-torchvision libopenblas0-openmp).
# Usage: scripts/bench_ops.sh [--reps N] [FILTER ...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
dotnet build tests/MaskRcnn.Benchmarks -c Release -v quiet -nologo >/dev/null
/usr/bin/python3 scripts/bench_torchvision_ops.py --threads 2 --json "$out/torchvision_ops.json" "$@"
/usr/bin/python3 scripts/bench_torchvision_model.py --threads 2 --json "$out/torchvision_model.json" "$@"
/usr/bin/python3 scripts/bench_torchvision_maskrcnn.py --threads 2 --json "$out/torchvision_maskrcnn.json" "$@"
dotnet tests/MaskRcnn.Benchmarks/bin/Release/net10.0/MaskRcnn.Benchmarks.dll --threads 2 --json "$out/ours.json" "$@"
/usr/bin/python3 - "$out/ours.json" "$out/torchvision_ops.json" "$out/torchvision_model.json" "$out/torchvision_maskrcnn.json" <<'PY'
import json, sys
ours = {r["Name"]: r for r in json.load(open(sys.argv[1]))}
ref = {r["Name"]: r for path in sys.argv[2:] for r in json.load(open(path))}
print()
print(f"| {'case (2 threads, median)':<52} | {'maskrcnn':>10} | {'torchvision':>11} | {'speed-up':>8} |")
print(f"|{'-' * 54}|{'-' * 12}|{'-' * 13}|{'-' * 10}|")
for name, r in ours.items():
    t = ref.get(name)
    tv = f"{t['MedianMs']:.1f} ms" if t else "—"
    ratio = f"{t['MedianMs'] / r['MedianMs']:.1f}x" if t else "—"
    print(f"| {name:<52} | {r['MedianMs']:>7.1f} ms | {tv:>11} | {ratio:>8} |")
PY
