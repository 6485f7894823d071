"""Every file lucidnet writes appears whole or not at all: temporary file + rename.

A file is written under a temporary name in its own folder, flushed to disk,
then renamed over the target (``os.replace``, atomic on one file system).  A
crash, Ctrl-C or a second run writing at the same moment therefore leaves the
old file or the new one, never a mixture or a truncated file.  One helper for
every kind of output: model files and checkpoints, metrics JSON, prediction
CSV, ONNX, PNG pictures (:func:`save_figure`) and animations (:func:`atomic_path`,
for writers that want a file name).

Standard library only (the core and the CLI's ``--help`` import this).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_write", "atomic_path", "save_figure", "sigint_hook"]

_FIRED: set = set()


def sigint_hook(moment: str) -> None:
    """A test hook: send this process a SIGINT when env ``LUCIDNET_SIGINT_AT`` names ``moment``.

    The moments of ``lucidnet train`` a test can reach this way: ``start`` (the
    data read, training not begun), ``first_epoch``, ``mid_epoch``,
    ``write:<file name>`` (while a file is written, before its rename, e.g.
    ``write:checkpoint.npz``), ``after_training`` (before the model is written),
    ``plots``, ``gif`` and ``exit`` (the command done, the interpreter shutting down).
    """
    if os.environ.get("LUCIDNET_SIGINT_AT") == moment and moment not in _FIRED:
        import signal

        _FIRED.add(moment)  # once: a second Ctrl-C means "stop now", another moment
        os.kill(os.getpid(), signal.SIGINT)


def _created(name: str) -> bool:
    """Create the empty file ``name`` (private, 0600) unless it exists."""
    try:
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def _permissions(tmp: str) -> None:
    # the temporary file is made private (0600); give it the permissions a plain
    # open() would (0666 minus the umask), so the result is readable as usual
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` (same suffix); rename it to ``path`` on success.

    On any exception (``KeyboardInterrupt`` included) the temporary file is
    removed and ``path`` is left as it was.
    """
    path = Path(path)
    tmp = None
    try:
        # named before it is made (not tempfile.mkstemp, whose file exists before its
        # name is returned): a Ctrl-C at any point leaves no temporary file behind
        while tmp is None or not _created(tmp):
            tmp = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.tmp{path.suffix}")
        _permissions(tmp)
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        sigint_hook(f"write:{path.name}")
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path, write) -> None:
    """Call ``write(file_object)`` on a temporary binary file beside ``path``, then rename it."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        write(fh)
        fh.flush()


def save_figure(fig, path, **kwargs) -> None:
    """``fig.savefig(path, **kwargs)``, atomically (the format from ``path``'s suffix)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or None, **kwargs)
