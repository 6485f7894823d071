"""Regression on real-world scales: ``lucidnet train --data houses.csv --target price``.

The CLI standardizes the target by default and stores its statistics in the
model file (``preprocessing.target_standardize``); every prediction that leaves
the model is in the target's units: ``lucidnet.load(p).predict``, ``lucidnet
predict``/``evaluate`` and the ONNX export.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SRC

from lucidnet import Dense, Input, ModelFileError, NeuralNetwork, load
from lucidnet.data import apply_preprocessing


def write_houses(path, n=600, seed=0):
    """Area 30-250 m^2, 1-6 rooms, age 0-80 years; a price of about 100-700 with a
    square term in the area, and noise."""
    rng = np.random.default_rng(seed)
    area, rooms, age = rng.uniform(30, 250, n), rng.integers(1, 7, n), rng.uniform(0, 80, n)
    price = 100 + 1.2 * area + 0.003 * area ** 2 + 15 * rooms - 0.8 * age + rng.normal(0, 15, n)
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["area", "rooms", "age", "price"])
        for row in zip(area.round(1), rooms, age.round(0).astype(int), price.round(1)):
            writer.writerow(row)
    return area, rooms, age, price


@pytest.fixture(scope="module")
def houses(tmp_path_factory):
    """One default run on houses.csv (through a subprocess, as a user runs it),
    shared by the tests of this module."""
    folder = tmp_path_factory.mktemp("houses")
    columns = write_houses(folder / "houses.csv")
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lucidnet", *map(str, args)], cwd=folder,
                              env=env, capture_output=True, text=True, timeout=600)

    proc = cli("train", "--data", "houses.csv", "--target", "price", "--quiet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder, columns, cli, proc


def test_default_options_reach_test_r2_of_0_9(houses):
    folder, _, _, proc = houses
    metrics = json.loads((folder / "lucidnet-run" / "metrics.json").read_text())
    test = metrics["figures"]["test"]
    assert test["r2"] >= 0.9
    # MSE and MAE in the target's units: prices of ~100-700 with noise sd 15
    assert 15 ** 2 < test["mse"] < 60 ** 2 and 10 < test["mae"] < 60
    assert test["loss"] < 0.1                     # the cost: standardized units
    assert "target standardized (costs in standardized units" in proc.stdout
    assert "diagnosis" not in proc.stdout


def test_the_model_predicts_in_the_targets_units(houses):
    folder, (area, rooms, age, price), _, _ = houses
    net = load(folder / "lucidnet-run" / "model.npz")
    stats = net.preprocessing["target_standardize"]
    assert stats["mean"][0] == pytest.approx(price.mean(), rel=0.05)
    X = np.column_stack([area.round(1), rooms, age.round(0)])
    pred = net.predict(apply_preprocessing(net.preprocessing, X).T)[0]
    assert pred.min() > 50 and pred.max() < 800
    assert np.corrcoef(pred, price)[0, 1] > 0.95
    assert net.score(apply_preprocessing(net.preprocessing, X).T, price.round(1)) > 0.9


def test_cli_predict_and_evaluate_in_the_targets_units(houses):
    folder, _, cli, _ = houses
    (folder / "two.csv").write_text("area,rooms,age\n100,3,20\n200,5,5\n")
    proc = cli("predict", "--model", "lucidnet-run/model.npz", "--input", "two.csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(proc.stdout.strip().splitlines()))
    values = [float(r[-1]) for r in rows[1:]]
    # the formula without noise: 100 + 1.2 a + 0.003 a^2 + 15 r - 0.8 age
    assert values[0] == pytest.approx(100 + 120 + 30 + 45 - 16, abs=40)
    assert values[1] == pytest.approx(100 + 240 + 120 + 75 - 4, abs=40)
    proc = cli("evaluate", "--model", "lucidnet-run/model.npz", "--input", "houses.csv",
               "--target", "price", "--json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout)
    assert metrics["r2"] > 0.9 and 10 < metrics["mae"] < 60


def test_onnx_export_in_the_targets_units(houses):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    folder, (area, rooms, age, _), cli, _ = houses
    proc = cli("export", "lucidnet-run/model.npz", "houses.onnx")
    assert proc.returncode == 0, proc.stderr
    net = load(folder / "lucidnet-run" / "model.npz")
    X = np.column_stack([area, rooms, age])[:50].astype(np.float32)
    (onnx_out,) = ort.InferenceSession(str(folder / "houses.onnx")).run(["output"], {"X": X})
    expected = net.predict(apply_preprocessing(net.preprocessing, X).T).T
    np.testing.assert_allclose(onnx_out, expected, rtol=1e-4, atol=1e-3)


def test_a_raw_target_is_reported_as_divergence_not_a_gradient_check(houses):
    """The issue's run: raw prices, lr 1: the cost explodes to ~1e124 while finite."""
    folder, _, cli, _ = houses
    proc = cli("train", "--data", "houses.csv", "--target", "price", "--no-standardize-target",
               "--lr", "1", "--quiet", "--out", "raw")
    assert proc.returncode == 1
    assert "training diverged at epoch" in proc.stderr and "Gradient check" not in proc.stderr
    assert "learning rate 1" in proc.stderr and "--lr 0.1" in proc.stdout   # the suggestion
    assert (folder / "raw" / "model.npz").exists() and (folder / "raw" / "metrics.json").exists()


@pytest.mark.parametrize("stats, words", [
    ({"mean": [1.0, 2.0], "scale": [1.0, 1.0]}, "lists of 1 finite numbers"),
    ({"mean": [1.0], "scale": [0.0]}, "scale > 0"),
    ({"mean": ["1"], "scale": [1.0]}, "finite numbers"),
    ({"mean": [1.0], "scale": [1.0], "code": "x"}, "nothing else"),
    ([1.0, 2.0], "target_standardize"),
])
def test_bad_target_statistics_in_a_model_file_are_refused(tmp_path, stats, words):
    net = NeuralNetwork([Input("x", 2), Dense("out", 1, "identity")], loss_fn="mse")
    net.preprocessing = {"target_standardize": stats}
    net.save(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="preprocessing.target_standardize") as info:
        load(tmp_path / "m.npz")
    assert words in str(info.value)
