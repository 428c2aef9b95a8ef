#!/usr/bin/env bash
# sample.sh - the bundled sample clip: the README's first command, checked against its truth.
#
# `heeldrop analyze assets/sample.mp4 --json ... --trace ...` must exit 0 and count as many
# reps as assets/sample.truth.json (totals.reps); `heeldrop score` then compares the
# analysis with the truth (summaries and, when assets/sample.truth.csv exists, traces)
# and its report is printed. Skipped (77) while assets/sample.mp4 does not exist.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need python3

A="$HD_SRC/assets"
[ -f "$A/sample.mp4" ] || hd_skip "assets/sample.mp4 does not exist yet"
[ -f "$A/sample.truth.json" ] || { echo "FAIL: assets/sample.mp4 has no assets/sample.truth.json"; exit 1; }

J="$HD_TMP/sample.json"
TR="$HD_TMP/sample.trace.csv"
hd_run analyze "$A/sample.mp4" --json "$J" --trace "$TR"
echo "heeldrop analyze assets/sample.mp4:"
sed 's/^/  | /' "$HD_OUT"
HD_CHECKS=$((HD_CHECKS + 1))
if hd_no_crash && [ "$HD_RC" = 0 ] && [ ! -s "$HD_ERR" ]; then
    ok "analyze exits 0 with nothing on stderr"
else
    fail "analyze: exit $HD_RC (expected 0, nothing on stderr)"
    hd_show
fi
[ -s "$J" ] || { fail "no summary written"; hd_finish; }

want=$(hd_json "$A/sample.truth.json" 'd["totals"]["reps"]')
got=$(hd_json "$J" 'd["totals"]["reps"]')
HD_CHECKS=$((HD_CHECKS + 1))
if [ "$got" = "$want" ]; then
    ok "rep count $got equals the truth's"
else
    fail "rep count $got, the truth has $want"
fi
# the table's total line says the same number
grep -q "^total: $got rep" "$HD_OUT" || fail "the printed table does not say 'total: $got rep...'"

score=(score --truth "$A/sample.truth.json" --analysis "$J")
[ -f "$A/sample.truth.csv" ] && score+=(--truth-trace "$A/sample.truth.csv" --trace "$TR")
hd_run "${score[@]}"
echo "heeldrop ${score[*]}:"
sed 's/^/  | /' "$HD_OUT" "$HD_ERR"
HD_CHECKS=$((HD_CHECKS + 1))
if hd_no_crash && [ "$HD_RC" = 0 ]; then
    ok "score ran"
else
    fail "score: exit $HD_RC"
fi
hd_finish
