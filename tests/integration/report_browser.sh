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
browse report-week.html --reps 18 --sessions 3
hd_finish
