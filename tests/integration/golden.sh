#!/usr/bin/env bash
# golden.sh - end-to-end analyses of generated clips compared with golden summaries.
#
# Each clip of tests/golden/clips.txt is generated with `heeldrop synth` from a fixed seed
# at a small size, analysed, and its summary compared with tests/golden/NAME.json by
# compare_json.py (times +-0.15 s, mm +-5, counts and warnings exact, field names and
# order exact). The exit code must match the golden file: 5 when its step_edge_px is
# null, else 0. Golden files are written only by scripts/update-golden.sh, never here.
# The score against the generator's truth is printed for information.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need python3
CMP="$HD_SRC/tests/integration/compare_json.py"

# ---- the comparison tool itself: what it must accept and reject -------------------
python3 - "$CMP" "$HD_TMP" <<'EOF' || fail "compare_json.py self-test"
import copy, json, os, subprocess, sys
cmp, tmp = sys.argv[1], sys.argv[2]
g = {"source": "a.mp4", "fps": 15, "frames": 60, "duration_s": 4.0,
     "step_edge_px": [[10, 200], [300, 201]], "mm_per_px": 2.0,
     "settings": {"too-fast-s": 2}, "reps": [{"index": 1, "t_bottom": 3.0, "depth_mm": 20.0,
     "warnings": ["too_fast"], "valid": False}], "totals": {"reps": 1}}
def run(change):
    a = copy.deepcopy(g)
    change(a)
    for name, obj in (("g.json", g), ("a.json", a)):
        json.dump(obj, open(os.path.join(tmp, name), "w"))
    return subprocess.run([sys.executable, cmp, os.path.join(tmp, "g.json"),
                           os.path.join(tmp, "a.json")], capture_output=True).returncode
def move_fps(a):
    a["fps"] = a.pop("fps")
cases = [
    ("identical", lambda a: None, 0),
    ("time +0.1 s", lambda a: a["reps"][0].update(t_bottom=3.1), 0),
    ("time +0.2 s", lambda a: a["reps"][0].update(t_bottom=3.2), 1),
    ("depth +4 mm", lambda a: a["reps"][0].update(depth_mm=24.0), 0),
    ("depth +6 mm", lambda a: a["reps"][0].update(depth_mm=26.0), 1),
    ("one more rep", lambda a: a["reps"].append(a["reps"][0]), 1),
    ("count differs", lambda a: a["totals"].update(reps=2), 1),
    ("warning differs", lambda a: a["reps"][0].update(warnings=["no_hold"]), 1),
    ("setting differs", lambda a: a["settings"].update({"too-fast-s": 2.1}), 1),
    ("extra field", lambda a: a.update(extra=1), 1),
    ("field order", move_fps, 1),
    ("null step edge", lambda a: a.update(step_edge_px=None), 1),
]
bad = [n for n, change, want in cases if run(change) != want]
if bad:
    print("compare_json.py got these wrong: " + ", ".join(bad))
    sys.exit(1)
EOF
[ "$HD_FAILS" = 0 ] && ok "compare_json.py accepts and rejects as documented"

# ---- the clips -----------------------------------------------------------------------
nclips=0
while IFS='|' read -r name synth_opts analyze_opts; do
    nclips=$((nclips + 1))
    golden="$HD_SRC/tests/golden/$name.json"
    out="$HD_TMP/$name.json"
    t0=$(date +%s.%N)
    hd_golden_make "$HD_TMP/clips" "$name" "$synth_opts" "${analyze_opts:-}" "$out" || {
        fail "$name: could not generate the clip"
        continue
    }
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    HD_CHECKS=$((HD_CHECKS + 1))
    if ! hd_no_crash; then
        fail "$name: heeldrop analyze crashed (exit $HD_RC)"
        hd_show
        continue
    fi
    if [ ! -f "$golden" ]; then
        fail "$name: no golden file $golden (run scripts/update-golden.sh)"
        continue
    fi
    want_rc=0
    [ "$(hd_json "$golden" 'd["step_edge_px"]')" = null ] && want_rc=5
    if [ "$HD_RC" != "$want_rc" ]; then
        fail "$name: exit $HD_RC, expected $want_rc (as when the golden file was made)"
        hd_show
    fi
    if [ ! -s "$out" ]; then
        fail "$name: no summary written"
        continue
    fi
    if diffs=$(python3 "$CMP" "$golden" "$out"); then
        ok "$name: matches its golden summary ($(hd_json "$out" 'd["totals"]["reps"]') reps, ${secs} s)"
    else
        fail "$name: differs from tests/golden/$name.json:"
        echo "$diffs" | sed 's/^/  | /'
    fi
    d="$HD_TMP/clips/$name"
    if [ -f "$d/$name.truth.csv" ] && [ -f "$d/$name.trace.csv" ]; then
        echo "  score against the truth (information only):"
        "$HEELDROP" score --truth "$d/$name.truth.json" --analysis "$out" \
            --truth-trace "$d/$name.truth.csv" --trace "$d/$name.trace.csv" </dev/null 2>&1 | sed -n '1p;3p' | sed 's/^/  | /'
    fi
    rm -rf "$d" # keep the temporary folder small
done < <(hd_golden_list)

[ "$nclips" -gt 0 ] || fail "tests/golden/clips.txt lists no clip"
hd_finish
