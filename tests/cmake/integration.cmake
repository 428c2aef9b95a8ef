# Integration: the heeldrop program end to end, driven by bash scripts in
# tests/integration/ (helpers in lib.sh). They generate their inputs at run time (ffmpeg
# test sources, heeldrop synth) in a temporary folder, need ffmpeg, ffprobe and python3,
# and exit 77 (skipped) when something they need is missing. In a normal build each takes
# under a minute on 2 cores (none needs `slow`); the timeouts leave room for the sanitizer
# build, in which generating clips is about five times slower.
hd_add_script_test(integ_bad_input SCRIPT integration/bad_input.sh LABELS integration TIMEOUT 180)
hd_add_script_test(integ_sample SCRIPT integration/sample.sh LABELS integration TIMEOUT 180)
hd_add_script_test(integ_golden SCRIPT integration/golden.sh LABELS integration TIMEOUT 480)
hd_add_script_test(integ_multi SCRIPT integration/multi.sh LABELS integration TIMEOUT 360)
hd_add_script_test(integ_formats SCRIPT integration/formats.sh LABELS integration TIMEOUT 480)
