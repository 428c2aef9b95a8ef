#!/usr/bin/env python3
"""compare_live.py LIVE.json ANALYZE.json DROPPED - do a live session and an analysis agree?

The issue's rule: the same generated clip played live (through the emulated camera, or as
--source at its own pace) and analysed offline gives the same reps: equal count, times
within one frame. That holds when the live run processed every frame. When frames were
dropped or skipped (DROPPED > 0: the machine did not keep pace), or the camera's stream
began a few frames into the clip (the loop took its first frame late), the tracker saw
different input, so the differences are printed for information and the exit status is 3.
Exit 0: agree; 1: disagree although no frame was dropped; 3: not comparable strictly.
"""
import json
import sys

live = json.load(open(sys.argv[1]))
off = json.load(open(sys.argv[2]))
dropped = int(sys.argv[3])
frame = 1.0 / (off.get("fps") or 30.0) + 0.005  # one frame plus the summaries' rounding
keys = ("t_descent_start", "t_bottom", "t_hold_end", "t_top")
a, b = live["reps"], off["reps"]
print("reps: live %d, analyze %d; frames dropped or skipped live: %d" % (len(a), len(b), dropped))
worst = 0.0
for x, y in zip(a, b):
    d = [abs(x[k] - y[k]) for k in keys]
    worst = max([worst] + d)
    print("  " + "  ".join("%s %.2f/%.2f" % (k[2:], x[k], y[k]) for k in keys))
print("largest time difference: %.3f s (one frame: %.3f s)" % (worst, frame))
ok = len(a) == len(b) and worst <= frame
# A camera streams from STREAMON: when the loop took its first frame late, the session's
# t = 0 is a few frames into the clip and every time is shifted by that much. Such a run
# saw other input too (the first frames are missing), like a run that dropped frames.
starts = sorted(x["t_descent_start"] - y["t_descent_start"] for x, y in zip(a, b))
shift = starts[len(starts) // 2] if starts else 0.0
if abs(shift) > frame / 2:
    print("the live stream starts %.3f s into the clip (%.1f frames missed at the start)"
          % (-shift, -shift * (off.get("fps") or 30.0)))
if dropped > 0 or abs(shift) > frame / 2:
    sys.exit(0 if ok else 3)
sys.exit(0 if ok else 1)
