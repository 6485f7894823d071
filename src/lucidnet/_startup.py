"""Ctrl-C while the ``lucidnet`` command is still starting: one line and status 130.

The command's error boundary (:func:`lucidnet.cli.main`) catches
``KeyboardInterrupt`` once it runs.  Before that, the imports of the package
itself (NumPy and the core: a tenth of a second, much more on a loaded
machine) run outside any handler, and Python would print a traceback and die
of the signal (status -2).  :func:`interruptible_start` wraps those imports:
when this interpreter is running the command (``python -m lucidnet`` or the
``lucidnet`` script), a Ctrl-C there exits with status 130 and ``lucidnet:
interrupted``; in any other program (a script, a notebook, a test run) it
propagates as usual.

Standard library only.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

__all__ = ["interruptible_start", "running_the_command"]

_SCRIPT_NAMES = ("lucidnet", "lucidnet-script.py", "lucidnet.exe")


def running_the_command() -> bool:
    """Whether this interpreter was started as ``python -m lucidnet`` or the ``lucidnet`` script."""
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if "-mlucidnet" in argv or any(a == "-m" and b == "lucidnet" for a, b in zip(argv, argv[1:])):
        return True
    return bool(sys.argv and sys.argv[0]) and os.path.basename(sys.argv[0]) in _SCRIPT_NAMES


@contextmanager
def interruptible_start():
    """Turn a Ctrl-C inside the block into ``SystemExit(130)`` when running the command."""
    try:
        yield
    except KeyboardInterrupt:
        if not running_the_command():
            raise
        sys.stderr.write("lucidnet: interrupted\n")
        raise SystemExit(130) from None
