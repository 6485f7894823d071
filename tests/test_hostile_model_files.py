"""The hostile model files the issue names, one test each, and the previous release's files.

Every one is refused with ``ModelFileError`` (a ``ValueError``) whose message
says what is wrong; ``lucidnet info`` prints that line, never a traceback.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.checkpoint import load_checkpoint, resume
from lucidnet.cli import main
from lucidnet.data import apply_preprocessing
from lucidnet.persistence import ModelFileError

sys.path.insert(0, str(Path(__file__).parent))
import modelfile_mutants as mm  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "release-0.1.0"
CLASSIFIER = (FIXTURES / "classifier.npz").read_bytes()
CHECKPOINT = (FIXTURES / "regression32_checkpoint.npz").read_bytes()
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())


def _regression_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 60))
    return X, np.sin(X[0]) + X[1] ** 2 - 0.5 * X[2] * X[3]


# ---------------------------------------------------------------- the previous release
def test_files_of_the_previous_release_load_and_predict_as_it_did():
    net = ln.load(FIXTURES / "classifier.npz")
    P = np.array(EXPECTED["classifier_points"])
    A = net.predict_proba(apply_preprocessing(net.preprocessing, P).T).T
    np.testing.assert_allclose(A, EXPECTED["classifier_proba"], rtol=1e-12)
    assert net.preprocessing["class_labels"] == EXPECTED["classifier_labels"]
    reg = ln.load(FIXTURES / "regression32.npz")
    assert reg.dtype == np.float32
    out = reg.predict_proba(np.array(EXPECTED["regression_points"]).T).T
    np.testing.assert_allclose(out, EXPECTED["regression_pred"], rtol=1e-6)


# the command of tests/fixtures/release-0.1.0/README.md, which wrote classifier_checkpoint.npz
RELEASE_COMMAND = ("train --data flowers.csv --target label --layers 5 --activation leaky_relu "
                   "--optimizer adam --batch-size 16 --epochs 4 --checkpoint-every 2 "
                   "--val-split 0.2 --early-stopping 5 --schedule step:step_size=1 "
                   "--grad-check-every 0 --print-every 1 --no-plots --quiet --out run").split()


def test_the_command_line_resumes_a_checkpoint_of_the_previous_release(tmp_path, monkeypatch,
                                                                        capsys):
    """0.1.0 had no --strict-grad-check or --no-standardize-target: left at their
    defaults they are no difference (this was refused: "trained with ... None")."""
    for name in ("flowers.csv", "classifier_checkpoint.npz"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    # 0.1.0's default learning rate for Adam was 0.001; today's is 0.03
    again = [*RELEASE_COMMAND, "--lr", "0.001", "--resume", "classifier_checkpoint.npz"]
    assert main([*again, "--strict-grad-check"]) == 2
    assert "classifier_checkpoint.npz was written before --strict-grad-check existed" \
        in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ln.LucidnetWarning)
        assert main(again) == 0
    assert ln.load(tmp_path / "run" / "model.npz").training_record["epochs"] == 4


def test_a_checkpoint_of_the_previous_release_resumes_to_the_same_weights(tmp_path):
    X, y = _regression_data()
    net, costs = resume(FIXTURES / "regression32_checkpoint.npz", X, y, verbose=False,
                        checkpoint_path=tmp_path / "c.npz")
    assert costs == EXPECTED["regression_resumed_costs"]
    np.testing.assert_array_equal(net.layers[-1].params["W"],
                                  np.float32(EXPECTED["regression_resumed_W_out"]))
    net, state, arrays = load_checkpoint(FIXTURES / "classifier_checkpoint.npz")
    assert state["epoch"] == 2 and "cb/1/_best_params/0" in arrays


# ---------------------------------------------------------------- zip features
def _refused(tmp_path, data, words, capsys=None):
    path = tmp_path / "bad.npz"
    path.write_bytes(data)
    with pytest.raises(ModelFileError) as info:
        ln.load(path)
    for word in words:
        assert word in str(info.value), str(info.value)
    if capsys is not None:
        assert main(["info", str(path)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and all(w in err for w in words), err
    return str(info.value)


def _central(data, name):
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n = int.from_bytes(data[i + 28:i + 30], "little")
        if data[i + 46:i + 46 + n] == name:
            return i
        i = data.find(b"PK\x01\x02", i + 4)
    raise AssertionError(name)


@pytest.mark.parametrize("method", [6, 12, 14, 93, 99])
def test_unknown_compression_method_is_refused(tmp_path, capsys, method):
    data = bytearray(CLASSIFIER)
    at = _central(data, b"param/1/W.npy")
    data[at + 10:at + 12] = method.to_bytes(2, "little")
    _refused(tmp_path, bytes(data), [f"compression method {method}"], capsys)


def test_encrypted_flag_is_refused(tmp_path, capsys):
    data = bytearray(CLASSIFIER)
    at = _central(data, b"manifest.npy")
    data[at + 8] |= 1
    _refused(tmp_path, bytes(data), ["'manifest.npy' is encrypted"], capsys)


@pytest.mark.parametrize("name", ["manifest.npy", "param/1/W.npy"])
def test_duplicate_members_are_refused(tmp_path, capsys, name):
    items = list(mm.members(CLASSIFIER).items())
    items.append((name, dict(items)[name]))
    _refused(tmp_path, mm.build(items), [f"{name!r} appears twice"], capsys)


@pytest.mark.parametrize("prefix", ["../", "/", "a/../", "C:\\"])
def test_path_like_names_are_refused(tmp_path, prefix):
    items = [(prefix + n if n.startswith("param/1/W") else n, b)
             for n, b in mm.members(CLASSIFIER).items()]
    _refused(tmp_path, mm.build(items), ["is not one a model file holds", "no paths"])


def test_members_nothing_accounts_for_are_refused(tmp_path):
    items = list(mm.members(CLASSIFIER).items()) + [("param/7/W.npy", mm.npy(np.zeros(2)))]
    _refused(tmp_path, mm.build(items), ["does not account for: param/7/W"])


def test_a_huge_npy_header_allocates_nothing(tmp_path):
    """(100000, 100000) float64 claimed by a member: 74.5 GiB were allocated before."""
    import tracemalloc

    path = tmp_path / "bad.npz"
    path.write_bytes(mm.huge_npy_header(CLASSIFIER, None))
    tracemalloc.start()
    with pytest.raises(ModelFileError, match=r"shape \(100000, 100000\), but the manifest"):
        ln.load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000


# ---------------------------------------------------------------- manifest values
def _edited(tmp_path, edit, words, capsys=None):
    manifest = mm.manifest_of(CLASSIFIER)
    edit(manifest)
    text = json.dumps(manifest).replace('"__1e400__"', "1e400")
    return _refused(tmp_path, mm.with_manifest(CLASSIFIER, text), words, capsys)


def _set(path, value):
    def edit(manifest):
        node = manifest
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


@pytest.mark.parametrize("value", ["abc", None, [1], "__1e400__", True])
def test_activation_parameters_are_checked_by_type(tmp_path, value):
    _edited(tmp_path, _set(["layers", 1, "activation_params", "alpha"], value),
            ["layer 1: activation_params.alpha must be a finite number"])


def test_an_unknown_activation_parameter_is_refused(tmp_path):
    _edited(tmp_path, _set(["layers", 1, "activation_params"], {"beta": 1.0}),
            ["unknown setting 'beta'; known: alpha"])


@pytest.mark.parametrize("key,value,words", [
    ("mean", ["__1e400__", 0.0, 0.0], ["lists of 3 finite numbers", "its mean is not"]),
    ("scale", [1e-320, 1.0, 1.0], ["standardize.scale must be positive normal numbers"]),
    ("scale", [-1.0, 1.0, 1.0], ["standardize.scale must be positive normal numbers"]),
    ("scale", [1.0, 1.0], ["lists of 3 finite numbers", "its scale is not"]),
])
def test_scaling_statistics_are_finite_and_normal(tmp_path, key, value, words):
    _edited(tmp_path, _set(["preprocessing", "standardize", key], value), words)


def test_class_labels_must_match_the_outputs(tmp_path, capsys):
    _edited(tmp_path, _set(["preprocessing", "class_labels"], ["a", "b"]),
            ["class_labels must list 3 classes"], capsys)
    _edited(tmp_path, _set(["preprocessing", "class_labels"], ["a", "b", "a"]),
            ["class_labels must be unique"])


def test_feature_names_must_be_unique(tmp_path):
    _edited(tmp_path, _set(["preprocessing", "feature_names"], ["petal", "stem", "petal"]),
            ["feature_names must be unique; repeated: 'petal'"])


@pytest.mark.parametrize("name", ["\ud800", "a\x1b[2Jb", "", "x" * 300])
def test_a_layer_name_that_does_not_print_is_refused(tmp_path, capsys, name):
    message = _edited(tmp_path, _set(["layers", 1, "name"], name), [], capsys)
    assert "layer 1: the name" in message or "manifest.layers[1].name" in message, message


def test_unknown_preprocessing_fields_are_refused(tmp_path):
    _edited(tmp_path, _set(["preprocessing", "run_this"], "import os"),
            ["unknown field 'run_this'"])


# ---------------------------------------------------------------- training state
STATE_EDITS = [
    (["epoch"], "3", "train_state.epoch must be an integer"),
    (["epoch"], -1, "train_state.epoch must be an integer"),
    (["epoch"], 6, "train_state.epoch must be an integer from 0 to epochs - 1 = 5"),
    (["batches_done"], -1, "train_state.batches_done must be an integer"),
    (["batches_done"], 8, "do not fit in one epoch of 60"),
    (["optimizer_t"], -3, "optimizer_t must be a non-negative integer"),
    (["rng", "state", "state"], "garbage", "train_state.rng: a PCG64 state that cannot"),
    (["rng"], {"bit_generator": "os.system"}, "not a random generator state"),
    (["history"], [1, 2], "history must be a JSON object"),
    (["history", "loss"], "abc", "history['loss'] must be a list"),
    (["callbacks"], [], "holds no state for callback 0 (LearningRateScheduler)"),
    (["callbacks", 0, "class"], "os.system", "callbacks[0].class must be a class name"),
    (["callbacks", 1], {"class": "A", "custom": 1, "vars": {}}, "callbacks[1] must be null or"),
    (["options", "schedule"], {"name": "cosine", "config": {"t_max": "x"}},
     "schedule.config.t_max must be a finite number"),
    (["data"], "0" * 63, "SHA-256"),
    (["costs"], ["0.5"], "costs must be a list of finite numbers"),
    # the schedule's state against the optimizer's rate (0.1.0 files have no digests)
    (["callbacks", 0, "vars", "eta_0"], 1e30, "eta_0 must be one positive finite number, "
     "got 1e+30 and 0.001"),
    (["callbacks", 0, "vars", "schedule", "__object__", "eta_0"], -0.001,
     "eta_0 must be one positive finite number"),
    (["callbacks", 0, "vars", "schedule", "__object__", "eta_min"], 1e-4,
     "its settings differ from options.schedule"),
    (["callbacks", 0, "vars", "schedule", "__object__", "epochs"], 0,
     "its settings differ from options.schedule"),
]


@pytest.mark.parametrize("path,value,words", STATE_EDITS, ids=[w for _, _, w in STATE_EDITS])
def test_edited_training_states_are_refused_before_anything_is_restored(tmp_path, path, value,
                                                                         words):
    manifest = mm.manifest_of(CHECKPOINT)
    _set(["train_state", *path], value)(manifest)
    bad = tmp_path / "c.npz"
    bad.write_bytes(mm.with_manifest(CHECKPOINT, json.dumps(manifest)))
    X, y = _regression_data()
    with pytest.raises(ValueError, match=None) as info:
        resume(bad, X, y, verbose=False, checkpoint_path=tmp_path / "out.npz")
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize("eta_0", [1e30, 1e308, 0.002])
def test_an_edited_eta_0_is_refused_not_trained_into_a_divergence(tmp_path, eta_0):
    """Both copies of the cosine schedule's eta_0 edited alike (before: a resume that
    raised DivergenceError at epoch 4 with a rate of 2.5e+29).  Epoch 3 was begun
    with eta_0 (1 + cos(pi 3/6)) / 2 = eta_0 / 2: 0.0005 for the saved 0.001."""
    manifest = mm.manifest_of(CHECKPOINT)
    saved = manifest["train_state"]["callbacks"][0]["vars"]
    saved["eta_0"] = saved["schedule"]["__object__"]["eta_0"] = eta_0
    bad = tmp_path / "c.npz"
    bad.write_bytes(mm.with_manifest(CHECKPOINT, json.dumps(manifest)))
    words = f"gives the learning rate {eta_0 / 2:.6g} in epoch 3, but the optimizer's is 0.0005"
    with pytest.raises(ModelFileError, match=re.escape(words)):
        resume(bad, *_regression_data(), verbose=False, checkpoint_path=tmp_path / "o.npz")


def test_an_edited_learning_rate_is_refused_when_a_schedule_sets_it(tmp_path):
    manifest = mm.manifest_of(CHECKPOINT)
    manifest["optimizer"]["config"]["lr"] = 1e30
    _refused(tmp_path, mm.with_manifest(CHECKPOINT, json.dumps(manifest)),
             ["the schedule gives the learning rate 0.0005 in epoch 3, but the optimizer's is "
              "1e+30"])


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine", "reduce_on_plateau"])
def test_every_checkpoint_of_a_scheduled_run_meets_the_schedule_check(tmp_path, schedule):
    """No false refusal: each epoch's checkpoint, its digests taken out (as a 0.1.0 file
    has none), passes the consistency check; the plateau cuts its rate on the way."""
    from lucidnet.optim.schedules import get_schedule

    rule = {"step": get_schedule("step", step_size=2, gamma=0.5),
            "cosine": get_schedule("cosine", t_max=4),       # the rate reaches 0 at epoch 4
            "reduce_on_plateau": get_schedule("reduce_on_plateau", patience=0, factor=0.5,
                                              min_delta=1.0)}.get(schedule, schedule)
    path, seen = tmp_path / "ck.npz", []

    class Keep(ln.Callback):
        def on_epoch_begin(self, net, epoch):
            if path.exists():
                seen.append(path.read_bytes())

    X, y = _regression_data()
    net = ln.NeuralNetwork([ln.Input("x", 4), ln.Dense("h", 5, "tanh"),
                            ln.Dense("out", 1, "identity")], loss_fn="mse", optimizer="adam",
                           lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ln.TrainingDiagnosis)
        net.fit(X, y, epochs=7, print_every=0, batch_size=20, schedule=rule,
                checkpoint_path=path, checkpoint_every=1, callbacks=[Keep()])
    rates = set()
    for data in seen:
        manifest = mm.manifest_of(data)
        del manifest["sha256"]
        (tmp_path / "old.npz").write_bytes(mm.with_manifest(data, json.dumps(manifest)))
        rates.add(load_checkpoint(tmp_path / "old.npz")[0].lr)
    assert len(seen) == 6 and len(rates) >= 2
    if schedule == "cosine":
        assert 0.0 in rates


def test_out_of_range_shuffle_order_is_refused(tmp_path):
    items = dict(mm.members(CHECKPOINT))
    items["state/order.npy"] = mm.npy(np.arange(60)[::-1] + 1)
    _refused(tmp_path, mm.build(list(items.items())), ["state/order is not a permutation"])


@pytest.mark.parametrize("array,words", [
    (np.zeros((6, 5), np.float32), "has shape (6, 5), but the manifest implies (6, 4)"),
    (np.full((6, 4), np.nan, np.float32), "non-finite values"),
    (np.zeros((6, 4)), "dtype float64, expected float32"),
])
def test_adam_moments_of_the_wrong_shape_or_nan_are_refused(tmp_path, array, words):
    items = dict(mm.members(CHECKPOINT))
    items["state/opt/1.W/m.npy"] = mm.npy(array)
    _refused(tmp_path, mm.build(list(items.items())), [words])


def test_a_refused_resume_leaves_the_network_untouched(tmp_path):
    """Checks that need the data run before anything is restored."""
    X, y = _regression_data()
    with pytest.raises(ValueError, match="X and y differ"):
        resume(FIXTURES / "regression32_checkpoint.npz", X[:, :50], y[:50], verbose=False)


def _regression_model(tmp_path):
    net = ln.load(FIXTURES / "regression32.npz")
    net.preprocessing = {**net.preprocessing,
                         "target_standardize": {"mean": [3.0], "scale": [2.0]}}
    net.save(tmp_path / "r.npz")
    return (tmp_path / "r.npz").read_bytes()


@pytest.mark.parametrize("stats,words", [
    ({"mean": [3.0], "scale": [2.0]}, None),
    ({"mean": [3.0, 1.0], "scale": [2.0, 1.0]}, "lists of 1 finite numbers"),
    ({"mean": ["__1e400__"], "scale": [2.0]}, "its mean is not"),
    ({"mean": [3.0], "scale": [1e-320]}, "target_standardize.scale must be positive normal"),
    ({"mean": [3.0]}, "target_standardize must hold 'mean' and 'scale'"),
])
def test_target_scaling_statistics_are_validated_like_the_rest(tmp_path, stats, words):
    data = _regression_model(tmp_path)
    manifest = mm.manifest_of(data)
    manifest["preprocessing"]["target_standardize"] = stats
    text = json.dumps(manifest).replace('"__1e400__"', "1e400")
    if words is None:
        path = tmp_path / "ok.npz"
        path.write_bytes(mm.with_manifest(data, text, redigest=True))
        assert ln.load(path).preprocessing["target_standardize"] == stats
    else:
        _refused(tmp_path, mm.with_manifest(data, text, redigest=True), [words])


@pytest.mark.parametrize("edit,words", [
    ({"input_features": ["x1", "x2", "x1*x2", "sin(x9)"], "raw_inputs": 2}, "beyond the 2 raw"),
    ({"input_features": ["x1", "x2", "x1*x2", "x1^2"]}, "raw_inputs must be"),
    ({"raw_inputs": 2}, "raw_inputs is given without input_features"),
])
def test_input_feature_transforms_are_validated_like_the_rest(tmp_path, edit, words):
    manifest = mm.manifest_of(CHECKPOINT)
    manifest["preprocessing"] = {"feature_names": ["a", "b"], **edit}
    _refused(tmp_path, mm.with_manifest(CHECKPOINT, json.dumps(manifest)), [words])


def test_the_summary_prints_a_huge_cost_in_six_significant_digits():
    from lucidnet.cli._report import _cost_text

    assert _cost_text(0.0768587) == "0.076859"            # as the epoch lines print it
    assert _cost_text(1.5566018544704e308) == "1.5566e+308"  # a penalty of 1e300, edited in
