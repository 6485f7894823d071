"""Peak memory as the batch grows: lucidnet and each peer, one child process each.

Full-batch training of 2-64-64-1 on two moons (the sweep of ``sweep.py``),
N = 1,000 ... 1,000,000, float32 and float64.  Each child process imports
its library, makes the data and the model's set-up (JAX compiles), then
resets the kernel's peak-RSS mark and trains; it reports its peak RSS, the
RSS before training, and the part the training itself added (peak minus
before).  That last figure is also given in units of one ``(64, N)`` array of
the dtype: how many arrays of a hidden layer's size the implementation holds
at its peak.

``lucidnet`` trains with ``print_every=0``, as the speed benchmarks do;
``lucidnet-printing`` leaves ``fit``'s default print checkpoints on
(``print_every=100``), so the cost J over all N examples is evaluated after
epoch 0, as a user's plain ``net.fit(X.T, y)`` does; ``lucidnet-score`` then
calls ``net.loss(X.T, y)`` and ``net.score(X.T, y)`` over all N (the README's
next line is ``net.score(X.T, y)``).

Growth from epoch to epoch is measured two ways: lucidnet's child reads its
RSS after every epoch (a callback) and reports the largest rise after epoch
1; and at two sizes every implementation trains once for 3 and once for 9
epochs in separate children, so the difference of the two peaks is the growth
over 6 more epochs, whatever the library (0 means none).

Usage (from the repository root; a few minutes)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=src \\
        python benchmarks/memory_sweep.py --json benchmarks/results/memory_sweep.json \\
            --markdown benchmarks/results/memory_sweep.md --chart docs/memory_sweep.png
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402

N_POINTS = (1_000, 10_000, 100_000, 300_000, 1_000_000)
GROWTH_N = (100_000, 1_000_000)
IMPLS = ("lucidnet", "lucidnet-printing", "lucidnet-score", "sklearn", "torch", "jax")
SIZES = [2, 64, 64, 1]
COLORS = {"lucidnet": "#222222", "lucidnet-printing": "#999999", "lucidnet-score": "#bbbbbb",
          "sklearn": "#4c72b0", "torch": "#dd8452", "jax": "#55a868"}


def child(spec: str) -> dict:
    """Train one implementation once in this process; return its memory figures."""
    import jax_peer
    import sweep
    import workloads as wl
    from run import _load_torch

    impl, N, dtype, epochs = spec.split(":")
    N, epochs = int(N), int(epochs)
    torch = _load_torch(True) if impl == "torch" else None
    jax = jax_peer.load(True) if impl == "jax" else None
    if (impl == "torch" and torch is None) or (impl == "jax" and jax is None):
        return {"skipped": True}
    X, y = common.moons(N)
    if impl == "lucidnet-printing":  # fit's default print_every=100: J at epoch 0
        run = wl.lucid_full_batch(X, y, SIZES, dtype, epochs, sweep.LR, print_every=100)[0]
    elif impl == "lucidnet-score":   # the same, then net.loss and net.score over all N
        fit, evaluate = wl.lucid_full_batch(X, y, SIZES, dtype, epochs, sweep.LR,
                                            print_every=100)

        def run():
            net = fit()
            evaluate(net)
            return net
    else:
        run = sweep.prepare(impl, X, y, SIZES, dtype, epochs, torch, jax)
    samples = []
    if impl.startswith("lucidnet"):
        run = _with_rss_probe(run, samples)
    reset_ok = common.reset_peak_rss()
    base = common.rss_mib()
    run()
    peak = common.peak_rss_mib()
    return {"peak_rss_mib": peak, "base_rss_mib": base,
            "workload_mib": peak - base if reset_ok else None,
            "epoch_growth_mib": max(samples[1:]) - samples[0] if len(samples) > 1 else None}


def _with_rss_probe(run, samples):
    """``run`` with a callback on every ``fit`` that appends the RSS after each epoch."""
    from lucidnet import network
    from lucidnet.training import Callback

    class Probe(Callback):
        def on_epoch_end(self, info):
            samples.append(common.rss_mib())

    def probed():
        original = network.NeuralNetwork.fit

        def fit(self, *a, **kw):
            return original(self, *a, **{**kw, "callbacks": [Probe()]})
        network.NeuralNetwork.fit = fit
        try:
            return run()
        finally:
            network.NeuralNetwork.fit = original
    return probed


def measure(impl, N, dtype, epochs):
    spec = f"{impl}:{N}:{dtype}:{epochs}"
    proc = subprocess.run([sys.executable, __file__, "--child", spec], capture_output=True,
                          text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {spec} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"[memory] {spec}: {out}", flush=True)
    return None if out.get("skipped") else {"impl": impl, "N": N, "dtype": dtype,
                                             "epochs": epochs, **out}


def arrays(row) -> float | None:
    """The training's own memory in units of one (64, N) array of the dtype."""
    if row.get("workload_mib") is None:
        return None
    one = 64 * row["N"] * np.dtype(row["dtype"]).itemsize / 2**20
    return row["workload_mib"] / one


def markdown(res) -> str:
    out = ["| dtype | N | " + " | ".join(f"{i}: peak RSS / training's own (MiB) [in (64, N) "
                                        "arrays]" for i in res["impls"]) + " |",
           "|" + "---|" * (len(res["impls"]) + 2)]
    rows = [r for r in res["rows"] if r["epochs"] == 3]
    for dtype in res["dtypes"]:
        for N in res["N"]:
            cells = []
            for impl in res["impls"]:
                r = next((r for r in rows if (r["impl"], r["N"], r["dtype"]) ==
                          (impl, N, dtype)), None)
                a = arrays(r) if r else None
                cells.append("-" if r is None else
                             f"{r['peak_rss_mib']:.0f} / {r['workload_mib']:.0f} "
                             f"[{a:.1f}]" if a is not None else f"{r['peak_rss_mib']:.0f}")
            out.append(f"| {dtype} | {N:,} | " + " | ".join(cells) + " |")
    out += ["", "Growth from epoch to epoch: peak RSS after 9 epochs minus after 3 "
            "(separate processes), MiB; lucidnet also after every epoch (callback).", "",
            "| dtype | N | " + " | ".join(res["impls"]) + " | lucidnet, largest rise after "
            "epoch 1 |", "|" + "---|" * (len(res["impls"]) + 3)]
    for dtype in res["dtypes"]:
        for N in res["growth_N"]:
            cells, probe = [], "-"
            for impl in res["impls"]:
                pair = {r["epochs"]: r for r in res["rows"]
                        if (r["impl"], r["N"], r["dtype"]) == (impl, N, dtype)}
                cells.append(f"{pair[9]['peak_rss_mib'] - pair[3]['peak_rss_mib']:+.1f}"
                             if {3, 9} <= set(pair) else "-")
                if impl == "lucidnet" and 9 in pair and pair[9]["epoch_growth_mib"] is not None:
                    probe = f"{pair[9]['epoch_growth_mib']:+.1f}"
            out.append(f"| {dtype} | {N:,} | " + " | ".join(cells) + f" | {probe} |")
    return "\n".join(out)


def chart(res, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(res["dtypes"]), figsize=(11, 4.4), squeeze=False)
    rows = [r for r in res["rows"] if r["epochs"] == 3]
    for ax, dtype in zip(axes[0], res["dtypes"]):
        for impl in res["impls"]:
            pts = sorted((r["N"], r["peak_rss_mib"]) for r in rows
                         if r["impl"] == impl and r["dtype"] == dtype)
            if pts:
                ax.loglog(*zip(*pts), "o-", ms=3.5, color=COLORS.get(impl, "grey"), label=impl)
        ns = np.array(res["N"], dtype=float)
        one = 64 * ns * np.dtype(dtype).itemsize / 2**20
        ax.loglog(ns, 4 * one, "k--", lw=1, label="4 arrays of (64, N)")
        ax.set_xlabel("N (examples)")
        ax.set_ylabel("peak RSS of the process (MiB)")
        ax.set_title(f"{dtype}: 2-64-64-1, full batch")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("peak memory against N, one process per implementation and size")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two tiny sizes (smoke)")
    p.add_argument("--impls", default=",".join(IMPLS))
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--json", default=None)
    p.add_argument("--markdown", default=None)
    p.add_argument("--chart", default=None)
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    ns = (1000, 3000) if args.quick else N_POINTS
    growth_n = (3000,) if args.quick else GROWTH_N
    res = {"env": common.environment(), "impls": args.impls.split(","),
           "dtypes": args.dtypes.split(","), "N": list(ns), "growth_N": list(growth_n),
           "rows": []}
    for dtype in res["dtypes"]:
        for N in ns:
            for impl in res["impls"]:
                for epochs in (3, 9) if N in growth_n else (3,):
                    row = measure(impl, N, dtype, epochs)
                    if row:
                        res["rows"].append(row)
    res["impls"] = [i for i in res["impls"] if any(r["impl"] == i for r in res["rows"])]
    text = markdown(res)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.chart:
        chart(res, args.chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
