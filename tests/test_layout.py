"""The package layout: imports point one way, old module paths still import.

The public names of every old module path below were listed from the release
before the layout change (they are the reference, not this code's output).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

import lucidnet

OLD_PATHS = {
    'lucidnet.activations': [
        'ACTIVATIONS', 'Activation', 'ELU', 'Exp', 'Identity', 'LeakyReLU',
        'PROBABILITY_OUTPUTS', 'ReLU', 'Sigmoid', 'Softmax', 'Softplus', 'Tanh',
        'drop_out_hint', 'exp_clipped', 'get_activation', 'register_activation', 'sigmoid'],
    'lucidnet.animation': ['BoundaryRecorder', 'animate_training', 'mp4_available'],
    'lucidnet.callbacks': [
        'Callback', 'EarlyStopping', 'EpochInfo', 'LearningRateScheduler', 'append_row'],
    'lucidnet.checkpoint': [
        'CHECKPOINT_VERSION', 'Run', 'describe_options', 'fingerprint', 'load_checkpoint',
        'resume'],
    'lucidnet.checks': [
        'as_numeric_array', 'check_choice', 'check_class_labels', 'check_distribution_targets',
        'check_finite', 'check_int', 'check_min_examples', 'check_positive_number',
        'check_probability_targets', 'check_two_classes', 'first_nonfinite'],
    'lucidnet.curves': ['plot_history', 'plot_lr_schedule', 'plot_runs'],
    'lucidnet.data': [
        'Dataset', 'MAX_AUTO_CLASSES', 'REAL_DATASETS', 'apply_preprocessing', 'decode_labels',
        'fit_standardizer', 'load_csv', 'load_dataset', 'read_csv'],
    'lucidnet.datasets': ['TOY_DATASETS', 'generate_toy_dataset'],
    'lucidnet.diagnostics': [
        'Diagnostics', 'FIGURES', 'SATURATION_LEVEL', 'participation_ratio', 'sharpness'],
    'lucidnet.diagnostics_plots': [
        'plateau_spans', 'plot_activation_histograms', 'plot_diagnostics', 'plot_hidden_units'],
    'lucidnet.divergence': ['DivergenceError', 'DivergenceGuard', 'weights_are_finite'],
    'lucidnet.explain': ['Text', 'explain', 'gradcheck_table', 'summary'],
    'lucidnet.flat_state': ['FlatState'],
    'lucidnet.gradcheck': [
        'GradCheckReport', 'check_direction', 'check_entries', 'check_entries_batched',
        'relative_error'],
    'lucidnet.gradcheck_network': [
        'Float64Copy', 'METHODS', 'PeriodicCheck', 'check_gradients', 'grad_check', 'run_checks'],
    'lucidnet.initializers': [
        'INITIALIZERS', 'default_initializer', 'get_initializer', 'glorot_normal',
        'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'lecun_uniform'],
    'lucidnet.interrupt': ['InterruptFlag', 'TrainingInterrupted', 'deferred_interrupts'],
    'lucidnet.layers': ['Dense', 'Dropout', 'Input', 'LAYERS', 'Layer'],
    'lucidnet.losses': [
        'BinaryCrossEntropy', 'CategoricalCrossEntropy', 'Huber', 'LOSSES', 'Loss',
        'MeanAbsoluteError', 'MeanSquaredError', 'Poisson', 'bce_cost', 'bce_loss', 'get_loss',
        'log_softmax'],
    'lucidnet.metrics': [
        'accuracy', 'classification_report', 'confusion_matrix', 'f1_score', 'log_loss', 'mse',
        'precision', 'r2_score', 'recall'],
    'lucidnet.modelfile_checks': [],
    'lucidnet.network': ['DivergenceError', 'NeuralNetwork'],
    'lucidnet.onnx_export': ['ONNX_OPSET', 'export_onnx', 'to_onnx'],
    'lucidnet.optimizers': [
        'Adam', 'AdamW', 'Momentum', 'Nesterov', 'OPTIMIZERS', 'Optimizer', 'RMSProp', 'SGD',
        'get_optimizer'],
    'lucidnet.persistence': [
        'FORMAT', 'FORMAT_VERSION', 'MAX_MANIFEST_CHARS', 'MAX_TOTAL_BYTES', 'ModelFileError',
        'atomic_write', 'load', 'read', 'save'],
    'lucidnet.plotting': [
        'evaluate_field', 'plot_decision_boundary', 'plot_loss_curve', 'visualize_dataset'],
    'lucidnet.schedules': [
        'CosineAnnealing', 'ExponentialDecay', 'ReduceOnPlateau', 'SCHEDULES', 'Schedule',
        'StepDecay', 'clip_grad_norm', 'get_schedule'],
    'lucidnet.training': ['Callback', 'EarlyStopping', 'EpochInfo', 'train'],
    'lucidnet.validation': ['class_labels', 'prepare_validation', 'split_indices'],
}

# Floors of the house, bottom-up: a module may import its own floor or below.
FLOORS = {
    "_version": 0, "errors": 0, "_moved": 0, "_startup": 0, "atomic_files": 0, "checks": 0,
    "features": 0,
    "optim": 1,
    "core": 2,
    "gradcheck": 3, "modelfile": 3, "metrics": 3,
    "training": 4,
    "inspect": 5, "data": 5,
    "network": 6,
    "plots": 7, "sklearn": 7, "__init__": 7,  # the package's face: public names, lazy extras
    "cli": 8, "playground": 8,
    "__main__": 9,
}
SRC = Path(lucidnet.__file__).parent


def _part(parts) -> str:
    """The floor name of a module path inside lucidnet (``("core", "dense")`` -> core)."""
    head = parts[0] if parts else "__init__"
    return head[:-3] if head.endswith(".py") else head


def _imports(path: Path):
    """Modules inside lucidnet that ``path`` imports (at any depth, lazily or not)."""
    here = path.relative_to(SRC).parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[:len(here) - node.level + 1]
            target = base + tuple(node.module.split(".")) if node.module else base
            if target:
                yield target
            else:  # "from .. import x": the module x, or a name of the package's face
                for alias in node.names:
                    is_module = (SRC / f"{alias.name}.py").exists() or (SRC / alias.name).is_dir()
                    yield (alias.name,) if is_module else ("__init__",)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if name and name.split(".")[0] == "lucidnet":
                    yield tuple(name.split(".")[1:])


def test_imports_point_down_the_floors():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        floor = FLOORS[_part(path.relative_to(SRC).parts)]
        for target in _imports(path):
            name = _part(target)
            if name in FLOORS and FLOORS[name] > floor:
                wrong.append(f"{path.relative_to(SRC)} -> {'.'.join(target)}")
            elif name not in FLOORS:
                wrong.append(f"{path.relative_to(SRC)} -> unknown part {name!r}")
    assert wrong == []


def test_the_core_needs_numpy_alone():
    allowed = {"numpy", "math", "numbers", "functools", "inspect", "typing", "dataclasses",
               "copy", "__future__"}
    for path in sorted([*(SRC / "core").glob("*.py"), *(SRC / "optim").glob("*.py"),
                        SRC / "checks.py", SRC / "errors.py"]):
        if True:
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("old", sorted(OLD_PATHS))
def test_old_module_paths_import_with_their_public_names(old):
    module = importlib.import_module(old)
    missing = [name for name in OLD_PATHS[old] if not hasattr(module, name)]
    assert missing == []


@pytest.mark.parametrize("old", sorted(OLD_PATHS))
def test_an_old_path_is_the_module_at_its_new_home(old):
    from lucidnet._moved import MOVED

    module = importlib.import_module(old)
    if old in MOVED:
        assert module is importlib.import_module(MOVED[old])
        assert module.__spec__.name == MOVED[old]  # its own relative imports keep working
    assert getattr(lucidnet, old.split(".")[1]) is module


def test_old_module_names_are_attributes_of_the_package():
    import subprocess
    import sys

    code = ("import lucidnet\n"
            "assert lucidnet.interrupt.TrainingInterrupted is lucidnet.TrainingInterrupted\n"
            "assert lucidnet.persistence.load is lucidnet.load\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_from_lucidnet_import_an_old_module_name():
    from lucidnet import checks, gradcheck_network, metrics, persistence

    assert checks.check_int("n", 3) == 3
    assert callable(gradcheck_network.grad_check) and callable(metrics.accuracy)
    assert persistence.ModelFileError is lucidnet.ModelFileError


# ------------------------------------------------ the backward that is trained and checked
def _data():
    X, y = lucidnet.generate_toy_dataset(n_samples=40, random_state=0)
    return X.T, y


def _net(cls=lucidnet.NeuralNetwork):
    return cls([lucidnet.Input("x", 2), lucidnet.Dense("h", 3), lucidnet.Dense("out", 1)])


class HalvedBackward(lucidnet.NeuralNetwork):
    """A learner's broken backward: every gradient is half what it should be."""

    calls = 0

    def backward(self, X, y, sample_weight=None):
        type(self).calls += 1
        super().backward(X, y, sample_weight)
        for layer in self.layers:
            for g in layer.grads.values():
                g *= 0.5


def test_fit_trains_through_an_overridden_backward():
    X, y = _data()
    HalvedBackward.calls = 0
    net, reference = _net(HalvedBackward), _net()
    net.fit(X, y, epochs=3, print_every=0)
    reference.fit(X, y, epochs=3, print_every=0)
    assert HalvedBackward.calls == 3
    assert not np.allclose(net.layers[1].params["W"], reference.layers[1].params["W"])


def test_the_gradient_check_catches_an_overridden_backward():
    X, y = _data()
    with pytest.raises(AssertionError, match="Gradient check failed"):
        _net(HalvedBackward).grad_check(X, y, 1)
    _net().grad_check(X, y, 1)  # the built-in backward passes


def test_a_backward_replaced_on_the_instance_is_used():
    X, y = _data()
    net, calls = _net(), []
    original = net.backward

    def backward(X, y):
        calls.append(X.shape)
        original(X, y)

    net.backward = backward
    net.fit(X, y, epochs=2, print_every=0)
    assert calls == [(2, 40), (2, 40)]


def test_a_checkpoint_keeps_the_state_of_lucidnets_own_callbacks(tmp_path):
    from lucidnet.training.checkpoint import load_checkpoint

    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=4, print_every=0, early_stopping=lucidnet.EarlyStopping(patience=50),
            validation_split=0.25, checkpoint_path=tmp_path / "run.npz", checkpoint_every=2)
    _, state, _ = load_checkpoint(tmp_path / "run.npz")
    assert any(cb is not None and "vars" in cb for cb in state["callbacks"])
