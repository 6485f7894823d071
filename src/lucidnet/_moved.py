"""Old module paths, from before the package was arranged in layers, still import.

``import lucidnet.training`` or ``from lucidnet.persistence import load`` keep
working: each old path in :data:`MOVED` is served by the module that now holds
its contents (the very same module object, so patching one patches the other).
New code should use the new paths; the README lists the moves.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["MOVED"]

# old path -> new home (paths whose name did not change are packages now:
# lucidnet.data, lucidnet.gradcheck, lucidnet.training, lucidnet.network)
MOVED = {
    "lucidnet.activations": "lucidnet.core.activations",
    "lucidnet.checks": "lucidnet.checks",
    "lucidnet.initializers": "lucidnet.core.initializers",
    "lucidnet.layers": "lucidnet.core.layers",
    "lucidnet.losses": "lucidnet.core.losses",
    "lucidnet.optimizers": "lucidnet.optim.optimizers",
    "lucidnet.flat_state": "lucidnet.optim.flat_state",
    "lucidnet.schedules": "lucidnet.optim.schedules",
    "lucidnet.gradcheck_network": "lucidnet.gradcheck.network",
    "lucidnet.callbacks": "lucidnet.training.callbacks",
    "lucidnet.checkpoint": "lucidnet.training.checkpoint",
    "lucidnet.divergence": "lucidnet.training.divergence",
    "lucidnet.interrupt": "lucidnet.training.interrupt",
    "lucidnet.validation": "lucidnet.training.validation",
    "lucidnet.persistence": "lucidnet.modelfile.persistence",
    "lucidnet.modelfile_checks": "lucidnet.modelfile.manifest",
    "lucidnet.csvfile": "lucidnet.data.csvfile",
    "lucidnet.onnx_export": "lucidnet.modelfile.onnx_export",
    "lucidnet.datasets": "lucidnet.data.toy",
    "lucidnet.explain": "lucidnet.inspect.explain",
    "lucidnet.diagnostics": "lucidnet.inspect.diagnostics",
    "lucidnet.plotting": "lucidnet.plots.boundary",
    "lucidnet.curves": "lucidnet.plots.curves",
    "lucidnet.diagnostics_plots": "lucidnet.plots.diagnostics",
    "lucidnet.animation": "lucidnet.plots.animation",
}


class _OldPath(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old path and loads it as the module at its new home."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        spec.loader_state = module.__spec__  # the import machinery overwrites __spec__
        return module

    def exec_module(self, module):
        # already executed at its new home; give it back its own spec, which
        # its relative imports read
        module.__spec__ = module.__spec__.loader_state


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _OldPath) for f in sys.meta_path):
        sys.meta_path.append(_OldPath())
