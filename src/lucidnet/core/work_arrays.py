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

# Element-wise passes over a large work array go a block of about this many bytes
# at a time: such a block stays in cache through all the passes.  The backward
# pass reads blocks of Z, A and dA and writes Delta, so a block is half of a
# 2 MB L2 cache: against 2 MB blocks, S 5% faster in float64 and float32, and
# 2-64-64-1 on 10^6 examples 2% (best of 4, one process, 2026-12-02).
BLOCK_BYTES = 1 << 20


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


def row_blocks(shape, dtype) -> list:
    """Indices of blocks of about :data:`BLOCK_BYTES` covering an array of ``shape``:
    slices of whole rows, or pieces of one row ``(row, columns)``, 2-D, when a row alone is
    larger (N above 131,072 in float64); one index, the whole array, when it is that small."""
    itemsize = np.dtype(dtype).itemsize
    rows = BLOCK_BYTES // max(shape[1] * itemsize, 1)
    if rows >= 1:
        return [slice(start, start + rows) for start in range(0, shape[0], rows)]
    cols = BLOCK_BYTES // itemsize            # a row does not fit: pieces of it
    return [(slice(row, row + 1), slice(start, start + cols))
            for row in range(shape[0]) for start in range(0, shape[1], cols)]


def by_row_blocks(fn, *arrays, out=None, elementwise=True):
    """``fn(*arrays, out=out)``, a cache-sized block of rows at a time.

    An element-wise step streams a large array from memory once per pass
    (the sigmoid makes four); by blocks of about 1 MB each block stays in
    cache through all of them.  Whole arrays when they are small (the
    reference run's), when there is no ``out`` (an inference pass) or when
    ``fn`` is not element-wise (softmax): then ``fn``'s own result is returned.
    """
    if out is None or not elementwise or out.nbytes <= BLOCK_BYTES:  # the common case first
        return fn(*arrays, out=out)
    for block in row_blocks(out.shape, out.dtype):
        into(fn(*(a[block] for a in arrays), out=out[block]), out[block])
    return out


def matmul(A, B, out=None):
    """``A @ B`` (into ``out``); an outer product (inner dimension 1) by broadcasting,
    about 2x faster than OpenBLAS's matrix product with an inner dimension of 1."""
    if A.shape[1] == 1:
        return np.multiply(A, B, out=out)
    return np.matmul(A, B, out=out)
