#!/usr/bin/env bash
# Regenerates the bundled sample clip and its truth:
#   assets/sample.mp4          about half a minute, 640x360, 30 fps, H.264: six heel drops
#                              seen from the side, mostly good, one or two with a fault
#   assets/sample.truth.json   the truth summary (reps from the rep engine)
#   assets/sample.truth.csv    the per-frame truth trace
# Everything is fixed (seed and options), so the same generator gives the same files.
#
# usage: scripts/make-sample.sh [--build DIR]     (default DIR: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "make-sample.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
hd="$build/heeldrop"
[ -x "$hd" ] || { echo "make-sample.sh: $hd not built (cmake --build $build)" >&2; exit 2; }

seed=7
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$hd" synth --seed "$seed" --scenario sample --size 640x360 --fps 30 --codec h264 \
  --container mp4 --crf 26 --rotation 0 --cfr --out "$tmp" --name sample
for f in sample.mp4 sample.truth.json sample.truth.csv; do
  [ -s "$tmp/$f" ] || { echo "make-sample.sh: $f was not written" >&2; exit 1; }
done
size=$(stat -c %s "$tmp/sample.mp4")
if [ "$size" -ge 5000000 ]; then
  echo "make-sample.sh: sample.mp4 is $size bytes, over the 5 MB budget" >&2
  exit 1
fi
mkdir -p assets
cp "$tmp/sample.mp4" "$tmp/sample.truth.json" "$tmp/sample.truth.csv" assets/
reps=$(python3 -c "import json; print(len(json.load(open('assets/sample.truth.json'))['reps']))" \
  2>/dev/null || echo "?")
echo "assets/sample.mp4: $size bytes, $reps truth reps (seed $seed)"
