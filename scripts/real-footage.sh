#!/usr/bin/env bash
# Runs `heeldrop analyze` on the real calf-raise footage in ../shared/realclips (never
# copied into this repository) and compares the heel-up peaks of the trace with the moments
# listed in ../shared/realclips/README.md. Outputs stay in out/real-footage/ (not committed).
#   scripts/real-footage.sh [--build DIR] [--annotate]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
annotate=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --annotate) annotate=1 ;;
    *) echo "real-footage.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
src=../shared/realclips
[ -d "$src" ] || { echo "real-footage.sh: $src not found" >&2; exit 77; }
out=out/real-footage
mkdir -p "$out"
hd=$build/heeldrop
# name | file | listed heel-up moments (s) | first second of the part to judge
clips=(
  "hpy-side|Hpy2GitHub__merged-exercise__single-leg-standing-calf-raise.mp4|5.75 7.5 9.5|5.0"
  "hpy-front|Hpy2GitHub__merged-exercise__single-leg-standing-calf-raise.mp4|0.75 2.5 4.5|0"
  "mmuno|mmuno__gymnai-exercise-images__calf_raise.mp4|1.0 2.2 3.5 4.8 6.2 7.5|0"
  "umali|UmaliPrinceGenel__Fitness-Tracker-app__standing_calf_raises.mp4|1.65 4.65 8.35|0"
  "amith|amithcabraal__atc-40x40-28__calf-raises.mp4|0.0 3.0 8.0 10.8 13.8 16.5|0"
)
for c in "${clips[@]}"; do
  IFS='|' read -r name file listed from <<<"$c"
  video="$src/$file"
  args=(-q --json "$out/$name.json" --trace "$out/$name.trace.csv")
  [ "$annotate" = 1 ] && args+=(--annotate "$out/$name.annotated.mp4")
  "$hd" analyze "${args[@]}" "$video" || echo "($name: analyze exited $?)"
  python3 - "$out/$name.trace.csv" "$listed" "$from" "$name" <<'PY'
import csv, sys
path, listed, start, name = sys.argv[1], [float(x) for x in sys.argv[2].split()], float(sys.argv[3]), sys.argv[4]
rows = [r for r in csv.DictReader(open(path)) if r['heel_mm'] not in ('', 'nan')]
t = [float(r['t']) for r in rows]
h = [float(r['heel_mm']) for r in rows]
# smooth over ~0.2 s, then peaks: local maxima at least 15 mm above the lowest point within
# 0.8 s on both sides
def smooth(v, k=5):
    return [sum(v[max(0, i - k):i + k + 1]) / len(v[max(0, i - k):i + k + 1]) for i in range(len(v))]
s = smooth(h)
peaks = []
for i in range(len(s)):
    if t[i] < start:
        continue
    lo = [s[j] for j in range(len(s)) if abs(t[j] - t[i]) <= 0.8]
    if s[i] == max(lo) and s[i] - min(lo) >= 15:
        if not peaks or t[i] - peaks[-1] > 0.6:
            peaks.append(t[i])
lost = sum(1 for r in csv.DictReader(open(path)) if r['heel_mm'] in ('', 'nan'))
total = sum(1 for _ in csv.DictReader(open(path)))
res = []
for m in listed:
    d = min((abs(p - m) for p in peaks), default=None)
    res.append('%.2f:%s' % (m, 'miss' if d is None or d > 0.5 else '%+.2f' % (min(peaks, key=lambda p: abs(p - m)) - m)))
extra = [p for p in peaks if all(abs(p - m) > 0.5 for m in listed)]
print('%-10s peaks %s | listed (offset) %s | extra %s | lost %d/%d frames' % (
    name, ' '.join('%.2f' % p for p in peaks), ' '.join(res), ' '.join('%.2f' % p for p in extra) or '-', lost, total))
PY
done
