"""Training: the loop behind ``fit`` and what runs around it.

:mod:`.loop` (``train``), :mod:`.callbacks` (early stopping, schedules),
:mod:`.validation` (the held-out split), :mod:`.divergence` (the guard),
:mod:`.run` and :mod:`.checkpoint` (the saved state, and ``resume``),
:mod:`.interrupt` (Ctrl-C finishes the step).
"""

from .callbacks import Callback, EarlyStopping, EpochInfo
from .checkpoint import resume
from .loop import train

__all__ = ["train", "Callback", "EpochInfo", "EarlyStopping", "resume"]
