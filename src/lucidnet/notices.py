"""lucidnet's own warning categories, so that users and tests can filter them.

``warnings.simplefilter("ignore", lucidnet.LucidnetWarning)`` silences all of
them; ``TrainingDiagnosis`` is the one-line verdict ``fit`` gives when a run
ends poorly (see :mod:`lucidnet.diagnosis`), ``GradientCheckWarning`` a failed
periodic gradient check under ``fit(on_grad_check_failure="warn")``.
"""

from __future__ import annotations

__all__ = ["LucidnetWarning", "TrainingDiagnosis", "GradientCheckWarning"]


class LucidnetWarning(UserWarning):
    """Base of every warning lucidnet issues."""


class TrainingDiagnosis(LucidnetWarning):
    """A run ended poorly: on a plateau, at chance, R^2 near 0, overfitting.

    ``diagnosis`` (when set) is the :class:`lucidnet.diagnosis.Diagnosis` behind the text.
    """

    diagnosis = None


class GradientCheckWarning(LucidnetWarning):
    """A periodic gradient check in ``fit`` failed (and training went on)."""
