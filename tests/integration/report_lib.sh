# shellcheck shell=bash
# report_lib.sh - the fixed inputs of the report tests (sourced after lib.sh's hd_init).
#
# report_make_reports OUTDIR FIXTURE_EXE builds, under $HD_TMP, an analysis folder (a copy
# of tests/golden/report-input named "analysis") and a data folder filled by the fixture
# program (a database with four weeks of sessions, pain entries and notes), then writes
# the four reports the golden test compares:
#   OUTDIR/report-analysis.html     an analysis folder, no database
#   OUTDIR/report-session.html      the latest session (from the database + its folder)
#   OUTDIR/report-interrupted.html  a killed session known only to the database
#   OUTDIR/report-week.html         --week
# Dates are fixed: TZ=UTC and HEELDROP_NOW (Monday 6 January 2025, 08:00 UTC).
# Sets REPORT_DATA (the XDG_DATA_HOME with the database) and REPORT_FAILS.

REPORT_NOW=1736150400
REPORT_INTERRUPTED=20241228-184000

report_make_reports()
{
    local out=$1 fixture=$2 empty="$HD_TMP/empty-data"
    REPORT_FAILS=0
    export TZ=UTC HEELDROP_NOW=$REPORT_NOW
    mkdir -p "$out" "$HD_TMP/analysis" "$empty"
    cp "$HD_SRC/tests/golden/report-input/summary.json" \
       "$HD_SRC/tests/golden/report-input/trace.csv" "$HD_TMP/analysis/"
    REPORT_DATA="$HD_TMP/data"
    mkdir -p "$REPORT_DATA"
    if ! XDG_DATA_HOME="$REPORT_DATA" "$fixture" "$HD_SRC/tests/golden/report-input" \
        "$REPORT_NOW"; then
        echo "FAIL: the report fixture could not be built"
        REPORT_FAILS=1
        return 1
    fi
    report_run "$empty" "$HD_TMP/analysis" --out "$out/report-analysis.html"
    report_run "$REPORT_DATA" --out "$out/report-session.html"
    report_run "$REPORT_DATA" "$REPORT_INTERRUPTED" --out "$out/report-interrupted.html"
    report_run "$REPORT_DATA" --week --out "$out/report-week.html"
    return "$REPORT_FAILS"
}

# report_run DATA ARGS...: heeldrop report with XDG_DATA_HOME=DATA; counts a failure.
report_run()
{
    local data=$1
    shift
    if ! XDG_DATA_HOME="$data" timeout 60 "$HEELDROP" report "$@" >"$HD_TMP/report.out" \
        2>"$HD_TMP/report.err"; then
        echo "FAIL: heeldrop report $* failed: $(cat "$HD_TMP/report.err")"
        REPORT_FAILS=$((REPORT_FAILS + 1))
    fi
}
