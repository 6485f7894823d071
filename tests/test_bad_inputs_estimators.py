"""Bad inputs through the scikit-learn estimators (row-wise, as scikit-learn wants).

The estimators follow scikit-learn's own validation and wording (its estimator
checks require it), so the words asserted here are scikit-learn's; the
exception is always a ``ValueError``.  Inputs are read-only arrays, which
proves that nothing is modified in place.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sk = pytest.importorskip("lucidnet.sklearn")


def _ro(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


RNG = np.random.default_rng(0)
X_OK = _ro(RNG.normal(size=(20, 2)))
Y_OK = _ro((X_OK[:, 0] > 0).astype(int))
BOTH_CLASSES = [int(np.argmax(Y_OK == 0)), int(np.argmax(Y_OK == 1))]  # two rows, two classes


def _with(a, index, value, dtype=float):
    b = np.array(a, dtype=dtype)
    b[index] = value
    return _ro(b)


def _clf(**kw):
    return sk.LucidClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0, **kw)


def _reg(**kw):
    return sk.LucidRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0, **kw)


def _fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=5 does not converge; that is fine here
        return _clf().fit(X_OK, Y_OK)


CASES = [
    ("NaN in X", lambda: _clf().fit(_with(X_OK, (1, 1), np.nan), Y_OK), ["NaN"]),
    ("inf in X", lambda: _reg().fit(_with(X_OK, (1, 1), np.inf), Y_OK), ["infinity"]),
    ("strings in X", lambda: _clf().fit(_with(X_OK, (1, 1), "a", object), Y_OK), ["string"]),
    ("complex X", lambda: _clf().fit(_with(X_OK, (1, 1), 1j, complex), Y_OK), ["Complex"]),
    ("1-D X", lambda: _clf().fit(X_OK[:, 0], Y_OK), ["2D array"]),
    ("empty X", lambda: _clf().fit(X_OK[:0], Y_OK[:0]), ["0 sample"]),
    ("NaN in y", lambda: _reg().fit(X_OK, _with(Y_OK, 3, np.nan)), ["y contains NaN"]),
    ("inf in y", lambda: _reg().fit(X_OK, _with(Y_OK, 3, np.inf)), ["infinity"]),
    ("y too short", lambda: _clf().fit(X_OK, Y_OK[:-1]), ["inconsistent numbers of samples"]),
    ("feature count at predict", lambda: _fitted().predict(np.zeros((3, 3))),
     ["3 features", "expecting 2"]),
    ("NaN at predict", lambda: _fitted().predict(_with(X_OK, (0, 0), np.nan)), ["NaN"]),
    ("hidden size 0", lambda: sk.LucidClassifier(hidden_layer_sizes=(0,)).fit(X_OK, Y_OK),
     ["hidden_layer_sizes"]),
    ("learning rate 0", lambda: _clf(learning_rate_init=0).fit(X_OK, Y_OK),
     ["learning_rate_init"]),
    ("max_iter 0", lambda: sk.LucidClassifier(max_iter=0).fit(X_OK, Y_OK), ["max_iter"]),
    ("batch_size 0", lambda: _clf(batch_size=0).fit(X_OK, Y_OK), ["batch_size"]),
    ("unknown activation", lambda: _clf(activation="nope").fit(X_OK, Y_OK), ["activation"]),
    ("unknown solver", lambda: _clf(solver="nope").fit(X_OK, Y_OK), ["solver"]),
    ("stratified validation split, one example per class",
     lambda: _clf(early_stopping=True).fit(X_OK[BOTH_CLASSES], Y_OK[BOTH_CLASSES]),
     ["only 1 member"]),
]


@pytest.mark.parametrize("category,call,words", CASES, ids=[c[0] for c in CASES])
def test_estimator_refuses_bad_input(category, call, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        with pytest.raises(ValueError) as info:
            call()
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize("make", [_clf, _reg])
def test_estimators_accept_read_only_inputs_and_leave_them_alone(make):
    X, y = _ro(X_OK.copy()), _ro(Y_OK.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make().fit(X, y)
    est.predict(X), est.score(X, y)
    np.testing.assert_array_equal(X, X_OK)
    np.testing.assert_array_equal(y, Y_OK)


def test_estimator_training_on_one_example_is_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _reg().fit(X_OK[:1], Y_OK[:1].astype(float))
