"""lucidnet's exceptions and its warning categories, importable from every layer.

They live here, below everything else, so that the core, training, the model
files and the command line can all raise and catch them without importing one
another.
"""

from __future__ import annotations

__all__ = ["DivergenceError", "ModelFileError", "TrainingInterrupted", "LucidnetWarning",
           "TrainingDiagnosis", "GradientCheckWarning"]


class DivergenceError(FloatingPointError):
    """Training produced a non-finite error signal or gradient."""


class ModelFileError(ValueError):
    """A file that is not a valid lucidnet model (says what is wrong)."""


class LucidnetWarning(UserWarning):
    """lucidnet's own warnings (e.g. a poor result), so users and tests can filter them:
    ``warnings.simplefilter("ignore", lucidnet.LucidnetWarning)`` silences all of them."""


class TrainingDiagnosis(LucidnetWarning):
    """A run ended poorly: on a plateau, at chance, R^2 near 0, overfitting
    (see :mod:`lucidnet.training.diagnosis`).

    ``diagnosis`` (when set) is the :class:`~lucidnet.training.diagnosis.Diagnosis`
    behind the text.
    """

    diagnosis = None


class GradientCheckWarning(LucidnetWarning):
    """A periodic gradient check in ``fit`` failed, and training went on
    (``fit(on_grad_check_failure="warn")``)."""


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped by Ctrl-C after a completed step.

    Attributes
    ----------
    epoch : int
        The epoch during which training stopped (counted from 0).
    batches_done : int
        Optimizer steps completed in that epoch.
    cost : float or None
        Training cost J with the weights the network keeps.
    checkpoint : str or None
        Where the training state was saved (``None`` without a checkpoint path).
    """

    def __init__(self, message: str, *, epoch: int, batches_done: int, cost, checkpoint):
        super().__init__(message)
        self.epoch, self.batches_done = epoch, batches_done
        self.cost, self.checkpoint = cost, checkpoint

    def __str__(self):
        return self.args[0]
