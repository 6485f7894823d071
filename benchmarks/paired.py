"""Before/after a change: lucidnet from two source trees, timed in alternating pairs.

Usage (from the repository root, the old commit checked out in a second worktree,
e.g. ``git worktree add --detach ../before <commit>``)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        python benchmarks/paired.py --old ../before/src --new src --pairs 7

Each timed run is a fresh process with one tree's ``src`` first on the path; both
trees are called through the same user code (``workloads.py`` of this tree: the
README's ``NeuralNetwork(...).fit(X.T, y)``), so a difference is the library's.
Within a pair the order alternates (old-new, then new-old), so load from other
processes on a shared machine hits both alike; the figure per workload and dtype
is the median of the pairs' ratios new/old (below 1: the new tree is faster), with
the ratio of the fastest runs beside it (on a loaded machine the least disturbed).

Sizes: R as in the suite (moons N=1000, 2-16-32-1, 2000 epochs); S at N=20,000
(2-256-256-1, 3 epochs) so a pair takes seconds, yet its arrays (256 x 20,000)
still take the large-array paths; M with 20 epochs of batches of 32.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

SIZES = {"r_n": 1000, "r_epochs": 2000, "s_n": 20_000, "s_hidden": 256, "s_epochs": 3,
         "m_epochs": 20}


def _child(workload: str, dtype: str) -> None:
    """One timed run in this process (``--child``); prints its seconds as JSON."""
    sys.path.insert(0, str(HERE))
    import workloads as wl
    from common import timed

    sz = wl.Sizes(**SIZES)
    run, _ = wl.make("lucidnet", workload, dtype, sz)
    seconds, _ = timed(run)
    print(json.dumps({"seconds": seconds}))


def _timed_run(src: str, workload: str, dtype: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    out = subprocess.run([sys.executable, __file__, "--child", workload, dtype], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", help="the old tree's src directory")
    parser.add_argument("--new", help="the new tree's src directory")
    parser.add_argument("--workloads", default="R,S,M")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "DTYPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if not (args.old and args.new):
        parser.error("--old and --new are required")
    print("| workload | dtype | old s (median) | new s (median) | new/old (median of pairs) "
          "| new/old (fastest runs) |")
    print("|---|---|---|---|---|---|")
    for workload in args.workloads.split(","):
        for dtype in args.dtypes.split(","):
            old, new = [], []
            for i in range(args.pairs):
                order = (("old", args.old), ("new", args.new))
                for name, src in (order if i % 2 == 0 else order[::-1]):
                    (old if name == "old" else new).append(_timed_run(src, workload, dtype))
            ratio = statistics.median(n / o for o, n in zip(old, new))
            print(f"| {workload} | {dtype} | {statistics.median(old):.3f} | "
                  f"{statistics.median(new):.3f} | {ratio:.3f} | {min(new) / min(old):.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
