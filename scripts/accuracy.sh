#!/usr/bin/env bash
# Accuracy of `heeldrop analyze` on generated clips with exact ground truth.
#
#   scripts/accuracy.sh --eval     the evaluation range: seeds 5000-5039 (40 clips). This
#                                  range was committed before any tuning and is never used
#                                  while tuning. Its figures go to docs/accuracy.md.
#   scripts/accuracy.sh --tuning   the tuning range: seeds 1000-1015 (16 clips).
#   scripts/accuracy.sh --seeds A-B  any other range.
# Options: --build DIR (default build), --out DIR (default out/accuracy-<range>),
#          --jobs N (parallel analyses, default nproc), --keep (reuse generated clips).
# Each clip is analysed with --shoe-mm set to the generated person's shoe length (as a user
# enters their own), then `heeldrop score --targets` compares all clips with the truth.
set -euo pipefail
cd "$(dirname "$0")/.."
range=""
build=build
out=""
jobs=$(nproc)
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --eval) range=5000-5039 ;;
    --tuning) range=1000-1015 ;;
    --seeds) range="$2"; shift ;;
    --build) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "accuracy.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$range" ] || { echo "accuracy.sh: give --eval, --tuning or --seeds A-B" >&2; exit 2; }
first=${range%-*}
last=${range#*-}
count=$((last - first + 1))
out=${out:-out/accuracy-$range}
hd=$build/heeldrop
[ -x "$hd" ] || { echo "accuracy.sh: $hd not built" >&2; exit 2; }
mkdir -p "$out/truth" "$out/analysis"
if [ "$keep" = 0 ] || [ -z "$(ls -A "$out/truth" 2>/dev/null)" ]; then
  rm -f "$out"/truth/*
  # clips are rendered in parallel, one seed per process
  seq "$first" "$last" | xargs -P "$jobs" -I{} "$hd" synth --seed {} --out "$out/truth" -q
fi
analyse() {
  local video=$1
  local name
  name=$(basename "$video")
  name=${name%.*}
  local shoe
  shoe=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['settings'].get('shoe_mm', 270))" \
    "$out/truth/$name.truth.json")
  "$hd" analyze -q --shoe-mm "$shoe" --json "$out/analysis/$name.json" \
    --trace "$out/analysis/$name.trace.csv" "$video" || true
}
export -f analyse
export hd out
find "$out/truth" -type f ! -name '*.truth.*' | sort | xargs -P "$jobs" -I{} bash -c 'analyse "$@"' _ {}
"$hd" score --truth-dir "$out/truth" --analysis-dir "$out/analysis" --json "$out/score.json" \
  --targets
