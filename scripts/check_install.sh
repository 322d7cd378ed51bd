#!/usr/bin/env bash
# Checks the ways maskrcnn ships, each run from an empty folder outside the repository as a user would run it:
#   tool         scripts/pack.sh (linux-x64), then `dotnet tool install` into a temporary tool path
#   publish      scripts/publish.sh: a self-contained folder, run with no .NET on PATH
#   single-file  scripts/publish.sh --single-file: one executable, run with no .NET on PATH
# Each prints its version, validates and lists the shipped configs by name, and trains one iteration on a small
# generated shapes set (LibTorch and SkiaSharp load and compute). .ci/run runs this; it prints one line per check
# ("install check passed: tool") and exits non-zero if any failed.
# Usage: scripts/check_install.sh [tool] [publish] [single-file]   (default: all three)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=("$@")
[ ${#checks[@]} -eq 0 ] && checks=(tool publish single-file)

# Runs the installed command $1 from an empty folder, with the environment given after it.
smoke() {
  local exe=$1; shift
  local run; run=$(mktemp -d "$work/run.XXXX")
  ( cd "$run" &&
    env "$@" "$exe" --version &&
    env "$@" "$exe" config --config shapes/mask_rcnn_R_18_FPN_gn --validate &&
    env "$@" "$exe" config --list | head -n 1 &&
    env "$@" "$exe" train -c shapes/mask_rcnn_R_18_FPN_gn --skip-test --log-period 1 \
      DATASETS.TRAIN "('shapes_smoke',)" SOLVER.MAX_ITER 1 SOLVER.IMS_PER_BATCH 2 DATALOADER.NUM_WORKERS 0 &&
    test -f output/shapes_R_18_FPN_gn/model_final.safetensors )
}

# No .NET anywhere: what a machine without the SDK or runtime looks like to a self-contained app.
bare=(-i "HOME=$work/home" "PATH=$work/no-dotnet" "DOTNET_ROOT=$work/no-dotnet")
mkdir -p "$work/home"

failed=0
for check in "${checks[@]}"; do
  echo "=== install check: $check"
  case "$check" in
    tool)
      "$repo/scripts/pack.sh" --rid linux-x64 --output "$work/packages" >"$work/pack.log" 2>&1 || { tail -n 30 "$work/pack.log"; false; } &&
      (cd "$work" && dotnet tool install --tool-path "$work/tools" --add-source "$work/packages" maskrcnn) &&
      smoke "$work/tools/maskrcnn" "HOME=$work/home" ;;
    publish)
      "$repo/scripts/publish.sh" --output "$work/publish" >"$work/publish.log" 2>&1 || { tail -n 30 "$work/publish.log"; false; } &&
      smoke "$work/publish/maskrcnn" "${bare[@]}" ;;
    single-file)
      "$repo/scripts/publish.sh" --single-file --output "$work/single" >"$work/single.log" 2>&1 || { tail -n 30 "$work/single.log"; false; } &&
      test "$(find "$work/single" -name 'lib*' | wc -l)" -eq 0 &&
      smoke "$work/single/maskrcnn" "${bare[@]}" ;;
    *) echo "check_install.sh: unknown check $check (tool, publish, single-file)" >&2; false ;;
  esac
  if [ $? -eq 0 ]; then echo "install check passed: $check"; else echo "install check FAILED: $check"; failed=$((failed + 1)); fi
done
exit $(( failed > 0 ))
