"""Model files: save, load and predict give identical outputs; seeds give identical bits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lucidnet
from lucidnet import Dense, Input, ModelFileError, NeuralNetwork, generate_toy_dataset


def make_net(hidden=(5, 3), seed=0, d0=2):
    layers = [Input("x", d0)] + [Dense(f"h{i}", u) for i, u in enumerate(hidden, 1)]
    return NeuralNetwork(layers + [Dense("out", 1)], lr=1.0, seed=seed)


def weights(net):
    return [(k, theta.copy()) for k, theta, _ in net.parameters()]


def test_save_load_predict_identical(tmp_path):
    X, y = generate_toy_dataset(n_samples=100)
    net = make_net(seed=3)
    net.fit(X.T, y, epochs=40, print_every=10, verbose=False)
    path = tmp_path / "model.npz"
    net.save(path)
    back = lucidnet.load(path)
    for (k1, a), (k2, b) in zip(weights(net), weights(back)):
        assert k1 == k2 and a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(net.predict_proba(X.T), back.predict_proba(X.T))
    assert np.array_equal(net.predict(X.T), back.predict(X.T))
    assert net.score(X.T, y) == back.score(X.T, y)
    assert back.seed == 3
    assert back.training_record["epochs"] == 40


def test_model_file_is_an_npz_with_a_json_manifest(tmp_path):
    path = tmp_path / "m.npz"
    make_net(seed=7).save(path)
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        manifest = json.loads(str(archive["manifest"]))
    assert names == {"manifest", "param/1/W", "param/1/b", "param/2/W", "param/2/b",
                     "param/3/W", "param/3/b"}
    assert manifest["format"] == "lucidnet-model" and manifest["format_version"] == 1
    assert manifest["seed"] == 7 and manifest["loss"] == "bce"
    assert [layer["kind"] for layer in manifest["layers"]] == ["Input", "Dense", "Dense",
                                                                "Dense"]
    assert manifest["layers"][1]["activation"] == "sigmoid"
    for key in ("lucidnet_version", "dtype", "preprocessing", "training", "train_state"):
        assert key in manifest


def test_cli_model_records_seeds_and_result(run_cli, tmp_path):
    run_cli("train", "--epochs", "20", "--print-every", "10", "--grad-check-every", "0",
            "--seed", "5", "--data-seed", "9", "--n-samples", "60", "--quiet", "--no-plots",
            "--out", "o", check=True)
    net = lucidnet.load(tmp_path / "o" / "model.npz")
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert net.seed == 5 and net.training_record["data_seed"] == 9
    assert net.training_record["final_cost"] == metrics["final_cost"]
    assert net.training_record["accuracy"] == metrics["accuracy"]
    X, y = generate_toy_dataset(n_samples=60, random_state=9)
    assert net.score(X.T, y) == metrics["accuracy"]


def test_same_seed_same_bits_after_training():
    X, y = generate_toy_dataset(n_samples=80)
    runs = []
    for _ in range(2):
        net = make_net(seed=11)
        net.fit(X.T, y, epochs=30, print_every=0, grad_check_every=7)
        runs.append(weights(net))
    for (_, a), (_, b) in zip(*runs):
        assert a.tobytes() == b.tobytes()
    other = make_net(seed=12)
    assert not np.array_equal(runs[0][0][1], weights(other)[0][1])


def test_same_seed_same_bits_with_minibatches():
    X, y = generate_toy_dataset(n_samples=80)
    a, b = make_net(seed=2), make_net(seed=2)
    for net in (a, b):
        net.fit(X.T, y, epochs=5, print_every=0, batch_size=16)
    for (_, p), (_, q) in zip(weights(a), weights(b)):
        assert p.tobytes() == q.tobytes()


@given(hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
       d0=st.integers(1, 4), seed=st.integers(0, 2**31 - 1))
def test_round_trip_any_architecture(tmp_path_factory, hidden, d0, seed):
    path = tmp_path_factory.mktemp("rt") / "m.npz"
    net = make_net(tuple(hidden), seed=seed, d0=d0)
    net.save(path)
    back = lucidnet.load(path)
    X = np.random.default_rng(seed).normal(size=(d0, 9))
    assert np.array_equal(net.forward(X), back.forward(X))
    assert back.seed == seed


@pytest.mark.parametrize("content, message", [
    (b"not a zip at all", "bad.npz"),
    (None, "no manifest"),
])
def test_invalid_files_raise_model_file_error(tmp_path, content, message):
    path = tmp_path / "bad.npz"
    if content is None:
        np.savez(path, W=np.zeros(3))
    else:
        path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        lucidnet.load(path)
    assert issubclass(ModelFileError, ValueError)


def test_saved_file_has_the_usual_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        make_net().save(tmp_path / "m.npz")
    finally:
        os.umask(umask)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644
