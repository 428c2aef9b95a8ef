#!/usr/bin/env bash
# report_golden.sh - `heeldrop report` on fixed inputs gives exactly the HTML in
# tests/golden/report-*.html (written only by scripts/update-report-golden.sh), and the
# default output places, file modes and printed paths are right.
#   usage (through ctest): report_golden.sh FIXTURE_EXE
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
hd_init
fixture=${1:?usage: report_golden.sh FIXTURE_EXE}

report_make_reports "$HD_TMP/out" "$fixture"
check "all four reports were written" '[ "$REPORT_FAILS" = 0 ]'
for name in analysis session interrupted week; do
    got="$HD_TMP/out/report-$name.html"
    want="$HD_SRC/tests/golden/report-$name.html"
    if [ ! -f "$want" ]; then
        fail "no golden file $want (run scripts/update-report-golden.sh)"
        continue
    fi
    if cmp -s "$got" "$want"; then
        ok "report-$name.html matches its golden file"
    else
        fail "report-$name.html differs from its golden file:"
        diff "$want" "$got" | cut -c1-200 | head -20
    fi
    check "report-$name.html is private (0600)" '[ "$(stat -c %a "$got")" = 600 ]'
done

# default places: report.html in the folder; --week under <data>/reports/
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$HD_TMP/analysis"
check "analysis folder: exit 0" '[ "$HD_RC" = 0 ]'
check "analysis folder: prints the path" '[ "$(cat "$HD_OUT")" = "$HD_TMP/analysis/report.html" ]'
check "analysis folder: report.html is the golden one" \
    'cmp -s "$HD_TMP/analysis/report.html" "$HD_SRC/tests/golden/report-analysis.html"'
XDG_DATA_HOME="$REPORT_DATA" hd_run report --week
week="$REPORT_DATA/heeldrop/reports/week-2025-01-06.html"
check "--week: exit 0 and prints $week" '[ "$HD_RC" = 0 ] && [ "$(cat "$HD_OUT")" = "$week" ]'
check "--week: reports folder is 0700" '[ "$(stat -c %a "$(dirname "$week")")" = 700 ]'
XDG_DATA_HOME="$REPORT_DATA" hd_run report 20250105-071000
check "session id: report.html in its session folder" \
    '[ "$HD_RC" = 0 ] && [ -f "$REPORT_DATA/heeldrop/sessions/20250105-071000/report.html" ]'
latest="$REPORT_DATA/heeldrop/sessions/20250105-071000/report.html"
check "session id and the latest session give the same page" \
    'cmp -s "$latest" "$HD_TMP/out/report-session.html"'

# the reports are self-contained: no script, no link, no external URL
for f in "$HD_TMP"/out/*.html; do
    check "$(basename "$f"): no script or external resource" \
        '! grep -qiE "<script|<link|src=|https?://|@import|url\(" "$f"'
done
hd_finish
