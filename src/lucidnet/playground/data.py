"""The playground's data: the built-in 2-D sets and the user's CSV file, split.

Everything is row-wise here (``X`` is ``(N, d_raw)``), as in :mod:`lucidnet.data`;
the session transposes once when it hands data to the network.

Built-in sets come from :func:`lucidnet.generate_toy_dataset` (classification)
or are drawn here (the Playground's two regression sets), then rescaled so the
points fill ``[-5, 5]``: the plane shown is ``[-6, 6]^2`` as in TensorFlow
Playground, where ``sin X1`` has a few periods to work with.  An uploaded CSV
is standardized with the training part's statistics (kept for the model file),
and so is an ``(X, y)`` pair handed to :func:`lucidnet.playground.show`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .settings import FEATURES_2D

__all__ = ["PlaneData", "make_builtin", "read_upload", "from_arrays", "upload_data", "UploadError",
           "MAX_UPLOAD_BYTES", "MAX_UPLOAD_ROWS", "MAX_UPLOAD_COLUMNS"]

# Big enough for any table a 2-D plot can teach with; small enough that parsing it
# (pure Python) stays a few seconds and its float64 copy tens of MB.
MAX_UPLOAD_BYTES = 20 * 2**20
MAX_UPLOAD_ROWS = 100_000
MAX_UPLOAD_COLUMNS = 100
_TOY = {"circle": "circles", "xor": "xor", "gauss": "blobs", "spiral": "spirals",
        "moons": "moons"}


class UploadError(ValueError):
    """An uploaded file that cannot be used (the message says why)."""


@dataclass
class PlaneData:
    """A train/test split on a plane, with what the page and the model file need."""

    X_train: np.ndarray            # (N_train, d_raw)
    y_train: np.ndarray            # (N_train,) labels 0..k-1 or values
    X_test: np.ndarray
    y_test: np.ndarray
    kind: str                      # "binary", "multi" or "regression"
    columns: list                  # names of the raw columns
    features: list                 # the input features the page offers
    domain: list                   # [x_low, x_high, y_low, y_high] of the plane drawn
    plot: tuple = (0, 1)           # the two raw columns drawn on the plane
    medians: list = field(default_factory=list)   # the other columns are held here
    class_labels: list | None = None
    standardize: dict | None = None
    name: str = ""
    target: str = ""

    @property
    def n_classes(self) -> int:
        return 0 if self.kind == "regression" else int(len(self.class_labels or [0, 1]))


def _split(X, y, train_pct, rng, stratify):
    """Shuffle, then keep ``train_pct`` percent for training (per class when ``stratify``)."""
    from ..training.validation import split_indices

    kept, held = split_indices(len(y), 1 - train_pct / 100, rng, y if stratify else None,
                               what="test")
    return X[kept], y[kept], X[held], y[held]


def _regression(name, n, noise, rng):
    """TensorFlow Playground's regression sets on ``[-1, 1]^2`` (values in about [-1, 1])."""
    X = rng.uniform(-1, 1, size=(n, 2))
    if name == "reg-plane":
        y = (X[:, 0] + X[:, 1]) / 2
    else:  # a sum of signed Gaussian bumps at fixed centres
        centres = np.array([[-0.4, 0.4, 1], [0.4, 0.4, -1], [-0.4, -0.4, -1], [0.4, -0.4, 1]])
        d2 = ((X[:, None, :] - centres[None, :, :2]) ** 2).sum(axis=2)
        y = (centres[:, 2] * np.exp(-d2 / (2 * 0.2 ** 2))).sum(axis=1)
    return X, y + noise * rng.standard_normal(n)


def make_builtin(s: dict) -> PlaneData:
    """The built-in data set that the settings ``s`` describe (seeded by ``data_seed``)."""
    from ..data.toy import generate_toy_dataset

    name, n = s["dataset"], s["points"]
    rng = np.random.default_rng(s["data_seed"])
    if name in _TOY:
        classes = s["classes"] if name in ("gauss", "spiral") else 2
        n = max(n, 4 * classes)
        X, y = generate_toy_dataset(n, s["noise"], _TOY[name], s["data_seed"],
                                    n_classes=classes)
        kind = "binary" if classes == 2 else "multi"
        labels = list(range(classes))
    else:
        X, y = _regression(name, n, s["noise"], rng)
        kind, labels = "regression", None
    X = X - (X.max(axis=0) + X.min(axis=0)) / 2          # centre the bounding box
    X = X * (5.0 / np.abs(X).max())                       # fill [-5, 5]
    X_train, y_train, X_test, y_test = _split(X, y, s["train_pct"], rng, kind != "regression")
    return PlaneData(X_train, y_train, X_test, y_test, kind, ["X1", "X2"], list(FEATURES_2D),
                     [-6.0, 6.0, -6.0, 6.0], (0, 1), [0.0, 0.0], labels, name=name)


def read_upload(text: str, target: str, name: str = "upload.csv"):
    """Parse an uploaded CSV held in memory with lucidnet's CSV reader.

    The one place the playground calls the reader, so that a hardened reader
    replaces it here alone.  Returns ``(X, y, columns, class_labels, target)``.

    Raises
    ------
    UploadError
        Over the size limits, no header, or anything :func:`lucidnet.data.read_csv` refuses.
    """
    from ..data import read_csv

    if len(text) > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file is over {MAX_UPLOAD_BYTES // 2**20} MB")
    if text.count("\n") > MAX_UPLOAD_ROWS + 1:
        raise UploadError(f"the file has more than {MAX_UPLOAD_ROWS} rows")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    if header.count(",") + 1 > MAX_UPLOAD_COLUMNS:
        raise UploadError(f"the file has more than {MAX_UPLOAD_COLUMNS} columns")
    names = [c.strip() for c in header.strip().split(",")]
    target = target or names[-1]
    try:  # the bytes in memory, through the CLI's own reader: nothing touches the disk
        X, y, columns, classes = read_csv(name, target, data=text.encode("utf-8"))
    except ValueError as exc:
        raise UploadError(str(exc)) from None
    if classes is not None and len(classes) < 2:
        raise UploadError(f"column {target!r} has a single class")
    return X, y, columns, classes, target


def from_arrays(X, y) -> tuple:
    """An ``(X, y)`` pair from Python as an upload: ``(X, y, columns, class_labels, target,
    name)``, :func:`upload_data`'s table.

    ``X`` is ``(N, 2)``, one row per point (scikit-learn's layout); ``y`` is ``(N,)``,
    class labels (numbers or texts) or regression values, told apart by
    :func:`lucidnet.data.read_csv`'s rule.

    Raises
    ------
    ValueError
        ``X`` not real and finite or not of shape ``(N, 2)`` (a ``(2, N)`` array is
        refused, with the hint to pass ``X.T``); ``y`` not of shape ``(N,)``, not finite,
        neither numbers nor texts, or of a single class; ``N`` over ``MAX_UPLOAD_ROWS``.
    """
    from .. import checks
    from ..data.real import encode_target

    X = checks.as_numeric_array(X, "X")
    if X.ndim != 2 or X.shape[1] != 2:
        hint = " (one point per column: pass X.T)" if X.ndim == 2 and X.shape[0] == 2 else ""
        raise ValueError(f"X must have shape (N, 2), one row per point as scikit-learn "
                         f"holds it, got {X.shape}{hint}")
    if not 4 <= len(X) <= MAX_UPLOAD_ROWS:
        raise ValueError(f"X must have 4 to {MAX_UPLOAD_ROWS} rows, got {len(X)}")
    checks.check_finite(X, "X")
    X = checks.check_fits(X, np.float64, "X").astype(float)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape (N,) = ({len(X)},), one value per row of X, "
                         f"got {y.shape}")
    if y.dtype.kind in "biuf":
        checks.check_finite(y, "y")
    elif y.dtype.kind not in "US":
        raise ValueError(f"y must hold numbers or texts, got dtype {y.dtype}")
    y, classes = encode_target(y.tolist())
    if classes is not None and len(classes) < 2:
        raise ValueError(f"y has a single class ({classes[0]!r}): a classifier needs two")
    return X, y, ["X1", "X2"], classes, "", "(X, y) from Python"


def upload_data(table, s: dict) -> PlaneData:
    """Split and standardize a parsed upload ``(X, y, columns, classes, target, name)``
    (:func:`read_upload`'s result and the file's name)."""
    from ..data import apply_preprocessing, fit_standardizer

    X, y, columns, classes, target, name = table
    kind = "regression" if classes is None else ("binary" if len(classes) == 2 else "multi")
    rng = np.random.default_rng(s["data_seed"])
    X_train, y_train, X_test, y_test = _split(X, y, s["train_pct"], rng, kind != "regression")
    stats = fit_standardizer(X_train)
    try:  # values near the float64 limit: x - mean may overflow (1.7e308 - (-1e308))
        X_train, X_test = (apply_preprocessing({"standardize": stats}, part)
                           for part in (X_train, X_test))
    except ValueError as exc:
        raise UploadError(f"{name}: {exc}") from None
    d = X.shape[1]
    px = min(s["plot_x"], d - 1)
    py = min(s["plot_y"], d - 1) if d > 1 else px
    if py == px and d > 1:
        py = (px + 1) % d
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    domain = [float(lo[px] - pad[px]), float(hi[px] + pad[px]),
              float(lo[py] - pad[py]), float(hi[py] + pad[py])]
    # every raw column, then the Playground's transforms of the two drawn ones
    a, b = px + 1, py + 1
    features = [f"x{i}" for i in range(1, d + 1)]
    features += [f"x{a}^2", f"x{b}^2", f"x{a}*x{b}", f"sin(x{a})", f"sin(x{b})"] if d > 1 \
        else [f"x{a}^2", f"sin(x{a})"]
    return PlaneData(X_train, y_train, X_test, y_test, kind, list(columns), features, domain,
                     (px, py), np.median(X_train, axis=0).tolist(), classes, stats, name, target)
