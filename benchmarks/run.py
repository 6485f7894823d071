"""lucidnet's benchmark suite: lucidnet side by side with scikit-learn and PyTorch (CPU).

Usage (from the repository root; see BENCHMARKS.md)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=src \\
        python benchmarks/run.py [--quick] [--workloads R,S,M,G] [--repeats 5]
                                 [--dtypes float64,float32] [--no-memory] [--no-torch]
                                 [--no-jax] [--json PATH] [--markdown PATH] [--chart PATH]

Workloads (ISSUE 4):

- R  SPEC's reference run: moons N=1000, 2-16-32-1 sigmoid, BCE, full-batch
     gradient descent lr 1.0, 2000 epochs, through ``NeuralNetwork(...).fit``.
- S  scale: moons N=100,000, 2-256-256-1 sigmoid, full batch, 20 epochs;
     seconds/epoch and GFLOP/s beside the np.matmul peak (2048 x 2048).
- M  mini-batches: digits, 64-128-64-10 ReLU + softmax, Adam lr 1e-3,
     batch 32, 50 epochs; samples/s and test accuracy.
- G  gradient checks: cost of checking the reference network, in training
     steps, and the overhead of ``grad_check_every=199`` on run R.

PyTorch runs twice, with its default thread count and with one thread; the
ratios use the faster of the two.  JAX runs as a Python loop over a jitted
step (``jax``) and, for R, as one compiled ``lax.fori_loop`` (``jax-fori``);
its compile time is measured apart (``compile_s``) and kept out of the run.  Peak memory: one child process per
implementation, workload and dtype (``--child``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import numpy as np  # noqa: E402

import common  # noqa: E402
import jax_peer  # noqa: E402
import workloads as wl  # noqa: E402
from common import median, timed  # noqa: E402
from report import chart, markdown  # noqa: E402

IMPLS = ("lucidnet", "sklearn", "torch", "torch-1t", "jax", "jax-fori")


def _load_torch(enabled: bool):
    if not enabled:
        print("PyTorch disabled (--no-torch): skipping the PyTorch columns.")
        return None
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed (pip install 'lucidnet[bench]'): "
              "skipping the PyTorch columns.")
        return None
    return torch


class Threads:
    """Set PyTorch's intra-op thread count for one run (``torch-1t``: one thread)."""

    def __init__(self, torch, impl):
        self.torch, self.impl = torch, impl

    def __enter__(self):
        if self.torch is not None:
            self.saved = self.torch.get_num_threads()
            if self.impl == "torch-1t":
                self.torch.set_num_threads(1)

    def __exit__(self, *exc):
        if self.torch is not None:
            self.torch.set_num_threads(self.saved)


# ---------------------------------------------------------------- R, S, M


def bench_workload(workload, dtype, impls, sz, repeats, torch, warmup=True, jax=None):
    """Interleaved repeats of every implementation; one row per implementation."""
    impls = [impl for impl in impls if wl.supports(impl, workload)]
    times = {impl: [] for impl in impls}
    metrics = {impl: [] for impl in impls}
    first = 0 if warmup else 1
    for rep in range(first, repeats + 1):  # repeat 0 is a warm-up (imports, caches), not counted
        for impl in impls:
            run, evaluate = wl.make(impl, workload, dtype, sz, torch=torch, seed=rep, jax=jax)
            with Threads(torch if impl.startswith("torch") else None, impl):
                seconds, model = timed(run)
            if rep:
                times[impl].append(seconds)
                metrics[impl].append(evaluate(model))
    rows = []
    for impl in impls:
        m = metrics[impl]
        row = {"workload": workload, "dtype": dtype, "impl": impl, "times": times[impl],
               "median_s": median(times[impl])}
        for key in m[0]:
            row[key] = median([x[key] for x in m])
        rows.append(row)
    return rows


def annotate(rows, sz, peaks):
    """Add the derived figures: s/epoch, GFLOP/s, % of peak, samples/s."""
    for row in rows:
        t = row["median_s"]
        if row["workload"] == "R":
            row["s_per_epoch"] = t / sz.r_epochs
        elif row["workload"] == "S":
            row["s_per_epoch"] = t / sz.s_epochs
            flops = common.train_flops(wl.s_sizes(sz), sz.s_n) * sz.s_epochs
            row["gflops"] = flops / t / 1e9
            if row["dtype"] in peaks:
                row["peak_gflops"] = peaks[row["dtype"]]
                row["pct_of_peak"] = 100 * row["gflops"] / peaks[row["dtype"]]
        elif row["workload"] == "M":
            n_train = 1347  # 3/4 of the 1797 digits
            row["samples_per_s"] = n_train * sz.m_epochs / t
    by_key = {}
    for row in rows:
        by_key.setdefault((row["workload"], row["dtype"]), {})[row["impl"]] = row
    for group in by_key.values():
        lucid = group.get("lucidnet")
        if lucid is None:
            continue
        torch_rows = [group[i] for i in ("torch", "torch-1t") if i in group]
        if torch_rows:
            best = min(torch_rows, key=lambda r: r["median_s"])
            lucid["vs_torch_best"] = best["median_s"] / lucid["median_s"]
            lucid["torch_best"] = best["impl"]
        for impl in ("jax", "jax-fori"):
            if impl in group:
                lucid[f"vs_{impl}"] = group[impl]["median_s"] / lucid["median_s"]
        for impl, row in group.items():
            row["lucidnet_speedup"] = row["median_s"] / lucid["median_s"]
    return rows


# ---------------------------------------------------------------- G


def _periodic_check(net, XT, y):
    """The check ``fit(grad_check_every=k)`` runs (on its sample of examples), as a call:
    the divergence test on the check's examples first, then the check, as fit does."""
    from lucidnet.gradcheck.periodic import PeriodicCheck

    check = PeriodicCheck(net, net.check_inputs(XT), net.check_targets(y, XT.shape[1]))
    rng = np.random.default_rng(0)

    def run():
        check.cost()
        return check(0, rng)
    return run


def _check_cost(dtype, XT, y, repeats):
    """Seconds that one periodic check adds to run R's training: the check and the
    step after it, less a plain step (medians of ``repeats``)."""
    from lucidnet.training.loop import train_step

    net = wl._lucid_net(wl.r_sizes(), dtype)
    X, Y = net.check_inputs(XT), net.check_targets(y, XT.shape[1])
    check = _periodic_check(net, XT, y)

    def step():
        train_step(net, X, Y)

    def check_and_step():
        check()
        step()

    for _ in range(20):
        step()
    check()                                      # the float64 copy and its work arrays
    plain, checked = [], []
    for _ in range(repeats):
        plain.append(timed(step)[0])
        checked.append(timed(check_and_step)[0])
        step()
    return median(checked) - median(plain)


def bench_gradcheck(sz, repeats):
    """G: the reference network's gradient checks, in units of one training step."""
    X, y = common.moons(sz.r_n)
    XT = X.T  # as users pass it
    net = wl._lucid_net(wl.r_sizes(), "float64")
    steps = 20

    def train_steps():
        for _ in range(steps):
            net.backward(XT, y)
            net.step()

    t_step = median([timed(train_steps)[0] / steps for _ in range(repeats)])
    result = {"t_step_s": t_step, "n_params": net.n_params}
    # The three checks take turns in every repeat, so that a burst of load
    # from another process hits them alike.
    methods = ("periodic", "directional", "entries", "entries_loop")
    periodic = _periodic_check(net, XT, y)
    times = {method: [] for method in methods}
    for _ in range(repeats):
        for method in methods:
            try:
                times[method].append(
                    timed(periodic if method == "periodic" else
                          lambda m=method: net.check_gradients(XT, y, method=m))[0])
            except ValueError as exc:  # an older lucidnet without this method
                print(f"[G] skipping method {method!r}: {exc}")
                times[method].append(float("nan"))
    for method in methods:
        result[f"t_{method}_s"] = median(times[method])
        result[f"{method}_in_steps"] = median(times[method]) / t_step
    result["entries_speedup_vs_loop"] = result["t_entries_loop_s"] / result["t_entries_s"]

    # Overhead of grad_check_every on run R: pairs of runs (plain, checked) in
    # alternating order; the overhead is the median of the pairs' ratios,
    # which a slow drift of the machine's load leaves alone.
    pairs = 2 * repeats + 1
    for dtype in ("float64", "float32"):
        plain, checked, ratios = [], [], []
        for rep in range(pairs + 1):             # the first pair warms up
            pair = {}
            for every in ((0, sz.g_every) if rep % 2 else (sz.g_every, 0)):
                net_r = wl._lucid_net(wl.r_sizes(), dtype)
                pair[every] = timed(lambda n=net_r, e=every: n.fit(
                    XT, y, epochs=sz.r_epochs, print_every=0, grad_check_every=e))[0]
            if rep:
                plain.append(pair[0])
                checked.append(pair[sz.g_every])
                ratios.append(pair[sz.g_every] / pair[0])
        result[f"R_{dtype}_plain_s"] = median(plain)
        result[f"R_{dtype}_checked_s"] = median(checked)
        result[f"R_{dtype}_overhead_pct"] = 100 * (median(ratios) - 1)
        # The same overhead from the checks' own time: one fit makes
        # len(range(0, epochs, every)) checks, each timed here as fit runs it (on a
        # float32 network, in its float64 copy) together with the training step
        # after it (which finds its caches cold and, in float64, its work arrays
        # resized to the check's sample), less a plain step.  A whole-run pair on
        # a shared host moves by several percent; this figure does not, and says
        # how much of a pair's overhead is the check.
        t_check = _check_cost(dtype, XT, y, 8 * repeats)
        n_checks = len(range(0, sz.r_epochs, sz.g_every))
        result[f"R_{dtype}_t_check_s"] = t_check
        result[f"R_{dtype}_own_pct"] = 100 * n_checks * t_check / median(plain)
    result["R_pairs"] = pairs
    result["R_checks_per_fit"] = len(range(0, sz.r_epochs, sz.g_every))
    return result


# ---------------------------------------------------------------- memory


def child(spec: str) -> None:
    """Run one workload once in this process and print its memory figures as JSON."""
    impl, workload, dtype, quick = spec.split(":")
    sz = wl.QUICK if quick == "quick" else wl.FULL
    torch = _load_torch(True) if impl.startswith("torch") else None
    jax = jax_peer.load(True) if impl.startswith("jax") else None
    if (impl.startswith("torch") and torch is None) or (impl.startswith("jax") and jax is None):
        print(json.dumps({"skipped": True}))
        return
    run, _ = wl.make(impl, workload, dtype, sz, torch=torch, jax=jax)
    reset_ok = common.reset_peak_rss()
    base = common.rss_mib()
    with Threads(torch, impl):
        if impl == "lucidnet" and workload == "S":
            growth = _lucid_growth(run)
        else:
            run()
            growth = None
    peak = common.peak_rss_mib()
    print(json.dumps({"peak_rss_mib": peak, "base_rss_mib": base,
                      "workload_mib": peak - base if reset_ok else None,
                      "epoch_growth_mib": growth}))


def _lucid_growth(run):
    """Run S with a callback that reads RSS after every epoch; growth after epoch 1."""
    from lucidnet.training import Callback

    import lucidnet.network as network_mod

    samples = []

    class Probe(Callback):
        def on_epoch_end(self, info):
            samples.append(common.rss_mib())

    original = network_mod.NeuralNetwork.fit

    def fit(self, *a, **kw):
        kw.setdefault("callbacks", [Probe()])
        return original(self, *a, **kw)

    network_mod.NeuralNetwork.fit = fit
    try:
        run()
    finally:
        network_mod.NeuralNetwork.fit = original
    return max(samples[1:]) - samples[1] if len(samples) > 2 else 0.0


def bench_memory(workloads, dtypes, impls, quick):
    rows = []
    for workload in workloads:
        if workload == "G":
            continue
        for dtype in dtypes:
            for impl in [i for i in impls if wl.supports(i, workload)]:
                spec = f"{impl}:{workload}:{dtype}:{'quick' if quick else 'full'}"
                proc = subprocess.run([sys.executable, __file__, "--child", spec],
                                      capture_output=True, text=True, env=os.environ.copy())
                if proc.returncode != 0:
                    raise RuntimeError(f"memory child {spec} failed:\n{proc.stderr}")
                out = json.loads(proc.stdout.strip().splitlines()[-1])
                if not out.get("skipped"):
                    rows.append({"workload": workload, "dtype": dtype, "impl": impl, **out})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    p.add_argument("--workloads", default="R,S,M,G")
    p.add_argument("--dtypes", default="float64,float32")
    p.add_argument("--repeats", type=int, default=None, help="default 5 (S: 3); quick: 1")
    p.add_argument("--s-repeats", type=int, default=None, help="repeats of S (default 3)")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--no-sklearn", action="store_true")
    p.add_argument("--no-jax", action="store_true")
    p.add_argument("--one-thread", action="store_true",
                   help="every library on one thread (a shared, loaded machine)")
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--memory-workloads", default=None,
                   help="workloads whose peak memory is measured (default: all chosen)")
    p.add_argument("--json", default=None, help="write all figures as JSON here")
    p.add_argument("--markdown", default=None, help="write the result tables here")
    p.add_argument("--chart", default=None, help="write the ratio chart (PNG) here")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child)
        return 0

    workloads = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    bad = set(workloads) - set("RSMG")
    if bad:
        p.error(f"--workloads: unknown workload(s) {', '.join(sorted(bad))}; use R,S,M,G")
    dtypes = [d.strip() for d in args.dtypes.split(",")]
    if set(dtypes) - {"float64", "float32"}:
        p.error("--dtypes: use float64 and/or float32")
    for var in common.OPENBLAS_VARS:
        if os.environ.get(var):
            print(f"note: {var}={os.environ[var]} is set; it can slow a current NumPy "
                  f"(run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...`).")
    sz = wl.QUICK if args.quick else wl.FULL
    if args.one_thread:
        common.one_thread()
    torch = _load_torch(not args.no_torch)
    jax = jax_peer.load(not args.no_jax)
    if args.one_thread:
        common.one_thread(torch)
    impls = ["lucidnet"] + ([] if args.no_sklearn else ["sklearn"]) + \
        (["torch"] + ([] if args.one_thread else ["torch-1t"]) if torch is not None else []) + \
        (list(jax_peer.IMPLS) if jax is not None else [])
    repeats = args.repeats or (1 if args.quick else 5)

    results = {"env": {**common.environment(torch, jax),
                       "threads": "one" if args.one_thread else "default"}, "quick": args.quick, "repeats": repeats,
               "sizes": vars(sz), "rows": [], "memory": [], "G": None}
    peaks = {}
    for workload in [w for w in workloads if w != "G"]:
        for dtype in dtypes:
            if workload == "S" and dtype not in peaks:
                peaks[dtype] = common.matmul_peak(dtype, n=256 if args.quick else 2048)
            reps = repeats if workload != "S" else (args.s_repeats or (1 if args.quick else 3))
            print(f"[{workload} {dtype}] {reps} repeats of {', '.join(impls)} ...", flush=True)
            # S is long enough to need no warm-up repeat (its first epoch warms up)
            results["rows"] += bench_workload(workload, dtype, impls, sz, reps, torch,
                                              warmup=workload != "S", jax=jax)
    annotate(results["rows"], sz, peaks)
    if "G" in workloads:
        print("[G] gradient checks ...", flush=True)
        results["G"] = {**bench_gradcheck(sz, repeats), "every": sz.g_every, "n": sz.r_n}
    if not args.no_memory:
        print("[memory] one child process per implementation, workload, dtype ...", flush=True)
        chosen = workloads if args.memory_workloads is None else \
            [w.strip().upper() for w in args.memory_workloads.split(",")]
        # torch-1t differs from torch in speed, not in memory: one child for PyTorch
        results["memory"] = bench_memory([w for w in chosen if w in workloads and w != "G"],
                                         dtypes, [i for i in impls if i != "torch-1t"],
                                         args.quick)
    text = markdown(results)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text + "\n")
    if args.chart and results["rows"]:
        chart(results, args.chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
