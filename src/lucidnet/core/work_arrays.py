"""The speed mechanisms of the training pass, in one place, so the layers read as equations.

- The ``out`` hint: fresh memory costs page faults about as much as the
  arithmetic on it on a large batch, so the forward and backward passes offer
  arrays the caller no longer needs as ``out=``; a method may use it or not
  (:func:`drop_out_hint`, :func:`into`).  Each layer keeps its work arrays
  (``Layer._buffer``), the same memory every step.
- :func:`by_row_blocks`: an element-wise function over a large array, a
  cache-sized block of rows at a time (S: 7% of a step, float32, paired).
- :func:`matmul`: ``np.matmul``, except an outer product (inner dimension 1,
  the one-unit output layer's ``W.T @ Delta``) by broadcasting, about 2x
  faster than OpenBLAS's matrix product there.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

__all__ = ["drop_out_hint", "into", "by_row_blocks", "matmul", "BLOCK_BYTES"]

# Element-wise passes over a large work array go a block of rows of about this
# many bytes at a time: such a block stays in cache through all the passes.
BLOCK_BYTES = 1 << 21


def drop_out_hint(cls, methods) -> None:
    """Wrap each of ``methods`` that ``cls`` itself writes without an ``out``
    parameter, so that callers may always offer one (it is then dropped).
    Used by :class:`Activation` and :class:`lucidnet.core.layers.Layer` subclasses."""
    for name in methods:
        fn = cls.__dict__.get(name)
        if fn is not None and "out" not in inspect.signature(fn).parameters:
            setattr(cls, name, _without_out(fn))


def _without_out(fn):
    @functools.wraps(fn)
    def method(self, *args, out=None, **kwargs):
        return fn(self, *args, **kwargs)

    return method


def into(result: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """``result`` in ``out`` when one is offered (keeps callers' buffers in use):
    copied, unless it is ``out`` already."""
    if out is None or result is out:
        return result
    np.copyto(out, result)
    return out


def row_blocks(shape, dtype) -> list[slice]:
    """Row slices of about :data:`BLOCK_BYTES` covering an array of ``shape``
    (one slice, the whole array, when it is that small)."""
    row_bytes = shape[1] * np.dtype(dtype).itemsize
    rows = max(1, BLOCK_BYTES // max(row_bytes, 1))
    return [slice(start, start + rows) for start in range(0, shape[0], rows)]


def by_row_blocks(fn, *arrays, out=None, elementwise=True):
    """``fn(*arrays, out=out)``, a cache-sized block of rows at a time.

    An element-wise step streams a large array from memory once per pass
    (the sigmoid makes four); by blocks of about 2 MB each block stays in
    cache through all of them.  Whole arrays when they are small (the
    reference run's), when there is no ``out`` (an inference pass) or when
    ``fn`` is not element-wise (softmax): then ``fn``'s own result is returned.
    """
    if out is None or not elementwise or out.nbytes <= BLOCK_BYTES:  # the common case first
        return fn(*arrays, out=out)
    for rows in row_blocks(out.shape, out.dtype):
        into(fn(*(a[rows] for a in arrays), out=out[rows]), out[rows])
    return out


def matmul(A, B, out=None):
    """``A @ B`` (into ``out``); an outer product (inner dimension 1) by broadcasting,
    about 2x faster than OpenBLAS's matrix product with an inner dimension of 1."""
    if A.shape[1] == 1:
        return np.multiply(A, B, out=out)
    return np.matmul(A, B, out=out)
