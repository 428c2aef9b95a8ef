#!/usr/bin/env bash
# `heeldrop review` end to end under SDL's dummy driver, driven by HEELDROP_REVIEW_SCRIPT:
# a video (analysed on the spot), a session folder, a session id, the latest session, and
# the errors (missing input, no sessions, bad script action, two arguments).
set -u
: "${HEELDROP:?}" "${HD_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok   $1"; fi; }
png_size() { # width x height of a PNG from its IHDR
    od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}

sample="$HD_SRC/assets/sample.mp4"

# 1. No sessions yet: a clear message, exit 3.
"$HEELDROP" review >"$tmp/out" 2>"$tmp/err"; rc=$?
check "no sessions: exit 3" "[ $rc -eq 3 ]"
check "no sessions: says so" "grep -q 'no sessions yet' '$tmp/err'"

# 2. A video: analysed, then seek, go to rep 3, play, step back, screenshots.
HEELDROP_REVIEW_SCRIPT="seek=4.0;shot=$tmp/a.png;rep=3;shot=$tmp/b.png;speed=0.5;play=0.4;step=-3;shot=$tmp/c.png;seek=999;shot=$tmp/d.png" \
    "$HEELDROP" review "$sample" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "video: exit 0" "[ $rc -eq 0 ]"
for s in a b c d; do
    check "video: screenshot $s written" "[ -s '$tmp/$s.png' ]"
done
check "video: screenshot size 960x540" "[ \"\$(png_size '$tmp/a.png')\" = 960x540 ]"
check "video: seeking changes the picture" "! cmp -s '$tmp/a.png' '$tmp/b.png'"
check "video: stepping changes the picture" "! cmp -s '$tmp/b.png' '$tmp/c.png'"

# 3. A session folder (what live mode writes), by path, by id and as the latest.
sid=20250102-080000
sdir="$XDG_DATA_HOME/heeldrop/sessions/$sid"
mkdir -p "$sdir"
"$HEELDROP" analyze "$sample" --json "$sdir/summary.json" --trace "$sdir/trace.csv" \
    --csv "$sdir/reps.csv" >/dev/null 2>&1
cp "$sample" "$sdir/video.mkv" # libavformat goes by the content, not the name
HEELDROP_REVIEW_SCRIPT="rep=2;shot=$tmp/s1.png" "$HEELDROP" review "$sdir" 2>"$tmp/err"; rc=$?
check "session folder: exit 0" "[ $rc -eq 0 ] && [ -s '$tmp/s1.png' ]"
HEELDROP_REVIEW_SCRIPT="rep=2;shot=$tmp/s2.png" "$HEELDROP" review "$sid" 2>"$tmp/err"; rc=$?
check "session id: exit 0" "[ $rc -eq 0 ] && [ -s '$tmp/s2.png' ]"
HEELDROP_REVIEW_SCRIPT="rep=2;shot=$tmp/s3.png" "$HEELDROP" review 2>"$tmp/err"; rc=$?
check "latest session: exit 0" "[ $rc -eq 0 ] && [ -s '$tmp/s3.png' ]"
check "session by path, id and latest: same picture" \
    "cmp -s '$tmp/s1.png' '$tmp/s2.png' && cmp -s '$tmp/s2.png' '$tmp/s3.png'"
# Without its video: the reps and the timeline still show.
rm "$sdir/video.mkv"
HEELDROP_REVIEW_SCRIPT="rep=2;shot=$tmp/s4.png" "$HEELDROP" review "$sid" 2>"$tmp/err"; rc=$?
check "session without video: exit 0" "[ $rc -eq 0 ] && [ -s '$tmp/s4.png' ]"

# 4. Errors.
"$HEELDROP" review "$tmp/nothing-here.mp4" 2>"$tmp/err"; rc=$?
check "missing input: exit 3" "[ $rc -eq 3 ] && grep -q 'nothing-here' '$tmp/err'"
"$HEELDROP" review a b 2>"$tmp/err"; rc=$?
check "two arguments: exit 2" "[ $rc -eq 2 ]"
HEELDROP_REVIEW_SCRIPT="jump=3" "$HEELDROP" review "$sid" 2>"$tmp/err"; rc=$?
check "bad script action: exit 2" "[ $rc -eq 2 ]"
echo "not a video" >"$tmp/bad.mp4"
"$HEELDROP" review "$tmp/bad.mp4" 2>"$tmp/err"; rc=$?
check "not a video: exit 4" "[ $rc -eq 4 ]"
exit $fail
