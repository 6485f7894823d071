"""Checkpoints: the whole training state in one model file, and resuming from it.

A checkpoint is an ordinary lucidnet model file (:mod:`lucidnet.modelfile.persistence`,
written atomically) whose manifest carries a ``train_state`` and whose
archive carries extra arrays under ``state/``:

- the weights (as in any model file) and the optimizer's buffers
  (``state/opt/<key>/<name>``, e.g. Adam's ``m`` and ``v``) and step count ``t``;
- where the run is: the epoch, the number of optimizer steps already taken in
  it and that epoch's shuffled column order (``state/order``), so a run
  interrupted in the middle of an epoch continues with the very next batch;
- the network Generator's bit-generator state now and before the validation
  split (so the split is drawn again identically), the gradient check's stream;
- ``net.history``, the costs returned so far, the gradient-check reports;
- the state of lucidnet's callbacks (early stopping, learning-rate schedules)
  and of any callback defining ``get_state() -> dict`` / ``set_state(dict)``,
  each under its class name (:mod:`lucidnet.training.callback_state`);
- the options of the run and a SHA-256 fingerprint of the training data.

Resuming (:func:`resume`, or ``lucidnet train --resume``) restores all of it
and runs the remaining epochs; the final weights are bit-identical to those
of a run that was never interrupted.

Example
-------
>>> net.fit(X, y, epochs=2000, checkpoint_path="run.npz", checkpoint_every=100)
... # Ctrl-C, or the machine stops
>>> from lucidnet import resume
>>> net, costs = resume("run.npz", X, y)
"""

from __future__ import annotations

from ..errors import DivergenceError, ModelFileError
from ..modelfile.persistence import load
from ..modelfile.train_state import READABLE_CHECKPOINT_VERSIONS
from .loop import train
from .run import CHECKPOINT_VERSION, Run, describe_options, fingerprint  # noqa: F401 (old path)

__all__ = ["Run", "resume", "load_checkpoint", "CHECKPOINT_VERSION", "describe_options",
           "fingerprint"]


# ------------------------------------------------------------ public functions
def load_checkpoint(path):
    """Read a checkpoint; return ``(net, state, arrays)``.

    Raises
    ------
    ModelFileError
        If the file is not a lucidnet model, or a model without training state.
    """
    net = load(path)
    state = getattr(net, "train_state", None)
    if not isinstance(state, dict) or \
            state.get("checkpoint_version") not in READABLE_CHECKPOINT_VERSIONS:
        raise ModelFileError(f"{path}: a model file without a training state (not a "
                             "checkpoint written by fit(checkpoint_path=...))")
    return net, state, dict(net.state_arrays)


def _options_for_resume(options: dict) -> dict:
    out = {k: v for k, v in options.items() if v is not None}
    schedule = out.get("schedule")
    if isinstance(schedule, dict):
        from ..optim.schedules import get_schedule

        out["schedule"] = get_schedule(schedule["name"], **schedule["config"])
    stopping = out.get("early_stopping")
    if isinstance(stopping, dict):
        from .callbacks import EarlyStopping

        out["early_stopping"] = EarlyStopping(**stopping)
    return out


def resume(path, X, y, *, epochs=None, callbacks=(), verbose=True, validation_data=None,
           checkpoint_path=None, on_grad_check_failure="raise"):
    """Continue the training run saved in the checkpoint ``path``.

    Parameters
    ----------
    path : str or Path
        A checkpoint written by ``fit(..., checkpoint_path=path)``.
    X, y : array
        The same training data (column-wise), checked by fingerprint.
    epochs : int, optional
        Total epochs; by default those of the interrupted run.
    callbacks : sequence of Callback
        The run's own callbacks again (early stopping and schedules come back
        from the checkpoint by themselves).  Those with state are matched to
        the saved states by class name and position: they must be of the same
        classes in the same order as in the interrupted run (else
        ``ValueError``); callbacks without state may differ.
    validation_data : (X_val, y_val), optional
        Needed again if the run had explicit validation data.
    checkpoint_path : str or Path, optional
        Where to keep saving checkpoints; by default ``path`` itself.
    on_grad_check_failure : {"raise", "warn", "record"}
        As for ``fit``.

    Returns
    -------
    net : NeuralNetwork
        The network, trained to the end.
    costs : list of float
        The costs at every print checkpoint of the whole run, the same list
        an uninterrupted ``fit`` returns.

    Raises
    ------
    DivergenceError
        As ``fit`` does; its ``net`` attribute is the resumed network, which
        holds its last finite weights (a fresh run's caller has its network
        already; this one was made here, from the file).
    """
    net, state, arrays = load_checkpoint(path)
    options = _options_for_resume(state["options"])
    if state.get("had_validation_data") and validation_data is None:
        raise ValueError("this run used validation_data: pass it to resume() again")
    try:
        costs = train(net, X, y, epochs=state["epochs"] if epochs is None else epochs,
                      callbacks=callbacks, verbose=verbose, validation_data=validation_data,
                      checkpoint_path=path if checkpoint_path is None else checkpoint_path,
                      on_grad_check_failure=on_grad_check_failure,
                      _resume={"state": state, "arrays": arrays}, **options)
    except DivergenceError as exc:
        exc.net = net
        raise
    return net, costs
