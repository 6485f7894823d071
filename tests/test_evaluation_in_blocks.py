"""The cost evaluations during training pass over the examples a block of columns at a time.

A print checkpoint (``fit``'s default, at epoch 0), validation, early stopping
and a callback's ``info.cost`` evaluate J over all examples.  Over all N
columns at once that pass held ``Z`` and ``A`` of every layer for N examples
beside the training arrays: 9 instead of 5 arrays of ``(64, N)`` at the peak of
2-64-64-1 on 10^6 examples (measured in BENCHMARKS.md).  In blocks the figures
must be the same numbers; the references are scikit-learn's metrics on the
network's own unbatched outputs, and the penalty worked out in the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.training import passes

# Short runs on hard data: the verdict on the result is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::lucidnet.TrainingDiagnosis")

def _moons_like(N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 2))
    y = (X[:, 0] * X[:, 1] + 0.3 * rng.standard_normal(N) > 0).astype(float)
    return X, y


def _classifier(**kw):
    return NeuralNetwork([Input("x", 2), Dense("h1", 8), Dense("out", 1)], **kw)


class _Spy:
    """Records the columns of every inference pass (``training=False``) of a network."""

    def __init__(self, net, monkeypatch):
        self.columns = []
        real = net.forward_checked

        def forward_checked(A, training=False):
            if not training:
                self.columns.append(A.shape[1])
            return real(A, training)

        monkeypatch.setattr(net, "forward_checked", forward_checked)


def test_column_blocks_cover_every_column_once():
    # 10,000 full-batch columns: blocks of 4,096, 4,096 and 1,808
    blocks = passes.column_blocks(10_000)
    assert [(b.start, min(b.stop, 10_000)) for b in blocks] == \
        [(0, 4096), (4096, 8192), (8192, 10_000)]
    # a mini-batch run's passes go in its batches
    assert len(passes.column_blocks(1000, 300)) == 4
    # fewer columns than a block: one block, the plain pass
    assert len(passes.column_blocks(1000)) == 1
    assert np.arange(1000)[passes.column_blocks(1000)[0]].size == 1000


def test_print_checkpoint_cost_in_blocks_is_the_cost_of_all_examples(monkeypatch):
    N, l2 = 10_000, 0.5
    X, y = _moons_like(N)
    net = _classifier(l2=l2, lr=0.5)
    spy = _Spy(net, monkeypatch)
    costs = net.fit(X.T, y, epochs=2, print_every=1, verbose=False)
    # the checkpoint passes went in blocks of at most 4,096 columns
    assert spy.columns and max(spy.columns) <= passes.PASS_COLUMNS
    assert sum(c for c in spy.columns[:3]) == N
    # the reference, from the final weights: unbatched outputs, scikit-learn's log loss,
    # and the L2 penalty (l2 / 2N) sum W**2 over the weights
    p = net.predict_proba(X.T)[0]
    squares = sum(float((layer.params["W"] ** 2).sum()) for layer in net.layers[1:])
    expected = log_loss(y, p) + l2 / (2 * N) * squares
    assert costs[-1] == pytest.approx(expected, rel=1e-12)
    assert net.history["accuracy"][-1] == accuracy_score(y, p >= 0.5)


def test_validation_figures_of_a_mini_batch_run_in_blocks(monkeypatch):
    X, y = _moons_like(2000, seed=1)
    Xv, yv = _moons_like(5000, seed=2)
    net = _classifier(optimizer="adam", lr=0.01)
    spy = _Spy(net, monkeypatch)
    net.fit(X.T, y, epochs=1, print_every=0, batch_size=256, validation_data=(Xv.T, yv))
    # with validation data J is recorded every epoch: the training set's 2,000 columns
    # in one block, the validation set's 5,000 in 4,096 and 904; then the diagnosis
    # in the run's batches of 256
    assert spy.columns[:3] == [2000, 4096, 904] and set(spy.columns[3:]) == {256, 208}
    p = net.predict_proba(Xv.T)[0]
    assert net.history["val_loss"][-1] == pytest.approx(log_loss(yv, p), rel=1e-12)
    assert net.history["val_accuracy"][-1] == accuracy_score(yv, p >= 0.5)


def test_regression_figures_in_blocks():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((9000, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(9000)
    net = NeuralNetwork([Input("x", 3), Dense("h", 8, activation="tanh"),
                         Dense("out", 1, activation="identity")], loss_fn="mse", lr=0.05)
    net.fit(X.T, y, epochs=3, print_every=1, verbose=False)
    yhat = net.predict_proba(X.T)[0]
    # the loss is (1/2) (a - y)**2 averaged over the examples: half of the MSE
    assert net.history["loss"][-1] == pytest.approx(0.5 * mean_squared_error(y, yhat),
                                                    rel=1e-12)
    assert net.history["r2"][-1] == pytest.approx(r2_score(y, yhat), rel=1e-12)


def test_softmax_and_multi_label_figures_in_blocks():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((9000, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)       # 3 classes
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, activation="tanh"),
                         Dense("out", 3, activation="softmax")], loss_fn="cce", lr=0.5)
    net.fit(X.T, y, epochs=2, print_every=1, verbose=False)
    P = net.predict_proba(X.T).T                                       # (N, 3)
    assert net.history["loss"][-1] == pytest.approx(log_loss(y, P), rel=1e-12)
    assert net.history["accuracy"][-1] == accuracy_score(y, P.argmax(axis=1))
    # two sigmoid outputs (multi-label): the accuracy is over every entry
    Y = np.stack([X[:, 0] > 0, X[:, 0] + X[:, 1] > 0]).astype(float)  # (2, N)
    net = NeuralNetwork([Input("x", 2), Dense("h", 8), Dense("out", 2)], lr=0.5)
    net.fit(X.T, Y, epochs=2, print_every=1, verbose=False)
    P = net.predict_proba(X.T)
    assert net.history["accuracy"][-1] == np.mean((P >= 0.5) == (Y == 1))
    bce = -np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=0))
    assert net.history["loss"][-1] == pytest.approx(bce, rel=1e-10)


def test_a_small_pass_is_one_block_and_the_same_bits(monkeypatch):
    # N below a block: the plain pass over all columns, as before the blocks
    X, y = _moons_like(1000)
    net = _classifier()
    spy = _Spy(net, monkeypatch)
    costs = net.fit(X.T, y, epochs=1, print_every=1, verbose=False)
    assert spy.columns[0] == 1000
    net.forward_checked(np.ascontiguousarray(X.T))
    assert costs[0] == net.cost_of_last_forward(y.reshape(1, -1))
