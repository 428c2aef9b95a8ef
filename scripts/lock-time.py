#!/usr/bin/env python3
"""lock-time.py OUT_DIR - how soon the tracker locks on, from a scripts/accuracy.sh folder.

For every clip with exercise in OUT_DIR (OUT_DIR/truth/NAME.truth.{json,csv} and
OUT_DIR/analysis/NAME.json), compares the analysis's tracking.locked_s (the stream time at
which the tracker first found the scene) with the moment the truth's heel first moves 10 mm
from where it started (the tracker needs the foot to move before it can find it). Prints
each clip and the share that locked within 3 s of that moment (issue 3: "with a good view it
locks on within 3 s"). Locked does not mean right: see `heeldrop score` for that.

    scripts/accuracy.sh --eval --out out/eval && scripts/lock-time.py out/eval
"""
import csv
import glob
import json
import os
import sys


def first_move(trace):
    h0 = None
    for r in csv.DictReader(open(trace)):
        if not r["heel_mm"] or r.get("visible", "1") == "0":
            continue
        h = float(r["heel_mm"])
        if h0 is None:
            h0 = h
        if abs(h - h0) > 10:
            return float(r["t"])
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    delays, never = [], []
    for tj in sorted(glob.glob(os.path.join(out, "truth", "*.truth.json"))):
        name = os.path.basename(tj)[: -len(".truth.json")]
        if json.load(open(tj))["totals"]["reps"] == 0:
            continue
        aj = os.path.join(out, "analysis", name + ".json")
        moved = first_move(os.path.join(out, "truth", name + ".truth.csv"))
        locked = json.load(open(aj)).get("tracking", {}).get("locked_s") if os.path.exists(aj) else None
        if locked is None or moved is None:
            never.append(name)
            print("%-12s never locked" % name)
            continue
        delays.append(locked - moved)
        print("%-12s heel moves at %6.2f s, locked at %6.2f s: %+6.2f s" % (name, moved, locked, locked - moved))
    n = len(delays) + len(never)
    late = sorted(d for d in delays if d > 3.0)
    med = sorted(delays)[len(delays) // 2] if delays else float("nan")
    print("clips with exercise: %d; locked within 3 s of the first movement: %d (median %.1f s); "
          "later: %d %s; never: %d" % (n, len(delays) - len(late), med, len(late),
                                      [round(d, 1) for d in late], len(never)))


main()
