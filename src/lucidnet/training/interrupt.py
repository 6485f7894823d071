"""Ctrl-C during training: finish the step, keep (and save) the weights, then stop.

Python's default reaction to Ctrl-C (SIGINT) is a ``KeyboardInterrupt`` raised
wherever the interpreter happens to be, possibly between the update of layer
1 and that of layer 2, which would leave a network no run ever produced.
While :func:`deferred_interrupts` is active, the first SIGINT only sets a flag
that the training loop reads after each optimizer step; the loop then saves a
checkpoint (when it has a path) and raises :class:`TrainingInterrupted`.  A
second SIGINT is not deferred: it raises ``KeyboardInterrupt`` at once.

Decision (documented in ``fit``): ``fit`` *raises* ``TrainingInterrupted``, a
subclass of ``KeyboardInterrupt``, rather than returning normally.  A script
that is interrupted must not go on to evaluate or save a half-trained model as
if training had finished; an interactive session keeps the network, whose
weights are those of the last completed step, and the exception says where
training stopped and how to resume.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from ..errors import TrainingInterrupted

__all__ = ["TrainingInterrupted", "deferred_interrupts", "InterruptFlag"]


class InterruptFlag:
    """Set by the first SIGINT; the loop polls ``requested`` between steps."""

    def __init__(self):
        self.requested = False
        self.active = False  # False when no handler could be installed (not the main thread)


@contextmanager
def deferred_interrupts():
    """Defer the first SIGINT to the next :attr:`InterruptFlag.requested` poll.

    Installs a handler only in the main thread and only when SIGINT still has
    Python's default handler (a host that installed its own keeps it); the
    previous handler is always restored on exit.
    """
    flag = InterruptFlag()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield flag
        return

    def handler(signum, frame):
        if flag.requested:  # the second Ctrl-C: stop now, no checkpoint
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        flag.requested = True

    signal.signal(signal.SIGINT, handler)
    flag.active = True
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
