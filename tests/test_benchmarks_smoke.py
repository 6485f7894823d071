"""The benchmark suite runs end to end on tiny sizes (no timing is asserted).

This only keeps ``benchmarks/run.py`` from rotting: every workload (R, S, M,
G) runs once at ``--quick`` size for lucidnet, scikit-learn and, when they are
installed, PyTorch and JAX; the figures themselves are never checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None


def _needs(present: bool, peer: str) -> None:
    """Skip without ``peer`` (the optional extra 'bench'); fail in CI, which installs it."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the {peer} peers: .ci/run installs the 'bench' extra",
                    pytrace=False)
    pytest.skip(f"{peer} is not installed (optional extra 'bench')")


def _run(tmp_path, *args, pythonpath=()):
    path = [*map(str, pythonpath), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(path)}
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(RUN), "--quick", "--repeats", "1",
                           "--json", str(out), *args],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc, json.loads(out.read_text())


@pytest.mark.slow
def test_every_workload_runs_at_quick_size(tmp_path):
    chart = tmp_path / "ratios.png"
    md = tmp_path / "results.md"
    proc, res = _run(tmp_path, "--workloads", "R,S,M,G", "--dtypes", "float32", "--no-torch",
                     "--no-jax", "--memory-workloads", "S", "--chart", str(chart), "--markdown", str(md))
    impls = {(r["workload"], r["dtype"], r["impl"]) for r in res["rows"]}
    for workload in "RSM":
        assert {(workload, "float32", "lucidnet"), (workload, "float32", "sklearn")} <= impls
    g = res["G"]
    assert g["t_step_s"] > 0 and g["directional_in_steps"] > 0
    assert {"t_entries_s", "t_entries_loop_s", "R_float64_overhead_pct"} <= set(g)
    mem = {(r["workload"], r["impl"]) for r in res["memory"]}
    assert ("S", "lucidnet") in mem and ("S", "sklearn") in mem
    assert chart.stat().st_size > 1000
    text = md.read_text()
    for heading in ("### Targets", "### R:", "### S:", "### M:", "### G:", "### Peak memory"):
        assert heading in text


def test_the_pytorch_peers_run(tmp_path):
    """Both thread settings, every workload's PyTorch code path, one dtype, tiny sizes."""
    _needs(HAS_TORCH, "PyTorch")
    proc, res = _run(tmp_path, "--workloads", "R,S,M", "--dtypes", "float32", "--no-sklearn",
                     "--no-jax", "--no-memory")
    impls = {(r["workload"], r["impl"]) for r in res["rows"]}
    for workload in "RSM":
        assert {(workload, "torch"), (workload, "torch-1t")} <= impls
    lucid = next(r for r in res["rows"] if r["workload"] == "R" and r["impl"] == "lucidnet")
    torch_r = next(r for r in res["rows"] if r["workload"] == "R" and r["impl"] == "torch")
    # the same initial weights and updates: the same final cost
    assert torch_r["final_cost"] == pytest.approx(lucid["final_cost"], rel=1e-4)
    assert lucid["vs_torch_best"] > 0


def test_the_jax_peers_run(tmp_path):
    """Both idioms where they apply (fori: R only), both dtypes, tiny sizes, one memory child."""
    _needs(HAS_JAX, "JAX")
    proc, res = _run(tmp_path, "--workloads", "R,S,M", "--dtypes", "float64,float32",
                     "--no-sklearn", "--no-torch", "--memory-workloads", "R")
    impls = {(r["workload"], r["dtype"], r["impl"]) for r in res["rows"]}
    for dtype in ("float64", "float32"):
        assert {("R", dtype, "jax"), ("R", dtype, "jax-fori"), ("S", dtype, "jax"),
                ("M", dtype, "jax")} <= impls
    assert not {("S", "float32", "jax-fori"), ("M", "float32", "jax-fori")} & impls
    rows = {(r["workload"], r["dtype"], r["impl"]): r for r in res["rows"]}
    for dtype in ("float64", "float32"):
        lucid = rows["R", dtype, "lucidnet"]
        for impl in ("jax", "jax-fori"):  # the same initial weights and updates: the same cost
            assert rows["R", dtype, impl]["final_cost"] == pytest.approx(
                lucid["final_cost"], rel=1e-4 if dtype == "float32" else 1e-9)
            assert rows["R", dtype, impl]["compile_s"] > 0
    assert "JAX compile time" in proc.stdout
    assert {("R", "jax"), ("R", "jax-fori")} <= {(r["workload"], r["impl"]) for r in res["memory"]}


def test_without_jax_its_columns_are_skipped_with_a_message(tmp_path):
    """A stand-in ``jax`` package that fails to import plays the machine without JAX (CI)."""
    fake = tmp_path / "nojax" / "jax"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no JAX here')\n")
    proc, res = _run(tmp_path, "--workloads", "R", "--dtypes", "float32", "--no-torch",
                     "--no-sklearn", "--no-memory", pythonpath=[fake.parent])
    assert "JAX is not installed" in proc.stdout and "skipping the JAX columns" in proc.stdout
    assert {r["impl"] for r in res["rows"]} == {"lucidnet"}


def test_without_torch_the_peers_are_skipped_with_a_message(tmp_path):
    proc, res = _run(tmp_path, "--workloads", "R", "--dtypes", "float32", "--no-torch",
                     "--no-jax", "--no-memory")
    assert "skipping the PyTorch columns" in proc.stdout
    assert {r["impl"] for r in res["rows"]} == {"lucidnet", "sklearn"}
    lucid = next(r for r in res["rows"] if r["impl"] == "lucidnet")
    assert lucid["lucidnet_speedup"] == 1.0 and lucid["final_cost"] > 0


def test_unknown_workload_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, str(RUN), "--workloads", "R,X"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.returncode == 2
    assert "--workloads" in proc.stderr and "X" in proc.stderr


def test_the_straight_numpy_floor_runs_and_matches_lucidnet():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import straight_numpy
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    import numpy as np

    from lucidnet.datasets import generate_toy_dataset

    X, y = generate_toy_dataset(200, 0.2, "moons", 42)
    X = np.ascontiguousarray(X.T)
    layers = straight_numpy.straight(X, y.reshape(1, -1).astype(float), "float64", 20)
    net = straight_numpy._net("float64")
    net.fit(X, y, epochs=20, print_every=0)
    for (W, b), layer in zip(layers, net.layers[1:]):   # the same equations, same weights
        np.testing.assert_allclose(W, layer.params["W"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b, layer.params["b"], rtol=1e-10, atol=1e-12)
    seconds = straight_numpy.main(["--epochs", "3", "--repeats", "1"])
    assert len(seconds) == 2


def test_the_straight_numpy_floor_of_run_m_matches_lucidnet():
    """The M loop (ReLU, softmax, Adam over one flat state) is the same math as fit."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import straight_numpy
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    import numpy as np

    rng = np.random.default_rng(3)
    X = rng.random((150, 64))                           # 150 examples, as digits: 64 in [0, 1]
    y = rng.integers(0, 10, 150)
    theta = straight_numpy.straight_m(np.ascontiguousarray(X.T), np.eye(10)[:, y], "float64", 2)
    net = straight_numpy.wl._lucid_net([64, 128, 64, 10], "float64", activation="relu",
                                       out="softmax", loss="cce", lr=1e-3, optimizer="adam")
    net.fit(X.T, y, epochs=2, batch_size=32, print_every=0)
    fitted = np.concatenate([layer.params[name].ravel() for layer in net.layers[1:]
                             for name in ("W", "b")])
    np.testing.assert_allclose(theta, fitted, rtol=1e-10, atol=1e-12)


def test_the_step_counter_counts_numpy_operations_as_executed(tmp_path):
    """benchmarks/step_calls.py counts what runs: loops, short circuits, scalars left out."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import step_calls
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    import importlib

    import numpy as np

    src = tmp_path / "tiny_step.py"
    src.write_text(
        "import numpy as np\n"
        "def step(A, B, n):\n"
        "    for _ in range(n):\n"
        "        A += B              # in-place operator on arrays: counts\n"
        "        C = A * (1.0 - A)   # two operators on arrays: count\n"
        "        k = 2.0 * n         # scalars: does not count\n"
        "        if k > 0 or A.sum() > 0:   # short circuit: the sum never runs\n"
        "            np.exp(C, out=C)       # an np call: counts\n"
        "    return A.T              # a view: counts\n")
    sys.path.insert(0, str(tmp_path))
    try:
        tiny = importlib.import_module("tiny_step")
    finally:
        sys.path.remove(str(tmp_path))
    A, B = np.zeros((2, 3)), np.full((2, 3), 0.1)
    with step_calls.Counter(src) as counter:
        tiny.step(A, B, 3)
    ops = dict(counter.numpy_ops)
    assert ops == {("in-place operator", "Add"): 3, ("operator", "Mult"): 3,
                   ("operator", "Sub"): 3, ("np call", "np.exp"): 3, ("index/view", ".T"): 1}
    assert counter.py_calls["tiny_step:step"] == 1


def test_the_scaling_and_memory_sweeps_run(tmp_path):
    """sweep.py and memory_sweep.py at tiny sizes: tables, charts, the peak line, growth rows."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT / "src")}
    out = tmp_path / "sweep.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "sweep.py"), "--quick",
                           "--sweeps", "N", "--dtypes", "float32", "--impls", "lucidnet,sklearn",
                           "--budget", "0.01", "--repeats", "1", "--json", str(out),
                           "--chart-dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    res = json.loads(out.read_text())
    assert [r["N"] for r in res["rows"]] == [1000, 3000, 10000]
    for r in res["rows"]:
        assert set(r["s_per_epoch"]) == {"lucidnet", "sklearn"} and r["epochs"] >= 2
        # a slope between fits of e and 2e epochs, with the fixed cost it leaves out
        assert set(r["fixed_s"]) == {"lucidnet", "sklearn"}
        # the peak line: the products' FLOPs at the peak measured in the same rounds
        assert r["peak_s"] == pytest.approx(r["flops"] / (r["peak_gflops"] * 1e9))
    assert (tmp_path / "sweep_n.png").stat().st_size > 1000
    assert "peak line" in proc.stdout

    out = tmp_path / "memory.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "memory_sweep.py"),
                           "--quick", "--impls", "lucidnet,lucidnet-printing,lucidnet-score",
                           "--dtypes", "float32", "--json", str(out),
                           "--chart", str(tmp_path / "memory.png")],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads(out.read_text())["rows"]
    # fit as the speed runs call it (print_every=0), with its default print checkpoints,
    # and followed by loss and score
    assert {(r["impl"], r["N"], r["epochs"]) for r in rows} == {
        (impl, N, epochs) for impl in ("lucidnet", "lucidnet-printing", "lucidnet-score")
        for N, epochs in ((1000, 3), (3000, 3), (3000, 9))}
    assert all(r["peak_rss_mib"] >= r["base_rss_mib"] > 0 for r in rows)
    assert all(r["epoch_growth_mib"] is not None for r in rows)
    assert (tmp_path / "memory.png").stat().st_size > 1000


def test_the_memory_time_benchmark_runs_and_agrees():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import memory_time
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    rows = memory_time.main(["--quick", "--repeats", "1"])
    assert [(r["N"], r.get("dtype")) for r in rows] == [
        (1000, "float32"), (1000, "float64"), (10_000, "float32"), (10_000, "float64"),
        (20_000, None)]
    assert rows[4]["released"] > 0 and rows[4]["kept"] > 0
    # one block at N = 1,000: the same pass, the same bits; three blocks at 10,000
    assert rows[0]["J_rel_diff"] == rows[1]["J_rel_diff"] == 0.0
    assert rows[2]["J_rel_diff"] < 1e-6 and rows[3]["J_rel_diff"] < 1e-14


@pytest.mark.slow
def test_dask_memory_benchmark_runs_at_quick_size(tmp_path):
    pytest.importorskip("dask.dataframe")
    env = {**os.environ,
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dask_memory.py"),
                           "--rows", "20000", "--blocksizes", "256kB", "--dir", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| 20,000 rows")]
    assert [row.split(" | ")[1] for row in rows] == ["fit_incremental",
                                                     "read_csv whole + partial_fit"]
