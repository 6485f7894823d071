"""``export-python``: a short script, on lucidnet's public API, that rebuilds the page's
data, network and training run and so reproduces its weights.

The script repeats what :mod:`lucidnet.playground.data` and the session do, in the
open: the data set from :func:`lucidnet.generate_toy_dataset` (or the regression
formula, or your CSV file read by :func:`lucidnet.read_csv`, or the ``(X, y)`` given to
``show()``), the split, the inputs
(:func:`lucidnet.features.expand_features`), the ``NeuralNetwork``, and one ``fit``
of all the page's epochs (the page's chunks of epochs give the same bits as one
call).  A run whose learning rate, optimizer, batch size or weights were changed
while it trained is rebuilt with the settings it has now, and the script says so.
"""

from __future__ import annotations

__all__ = ["python_script"]

_REGRESSION = {
    "reg-plane": "y = (X[:, 0] + X[:, 1]) / 2",
    "reg-gauss": (
        "centres = np.array([[-0.4, 0.4, 1], [0.4, 0.4, -1], [-0.4, -0.4, -1], "
        "[0.4, -0.4, 1]])\n"
        "d2 = ((X[:, None, :] - centres[None, :, :2]) ** 2).sum(axis=2)\n"
        "y = (centres[:, 2] * np.exp(-d2 / (2 * 0.2 ** 2))).sum(axis=1)"),
}
_TOY = {"circle": "circles", "xor": "xor", "gauss": "blobs", "spiral": "spirals",
        "moons": "moons"}


def _data_lines(session) -> list[str]:
    s, d = session.settings, session.data
    stratify = "y" if d.kind != "regression" else "None"
    if s["dataset"] == "upload":
        read = [f"# your CSV file: put {d.name!r} beside this script",
                f"X, y, columns, classes = lucidnet.read_csv({d.name!r}, {d.target!r})"]
        if session.from_python:
            read = ["# the (X, y) you gave lucidnet.playground.show(): define them above",
                    "X = np.asarray(X, dtype=float)",
                    "y, classes = encode_target(np.asarray(y).tolist())"]
        return [
            *read,
            f"rng = np.random.default_rng({s['data_seed']})",
            f"kept, held = split_indices(len(y), 1 - {s['train_pct']} / 100, rng, "
            f"{'None' if d.kind == 'regression' else 'y'}, what='test')",
            "stats = fit_standardizer(X[kept])          # the training part's statistics",
            "X = (X - np.array(stats['mean'])) / np.array(stats['scale'])",
        ]
    if s["dataset"] in _TOY:
        classes = s["classes"] if s["dataset"] in ("gauss", "spiral") else 2
        n = max(s["points"], 4 * classes)
        lines = [f"X, y = lucidnet.generate_toy_dataset({n}, {s['noise']!r}, "
                 f"{_TOY[s['dataset']]!r}, {s['data_seed']}, n_classes={classes})",
                 f"rng = np.random.default_rng({s['data_seed']})"]
    else:
        lines = [f"rng = np.random.default_rng({s['data_seed']})",
                 f"X = rng.uniform(-1, 1, size=({s['points']}, 2))",
                 *_REGRESSION[s["dataset"]].splitlines(),
                 f"y = y + {s['noise']!r} * rng.standard_normal({s['points']})"]
    return lines + [
        "X = X - (X.max(axis=0) + X.min(axis=0)) / 2   # centre the points ...",
        "X = X * (5.0 / np.abs(X).max())               # ... and fill [-5, 5]",
        f"kept, held = split_indices(len(y), 1 - {s['train_pct']} / 100, rng, {stratify}, "
        "what='test')",
    ]


def _layer_lines(session) -> list[str]:
    lines = [f"    Input('x', {len(session.features)}),"]
    for layer in session.net.layers[1:]:
        config = layer.get_config()
        if config["kind"] == "Dense":
            lines.append(f"    Dense({layer.name!r}, {layer.units}, {layer.activation.name!r}),")
        else:
            lines.append(f"    Dropout({layer.name!r}, {config['rate']!r}),")
    return lines


def python_script(session) -> str:
    """The script's text (see the module docstring)."""
    s, net = session.settings, session.net
    opt = net.optimizer
    params = ", ".join(f"{k}={v!r}" for k, v in opt.get_config().items())
    batch = s["batch"] if 0 < s["batch"] < session.A0_train.shape[1] else None
    note = ("# NOTE: this run's learning rate, optimizer, batch size or weights were changed\n"
            "# while it trained: the script trains with the settings it had at the end, so\n"
            "# its weights will differ from the page's.\n") if session.edited else ""
    return "\n".join([
        f'"""The lucidnet playground run rebuilt: {s["dataset"]} data, '
        f'{"-".join(str(l.units) for l in net.layers if l.params or l is net.layers[0])} '
        f'network, '
        f'{session.epoch} epochs.',
        "",
        "Run it with lucidnet installed; it writes playground-rebuilt.npz, a model file with",
        'the weights the page had (compare with the page\'s "Export model")."""',
        "", note + "import numpy as np", "",
        "import lucidnet",
        "from lucidnet import Dense, Dropout, Input, NeuralNetwork",
        "from lucidnet.data import encode_target, fit_standardizer",
        "from lucidnet.features import expand_features",
        "from lucidnet.optim.optimizers import OPTIMIZERS",
        "from lucidnet.training.validation import split_indices",
        "", "# the data, as the page made it",
        *_data_lines(session),
        "X_train, y_train = X[kept], y[kept]", "",
        "# the network's inputs: the features switched on in the page",
        f"features = {session.features!r}",
        "A0 = expand_features(features, X_train.T)       # (d0, N), one column per example",
        "", "net = NeuralNetwork([",
        *_layer_lines(session),
        f"], loss_fn={net.loss_obj.name!r}, optimizer=OPTIMIZERS[{opt.name!r}]({params}),",
        f"   seed={s['seed']}, l1={net.l1!r}, l2={net.l2!r})",
        "", f"net.fit(A0, y_train, epochs={session.epoch}, print_every=0, "
        f"batch_size={batch!r}, verbose=False)" if session.epoch else "# (no epochs yet)",
        "net.preprocessing = {'input_features': features, "
        f"'raw_inputs': {len(session.data.columns)}}}",
        "net.save('playground-rebuilt.npz')",
        "print('cost', net.loss(A0, y_train))", "",
    ])
