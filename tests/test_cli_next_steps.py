"""``lucidnet train`` with real data, CSV files and the next-steps options; ``predict``
repeating the stored preprocessing.  Run as a user would (the run_cli fixture)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lucidnet
from lucidnet.cli import _nextsteps
from lucidnet.data import REAL_DATASETS
from lucidnet.datasets import TOY_DATASETS

QUICK = ["--print-every", "0", "--grad-check-every", "0", "--quiet", "--no-plots"]


def _metrics(tmp_path, out="o"):
    return json.loads((tmp_path / out / "metrics.json").read_text())


def test_cli_names_are_the_librarys():
    from lucidnet.cli import _scope, train

    # one list of names, in the data package: the CLI imports it, it keeps no copy
    assert _nextsteps.TOY_DATASETS is TOY_DATASETS and _scope.TOY_DATASETS is TOY_DATASETS
    assert _nextsteps.REAL_DATASETS is REAL_DATASETS
    assert train.DATASETS == ("moons", "circles", "blobs", "xor", "spirals",
                              "iris", "wine", "breast_cancer", "digits")


def test_real_dataset_with_validation_early_stopping_and_test(run_cli, tmp_path):
    proc = run_cli("train", "--dataset", "iris", "--layers", "8", "--activation", "relu",
                   "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16",
                   "--val-split", "0.2", "--early-stopping", "5", "--epochs", "400",
                   *QUICK, "--out", "o", check=True)
    m = _metrics(tmp_path)
    assert m["architecture"] == [4, 8, 3]
    assert m["loss"] == "cce" and m["optimizer"]["name"] == "adam" and m["lr"] == 0.01
    figures = m["figures"]
    assert [figures[p]["n"] for p in ("train", "validation", "test")] == [96, 24, 30]
    for part in figures.values():
        assert 0 <= part["accuracy"] <= 1 and 0 <= part["f1"] <= 1 and part["loss"] > 0
    assert figures["test"]["accuracy"] > 0.8
    stop = m["early_stopping"]
    assert stop["monitor"] == "val_loss" and stop["best_epoch"] is not None
    assert len(m["history"]["val_loss"]) == m["epochs_run"]
    assert m["data"] == {"dataset": "iris", "test_split": 0.2, "standardize": True,
                         "data_seed": 42}
    for part in ("train", "validation", "test"):
        assert f"  {part}" in proc.stdout
    assert "early stopping" in proc.stdout
    net = lucidnet.load(tmp_path / "o" / "model.npz")
    assert net.preprocessing["class_labels"] == ["setosa", "versicolor", "virginica"]
    assert len(net.preprocessing["standardize"]["mean"]) == 4


def _classification_csv(path):
    """Two well separated classes on features of very different scales."""
    rng = np.random.default_rng(0)
    lines = ["weight,label,height"]
    for i in range(60):
        big = i % 2
        lines.append(f"{1000 + 300 * big + rng.normal(0, 30):.3f},"
                     f"{'big' if big else 'small'},{0.01 * big + rng.normal(0, 0.002):.5f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_train_then_predict_applies_the_stored_preprocessing(run_cli, tmp_path):
    data = _classification_csv(tmp_path / "animals.csv")
    run_cli("train", "--data", data.name, "--target", "label", "--layers", "4",
            "--epochs", "200", "--lr", "0.5", *QUICK, "--out", "o", check=True)
    m = _metrics(tmp_path)
    assert m["data"]["class_labels"] == ["big", "small"] and m["figures"]["test"]["n"] == 12
    net = lucidnet.load(tmp_path / "o" / "model.npz")
    pre = net.preprocessing
    assert pre["feature_names"] == ["weight", "height"] and pre["target"] == "label"
    assert pre["standardize"]["mean"][0] > 900                    # raw units stored

    # the training CSV itself (with its target column) is a valid --input
    proc = run_cli("predict", "--model", "o/model.npz", "--input", data.name, check=True)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "weight,height,prediction,p_small"
    predicted = [line.split(",")[2] for line in lines[1:]]
    truth = [line.split(",")[1] for line in data.read_text().splitlines()[1:]]
    assert np.mean(np.array(predicted) == np.array(truth)) > 0.95
    # the same numbers given by hand: standardized with the stored statistics
    proc = run_cli("predict", "--model", "o/model.npz", "--points", "1300,0.01", "1000,0",
                   check=True)
    rows = [line.split(",") for line in proc.stdout.strip().splitlines()[1:]]
    assert [r[2] for r in rows] == ["big", "small"]
    Xs = (np.array([[1300, 0.01], [1000, 0.0]]) - pre["standardize"]["mean"]) \
        / pre["standardize"]["scale"]
    np.testing.assert_allclose([float(r[3]) for r in rows], net.predict_proba(Xs.T)[0],
                               atol=1e-6)


def test_csv_regression(run_cli, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = X @ [1.5, -2.0, 0.5] + 3.0
    lines = ["a,b,c,price"] + [",".join(f"{v:.6f}" for v in (*x, t)) for x, t in zip(X, y)]
    (tmp_path / "r.csv").write_text("\n".join(lines))
    run_cli("train", "--data", "r.csv", "--target", "price", "--layers", "8",
            "--activation", "tanh", "--optimizer", "adam", "--lr", "0.02", "--epochs", "300",
            "--batch-size", "16", *QUICK, "--out", "o", check=True)
    m = _metrics(tmp_path)
    assert m["loss"] == "mse" and m["accuracy"] is None
    assert m["figures"]["test"]["r2"] > 0.9 and m["figures"]["train"]["mse"] >= 0
    proc = run_cli("predict", "--model", "o/model.npz", "--points", "0,0,0", check=True)
    header, row = proc.stdout.strip().splitlines()
    assert header == "a,b,c,y1" and abs(float(row.split(",")[-1]) - 3.0) < 1.0


def test_schedule_clip_dropout_l2_spirals_with_plots(run_cli, tmp_path):
    run_cli("train", "--dataset", "spirals", "--n-classes", "3", "--n-samples", "150",
            "--layers", "16", "--activation", "tanh", "--optimizer", "momentum", "--lr", "0.1",
            "--schedule", "step:step_size=10,gamma=0.5", "--clip-norm", "1", "--dropout", "0.1",
            "--l2", "0.001", "--epochs", "30", "--print-every", "10", "--grad-check-every",
            "15", "--test-split", "0.2", "--quiet", "--out", "o", check=True)
    m = _metrics(tmp_path)
    assert m["architecture"] == [2, 16, 3]  # layers of units: the dropout layer is none
    history = m["history"]  # every epoch (for loss_curve.png); the lr at epochs 0, 10, 20:
    assert [lr for epoch, lr in zip(history["epoch"], history["lr"]) if epoch % 10 == 0] == \
        pytest.approx([0.1, 0.05, 0.025])
    assert m["figures"]["test"]["n"] == 30
    assert all(row["passed"] for row in m["grad_check_summary"])
    assert (tmp_path / "o" / "decision_boundary.png").stat().st_size > 0


def test_defaults_stay_the_reference_setup(run_cli, tmp_path):
    run_cli("train", "--epochs", "2", "--n-samples", "50", *QUICK, "--out", "o", check=True)
    m = _metrics(tmp_path)
    assert m["loss"] == "bce" and m["optimizer"] == {"name": "sgd", "config": {"lr": 1.0}}
    assert list(m["figures"]) == ["train"] and m["early_stopping"] is None
    assert m["data"] == {"dataset": "moons", "n_samples": 50, "noise": 0.2, "data_seed": 42}


@pytest.mark.parametrize("args, option", [
    (["--activation", "swish"], "--activation"),
    (["--optimizer", "lbfgs"], "--optimizer"),
    (["--loss", "hinge"], "--loss"),
    (["--loss", "cce"], "--loss"),                      # two classes: one sigmoid unit
    (["--schedule", "warmup"], "--schedule"),
    (["--schedule", "step:gamma=x"], "--schedule"),
    (["--schedule", "step:gamma=2"], "--schedule"),
    (["--val-split", "1.5"], "--val-split"),
    (["--dropout", "1"], "--dropout"),
    (["--test-split", "-0.1"], "--test-split"),
    (["--batch-size", "0"], "--batch-size"),
    (["--early-stopping", "0"], "--early-stopping"),
    (["--clip-norm", "0"], "--clip-norm"),
    (["--data", "nope.csv", "--target", "y"], "--data"),
    (["--data", "bad.csv"], "--target"),
    (["--target", "y"], "--target"),
    (["--data", "bad.csv", "--target", "y"], "line 3, column 'a'"),
    (["--dataset", "iris", "--data", "bad.csv", "--target", "y"], "--data"),
    (["--dataset", "moons", "--n-samples", "3", "--val-split", "0.5"], "--val-split"),
])
def test_bad_values_exit_2_with_one_line(capsys, tmp_path, monkeypatch, args, option):
    """In-process (``main``) for speed; the subprocess path is tested below."""
    from lucidnet.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("a,y\n1,0\nx,1\n2,0\n")
    try:
        status = main(["train", *args, "--epochs", "1", *QUICK])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], lines


def test_bad_csv_in_a_subprocess(run_cli, tmp_path):
    (tmp_path / "bad.csv").write_text("a,y\n1,0\n,1\n2,0\n")
    proc = run_cli("train", "--data", "bad.csv", "--target", "y", *QUICK)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("lucidnet train: error: --data: bad.csv: line 3, column 'a': "
                                   "missing value ('') ; fill or drop it first").replace(" ;", ";")
