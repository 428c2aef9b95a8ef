#!/usr/bin/env bash
# bad_input.sh - `heeldrop analyze` on bad input, bad outputs, bad options and a bad model.
#
# Each failing case must print ONE line on stderr that names the problem, exit with the
# documented code (docs/user-guide.md, "Exit codes"), not crash (no signal, no sanitizer
# report) and leave nothing behind in the output folder: neither the target file nor a
# temporary *.tmp.* file. An existing good output must survive a later failure untouched.
#
# The inputs are made here with ffmpeg's test sources, so the script needs neither the
# clip generator nor the bundled sample.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need ffmpeg python3

T=$HD_TMP
cd "$T" || exit 1

# ---- inputs ------------------------------------------------------------------------
mk()
{
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@" </dev/null ||
        { echo "FAIL: ffmpeg $* did not run"; exit 1; }
}
# a plain grey picture: no step, no person
mk -f lavfi -i color=c=gray:size=320x240:rate=15 -t 3 -pix_fmt yuv420p -c:v libx264 grey.mp4
# a moving test pattern: still no step and no foot
mk -f lavfi -i testsrc2=size=320x240:rate=15 -t 4 -pix_fmt yuv420p -c:v libx264 pattern.mp4
mk -f lavfi -i testsrc2=size=320x240:rate=15 -t 4 -pix_fmt yuv420p -c:v libx264 \
    -movflags +faststart pattern_fs.mp4
mk -f lavfi -i testsrc2=size=320x240:rate=15 -t 4 -c:v mpeg4 pattern.avi
mk -f lavfi -i testsrc2=size=320x240:rate=15 -t 4 -c:v libvpx-vp9 -deadline realtime \
    -cpu-used 8 pattern.webm
mk -f lavfi -i anullsrc=r=44100:cl=mono -t 1 -c:a aac audio_only.mp4
# an AVI whose video stream has no frames at all (every packet dropped)
mk -i pattern.avi -c copy -bsf:v noise=drop=1 no_frames.avi
# an AVI whose every frame is garbage (every packet's bytes scrambled)
mk -i pattern.avi -c copy -bsf:v noise=amount=1 garbage_frames.avi
mkdir a_folder
printf 'this is a text file, not a video\n' >notes.txt
cp notes.txt text_named.mp4
: >empty.mp4
size=$(stat -c %s pattern.mp4)
head -c $((size / 2)) pattern.mp4 >truncated.mp4       # index (moov) at the end: lost
size=$(stat -c %s pattern_fs.mp4)
head -c $((size / 2)) pattern_fs.mp4 >truncated_fs.mp4 # index first: half the frames
head -c 100 pattern.mp4 >header_only.mp4

# Overwrites a third of the file, from a third of the way in, with random bytes.
corrupt()
{
    python3 - "$1" "$2" "$3" <<'EOF'
import os, random, sys
src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = bytearray(open(src, "rb").read())
rng = random.Random(seed)
n = len(data)
for i in range(n // 3, 2 * n // 3):
    data[i] = rng.randrange(256)
open(dst, "wb").write(data)
EOF
}
corrupt pattern.mp4 corrupt1.mp4 1
corrupt pattern_fs.mp4 corrupt2.mp4 2
corrupt pattern.avi corrupt3.avi 3
corrupt pattern.webm corrupt4.webm 4
python3 -c 'import random, sys; r = random.Random(5); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(200000)))' >random.mp4

# ---- helpers -----------------------------------------------------------------------
n=0
# Fresh empty output folder $od and the four output options into it, in $OUTS.
newout()
{
    n=$((n + 1))
    od="$T/out$n"
    mkdir "$od"
    OUTS=(--json "$od/r.json" --csv "$od/r.csv" --trace "$od/r.trace.csv" --annotate "$od/r.mp4")
}

# verify NAME CODE PATTERN: the last run failed with one line on stderr naming the problem
# (/PATTERN/, case-insensitive), the exit code CODE, no crash and an empty folder $od.
verify()
{
    local name=$1 code=$2 pat=$3
    HD_CHECKS=$((HD_CHECKS + 1))
    local why=()
    hd_no_crash || why+=("crashed")
    [ "$HD_RC" = "$code" ] || why+=("exit $HD_RC, expected $code")
    [ "$(hd_stderr_lines)" = 1 ] || why+=("$(hd_stderr_lines) lines on stderr, expected 1")
    grep -qiE "$pat" "$HD_ERR" || why+=("stderr does not say /$pat/")
    grep -q '^heeldrop' "$HD_ERR" || why+=("stderr line does not start with 'heeldrop'")
    if [ -n "${od:-}" ] && [ -d "$od" ] && [ -n "$(ls -A "$od")" ]; then
        why+=("left files behind: $(ls -A "$od" | tr '\n' ' ')")
    fi
    if [ ${#why[@]} -eq 0 ]; then
        ok "$name: exit $HD_RC: $(head -c 160 "$HD_ERR")"
    else
        fail "$name: $(IFS=';'; echo "${why[*]}")"
        hd_show
    fi
}

# expect NAME CODE PATTERN ARGS...: runs heeldrop ARGS, then verify.
expect()
{
    local name=$1 code=$2 pat=$3
    shift 3
    hd_run "$@"
    verify "$name" "$code" "$pat"
}

# survives NAME ARGS...: damaged input that may still be partly readable. Must end
# without a crash with 0, 4 or 5; a 4 leaves nothing behind; a 0 or 5 writes a JSON
# summary that parses.
survives()
{
    local name=$1
    shift
    HD_CHECKS=$((HD_CHECKS + 1))
    hd_run "$@"
    local why=()
    hd_no_crash || why+=("crashed")
    case "$HD_RC" in
        0 | 5)
            python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$od/r.json" 2>/dev/null ||
                why+=("exit $HD_RC but no readable $od/r.json")
            [ "$HD_RC" = 0 ] || grep -qiE 'step|foot' "$HD_ERR" || why+=("exit 5 without a message about the step")
            ;;
        4)
            [ "$(hd_stderr_lines)" = 1 ] || why+=("$(hd_stderr_lines) lines on stderr, expected 1")
            [ -z "$(ls -A "$od")" ] || why+=("exit 4 left files behind: $(ls -A "$od" | tr '\n' ' ')")
            ;;
        *) why+=("exit $HD_RC, expected 0, 4 or 5") ;;
    esac
    [ -z "$(hd_tmp_files "$od")" ] || why+=("temporary file left: $(hd_tmp_files "$od")")
    if [ ${#why[@]} -eq 0 ]; then
        ok "$name: exit $HD_RC $(head -c 160 "$HD_ERR")"
    else
        fail "$name: $(IFS=';'; echo "${why[*]}")"
        hd_show
    fi
}

echo "== inputs"
newout; expect "missing file" 3 'not found' analyze "$T/no_such_clip.mp4" "${OUTS[@]}"
newout; expect "a directory" 4 'directory' analyze "$T/a_folder" "${OUTS[@]}"
newout; expect "text file (.txt)" 4 'not a video' analyze "$T/notes.txt" "${OUTS[@]}"
newout; expect "text file named .mp4" 4 'not a video' analyze "$T/text_named.mp4" "${OUTS[@]}"
newout; expect "zero-byte file" 4 'empty|not a video' analyze "$T/empty.mp4" "${OUTS[@]}"
newout; expect "random bytes" 4 'not a video' analyze "$T/random.mp4" "${OUTS[@]}"
newout; expect "truncated mp4 (index lost)" 4 'truncated|damaged' analyze "$T/truncated.mp4" "${OUTS[@]}"
newout; expect "first 100 bytes of an mp4" 4 'truncated|damaged|not a video' analyze "$T/header_only.mp4" "${OUTS[@]}"
newout; expect "audio-only mp4" 4 'no video stream' analyze "$T/audio_only.mp4" "${OUTS[@]}"
newout; expect "video stream with no frames" 4 'no video frames' analyze "$T/no_frames.avi" "${OUTS[@]}"
newout; expect "no frame decodes" 4 'no video frames|damaged' analyze "$T/garbage_frames.avi" "${OUTS[@]}"
newout; survives "truncated mp4 (index first)" analyze "$T/truncated_fs.mp4" "${OUTS[@]}"
newout; survives "corrupt middle (h264 mp4)" analyze "$T/corrupt1.mp4" "${OUTS[@]}"
newout; survives "corrupt middle (h264 mp4, index first)" analyze "$T/corrupt2.mp4" "${OUTS[@]}"
newout; survives "corrupt middle (mpeg4 avi)" analyze "$T/corrupt3.avi" "${OUTS[@]}"
newout; survives "corrupt middle (vp9 webm)" analyze "$T/corrupt4.webm" "${OUTS[@]}"

# The same damage to a generated clip of a person doing heel drops, when the generator
# runs here (the cases above do not need it).
if "$HEELDROP" synth --out "$T/syn" --seed 7 --scenario good3 --size 320x240 --fps 15 \
    --duration 13 --codec h264 --rotation 0 --cfr --name person -q </dev/null >/dev/null 2>&1 &&
    [ -f "$T/syn/person.mp4" ]; then
    P="$T/syn/person.mp4"
    # the index (moov) at the end, as most cameras write it, and at the start
    mk -i "$P" -c copy "$T/person_end.mp4"
    mk -i "$P" -c copy -movflags +faststart "$T/person_fs.mp4"
    size=$(stat -c %s "$T/person_end.mp4")
    head -c $((size * 6 / 10)) "$T/person_end.mp4" >"$T/person_cut.mp4"
    size=$(stat -c %s "$T/person_fs.mp4")
    head -c $((size * 6 / 10)) "$T/person_fs.mp4" >"$T/person_fs_cut.mp4"
    corrupt "$T/person_end.mp4" "$T/person_corrupt.mp4" 6
    corrupt "$T/person_fs.mp4" "$T/person_fs_corrupt.mp4" 7
    newout; expect "generated clip cut at 60% (index lost)" 4 'truncated|damaged' analyze "$T/person_cut.mp4" "${OUTS[@]}"
    newout; survives "generated clip cut at 60% (index first)" analyze "$T/person_fs_cut.mp4" "${OUTS[@]}"
    newout; survives "generated clip, corrupt middle" analyze "$T/person_corrupt.mp4" "${OUTS[@]}"
    newout; survives "generated clip, corrupt middle (index first)" analyze "$T/person_fs_corrupt.mp4" "${OUTS[@]}"
else
    P=""
    note "heeldrop synth did not run: the damaged generated clips are not tried"
fi

echo "== no step, no person"
# Documented: exit 5 with one line about the step, and the outputs are still written
# (they are a result: zero reps, step_edge_px null, every frame lost).
newout
HD_CHECKS=$((HD_CHECKS + 1))
hd_run analyze "$T/grey.mp4" "${OUTS[@]}"
why=()
hd_no_crash || why+=("crashed")
[ "$HD_RC" = 5 ] || why+=("exit $HD_RC, expected 5")
[ "$(hd_stderr_lines)" = 1 ] || why+=("$(hd_stderr_lines) lines on stderr, expected 1")
grep -qiE 'step' "$HD_ERR" && grep -qiE 'foot' "$HD_ERR" || why+=("stderr does not mention the step and the foot")
grep -q 'no reps found' "$HD_OUT" || why+=("the table does not say 'no reps found'")
if [ -f "$od/r.json" ]; then
    got=$(hd_json "$od/r.json" '[d["step_edge_px"], len(d["reps"]), d["totals"]["reps"], d["tracking"]["lost_share"], d["frames"]]')
    [ "$got" = "[null, 0, 0, 1, 45]" ] || why+=("JSON [step_edge_px, reps, totals.reps, lost_share, frames] = $got, expected [null, 0, 0, 1, 45]")
else
    why+=("no JSON written")
fi
[ -f "$od/r.csv" ] && [ "$(wc -l <"$od/r.csv")" = 1 ] || why+=("the CSV is not just a header")
[ -f "$od/r.trace.csv" ] && [ "$(wc -l <"$od/r.trace.csv")" = 46 ] || why+=("the trace has not 45 rows")
[ -f "$od/r.mp4" ] || why+=("no annotated video")
[ -z "$(hd_tmp_files "$od")" ] || why+=("temporary file left: $(hd_tmp_files "$od")")
if [ ${#why[@]} -eq 0 ]; then
    ok "plain grey clip: exit 5, '$(head -c 100 "$HD_ERR")...', empty outputs written"
else
    fail "plain grey clip: $(IFS=';'; echo "${why[*]}")"
    hd_show
fi
# the same without any output option: exit 5 and the table
HD_CHECKS=$((HD_CHECKS + 1))
hd_run analyze "$T/grey.mp4"
if hd_no_crash && [ "$HD_RC" = 5 ] && [ "$(hd_stderr_lines)" = 1 ] && grep -q 'no reps found' "$HD_OUT"; then
    ok "plain grey clip, no outputs: exit 5 and the table"
else
    fail "plain grey clip, no outputs"
    hd_show
fi
# a moving test pattern has no step and no foot either: no crash, and no reps
newout
HD_CHECKS=$((HD_CHECKS + 1))
hd_run analyze "$T/pattern.mp4" "${OUTS[@]}"
if ! hd_no_crash || { [ "$HD_RC" != 0 ] && [ "$HD_RC" != 5 ]; }; then
    fail "moving test pattern: exit $HD_RC"
    hd_show
elif [ "$(hd_json "$od/r.json" 'd["totals"]["reps"]')" != 0 ]; then
    fail "moving test pattern: reps found in a test pattern"
else
    ok "moving test pattern: exit $HD_RC, no reps"
    [ "$HD_RC" = 5 ] || note "moving test pattern: exit 0 with step_edge_px $(hd_json "$od/r.json" 'd["step_edge_px"]') (the tracker takes the pattern for a step; expected 5)"
fi


echo "== permissions (as user nobody when running as root)"
chmod 755 "$T"
mkdir -m 777 "$T/perm"
cp grey.mp4 "$T/perm/locked.mp4"
chmod 000 "$T/perm/locked.mp4"
mkdir -m 777 "$T/perm_out"
mkdir "$T/readonly"
cp grey.mp4 "$T/readonly/clip.mp4"
chmod 555 "$T/readonly"
od="$T/perm_out"
if hd_run_as_nobody analyze "$T/perm/locked.mp4" --json "$od/r.json" --csv "$od/r.csv"; then
    verify "unreadable video (mode 000)" 3 'permission denied'
    od="$T/readonly"
    hd_run_as_nobody analyze "$T/readonly/clip.mp4" --csv "$T/readonly/reps.csv"
    # the folder keeps just its clip
    verify_ro()
    {
        HD_CHECKS=$((HD_CHECKS + 1))
        if hd_no_crash && [ "$HD_RC" = 6 ] && [ "$(hd_stderr_lines)" = 1 ] &&
            grep -qiE 'reps.csv.*permission denied' "$HD_ERR" &&
            [ "$(ls -A "$T/readonly")" = clip.mp4 ]; then
            ok "--csv into a read-only folder: exit 6: $(cat "$HD_ERR")"
        else
            fail "--csv into a read-only folder (expected exit 6, one line naming reps.csv and 'Permission denied', nothing written)"
            hd_show
            ls -la "$T/readonly" | sed 's/^/  | /'
        fi
    }
    verify_ro
else
    note "unreadable video and read-only folder: SKIPPED (running as root and cannot switch to user nobody with setpriv)"
fi
chmod 755 "$T/readonly"
od=""

echo "== outputs"
newout; expect "--json in a folder that does not exist" 6 'does not exist' \
    analyze "$T/grey.mp4" --json /nonexistent/dir/x.json
newout; mkdir "$od/sub"
hd_run analyze "$T/grey.mp4" --json "$od/sub"
od="$od/sub"; verify "--json naming a folder" 6 'directory'
[ -z "$(hd_tmp_files "${od%/sub}")" ] || fail "--json naming a folder: temporary file left"
newout; expect "--csv under a regular file" 6 'not a folder' \
    analyze "$T/grey.mp4" --csv "$T/grey.mp4/reps.csv" --json "$od/r.json"
newout; expect "--annotate in a folder that does not exist" 6 'does not exist' \
    analyze "$T/grey.mp4" --json "$od/r.json" --annotate "$T/nope/a.mp4"

echo "== options"
newout; expect "--shoe-mm abc" 2 'shoe-mm' analyze "$T/grey.mp4" --shoe-mm abc "${OUTS[@]}"
newout; expect "--shoe-mm -5" 2 'shoe-mm' analyze "$T/grey.mp4" --shoe-mm -5 "${OUTS[@]}"
newout; expect "--shoe-mm 50 (out of range)" 2 'shoe-mm' analyze "$T/grey.mp4" --shoe-mm 50 "${OUTS[@]}"
newout; expect "--near-leg middle" 2 'near-leg' analyze "$T/grey.mp4" --near-leg middle "${OUTS[@]}"
newout; expect "--step-edge 1,2,3" 2 'step-edge' analyze "$T/grey.mp4" --step-edge 1,2,3 "${OUTS[@]}"
newout; expect "--step-edge a,b,c,d" 2 'step-edge' analyze "$T/grey.mp4" --step-edge a,b,c,d "${OUTS[@]}"
newout; expect "--bogus" 2 'bogus' analyze "$T/grey.mp4" --bogus "${OUTS[@]}"
newout; expect "--too-fast-s with no value" 2 'too-fast-s' analyze "$T/grey.mp4" "${OUTS[@]}" --too-fast-s
newout; expect "analyze with no video" 2 'no video' analyze "${OUTS[@]}"
od=""; expect "unknown subcommand" 2 'unknown command' frobnicate "$T/grey.mp4"
mkdir -p "$XDG_CONFIG_HOME/heeldrop"
printf '# comment\nshoe-mm = abc\n' >"$XDG_CONFIG_HOME/heeldrop/config"
newout; expect "config file: shoe-mm = abc" 2 'config:2.*shoe-mm' analyze "$T/grey.mp4" "${OUTS[@]}"
printf 'colour = blue\n' >"$XDG_CONFIG_HOME/heeldrop/config"
newout; expect "config file: unknown setting" 2 'config:1.*colour' analyze "$T/grey.mp4" "${OUTS[@]}"
rm -f "$XDG_CONFIG_HOME/heeldrop/config"

echo "== model"
printf '{"format": "heeldrop-tracker", ' >"$T/broken.json"
printf '{"format": "something-else"}\n' >"$T/other.json"
mkdir "$T/empty_data"
newout; expect "--model /nonexistent.json" 8 'nonexistent.json' analyze "$T/grey.mp4" --model /nonexistent.json "${OUTS[@]}"
newout; expect "--model with invalid JSON" 8 'broken.json.*corrupt' analyze "$T/grey.mp4" --model "$T/broken.json" "${OUTS[@]}"
newout; expect "--model of another format" 8 'other.json.*corrupt' analyze "$T/grey.mp4" --model "$T/other.json" "${OUTS[@]}"
newout
HEELDROP_DATA_DIR="$T/empty_data" hd_run analyze "$T/grey.mp4" "${OUTS[@]}"
verify "HEELDROP_DATA_DIR without models/" 8 'HEELDROP_DATA_DIR|models'

echo "== an existing output survives a later failure"
mkdir "$T/keep"
K="$T/keep"
KEEP=(--json "$K/good.json" --csv "$K/good.csv" --trace "$K/good.trace.csv")
# a real analysis (exit 0) when the generator runs here, else the grey clip's (exit 5,
# outputs written all the same)
hd_run analyze "${P:-$T/grey.mp4}" "${KEEP[@]}"
if [ ! -s "$K/good.json" ] || [ ! -s "$K/good.csv" ] || [ ! -s "$K/good.trace.csv" ]; then
    fail "the first run (exit $HD_RC) did not write good.json, good.csv and good.trace.csv"
else
    sums=$(cd "$K" && md5sum good.json good.csv good.trace.csv)
    survive()
    {
        local name=$1 code=$2
        shift 2
        HD_CHECKS=$((HD_CHECKS + 1))
        hd_run "$@"
        if hd_no_crash && [ "$HD_RC" = "$code" ] && [ "$(cd "$K" && md5sum good.json good.csv good.trace.csv)" = "$sums" ] &&
            [ "$(ls -A "$K" | tr '\n' ' ')" = "good.csv good.json good.trace.csv " ]; then
            ok "outputs unchanged after: $name (exit $HD_RC)"
        else
            fail "outputs changed (or exit $HD_RC, expected $code) after: $name"
            ls -la "$K" | sed 's/^/  | /'
            hd_show
        fi
    }
    survive "a missing video" 3 analyze "$T/no_such_clip.mp4" "${KEEP[@]}"
    survive "a text file" 4 analyze "$T/notes.txt" "${KEEP[@]}"
    survive "a truncated video" 4 analyze "$T/truncated.mp4" "${KEEP[@]}"
    survive "a video with no frames" 4 analyze "$T/no_frames.avi" "${KEEP[@]}"
    survive "a bad option" 2 analyze "$T/grey.mp4" "${KEEP[@]}" --near-leg middle
    survive "a broken model" 8 analyze "$T/grey.mp4" "${KEEP[@]}" --model "$T/broken.json"
    survive "an unwritable --annotate" 6 analyze "$T/grey.mp4" "${KEEP[@]}" --annotate /nonexistent/a.mp4
fi

hd_finish
