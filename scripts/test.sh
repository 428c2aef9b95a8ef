#!/usr/bin/env bash
# Builds HeelDrop and runs its test suite (CTest). With CI=true or --sanitize it also
# builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite again.
#   scripts/test.sh              default suite (normal build)
#   scripts/test.sh --sanitize   also the sanitizer build
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
[ "${CI:-}" = "true" ] && sanitize=1
for a in "$@"; do
  case "$a" in
    --sanitize) sanitize=1 ;;
    --no-sanitize) sanitize=0 ;;
    *) echo "test.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHD_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
if [ "$sanitize" = 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHD_SANITIZE=ON -DHD_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$jobs" -LE slow)
fi
