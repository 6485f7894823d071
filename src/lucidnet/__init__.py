"""lucidnet: feed-forward neural networks from scratch in NumPy, readable line by line.

The core (activations, losses, layers, network, optimizers, gradient check)
needs NumPy alone.  Data sets, plotting and the scikit-learn wrapper are
imported lazily, on first use, so ``import lucidnet`` stays light.  The
layout (bottom-up): ``errors``; ``optim``, ``core``; ``gradcheck``,
``modelfile``; ``training``; ``inspect``; ``network`` (``NeuralNetwork``);
``data``, ``plots``, ``sklearn``, ``cli``.  Old module paths still import
(see ``lucidnet._moved``).
"""

from __future__ import annotations

from . import _moved
from ._startup import interruptible_start
from ._version import __version__

with interruptible_start():  # Ctrl-C while the lucidnet command imports: status 130, one line
    from .core.activations import ACTIVATIONS, register_activation, sigmoid
    from .core.gradient_check import GradCheckReport, relative_error
    from .core.layers import Dense, Dropout, Input, Layer
    from .core.losses import LOSSES, bce_cost, bce_loss
    from .errors import DivergenceError, LucidnetWarning, ModelFileError, TrainingDiagnosis
    from .modelfile.persistence import load
    from .network import NeuralNetwork
    from .optim.optimizers import OPTIMIZERS
    from .training.callbacks import Callback, EarlyStopping

_moved.install()

# name -> module for the parts that pull in scikit-learn or matplotlib, and the
# helpers of the later chapters (curves, diagnostics, animation, resume, ONNX)
_LAZY = {
    "generate_toy_dataset": "data.toy",
    "load_dataset": "data.real",
    "load_csv": "data.real",
    "read_csv": "data.real",
    "visualize_dataset": "plots.boundary",
    "plot_decision_boundary": "plots.boundary",
    "plot_loss_curve": "plots.boundary",
    "plot_history": "plots.curves",
    "plot_runs": "plots.curves",
    "plot_lr_schedule": "plots.curves",
    "Diagnostics": "inspect.diagnostics",
    "sharpness": "inspect.diagnostics",
    "plot_diagnostics": "plots.diagnostics",
    "plot_hidden_units": "plots.diagnostics",
    "BoundaryRecorder": "plots.animation",
    "animate_training": "plots.animation",
    "gradcheck_table": "inspect.explain",
    "resume": "training.checkpoint",
    "TrainingInterrupted": "errors",
    "export_onnx": "modelfile.onnx_export",
    "LucidClassifier": "sklearn",
    "LucidRegressor": "sklearn",
}

__all__ = [
    "__version__", "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Callback", "Dense", "Dropout",
    "EarlyStopping",
    "DivergenceError", "GradCheckReport", "Input", "Layer", "LucidnetWarning", "ModelFileError",
    "NeuralNetwork", "TrainingDiagnosis", "bce_cost", "bce_loss", "load", "register_activation",
    "relative_error", "sigmoid", *_LAZY,
]


def __getattr__(name):
    import importlib

    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if f"{__name__}.{name}" in _moved.MOVED:  # an old module path: lucidnet.interrupt, ...
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lucidnet' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
