"""Metrics against values worked out by hand (and checked once with sklearn.metrics)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import metrics as M

# Binary: TP = 3, FP = 0, FN = 1, TN = 2.
YB_TRUE = np.array([0, 1, 1, 0, 1, 1])
YB_PRED = np.array([0, 1, 0, 0, 1, 1])
# Three classes (see the per-class counts in the tests).
YM_TRUE = np.array([0, 1, 2, 2, 1, 0])
YM_PRED = np.array([0, 2, 2, 2, 1, 1])


def test_binary_classification_metrics():
    assert M.accuracy(YB_TRUE, YB_PRED) == pytest.approx(5 / 6)
    assert M.precision(YB_TRUE, YB_PRED) == pytest.approx(1.0)          # 3 / (3 + 0)
    assert M.recall(YB_TRUE, YB_PRED) == pytest.approx(0.75)            # 3 / (3 + 1)
    assert M.f1_score(YB_TRUE, YB_PRED) == pytest.approx(6 / 7)         # 2*3 / (2*3 + 0 + 1)
    np.testing.assert_array_equal(M.confusion_matrix(YB_TRUE, YB_PRED), [[2, 0], [1, 3]])
    # the other class as positive: TP = 2, FP = 1, FN = 0
    assert M.precision(YB_TRUE, YB_PRED, pos_label=0) == pytest.approx(2 / 3)
    assert M.recall(YB_TRUE, YB_PRED, pos_label=0) == pytest.approx(1.0)


def test_macro_metrics():
    # class 0: TP 1, predicted 1, actual 2; class 1: TP 1, predicted 2, actual 2;
    # class 2: TP 2, predicted 3, actual 2.
    assert M.accuracy(YM_TRUE, YM_PRED) == pytest.approx(4 / 6)
    assert M.precision(YM_TRUE, YM_PRED, "macro") == pytest.approx((1 + 0.5 + 2 / 3) / 3)
    assert M.recall(YM_TRUE, YM_PRED, "macro") == pytest.approx((0.5 + 0.5 + 1) / 3)
    assert M.f1_score(YM_TRUE, YM_PRED, "macro") == pytest.approx((2 / 3 + 0.5 + 0.8) / 3)
    assert M.f1_score(YM_TRUE, YM_PRED, "macro") == pytest.approx(0.6555555555555556)  # sklearn
    np.testing.assert_array_equal(M.confusion_matrix(YM_TRUE, YM_PRED),
                                  [[1, 1, 0], [0, 1, 1], [0, 0, 2]])
    with pytest.raises(ValueError, match="two classes"):
        M.precision(YM_TRUE, YM_PRED)


def test_one_hot_labels_are_argmaxed():
    Y = np.eye(3)[:, YM_TRUE]                      # (k, N) one-hot, column-wise
    assert M.accuracy(Y, YM_PRED) == pytest.approx(4 / 6)
    np.testing.assert_array_equal(M.confusion_matrix(Y, YM_PRED, labels=[0, 1, 2]),
                                  [[1, 1, 0], [0, 1, 1], [0, 0, 2]])


def test_zero_denominator_counts_as_zero():
    assert M.precision([0, 0, 1], [0, 0, 0]) == 0.0
    assert M.f1_score([0, 0, 0], [0, 0, 0]) == 0.0


def test_confusion_matrix_with_given_labels():
    np.testing.assert_array_equal(M.confusion_matrix([1, 1], [1, 0], labels=[0, 1, 2]),
                                  [[0, 0, 0], [1, 1, 0], [0, 0, 0]])


def test_log_loss_binary_and_multiclass():
    # -(ln 0.8 + ln 0.6) / 2
    assert M.log_loss([1, 0], [0.8, 0.4]) == pytest.approx(0.3669845875, abs=1e-9)
    assert M.log_loss([1, 0], [[0.8, 0.4]]) == pytest.approx(0.3669845875, abs=1e-9)
    P = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])  # (k, N): one column per example
    # -(ln 0.7 + ln 0.6) / 2
    assert M.log_loss([0, 2], P) == pytest.approx(0.4337502838, abs=1e-9)
    assert M.log_loss(np.eye(3)[:, [0, 2]], P) == pytest.approx(0.4337502838, abs=1e-9)
    # a confident mistake is large but finite
    assert np.isfinite(M.log_loss([1], [0.0]))
    with pytest.raises(ValueError, match="row-wise"):
        M.log_loss([0, 1], P.T)  # (N, k) given for (k, N)


def test_regression_metrics():
    # scikit-learn's documented example: R^2 = 0.948608..., MSE = 1.5 / 4
    y, yhat = [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]
    assert M.r2_score(y, yhat) == pytest.approx(0.9486081370449679)
    assert M.mse(y, yhat) == pytest.approx(0.375)
    # two outputs, column-wise (dL, N): R^2 averaged over outputs
    Y = np.array([[0.5, -1, 7], [1, 1, -6]])
    Yhat = np.array([[0, -1, 8], [2, 2, -5]])
    assert M.r2_score(Y, Yhat) == pytest.approx(0.9368005266622779)
    assert M.mse(Y, Yhat) == pytest.approx(0.7083333333333334)
    # constant target: 1 when exact, 0 otherwise
    assert M.r2_score([2, 2, 2], [2, 2, 2]) == 1.0
    assert M.r2_score([2, 2, 2], [2, 2, 3]) == 0.0
    with pytest.raises(ValueError, match="shape"):
        M.mse(Y, Yhat[:, :2])


def test_length_mismatch_is_a_value_error():
    with pytest.raises(ValueError, match="length"):
        M.accuracy([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="average"):
        M.f1_score(YB_TRUE, YB_PRED, average="micro")


def test_classification_report():
    report = M.classification_report(YB_TRUE, YB_PRED)
    assert report == pytest.approx({"accuracy": 5 / 6, "precision": 1.0, "recall": 0.75,
                                    "f1": 6 / 7})
