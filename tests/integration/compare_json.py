#!/usr/bin/env python3
"""compare_json.py - compares an analysis summary JSON with its golden file, with tolerances.

usage: compare_json.py [options] GOLDEN ACTUAL

Field names and their order must match exactly at every level, lists must have the same
length (so rep counts are exact), strings, booleans and nulls must be equal, and numbers
must agree within a tolerance chosen by the field's name:

  times    t_* and *_s (seconds)            +-0.15       --time-tol
  heights  *_mm (millimetres)               +-5          --mm-tol
  step_edge_px coordinates (pixels)         +-4          --px-tol
  mm_per_px                                 +-3 %        --scale-tol (relative)
  lost_share                                +-0.02       --share-tol
  fps                                       +-0.1 %
  everything else, and all of "settings"    exact (counts, indexes, sets, frames)

Prints one line per difference ("path: golden G, actual A") and exits 0 when there is
none, 1 when there are differences, 2 on bad usage or an unreadable file. Python 3.7 or
later (dicts keep the file's key order); only the standard library.
"""
import argparse
import json
import math
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(description="compare a summary JSON with its golden file")
    p.add_argument("golden")
    p.add_argument("actual")
    p.add_argument("--time-tol", type=float, default=0.15)
    p.add_argument("--mm-tol", type=float, default=5.0)
    p.add_argument("--px-tol", type=float, default=4.0)
    p.add_argument("--scale-tol", type=float, default=0.03)
    p.add_argument("--share-tol", type=float, default=0.02)
    p.add_argument("--ignore", action="append", default=[],
                   help="a field name to skip wherever it occurs (repeatable)")
    return p.parse_args(argv)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"compare_json: cannot read {path}: {e}", file=sys.stderr)
        sys.exit(2)


class Comparer:
    def __init__(self, opts):
        self.o = opts
        self.diffs = []

    def tolerance(self, path):
        """(absolute, relative) tolerance for a number at path (a list of keys/indexes)."""
        keys = [k for k in path if isinstance(k, str)]
        if "settings" in keys:
            return 0.0, 0.0
        key = keys[-1] if keys else ""
        if "step_edge_px" in keys:
            return self.o.px_tol, 0.0
        if key == "mm_per_px":
            return 0.0, self.o.scale_tol
        if key == "lost_share":
            return self.o.share_tol, 0.0
        if key == "fps":
            return 0.0, 0.001
        if key.startswith("t_") or key.endswith("_s"):
            return self.o.time_tol, 0.0
        if key.endswith("_mm"):
            return self.o.mm_tol, 0.0
        return 0.0, 0.0

    def diff(self, path, msg):
        self.diffs.append(f"{fmt_path(path)}: {msg}")

    def compare(self, g, a, path):
        if isinstance(g, bool) or isinstance(a, bool):
            if g is not a:
                self.diff(path, f"golden {dump(g)}, actual {dump(a)}")
        elif is_number(g) and is_number(a):
            self.compare_numbers(g, a, path)
        elif isinstance(g, dict) and isinstance(a, dict):
            self.compare_objects(g, a, path)
        elif isinstance(g, list) and isinstance(a, list):
            if len(g) != len(a):
                self.diff(path, f"golden has {len(g)} entries, actual {len(a)}")
                return
            for i, (x, y) in enumerate(zip(g, a)):
                self.compare(x, y, path + [i])
        elif g != a or type(g) is not type(a):
            self.diff(path, f"golden {dump(g)}, actual {dump(a)}")

    def compare_numbers(self, g, a, path):
        abs_tol, rel_tol = self.tolerance(path)
        allowed = max(abs_tol, rel_tol * abs(g))
        if not math.isfinite(g) or not math.isfinite(a):
            ok = g == a
        else:
            ok = abs(g - a) <= allowed + 1e-9
        if not ok:
            tol = f" (allowed +-{allowed:g})" if allowed else " (must be equal)"
            self.diff(path, f"golden {dump(g)}, actual {dump(a)}{tol}")

    def compare_objects(self, g, a, path):
        gk = [k for k in g if k not in self.o.ignore]
        ak = [k for k in a if k not in self.o.ignore]
        if gk != ak:
            missing = [k for k in gk if k not in a]
            extra = [k for k in ak if k not in g]
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if extra:
                parts.append("extra " + ", ".join(extra))
            if not parts:
                parts.append(f"order differs: golden {gk}, actual {ak}")
            self.diff(path, "fields differ: " + "; ".join(parts))
        for k in gk:
            if k in a:
                self.compare(g[k], a[k], path + [k])


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def dump(x):
    return json.dumps(x)


def fmt_path(path):
    out = ""
    for k in path:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else k)
    return out or "(top)"


def main(argv):
    opts = parse_args(argv)
    golden, actual = load(opts.golden), load(opts.actual)
    c = Comparer(opts)
    c.compare(golden, actual, [])
    for d in c.diffs:
        print(d)
    if c.diffs:
        print(f"{len(c.diffs)} difference(s) between {opts.golden} and {opts.actual}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
