"""Every kind of bad input, through every public entry that accepts it.

Each row names a category, the bad value and words the message must contain.
The data arrays are read-only, which proves that no entry modifies them.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet import checks


def _ro(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def _net(out_units=1, out_act="sigmoid", loss="bce", **kw):
    return NeuralNetwork([Input("x", 2), Dense("h", 3, "tanh"),
                          Dense("out", out_units, out_act)], loss_fn=loss, **kw)


# Good data, column-wise: X is (2, 4), y labels 0/1.
X_OK = _ro([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 0.0]])
Y_OK = _ro([0, 1, 0, 1])


def _with(a, index, value, dtype=float):
    b = np.array(a, dtype=dtype)
    b[index] = value
    b.flags.writeable = False
    return b


# (category, X, y, words in the message)
DATA_CASES = [
    ("NaN in X", _with(X_OK, (1, 2), np.nan), Y_OK, ["X contains NaN", "feature 1, example 2"]),
    ("inf in X", _with(X_OK, (0, 3), np.inf), Y_OK, ["X contains infinity", "example 3"]),
    ("-inf in X", _with(X_OK, (0, 0), -np.inf), Y_OK, ["-infinity"]),
    ("strings in X", _ro([["1", "2", "3", "4"], ["a", "b", "c", "d"]]), Y_OK,
     ["X must be numeric", "strings"]),
    ("None in X", _ro(np.array([[0.0, None, 1.0, 2.0], [1.0, 1.0, 1.0, 1.0]], dtype=object)),
     Y_OK, ["X must be numeric", "NoneType"]),
    ("complex X", _ro(X_OK + 1j), Y_OK, ["X must be real", "complex"]),
    ("1-D X", _ro([0.0, 1.0, 2.0, 3.0]), Y_OK, ["X must have shape (d0, N) = (2, N)"]),
    ("wrong feature count", _ro(np.zeros((3, 4))), Y_OK, ["3 features", "input layer has 2"]),
    ("row-wise X", _ro(np.zeros((4, 2))), Y_OK, ["row-wise", "X.T"]),
    ("empty X", _ro(np.zeros((2, 0))), _ro(np.zeros(0)), ["X is empty"]),
    ("ragged X", [[0.0, 1.0], [1.0]], Y_OK, ["rectangular"]),
]
# Cases that only concern targets (entries taking y).
TARGET_CASES = [
    ("NaN in y", X_OK, _with(Y_OK, 1, np.nan), ["y contains NaN", "output 0, example 1"]),
    ("inf in y", X_OK, _with(Y_OK, 2, np.inf), ["y contains infinity"]),
    ("strings in y", X_OK, _ro(["a", "b", "a", "b"]), ["y must be numeric"]),
    ("complex y", X_OK, _ro(Y_OK + 0j), ["y must be real"]),
    ("too few labels", X_OK, _ro([0, 1, 0]), ["y must have shape", "3 targets for 4 examples"]),
    ("label 2 for a sigmoid output", X_OK, _ro([0, 1, 2, 1]), ["[0, 1]", "bce", "softmax"]),
    ("negative label for bce", X_OK, _ro([0, -1, 0, 1]), ["[0, 1]"]),
]
ENTRIES = {
    "forward": lambda net, X, y: net.forward(X),
    "predict": lambda net, X, y: net.predict(X),
    "predict_proba": lambda net, X, y: net.predict_proba(X),
    "loss": lambda net, X, y: net.loss(X, y),
    "backward": lambda net, X, y: net.backward(X, y),
    "score": lambda net, X, y: net.score(X, y),
    "fit": lambda net, X, y: net.fit(X, y, epochs=2, print_every=0),
    "grad_check": lambda net, X, y: net.grad_check(X, y, 1),
}
TAKES_Y = {"loss", "backward", "score", "fit", "grad_check"}


BAD_DATA_TABLE = [pytest.param(entry, *case, id=f"{case[0]}-{entry}")
                  for case in DATA_CASES + TARGET_CASES for entry in sorted(ENTRIES)
                  if entry in TAKES_Y or case in DATA_CASES]


@pytest.mark.parametrize("entry,category,X,y,words", BAD_DATA_TABLE)
def test_network_entry_refuses_bad_data(entry, category, X, y, words):
    net = _net()
    before = [theta.copy() for _, theta, _ in net.parameters()]
    with pytest.raises(ValueError) as info:
        ENTRIES[entry](net, X, y)
    for word in words:
        assert word in str(info.value), (category, str(info.value))
    # A refused call leaves the weights as they were.
    for theta, old in zip((t for _, t, _ in net.parameters()), before):
        np.testing.assert_array_equal(theta, old)


SOFTMAX_LABEL_CASES = [
    ("label equal to the number of classes", [0, 1, 3, 2], ["[0, 2]", "3 units", "y[2] is 3"]),
    ("negative label", [0, -1, 1, 2], ["[0, 2]", "y[1] is -1"]),
    ("fractional label", [0, 1.5, 1, 2], ["integers", "y[1] is 1.5"]),
    ("NaN label", [0, np.nan, 1, 2], ["y contains NaN", "position 1"]),
]


@pytest.mark.parametrize("entry", sorted(TAKES_Y))
@pytest.mark.parametrize("category,labels,words", SOFTMAX_LABEL_CASES,
                         ids=[c[0] for c in SOFTMAX_LABEL_CASES])
def test_softmax_labels_must_fit_the_output_layer(entry, category, labels, words):
    net = _net(3, "softmax", "cce")
    with pytest.raises(ValueError) as info:
        ENTRIES[entry](net, X_OK, _ro(labels))
    for word in words:
        assert word in str(info.value), str(info.value)


HYPERPARAMETER_CASES = [
    ("epochs 0", lambda: _net().fit(X_OK, Y_OK, epochs=0), ["epochs must be a positive integer"]),
    ("epochs -3", lambda: _net().fit(X_OK, Y_OK, epochs=-3), ["epochs", "-3"]),
    ("epochs 2.5", lambda: _net().fit(X_OK, Y_OK, epochs=2.5), ["epochs", "2.5"]),
    ("epochs True", lambda: _net().fit(X_OK, Y_OK, epochs=True), ["epochs", "True"]),
    ("batch_size 0", lambda: _net().fit(X_OK, Y_OK, epochs=1, batch_size=0), ["batch_size"]),
    ("print_every -1", lambda: _net().fit(X_OK, Y_OK, print_every=-1),
     ["print_every must be a non-negative integer"]),
    ("lr 0", lambda: _net(lr=0), ["lr must be a positive"]),
    ("lr -1", lambda: _net(lr=-1.0), ["lr must be a positive"]),
    ("lr NaN", lambda: _net(lr=float("nan")), ["lr must be a positive finite"]),
    ("lr inf", lambda: _net(lr=float("inf")), ["lr must be a positive finite"]),
    ("units 0", lambda: Dense("h", 0), ["units must be a positive integer"]),
    ("units -2", lambda: Dense("h", -2), ["units", "-2"]),
    ("n_features 0", lambda: Input("x", 0), ["n_features must be a positive integer"]),
    ("unknown activation", lambda: Dense("h", 2, "sigmod"), ["unknown activation 'sigmod'",
                                                            "sigmoid"]),
    ("unknown loss", lambda: _net(loss="bse"), ["unknown loss 'bse'", "bce"]),
    ("unknown optimizer", lambda: _net(optimizer="adma"), ["unknown optimizer 'adma'", "adam"]),
    ("negative seed", lambda: _net(seed=-1), ["seed must be a non-negative integer"]),
    ("first layer not Input", lambda: NeuralNetwork([Dense("h", 2)]), ["first layer", "Input"]),
    # Where two are needed: a validation split of one example, or of a class seen once.
    ("validation split of one example",
     lambda: _net().fit(X_OK[:, :1], Y_OK[:1], epochs=1, validation_split=0.5),
     ["validation split needs at least 2 examples"]),
    ("validation split, a class seen once",
     lambda: _net().fit(X_OK[:, :3], Y_OK[:3], epochs=1, validation_split=0.5),
     ["class 1 has only 1 example", "at least 2"]),
    ("validation fraction 1.5", lambda: _net().fit(X_OK, Y_OK, validation_split=1.5),
     ["validation fraction", "(0, 1)"]),
    ("NaN in validation data",
     lambda: _net().fit(X_OK, Y_OK, validation_data=(X_OK, _with(Y_OK, 0, np.nan))),
     ["y contains NaN"]),
    ("validation data with 3 features",
     lambda: _net().fit(X_OK, Y_OK, validation_data=(np.zeros((3, 4)), Y_OK)),
     ["3 features", "input layer has 2"]),
    ("validation_split and validation_data",
     lambda: _net().fit(X_OK, Y_OK, validation_split=0.5, validation_data=(X_OK, Y_OK)),
     ["not both"]),
]


@pytest.mark.parametrize("category,call,words", HYPERPARAMETER_CASES,
                         ids=[c[0] for c in HYPERPARAMETER_CASES])
def test_invalid_hyperparameters(category, call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


def test_read_only_inputs_are_accepted_and_untouched():
    X = _ro(np.random.default_rng(1).normal(size=(2, 20)))
    y = _ro((X[0] > 0).astype(float))
    X_copy, y_copy = X.copy(), y.copy()
    net = _net()
    net.fit(X, y, epochs=3, print_every=1, verbose=False, batch_size=7)
    net.predict(X), net.loss(X, y), net.backward(X, y), net.score(X, y)
    net.grad_check(X, y, 1)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_training_on_one_example_is_fine():
    net = _net()
    net.fit(_ro([[0.5], [1.0]]), _ro([1]), epochs=3, print_every=0)


def test_object_array_of_numbers_is_accepted():
    X = np.array([[0, 1.0], [np.float32(2), 3]], dtype=object)
    assert checks.as_numeric_array(X).dtype == np.float64


@pytest.mark.parametrize("call,words", [
    (lambda: checks.check_two_classes([1, 1, 1]), ["at least 2 classes", "one class (1)"]),
    (lambda: checks.check_two_classes([], "stratification"), ["stratification", "no labels"]),
    (lambda: checks.check_min_examples(1, 2, "a validation split"),
     ["a validation split needs at least 2 examples, got 1"]),
    (lambda: checks.check_choice("loss", "nope", {"bce": 1, "mse": 2}),
     ["unknown loss 'nope'; known: bce, mse"]),
    (lambda: checks.check_finite(np.array([[1.0, 2.0], [3.0, np.nan]])),
     ["X contains NaN at row 1, column 1"]),
])
def test_shared_checks_messages(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_model_file_whose_layer_sizes_do_not_chain_is_refused(tmp_path):
    from lucidnet import ModelFileError, load

    path = tmp_path / "model.npz"
    _net().save(path)
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["param/2/W"] = np.zeros((1, 5))  # the hidden layer has 3 units, not 5
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError) as info:
        load(path)
    message = str(info.value)
    assert "param/2/W" in message or "layer 2" in message, message
    assert "(1, 5)" in message and "(1, 3)" in message, message
