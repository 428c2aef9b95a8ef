#!/usr/bin/env bash
# Benchmark of `heeldrop live` against the targets of issue 3, section 7:
#   latency  1280x720 30 fps from the emulated camera, software renderer: the time from a
#            frame's capture timestamp to its presentation has a median <= 40 ms and a 99th
#            percentile <= 70 ms, and no frame older than 100 ms is ever shown;
#   load     640x480 30 fps, video recording off: at most half of one core (measured on
#            `live --source` with a 640x480 clip, and on the camera path as an upper bound);
#   memory   flat over a 30-minute run (peak RSS of the last 5 minutes within 5 MB of the
#            first 5 minutes after warm-up).
#
#   scripts/bench-live.sh --build DIR            all three (memory: --minutes, default 30)
#   scripts/bench-live.sh --build DIR --quick    latency and load 30 s each, memory 3 min
#   options: --seconds S (latency/load run length, default 60), --minutes M (memory run),
#            --format MJPG|YUYV (what the emulated camera sends, default MJPG like most
#            webcams: libv4l2 then decodes it inside heeldrop, a real cost that is counted),
#            --work DIR (clip and logs, default ${TMPDIR:-/tmp}/heeldrop-bench-live),
#            --skip-memory, --no-fail.
#
# The camera is the project's emulated camera (tests/fakes, libhd_emucam.so in the build
# folder) preloaded into heeldrop and served through the real libv4l2. It plays a clip made
# by `heeldrop synth` (1280x720 30 fps, looped) at real-time pace and stamps each frame at
# t0 + n/fps on the monotonic clock. heeldrop writes one row per presented frame
# (HEELDROP_LATENCY_LOG): capture time (the buffer timestamp), presentation time (after
# SDL_RenderPresent returns) and process CPU time. The emulated camera runs inside
# heeldrop's own poll/ioctl calls, so the CPU it spends making frames (decoding the clip,
# encoding MJPEG: HD_EMUCAM_STATS work_ms) is subtracted from heeldrop's CPU; libv4l2's
# MJPEG decoding is heeldrop's and stays in. SDL runs with the dummy video driver and the
# software renderer (HEELDROP_SOFTWARE_RENDER=1), so drawing is done on the CPU as on a
# laptop without GPU acceleration; nothing is shown on a screen.
#
# Exit status: 0 all targets met (or --no-fail), 1 a target failed, 2 could not run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=""
seconds=60
minutes=30
format=MJPG
work="${TMPDIR:-/tmp}/heeldrop-bench-live"
skip_memory=0
no_fail=0

die() { echo "bench-live.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --quick) seconds=30; minutes=3; shift ;;
    --skip-memory) skip_memory=1; shift ;;
    --no-fail) no_fail=1; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$build" ] || die "--build DIR is needed (a build with tests: it has libhd_emucam.so)"
hd="$build/heeldrop"
shim="$build/libhd_emucam.so"
[ -x "$hd" ] || die "$hd not built"
[ -f "$shim" ] || die "$shim not built (configure with -DHD_TESTS=ON)"
mkdir -p "$work"
clip="$work/clip_1280x720_60s.mp4"
if [ ! -s "$clip" ]; then
  echo "generating a 60 s 1280x720 30 fps clip with heeldrop synth"
  rm -rf "$work/synth"
  "$hd" synth --out "$work/synth" --seed 1 --size 1280x720 --fps 30 --duration 60 \
    --codec h264 --kind exercise --count 1 --container mp4 --cfr --name bench -q \
    >"$work/synth.log" 2>&1 || die "heeldrop synth failed (see $work/synth.log)"
  cp "$(find "$work/synth" -name '*.mp4' | head -n 1)" "$clip"
fi

export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy HEELDROP_SOFTWARE_RENDER=1
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME"
fails=0

# run_live SIZE SECONDS LOG STATS RSSLOG -> runs heeldrop live for SECONDS, then SIGTERM.
run_live()
{
  local size=$1 secs=$2 log=$3 stats=$4 rsslog=$5 pid t
  env LD_PRELOAD="$shim" HD_EMUCAM_DEVICE=/dev/video0 HD_EMUCAM_SOURCE="$clip" \
    HD_EMUCAM_FORMATS="$format" HD_EMUCAM_SIZES="$size" HD_EMUCAM_FPS=30 \
    HD_EMUCAM_STATS="$stats" HEELDROP_LATENCY_LOG="$log" \
    "$hd" live --device /dev/video0 --size "$size" --fps 30 --no-record --quiet \
    >"$log.out" 2>"$log.err" </dev/null &
  pid=$!
  : >"$rsslog"
  for t in $(seq 1 "$secs"); do
    sleep 1
    kill -0 "$pid" 2>/dev/null || break
    awk -v t="$t" '/^VmRSS/ { print t, $2 }' "/proc/$pid/status" >>"$rsslog" 2>/dev/null || true
  done
  # the process's CPU time (user + system) and its running time, just before the end
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$pid/stat" \
    >"$log.cpu" 2>/dev/null || echo 0 >"$log.cpu"
  echo "$t" >"$log.wall"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || die "heeldrop live failed: $(tail -3 "$log.err")"
}

# Latency statistics of a latency log: prints "n median p99 max over100 wall cpu".
lat_stats()
{
  python3 - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
stats = dict(l.strip().split("=", 1) for l in open(sys.argv[2]) if "=" in l)
rows = rows[30:]  # the first second: window, tracker and camera warming up
ages = sorted(float(r["age_ms"]) for r in rows)
n = len(ages)
if n == 0:
    print("0 0 0 0 0 0 0"); sys.exit(0)
q = lambda p: ages[min(n - 1, int(p * (n - 1) + 0.5))]
wall = (int(rows[-1]["present_us"]) - int(rows[0]["present_us"])) / 1e6
cpu = float(rows[-1]["cpu_s"]) - float(rows[0]["cpu_s"])
work = float(stats.get("work_ms", "0")) / 1000.0 * (wall / max(wall, 1e-9))
print(n, "%.1f" % q(0.5), "%.1f" % q(0.99), "%.1f" % ages[-1],
      sum(1 for a in ages if a > 100), "%.1f" % wall, "%.2f" % cpu)
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== latency: 1280x720 30 fps $format from the emulated camera, $seconds s"
run_live 1280x720 "$seconds" "$work/lat720.csv" "$work/lat720.stats" "$work/lat720.rss"
read -r n med p99 mx over wall cpu <<<"$(lat_stats "$work/lat720.csv" "$work/lat720.stats")"
dropped=$(sed -n 's/.*frames_dropped=//p' "$work/lat720.stats" | head -n 1)
echo "frames shown: $n; capture-to-present median $med ms, p99 $p99 ms, max $mx ms;"
echo "shown older than 100 ms: $over; camera frames dropped by the driver queue: ${dropped:-?}"
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fails=$((fails + 1)); fi; }
echo "median <= 40 ms: $(verdict "$med <= 40")   p99 <= 70 ms: $(verdict "$p99 <= 70")   none > 100 ms: $(verdict "$over == 0")"

echo
echo "== load: 640x480 30 fps, recording off, $seconds s"
# (a) the whole live loop on a 640x480 30 fps H.264 clip played at its own pace
#     (--source): decoding, tracking, rep engine, coach, drawing; no emulation in the way.
clip480="$work/clip_640x480_60s.mp4"
if [ ! -s "$clip480" ]; then
  rm -rf "$work/synth480"
  "$hd" synth --out "$work/synth480" --seed 1 --size 640x480 --fps 30 --duration 60 \
    --codec h264 --kind exercise --count 1 --container mp4 --cfr --name bench480 -q \
    >"$work/synth480.log" 2>&1 || die "heeldrop synth failed (see $work/synth480.log)"
  cp "$(find "$work/synth480" -name '*.mp4' | head -n 1)" "$clip480"
fi
HEELDROP_LATENCY_LOG="$work/src480.csv" "$hd" live --source "$clip480" --no-record --quiet \
  >"$work/src480.out" 2>"$work/src480.err" </dev/null &
pid=$!
t0=$(date +%s.%N)
cpu_all=0
while kill -0 "$pid" 2>/dev/null; do
  c=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null) || break
  [ -n "$c" ] && cpu_all=$c
  sleep 0.5
done
wait "$pid" || die "heeldrop live --source failed: $(tail -3 "$work/src480.err")"
wall_all=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
share=$(awk -v c="$cpu_all" -v w="$wall_all" 'BEGIN { printf "%.2f", c / w }')
echo "live --source (640x480 H.264): $cpu_all s CPU over $wall_all s: $share of one core"
echo "at most half a core: $(verdict "$share <= 0.5")"
# (b) the camera path: the emulated camera sending $format through libv4l2. The CPU the
#     fake spends making frames on heeldrop's thread is subtracted; its decoder's own
#     threads are not, so this figure is an upper bound.
run_live 640x480 "$seconds" "$work/lat480.csv" "$work/lat480.stats" "$work/lat480.rss"
read -r n med p99 mx over wall cpu <<<"$(lat_stats "$work/lat480.csv" "$work/lat480.stats")"
cpu_cam=$(cat "$work/lat480.csv.cpu")
wall_cam=$(cat "$work/lat480.csv.wall")
work_s=$(awk -F= '/^work_ms/ { printf "%.2f", $2 / 1000 }' "$work/lat480.stats")
share_cam=$(awk -v c="$cpu_cam" -v k="$work_s" -v w="$wall_cam" 'BEGIN { printf "%.2f", (c - k) / w }')
echo "camera path ($format via libv4l2): $cpu_cam s CPU over $wall_cam s, emulated camera's"
echo "own thread $work_s s: at most $share_cam of one core (median latency $med ms, p99 $p99 ms)"

if [ "$skip_memory" = 0 ]; then
  echo
  echo "== memory: 640x480 30 fps, $minutes minutes (the clip loops)"
  run_live 640x480 $((minutes * 60)) "$work/mem.csv" "$work/mem.stats" "$work/mem.rss"
  python3 - "$work/mem.rss" "$minutes" <<'PY' >"$work/mem.txt"
import sys
pts = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
m = float(sys.argv[2])
win = min(300.0, m * 60 / 3)
early = [r for t, r in pts if 60 <= t <= 60 + win] or [r for t, r in pts[: max(1, len(pts) // 3)]]
late = [r for t, r in pts if t >= pts[-1][0] - win]
e, l = max(early) / 1024, max(late) / 1024
print("%.1f %.1f %.1f %.1f" % (e, l, l - e, max(r for t, r in pts) / 1024))
PY
  read -r early late growth peak <"$work/mem.txt"
  echo "peak RSS first window after warm-up $early MB, last window $late MB, growth $growth MB, peak $peak MB"
  echo "flat (growth <= 5 MB): $(verdict "$growth <= 5")"
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "logs: $work"
if [ "$fails" -gt 0 ] && [ "$no_fail" = 0 ]; then
  exit 1
fi
exit 0
