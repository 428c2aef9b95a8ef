# shellcheck shell=bash
# lib.sh - shared helpers for the integration scripts (sourced, not run).
#
# CTest runs each script through hd_add_script_test, which sets:
#   HEELDROP  the heeldrop executable under test
#   HD_SRC    the source tree (assets/, models/, tests/golden/)
#   HD_BUILD  the build tree
# A script calls hd_init first, records failures with fail, and ends with hd_finish:
# exit 0 when every check passed, 1 when one failed, 77 (hd_skip) when it cannot run here.

set -u

HD_FAILS=0
HD_CHECKS=0

# Prints the reason and exits 77 (CTest shows the test as skipped, never as passed).
hd_skip()
{
    echo "SKIP: $*"
    exit 77
}

fail()
{
    echo "FAIL: $*"
    HD_FAILS=$((HD_FAILS + 1))
}

ok()
{
    echo "ok:   $*"
}

note()
{
    echo "note: $*"
}

# Counts a check: check "what" 'CONDITION' evaluates the shell condition (give it in single
# quotes so that its variables are expanded when it runs) and prints an ok or FAIL line.
check()
{
    HD_CHECKS=$((HD_CHECKS + 1))
    if eval "$2"; then
        ok "$1"
    else
        fail "$1"
    fi
}

# Like check, but under the sanitizers (HD_SANITIZE=1) only noted: there the program runs
# several times slower, so a real-time run drops frames and its results are not comparable.
agree()
{
    if [ "${HD_SANITIZE:-0}" = 1 ]; then
        note "(sanitizer build: not checked) $1"
    else
        check "$1" "$2"
    fi
}

hd_cleanup()
{
    if [ -n "${HD_TMP:-}" ] && [ -d "$HD_TMP" ]; then
        chmod -R u+rwX "$HD_TMP" 2>/dev/null
        rm -rf "$HD_TMP"
    fi
}

# Checks the environment, makes the temporary folder $HD_TMP (removed on exit) and
# isolates the run from the user's own config file.
hd_init()
{
    [ -n "${HEELDROP:-}" ] || { echo "FAIL: HEELDROP is not set (run through ctest)"; exit 1; }
    [ -x "$HEELDROP" ] || { echo "FAIL: $HEELDROP is not an executable"; exit 1; }
    [ -n "${HD_SRC:-}" ] || HD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    HD_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hd-integ.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
    trap hd_cleanup EXIT
    trap 'exit 130' INT TERM
    # a config file in the user's home must not change what the tests see
    mkdir -p "$HD_TMP/xdg"
    export XDG_CONFIG_HOME="$HD_TMP/xdg"
    export LC_ALL=C
    HD_T0=$(date +%s.%N)
}

hd_finish()
{
    local t1
    t1=$(date +%s.%N)
    awk -v a="$HD_T0" -v b="$t1" 'BEGIN { printf "time: %.1f s\n", b - a }'
    if [ "$HD_FAILS" -gt 0 ]; then
        echo "$HD_FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}

hd_need()
{
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || hd_skip "$t is not installed"
    done
}

# Runs the program: hd_run ARGS... -> $HD_RC, $HD_OUT (stdout file), $HD_ERR (stderr file).
# A run longer than HD_RUN_TIMEOUT seconds (default 240) is killed and counts as a hang.
hd_run()
{
    HD_OUT="$HD_TMP/last.stdout"
    HD_ERR="$HD_TMP/last.stderr"
    timeout -k 5 "${HD_RUN_TIMEOUT:-240}" "$HEELDROP" "$@" </dev/null >"$HD_OUT" 2>"$HD_ERR"
    HD_RC=$?
    if [ "$HD_RC" = 124 ]; then
        fail "heeldrop $* hung (killed after ${HD_RUN_TIMEOUT:-240} s)"
    fi
    return 0
}

# Same as hd_run, as user nobody (for permission cases: root reads any file).
# Returns 1 when switching users is not possible here.
hd_run_as_nobody()
{
    HD_OUT="$HD_TMP/last.stdout"
    HD_ERR="$HD_TMP/last.stderr"
    if [ "$(id -u)" != 0 ]; then
        timeout -k 5 "${HD_RUN_TIMEOUT:-240}" "$HEELDROP" "$@" </dev/null >"$HD_OUT" 2>"$HD_ERR"
        HD_RC=$?
        return 0
    fi
    local group
    group=$(id -gn nobody 2>/dev/null)
    getent group nogroup >/dev/null 2>&1 && group=nogroup
    command -v setpriv >/dev/null 2>&1 || return 1
    setpriv --reuid=nobody --regid="$group" --clear-groups true 2>/dev/null || return 1
    timeout -k 5 "${HD_RUN_TIMEOUT:-240}" setpriv --reuid=nobody --regid="$group" \
        --clear-groups "$HEELDROP" "$@" </dev/null >"$HD_OUT" 2>"$HD_ERR"
    HD_RC=$?
    return 0
}

# Whether the last run ended without a crash: a normal exit (not a signal, not the 124 of
# timeout) and no sanitizer report on stderr.
hd_no_crash()
{
    [ "$HD_RC" -lt 124 ] || return 1
    ! grep -qE 'Sanitizer|runtime error|LeakSanitizer|Segmentation fault|Aborted' "$HD_ERR"
}

# Temporary output files (NAME.tmp.XXXXXX) left in a folder, one per line.
hd_tmp_files()
{
    find "$1" -maxdepth 1 -name '*.tmp*' -printf '%f\n' 2>/dev/null
}

hd_stderr_lines()
{
    wc -l <"$HD_ERR" | tr -d ' '
}

# Prints the last run's output, for a failure report.
hd_show()
{
    echo "  exit code: $HD_RC"
    echo "  --- stderr ---"
    sed -n '1,20s/^/  | /p' "$HD_ERR"
    echo "  --- stdout (first 10 lines) ---"
    sed -n '1,10s/^/  | /p' "$HD_OUT"
}

# Reads a value from a JSON file with python3: hd_json FILE 'EXPR' where EXPR uses d,
# e.g. hd_json a.json 'd["totals"]["reps"]'.
hd_json()
{
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2], {"d": d, "len": len})
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1" "$2"
}

# Frame count, fps, upright width and height of a video as "frames fps w h duration",
# from ffprobe (frames are counted by decoding).
hd_probe()
{
    ffprobe -v error -select_streams v:0 -count_frames \
        -show_entries stream=nb_read_frames,avg_frame_rate,r_frame_rate,width,height,duration:stream_side_data=rotation:stream_tags=rotate:format=duration \
        -of json "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
s = j["streams"][0]
def rate(x):
    try:
        n, d = x.split("/")
        return float(n) / float(d) if float(d) else 0.0
    except Exception:
        return 0.0
fps = rate(s.get("avg_frame_rate", "0/0")) or rate(s.get("r_frame_rate", "0/0"))
rot = 0
for sd in s.get("side_data_list", []) or []:
    if "rotation" in sd:
        rot = int(sd["rotation"])
if not rot and "rotate" in s.get("tags", {}):
    rot = -int(s["tags"]["rotate"])
w, h = int(s["width"]), int(s["height"])
if rot % 180:
    w, h = h, w
dur = s.get("duration") or j.get("format", {}).get("duration") or 0
print(int(s.get("nb_read_frames", 0)), fps, w, h, float(dur))'
}

# Generates clips with heeldrop synth into DIR: hd_synth DIR synth-options...
# Prints nothing; fails the script (exit 1) when synth fails, since every later check
# would fail for the same reason.
hd_synth()
{
    local dir=$1
    shift
    mkdir -p "$dir"
    if ! timeout -k 5 300 "$HEELDROP" synth --out "$dir" "$@" </dev/null >"$HD_TMP/synth.out" 2>"$HD_TMP/synth.err"; then
        echo "FAIL: heeldrop synth --out $dir $* failed:"
        sed 's/^/  | /' "$HD_TMP/synth.err" | tail -20
        exit 1
    fi
}

# The video file of clip BASE in DIR (any container), or nothing.
hd_clip_video()
{
    local f
    for f in "$1/$2".*; do
        case "$f" in
            *.truth.json | *.truth.csv | *.json | *.csv | *.txt) ;;
            *) [ -f "$f" ] && { echo "$f"; return 0; } ;;
        esac
    done
    return 1
}

# The base names of the clips in DIR (from their NAME.truth.json), sorted.
hd_clip_names()
{
    local f
    for f in "$1"/*.truth.json; do
        [ -f "$f" ] || continue
        f=${f##*/}
        echo "${f%.truth.json}"
    done | sort
}

# Lines of tests/golden/clips.txt as "NAME|SYNTH OPTIONS|ANALYZE OPTIONS" (comments and
# blank lines dropped, spaces around the bars trimmed).
hd_golden_list()
{
    sed -e 's/#.*//' -e 's/[[:space:]]*|[[:space:]]*/|/g' -e 's/^[[:space:]]*//' \
        -e 's/[[:space:]]*$//' "$HD_SRC/tests/golden/clips.txt" | grep -v '^$'
}

# Generates golden clip NAME into DIR/NAME/ (video renamed to NAME.<ext>, truth files to
# NAME.truth.json and NAME.truth.csv) and analyses it into OUT_JSON from inside that
# folder, so the summary's "source" is just "NAME.<ext>". Sets $HD_RC (the analysis exit
# code) and $HD_CLIP (the video path). Returns 1 when generation fails.
hd_golden_make()
{
    local dir=$1 name=$2 synth_opts=$3 analyze_opts=$4 out=$5
    local d="$dir/$name" gen="$dir/$name.gen" truth base video ext
    mkdir -p "$d" "$gen"
    # shellcheck disable=SC2086 # the options are words from clips.txt
    hd_synth "$gen" --count 1 --name "$name" -q $synth_opts
    truth=$(ls "$gen"/*.truth.json 2>/dev/null | head -n 1)
    [ -n "$truth" ] || { echo "FAIL: heeldrop synth wrote no *.truth.json for $name"; return 1; }
    base=${truth##*/}
    base=${base%.truth.json}
    video=$(hd_clip_video "$gen" "$base") || { echo "FAIL: no video for $base"; return 1; }
    ext=${video##*.}
    mv "$video" "$d/$name.$ext"
    mv "$gen/$base.truth.json" "$d/$name.truth.json"
    mv "$gen/$base.truth.csv" "$d/$name.truth.csv" 2>/dev/null
    rm -rf "$gen"
    HD_CLIP="$d/$name.$ext" # for the caller
    export HD_CLIP
    # shellcheck disable=SC2086
    (cd "$d" && timeout -k 5 "${HD_RUN_TIMEOUT:-240}" "$HEELDROP" analyze "$name.$ext" \
        --json "$out" --trace "$d/$name.trace.csv" --quiet $analyze_opts) \
        </dev/null >"$HD_TMP/last.stdout" 2>"$HD_TMP/last.stderr"
    HD_RC=$?
    HD_OUT="$HD_TMP/last.stdout"
    HD_ERR="$HD_TMP/last.stderr"
    return 0
}
