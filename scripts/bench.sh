#!/usr/bin/env bash
# Benchmark of `heeldrop analyze` against the targets of issue 2, section 8:
#   speed   on a 1280x720 H.264 clip, `heeldrop analyze` takes at most 1.25 times the wall
#           time of `ffmpeg -i clip -f null -` on the same clip, measured in the same run;
#   memory  peak RSS at most 150 MB, not growing with the clip's length (1 vs 10 minutes).
#
#   scripts/bench.sh                 Release build in build-bench/, clips, timings, table
#   scripts/bench.sh --build DIR     use an existing build (DIR/heeldrop)
#   scripts/bench.sh --rev HEAD      build a clean export of a commit (git archive) instead
#                                    of the working tree, in WORK/build-<sha>
#   scripts/bench.sh --reps 7        alternating repetitions per command (default 5)
#   scripts/bench.sh --profile       also profile one analysis with perf: CPU per stage
#   scripts/bench.sh --no-fail       report only: exit 0 even when a target fails
#
# Other options: --seed N (synth seed, default 1), --duration S (speed clip, default 60),
# --long-min M (long clip = speed clip M times, default 10), --work DIR (clips, logs, the
# helper; default ${TMPDIR:-/tmp}/heeldrop-bench; clips are reused while their recipe is
# unchanged; each run's logs and profile go to WORK/run.XXXXXX), --stand-in (an ffmpeg
# testsrc2 clip even when `heeldrop synth` works).
#
# Clips come from the project's own generator, `heeldrop synth ... --kind exercise`, so the
# tracker calibrates on and follows a heel as on a real video. The long clip is the speed
# clip repeated with ffmpeg's concat demuxer and -c copy: one continuous scene, made in
# seconds. Without a working synth the script falls back to an ffmpeg testsrc2 clip and
# says so loudly: that clip has no step and no foot, so the tracker's work on it is not
# the real workload.
#
# Wall time, CPU time and peak RSS come from scripts/bench_rss.c (fork, exec, wait4),
# compiled into WORK; no GNU time needed. The build is Release (-O3) with -g added, which
# changes no code but lets perf name inlined functions. The machine is shared: the load
# average before and after the runs is printed, runs alternate between the two commands
# so that a busy spell hits both, and when perf can count them the instructions retired
# by each command are reported too (they do not depend on the load).
#
# Exit status: 0 all targets met (or --no-fail), 1 a target failed, 2 the benchmark could
# not run (build, clip or analysis failure).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=""
rev=""
reps=5
seed=1
duration=60
long_min=10
work="${TMPDIR:-/tmp}/heeldrop-bench"
no_fail=0
force_stand_in=0
profile=0
ratio_max=1.25
rss_max_mb=150      # decimal MB: 150e6 bytes
growth_frac=0.10    # the long clip's peak may exceed the short one's by 10 % ...
growth_mb=5         # ... or by 5 MB, whichever is larger

die() { echo "bench.sh: $*" >&2; exit 2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --build) need_arg "$@"; build=$2; shift 2 ;;
    --rev) need_arg "$@"; rev=$2; shift 2 ;;
    --reps) need_arg "$@"; reps=$2; shift 2 ;;
    --seed) need_arg "$@"; seed=$2; shift 2 ;;
    --duration) need_arg "$@"; duration=$2; shift 2 ;;
    --long-min) need_arg "$@"; long_min=$2; shift 2 ;;
    --work) need_arg "$@"; work=$2; shift 2 ;;
    --no-fail) no_fail=1; shift ;;
    --stand-in) force_stand_in=1; shift ;;
    --profile) profile=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for v in reps long_min duration seed; do
  case "${!v}" in ''|*[!0-9]*) die "--${v/_/-} needs a whole number" ;; esac
done
[ "$reps" -gt 0 ] && [ "$long_min" -gt 0 ] && [ "$duration" -gt 0 ] \
  || die "--reps, --long-min and --duration must be positive"
[ -z "$build" ] || [ -z "$rev" ] || die "--build and --rev exclude each other"
command -v ffmpeg >/dev/null || die "ffmpeg not found (scripts/install-deps.sh installs it)"
command -v ffprobe >/dev/null || die "ffprobe not found"
if [ "$profile" = 1 ]; then
  command -v perf >/dev/null || die "--profile needs perf (apt-get install linux-perf)"
  command -v python3 >/dev/null || die "--profile needs python3"
  perf stat -e task-clock true >/dev/null 2>&1 \
    || die "--profile: perf cannot count here (kernel.perf_event_paranoid?)"
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Per-run files live in their own folder: several people may run the script at once with
# the same WORK, sharing its clips (made under a lock) but nothing else.
run="$(mktemp -d "$work/run.XXXXXX")"
# the run's clip copies and perf data are big; its logs and profile text are kept
trap 'rm -f "$run"/*.mp4 "$run"/perf.data "$run"/perf.data.old' EXIT
log="$run/bench.log"
: >"$log"
note() { echo "== $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(loadavg)
if awk -v l="${load_before%% *}" -v n="$(nproc)" 'BEGIN{exit !(l > 0.5 * n)}'; then
  note "WARNING: load average $load_before on $(nproc) cores: other work will perturb the timings"
fi

# ---- build ---------------------------------------------------------------------------
cmake_build() { # SRC BUILD
  note "Release build of $1 in $2"
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DCMAKE_CXX_FLAGS=-g \
    >>"$log" 2>&1 || die "cmake configure failed (see $log)"
  cmake --build "$2" -j"$(nproc)" --target heeldrop >>"$log" 2>&1 \
    || { tail -20 "$log" >&2; die "build failed (see $log)"; }
}
src_desc=""
if [ -n "$rev" ]; then
  sha=$(git -C "$repo" rev-parse --verify "$rev^{commit}" 2>/dev/null) || die "no commit $rev"
  src="$work/src-${sha:0:12}"
  if [ ! -f "$src/CMakeLists.txt" ]; then
    rm -rf "$src" && mkdir -p "$src"
    git -C "$repo" archive "$sha" | tar -x -C "$src" || die "git archive $rev failed"
  fi
  build="$work/build-${sha:0:12}"
  cmake_build "$src" "$build"
  src_desc="commit ${sha:0:12} (clean export)"
elif [ -z "$build" ]; then
  build="$repo/build-bench"
  cmake_build "$repo" "$build"
  src_desc="working tree at $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  git -C "$repo" diff --quiet HEAD 2>/dev/null || src_desc="$src_desc + uncommitted changes"
else
  build=$(cd "$build" && pwd) || die "no build folder $build"
  src_desc="existing build"
fi
hd="$build/heeldrop"
[ -x "$hd" ] || die "$hd not found"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
case "$build_type" in
  Release|RelWithDebInfo|MinSizeRel) ;;
  *) note "WARNING: $build is a '${build_type:-default}' build, not an optimised one" ;;
esac

rss="$run/bench_rss"
cc -O2 -std=c11 -Wall -Wextra -o "$rss" "$repo/scripts/bench_rss.c" \
  || die "cannot build scripts/bench_rss.c"

# ---- clips ---------------------------------------------------------------------------
# A clip is remade only when its recipe (options and generator sources) changed; clips
# are made under a lock and this run measures its own copies of them.
exec 9>"$work/.clips.lock"
flock 9
recipe_ok() { [ -s "$1" ] && [ -f "$1.recipe" ] && [ "$(cat "$1.recipe")" = "$2" ]; }

synth_ok=0
if [ "$force_stand_in" = 0 ] && "$hd" synth --help >/dev/null 2>&1; then
  synth_ok=1
fi
short="$work/clip_${duration}s.mp4"
if [ "$synth_ok" = 1 ]; then
  # What the generator would otherwise draw from the seed and that changes the decoding
  # work is pinned: one clip, MP4, CRF 23, no rotation, constant frame rate.
  synth_help=$("$hd" synth --help 2>&1 || true)
  synth_pin=()
  for o in "--count 1" "--container mp4" "--crf 23" "--rotation 0" "--cfr" "--name bench"; do
    if grep -q -- "^ *${o%% *}\\b" <<<"$synth_help"; then
      read -r -a words <<<"$o"
      synth_pin+=("${words[@]}")
    fi
  done
  synth_args=(--seed "$seed" --size 1280x720 --fps 30 --duration "$duration" --codec h264
              --kind exercise "${synth_pin[@]}")
  clip_kind="\`heeldrop synth ${synth_args[*]}\`"
  # the generator's sources name the clip's content (the binary, for an outside build)
  gen_src="${src:-$repo}"
  if ls "$gen_src"/src/synth/*.c >/dev/null 2>&1 && [ "$src_desc" != "existing build" ]; then
    gen_sum=$(cat "$gen_src"/src/synth/*.[ch] "$gen_src"/include/heeldrop/synth.h | cksum)
  else
    gen_sum=$(cksum <"$hd")
  fi
  recipe="synth ${synth_args[*]} gen=$gen_sum"
  if ! recipe_ok "$short" "$recipe"; then
    note "generating a ${duration} s 1280x720 30 fps H.264 clip with heeldrop synth" \
         "(about as long as the clip on 2 cores)"
    rm -rf "$work/synth_short"
    "$hd" synth --out "$work/synth_short" "${synth_args[@]}" >>"$log" 2>&1 \
      || { tail -20 "$log" >&2; die "heeldrop synth failed (see $log)"; }
    made=$(find "$work/synth_short" -type f -name '*.mp4' | sort | head -1)
    [ -n "$made" ] || die "heeldrop synth wrote no .mp4 video into $work/synth_short"
    cp "$made" "$short"
    echo "$recipe" >"$short.recipe"
  fi
else
  clip_kind="STAND-IN ffmpeg testsrc2, libx264 veryfast crf 23 (no step, no foot)"
  cat >&2 <<EOF

  ***************************************************************************************
  *  NOTE: heeldrop synth is not available$([ "$force_stand_in" = 1 ] && echo " (--stand-in)").
  *  Using a STAND-IN clip (ffmpeg testsrc2, libx264 veryfast crf 23). It has no step
  *  and no foot: whatever the tracker locks onto is not a heel, so its work per frame
  *  is not the real one. These numbers are NOT the targets' numbers.
  ***************************************************************************************

EOF
  recipe="testsrc2 dur=$duration"
  if ! recipe_ok "$short" "$recipe"; then
    note "generating a ${duration} s 1280x720 30 fps stand-in clip with ffmpeg"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
      -t "$duration" -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p "$short" \
      || die "ffmpeg could not make the stand-in clip"
    echo "$recipe" >"$short.recipe"
  fi
fi
long="$work/clip_${long_min}x${duration}s.mp4"
recipe_long="concat ${long_min}x $(cat "$short.recipe")"
if ! recipe_ok "$long" "$recipe_long"; then
  note "making the long clip: the short clip ${long_min} times, concat demuxer, -c copy"
  list="$work/concat.txt"
  : >"$list"
  for _ in $(seq "$long_min"); do echo "file '$short'" >>"$list"; done
  ffmpeg -hide_banner -loglevel error -y -f concat -safe 0 -i "$list" -c copy "$long" \
    || die "ffmpeg concat failed"
  echo "$recipe_long" >"$long.recipe"
fi

flock -u 9
cp "$short" "$run/" && cp "$long" "$run/" || die "cannot copy the clips into $run"
short="$run/${short##*/}"
long="$run/${long##*/}"

probe() { # prints: frames duration codec width height rate
  local f d
  f=$(ffprobe -v error -select_streams v:0 -count_packets \
        -show_entries stream=nb_read_packets -of csv=p=0 "$1")
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1")
  printf '%s %.1f %s\n' "${f%%,*}" "$d" \
    "$(ffprobe -v error -select_streams v:0 \
         -show_entries stream=codec_name,width,height,r_frame_rate -of csv=p=0 "$1" | tr ',' ' ')"
}
read -r short_frames short_dur s_codec s_w s_h s_rate < <(probe "$short")
read -r long_frames long_dur _ < <(probe "$long")
s_fps=$(awk -v r="$s_rate" 'BEGIN{split(r, a, "/"); printf "%g", a[2] ? a[1]/a[2] : a[1]}')
kbps=$(awk -v b="$(stat -c %s "$short")" -v d="$short_dur" 'BEGIN{printf "%.0f", 8*b/d/1000}')
note "speed clip $short: $short_frames frames, $short_dur s, $s_codec ${s_w}x${s_h} @ $s_fps, $kbps kbit/s"
note "long clip  $long: $long_frames frames, $long_dur s"

# ---- measuring -----------------------------------------------------------------------
out_json="$run/x.json"
ffmpeg_cmd=(ffmpeg -hide_banner -loglevel error -i CLIP -f null -)
hd_cmd=("$hd" analyze --quiet CLIP --json "$out_json")

# run_one NAME CLIP [bench_rss options]: runs one command under bench_rss and prints its
# result line. A failing command stops the benchmark, except exit 5 of analyze ("no step
# edge with a moving foot found"): the whole clip was still read, so the run is timed, and
# the report says loudly that the tracker never left its calibration phase.
run_one() {
  local name=$1 clip=$2 res="$run/res.txt" rc=0
  shift 2
  local -a cmd
  if [ "$name" = ffmpeg ]; then cmd=("${ffmpeg_cmd[@]}"); else cmd=("${hd_cmd[@]}"); fi
  cmd=("${cmd[@]/#CLIP/$clip}")
  "$rss" -o "$res" "$@" -- "${cmd[@]}" >>"$log" 2>&1 || rc=$?
  if [ "$name" = heeldrop ] && [ "$rc" = 5 ]; then
    touch "$run/noscene.flag"
    rc=0
  fi
  if [ "$rc" != 0 ]; then
    tail -5 "$log" >&2
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
      die "$name crashed (signal $((rc - 128))) on $clip: ${cmd[*]}"
    fi
    die "$name failed with exit code $rc on $clip: ${cmd[*]}"
  fi
  cat "$res"
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
median() {
  sort -g | awk '{a[NR]=$1} END {printf "%.3f\n", NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}
r3() { awk -v x="$1" 'BEGIN{printf "%.3f", x}'; }
cpu_of() { awk -v u="$(field user_s "$1")" -v s="$(field sys_s "$1")" 'BEGIN{print u+s}'; }

rm -f "$run/noscene.flag"
note "warm-up (page cache, lazy binding): one run of each"
run_one ffmpeg "$short" >/dev/null
run_one heeldrop "$short" >/dev/null

note "timing: $reps alternating runs of each on the speed clip"
ff_wall=() hd_wall=() ff_cpu=() hd_cpu=()
for i in $(seq "$reps"); do
  r=$(run_one ffmpeg "$short")
  ff_wall+=("$(field wall_s "$r")")
  ff_cpu+=("$(cpu_of "$r")")
  r=$(run_one heeldrop "$short")
  hd_wall+=("$(field wall_s "$r")")
  hd_cpu+=("$(cpu_of "$r")")
  printf '   run %d: ffmpeg %s s (CPU %s s), heeldrop %s s (CPU %s s)\n' "$i" \
    "${ff_wall[-1]}" "${ff_cpu[-1]}" "${hd_wall[-1]}" "${hd_cpu[-1]}" >&2
done
list() { printf '%s\n' "$@"; }
ff_med=$(list "${ff_wall[@]}" | median)
hd_med=$(list "${hd_wall[@]}" | median)
ff_cpu_med=$(list "${ff_cpu[@]}" | median)
hd_cpu_med=$(list "${hd_cpu[@]}" | median)
ff_min=$(r3 "$(list "${ff_wall[@]}" | sort -g | head -1)")
ff_max=$(r3 "$(list "${ff_wall[@]}" | sort -g | tail -1)")
hd_min=$(r3 "$(list "${hd_wall[@]}" | sort -g | head -1)")
hd_max=$(r3 "$(list "${hd_wall[@]}" | sort -g | tail -1)")
ratio=$(awk -v a="$hd_med" -v b="$ff_med" 'BEGIN{printf "%.2f", a/b}')
cpu_ratio=$(awk -v a="$hd_cpu_med" -v b="$ff_cpu_med" 'BEGIN{printf "%.2f", a/b}')
speed_ok=$(awk -v a="$hd_med" -v b="$ff_med" -v m="$ratio_max" 'BEGIN{print (a/b <= m) ? 1 : 0}')
per_frame() { awk -v t="$1" -v n="$short_frames" 'BEGIN{printf "%.2f ms/frame, %.0f fps", 1000*t/n, n/t}'; }
ms_frame() { awk -v t="$1" -v n="$short_frames" 'BEGIN{printf "%.2f", 1000*t/n}'; }
extra_wall=$(awk -v a="$hd_med" -v b="$ff_med" -v n="$short_frames" 'BEGIN{printf "%.2f", 1000*(a-b)/n}')
extra_cpu=$(awk -v a="$hd_cpu_med" -v b="$ff_cpu_med" -v n="$short_frames" \
              'BEGIN{printf "%.2f", 1000*(a-b)/n}')
reps_found=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("reps") or []))' \
               "$out_json" 2>/dev/null || echo "?")

# Instructions retired do not depend on what else the machine runs: a steadier ratio of
# the work done than wall or CPU time on a shared machine (when perf can count them).
insn_of() {
  local cmd=("$@")
  perf stat -x, -e instructions:u -- "${cmd[@]}" 2>&1 >/dev/null \
    | awk -F, '/instructions/ && $1 ~ /^[0-9]+$/ {print $1; exit}'
}
ff_insn="" hd_insn="" insn_ratio=""
if command -v perf >/dev/null && perf stat -e instructions:u true >/dev/null 2>&1; then
  note "instructions retired (perf stat), one run each"
  ff_insn=$(insn_of "${ffmpeg_cmd[@]/#CLIP/$short}" || true)
  hd_insn=$(insn_of "${hd_cmd[@]/#CLIP/$short}" || true)
  if [ -n "$ff_insn" ] && [ -n "$hd_insn" ]; then
    insn_ratio=$(awk -v a="$hd_insn" -v b="$ff_insn" 'BEGIN{printf "%.2f", a/b}')
  fi
fi

note "peak memory of heeldrop analyze: speed clip, then the ${long_min}x long clip"
r_s=$(run_one heeldrop "$short" -s 100 -S "$run/rss_short.txt")
r_l=$(run_one heeldrop "$long" -s 500 -S "$run/rss_long.txt")
r_f=$(run_one ffmpeg "$long")
r_fs=$(run_one ffmpeg "$short")
kb2mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k*1024/1e6}'; }
rss_s=$(kb2mb "$(field maxrss_kb "$r_s")")
rss_l=$(kb2mb "$(field maxrss_kb "$r_l")")
rss_f=$(kb2mb "$(field maxrss_kb "$r_f")")
rss_fs=$(kb2mb "$(field maxrss_kb "$r_fs")")
long_wall=$(r3 "$(field wall_s "$r_l")")
long_ff_wall=$(r3 "$(field wall_s "$r_f")")
long_ratio=$(awk -v a="$long_wall" -v b="$long_ff_wall" 'BEGIN{printf "%.2f", a/b}')
growth=$(awk -v a="$rss_l" -v b="$rss_s" 'BEGIN{printf "%.1f", a-b}')
rss_s_ok=$(awk -v a="$rss_s" -v m="$rss_max_mb" 'BEGIN{print (a <= m) ? 1 : 0}')
rss_l_ok=$(awk -v a="$rss_l" -v m="$rss_max_mb" 'BEGIN{print (a <= m) ? 1 : 0}')
growth_lim=$(awk -v b="$rss_s" -v f="$growth_frac" -v m="$growth_mb" \
               'BEGIN{lim = f*b > m ? f*b : m; printf "%.1f", lim}')
growth_ok=$(awk -v g="$growth" -v l="$growth_lim" 'BEGIN{print (g <= l) ? 1 : 0}')
# Highest RSS sample in each tenth of the long run: flat means no growth with length.
rss_curve=$(awk '{r[NR]=$2} END {
    if (NR == 0) { print "no samples"; exit } s = "";
    for (k = 0; k < 10; k++) { m = 0;
      for (i = int(k*NR/10) + 1; i <= int((k+1)*NR/10); i++) if (r[i] > m && r[i] > 1024) m = r[i];
      s = s (k ? " / " : "") (m ? sprintf("%.0f", m*1024/1e6) : "-") }
    print s }' "$run/rss_long.txt")
load_after=$(loadavg)

# ---- profile (optional) --------------------------------------------------------------
profile_md=""
if [ "$profile" = 1 ]; then
  note "profiling one analysis of the speed clip with perf (call graphs, then symbolising)"
  pdata="$run/perf.data"
  perf record -q -F 999 -m 4096 --call-graph dwarf,65528 -o "$pdata" -- "${hd_cmd[@]/#CLIP/$short}" \
    >>"$log" 2>&1 || die "perf record failed (see $log)"
  perf report -i "$pdata" --no-children --sort dso --stdio -g none 2>/dev/null \
    | grep '%' | head -8 >"$run/perf_dso.txt" || true
  perf report -i "$pdata" --no-children --sort dso,sym --stdio -g none 2>/dev/null \
    | grep '%' | head -20 >"$run/perf_sym.txt" || true
  perf script -i "$pdata" --inline -F pid,tid,time,ip,sym,dso 2>/dev/null >"$run/perf_script.txt"
  # Each sample is put in one stage by the functions on its stack: decoder worker threads,
  # the source on the main thread, the tracker's calibration (per frame until the scene is
  # found, and the scene search itself) and tracking, the rep engine, the rest.
  profile_md=$(python3 - "$run/perf_script.txt" "$hd_cpu_med" "$short_frames" <<'PY'
import collections, re, sys
path, cpu_s, nframes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
samples, cur = [], None
for line in open(path, errors="replace"):
    if not line.strip():
        if cur:
            samples.append(cur)
        cur = None
    elif not line.startswith("\t"):
        m = re.match(r"\s*(\d+)/(\d+)\s+([\d.]+):", line)
        if m:
            cur = {"pid": int(m.group(1)), "tid": int(m.group(2)), "t": float(m.group(3)),
                   "syms": [], "dsos": []}
    elif cur is not None:
        m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if m:
            cur["syms"].append(m.group(1))
            cur["dsos"].append(m.group(2))
if cur:
    samples.append(cur)
pid = samples[-1]["pid"]
samples = [s for s in samples if s["pid"] == pid]
t0 = min(s["t"] for s in samples)

SEARCH = re.compile(r"\b(try_calibrate|finish_calibration|refine_heel_distance|measure_toe|"
                    r"find_lines|rotation_score|rigid_pivot|build_template|init_reference)\b")
TRACK = re.compile(r"\b(track_one|track_template|tmpl_zncc|polar_grid|polar_sample|polar_maps|"
                   r"sole_score|fit_sole|pick_sole|lift_zone_\w+|line_scores|foot_strip)\b")
CALIB_FRAME = re.compile(r"cv::absdiff|cv::add\b|cv::subtract|convertTo|MatExpr|"
                         r"emit_uncalibrated|hal::add|hal::sub")

def stage(s):
    """A stage for one sample; 'resize?' when the stack cannot tell calibrating from
    tracking (cv::resize straight from process_frame: the full frame or the foot region)."""
    j = " ".join(s["syms"])
    d = " ".join(s["dsos"])
    if s["tid"] != s["pid"]:
        if "libavcodec" in d:
            return "decoding: libavcodec threads"
        if re.search(r"\b(copy_frame|reader)\b|prefetch", j):
            return "source: reader thread outside libavcodec (prefetch: demuxing, hand-over)"
        if re.search(r"opencv|tbb", d):
            # OpenCV's parallel_for_ runs parts of its calls on TBB workers, whose stacks
            # do not lead back to the caller: named by the library they are in
            leaf = s["dsos"][0] if s["dsos"] else ""
            if "opencv_video" in leaf:
                return "tracker: OpenCV workers, optical flow (calibration's scene search)"
            if re.search(r"opencv_(imgproc|core)", leaf):
                return "tracker: OpenCV workers, image operations (resize, pyramids, remap)"
            return "tracker: OpenCV workers, waiting for work (TBB spinning, yielding)"
        return "other threads"
    if "hd_tracker" in j or "process_frame" in j:
        if "flush_buffer_tracked" in j:
            return "tracker: calibration, tracking the buffered frames once found"
        if SEARCH.search(j):
            return "tracker: calibration, scene search (every 0.5 s while calibrating)"
        if TRACK.search(j):
            return "tracker: tracking, measuring the foot (polar grid, template, lift zone)"
        if CALIB_FRAME.search(j):
            return "tracker: calibration, per frame (mean and motion of the full frame)"
        if re.search(r"cv::resize|hal::resize", j):
            return "resize?"
        return "tracker: other"
    if "hd_reps" in j:
        return "rep engine"
    if re.search(r"hd_summary|hd_trace|trace_push", j):
        return "summary and trace"
    if re.search(r"file_acquire|file_release|hd_source_acquire|hd_source_release", j):
        return "source on the main thread (demux, receive, unref)"
    if re.search(r"hd_source_open|avformat_open_input|avformat_find_stream_info", j):
        return "source: open and probe"
    if re.search(r"_dl_|dl_main|hd_tracker_create|load_params", j):
        return "start-up (dynamic linking, model)"
    if re.search(r"opencv|tbb", s["dsos"][0] if s["dsos"] else ""):
        return "tracker: OpenCV code, caller not unwound"
    return "other, main thread"

labels = [stage(s) for s in samples]
# A resize straight from process_frame belongs to the phase of the nearest main-thread
# sample that can tell: the calibration phase scales the full frame, tracking the region.
known = [(s["t"], "calibration" in l) for s, l in zip(samples, labels)
         if l.startswith("tracker: calibration") or l.startswith("tracker: tracking")]
times = [k[0] for k in known]
import bisect
for i, (s, l) in enumerate(zip(samples, labels)):
    if l != "resize?":
        continue
    k = bisect.bisect_left(times, s["t"])
    near = [c for c in (k - 1, k) if 0 <= c < len(known)]
    calib = min(near, key=lambda c: abs(times[c] - s["t"])) if near else None
    labels[i] = ("tracker: calibration, per frame (full frame scaled to work size)"
                 if calib is not None and known[calib][1]
                 else "tracker: tracking, scaling the foot region (cv::resize)")
phase_cal = sum(1 for l in labels if l.startswith("tracker: calibration"))
count = collections.Counter(labels)
n = sum(count.values())
print("| stage | share of CPU | CPU ms/frame |")
print("|---|---|---|")
for k, v in count.most_common():
    share = v / n
    print("| %s | %.1f %% | %.3f |" % (k, 100 * share, 1000 * cpu_s * share / nframes))
print()
def group(label):
    if label.startswith(("decoding", "source")):
        return "decoding and reading the file"
    if "calibration" in label:
        return "tracker: calibration (per frame and scene search)"
    if "tracking" in label:
        return "tracker: tracking the foot region"
    if label.startswith("tracker"):
        return "tracker: OpenCV workers (image operations, waiting), other"
    if label == "rep engine":
        return "rep engine"
    return "start-up, summary, other"
groups = collections.Counter()
for k, v in count.items():
    groups[group(k)] += v
print("| in short | share of CPU | CPU ms/frame |")
print("|---|---|---|")
for k, v in groups.most_common():
    print("| %s | %.1f %% | %.3f |" % (k, 100 * v / n, 1000 * cpu_s * v / n / nframes))
print()
print("%d samples over %.2f s; ms/frame = share x the median CPU time %.2f s / %d frames."
      % (n, max(s["t"] for s in samples) - t0, cpu_s, nframes))
PY
) || die "profile classification failed"
fi

# ---- report --------------------------------------------------------------------------
pf() { [ "$1" = 1 ] && echo PASS || echo FAIL; }
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ffv=$(ffmpeg -version | head -1 | awk '{print $3}')
long_label=$(awk -v s="$((long_min * duration))" 'BEGIN{if (s >= 60) printf "%g min", s/60; else printf "%d s", s}')

cat <<EOF

### Results of \`scripts/bench.sh\` ($(date -u '+%Y-%m-%d %H:%M UTC'))

- Machine: $(nproc) cores, ${cpu_model:-unknown CPU}, $(uname -sr), ffmpeg $ffv; load average
  $load_before before the runs, $load_after after.
- HeelDrop: $src_desc, ${build_type:-default} build ($build).
- Clips: $clip_kind, ${s_w}x${s_h} $s_codec at $s_fps fps, $kbps kbit/s. Speed clip: $short_frames
  frames ($short_dur s); long clip: $long_frames frames ($long_dur s), the speed clip $long_min times
  (concat demuxer, -c copy). Reps found in the speed clip: $reps_found.

| measure | value | target | result |
|---|---|---|---|
| \`ffmpeg -hide_banner -loglevel error -i clip -f null -\`, median of $reps | $ff_med s wall (min $ff_min, max $ff_max); $(per_frame "$ff_med"); CPU $ff_cpu_med s | reference | |
| \`heeldrop analyze --quiet clip --json x.json\`, median of $reps | $hd_med s wall (min $hd_min, max $hd_max); $(per_frame "$hd_med"); CPU $hd_cpu_med s | | |
| wall time heeldrop / ffmpeg (medians) | **$ratio** | <= $ratio_max | **$(pf "$speed_ok")** |
| CPU time heeldrop / ffmpeg (medians) | $cpu_ratio | | |
| heeldrop's cost beyond decoding | $extra_wall ms/frame wall, $extra_cpu ms/frame CPU | | |
$([ -n "$insn_ratio" ] && echo "| instructions retired heeldrop / ffmpeg (perf stat, user space) | $insn_ratio ($(awk -v a="$hd_insn" -v b="$ff_insn" -v n="$short_frames" 'BEGIN{printf "%.1f vs %.1f M per frame", a/n/1e6, b/n/1e6}')) | | |")
| peak RSS, $short_dur s clip | **$rss_s MB** (ffmpeg: $rss_fs MB) | <= $rss_max_mb MB | **$(pf "$rss_s_ok")** |
| peak RSS, $long_label clip | **$rss_l MB** (ffmpeg: $rss_f MB) | <= $rss_max_mb MB | **$(pf "$rss_l_ok")** |
| growth of the peak, $short_dur s to $long_label | **$growth MB** | <= $growth_lim MB | **$(pf "$growth_ok")** |
| $long_label clip, one run each | heeldrop $long_wall s, ffmpeg $long_ff_wall s (x$long_ratio) | | |

Highest RSS (MB) in each tenth of the $long_label run, sampled every 0.5 s: $rss_curve.
EOF
if [ "$profile" = 1 ]; then
  cat <<EOF

#### Where heeldrop's CPU time goes (perf, one run on the speed clip)

\`perf record -F 999 -m 4096 --call-graph dwarf,65528\`, each sample put in one stage by
the functions on its stack (\`perf script --inline\`):

$profile_md

Top DSOs and symbols (self time, \`perf report --no-children --sort dso,sym\`):

\`\`\`
$(cat "$run/perf_dso.txt")

$(cat "$run/perf_sym.txt")
\`\`\`
EOF
fi

all_ok=$((speed_ok && rss_s_ok && rss_l_ok && growth_ok))
echo
if [ -f "$run/noscene.flag" ]; then
  echo "**WARNING: heeldrop found no step edge with a moving foot (exit 5) in a clip: the"
  echo "tracker stayed in its calibration phase, so these runs do not measure tracking. Try"
  echo "another --seed, and tell the tracker's owner.**"
  echo
fi
if [ "$synth_ok" = 0 ]; then
  echo "**STAND-IN CLIP: not synth clips with heel drops; these are not the targets' numbers.**"
  echo
fi
if [ "$all_ok" = 1 ]; then
  echo "All targets met."
else
  failed=""
  [ "$speed_ok" = 1 ] || failed="$failed speed (ratio $ratio > $ratio_max)"
  [ "$rss_s_ok" = 1 ] && [ "$rss_l_ok" = 1 ] || failed="$failed peak-memory"
  [ "$growth_ok" = 1 ] || failed="$failed memory-growth"
  echo "TARGET FAILED:$failed."
fi
[ "$all_ok" = 1 ] || [ "$no_fail" = 1 ] || exit 1
exit 0
