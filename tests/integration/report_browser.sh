#!/usr/bin/env bash
# report_browser.sh - the reports render in headless Chromium (Debian's /usr/bin/chromium
# driven by playwright-core from tests/browser/node_modules): plots with a real size, one
# rep mark per rep, no console errors or failed requests (tests/browser/check-report.js).
# Exits 77 when node, chromium or node_modules are missing.
#   usage (through ctest): report_browser.sh FIXTURE_EXE
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
hd_init
fixture=${1:?usage: report_browser.sh FIXTURE_EXE}
hd_need node
[ -x /usr/bin/chromium ] || hd_skip "no /usr/bin/chromium (apt-get install chromium)"
[ -d "$HD_SRC/tests/browser/node_modules/playwright-core" ] ||
    hd_skip "no tests/browser/node_modules (npm ci --prefix tests/browser)"

report_make_reports "$HD_TMP/out" "$fixture"
check "reports written" '[ "$REPORT_FAILS" = 0 ]'
browse()
{
    local name=$1
    shift
    if timeout 120 node "$HD_SRC/tests/browser/check-report.js" "$HD_TMP/out/$name" "$@" \
        >"$HD_TMP/browser.out" 2>&1; then
        ok "$name renders in Chromium ($*)"
    else
        local rc=$?
        [ "$rc" = 77 ] && hd_skip "$(cat "$HD_TMP/browser.out")"
        fail "$name in Chromium ($*): $(cat "$HD_TMP/browser.out")"
    fi
}
# the fixture session has the 6 reps of tests/golden/report-input; the week holds three
# sessions of 6 reps that have folders with traces
browse report-analysis.html --reps 6
browse report-session.html --reps 6
browse report-week.html --reps 18 --sessions 3 --heel-plots 3

# a long session (18 min, 180 reps in 3 sets): one heel plot per set, every rep marked
if command -v python3 >/dev/null 2>&1; then
    long="$HD_TMP/long"
    mkdir -p "$long"
    python3 - "$HD_SRC/tests/golden/report-input" "$long" <<'PY'
import csv, json, sys
src, dst = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src + "/trace.csv")))
s = json.load(open(src + "/summary.json"))
period = float(rows[-1][0]) + 1 / 30
out, reps = [rows[0]], []
for k in range(30):
    for r in rows[1:]:
        out.append(["%.6f" % (float(r[0]) + k * period)] + r[1:])
    for r in s["reps"]:
        r2 = dict(r)
        for f in ("t_descent_start", "t_bottom", "t_hold_end", "t_top"):
            r2[f] = round(r[f] + k * period, 2)
        r2["index"], r2["set"] = len(reps) + 1, k // 10 + 1
        reps.append(r2)
s["reps"], s["duration_s"] = reps, 30 * period
csv.writer(open(dst + "/trace.csv", "w"), lineterminator="\n").writerows(out)
json.dump(s, open(dst + "/summary.json", "w"))
PY
    XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$long" --out "$HD_TMP/out/report-long.html"
    check "long session: report written" '[ "$HD_RC" = 0 ]'
    browse report-long.html --reps 180 --heel-plots 3
else
    note "python3 missing: long-session case not run"
fi
hd_finish
