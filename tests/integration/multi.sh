#!/usr/bin/env bash
# multi.sh - several videos in one `heeldrop analyze` run.
#
# With more than one video, --json, --csv, --trace and --annotate name folders and each
# video's outputs are FOLDER/BASE.json, BASE.csv, BASE.trace.csv and BASE.annotated.mp4.
# Checks: the names and nothing else in the folders; CSV columns equal to the JSON rep
# fields, in order, row by row; the trace header and one row per frame; the annotated
# video decodes (ffprobe) with the source's frame count and size; a missing output
# folder fails with exit 6 before anything is written; a missing video among several
# fails with exit 3 while the others are still analysed.
. "$(dirname "$0")/lib.sh"
hd_init
hd_need ffmpeg ffprobe python3
T=$HD_TMP

# Two exercise clips and a grey clip with no step (exit 5 for it, outputs still written).
hd_synth "$T/clips" --seed 1 --count 2 --scenario good3 --size 320x240 --fps 15 --codec h264 \
    --crf 30 --rotation 0 --cfr -q
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i color=c=gray:size=320x240:rate=15 \
    -t 2 -pix_fmt yuv420p -c:v libx264 "$T/clips/grey.mp4" || { echo "FAIL: ffmpeg"; exit 1; }
mapfile -t bases < <(hd_clip_names "$T/clips")
[ ${#bases[@]} = 2 ] || { echo "FAIL: synth --count 2 made ${#bases[@]} clips"; exit 1; }
videos=()
for b in "${bases[@]}"; do
    videos+=("$(hd_clip_video "$T/clips" "$b")")
done
echo "clips: ${videos[*]##*/}"

mkdir "$T/json" "$T/csv" "$T/trace" "$T/ann"
hd_run analyze "${videos[@]}" --json "$T/json" --csv "$T/csv" --trace "$T/trace" --annotate "$T/ann"
HD_CHECKS=$((HD_CHECKS + 1))
if hd_no_crash && [ "$HD_RC" = 0 ] && [ ! -s "$HD_ERR" ]; then
    ok "two clips: exit 0, nothing on stderr"
else
    fail "two clips: exit $HD_RC (expected 0 and an empty stderr)"
    hd_show
fi
for v in "${videos[@]}"; do
    grep -qxF "== $v" "$HD_OUT" || fail "stdout has no '== $v' heading"
done

# the folders hold exactly the expected names
check_folder()
{
    local dir=$1 suffix=$2 want="" b
    for b in "${bases[@]}"; do want+="$b$suffix "; done
    local got
    got=$(ls -A "$dir" | sort | tr '\n' ' ')
    want=$(echo "$want" | tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ')
    check "$dir holds $want" '[ "$got" = "$want" ]'
}
check_folder "$T/json" .json
check_folder "$T/csv" .csv
check_folder "$T/trace" .trace.csv
check_folder "$T/ann" .annotated.mp4

total_reps=0
for i in "${!bases[@]}"; do
    b=${bases[$i]}
    v=${videos[$i]}
    j="$T/json/$b.json"
    [ -f "$j" ] || continue
    total_reps=$((total_reps + $(hd_json "$j" 'd["totals"]["reps"]')))
    # CSV: header = the JSON rep fields in order; one row per rep with the same values
    HD_CHECKS=$((HD_CHECKS + 1))
    if res=$(python3 - "$j" "$T/csv/$b.csv" <<'EOF'
import csv, json, math, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2], newline="")))
header, body = rows[0], rows[1:]
problems = []
# the JSON rep fields, from a rep when there is one, else from the documented layout
fields = list(d["reps"][0].keys()) if d["reps"] else None
if fields is not None and header != fields:
    problems.append(f"CSV columns {header} != JSON rep fields {fields}")
if len(body) != len(d["reps"]):
    problems.append(f"{len(body)} CSV rows for {len(d['reps'])} reps")
for k, (rep, row) in enumerate(zip(d["reps"], body)):
    cells = dict(zip(header, row))
    for name, cell in cells.items():
        if name not in rep:
            continue
        v = rep[name]
        if isinstance(v, bool):
            same = cell == ("true" if v else "false")
        elif isinstance(v, list):
            same = cell == ";".join(v)
        elif v is None:
            same = cell == ""
        elif isinstance(v, (int, float)):
            try:
                same = math.isclose(float(cell), v, abs_tol=0.0051)
            except ValueError:
                same = False
        else:
            same = cell == str(v)
        if not same:
            problems.append(f"rep {k + 1} {name}: JSON {json.dumps(v)}, CSV '{cell}'")
print("; ".join(problems) if problems else f"{len(body)} rows, columns {','.join(header)}")
sys.exit(1 if problems else 0)
EOF
    ); then
        ok "$b.csv matches $b.json: $res"
    else
        fail "$b.csv vs $b.json: $res"
    fi
    # trace: header and one row per frame
    hdr=$(head -n 1 "$T/trace/$b.trace.csv")
    check "$b.trace.csv header '$hdr' starts with t,heel_px,heel_mm,foot_deg,phase,confidence" \
        '[ "${hdr#t,heel_px,heel_mm,foot_deg,phase,confidence,}" != "$hdr" ]'
    frames=$(hd_json "$j" 'd["frames"]')
    rows=$(($(wc -l <"$T/trace/$b.trace.csv") - 1))
    check "$b.trace.csv has one row per frame ($rows rows, $frames frames)" '[ "$rows" = "$frames" ]'
    # annotated video: decodes, same frame count and size as the source
    read -r sf _ sw sh _ < <(hd_probe "$v")
    if read -r af _ aw ah _ < <(hd_probe "$T/ann/$b.annotated.mp4" 2>/dev/null); then
        check "$b.annotated.mp4 decodes with the source's $sf frames (has $af) and ${sw}x$sh size (has ${aw}x$ah)" \
            '[ "$af" = "$sf" ] && [ "$aw" = "$sw" ] && [ "$ah" = "$sh" ]'
        check "$b.json frames ($frames) = the source's ($sf)" '[ "$frames" = "$sf" ]'
    else
        fail "$b.annotated.mp4 does not decode with ffprobe"
    fi
done
[ "$total_reps" -gt 0 ] || fail "no reps in either exercise clip: the CSV rows could not be compared"

echo "== a clip with no step among them"
mkdir "$T/json5"
hd_run analyze "${videos[0]}" "$T/clips/grey.mp4" --json "$T/json5"
check "exit 5 and one line on stderr for the grey clip" \
    '[ "$HD_RC" = 5 ] && [ "$(hd_stderr_lines)" = 1 ] && grep -q grey.mp4 "$HD_ERR"'
check "both summaries written" '[ -f "$T/json5/${bases[0]}.json" ] && [ -f "$T/json5/grey.json" ]'

echo "== a missing output folder"
mkdir "$T/json2"
hd_run analyze "${videos[@]}" --json "$T/json2" --csv "$T/no_such_folder"
check "exit 6 with one line naming the folder" \
    'hd_no_crash && [ "$HD_RC" = 6 ] && [ "$(hd_stderr_lines)" = 1 ] && grep -q no_such_folder "$HD_ERR"'
check "nothing written to the other folder" '[ -z "$(ls -A "$T/json2")" ]'
check "the missing folder was not created" '[ ! -e "$T/no_such_folder" ]'
: >"$T/a_file"
hd_run analyze "${videos[@]}" --trace "$T/a_file" --json "$T/json2"
check "--trace naming a file, not a folder: exit 6, nothing written" \
    '[ "$HD_RC" = 6 ] && [ -z "$(ls -A "$T/json2")" ] && [ ! -s "$T/a_file" ]'

echo "== a missing video among several"
mkdir "$T/json3"
hd_run analyze "${videos[0]}" "$T/clips/missing.mp4" "${videos[1]}" --json "$T/json3"
check "exit 3 with one line naming the missing video" \
    'hd_no_crash && [ "$HD_RC" = 3 ] && [ "$(hd_stderr_lines)" = 1 ] && grep -q missing.mp4 "$HD_ERR"'
got=$(ls -A "$T/json3" | sort | tr '\n' ' ')
want=$(printf '%s.json\n' "${bases[@]}" | sort | tr '\n' ' ')
check "the other two clips are still analysed (folder holds: $got)" '[ "$got" = "$want" ]'

hd_finish
