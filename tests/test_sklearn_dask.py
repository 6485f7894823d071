"""Scaling out on Dask: a real LocalCluster (worker processes, loopback only) runs a
GridSearchCV through joblib's Dask backend and feeds an incremental fit block by block;
both must equal the single-machine results for the same seeds, bit for bit."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import joblib  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402

from lucidnet.sklearn import LucidClassifier, LucidRegressor  # noqa: E402
from lucidnet.sklearn.dask import fit_incremental  # noqa: E402

X, y = load_iris(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
PARAMS = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0",
                                  worker_dashboard_address=None) as cluster, \
            distributed.Client(cluster, timeout="60s") as client:
        yield client


@pytest.fixture(autouse=True)
def short_fits_are_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def assert_same_model(a, b):
    for Wa, Wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(Wa, Wb)


def loop_over_slices(estimator, X, y, sizes, epochs, order=None, **kwargs):
    """The single-machine reference: partial_fit on consecutive NumPy slices."""
    edges = np.cumsum([0, *sizes])
    for epoch in range(epochs):
        for k in (order[epoch] if order is not None else range(len(sizes))):
            estimator.partial_fit(X[edges[k]:edges[k + 1]], y[edges[k]:edges[k + 1]], **kwargs)
    return estimator


def test_grid_search_on_the_cluster_equals_the_local_one(client):
    grid = {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1.0]}
    search = GridSearchCV(LucidClassifier(**PARAMS, max_iter=20), grid,
                          cv=KFold(3, shuffle=True, random_state=0))
    local = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        search.set_params(n_jobs=-1).fit(X, y)
    assert len(tasks.data) >= 12                      # the 4 x 3 fits ran on the workers
    assert search.cv_results_["params"] == local.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(search.cv_results_[key], local.cv_results_[key])
    assert search.best_params_ == local.best_params_
    assert_same_model(search.best_estimator_, local.best_estimator_)


@pytest.mark.parametrize("shuffle_blocks", [False, True])
def test_incremental_fit_over_a_chunked_array_equals_the_numpy_loop(client, shuffle_blocks):
    sizes = [40, 40, 40, 30]
    dX = da.from_array(X, chunks=(tuple(sizes), 2))   # column chunks are joined
    dy = da.from_array(y, chunks=25)                  # rechunked to X's rows
    with distributed.get_task_stream(client) as tasks:
        fitted = fit_incremental(LucidClassifier(**PARAMS), dX, dy, epochs=3,
                                 shuffle_blocks=shuffle_blocks, random_state=7)
    assert {t["worker"] for t in tasks.data} <= set(client.scheduler_info()["workers"])
    assert len(tasks.data) >= 4                       # the blocks were computed by workers
    rng = np.random.RandomState(7)
    order = [rng.permutation(4) for _ in range(3)] if shuffle_blocks else None
    expected = loop_over_slices(LucidClassifier(**PARAMS), X, y, sizes, epochs=3, order=order,
                                classes=np.unique(y))
    assert_same_model(fitted, expected)
    np.testing.assert_array_equal(fitted.classes_, [0, 1, 2])


def test_incremental_fit_over_dataframe_partitions_equals_the_pandas_loop(client):
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(target=X[:, 0] + X[:, 3])
    ddf = dd.from_pandas(frame, npartitions=4)
    sizes = ddf.map_partitions(len).compute().tolist()
    fitted = fit_incremental(LucidRegressor(**PARAMS), ddf[["a", "b", "c", "d"]],
                             ddf["target"], epochs=2)
    expected = loop_over_slices(LucidRegressor(**PARAMS), frame[["a", "b", "c", "d"]],
                                frame["target"], sizes, epochs=2)
    assert_same_model(fitted, expected)
    assert list(fitted.feature_names_in_) == ["a", "b", "c", "d"]


def test_classes_are_found_from_y_when_not_given():
    dX = da.from_array(X[50:], chunks=(50, 4))        # classes 1 and 2 only
    dy = da.from_array(np.array(["a", "b", "c"])[y[50:]], chunks=50)
    fitted = fit_incremental(LucidClassifier(**PARAMS), dX, dy)
    assert fitted.classes_.tolist() == ["b", "c"]


def test_bad_inputs_are_refused_clearly():
    with pytest.raises(TypeError, match="dask.array or dask.dataframe X.*partial_fit"):
        fit_incremental(LucidClassifier(), X, y)
    ddf = dd.from_pandas(pd.DataFrame(X), npartitions=3)
    with pytest.raises(ValueError, match="3 partitions and y 2"):
        fit_incremental(LucidRegressor(), ddf, dd.from_pandas(pd.Series(y), npartitions=2))
    with pytest.raises(TypeError, match="y must be a dask"):
        fit_incremental(LucidRegressor(), da.from_array(X), y)
    with pytest.raises(ValueError, match="epochs"):
        fit_incremental(LucidRegressor(), da.from_array(X), da.from_array(y), epochs=0)


def test_importing_lucidnet_sklearn_loads_none_of_the_ecosystem_packages():
    code = ("import sys, lucidnet, lucidnet.sklearn\n"
            "from lucidnet.sklearn import LucidClassifier\n"
            "print([m for m in ('dask', 'distributed', 'skl2onnx', 'skops') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"
