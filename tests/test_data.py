"""Toy data beyond the notebook's three, bundled real data sets, CSV files."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.data import (REAL_DATASETS, apply_preprocessing, decode_labels, fit_standardizer,
                           load_csv, load_dataset, read_csv)
from lucidnet.datasets import TOY_DATASETS, generate_toy_dataset


# ------------------------------------------------------------------ toy
def test_xor_labels_are_the_xor_of_the_signs():
    X, y = generate_toy_dataset(400, noise=0.1, dataset_type="xor", random_state=0)
    assert X.shape == (400, 2) and np.bincount(y).tolist() == [200, 200]
    # with small noise every point stays in its corner's quadrant
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_xor_without_noise_is_the_four_points():
    X, y = generate_toy_dataset(8, noise=0.0, dataset_type="xor")
    assert {(tuple(x), label) for x, label in zip(X.tolist(), y.tolist())} == {
        ((1.0, 1.0), 0), ((-1.0, -1.0), 0), ((1.0, -1.0), 1), ((-1.0, 1.0), 1)}


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spirals_have_k_balanced_arms_inside_the_unit_disc(k):
    X, y = generate_toy_dataset(300, noise=0.2, dataset_type="spirals", n_classes=k)
    assert sorted(set(y.tolist())) == list(range(k))
    assert np.bincount(y).max() - np.bincount(y).min() <= 1
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)


def test_spirals_without_noise_follow_the_formula():
    X, y = generate_toy_dataset(6, noise=0.0, dataset_type="spirals", n_classes=3)
    # two points per arm: t = 0 (the centre) and t = 1 at angle 2 pi (j/3 + 1)
    np.testing.assert_allclose(X[y == 1][1], [np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)],
                               atol=1e-12)
    np.testing.assert_allclose(X[y == 2][0], [0.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("name", TOY_DATASETS)
def test_toy_sets_repeat_with_the_same_seed(name):
    a = generate_toy_dataset(50, dataset_type=name, random_state=3)
    b = generate_toy_dataset(50, dataset_type=name, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_blobs_with_three_classes():
    X, y = generate_toy_dataset(90, noise=0.5, dataset_type="blobs", n_classes=3)
    assert sorted(set(y.tolist())) == [0, 1, 2]


@pytest.mark.parametrize("kw", [dict(dataset_type="swirl"), dict(dataset_type="moons", n_classes=3),
                                dict(dataset_type="spirals", n_classes=1),
                                dict(dataset_type="spirals", n_classes=2.0),
                                dict(dataset_type="spirals", n_samples=2, n_classes=3)])
def test_toy_bad_arguments(kw):
    with pytest.raises(ValueError):
        generate_toy_dataset(**kw)


def test_a_network_learns_three_spirals():
    X, y = generate_toy_dataset(300, noise=0.1, dataset_type="spirals", n_classes=3)
    net = NeuralNetwork([Input("x", 2), Dense("h1", 32, "relu"), Dense("h2", 32, "relu"),
                         Dense("out", 3, "softmax")], loss_fn="cce", optimizer="adam", lr=0.01)
    net.fit(X.T, y, epochs=300, print_every=0, batch_size=32)
    assert net.score(X.T, y) > 0.9


# ------------------------------------------------------------------ real
@pytest.mark.parametrize("name, n, d, k", [("iris", 150, 4, 3), ("wine", 178, 13, 3),
                                           ("breast_cancer", 569, 30, 2),
                                           ("digits", 1797, 64, 10)])
def test_real_datasets_split_and_standardized(name, n, d, k):
    ds = load_dataset(name, test_size=0.2, random_state=0)
    assert ds.X_train.shape[1] == d and ds.X_test.shape[1] == d
    assert len(ds.y_train) + len(ds.y_test) == n
    assert len(ds.y_test) == round(0.2 * n)
    assert ds.n_classes == k and len(ds.feature_names) == d
    # stratified: each class's share of the test part is within one example of 20 %
    counts = np.bincount(np.concatenate([ds.y_train, ds.y_test]), minlength=k)
    assert np.all(np.abs(np.bincount(ds.y_test, minlength=k) - 0.2 * counts) <= 1)
    # statistics from the training part only: it is exactly centred, the test part is not
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-10)
    assert ds.preprocessing()["standardize"]["mean"] == ds.standardization["mean"]
    assert not np.allclose(ds.X_test.mean(axis=0), 0.0, atol=1e-10)


def test_real_dataset_raw_and_seeded():
    raw = load_dataset("iris", test_size=0.2, random_state=1, standardize=False)
    assert raw.standardization is None and raw.X_train.max() > 5      # centimetres
    again = load_dataset("iris", test_size=0.2, random_state=1, standardize=False)
    np.testing.assert_array_equal(raw.X_test, again.X_test)
    whole = load_dataset("iris", test_size=0)
    assert whole.X_test is None and len(whole.y_train) == 150
    assert whole.class_labels == ["setosa", "versicolor", "virginica"]


def test_unknown_real_dataset():
    with pytest.raises(ValueError, match="known: iris"):
        load_dataset("mnist")


def test_standardizer_and_preprocessing():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    stats = fit_standardizer(X)
    assert stats == {"mean": [2.0, 5.0], "scale": [1.0, 1.0]}    # constant column: scale 1
    np.testing.assert_allclose(apply_preprocessing({"standardize": stats}, [[4.0, 6.0]]),
                               [[2.0, 1.0]])
    np.testing.assert_array_equal(apply_preprocessing({}, [[4.0, 6.0]]), [[4.0, 6.0]])
    assert decode_labels({"class_labels": ["a", "b"]}, [1, 0, 1]) == ["b", "a", "b"]
    assert decode_labels({}, np.array([1, 0])) == [1, 0]


def test_standardizer_survives_huge_values():
    # Deviations of 1.5e154 square to beyond float64 (1.8e308); mean and std by hand.
    X = np.array([[3e154, 1.0], [0.0, 3.0]])
    stats = fit_standardizer(X)
    np.testing.assert_allclose(stats["mean"], [1.5e154, 2.0], rtol=1e-12)
    np.testing.assert_allclose(stats["scale"], [1.5e154, 1.0], rtol=1e-12)
    np.testing.assert_allclose(apply_preprocessing({"standardize": stats}, X),
                               [[1.0, -1.0], [-1.0, 1.0]], rtol=1e-12)


# ------------------------------------------------------------------ CSV
def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_string_labels(tmp_path):
    path = _write(tmp_path, "a,label,b\n1,cat,2\n3,dog,4\n\n5,cat,6\n7,emu,8\n")
    X, y, names, classes = read_csv(path, "label")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert names == ["a", "b"] and classes == ["cat", "dog", "emu"]
    np.testing.assert_array_equal(y, [0, 1, 0, 2])


def test_csv_numeric_targets(tmp_path):
    path = _write(tmp_path, "x,y\n0,3\n1,1\n2,3\n3,1\n")
    X, y, _, classes = read_csv(path, "y")                       # few integers: classes
    assert classes == [1, 3]
    np.testing.assert_array_equal(y, [1, 0, 1, 0])
    X, y, _, classes = read_csv(path, "y", task="regression")
    assert classes is None
    np.testing.assert_array_equal(y, [3.0, 1.0, 3.0, 1.0])
    path = _write(tmp_path, "x,y\n0,0.5\n1,1.25\n2,2.0\n", "reg.csv")
    assert read_csv(path, "y")[3] is None                         # fractions: regression


@pytest.mark.parametrize("text, message", [
    ("a,t\n1,0\n,1\n2,0\n", "line 3, column 'a': missing value"),
    ("a,t\n1,0\nNA,1\n2,0\n", "line 3, column 'a': missing value"),
    ("a,t\n1,0\n2,1\nabc,0\n", "line 4, column 'a': not a number: 'abc'"),
    ("a,t\n1,0\n2,1\ninf,0\n", "line 4, column 'a': not a finite number"),
    ("a,t\n1,0\n2,\n3,1\n", "line 3, column 't': missing target"),
    ("a,t\n1,0\n2,1,5\n3,1\n", "line 3 has 3 fields"),
    ("a,t\n1,0\n", "at least 2 data rows"),
    ("a,b\n1,0\n2,1\n", "no target column 't'; columns: a, b"),
    ("t\n1\n2\n", "no feature columns"),
])
def test_csv_errors_name_the_line_and_column(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_csv(_write(tmp_path, text), "t")


def test_csv_regression_needs_numbers(tmp_path):
    with pytest.raises(ValueError, match="regression needs numeric targets, found 'x'"):
        read_csv(_write(tmp_path, "a,t\n1,0\n2,x\n"), "t", task="regression")


def test_load_csv_splits_and_standardizes(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["f1,f2,species"] + [f"{rng.normal() + 5 * (i % 2)},{rng.normal()},"
                                f"{'ab'[i % 2]}" for i in range(40)]
    ds = load_csv(_write(tmp_path, "\n".join(rows)), "species", test_size=0.25)
    assert ds.X_train.shape == (30, 2) and ds.X_test.shape == (10, 2)
    assert np.bincount(ds.y_test).tolist() == [5, 5]
    assert ds.preprocessing()["class_labels"] == ["a", "b"]
    assert ds.preprocessing()["target"] == "species"
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)


def test_load_csv_single_class(tmp_path):
    with pytest.raises(ValueError, match="single class"):
        load_csv(_write(tmp_path, "a,t\n1,x\n2,x\n3,x\n"), "t", task="classification")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_csv(tmp_path / "nope.csv", "t")


def test_real_dataset_names():
    assert REAL_DATASETS == ("iris", "wine", "breast_cancer", "digits")
