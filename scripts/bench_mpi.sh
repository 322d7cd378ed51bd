#!/usr/bin/env bash
# Data-parallel scaling on this machine (README, Distributed): training images/s of the shapes recipe (R-18-FPN) as
# 1 process x all cores vs `mpiexec -n 2` (cores/2 threads each, as the tool sets them), the gradient all-reduce's
# time per iteration (the "allreduce" meter) and bytes per step, and the same all-reduce for R-50-FPN. Each run trains
# ITERS iterations into a temporary OUTPUT_DIR and reads the window medians of its last metrics.jsonl record.
# Needs MPICH (apt-get install mpich). Usage: scripts/bench_mpi.sh [ITERS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
iters=${1:-30}
dotnet build src/MaskRcnn.Cli -c Release -v quiet -nologo >/dev/null
tool="dotnet src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shapes=(--config configs/shapes/mask_rcnn_R_18_FPN_gn.yaml --no-resume --skip-test --log-period "$iters" SOLVER.MAX_ITER "$iters"
        SOLVER.CHECKPOINT_PERIOD 0)
r50=(--config configs/shapes/mask_rcnn_R_18_FPN_gn.yaml --no-resume --skip-test --log-period 10 SOLVER.MAX_ITER 10 SOLVER.CHECKPOINT_PERIOD 0
     MODEL.BACKBONE.CONV_BODY R-50-FPN MODEL.RESNETS.BACKBONE_OUT_CHANNELS 256 MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM 1024
     MODEL.ROI_MASK_HEAD.CONV_LAYERS "(256, 256, 256, 256)" SOLVER.BASE_LR 0.005)  # GN from scratch, as the recipe
$tool train "${shapes[@]}" OUTPUT_DIR "$work/one" >/dev/null
mpiexec -n 2 $tool train "${shapes[@]}" OUTPUT_DIR "$work/two" >/dev/null
mpiexec -n 2 $tool train "${r50[@]}" OUTPUT_DIR "$work/r50" >/dev/null
/usr/bin/python3 - "$work" "$(nproc)" <<'PY'
import json, sys, os
work, cores = sys.argv[1], int(sys.argv[2])
def last(run):
    return json.loads(open(os.path.join(work, run, "metrics.jsonl")).read().splitlines()[-1])
def params(run):  # trainable parameters = floats all-reduced per step (from the final weights' shapes)
    import struct
    path = os.path.join(work, run, "model_final.safetensors")
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]; header = json.loads(f.read(n))
    total = 0
    for name, info in header.items():
        if name.startswith("extra/optimizer/momentum_buffer/"):
            count = 1
            for d in info["shape"]: count *= d
            total += count
    return total
one, two, r50 = last("one"), last("two"), last("r50")
batch = 4
print(f"{'run':<44} {'s/iter':>7} {'images/s':>9} {'allreduce s/iter':>17} {'MB per step':>12}")
print(f"{'shapes R-18-FPN, 1 process x ' + str(cores) + ' threads':<44} {one['time']:7.3f} {batch / one['time']:9.2f} {'-':>17} {'-':>12}")
for name, r, run in (("shapes R-18-FPN, mpiexec -n 2", two, "two"), ("R-50-FPN (192 px), mpiexec -n 2", r50, "r50")):
    mb = params(run) * 4 / 1e6
    print(f"{name:<44} {r['time']:7.3f} {batch / r['time']:9.2f} {r['allreduce']:17.3f} {mb:12.1f}")
print(f"\nspeed-up of 2 processes over 1: {one['time'] / two['time']:.2f}x (same machine, same run)")
mb = params("r50") * 4 / 1e6
for gbit in (10, 100):
    # ring all-reduce moves 2(N-1)/N of the buffer per rank; projected, not measured
    print(f"projected R-50-FPN all-reduce at {gbit} Gb/s (ring, N large): {2 * mb * 8 / (gbit * 1000):.3f} s per step")
PY
