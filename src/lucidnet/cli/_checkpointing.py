"""Checkpoints, ``--resume`` and Ctrl-C for ``lucidnet train``.

- ``--checkpoint-every K`` saves the whole training state every K epochs to
  ``--checkpoint FILE`` (default ``OUT/checkpoint.npz``), atomically.
- Ctrl-C finishes the current optimizer step, saves a checkpoint there, prints
  the epoch, the cost, the checkpoint and the command that resumes, and exits
  with status 130.  A second Ctrl-C exits at once (status 130, no checkpoint).
- ``--resume FILE`` continues that run; repeat the original options (the
  checkpoint records them and refuses a mismatch).  The final weights are
  bit-identical to those of an uninterrupted run.
- Ctrl-C at any other moment (while the data is read, a second Ctrl-C, after
  the pictures) also exits with status 130, and the one line says what this
  run left on disk (:func:`what_was_kept`): the model and metrics, the last
  checkpoint it wrote, or nothing.
- Training that diverges, fresh or resumed, exits with status 1 and one line
  saying where and why, after writing the last finite model, plots and
  ``metrics.json``; bad data or options exit with status 2.

Standard library only at module level (``lucidnet --help`` imports this).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from . import CommandError
from ._options import non_negative_int
from ._parser import given

__all__ = ["add_checkpoint_options", "fit_or_resume", "checkpoint_path", "model_kept",
           "outputs_now", "what_was_kept"]

# Options that may change between a run and its resumption: where things go.
_FREE = {"out", "quiet", "no_plots", "checkpoint", "checkpoint_every", "resume", "func",
         "command"}


def add_checkpoint_options(parser):
    g = parser.add_argument_group("checkpoints")
    g.add_argument("--checkpoint-every", type=non_negative_int, default=0, metavar="K",
                   help="save the whole training state (weights, optimizer, epoch, random "
                        "state, history) every K epochs; it is always saved on Ctrl-C "
                        "(default: %(default)s, only on Ctrl-C)")
    g.add_argument("--checkpoint", type=Path, default=None, metavar="FILE",
                   help="the checkpoint file, a .npz model file (default: OUT/checkpoint.npz)")
    g.add_argument("--resume", type=Path, default=None, metavar="FILE",
                   help="continue the run saved in FILE; give the same options as the "
                        "original run. The result is bit-identical to an uninterrupted run")


def _run_options(args) -> dict:
    """The options that define the run, JSON-able (paths as text)."""
    return {key: (str(value) if isinstance(value, Path) else value)
            for key, value in sorted(vars(args).items())
            if key not in _FREE and not key.startswith("_")}  # _given: how, not what


def _option_name(key: str) -> str:
    return "--" + key.replace("_", "-")


def _resume_command(path: Path) -> str:
    argv, skip = [], False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if arg == "--resume":
            skip = True
            continue
        if not arg.startswith("--resume="):
            argv.append(arg)
    return "lucidnet " + " ".join(map(shlex.quote, [*argv, "--resume", str(path)]))


def _close_bars(callbacks) -> None:
    for cb in callbacks:
        bar = getattr(cb, "bar", None)
        if bar is not None:
            bar.close()


def _check_same_run(net, args, path) -> None:
    saved = (net.training_record or {}).get("cli_options")
    if saved is None:
        return
    now = _run_options(args)
    for key in sorted(set(saved) | set(now)):
        if key not in saved:  # an option newer than the file: fine at its default
            if key in given(args):
                raise CommandError(
                    f"--resume: {path} was written before {_option_name(key)} existed (its "
                    "run used the option's default); resume without it")
            continue
        if saved.get(key) != now.get(key):
            raise CommandError(
                f"--resume: {path} was trained with {_option_name(key)} {saved.get(key)!r}, "
                f"but this command has {now.get(key)!r}; repeat the original options")


def fit_or_resume(net, X, y, args, out: Path, callbacks, **fit_kwargs):
    """Train ``net`` (or resume ``args.resume``); return ``(net, costs)``.

    Ctrl-C prints where training stopped and exits with status 130; bad data
    becomes a :class:`CommandError` (status 2).  Divergence, of a fresh or a
    resumed run, returns ``(net, None)`` with the last finite weights and
    ``net.training_record["diverged"]``.
    """
    from ..errors import DivergenceError, ModelFileError, TrainingInterrupted
    from ..training.checkpoint import load_checkpoint, resume

    path = checkpoint_path(args, out)
    if path.suffix != ".npz":
        raise CommandError(f"--checkpoint: the file must end in .npz, got {str(path)!r}")
    try:
        if args.resume is not None:
            try:
                saved, _, _ = load_checkpoint(args.resume)
            except FileNotFoundError:
                raise CommandError(f"--resume: no such file: {str(args.resume)!r}") from None
            except ModelFileError as exc:
                raise CommandError(f"--resume: {exc}") from None
            _check_same_run(saved, args, args.resume)
            net, costs = resume(args.resume, X, y, epochs=args.epochs, callbacks=callbacks,
                                verbose=False, checkpoint_path=path,
                                validation_data=fit_kwargs.get("validation_data"),
                                on_grad_check_failure=fit_kwargs.get("on_grad_check_failure",
                                                                     "raise"))
        else:
            net.training_record["cli_options"] = _run_options(args)
            costs = net.fit(X, y, checkpoint_path=path, checkpoint_every=args.checkpoint_every,
                            callbacks=callbacks, **fit_kwargs)
    except TrainingInterrupted as exc:
        _close_bars(callbacks)
        print(f"\nlucidnet train: interrupted {_where(exc)}, cost {exc.cost:.6f}\n"
              f"  checkpoint: {exc.checkpoint}\n"
              f"  resume with: {_resume_command(Path(exc.checkpoint))}", file=sys.stderr)
        raise SystemExit(130) from None
    except DivergenceError as exc:
        _close_bars(callbacks)
        # the network holds its last finite weights: the caller still writes them
        # (a resumed run's network is the one resume() read from the checkpoint)
        net = getattr(exc, "net", net)
        net.training_record["diverged"] = {"epoch": exc.epoch, "lr": exc.lr,
                                           "weights_epoch": exc.weights_epoch,
                                           "message": str(exc)}
        return net, None
    except ValueError as exc:
        _close_bars(callbacks)
        raise CommandError(str(exc)) from None
    return net, costs


def checkpoint_path(args, out: Path) -> Path:
    return args.checkpoint if args.checkpoint is not None else out / "checkpoint.npz"


def outputs_now(args, out: Path) -> dict:
    """What is on disk now of the files a run leaves (path -> inode, mtime, size or None),
    to tell later which of them this run wrote."""
    def stat(path):
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size
    return {path: stat(path) for path in (out / "model.npz", out / "metrics.json",
                                          checkpoint_path(args, out))}


def model_kept(out: Path) -> str:
    return f"the trained model and its metrics are saved: {out / 'model.npz'}, " \
           f"{out / 'metrics.json'}"


def what_was_kept(args, out: Path, before: dict) -> str:
    """One sentence on what this run left, from the files that changed since ``before``."""
    now = outputs_now(args, out)
    written = [path for path in before if now[path] is not None and now[path] != before[path]]
    model, metrics, checkpoint = (out / "model.npz", out / "metrics.json",
                                  checkpoint_path(args, out))
    if model in written and metrics in written:
        return model_kept(out)
    if checkpoint in written:
        return (f"the last checkpoint this run wrote is {checkpoint}; resume with: "
                f"{_resume_command(checkpoint)}")
    resumed = f" ({args.resume}, which it resumed from, is unchanged)" if args.resume else ""
    return f"nothing was saved, no model and no checkpoint{resumed}"


def _where(exc) -> str:
    if exc.batches_done == 0:
        return f"after epoch {exc.epoch}"
    return f"in epoch {exc.epoch} after {exc.batches_done} step(s)"
