#!/usr/bin/env bash
# live_keys.sh - the live window's keys and the pain prompt, scripted with HEELDROP_KEYS.
#
# With a programme chosen, a `live --source` run presses R (the near leg is the right one),
# S (a screenshot), Q at 17 s (the user ends the session), then 3 at the pain prompt.
# Checks: the session ended early with exit 0, reps are named left/right, the screenshot is
# a 0600 PNG in the session folder, the pain 3 is logged with that session and the advice
# for the next session is printed.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need python3
A="$HD_SRC/assets"
[ -f "$A/sample.mp4" ] || hd_skip "assets/sample.mp4 does not exist yet"
export XDG_DATA_HOME="$HD_TMP/data"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy HEELDROP_SOFTWARE_RENDER=1

hd_run plan --preset starter --leg right
check "plan --preset starter --leg right" '[ "$HD_RC" = 0 ]' || hd_show
HEELDROP_KEYS="2:r,14:s,17:q,0:3" hd_run live --source "$A/sample.mp4"
check "live quit with Q: exit 0" '[ "$HD_RC" = 0 ] && hd_no_crash' || hd_show
dir=$(sed -n 's/^session saved in //p' "$HD_OUT" | tail -n 1)
check "a session folder" '[ -n "$dir" ] && [ -s "$dir/summary.json" ]'
dur=$(hd_json "$dir/summary.json" 'd["duration_s"]')
check "Q ended the session early ($dur s of a 36 s clip)" 'awk "BEGIN { exit !($dur < 25) }"'
legs=$(hd_json "$dir/summary.json" 'sorted(set(r["leg"] for r in d["reps"]))')
check "R named the reps by side ($legs)" 'grep -q "right" <<<"$legs" && ! grep -q "near" <<<"$legs"'
check "S saved a screenshot (0600 PNG)" \
    '[ -s "$dir/shot-001.png" ] && [ "$(stat -c %a "$dir/shot-001.png")" = 600 ] && [ "$(head -c 4 "$dir/shot-001.png" | tail -c 3)" = PNG ]'
check "the pain prompt took 3 and said so" 'grep -q "Pain 3/10 saved" "$HD_OUT"' || hd_show
check "the advice for the next session is shown" 'grep -q "Next session:" "$HD_OUT"' || hd_show
pain=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select value, session_id is not null from pain").fetchall())' "$XDG_DATA_HOME/heeldrop/heeldrop.db" 2>&1)
check "the database has the pain 3 linked to the session ($pain)" '[ "$pain" = "[(3, 1)]" ]'
hd_finish
