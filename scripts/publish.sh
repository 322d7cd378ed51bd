#!/usr/bin/env bash
# Publishes maskrcnn as a self-contained folder that runs with no .NET installed:
#   scripts/publish.sh [--rid linux-x64] [--single-file] [--output DIR]
# --single-file bundles everything, LibTorch included, into one executable that unpacks its native libraries into
# ~/.net on first run (DOTNET_BUNDLE_EXTRACT_BASE_DIR moves that). Default output: artifacts/maskrcnn-RID[-single-file].
set -euo pipefail
cd "$(dirname "$0")/.."
rid=linux-x64
single=false
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid=$2; shift 2 ;;
    --single-file) single=true; shift ;;
    --output) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "publish.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
props=()
if [ "$single" = true ]; then
  props+=(-p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true)
  out=${out:-artifacts/maskrcnn-$rid-single-file}
else
  out=${out:-artifacts/maskrcnn-$rid}
fi
rm -rf "$out"
dotnet publish src/MaskRcnn.Cli -c Release -r "$rid" --self-contained -o "$out" "${props[@]}"
echo "published to $out"
