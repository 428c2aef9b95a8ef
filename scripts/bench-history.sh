#!/usr/bin/env bash
# Timing of the session database with months of data (the figures in docs/sessions.md):
# fills a fresh database through the db.h API (tests' test_db_fill) with 16 weeks of the
# Alfredson programme, twice a day (224 sessions of 90 reps: 20160 reps, each committed in
# its own transaction as the live loop does), then times `heeldrop history` and
# `heeldrop plan` over it.
#
#   scripts/bench-history.sh --build DIR      (a build with tests: it has tests/test_db_fill)
set -euo pipefail
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bench-history.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$build" ] || { echo "bench-history.sh: --build DIR is needed" >&2; exit 2; }
hd="$build/heeldrop"
fill=$(find "$build" -name test_db_fill -type f -perm -u+x | head -n 1)
[ -x "$hd" ] && [ -n "$fill" ] || { echo "bench-history.sh: $build lacks heeldrop or test_db_fill" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hd-bench-history.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" TZ=UTC
mkdir -p "$XDG_DATA_HOME/heeldrop" "$XDG_CONFIG_HOME"
t0=1740960000 # Monday 2025-03-03 00:00 UTC
python3 - "$t0" >"$work/fill" <<'PY'
import sys
t0 = int(sys.argv[1])
print("plan alfredson both %d" % t0)
for day in range(112):
    for hour in (7, 18):
        start = t0 + day * 86400 + hour * 3600
        uid = "d%03d-%02d" % (day, hour)
        print("session %s %d camera left straight 0 /dev/video0" % (uid, start))
        for i in range(90):
            leg = "left" if i < 45 else "right"
            print("rep %d %d %s 3.5 1.0 40 -" % (i + 1, i // 15 + 1, leg))
        print("end %d 900 27000 0 done" % (start + 900))
        print("pain %d 2 after %s -" % (start + 1000, uid))
PY
reps=$(grep -c '^rep ' "$work/fill")
s=$(date +%s.%N)
"$fill" - <"$work/fill"
e=$(date +%s.%N)
awk -v a="$s" -v b="$e" -v n="$reps" \
  'BEGIN { printf "filled %d reps in %.1f s: %.2f ms per rep commit (fsync each)\n", n, b - a, (b - a) * 1000 / n }'
export HEELDROP_NOW=$((t0 + 112 * 86400))
for cmd in history plan; do
  best=""
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$hd" "$cmd" >/dev/null
    e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v x="$t" -v y="$best" 'BEGIN { exit !(x < y) }'; then best=$t; fi
  done
  echo "heeldrop $cmd over $(grep -c '^session ' "$work/fill") sessions: ${best} s (best of 3)"
done
