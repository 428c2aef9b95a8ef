#!/bin/bash
# Rewrites tests/golden/history/ from the current program (plan, pain and history
# outputs over tests/fixtures/db/history.fill). Review `git diff tests/golden/history`
# before committing. usage: scripts/update-history-golden.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
[ -x "$build/heeldrop" ] && [ -x "$build/tests/test_db_fill" ] || {
    echo "build heeldrop and test_db_fill in $build first" >&2
    exit 2
}
HEELDROP="$build/heeldrop" HD_SRC="$src" \
    bash "$src/tests/integration/history.sh" update "$build/tests/test_db_fill"
