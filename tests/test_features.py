"""Input feature transforms (lucidnet.features) and their place in the model file."""

from __future__ import annotations

import json
import math
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import lucidnet
from lucidnet import Dense, Input, ModelFileError, NeuralNetwork
from lucidnet.features import check_features, expand_features

sys.path.insert(0, str(Path(__file__).parent))
import modelfile_mutants as mm  # noqa: E402


def test_expand_features_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])           # x1 = (1, 2), x2 = (3, 4)
    A0 = expand_features(["x1", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"], X)
    expected = [[1, 2], [9, 16], [3, 8], [0.8414709848078965, 0.9092974268256817],
                [0.1411200080598672, -0.7568024953079282]]
    np.testing.assert_allclose(A0, expected, rtol=1e-15)


@pytest.mark.parametrize("name", ["cos(x1)", "x0", "x3", "x1^3", "X1", "x1**2", "", 3, None,
                                  "x1*x2*x1", "sin(x1" + "1" * 40 + ")"])
def test_unknown_or_out_of_range_names_are_refused(name):
    with pytest.raises(ValueError, match="input feature"):
        check_features([name], 2, 1)


def test_length_must_match_the_network():
    with pytest.raises(ValueError, match="lists 2 inputs, the network takes 3"):
        check_features(["x1", "x2"], 2, 3)


def _net_with_transforms(tmp_path):
    net = NeuralNetwork([Input("x", 3), Dense("h", 4, "tanh"), Dense("out", 1, "sigmoid")],
                        seed=3)
    net.preprocessing = {"input_features": ["x1", "x2", "x1*x2"], "raw_inputs": 2,
                         "feature_names": ["a", "b"]}
    path = tmp_path / "m.npz"
    net.save(path)
    return net, path


def test_load_predicts_from_raw_inputs(tmp_path):
    net, path = _net_with_transforms(tmp_path)
    raw = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])             # (2, N) raw
    by_hand = np.vstack([raw[0], raw[1], raw[0] * raw[1]])            # (3, N) A[0]
    loaded = lucidnet.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(raw), net.forward(by_hand))
    np.testing.assert_array_equal(loaded.predict(raw), (net.forward(by_hand)[0] >= 0.5))
    with pytest.raises(ValueError, match=r"\(d_raw, N\) = \(2, N\)"):
        loaded.predict(by_hand)


def test_cli_predict_takes_raw_points(tmp_path, run_cli):
    net, path = _net_with_transforms(tmp_path)
    proc = run_cli("predict", "--model", path, "--points", "0.5,1.5", check=True)
    header, row = proc.stdout.strip().splitlines()
    assert header == "a,b,prediction,probability"
    p = net.forward(np.array([[0.5], [1.5], [0.75]]))[0, 0]
    assert row.split(",")[-1] == f"{p:.6f}"


def _rewrite_manifest(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    manifest = json.loads(str(arrays["manifest"]))
    change(manifest["preprocessing"])
    arrays["manifest"] = np.array(json.dumps(manifest))
    np.savez(path, **arrays)
    path.write_bytes(mm.redigest_archive(path.read_bytes()))  # the validators must refuse it
    assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(input_features=["x1", "x2", "cos(x1)"]), "unknown input feature"),
    (lambda p: p.update(input_features=["x1", "x2", "x3"]), "beyond the 2 raw inputs"),
    (lambda p: p.update(input_features=["x1", "x2"]), "lists 2 inputs"),
    (lambda p: p.update(input_features="x1"), "non-empty list"),
    (lambda p: p.pop("raw_inputs"), "raw_inputs must be"),
    (lambda p: p.update(raw_inputs=True), "raw_inputs must be"),
    (lambda p: p.update(feature_names=["a", "b", "c"]), "feature_names must be a list of 2"),
])
def test_bad_transforms_in_a_model_file_are_refused(tmp_path, change, message):
    _, path = _net_with_transforms(tmp_path)
    _rewrite_manifest(path, change)
    with pytest.raises(ModelFileError, match=message):
        lucidnet.load(path)


def test_onnx_export_computes_the_transforms(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    net = NeuralNetwork([Input("x", 5), Dense("h", 6, "tanh"), Dense("out", 1, "sigmoid")],
                        seed=4)
    net.preprocessing = {"input_features": ["x2", "x1^2", "x1*x2", "sin(x1)", "sin(x2)"],
                         "raw_inputs": 2, "standardize": {"mean": [1.0, -2.0],
                                                          "scale": [2.0, 0.5]}}
    path = tmp_path / "m.npz"
    net.save(path)
    lucidnet.export_onnx(lucidnet.load(path), tmp_path / "m.onnx")
    raw = np.array([[0.5, -1.0], [3.0, -2.5], [-4.0, 1.0]])          # (N, 2) raw rows
    Z = (raw - [1.0, -2.0]) / [2.0, 0.5]
    A0 = np.vstack([Z[:, 1], Z[:, 0] ** 2, Z[:, 0] * Z[:, 1], np.sin(Z[:, 0]), np.sin(Z[:, 1])])
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    out, label = session.run(["output", "label"], {"X": raw.astype(np.float32)})
    np.testing.assert_allclose(out.T, net.forward(A0), atol=1e-5)
    np.testing.assert_array_equal(label, (net.forward(A0)[0] >= 0.5).astype(int))


# Inputs whose transform is not finite in the network's dtype are refused, naming the
# transform and the example, before anything overflows (a RuntimeWarning would fail
# these tests first: the suite turns warnings into errors).
@pytest.mark.parametrize("names, X, dtype, says", [
    (["x1", "x1^2"], [[1.0, 1e200]], np.float64, r"'x1\^2' of example 1 \(x1 = 1e\+200\)"),
    (["x1*x2"], [[3.0, 1e160], [2.0, -1e160]], np.float64,
     r"'x1\*x2' of example 1 \(x1 = 1e\+160, x2 = -1e\+160\)"),
    (["x2^2"], [[1.0], [2e19]], np.float32, r"'x2\^2' of example 0 .* float32 range"),
    (["x1"], [[1e39]], np.float32, r"'x1' of example 0 .* float32 range"),
])
def test_transforms_that_overflow_are_refused(names, X, dtype, says):
    with pytest.raises(ValueError, match=says):
        expand_features(names, X, dtype)


def test_transforms_at_the_edge_of_the_range_are_computed():
    # 1e154 squared is 1e308 < 1.797e308; sin of a huge finite number is finite
    A0 = expand_features(["x1^2", "sin(x2)"], [[1e154], [1e300]])
    assert A0[0, 0] == 1e154 * 1e154 and A0[1, 0] == math.sin(1e300)


@pytest.mark.parametrize("X, says", [
    ([[float("inf")]], "X contains infinity at feature 0, example 0"),
    (np.array([[np.longdouble("1e400")]]), "beyond the float64 range"),
    ([[10**400]], "integer of 401 digits"),
])
def test_raw_inputs_beyond_float64_are_refused_before_the_cast(X, says):
    with pytest.raises(ValueError, match=says):
        expand_features(["sin(x1)"], X)


def test_a_playground_model_refuses_huge_raw_inputs(tmp_path, cli):
    _, path = _net_with_transforms(tmp_path)                     # x1, x2, x1*x2
    with pytest.raises(ValueError, match=r"'x1\*x2' of example 1"):
        lucidnet.load(path).predict(np.array([[1.0, 1e300], [1.0, 1e10]]))
    status, out, err = cli("predict", "--model", path, "--points", "1e300,1e10")
    assert status != 0 and out == ""
    assert "input feature 'x1*x2'" in err and "Traceback" not in err
