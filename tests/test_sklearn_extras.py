"""lucidnet's extras on the estimators: off by default, each one tested.

Where an extra has an equivalent in plain scikit-learn (a list of equal
activations, ``class_weight`` as ``sample_weight``, sigmoid outputs for
classes as a multi-label fit, a callback that stops as ``max_iter`` does), it
is checked against MLPClassifier run side by side.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.utils.class_weight import compute_sample_weight
from sklearn_pairs import DATA, assert_close

from lucidnet.optim.optimizers import AdamW, RMSProp
from lucidnet.sklearn import LucidClassifier, LucidRegressor

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)

X, Y = DATA["iris"]
BASE = dict(hidden_layer_sizes=(8, 6), max_iter=15, random_state=0, batch_size=16,
            learning_rate_init=0.01)


def test_extras_are_off_by_default():
    est = LucidClassifier()
    assert (est.dropout, est.callbacks, est.output_activation, est.class_weight) == \
        (0.0, None, None, None)
    assert not hasattr(est.fit(X, Y), "validation_loss_curve_")


def test_a_list_of_activations_gives_one_per_layer_and_equals_the_string_when_equal():
    mixed = LucidClassifier(activation=["tanh", "relu"], **BASE).fit(X, Y)
    assert [layer.activation.name for layer in mixed._dense_layers()] == \
        ["tanh", "relu", "softmax"]
    assert mixed.loss_curve_[-1] < mixed.loss_curve_[0]
    ours = LucidClassifier(activation=["logistic", "logistic"], **BASE).fit(X, Y)
    theirs = MLPClassifier(activation="logistic", **BASE).fit(X, Y)
    assert_close(ours.loss_curve_, theirs.loss_curve_)


def test_dropout_is_random_in_training_reproducible_and_off_in_prediction():
    a = LucidClassifier(dropout=[0.3, 0.0], **BASE).fit(X, Y)
    b = LucidClassifier(dropout=[0.3, 0.0], **BASE).fit(X, Y)
    plain = LucidClassifier(**BASE).fit(X, Y)
    assert [type(layer).__name__ for layer in a.net_.layers] == \
        ["Input", "Dense", "Dropout", "Dense", "Dense"]
    assert a.loss_curve_ == b.loss_curve_ and a.loss_curve_ != plain.loss_curve_
    np.testing.assert_array_equal(a.predict_proba(X), a.predict_proba(X))


def test_class_weight_is_sample_weight_per_class():
    y = (Y == 2).astype(int)  # unbalanced: 50 against 100
    ours = LucidClassifier(class_weight="balanced", **BASE).fit(X, y)
    theirs = MLPClassifier(**BASE).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    weights = {0: 1.0, 1: 3.0}
    ours = LucidClassifier(class_weight=weights, **BASE).fit(X, y, sample_weight=np.full(150, 0.5))
    theirs = MLPClassifier(**BASE).fit(X, y, sample_weight=0.5 * np.where(y == 1, 3.0, 1.0))
    assert_close(ours.loss_curve_, theirs.loss_curve_)


def test_callbacks_see_each_epoch_and_can_stop_training():
    seen = []

    def stop_after_four(est):
        seen.append(len(est.loss_curve_))
        return est.n_iter_ == 4

    ours = LucidClassifier(callbacks=[stop_after_four], **BASE).fit(X, Y)
    theirs = MLPClassifier(**{**BASE, "max_iter": 4}).fit(X, Y)
    assert seen == [1, 2, 3, 4] and ours.n_iter_ == 4
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    assert_close(ours.coefs_[0], theirs.coefs_[0])


def test_validation_loss_curve_is_the_held_out_loss_of_every_epoch():
    params = {**BASE, "alpha": 0.0, "early_stopping": True, "n_iter_no_change": 100}
    # The held-out part, drawn independently as scikit-learn documents its order:
    # the weights (coefs_ then intercepts_ of each layer), then the split.
    rs = np.random.RandomState(params["random_state"])
    for fan_in, fan_out in [(4, 8), (8, 6), (6, 3)]:
        rs.uniform(size=(fan_in, fan_out))
        rs.uniform(size=fan_out)
    _, X_val, _, y_val = train_test_split(X, Y, random_state=rs, test_size=0.1)
    expected = []

    def held_out_loss(est):
        expected.append(log_loss(y_val, est.predict_proba(X_val)))

    LucidClassifier(callbacks=[held_out_loss], **params).fit(X, Y)
    est = LucidClassifier(**params).fit(X, Y)
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == est.n_iter_
    assert_close(est.validation_loss_curve_, expected)


def test_sigmoid_outputs_for_classes_equal_a_multilabel_fit():
    ours = LucidClassifier(output_activation="logistic", **BASE).fit(X, Y)
    theirs = MLPClassifier(**BASE).fit(X, np.eye(3, dtype=int)[Y])
    assert ours.out_activation_ == "logistic"
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    P = ours.predict_proba(X)
    assert P.shape == (150, 3) and not np.allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ours.predict(X), P.argmax(axis=1))
    with pytest.raises(ValueError, match="output_activation"):
        LucidClassifier(output_activation="relu").fit(X, Y)


def test_regressor_output_activation():
    Xr, yr = DATA["diabetes"]
    target = 1 / (1 + np.exp(-yr))                        # in (0, 1)
    est = LucidRegressor(output_activation="sigmoid", **BASE).fit(Xr, target)
    assert est.out_activation_ == "logistic"
    assert ((est.predict(Xr) > 0) & (est.predict(Xr) < 1)).all()
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    with pytest.raises(ValueError, match="output_activation"):
        LucidRegressor(output_activation="nope").fit(Xr, yr)


@pytest.mark.parametrize("solver, cls", [("rmsprop", RMSProp), ("adamw", AdamW)])
def test_more_solvers(solver, cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LucidClassifier(solver=solver, weight_decay=0.001, **BASE).fit(X, Y)
    assert isinstance(est._optimizer, cls) and est._optimizer.lr == BASE["learning_rate_init"]
    if solver == "adamw":
        assert est._optimizer.weight_decay == 0.001
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]


def test_both_training_loops_take_their_steps_through_one_function(monkeypatch):
    """NeuralNetwork.fit and the estimators share lucidnet.training.loop.train_step: a
    change to it changes both (here: a step that computes the gradients and
    never updates)."""
    from lucidnet import Dense, Input, NeuralNetwork
    from lucidnet.training import loop

    calls = []

    def frozen_step(net, X, Y, sample_weight=None, check_finite=True, **kwargs):
        calls.append(X.shape[1])
        net.backward_checked(X, Y, sample_weight, check_finite=check_finite)

    monkeypatch.setattr(loop, "train_step", frozen_step)
    est = LucidClassifier(**BASE).fit(X, Y)
    assert len(calls) == 10 * est.n_iter_              # 150 examples, batches of 16
    assert_close(est.loss_curve_, [est.loss_curve_[0]] * est.n_iter_)   # nothing learnt
    net = NeuralNetwork([Input("x", 4), Dense("h", 3), Dense("out", 1)], seed=0)
    before = net.layers[1].params["W"].copy()
    net.fit(X.T, (Y == 2).astype(float), epochs=3, print_every=0, batch_size=50)
    assert len(calls) == 10 * est.n_iter_ + 3 * 3
    np.testing.assert_array_equal(net.layers[1].params["W"], before)
