"""The benchmark suite's report: result tables as Markdown, the speed-up chart (PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def fmt(x, spec=".3g"):
    return "-" if x is None else format(x, spec)


# Issue 15's targets: (workload, what, the test on lucidnet's row of a dtype, the figure).
LAST_ROUND_PEAK_PCT = {"float64": 54, "float32": 51}   # S, the previous BENCHMARKS.md


def targets(results) -> list[str]:
    """The targets of issue 15 as table rows: figure, met or missed (same run, same dtype)."""
    rows = {(r["workload"], r["dtype"], r["impl"]): r for r in results["rows"]}
    out = ["| target | float64 | float32 | met? |", "|---|---|---|---|"]

    def line(label, fig, ok):
        cells = [fig(d) for d in ("float64", "float32")]
        verdicts = [ok(d) for d in ("float64", "float32")]
        known = [v for v in verdicts if v is not None]
        met = "-" if not known else "yes" if all(known) else "no" if not any(known) else \
            "float64 " + ("yes" if verdicts[0] else "no") + ", float32 " + \
            ("yes" if verdicts[1] else "no")
        out.append(f"| {label} | {cells[0]} | {cells[1]} | {met} |")

    def speed(w, d, impl):
        """How many times faster lucidnet is than ``impl`` (None if either is missing)."""
        lu, peer = rows.get((w, d, "lucidnet")), rows.get((w, d, impl))
        return None if lu is None or peer is None else peer["median_s"] / lu["median_s"]

    def torch_best(w, d):
        got = [s for s in (speed(w, d, "torch"), speed(w, d, "torch-1t")) if s is not None]
        return min(got) if got else None

    def show(x, spec=".2f", unit="x"):
        return "-" if x is None else f"{x:{spec}}{unit}"

    def cmp(x, op):
        return None if x is None else op(x)

    line("R: time <= 1.3x JAX's jitted-step loop (float32) / <= 1.0x (float64)",
         lambda d: "-" if speed("R", d, "jax") is None else
         f"{1 / speed('R', d, 'jax'):.2f}x JAX's time",
         lambda d: cmp(speed("R", d, "jax"), lambda s: 1 / s <= (1.3 if d == "float32" else 1.0)))
    line("R: >= 2x PyTorch CPU (faster thread setting)", lambda d: show(torch_best("R", d)),
         lambda d: cmp(torch_best("R", d), lambda s: s >= 2))
    line("R: >= 2.5x scikit-learn", lambda d: show(speed("R", d, "sklearn")),
         lambda d: cmp(speed("R", d, "sklearn"), lambda s: s >= 2.5))
    line("M: >= 1.5x scikit-learn's samples/s", lambda d: show(speed("M", d, "sklearn")),
         lambda d: cmp(speed("M", d, "sklearn"), lambda s: s >= 1.5))
    line("M: >= 2x JAX's jitted-step loop", lambda d: show(speed("M", d, "jax")),
         lambda d: cmp(speed("M", d, "jax"), lambda s: s >= 2))

    def acc(d):
        lu = rows.get(("M", d, "lucidnet"))
        peers = [r["test_acc"] for (w, dd, i), r in rows.items() if w == "M" and dd == d
                 and i != "lucidnet"]
        return None if lu is None or not peers else (lu["test_acc"], max(peers))
    line("M: test accuracy >= every peer's",
         lambda d: "-" if acc(d) is None else f"{acc(d)[0]:.3f} (best peer {acc(d)[1]:.3f})",
         lambda d: cmp(acc(d), lambda a: a[0] >= a[1]))
    line("S: >= 1.5x PyTorch CPU (faster thread setting)", lambda d: show(torch_best("S", d)),
         lambda d: cmp(torch_best("S", d), lambda s: s >= 1.5))
    line("S: >= 1.5x JAX", lambda d: show(speed("S", d, "jax")),
         lambda d: cmp(speed("S", d, "jax"), lambda s: s >= 1.5))

    def pct(d):
        r = rows.get(("S", d, "lucidnet"))
        return None if r is None else r.get("pct_of_peak")
    line("S: share of the np.matmul peak >= last round's (54% / 51%)",
         lambda d: show(pct(d), ".0f", "%"),
         lambda d: cmp(pct(d), lambda p: p >= LAST_ROUND_PEAK_PCT[d]))
    g = results.get("G")
    if g:
        line("G: grad_check_every adds < 5% to R",
             lambda d: f"{g[f'R_{d}_overhead_pct']:+.1f}%" + (
                 f" (the checks' own time: {g[f'R_{d}_own_pct']:.1f}%)"
                 if f"R_{d}_own_pct" in g else ""),
             lambda d: g[f"R_{d}_overhead_pct"] < 5)
    return out


def markdown(results) -> str:
    env, rows, mem, g = results["env"], results["rows"], results["memory"], results["G"]
    out = ["## Results", "",
           f"Measured {env['date_utc']} on {env['cpu']} ({env['cores']} cores, load average "
           f"{', '.join(f'{x:.1f}' for x in env['load_average'] or [])} at the start), "
           f"Python {env['python']}, NumPy {env['numpy']}, scikit-learn {env['sklearn']}, "
           f"PyTorch {env.get('torch', 'not installed')} "
           f"(default {env.get('torch_threads_default', '-')} threads), "
           f"JAX {env.get('jax', 'not installed')} ({', '.join(env.get('jax_devices', []))}).  "
           f"Threads: {env.get('threads', 'default')}.  "
           f"BLAS: " + "; ".join(f"{b.get('internal_api')} {b.get('version')} kernel "
                                  f"{b.get('architecture')}, {b.get('num_threads')} threads"
                                  for b in env["blas"]) +
           f".  OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE in the run: {env['openblas_env']}.  "
           f"Each figure is the median of {results['repeats']} interleaved repeats; "
           f"'lucidnet x' is how many times faster lucidnet is than that row "
           f"(same run, same dtype).", ""]
    out += ["### Targets (issue 15)", "", *targets(results), ""]
    titles = {"R": "R: reference run (2-16-32-1 sigmoid, N=1000, 2000 full-batch epochs)",
              "S": "S: scale (2-256-256-1 sigmoid, N=100,000, 20 full-batch epochs)",
              "M": "M: mini-batches (digits, 64-128-64-10 ReLU/softmax, Adam, batch 32, "
                   "50 epochs)"}
    for workload in ("R", "S", "M"):
        wrows = [r for r in rows if r["workload"] == workload]
        if not wrows:
            continue
        out += [f"### {titles[workload]}", ""]
        if workload == "R":
            head = "| dtype | implementation | time (s) | ms/epoch | final J | train acc | lucidnet x |"
        elif workload == "S":
            head = ("| dtype | implementation | s/epoch | GFLOP/s | % of matmul peak | "
                    "final J | lucidnet x |")
        else:
            head = "| dtype | implementation | time (s) | samples/s | test acc | lucidnet x |"
        out += [head, "|" + "---|" * (head.count("|") - 1)]
        for r in wrows:
            if workload == "R":
                cells = [fmt(r["median_s"]), fmt(1e3 * r["s_per_epoch"]), fmt(r["final_cost"], ".4f"),
                         fmt(r["train_acc"], ".3f")]
            elif workload == "S":
                cells = [fmt(r["s_per_epoch"]), fmt(r.get("gflops"), ".1f"),
                         fmt(r.get("pct_of_peak"), ".0f"), fmt(r["final_cost"], ".4f")]
            else:
                cells = [fmt(r["median_s"]), fmt(r["samples_per_s"], ",.0f"),
                         fmt(r["test_acc"], ".3f")]
            out.append(f"| {r['dtype']} | {r['impl']} | " + " | ".join(cells) +
                       f" | {fmt(r['lucidnet_speedup'], '.2f')} |")
        if workload == "S":
            peaks = {r["dtype"]: r.get("peak_gflops") for r in wrows}
            out += ["", "np.matmul peak (2048 x 2048, same run): " +
                    ", ".join(f"{d} {fmt(p, '.1f')} GFLOP/s" for d, p in peaks.items())]
        compiles = [r for r in wrows if "compile_s" in r]
        if compiles:
            out += ["", "JAX compile time (first call: trace, compile, one run; not in the "
                    "times above): " + ", ".join(f"{r['impl']} {r['dtype']} "
                                                 f"{fmt(r['compile_s'], '.2f')} s"
                                                 for r in compiles)]
        out.append("")
    if g:
        out += ["### G: gradient checks (reference network, float64)", "",
                f"One training step (forward, backward, update; N={g.get('n', '')}): "
                f"{1e3 * g['t_step_s']:.3f} ms; {g['n_params']} parameters.", "",
                "| check | time (ms) | in training steps |", "|---|---|---|"]
        for method, label in (("periodic", "directional, every tensor, on fit's sample of at "
                                           "most 256 examples (grad_check_every)"),
                              ("directional", "directional, every tensor, all N examples "
                                              "(check_gradients)"),
                              ("entries", "every entry, batched (grad_check method='entries')"),
                              ("entries_loop", "every entry, loop of two forward passes")):
            out.append(f"| {label} | {1e3 * g[f't_{method}_s']:.2f} | "
                       f"{g[f'{method}_in_steps']:.1f} |")
        out += ["", f"Batched entry check vs the loop: {g['entries_speedup_vs_loop']:.1f}x faster.",
                "", f"Run R with and without checks: {g.get('R_pairs', '')} pairs of runs "
                "in alternating order; the overhead is the median of the pairs' ratios.",
                "The last two columns: what one check adds, as fit runs it (the divergence test "
                "on the check's examples, the check, a float32 network's in its float64 copy, "
                "and the slower training step after it, less a plain step), "
                f"and {g.get('R_checks_per_fit', '')} such checks as a share of the run "
                "without checks.",
                "", "| run R | without checks (s) | grad_check_every=" + str(g["every"]) +
                " (s) | overhead | one check (ms) | the checks' own time |",
                "|---|---|---|---|---|---|"]
        for dtype in ("float64", "float32"):
            own = (f"{1e3 * g[f'R_{dtype}_t_check_s']:.2f} | {g[f'R_{dtype}_own_pct']:.1f}%"
                   if f"R_{dtype}_own_pct" in g else "- | -")
            out.append(f"| {dtype} | {g[f'R_{dtype}_plain_s']:.3f} | "
                       f"{g[f'R_{dtype}_checked_s']:.3f} | {g[f'R_{dtype}_overhead_pct']:+.1f}% | "
                       f"{own} |")
        out.append("")
    if mem:
        out += ["### Peak memory (one process per implementation, workload and dtype)", "",
                "| workload | dtype | implementation | peak RSS (MiB) | RSS before the "
                "workload (MiB) | workload's own (MiB) | growth after epoch 1 (MiB) |",
                "|---|---|---|---|---|---|---|"]
        for r in mem:
            out.append(f"| {r['workload']} | {r['dtype']} | {r['impl']} | "
                       f"{fmt(r['peak_rss_mib'], '.0f')} | {fmt(r['base_rss_mib'], '.0f')} | "
                       f"{fmt(r['workload_mib'], '.0f')} | {fmt(r['epoch_growth_mib'], '.1f')} |")
        out.append("")
    return "\n".join(out)


def chart(results, path):
    """Bar chart of lucidnet's speed-up over each peer (same run, same dtype)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, values, colors = [], [], []
    palette = {"sklearn": "#4c72b0", "torch": "#dd8452", "torch-1t": "#c44e52",
               "jax": "#55a868", "jax-fori": "#8172b3"}
    for r in results["rows"]:
        if r["impl"] == "lucidnet":
            continue
        labels.append(f"{r['workload']} {r['dtype'][-2:]} {r['impl']}")
        values.append(r["lucidnet_speedup"])
        colors.append(palette.get(r["impl"], "grey"))
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(labels) + 1.4))
    y = np.arange(len(labels))
    ax.barh(y, values, color=colors)
    ax.axvline(1.0, color="black", lw=1)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("lucidnet speed-up (peer time / lucidnet time; >1 = lucidnet faster)")
    ax.set_title("lucidnet vs scikit-learn, PyTorch and JAX (CPU), same run, same dtype")
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:.2f}x", va="center", fontsize=8)
    ax.set_xlim(0, 1.12 * max(values + [1.0]))  # room for the last label
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
