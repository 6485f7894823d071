"""The registry of layers: ``Input``, ``Dense`` and ``Dropout``, by class name.

Model files name each layer's class; ``LAYERS`` maps the name back.  The
layers themselves: :mod:`lucidnet.core.layer` (the interface and ``Input``),
:mod:`lucidnet.core.dense`, :mod:`lucidnet.core.dropout`.
"""

from __future__ import annotations

from .dense import Dense
from .dropout import Dropout
from .layer import Input, Layer

__all__ = ["Layer", "Input", "Dense", "Dropout", "LAYERS"]

LAYERS = {cls.__name__: cls for cls in (Input, Dense, Dropout)}
