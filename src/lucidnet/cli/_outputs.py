"""The output folder of ``lucidnet train``: one run at a time, results replaced as a whole.

- :func:`output_folder` creates ``--out`` and holds an OS lock on it
  (``fcntl.flock`` on the folder itself) while the run writes there: a
  second run into the same folder is refused at once with a clear message.  The kernel drops the lock when a process ends,
  so a crashed run cannot leave it stuck.
- :func:`remove_stale` deletes what an earlier run left that this run does
  not write (a ``training.gif`` of an ``--animate`` run beside the files of a
  run without it), so the folder always holds one run's results.  Only
  lucidnet's own output names are touched (:data:`OUTPUT_FILES`).

Standard library only (``lucidnet --help`` imports the CLI).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from . import CommandError

__all__ = ["output_folder", "remove_stale", "OUTPUT_FILES"]

OUTPUT_FILES = ("model.npz", "metrics.json", "checkpoint.npz", "dataset.png",
                "decision_boundary.png", "loss_curve.png", "training.gif", "training.mp4",
                "diagnostics.png", "activations.png", "hidden_units.png")


@contextmanager
def output_folder(out: Path):
    """Create ``out`` if needed and hold its lock for the ``with`` block; yield ``out``."""
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out: {str(out)!r} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY)  # the folder itself is locked: no lock file in it
    except OSError as exc:
        raise CommandError(f"--out: cannot write into {str(out)!r} ({exc.strerror})") from None
    try:
        try:
            import fcntl
        except ImportError:  # not a POSIX system: no lock, as before
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CommandError(f"--out: another 'lucidnet train' is writing into "
                                   f"{str(out)!r} right now; wait for it to finish or choose "
                                   "another --out") from None
        yield out
    finally:
        os.close(fd)  # releases the lock


def remove_stale(out: Path, keep) -> None:
    """Delete lucidnet's output files in ``out`` that are not in ``keep`` (an earlier run's)."""
    for name in OUTPUT_FILES:
        if name not in keep:
            try:
                (out / name).unlink(missing_ok=True)
            except OSError:
                pass  # a folder of that name, say: not ours to remove
