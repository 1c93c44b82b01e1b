#!/usr/bin/env python3
"""The Python interpreter's speed against CPython on small workloads (reported, never asserted).

    Scripts/bench_python.py --run ".build/release/dspy-repl"     # any command that runs FILE.py
    Scripts/bench_python.py --run CMD --runs 5 --only loop

Each workload is written to a temporary FILE.py and run as `CMD FILE.py` and `python3 FILE.py`;
the table shows the median wall time of each and their ratio. Standard library only.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

WORKLOADS = {
    "genexpr_sum": "print(sum(i*i for i in range(10**6)))\n",
    "dict_str_loop": (
        "counts = {}\nparts = []\n"
        "for i in range(200000):\n"
        "    key = 'k' + str(i % 100)\n"
        "    counts[key] = counts.get(key, 0) + 1\n"
        "    if i % 1000 == 0:\n"
        "        parts.append(key.upper())\n"
        "print(len(counts), counts['k7'], len(','.join(parts)))\n"),
    "define_50_functions": "".join(
        f"def f{i}(a, b=1, *args, **kw):\n    x = a + b\n    return [x * {i} for _ in range(3)]\n"
        for i in range(50)) + "print(f49(1)[0])\n",
    "while_loop": "total = 0\ni = 0\nwhile i < 1000000:\n    total += i % 7\n    i += 1\nprint(total)\n",
    "recursive_calls": "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(25))\n",
    "function_calls": "def add(a, b):\n    return a + b\nt = 0\nfor i in range(500000):\n    t = add(t, i)\nprint(t)\n",
    "objects_methods": (
        "class P:\n    def __init__(self, x):\n        self.x = x\n    def get(self):\n        return self.x\n"
        "ps = [P(i) for i in range(100000)]\nt = 0\nfor p in ps:\n    t += p.get() + p.x\nprint(t)\n"),
    "list_comprehension_strings": (
        "words = ['alpha', 'beta', 'gamma'] * 50000\n"
        "out = [w.upper() for w in words if len(w) > 4]\nprint(len(out), sorted(set(out)))\n"),
}


def timed(argv):
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return elapsed, result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, help="command that runs a .py file (FILE is appended)")
    parser.add_argument("--python", default="python3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    print(f"{'workload':28} {'ours (s)':>9} {'cpython (s)':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in WORKLOADS.items():
            if args.only and not any(o in name for o in args.only):
                continue
            path = os.path.join(tmp, name + ".py")
            with open(path, "w") as f:
                f.write(source)
            ours, theirs = [], []
            for _ in range(args.runs):
                t, out = timed(shlex.split(args.run) + [path])
                ours.append(t)
                t2, expected = timed([args.python, path])
                theirs.append(t2)
                if out != expected:
                    print(f"  warning: {name} printed {out!r}, CPython {expected!r}")
            a, b = statistics.median(ours), statistics.median(theirs)
            print(f"{name:28} {a:9.3f} {b:12.3f} {a / b:6.2f}")


if __name__ == "__main__":
    main()
