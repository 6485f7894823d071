"""The model commands as users meet them: predict to a CSV, evaluate, info, export.

Expected figures come from independent references: scikit-learn's metrics on
the network's own outputs, a parameter count worked out by hand, onnxruntime.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork

FEATURES = ["sepal length", "sepal width", "petal length", "petal width"]
CLASSES = ["setosa", "versicolor", "virginica"]
MEAN, SCALE = [5.8, 3.0, 3.8, 1.2], [0.8, 0.4, 1.8, 0.8]


@pytest.fixture
def iris_files(tmp_path):
    """A trained 4-5-3 softmax model with stored standardization, and a labelled CSV
    whose columns are in another order than the model's, plus an extra column."""
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    net = NeuralNetwork([Input("x", 4), Dense("h1", 5, activation="tanh"),
                         Dense("out", 3, activation="softmax")], loss_fn="cce", lr=0.5, seed=1)
    Xs = (X - MEAN) / np.array(SCALE)
    net.fit(Xs.T, y, epochs=150, print_every=0, batch_size=30)
    net.preprocessing = {"feature_names": FEATURES, "class_labels": CLASSES,
                         "standardize": {"mean": MEAN, "scale": SCALE}}
    net.training_record.update(epochs=150, note="fixture")
    net.save(tmp_path / "iris.npz")
    with open(tmp_path / "iris.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "species", *reversed(FEATURES)])
        for i, (x, label) in enumerate(zip(X, y)):
            writer.writerow([i, CLASSES[label], *reversed(x.tolist())])
    return net, X, y


def test_predict_writes_a_csv_of_labels_and_probabilities(run_cli, tmp_path, iris_files):
    net, X, y = iris_files
    proc = run_cli("predict", "--model", "iris.npz", "--input", "iris.csv",
                   "--ignore", "id,species", "--output", "preds.csv", check=True)
    assert "wrote 150 predictions to preds.csv" in proc.stderr and proc.stdout == ""
    with open(tmp_path / "preds.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    A = net.forward(((X - MEAN) / np.array(SCALE)).T).T                  # (N, 3)
    np.testing.assert_allclose([[float(r[f"p_{c}"]) for c in CLASSES] for r in rows], A,
                               atol=1e-6)
    assert [r["prediction"] for r in rows] == [CLASSES[k] for k in A.argmax(axis=1)]


def test_evaluate_prints_the_metrics(run_cli, iris_files):
    from sklearn.metrics import accuracy_score, f1_score, log_loss

    net, X, y = iris_files
    proc = run_cli("evaluate", "--model", "iris.npz", "--input", "iris.csv",
                   "--target", "species", "--ignore", "id", "--json", check=True)
    metrics = json.loads(proc.stdout)
    A = net.forward(((X - MEAN) / np.array(SCALE)).T).T
    assert metrics["n"] == 150
    assert metrics["accuracy"] == pytest.approx(accuracy_score(y, A.argmax(axis=1)))
    assert metrics["f1"] == pytest.approx(f1_score(y, A.argmax(axis=1), average="macro"))
    assert metrics["log_loss"] == pytest.approx(log_loss(y, A), rel=1e-6)
    assert np.sum(metrics["confusion_matrix"]) == 150
    text = run_cli("evaluate", "--model", "iris.npz", "--input", "iris.csv",
                   "--target", "species", "--ignore", "id", check=True).stdout
    assert "accuracy" in text and "virginica" in text


def test_evaluate_regression(run_cli, tmp_path):
    from sklearn.metrics import mean_squared_error, r2_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X[:, 0] - 2 * X[:, 1]
    net = NeuralNetwork([Input("x", 2), Dense("out", 1, activation="identity")],
                        loss_fn="mse", lr=0.1, seed=0)
    net.fit(X.T, y, epochs=20, print_every=0)
    net.save(tmp_path / "reg.npz")
    np.savetxt(tmp_path / "reg.csv", np.column_stack([X, y]), delimiter=",",
               header="a,b,y", comments="")
    metrics = json.loads(run_cli("evaluate", "--model", "reg.npz", "--input", "reg.csv",
                                 "--target", "y", "--json", check=True).stdout)
    pred = net.forward(X.T)[0]
    assert metrics["mse"] == pytest.approx(mean_squared_error(y, pred), rel=1e-9)
    assert metrics["r2"] == pytest.approx(r2_score(y, pred), rel=1e-9)


def test_info_prints_architecture_parameters_and_record(run_cli, iris_files):
    out = run_cli("info", "iris.npz", check=True).stdout
    # 4-5-3: (4*5 + 5) + (5*3 + 3) = 25 + 18 = 43 parameters
    assert "architecture: 4 -> 5 -> 3" in out
    assert "parameters: 43" in out
    assert "classes: setosa, versicolor, virginica" in out
    assert "note: fixture" in out and "epochs: 150" in out
    info = json.loads(run_cli("info", "iris.npz", "--json", check=True).stdout)
    assert [layer["parameters"] for layer in info["layers"]] == [0, 25, 18]


def test_export_runs_in_onnxruntime(run_cli, tmp_path, iris_files):
    ort = pytest.importorskip("onnxruntime")
    net, X, y = iris_files
    proc = run_cli("export", "iris.npz", "iris.onnx", check=True)
    assert "wrote iris.onnx" in proc.stdout
    session = ort.InferenceSession(str(tmp_path / "iris.onnx"),
                                   providers=["CPUExecutionProvider"])
    output, label = session.run(None, {"X": X.astype(np.float32)})
    A = net.forward(((X - MEAN) / np.array(SCALE)).T).T
    np.testing.assert_allclose(output, A, atol=1e-5)
    np.testing.assert_array_equal(label, A.argmax(axis=1))


@pytest.mark.parametrize("command", [
    ["info", "{model}"],
    ["export", "{model}", "out.onnx"],
    ["evaluate", "--model", "{model}", "--input", "iris.csv", "--target", "species"],
    ["predict", "--model", "{model}", "--input", "iris.csv"],
])
@pytest.mark.parametrize("model", ["missing.npz", "junk.npz", "truncated.npz"])
def test_bad_model_files_exit_2_with_one_line(run_cli, tmp_path, iris_files, command, model):
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    data = (tmp_path / "iris.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 3])
    proc = run_cli(*[part.format(model=model) for part in command])
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and model in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--target", "colour"], "--target: no column 'colour'"),
    (["--target", "id", "--ignore", "species"], "is not one of the model's classes"),
])
def test_evaluate_bad_target_exits_2(run_cli, iris_files, args, message):
    proc = run_cli("evaluate", "--model", "iris.npz", "--input", "iris.csv", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_predict_multilabel_model_gives_one_column_per_label(run_cli, tmp_path):
    net = NeuralNetwork([Input("x", 2), Dense("out", 3, activation="sigmoid")], seed=0)
    net.layers[1].params["W"][...] = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
    net.save(tmp_path / "ml.npz")
    out = run_cli("predict", "--model", "ml.npz", "--points", "2,-2", check=True).stdout
    header, row = out.strip().splitlines()
    assert header == "x1,x2,label1,label2,label3,p1,p2,p3"
    # sigmoid(2) = 0.880797, sigmoid(-2) = 0.119203, sigmoid(0) = 0.5
    assert row == "2,-2,1,0,1,0.880797,0.119203,0.500000"
