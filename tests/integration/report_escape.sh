#!/usr/bin/env bash
# report_escape.sh - user text in a report is HTML-escaped (a note with <script> and
# quotes, a file name with markup, a folder name with quotes), and bad input gives one
# clear stderr line and the documented exit code.
#   usage (through ctest): report_escape.sh FIXTURE_EXE
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
hd_init
fixture=${1:?usage: report_escape.sh FIXTURE_EXE}
report_make_reports "$HD_TMP/out" "$fixture"
check "fixture reports written" '[ "$REPORT_FAILS" = 0 ]'

# the latest session's note: <script>alert('x')</script> "quoted" & 'single' <i>note</i>
# and a pain note <script>document.title='pwned'</script>
s="$HD_TMP/out/report-session.html"
check "session: no <script element" '! grep -qi "<script" "$s"'
esc_note='&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; '
esc_note+='&#39;single&#39; &lt;i&gt;note&lt;/i&gt;'
check "session: the note is shown escaped" 'grep -qF "$esc_note" "$s"'
check "session: the pain note is shown escaped" \
    'grep -qF "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" "$s"'
check "session: no raw <i> from the note" '! grep -qF "<i>note</i>" "$s"'
w="$HD_TMP/out/report-week.html"
check "week: no <script element, no raw <b>" '! grep -qiE "<script|<b>tight" "$w"'
check "week: the other note is escaped" \
    'grep -qF "Backpack 5 kg, felt &quot;fine&quot; &amp; steady" "$w"'

# an analysis folder whose name and video name carry markup and quotes
odd="$HD_TMP/a<b>\"c\"'d"
mkdir -p "$odd"
cp "$HD_SRC/tests/golden/report-input/trace.csv" "$odd/"
sed 's|"source":[^,]*,|"source": "clips/<script>alert(\\"x\\")</script>\&'"'"'q'"'"'.mp4",|' \
    "$HD_SRC/tests/golden/report-input/summary.json" >"$odd/summary.json"
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$odd"
check "odd folder: exit 0" '[ "$HD_RC" = 0 ]'
r="$odd/report.html"
check "odd folder: no <script element" '! grep -qi "<script" "$r"'
check "odd folder: the video name is escaped" \
    'grep -qF "clips/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;q&#39;.mp4" "$r"'
check "odd folder: the folder name is escaped" 'grep -qF "a&lt;b&gt;&quot;c&quot;&#39;d" "$r"'

# bad input: one stderr line each, documented exit codes
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$HD_TMP/no-such-session"
check "missing session: exit 3, one line" '[ "$HD_RC" = 3 ] && [ "$(wc -l <"$HD_ERR")" = 1 ]'
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report 20990101-000000
check "unknown session id: exit 3" '[ "$HD_RC" = 3 ] && grep -q "no session" "$HD_ERR"'
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report --week
check "--week without a database: exit 3, says so" \
    '[ "$HD_RC" = 3 ] && grep -q "no session database" "$HD_ERR"'
check "--week without a database creates none" '[ ! -e "$HD_TMP/empty-data/heeldrop/heeldrop.db" ]'
XDG_DATA_HOME="$REPORT_DATA" hd_run report --week 20250105-071000
check "SESSION and --week together: exit 2" '[ "$HD_RC" = 2 ]'
XDG_DATA_HOME="$REPORT_DATA" hd_run report --frobnicate
check "unknown option: exit 2" '[ "$HD_RC" = 2 ] && [ "$(wc -l <"$HD_ERR")" = 1 ]'
XDG_DATA_HOME="$REPORT_DATA" hd_run report --out "$HD_TMP/no/such/dir/r.html"
check "unwritable --out: exit 6, one line" '[ "$HD_RC" = 6 ] && [ "$(wc -l <"$HD_ERR")" = 1 ]'
bad="$HD_TMP/bad"
mkdir -p "$bad"
echo '{"reps": [ {"index": ' >"$bad/summary.json"
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$bad"
check "corrupt summary.json: exit 4, one line" '[ "$HD_RC" = 4 ] && [ "$(wc -l <"$HD_ERR")" = 1 ]'
check "corrupt summary.json: no report left" '[ ! -e "$bad/report.html" ]'
mkdir -p "$HD_TMP/emptydir"
XDG_DATA_HOME="$HD_TMP/empty-data" hd_run report "$HD_TMP/emptydir"
check "folder without summary or trace: exit 3" '[ "$HD_RC" = 3 ]'
hd_finish
