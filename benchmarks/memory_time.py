"""What the memory savings of 2026-12-03 cost in time, each measured in one process.

1. The cost J of a print checkpoint over all N columns at once, against in
   blocks.  ``fit`` evaluates J (and accuracy or R^2) at a print checkpoint,
   for validation, early stopping and callbacks; that pass now goes 4,096
   columns at a time (``lucidnet.training.passes.figures_in_batches``), which
   keeps the peak memory of a plain ``net.fit(X.T, y)`` at the training
   arrays' (``memory_sweep.py``'s ``lucidnet-printing``).  The single pass is
   what the loop did before (``forward_checked`` over all N, then the figures
   of that pass); both must give the same J.  2-64-64-1 on two moons.
2. A second ``fit`` on the same network after the first released its work
   arrays (``lucidnet.training.memory.release_work_arrays``: 64 MiB or more),
   against one that kept them: the page faults of allocating them again.
   Run S's network, 2-256-256-1 on 100,000 examples in float32 (492 MiB of
   work arrays), 5 epochs.

Usage (from the repository root)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=src \\
        python benchmarks/memory_time.py [--quick] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402


def compare(N: int, dtype: str, repeats: int) -> dict:
    """Median seconds of J over all N at once and in blocks, and their relative difference."""
    from lucidnet import Dense, Input, NeuralNetwork
    from lucidnet.training.passes import figures_in_batches, figures_of_last_forward

    X, y = common.moons(N)
    net = NeuralNetwork([Input("x", 2), Dense("h1", 64), Dense("h2", 64), Dense("out", 1)],
                        dtype=dtype)
    Xc, Y = net.check_inputs(X.T), net.check_targets(y, N)

    def at_once():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            net.forward_checked(Xc)
        return figures_of_last_forward(net, Y)

    def in_blocks():
        return figures_in_batches(net, Xc, Y)

    times = {"at_once": [], "in_blocks": []}
    for _ in range(repeats):
        for name, fn in (("at_once", at_once), ("in_blocks", in_blocks)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    J_once, J_blocks = at_once()[0], in_blocks()[0]
    return {"N": N, "dtype": dtype, **{k: float(np.median(v)) for k, v in times.items()},
            "J_rel_diff": abs(J_once - J_blocks) / abs(J_once)}


def refit(N: int, hidden: int, epochs: int, repeats: int) -> dict:
    """Median seconds of a second fit after the first released its work arrays, and kept."""
    from lucidnet import Dense, Input, NeuralNetwork, TrainingDiagnosis
    from lucidnet.training import memory

    X, y = common.moons(N)
    default = memory.KEEP_WORK_BYTES
    times = {"released": [], "kept": []}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingDiagnosis)  # 5 epochs: not learned yet
            for _ in range(repeats):
                for mode in times:
                    memory.KEEP_WORK_BYTES = default if mode == "released" else 1 << 62
                    net = NeuralNetwork([Input("x", 2), Dense("h1", hidden),
                                         Dense("h2", hidden), Dense("out", 1)],
                                        lr=0.5, dtype="float32")
                    net.fit(X.T, y, epochs=epochs, print_every=0)
                    t0 = time.perf_counter()
                    net.fit(X.T, y, epochs=epochs, print_every=0)
                    times[mode].append(time.perf_counter() - t0)
    finally:
        memory.KEEP_WORK_BYTES = default
    return {"N": N, "hidden": hidden, **{k: float(np.median(v)) for k, v in times.items()}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke)")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    ns = (1000, 10_000) if args.quick else (10_000, 100_000, 1_000_000)
    print("| N | dtype | all N at once (ms) | in blocks of 4,096 (ms) | blocks / at once "
          "| J, relative difference |\n|---|---|---|---|---|---|")
    rows = []
    for N in ns:
        for dtype in ("float32", "float64"):
            r = compare(N, dtype, args.repeats)
            rows.append(r)
            print(f"| {N:,} | {dtype} | {r['at_once'] * 1e3:.1f} | {r['in_blocks'] * 1e3:.1f} "
                  f"| {r['in_blocks'] / r['at_once']:.2f} | {r['J_rel_diff']:.1e} |", flush=True)
    N, hidden, epochs = (20_000, 64, 2) if args.quick else (100_000, 256, 5)
    r = refit(N, hidden, epochs, args.repeats)
    print(f"\nA second fit of {epochs} epochs (2-{hidden}-{hidden}-1, N = {N:,}, float32): "
          f"{r['released']:.3f} s after the work arrays were released, {r['kept']:.3f} s "
          f"with them kept ({r['released'] / r['kept']:.2f}x)", flush=True)
    rows.append(r)
    return rows


if __name__ == "__main__":
    main()
