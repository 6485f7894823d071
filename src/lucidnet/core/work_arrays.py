"""The arrays that training reuses step after step, and the ``out`` hint that offers them.

Fresh memory costs page faults about as much as the arithmetic on it on a large
batch, so the forward and backward passes offer arrays the caller no longer
needs as ``out=``: a hint, which a method may use or not.  This module is the
one place that mechanism lives.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

__all__ = ["drop_out_hint", "into"]


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
