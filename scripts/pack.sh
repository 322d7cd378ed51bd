#!/usr/bin/env bash
# Packs maskrcnn as a .NET tool into ./artifacts: one package per runtime (LibTorch's native libraries differ per
# platform) and the small package `dotnet tool install` starts from, which points it at the right one. Then:
#   dotnet tool install --global --add-source ./artifacts maskrcnn
# Options:
#   --output DIR     where the packages go (default: artifacts)
#   --rid LIST       runtimes, comma-separated (default: linux-x64,osx-arm64,win-x64; only linux-x64 is tested)
#   --backend NAME   TorchSharp build: cpu (default), cuda-linux or cuda-windows (untested; their packages restore
#                    only where NuGet serves them)
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts
rids=""
backend=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out=$2; shift 2 ;;
    --rid) rids=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "pack.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
props=("-p:TorchBackend=$backend")
# A list inside one -p: value is quoted, or MSBuild would read the semicolons as separate properties.
[ -n "$rids" ] && props+=("-p:ToolPackageRuntimeIdentifiers=\"${rids//,/;}\"")
mkdir -p "$out"
rm -f "$out"/maskrcnn.*.nupkg # a package left from another version or runtime list would be installed instead
dotnet pack src/MaskRcnn.Cli -c Release -o "$out" "${props[@]}"
echo "packages in $out:"
ls -l "$out"/maskrcnn.*.nupkg
