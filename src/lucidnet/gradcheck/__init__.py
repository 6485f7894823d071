"""Gradient checks on a network: backpropagation against central differences.

The arithmetic of the check (central difference, relative error, the verdict)
is in :mod:`lucidnet.core.gradient_check`; here it is run on networks:
:mod:`.network` (``grad_check``, ``check_gradients`` and the periodic check of
``fit``) and :mod:`.batched` (the entry-wise check, many entries per pass).
"""

from ..core.gradient_check import GradCheckReport, check_direction, check_entries, relative_error
from .batched import check_entries_batched
from .network import check_gradients, grad_check

__all__ = ["GradCheckReport", "check_direction", "check_entries", "check_entries_batched",
           "relative_error", "grad_check", "check_gradients"]
