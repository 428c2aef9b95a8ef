#!/usr/bin/env bash
# static_lock.sh - the tracker's static-lock check on a clip where it matters.
#
# Generated clip seed 2018 (a tuning seed): the person stands on the floor beside the step
# before stepping up, and the first calibration takes that floor for the step. Such a
# model never turns while the legs move elsewhere; the check must see it (the --verbose
# line "has not turned"), calibrate again on the real foot, and find most of the 9 reps
# (without the check: 2 reps, none of them real).
. "$(dirname "$0")/lib.sh"
hd_init
hd_need python3

hd_run synth --seed 2018 --out "$HD_TMP" -q
clip=$(ls "$HD_TMP"/clip_2018.* 2>/dev/null | grep -v truth | head -1)
[ -n "$clip" ] || { fail "synth --seed 2018 wrote no clip"; hd_finish; }
J="$HD_TMP/a.json"
hd_run analyze --verbose --shoe-mm 250 --json "$J" "$clip"
HD_CHECKS=$((HD_CHECKS + 1))
if hd_no_crash && [ "$HD_RC" = 0 ] && [ -s "$J" ]; then
    ok "analyze exits 0 and writes its summary"
else
    fail "analyze: exit $HD_RC"
    hd_show
    hd_finish
fi
HD_CHECKS=$((HD_CHECKS + 1))
if grep -q "has not turned" "$HD_ERR"; then
    ok "the static-lock check fired: $(grep -o 'the foot model has not turned.*' "$HD_ERR" | head -1)"
else
    fail "the static-lock check did not fire"
fi
got=$(hd_json "$J" 'd["totals"]["reps"]')
want=$(hd_json "$HD_TMP/clip_2018.truth.json" 'd["totals"]["reps"]')
HD_CHECKS=$((HD_CHECKS + 1))
if [ "$got" -ge 5 ] && [ "$got" -le "$want" ]; then
    ok "$got reps found (truth $want; 2 without the check)"
else
    fail "$got reps found, expected 5 to $want"
fi
hd_finish
