#!/usr/bin/env bash
# update-golden.sh - rewrites the golden analysis summaries in tests/golden/.
#
#   scripts/update-golden.sh [--build DIR] [NAME...]
#
# For each clip of tests/golden/clips.txt (or only the NAMEs given) it generates the clip
# with `heeldrop synth`, analyses it with `heeldrop analyze` and writes the summary to
# tests/golden/NAME.json, exactly as tests/integration/golden.sh produces the summaries it
# compares. This script is the ONLY writer of golden files: review `git diff tests/golden`
# and commit the files with the change that explains them.
#
# The program is $HEELDROP if set, else DIR/heeldrop (default DIR: build).
set -u
cd "$(dirname "$0")/.." || exit 1
HD_SRC=$(pwd)
build=build
names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --build=*) build=${1#--build=}; shift ;;
        -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "update-golden: unknown option $1" >&2; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done
HEELDROP=${HEELDROP:-$build/heeldrop}
case "$HEELDROP" in /*) ;; *) HEELDROP="$HD_SRC/$HEELDROP" ;; esac
export HEELDROP HD_SRC
# the same data folder as the tests use (tests/CMakeLists.txt)
export HEELDROP_DATA_DIR="${HEELDROP_DATA_DIR:-$HD_SRC}"
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh
hd_init

written=0
failed=0
wanted()
{
    [ ${#names[@]} -eq 0 ] && return 0
    local n
    for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

while IFS='|' read -r name synth_opts analyze_opts; do
    wanted "$name" || continue
    out="$HD_TMP/$name.json"
    if ! hd_golden_make "$HD_TMP/clips" "$name" "$synth_opts" "${analyze_opts:-}" "$out"; then
        failed=$((failed + 1))
        continue
    fi
    if { [ "$HD_RC" != 0 ] && [ "$HD_RC" != 5 ]; } || [ ! -s "$out" ]; then
        echo "update-golden: $name: heeldrop analyze exited $HD_RC; golden file NOT written:"
        sed 's/^/  | /' "$HD_ERR"
        failed=$((failed + 1))
        continue
    fi
    cp "$out" "tests/golden/$name.json"
    written=$((written + 1))
    printf '%-24s exit %s  reps %s (truth %s)  warnings %s  step_edge_px %s\n' "$name" "$HD_RC" \
        "$(hd_json "$out" 'd["totals"]["reps"]')" \
        "$(hd_json "$HD_TMP/clips/$name/$name.truth.json" 'd["totals"]["reps"]')" \
        "$(hd_json "$out" '[w for r in d["reps"] for w in r["warnings"]]')" \
        "$(hd_json "$out" 'd["step_edge_px"]')"
done < <(hd_golden_list)

# golden files no longer listed in clips.txt
for f in tests/golden/*.json; do
    [ -f "$f" ] || continue
    n=${f##*/}
    n=${n%.json}
    hd_golden_list | cut -d'|' -f1 | grep -qx "$n" ||
        echo "update-golden: $f is not in tests/golden/clips.txt any more: git rm it"
done

echo "update-golden: $written written, $failed failed"
git --no-pager diff --stat -- tests/golden 2>/dev/null
[ "$failed" = 0 ]
