"""The one-line verdict at the end of a poor run (lucidnet.training.diagnosis), in Python and the CLI."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import lucidnet
from lucidnet import (Dense, Input, LucidnetWarning, NeuralNetwork, TrainingDiagnosis, bce_cost,
                      generate_toy_dataset)


def _spec_net():
    return NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                         loss_fn=bce_cost, lr=1.0)


def test_specs_default_fit_says_it_stopped_on_the_plateau(capsys):
    X, y = generate_toy_dataset()
    net = _spec_net()
    with pytest.warns(TrainingDiagnosis, match="still on a plateau") as caught:
        net.fit(X.T, y)                                   # SPEC's call: 500 epochs
    assert net.score(X.T, y) == pytest.approx(0.872)     # SPEC: about 0.87 there
    message = str(caught[0].message)
    assert "0.872" in message and "epochs=2000" in message
    assert caught[0].filename == __file__                 # points at the user's line
    assert [d.kind for d in net.diagnoses] == ["plateau"]


def test_the_diagnosis_is_lucidnets_own_filterable_category():
    assert issubclass(TrainingDiagnosis, LucidnetWarning)
    # pyproject turns RuntimeWarning into errors; lucidnet's warnings are not one
    assert not issubclass(LucidnetWarning, RuntimeWarning)
    X, y = generate_toy_dataset(n_samples=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", lucidnet.LucidnetWarning)
        _spec_net().fit(X.T, y, epochs=300, print_every=0)   # poor, and silent


def test_chance_accuracy_names_the_option_to_try():
    X, y = generate_toy_dataset(dataset_type="spirals")
    net = _spec_net()
    with pytest.warns(TrainingDiagnosis, match="chance level") as caught:
        net.fit(X.T, y, epochs=2000, print_every=0)
    assert "optimizer='adam'" in str(caught[0].message)


def test_a_large_training_set_is_judged_on_evenly_spaced_examples(monkeypatch):
    from lucidnet.training import diagnosis

    seen = []
    real = diagnosis.forward_in_batches
    monkeypatch.setattr(diagnosis, "forward_in_batches",
                        lambda net, X, b=None: seen.append(X.shape[1]) or real(net, X, b))
    X, y = generate_toy_dataset(n_samples=10_000, dataset_type="spirals")
    with pytest.warns(TrainingDiagnosis, match="chance level") as caught:
        _spec_net().fit(X.T, y, epochs=2, print_every=0)
    # every 3rd of 10,000 examples (ceil(10000 / 4096) = 3): 3334 of them, in one pass
    assert seen == [3334]
    assert "(on 3334 of the 10000 examples) is chance level" in str(caught[0].message)
    assert "the largest class is 0.500" in str(caught[0].message)  # of all 10,000


def test_r2_near_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 100))
    y = X[0] ** 2 + X[1]
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "tanh"), Dense("out", 1, "identity")],
                        loss_fn="mse", lr=1e-6)
    with pytest.warns(TrainingDiagnosis, match=r"R\^2 -?\d\.\d\d on the training data: the network predicts"):
        net.fit(X, y, epochs=5, print_every=0)


def test_overfitting_when_the_validation_cost_rises():
    rng = np.random.default_rng(1)
    X, Xv = rng.normal(size=(2, 30)), rng.normal(size=(2, 30))
    y, yv = rng.integers(0, 2, 30), rng.integers(0, 2, 30)     # noise: nothing to learn
    net = NeuralNetwork([Input("x", 2), Dense("h1", 64, "tanh"), Dense("h2", 64, "tanh"),
                         Dense("out", 1)], loss_fn="bce", optimizer="adam", lr=0.01)
    with pytest.warns(TrainingDiagnosis, match="overfitting: the validation cost rose") as caught:
        net.fit(X, y, epochs=300, print_every=0, validation_data=(Xv, yv))
    assert "early_stopping=20" in str(caught[-1].message)


def test_a_good_run_says_nothing():
    X, y = generate_toy_dataset(dataset_type="xor", n_samples=200)
    net = NeuralNetwork([Input("x", 2), Dense("h1", 8, "tanh"), Dense("out", 1)],
                        loss_fn="bce", optimizer="adam", lr=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LucidnetWarning)
        net.fit(X.T, y, epochs=300, print_every=0)
    assert net.score(X.T, y) > 0.95 and net.diagnoses == []


def test_the_cli_prints_the_diagnosis_with_its_own_options(run_cli, tmp_path):
    proc = run_cli("train", "--epochs", 500, "--quiet", "--no-plots", "--out", "run")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("diagnosis: still on a plateau") and "--epochs" in line
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert [d["kind"] for d in metrics["diagnosis"]] == ["plateau"]
    assert "TrainingDiagnosis" not in proc.stderr        # printed once, not also warned


def test_imbalanced_classes_learned_well_are_not_called_chance():
    # 96 of 100 examples in class 0; the four of class 1 sit far out on x1
    X, _ = generate_toy_dataset(n_samples=100)
    y = (X[:, 0] > np.sort(X[:, 0])[-5]).astype(int)
    assert y.sum() == 4
    net = _spec_net()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingDiagnosis)
        net.fit(X.T, y, epochs=2000, print_every=0)
    assert net.score(X.T, y) >= 0.99                  # beats the 0.96 of always saying 0
    assert "chance" not in [d.kind for d in net.diagnoses]


def test_imbalanced_classes_at_the_majority_share_are_chance():
    from lucidnet.training.diagnosis import diagnose

    X, _ = generate_toy_dataset(n_samples=100)
    y = np.zeros(100, dtype=int)
    y[[3, 40, 71, 90]] = 1                             # 0.96 of the examples are class 0
    net = _spec_net()
    out = net.layers[-1]
    out.params["W"][...] = 0.0
    out.params["b"][...] = -5.0                        # says 0 for everything: 0.960
    found = diagnose(net, X.T, y.reshape(1, -1).astype(float))
    assert [d.kind for d in found] == ["chance"]
    assert "training accuracy 0.960 is chance level (the largest class is 0.960" in found[0].text()


def test_data_of_one_class_are_never_chance():
    X, _ = generate_toy_dataset(n_samples=50)
    net = _spec_net()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingDiagnosis)   # no verdict at all
        net.fit(X.T, np.ones(50, dtype=int), epochs=20, print_every=0)
    assert net.score(X.T, np.ones(50, dtype=int)) == 1.0
    assert net.diagnoses == []
