#!/usr/bin/env bash
# Runs `heeldrop analyze` on the bundled sample under valgrind and fails on any definite
# leak or memory error. Usage: scripts/valgrind.sh [HEELDROP_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
hd=${1:-${HEELDROP:-build/heeldrop}}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
  "$hd" analyze -q assets/sample.mp4 --json "$tmp/s.json" --trace "$tmp/s.csv" \
  >"$tmp/vg.log" 2>&1 || { cat "$tmp/vg.log" >&2; echo "valgrind.sh: FAILED" >&2; exit 1; }
grep -E "definitely lost|ERROR SUMMARY" "$tmp/vg.log"
echo "valgrind.sh: no definite leak, no memory error"
