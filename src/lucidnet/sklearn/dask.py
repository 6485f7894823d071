"""Train on data larger than memory: ``partial_fit`` over the blocks of a Dask collection.

lucidnet has no scheduler of its own.  Where one machine's memory is too
small for the data, Dask holds it as a chunked ``dask.array`` or a
partitioned ``dask.dataframe`` (read lazily from CSV, Parquet, Zarr, ...),
and :func:`fit_incremental` walks its row blocks, materializing one block at
a time and handing it to the estimator's ``partial_fit``::

    for epoch in 1..epochs:
        for each row block (X_k, y_k), in order (or shuffled):
            X_k, y_k = compute(X_k, y_k)          # only this block in memory
            estimator.partial_fit(X_k, y_k)       # one pass of its mini-batches

Peak memory is then about one block plus the model, whatever the size of the
data (BENCHMARKS.md measures it).  A block is computed wherever Dask runs:
on the local threads, or on a ``dask.distributed`` cluster when a ``Client``
is active; the model itself stays in this process, so the fit is the same
sequence of updates, bit for bit, as the same loop over NumPy slices.

For hyperparameter searches nothing lucidnet-specific is needed: joblib's
Dask backend sends scikit-learn's fits to the cluster
(``with joblib.parallel_backend("dask"): search.fit(X, y)``).

Needs the ``dask`` extra (``pip install "lucidnet[dask]"``).  dask-ml's
``Incremental`` does the same job; it is not used because it brings numba and
llvmlite (about 200 MB) for a ten-line loop.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_incremental"]


def fit_incremental(estimator, X, y, *, classes=None, epochs: int = 1,
                    shuffle_blocks: bool = False, random_state=None):
    """Fit ``estimator`` by ``partial_fit`` on each row block of ``X`` and ``y`` in turn.

    Parameters
    ----------
    estimator : LucidClassifier or LucidRegressor (or any estimator with ``partial_fit``)
        Trained in place, continuing from its current state (a fresh one starts anew).
    X : dask.array.Array of shape (n_samples, n_features), or dask.dataframe.DataFrame
        The features.  A dask array's row chunks are its blocks (column chunks are
        joined); a dataframe's partitions are.
    y : dask.array.Array, or dask.dataframe.Series / DataFrame
        The targets, with the same row blocks as ``X`` (a dask array is rechunked
        to ``X``'s rows when its chunk sizes are known).
    classes : array-like, optional
        All class labels, for a classifier's first ``partial_fit``.  When not
        given, they are computed with one pass over ``y`` (``X`` is not read).
    epochs : int, default 1
        Passes over all the blocks.
    shuffle_blocks : bool, default False
        Visit the blocks in a new random order each epoch, drawn as
        ``check_random_state(random_state).permutation(n_blocks)`` per epoch.
    random_state : int, RandomState instance or None
        Seeds the block order (the estimator's own ``random_state`` seeds the rest).

    Returns
    -------
    estimator
        The same estimator, fitted.

    Raises
    ------
    TypeError
        If ``X`` or ``y`` is not a Dask collection of a supported kind.
    ValueError
        If ``X`` and ``y`` do not have the same row blocks, or ``epochs < 1``.

    Notes
    -----
    Each block is one ``partial_fit`` call, which makes one pass of mini-batches
    of ``batch_size`` over it; with ``shuffle=True`` the estimator shuffles rows
    within the block.  Only one block is materialized at a time.

    Example
    -------
    >>> import dask.array as da                                         # doctest: +SKIP
    >>> X = da.random.random((1_000_000, 8), chunks=(100_000, 8))       # doctest: +SKIP
    >>> y = (X[:, 0] > 0.5).astype(int)                                 # doctest: +SKIP
    >>> fit_incremental(LucidClassifier(), X, y, classes=[0, 1], epochs=2)  # doctest: +SKIP
    """
    import dask
    from sklearn.base import is_classifier
    from sklearn.utils import check_random_state

    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    blocks = _row_blocks(X, y)
    kwargs = {}
    if is_classifier(estimator):
        kwargs["classes"] = _all_classes(y) if classes is None else np.asarray(classes)
    rng = check_random_state(random_state)
    order = np.arange(len(blocks))
    for _ in range(epochs):
        if shuffle_blocks:
            order = rng.permutation(len(blocks))
        for k in order:
            X_k, y_k = dask.compute(*blocks[k])       # this block only, computed together
            if len(X_k):  # a filtered partition may be empty
                estimator.partial_fit(X_k, y_k, **kwargs)
    return estimator


def _row_blocks(X, y) -> list:
    """``(X_k, y_k)`` pairs of delayed row blocks, aligned.

    NOTE: the graphs are left unoptimized on purpose.  Optimized one by one,
    ``X`` and ``y`` taken from one ``read_csv`` get two different fused read
    tasks, and every block would be read and parsed twice (measured: 4x slower,
    twice the memory with the threaded scheduler); unoptimized, they share the
    read task's key, so computing them together reads the block once.
    """
    import dask.array as da
    import dask.dataframe as dd

    frames = (dd.DataFrame, dd.Series)
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
        if isinstance(y, frames):
            y = y.to_dask_array(lengths=True)
        if not isinstance(y, da.Array):
            raise TypeError(f"with a dask array X, y must be a dask array or series, "
                            f"got {type(y).__name__}")
        X = X.rechunk({1: -1})                        # whole rows in each block
        if y.chunks[0] != X.chunks[0]:
            if any(np.isnan(n) for n in (*X.chunks[0], *y.chunks[0])):
                raise ValueError("X and y have different row chunks of unknown sizes; "
                                 "call compute_chunk_sizes() on them first")
            y = y.rechunk({0: X.chunks[0]})
        if y.ndim == 2:
            y = y.rechunk({1: -1})
        return list(zip(X.to_delayed(optimize_graph=False).ravel(),
                        y.to_delayed(optimize_graph=False).ravel()))
    if isinstance(X, dd.DataFrame):
        if not isinstance(y, frames):
            raise TypeError(f"with a dask dataframe X, y must be a dask series or dataframe, "
                            f"got {type(y).__name__}")
        if X.npartitions != y.npartitions:
            raise ValueError(f"X has {X.npartitions} partitions and y {y.npartitions}; "
                             "they must be partitioned alike (e.g. columns of one dataframe)")
        return list(zip(X.to_delayed(optimize_graph=False),
                        y.to_delayed(optimize_graph=False)))
    raise TypeError(f"fit_incremental takes a dask.array or dask.dataframe X, got "
                    f"{type(X).__name__}; for data in memory call partial_fit (or fit) directly")


def _all_classes(y) -> np.ndarray:
    """The sorted class labels of ``y``: one pass over the targets only."""
    import dask.array as da

    if y.ndim != 1:
        raise ValueError("pass classes= for a 2-D (multi-label) y")
    labels = da.unique(y) if isinstance(y, da.Array) else y.unique()
    return np.sort(np.asarray(labels.compute()))
