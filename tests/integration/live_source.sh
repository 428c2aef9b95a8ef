#!/usr/bin/env bash
# live_source.sh - `heeldrop live --source FILE` end to end: a saved video played through
# the live loop at its own pace, under SDL's dummy video driver.
#
# Checks: exit 0 at the end of the file; the session folder (0700) holds summary.json
# (kind live, source_kind file, the analyze schema), reps.csv, trace.csv and a playable
# video.mkv (0600); the database has the session with the same reps; the count equals
# `heeldrop analyze` on the same file with every time within one frame when no frame was
# dropped (compare_live.py);
# --no-record keeps no video; bad options and a missing file fail with one line.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need python3 ffprobe
A="$HD_SRC/assets"
[ -f "$A/sample.mp4" ] || hd_skip "assets/sample.mp4 does not exist yet"
export XDG_DATA_HOME="$HD_TMP/data"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy HEELDROP_SOFTWARE_RENDER=1
HD_RUN_TIMEOUT=120

hd_run live --source "$A/sample.mp4"
check "live --source exits 0" '[ "$HD_RC" = 0 ] && hd_no_crash' || hd_show
dir=$(sed -n 's/^session saved in //p' "$HD_OUT" | tail -n 1)
check "it prints where the session is" '[ -n "$dir" ] && [ -d "$dir" ]'
[ -d "$dir" ] || hd_finish
check "session folder is private (0700)" '[ "$(stat -c %a "$dir")" = 700 ]'
for f in summary.json reps.csv trace.csv video.mkv; do
    check "session has $f" '[ -s "$dir/$f" ]'
done
for f in video.mkv summary.json reps.csv trace.csv; do
    check "$f is private (0600)" '[ "$(stat -c %a "$dir/$f")" = 600 ]'
done
check "summary kind is live" '[ "$(hd_json "$dir/summary.json" "d[\"kind\"]")" = live ]'
check "summary source_kind is file" \
    '[ "$(hd_json "$dir/summary.json" "d[\"source_kind\"]")" = file ]'
read -r vframes _ <<<"$(hd_probe "$dir/video.mkv")"
check "video.mkv plays ($vframes frames)" '[ "${vframes:-0}" -gt 100 ]'

live_reps=$(hd_json "$dir/summary.json" 'd["totals"]["reps"]')
ndrop=$(sed -n 's/^dropped frames: \([0-9]*\).*/\1/p' "$HD_OUT" | tail -n 1)
hd_run analyze "$A/sample.mp4" --json "$HD_TMP/an.json" --quiet
python3 "$HD_SRC/tests/integration/compare_live.py" "$dir/summary.json" "$HD_TMP/an.json" \
    "${ndrop:-0}" >"$HD_TMP/agree.txt"
agree_rc=$?
cat "$HD_TMP/agree.txt"
if [ "$agree_rc" = 3 ]; then
    note "$ndrop frames were dropped in this run (the machine did not keep pace): compared for information only"
else
    agree "live --source and analyze: same count, every time within one frame" '[ "$agree_rc" = 0 ]'
fi

db="$XDG_DATA_HOME/heeldrop/heeldrop.db"
check "database exists and is private (0600)" '[ -f "$db" ] && [ "$(stat -c %a "$db")" = 600 ]'
db_reps=$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
sid = c.execute("select id from sessions order by id desc limit 1").fetchone()[0]
print(c.execute("select count(*) from reps where session_id=?", (sid,)).fetchone()[0])' "$db" 2>&1)
check "database holds the session's $live_reps reps ($db_reps)" '[ "$db_reps" = "$live_reps" ]'

hd_run live --source "$A/sample.mp4" --no-record --quiet
dir2=$(sed -n 's/^session saved in //p' "$HD_OUT" | tail -n 1)
check "--no-record: exit 0, no video" '[ "$HD_RC" = 0 ] && [ -d "$dir2" ] && [ ! -e "$dir2/video.mkv" ]'
check "a second session gets its own folder" '[ "$dir2" != "$dir" ]'

hd_run live --source "$HD_TMP/missing.mp4"
check "missing file: exit 3, one line" '[ "$HD_RC" = 3 ] && [ "$(hd_stderr_lines)" = 1 ]' || hd_show
hd_run live --size banana
check "nonsense --size: exit 2, one line" '[ "$HD_RC" = 2 ] && [ "$(hd_stderr_lines)" = 1 ]' || hd_show
hd_run live --fps 0 --source "$A/sample.mp4"
check "--fps 0 with a camera would be refused; with --source it is ignored" \
    '[ "$HD_RC" = 0 ] || [ "$HD_RC" = 2 ]'
hd_run live extra.mp4
check "a positional argument: exit 2 naming --source" \
    '[ "$HD_RC" = 2 ] && grep -q -- "--source" "$HD_ERR"' || hd_show
hd_run live --bogus
check "unknown option: exit 2" '[ "$HD_RC" = 2 ]'
hd_finish
