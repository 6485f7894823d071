"""How the cost of a full-batch epoch grows with the work, beside the hardware's limit.

Two sweeps, float32 and float64, full-batch gradient descent on two moons
(sigmoid network, BCE), every implementation called as in ``run.py``:

- against N: 2-64-64-1, N = 1,000 ... 1,000,000;
- against width: 2-w-w-1, w = 16 ... 1024, N = 10,000.

A point is a slope: every implementation trains two fits, of e and of 2e
epochs (after an untimed fit of e: the first fit after another implementation's
runs on cold caches and threads), and the seconds per epoch are
``(t(2e) - t(e)) / e``, so what a fit
pays once (building the model, the first epoch's page faults on fresh
arrays, lucidnet's overflow test, scikit-learn's checks) cancels out; e is the
same for every implementation, chosen so that the e-epoch fit takes about
``--budget`` seconds on lucidnet's estimated speed (at least 2 epochs).  What
cancels is reported beside it: the fixed cost ``2 t(e) - t(2e)`` of a fit.
The implementations take turns in every repeat and each figure is the median
of the repeats (two rounds only where a round took more than 30 s: a slope
from one round alone was seen off by half of itself); JAX
compiles before the clock starts.  The
``np.matmul`` peak (1024 x 1024, best of 3) is measured in the same process
at every round of every point, beside the implementations (the best of the
point's rounds is used: on a shared machine the peak moves with the load);
the peak line is the time those matrix products (``common.train_flops``)
would take at that peak, the floor no implementation of these equations can
beat on this machine at that moment.

Usage (from the repository root; a few minutes)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=src \\
        python benchmarks/sweep.py --json benchmarks/results/sweep.json \\
            --markdown benchmarks/results/sweep.md --chart-dir docs
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402
import jax_peer  # noqa: E402
import workloads as wl  # noqa: E402
from run import _load_torch  # noqa: E402

LR = 0.5
N_POINTS = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
WIDTHS = (16, 32, 64, 128, 256, 512, 1024)
WIDTH_N = 10_000
IMPLS = ("lucidnet", "sklearn", "torch", "jax", "jax-fori")
COLORS = {"lucidnet": "#222222", "sklearn": "#4c72b0", "torch": "#dd8452", "jax": "#55a868",
          "jax-fori": "#8172b3"}


def prepare(impl, X, y, sizes, dtype, epochs, torch=None, jax=None):
    """``run()`` training ``impl`` for ``epochs`` full-batch epochs (set-up done, untimed)."""
    if impl == "lucidnet":
        return wl.lucid_full_batch(X, y, sizes, dtype, epochs, LR)[0]
    if impl == "sklearn":
        return wl.sk_full_batch(X, y, sizes, dtype, epochs, LR)[0]
    if impl == "torch":
        return wl.torch_full_batch(torch, X, y, sizes, dtype, epochs, LR,
                                   wl.initial_weights(sizes))[0]
    return jax_peer.full_batch(jax, X, y, wl._lucid_net(sizes, "float64"), dtype, epochs, LR,
                               idiom=impl)[0]


def _epochs_for(sizes, N, peak, budget):
    """Epochs for about ``budget`` seconds: products at 40% of the peak, plus 0.2 ms of
    per-epoch overhead and 40 passes over the largest (d, N) array at 5 GB/s."""
    est = common.train_flops(sizes, N) / (0.4 * peak * 1e9) + 2e-4 + \
        40 * max(sizes) * N * 4 / 5e9
    return int(min(200, max(2, round(budget / est))))


def point(sizes, N, dtype, impls, peak, budget, repeats, torch, jax, max_seconds=30.0):
    """Seconds per epoch of every implementation at one size, as the slope between a fit
    of e epochs and one of 2e (interleaved repeats), and each fit's fixed cost."""
    X, y = common.moons(N)
    epochs = _epochs_for(sizes, N, peak, budget)
    runs = {}
    compile_s = {}
    for impl in impls:
        t0 = time.perf_counter()
        runs[impl] = (prepare(impl, X, y, sizes, dtype, epochs, torch, jax),
                      prepare(impl, X, y, sizes, dtype, 2 * epochs, torch, jax))
        if impl.startswith("jax"):
            compile_s[impl] = time.perf_counter() - t0
    times = {impl: [] for impl in impls}
    fixed = {impl: [] for impl in impls}
    peaks = []
    for rep in range(repeats):
        spent = 0.0
        peaks.append(common.matmul_peak(dtype, n=1024, repeats=3))  # the peak of these moments
        for impl in impls:
            short, long = runs[impl]
            # The first fit after another implementation's is slower (its caches and
            # threads are cold): an untimed short fit first, then both, timed, warm.
            spent += common.timed(short)[0]
            t_long = common.timed(long)[0]
            t_short = common.timed(short)[0]
            times[impl].append((t_long - t_short) / epochs)   # the slope: s per epoch
            fixed[impl].append(2 * t_short - t_long)          # what one fit pays once
            spent += t_short + t_long
        if rep >= 1 and spent > max_seconds:   # a large point: two rounds are all the time allows
            break
    flops = common.train_flops(sizes, N)
    peak_here = max(peaks)
    return {"sizes": sizes, "N": N, "dtype": dtype, "epochs": epochs, "flops": flops,
            "peak_gflops": peak_here, "peak_s": flops / (peak_here * 1e9),
            "compile_s": compile_s,
            "s_per_epoch": {impl: common.median(t) for impl, t in times.items()},
            "fixed_s": {impl: common.median(t) for impl, t in fixed.items()},
            "times": times}


def sweep(kind, dtype, impls, peak, budget, repeats, torch, jax, quick=False, saved=None):
    if kind == "N":
        grid = [(([2, 64, 64, 1]), n) for n in (N_POINTS[:3] if quick else N_POINTS)]
    else:
        grid = [([2, w, w, 1], WIDTH_N if not quick else 1000)
                for w in (WIDTHS[:3] if quick else WIDTHS)]
    rows = []
    for sizes, N in grid:
        row = point(sizes, N, dtype, impls, peak, budget, repeats, torch, jax)
        rows.append({"sweep": kind, **row})
        if saved is not None:          # every point is kept as soon as it is measured
            saved(rows)
        print(f"[{kind} {dtype}] {sizes} N={N}: " + ", ".join(
            f"{impl} {1e3 * s:.3g} ms" for impl, s in row["s_per_epoch"].items()) +
            f"; peak line {1e3 * row['peak_s']:.3g} ms", flush=True)
    return rows


def _x(row):
    return row["N"] if row["sweep"] == "N" else row["sizes"][1]


def crossovers(rows, impls) -> list[str]:
    """Where one implementation overtakes another along a sweep (same dtype)."""
    out = []
    for a in impls:
        for b in impls:
            if a >= b:
                continue
            ratio = [r["s_per_epoch"][b] / r["s_per_epoch"][a] for r in rows]  # > 1: a faster
            for i in range(1, len(rows)):
                if (ratio[i - 1] - 1) * (ratio[i] - 1) < 0:
                    fast, slow = (a, b) if ratio[i] > 1 else (b, a)
                    out.append(f"{fast} overtakes {slow} between {_x(rows[i - 1]):,} and "
                               f"{_x(rows[i]):,}")
    return out


def markdown(res) -> str:
    out = []
    for kind, title in (("N", "seconds per epoch against N (2-64-64-1)"),
                        ("width", f"seconds per epoch against width (2-w-w-1, N = "
                                  f"{res['width_n']:,})")):
        for dtype in res["dtypes"]:
            rows = [r for r in res["rows"] if r["sweep"] == kind and r["dtype"] == dtype]
            if not rows:
                continue
            impls = list(rows[0]["s_per_epoch"])
            out += [f"#### {dtype}: {title}", "",
                    "| " + ("N" if kind == "N" else "width") + " | e, 2e epochs | " +
                    " | ".join(f"{i} (ms)" for i in impls) + " | peak line (ms) | lucidnet "
                    "% of peak | lucidnet fixed cost of a fit (ms) |",
                    "|" + "---|" * (len(impls) + 5)]
            for r in rows:
                s = r["s_per_epoch"]
                out.append(f"| {_x(r):,} | {r['epochs']}, {2 * r['epochs']} | " +
                           " | ".join(f"{1e3 * s[i]:.3g}" for i in impls) +
                           f" | {1e3 * r['peak_s']:.3g} | "
                           f"{100 * r['peak_s'] / s['lucidnet']:.0f} | "
                           f"{1e3 * r['fixed_s']['lucidnet']:.3g} |")
            out += ["", "Crossings: " + ("; ".join(crossovers(rows, impls)) or "none") + ".", ""]
    return "\n".join(out)


def chart(res, kind, path):
    """Log-log chart of one sweep, one panel per dtype, with the peak line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(res["dtypes"]), figsize=(11, 4.4), squeeze=False)
    for ax, dtype in zip(axes[0], res["dtypes"]):
        rows = [r for r in res["rows"] if r["sweep"] == kind and r["dtype"] == dtype]
        if not rows:
            continue
        xs = [_x(r) for r in rows]
        for impl in rows[0]["s_per_epoch"]:
            ax.loglog(xs, [r["s_per_epoch"][impl] for r in rows], "o-", ms=3.5,
                      color=COLORS.get(impl, "grey"), label=impl)
        ax.loglog(xs, [r["peak_s"] for r in rows], "k--", lw=1,
                  label=f"np.matmul peak of the same rounds (best "
                        f"{res['peak_gflops'][dtype]:.0f} GFLOP/s)")
        ax.set_xlabel("N (examples)" if kind == "N" else "units per hidden layer")
        ax.set_ylabel("seconds per epoch")
        ax.set_title(f"{dtype}: " + ("2-64-64-1" if kind == "N" else
                                     f"2-w-w-1, N = {res['width_n']:,}"))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("full-batch epoch (slope between fits of e and 2e epochs), same run; "
                 "dashed: the products alone at the matmul peak")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="three tiny points per sweep (smoke)")
    p.add_argument("--sweeps", default="N,width")
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--impls", default=",".join(IMPLS))
    p.add_argument("--budget", type=float, default=0.15, help="seconds per timed fit")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--one-thread", action="store_true",
                   help="every library on one thread (a shared, loaded machine)")
    p.add_argument("--json", default=None)
    p.add_argument("--markdown", default=None)
    p.add_argument("--chart-dir", default=None, help="write sweep_n.png, sweep_width.png here")
    args = p.parse_args(argv)
    impls = [i for i in args.impls.split(",") if i]
    if args.one_thread:
        common.one_thread()
    torch = _load_torch("torch" in impls)
    jax = jax_peer.load(any(i.startswith("jax") for i in impls))
    if args.one_thread:
        common.one_thread(torch)
    impls = [i for i in impls if not (i == "torch" and torch is None)
             and not (i.startswith("jax") and jax is None)]
    dtypes = args.dtypes.split(",")
    n_peak = 256 if args.quick else 2048
    peaks = {d: common.matmul_peak(d, n=n_peak) for d in dtypes}
    res = {"env": {**common.environment(torch, jax),
                   "threads": "one" if args.one_thread else "default"}, "dtypes": dtypes, "impls": impls,
           "width_n": 1000 if args.quick else WIDTH_N, "rows": []}
    def saved(rows):
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps({**res, "rows": res["rows"] + rows}, indent=1))

    for dtype in dtypes:    # warm-up: each library's first call pays its lazy set-up
        point([2, 16, 16, 1], 1000, dtype, impls, peaks[dtype], 0.01, 1, torch, jax)
    for kind in args.sweeps.split(","):
        for dtype in dtypes:
            res["rows"] += sweep(kind, dtype, impls, peaks[dtype], args.budget, args.repeats,
                                 torch, jax, args.quick, saved)
    after = {d: common.matmul_peak(d, n=n_peak) for d in dtypes}
    res["peak_gflops_before_after"] = {d: (peaks[d], after[d]) for d in dtypes}
    res["peak_gflops"] = {d: max(r["peak_gflops"] for r in res["rows"] if r["dtype"] == d)
                          for d in dtypes}
    text = markdown(res)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.chart_dir:
        for kind in args.sweeps.split(","):
            chart(res, kind, Path(args.chart_dir) / f"sweep_{kind.lower()}.png")
    return res


if __name__ == "__main__":
    main()
