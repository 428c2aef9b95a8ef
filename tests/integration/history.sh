#!/bin/bash
# history.sh - `heeldrop plan`, `pain` and `history` over a database filled through the
# db.h API (tests/fixtures/db/history.fill via test_db_fill), compared with the golden
# files in tests/golden/history/.
#
# usage: history.sh check|update TEST_DB_FILL
#   check   compares (the CTest test); update rewrites the golden files (only
#           scripts/update-history-golden.sh calls it; review the diff before committing).
# Env (from CTest): HEELDROP (the program), HD_SRC (source tree).
set -u
mode=${1:?check or update}
fill=${2:?test_db_fill program}
: "${HEELDROP:?}" "${HD_SRC:?}"
golden="$HD_SRC/tests/golden/history"
work=$(mktemp -d /tmp/hd-history-XXXXXX)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" TZ=UTC
export HEELDROP_DATA_DIR="${HEELDROP_DATA_DIR:-$HD_SRC}"
T0=1740960000 # Monday 2025-03-03 00:00 UTC
H=3600
D=86400
out="$work/out"
mkdir -p "$out"
fail=0

run() { # NAME NOW args... : stdout+exit code into $out/NAME.txt
    local name=$1 now=$2
    shift 2
    HEELDROP_NOW=$now "$HEELDROP" "$@" >"$out/$name.txt" 2>"$work/$name.err"
    echo "exit $?" >>"$out/$name.txt"
    if [ -s "$work/$name.err" ]; then
        echo "unexpected stderr from $name:" >&2
        cat "$work/$name.err" >&2
        fail=1
    fi
}

# An empty history first, then the plan, the sessions and pain.
run empty $((T0 + 8 * H)) history
run plan_choose $((T0 + 8 * H)) plan --preset starter --leg left
"$fill" - <"$HD_SRC/tests/fixtures/db/history.fill" || { echo "fill failed" >&2; exit 1; }
run pain_after $((T0 + 14 * D + 8 * H)) pain 3 --note "felt fine, a bit stiff"
run pain_morning $((T0 + 15 * D + 7 * H)) pain 4 --morning
run plan_show $((T0 + 15 * D + 8 * H)) plan
run history $((T0 + 16 * D + 20 * H)) history --json "$out/history.json" --csv "$out/history.csv"
run history_weeks1 $((T0 + 16 * D + 20 * H)) history --weeks 1

# Private files: the data folder 0700, the database 0600.
perm_dir=$(stat -c %a "$XDG_DATA_HOME/heeldrop")
perm_db=$(stat -c %a "$XDG_DATA_HOME/heeldrop/heeldrop.db")
if [ "$perm_dir" != 700 ] || [ "$perm_db" != 600 ]; then
    echo "permissions: data folder $perm_dir (want 700), database $perm_db (want 600)" >&2
    fail=1
fi

if [ "$mode" = update ]; then
    mkdir -p "$golden"
    rm -f "$golden"/*
    cp "$out"/* "$golden"/
    echo "golden files written to $golden"
    exit $fail
fi
for f in "$golden"/*; do
    name=$(basename "$f")
    if ! diff -u "$f" "$out/$name" >"$work/diff" 2>&1; then
        echo "DIFF $name:" >&2
        cat "$work/diff" >&2
        fail=1
    fi
done
for f in "$out"/*; do
    [ -e "$golden/$(basename "$f")" ] || { echo "no golden file for $(basename "$f")" >&2; fail=1; }
done
[ -d "$golden" ] || { echo "no golden folder $golden" >&2; fail=1; }
[ $fail = 0 ] && echo "history golden: all outputs match"
exit $fail
