#!/usr/bin/env bash
# update-report-golden.sh - rewrites tests/golden/report-*.html, the reports that
# tests/integration/report_golden.sh compares, from the same fixed inputs (report_lib.sh).
#
#   scripts/update-report-golden.sh [--build DIR]
#
# The ONLY writer of these golden files: review `git diff tests/golden` (and look at the
# pages in a browser) before committing them with the change that explains them.
# The program is $HEELDROP if set, else DIR/heeldrop (default DIR: build); the fixture
# program is DIR/tests/report_fixture.
set -u
cd "$(dirname "$0")/.." || exit 1
HD_SRC=$(pwd)
build=build
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --build=*) build=${1#--build=}; shift ;;
        -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "update-report-golden: unknown argument $1" >&2; exit 2 ;;
    esac
done
case "$build" in /*) ;; *) build="$HD_SRC/$build" ;; esac
HEELDROP=${HEELDROP:-$build/heeldrop}
fixture="$build/tests/report_fixture"
[ -x "$fixture" ] || { echo "update-report-golden: no $fixture (build first)" >&2; exit 1; }
export HEELDROP HD_SRC
export HEELDROP_DATA_DIR="${HEELDROP_DATA_DIR:-$HD_SRC}"
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh
# shellcheck source=../tests/integration/report_lib.sh
. tests/integration/report_lib.sh
hd_init
if ! report_make_reports "$HD_TMP/out" "$fixture"; then
    echo "update-report-golden: a report failed; golden files left as they were" >&2
    exit 1
fi
for name in analysis session interrupted week; do
    cp "$HD_TMP/out/report-$name.html" "tests/golden/report-$name.html"
    chmod 644 "tests/golden/report-$name.html"
    echo "wrote tests/golden/report-$name.html"
done
