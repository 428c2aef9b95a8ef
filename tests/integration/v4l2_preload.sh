#!/bin/bash
# v4l2_preload.sh - the emulated camera driven through the REAL libv4l2 (LD_PRELOAD shim):
# `heeldrop devices` lists it (its driver name proves the fake was reached), the camera
# backend captures from it with libv4l2 converting YUYV and MJPEG to YUV 4:2:0 (pixels
# checked against the generated scene), survives an unplug, and plays a video file. The
# shim's counters (HD_EMUCAM_STATS) show every buffer unmapped and every descriptor closed.
# Without the shim there is no camera: a clear message and exit 7.
#
# usage (through ctest): v4l2_preload.sh CAPTURE_PROGRAM LIBHD_EMUCAM_SO
. "$(dirname "$0")/lib.sh"
hd_init

PROG=$1
LIB=$2
[ -x "$PROG" ] || { fail "capture program $PROG missing"; hd_finish; }
[ -f "$LIB" ] || { fail "shim $LIB missing"; hd_finish; }
[ -e /dev/video0 ] && hd_skip "a real /dev/video0 exists: the shim would shadow it"

PRE=$LIB
if [ "${HD_SANITIZE:-0}" = 1 ]; then
    # the ASan runtime must be the first library loaded, before the shim
    ASAN=$("${HD_CC:-gcc}" -print-file-name=libasan.so)
    [ -f "$ASAN" ] || hd_skip "libasan.so not found for the sanitizer build"
    PRE="$ASAN:$LIB"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1"
fi

# runs a command with the shim preloaded: prun STATSFILE cmd... (extra HD_EMUCAM_* in env)
prun()
{
    local stats=$1
    shift
    timeout -k 5 60 env LD_PRELOAD="$PRE" HD_EMUCAM_STATS="$stats" "$@" </dev/null \
        >"$HD_TMP/out" 2>"$HD_TMP/err"
    RC=$?
}

stat_of() { sed -n "s/^$2=//p" "$1"; }

# every buffer unmapped, every descriptor closed, and the camera really used
check_clean()
{
    local s=$1 what=$2
    check "$what: the shim wrote its counters" '[ -s "$s" ]'
    [ -s "$s" ] || return
    check "$what: no descriptor left open" '[ "$(stat_of "$s" open_fds)" = 0 ]'
    check "$what: no buffer left mapped" '[ "$(stat_of "$s" mappings)" = 0 ]'
    check "$what: buffers were mapped and unmapped" \
        '[ "$(stat_of "$s" maps)" -gt 0 ] && [ "$(stat_of "$s" maps)" = "$(stat_of "$s" unmaps)" ]'
    check "$what: frames were made" '[ "$(stat_of "$s" frames_made)" -gt 0 ]'
}

# 1. no camera at all
hd_run devices
check "no camera: exit 7" '[ "$HD_RC" = 7 ]'
check "no camera: one line naming what was looked for" \
    '[ "$(wc -l <"$HD_ERR")" = 1 ] && grep -q "no camera found: looked for a video capture device at /dev/video0 to /dev/video63" "$HD_ERR"'
check "no camera: suggests analyze and --source" \
    'grep -q "heeldrop analyze FILE" "$HD_ERR" && grep -q "heeldrop live --source FILE" "$HD_ERR"'
hd_run devices --bogus
check "devices --bogus: exit 2" '[ "$HD_RC" = 2 ]'

# 2. heeldrop devices through libv4l2
prun "$HD_TMP/s-dev" env HD_EMUCAM_FORMATS=MJPG,YUYV "$HEELDROP" devices
check "devices: exit 0" '[ "$RC" = 0 ]'
check "devices: the fake's driver name came back" 'grep -q "driver heeldrop-emucam" "$HD_TMP/out"'
check "devices: card name" 'grep -q "^/dev/video0: HeelDrop emulated camera" "$HD_TMP/out"'
check "devices: MJPG and YUYV listed" \
    'grep -q "MJPG  Motion-JPEG (compressed)" "$HD_TMP/out" && grep -q "YUYV  YUYV 4:2:2" "$HD_TMP/out"'
check "devices: libv4l2's converted formats listed" \
    'grep -q "YU12 .*(converted by libv4l2)" "$HD_TMP/out"'
check "devices: sizes and rates" \
    'grep -q "1280x720    30, 15 fps" "$HD_TMP/out" && grep -q "320x240     30, 15 fps" "$HD_TMP/out"'
check "devices: only one camera" '[ "$(grep -c "^/dev/video" "$HD_TMP/out")" = 1 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
prun "$HD_TMP/s-dev2" "$HEELDROP" devices --device /dev/video0
check "devices --device /dev/video0: exit 0" '[ "$RC" = 0 ] && grep -q heeldrop-emucam "$HD_TMP/out"'
prun "$HD_TMP/s-dev3" "$HEELDROP" devices --device /dev/video5
check "devices --device /dev/video5: exit 7, named" \
    '[ "$RC" = 7 ] && grep -q "camera /dev/video5 not found" "$HD_TMP/err"'
prun "$HD_TMP/s-dev4" env HD_EMUCAM_SIZES=bogus "$HEELDROP" devices
check "a bad HD_EMUCAM_SIZES is reported by the shim" \
    'grep -q "libhd_emucam: emucam sizes" "$HD_TMP/err" && [ "$RC" = 7 ]'

# 3. capture: YUYV converted by libv4l2, exact pixels
prun "$HD_TMP/s-yuyv" env HD_EMUCAM_FORMATS=YUYV "$PROG" yuyv
check "capture YUYV through libv4l2: pixels exact" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check_clean "$HD_TMP/s-yuyv" "capture YUYV"

# 4. capture: MJPEG decoded by libv4l2, pixels within JPEG error
prun "$HD_TMP/s-mjpg" env HD_EMUCAM_FORMATS=MJPG "$PROG" mjpeg
check "capture MJPEG through libv4l2: pixels close" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check_clean "$HD_TMP/s-mjpg" "capture MJPEG"

# 4b. MJPEG without Huffman tables, as many webcams send it: libv4l2 supplies the standard ones
prun "$HD_TMP/s-mjpg2" env HD_EMUCAM_FORMATS=MJPG HD_EMUCAM_MJPEG_NO_DHT=1 "$PROG" mjpeg
check "capture table-less MJPEG through libv4l2: pixels close" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check_clean "$HD_TMP/s-mjpg2" "capture table-less MJPEG"

# 5. unplug after 1 s, back 1 s later
prun "$HD_TMP/s-unplug" env HD_EMUCAM_FORMATS=MJPG,YUYV HD_EMUCAM_UNPLUG_AT_S=1 \
    HD_EMUCAM_REPLUG_AFTER_S=1 "$PROG" unplug
check "unplug and replug through libv4l2: lost, then frames again" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check "unplug: the camera said it was lost and back" \
    'grep -q "lost (hung up)" "$HD_TMP/err" && grep -q "is back" "$HD_TMP/err"'
check_clean "$HD_TMP/s-unplug" "unplug"
check "unplug: the shim unplugged and replugged once" \
    '[ "$(stat_of "$HD_TMP/s-unplug" unplugs)" = 1 ] && [ "$(stat_of "$HD_TMP/s-unplug" replugs)" = 1 ]'

# 6. faults through libv4l2: EAGAIN, EINTR and EIO on DQBUF, EINTR in poll
prun "$HD_TMP/s-faults" env HD_EMUCAM_FORMATS=YUYV \
    HD_EMUCAM_FAULTS=dqbuf:EAGAIN:5,dqbuf:EINTR:10,poll:EINTR:15,dqbuf:EIO:20 "$PROG" yuyv
check "transient faults through libv4l2: capture goes on, pixels exact" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check_clean "$HD_TMP/s-faults" "transient faults"
check "transient faults: all four fired" '[ "$(stat_of "$HD_TMP/s-faults" faults_fired)" = 4 ]'

# 7. a 1.5 s stall after 1 s: lost shown, frames resume without reopening
prun "$HD_TMP/s-stall" env HD_EMUCAM_FORMATS=YUYV HD_EMUCAM_STALL_AT_S=1 \
    HD_EMUCAM_STALL_FOR_S=1.5 "$PROG" stall
check "stall through libv4l2: lost shown, then frames again" '[ "$RC" = 0 ]'
[ "$RC" = 0 ] || cat "$HD_TMP/err"
check_clean "$HD_TMP/s-stall" "stall"
check "stall: the shim stalled once" '[ "$(stat_of "$HD_TMP/s-stall" stalls)" = 1 ]'

# 8. frames from a video file (the bundled sample), scaled to the camera's size
if [ -f "$HD_SRC/assets/sample.mp4" ]; then
    prun "$HD_TMP/s-file" env HD_EMUCAM_SOURCE="$HD_SRC/assets/sample.mp4" \
        HD_EMUCAM_FORMATS=YUYV "$PROG" file
    check "file source through libv4l2: frames change" '[ "$RC" = 0 ]'
    [ "$RC" = 0 ] || cat "$HD_TMP/err"
    check_clean "$HD_TMP/s-file" "file source"
else
    note "assets/sample.mp4 missing: file source not checked"
fi

hd_finish
