#!/usr/bin/env bash
# Regenerates the overlay reference pictures in tests/ui_ref/ from the current drawing code.
# The screenshot tests only compare; this script is the one place that writes references.
# Look at the pictures (and the diff) before committing them.
#
#   scripts/update-ui-refs.sh --build DIR     (DIR: a configured build tree)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=""
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=${2:?--build needs a directory}; shift 2 ;;
        -h|--help) sed -n 2,7p "$0"; exit 0 ;;
        *) echo "update-ui-refs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -n "$build" ] || { echo "update-ui-refs.sh: --build DIR is required" >&2; exit 2; }
cmake --build "$build" --target test_ui test_review_ui -j2
out="$here/tests/ui_ref"
mkdir -p "$out"
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
"$build/tests/test_ui" --write "$out"
"$build/tests/test_review_ui" --write "$out"
echo "references written to $out: $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1)"
