#!/bin/bash
# history_bad_input.sh - plan, pain and history on bad input: one clear stderr line and
# the documented exit code each, nothing written where it should not be, private files.
# usage: history_bad_input.sh TEST_DB_FILL     Env (CTest): HEELDROP, HD_SRC.
set -u
fill=${1:?test_db_fill program}
: "${HEELDROP:?}" "${HD_SRC:?}"
work=$(mktemp -d /tmp/hd-history-bad-XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" TZ=UTC
export HEELDROP_DATA_DIR="${HEELDROP_DATA_DIR:-$HD_SRC}" HEELDROP_NOW=1741000000
fail=0

# expect CODE PATTERN args... : exit code CODE, exactly one stderr line matching PATTERN
expect() {
    local code=$1 pattern=$2
    shift 2
    "$HEELDROP" "$@" >"$work/stdout" 2>"$work/stderr"
    local rc=$? lines
    lines=$(wc -l <"$work/stderr")
    if [ $rc != "$code" ] || [ "$lines" != 1 ] ||
        ! grep -q -- "$pattern" "$work/stderr"; then
        echo "FAIL: heeldrop $* -> exit $rc (want $code), stderr:" >&2
        cat "$work/stderr" >&2
        fail=1
    else
        echo "ok: heeldrop $* -> $rc: $(cat "$work/stderr")"
    fi
}

expect 2 "'11' is not a pain rating" pain 11
expect 2 "'abc' is not a pain rating" pain abc
expect 2 "'3.5' is not a pain rating" pain 3.5
expect 2 "give one rating" pain
expect 2 "give one rating" pain 3 4
expect 2 "" pain --bogus 3
expect 8 "unknown preset 'nope'" plan --preset nope --leg left
expect 2 "needs --leg" plan --preset starter
expect 2 "needs --preset" plan --leg left
expect 2 "" plan --preset starter --leg sideways
expect 2 "weeks must be" history --weeks -1
expect 6 "/nonexistent/dir" history --json /nonexistent/dir/h.json
expect 6 "/nonexistent/dir" history --csv /nonexistent/dir/h.csv
# nothing above created a plan or pain entry
"$HEELDROP" history >"$work/out" 2>&1 || { echo "FAIL: history after bad input" >&2; fail=1; }
if ! grep -q "No sessions yet" "$work/out"; then
    echo "FAIL: bad input left data" >&2
    cat "$work/out"
    fail=1
fi

# Unwritable data folder: a file in its way, and a place no one can write (/proc).
touch "$work/afile"
XDG_DATA_HOME="$work/afile" expect 6 "a file is in the way" history
XDG_DATA_HOME="$work/afile" expect 6 "a file is in the way" pain 3
XDG_DATA_HOME="$work/afile" expect 6 "a file is in the way" plan --preset starter --leg left
XDG_DATA_HOME=/proc/heeldrop-test expect 6 "/proc/heeldrop-test" history

# A damaged database and one from a newer HeelDrop: exit 4, the file kept as it was.
mkdir -p "$work/bad/heeldrop"
head -c 8192 /dev/urandom >"$work/bad/heeldrop/heeldrop.db"
sum=$(md5sum <"$work/bad/heeldrop/heeldrop.db")
XDG_DATA_HOME="$work/bad" expect 4 "not a HeelDrop database or damaged" history
if [ "$sum" != "$(md5sum <"$work/bad/heeldrop/heeldrop.db")" ]; then
    echo "FAIL: damaged db changed" >&2
    fail=1
fi
mkdir -p "$work/newer/heeldrop"
python3 -c "import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA user_version = 42')
c.commit()" "$work/newer/heeldrop/heeldrop.db"
XDG_DATA_HOME="$work/newer" expect 4 "newer than this program" history

# A broken preset file (a data folder whose models/programmes/starter.json is not JSON).
mkdir -p "$work/share/models/programmes"
echo '{ "name": "starter", ' >"$work/share/models/programmes/starter.json"
HEELDROP_DATA_DIR="$work/share" expect 8 "starter.json: not valid JSON" \
    plan --preset starter --leg left
# ... and a plan whose preset went missing afterwards
"$HEELDROP" plan --preset guided --leg both >/dev/null 2>&1 || { echo "FAIL: plan" >&2; fail=1; }
HEELDROP_DATA_DIR="$work/share" expect 8 "unknown preset 'guided'" plan
HEELDROP_DATA_DIR="$work/share" expect 8 "unknown preset 'guided'" history

# Empty history with a plan: a friendly line, exit 0; files private.
"$HEELDROP" history >"$work/out" 2>"$work/err"
rc=$?
if [ $rc != 0 ] || [ -s "$work/err" ] || ! grep -q "No sessions in this period" "$work/out"; then
    echo "FAIL: empty history with a plan (exit $rc)" >&2
    cat "$work/out" "$work/err" >&2
    fail=1
fi
"$HEELDROP" history --json "$work/h.json" --csv "$work/h.csv" >/dev/null 2>&1 || fail=1
python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
assert d['sessions'] == [] and d['plan']['preset'] == 'guided'" "$work/h.json" ||
    { echo "FAIL: empty JSON export" >&2; fail=1; }
[ "$(wc -l <"$work/h.csv")" = 1 ] ||
    { echo "FAIL: empty CSV should hold the header only" >&2; fail=1; }
for f in "$work/h.json" "$work/h.csv" "$XDG_DATA_HOME/heeldrop/heeldrop.db"; do
    [ "$(stat -c %a "$f")" = 600 ] ||
        { echo "FAIL: $f is $(stat -c %a "$f"), want 600" >&2; fail=1; }
done
[ "$(stat -c %a "$XDG_DATA_HOME/heeldrop")" = 700 ] ||
    { echo "FAIL: data folder not 700" >&2; fail=1; }

# Pain 0 and 10 are fine; the morning flag is standalone.
"$HEELDROP" pain 0 >/dev/null 2>&1 || { echo "FAIL: pain 0" >&2; fail=1; }
"$HEELDROP" pain 10 --morning --note "bad night" >"$work/out" 2>&1 ||
    { echo "FAIL: pain 10" >&2; fail=1; }
grep -q "Logged next-morning pain 10/10" "$work/out" ||
    { echo "FAIL: pain 10 output" >&2; cat "$work/out"; fail=1; }
grep -q "see a professional" "$work/out" ||
    { echo "FAIL: no advice to see a professional" >&2; fail=1; }
: "$fill"
[ $fail = 0 ] && echo "bad input: all as documented"
exit $fail
