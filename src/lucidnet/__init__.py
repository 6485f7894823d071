"""lucidnet: feed-forward neural networks from scratch in NumPy, readable line by line.

The core (activations, losses, layers, network, optimizers, gradient check)
needs NumPy alone.  Data sets, plotting and the scikit-learn wrapper are
imported lazily, on first use, so ``import lucidnet`` stays light.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .activations import ACTIVATIONS, register_activation, sigmoid
from .callbacks import Callback, EarlyStopping
from .gradcheck import GradCheckReport, relative_error
from .layers import Dense, Dropout, Input, Layer
from .losses import LOSSES, bce_cost, bce_loss
from .network import DivergenceError, NeuralNetwork
from .notices import LucidnetWarning, TrainingDiagnosis
from .optimizers import OPTIMIZERS
from .persistence import ModelFileError, load

# name -> module for the parts that pull in scikit-learn or matplotlib, and the
# helpers of the later chapters (curves, diagnostics, animation, resume, ONNX)
_LAZY = {
    "generate_toy_dataset": "datasets",
    "load_dataset": "data",
    "load_csv": "data",
    "read_csv": "data",
    "visualize_dataset": "plotting",
    "plot_decision_boundary": "plotting",
    "plot_loss_curve": "plotting",
    "plot_history": "curves",
    "plot_runs": "curves",
    "plot_lr_schedule": "curves",
    "Diagnostics": "diagnostics",
    "sharpness": "diagnostics",
    "plot_diagnostics": "diagnostics_plots",
    "plot_hidden_units": "diagnostics_plots",
    "BoundaryRecorder": "animation",
    "animate_training": "animation",
    "gradcheck_table": "explain",
    "resume": "checkpoint",
    "TrainingInterrupted": "interrupt",
    "export_onnx": "onnx_export",
    "LucidClassifier": "sklearn",
    "LucidRegressor": "sklearn",
}

__all__ = [
    "__version__", "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Callback", "Dense", "Dropout",
    "EarlyStopping",
    "DivergenceError", "GradCheckReport", "Input", "Layer", "ModelFileError",
    "LucidnetWarning", "NeuralNetwork", "TrainingDiagnosis", "bce_cost", "bce_loss", "load", "register_activation",
    "relative_error", "sigmoid", *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'lucidnet' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
