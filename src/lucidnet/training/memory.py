"""Refuse a batch that would not fit in memory, before training allocates it.

A training step keeps, per ``Dense`` layer, ``Z`` (later overwritten by
``Delta``) and ``A``, each ``(d_l, B)`` for a batch of ``B`` examples, the
``dJ/dA`` arrays passed down, and the output error; a ``Dropout`` layer
keeps its mask and its output (see :func:`training_bytes`).  A cost
evaluation (print checkpoints, validation, early stopping) runs a forward
pass over all ``N`` training examples, a block of columns at a time
(:mod:`lucidnet.training.passes`): the layers keep a block's ``Z`` and ``A``
while the training arrays are still held.  On Linux a run that asks for more than there is
does not always get a ``MemoryError``: large arrays are promised by the
kernel and the process is killed when it touches them.  So ``fit`` adds
these sizes up first and refuses with a ``ValueError`` that says what
would fit instead, when they exceed the memory available:

- ``MemAvailable`` in ``/proc/meminfo`` (what the kernel can give without
  swapping), and
- the headroom of a cgroup memory limit when one is set (v2: ``memory.max``
  minus ``memory.current`` of this process's cgroup and its parents; v1:
  ``memory.limit_in_bytes`` minus ``memory.usage_in_bytes``).

Where neither can be read (not Linux), nothing is refused.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from .passes import PASS_COLUMNS

__all__ = ["available_bytes", "training_bytes", "check_training_fits",
           "release_work_arrays", "released_on_error"]

# cgroup v1 writes "no limit" as the largest page-aligned 64-bit number
_NO_LIMIT = 1 << 60
# Below this a training needs no look-up of the system's memory (reading /proc
# costs tens of microseconds, a lot for partial_fit called once per small batch).
SMALL_BYTES = 64 << 20
# Training work arrays of fewer bytes than this stay on the layers after fit
# (see release_work_arrays).
KEEP_WORK_BYTES = 64 << 20


def _meminfo_available(meminfo: Path) -> int | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024         # the file counts kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None           # "max": no limit


def _headroom(folder: Path, top: Path, limit_file: str, usage_file: str) -> int | None:
    """The smallest ``limit - usage`` of a cgroup folder and its parents up to ``top``."""
    headroom = None
    while True:
        limit, used = _read_int(folder / limit_file), _read_int(folder / usage_file)
        if limit is not None and used is not None and limit < _NO_LIMIT:
            left = max(limit - used, 0)
            headroom = left if headroom is None else min(headroom, left)
        if folder == top or top not in folder.parents:
            return headroom
        folder = folder.parent


def _cgroup_headroom(proc_cgroup: Path, root: Path) -> int | None:
    """Bytes left under the tightest cgroup memory limit of this process, or None."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    found = []
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2)
        if hierarchy == "0" and controllers == "":         # cgroup v2: one unified tree
            found.append(_headroom(root / path.lstrip("/"), root, "memory.max",
                                   "memory.current"))
        elif "memory" in controllers.split(","):           # cgroup v1: the memory controller
            top = root / "memory"
            found.append(_headroom(top / path.lstrip("/"), top, "memory.limit_in_bytes",
                                   "memory.usage_in_bytes"))
    found = [f for f in found if f is not None]
    return min(found) if found else None


def available_bytes(meminfo="/proc/meminfo", proc_cgroup="/proc/self/cgroup",
                    cgroup_root="/sys/fs/cgroup") -> tuple[int | None, str]:
    """Memory this process can still allocate, and where the figure comes from.

    Returns ``(bytes, source)``: the smaller of ``MemAvailable`` and the
    cgroup headroom, or ``(None, "unknown")`` when neither can be read.
    The paths are parameters so that tests can point them at small files.
    """
    mem = _meminfo_available(Path(meminfo))
    cg = _cgroup_headroom(Path(proc_cgroup), Path(cgroup_root))
    if cg is not None and (mem is None or cg < mem):
        return cg, "the cgroup memory limit"
    if mem is not None:
        return mem, "MemAvailable in /proc/meminfo"
    return None, "unknown"


def training_bytes(units, batch: int, N: int, itemsize: int, evaluates: bool,
                   dropout=()) -> tuple[int, int]:
    """``(bytes for the training steps, bytes for a cost evaluation over all N)``.

    Parameters
    ----------
    units : sequence of int
        ``d_0, d_1, ..., d_L``: the size of every layer, the input first.
    batch : int
        Columns per training step ``B`` (``N`` for a full batch).
    N : int
        Training examples (the evaluation runs over all of them).
    itemsize : int
        Bytes per number (8 for float64, 4 for float32).
    evaluates : bool
        Whether the cost is computed during training (print checkpoints,
        validation, early stopping, callbacks).
    dropout : sequence of int
        Positions in ``units`` of Dropout layers (no parameters to evaluate).

    Notes
    -----
    In rows of ``B`` numbers, a step keeps ``2 d_l`` per layer (``Z``, which
    ``Delta`` overwrites, and ``A``; a Dropout layer's mask and output),
    ``d_{l-1}`` for each ``dJ/dA[l-1]`` of a layer ``l >= 2`` that cannot reuse
    the consumed ``dJ/dA[l]`` (a different size, or the output layer), twice
    ``d_L`` for the output error (last step's is still cached while the next
    is computed), and ``d_0 + d_L`` for a mini-batch's copy of ``X`` and ``Y``.
    The evaluation keeps ``2 d_l`` rows per layer with parameters, of the
    columns of one block: :data:`lucidnet.training.passes.PASS_COLUMNS`
    (4,096) are counted, a bound for the training set and for a validation
    set of any size (the metric is summed block by block).
    """
    d = list(units)
    L = len(d) - 1
    rows = 2 * sum(d[1:]) + 2 * d[L]
    rows += sum(d[l - 1] for l in range(2, L + 1) if l == L or d[l] != d[l - 1])
    if batch < N:
        rows += d[0] + d[L]
    evaluation = 2 * sum(n for i, n in enumerate(d) if i > 0 and i not in dropout) * PASS_COLUMNS
    return rows * batch * itemsize, (evaluation * itemsize if evaluates else 0)


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def check_training_fits(net, N: int, batch_size, evaluates: bool, available=None) -> None:
    """Raise ``ValueError`` if training ``net`` on ``N`` examples would not fit in memory.

    ``available`` is ``(bytes, source)`` as :func:`available_bytes` returns
    it (read from the system by default); ``None`` bytes refuses nothing, and
    a need below ``SMALL_BYTES`` (64 MiB) is not checked at all.
    Work arrays the network already holds are counted as available: training
    reuses or replaces them.
    """
    B = N if batch_size is None else min(int(batch_size), N)
    dropout = [i for i, layer in enumerate(net.layers) if type(layer).__name__ == "Dropout"]
    steps, evaluation = training_bytes([layer.units for layer in net.layers], B, N,
                                       net.dtype.itemsize, evaluates, dropout)
    if steps + evaluation < SMALL_BYTES:
        return
    free, source = available_bytes() if available is None else available
    if free is None:
        return
    held = work_bytes(net)
    if steps + evaluation <= free + held:
        return
    parts = f"training steps on batches of {B:,} examples: {_gib(steps)}"
    if evaluation:
        parts += (f"; the cost evaluation over all {N:,} examples (print checkpoints, "
                  f"validation, early stopping): {_gib(evaluation)}")
    per_example, _ = training_bytes([layer.units for layer in net.layers], 1, 2,
                                    net.dtype.itemsize, False, dropout)
    fits = (free + held) // per_example      # the largest mini-batch, without evaluations
    hint = (f"a batch of about {min(fits, N - 1):,} examples would fit" if fits >= 1 else
            "not even one example fits in the memory left")
    if evaluation:
        hint += ", with print_every=0 so that no pass over all examples is needed"
    raise ValueError(
        f"this training would need about {_gib(steps + evaluation)} "
        f"({steps + evaluation:,} bytes; {parts}), but only {_gib(free + held)} "
        f"({free + held:,} bytes) is available ({source}). Train on mini-batches "
        f"(NeuralNetwork.fit(..., batch_size=...), or an estimator's batch_size with "
        f"solver 'adam' or 'sgd'; {hint}), or feed the data in parts with partial_fit of "
        "lucidnet.sklearn's LucidClassifier / LucidRegressor.")


def work_bytes(net) -> int:
    """Bytes of the training work arrays the layers of ``net`` hold."""
    return sum(buf.nbytes for layer in net.layers
               for buf in getattr(layer, "_work", {}).values())


def release_work_arrays(net, keep_below: int | None = None) -> int:
    """Drop the layers' training work arrays when together they hold ``keep_below``
    bytes or more (default :data:`KEEP_WORK_BYTES`, 64 MiB); return the bytes dropped.

    ``fit`` and the estimators' ``fit`` call it at their end.  Kept, the arrays
    of a large batch would stay beside every inference pass that follows
    (``loss``, ``score``, ``predict`` over all N examples: measured at N = 10^6,
    2-64-64-1, float64, ``fit`` then ``loss`` and ``score`` peaked at 6,153 MiB
    with them and 3,683 without).  Small ones are kept: a next ``fit`` on the
    same data (the playground trains in chunks of epochs) reuses them without
    new page faults.  With them go the caches of the last pass (a layer's
    ``A_prev`` is the layer below's ``A``; a Dropout's mask, unless fixed), so
    that nothing keeps them alive; ``net.output`` becomes a copy of itself.
    """
    keep_below = KEEP_WORK_BYTES if keep_below is None else keep_below
    held = work_bytes(net)
    if held < keep_below:
        return 0
    released = [buf for layer in net.layers for buf in layer.__dict__.pop("_work", {}).values()]
    for layer in net.layers:
        for name in layer._CACHES:                  # A_prev, Z, A, Delta; _work is gone
            if name in layer.__dict__:
                setattr(layer, name, None)
        if "mask" in layer.__dict__ and not getattr(layer, "fixed_mask", False):
            layer.mask = None
    output = net.__dict__.get("output")
    if output is not None and any(output is buf for buf in released):
        net.output = output.copy()
    return held


@contextmanager
def released_on_error(net):
    """Call :func:`release_work_arrays` on ``net`` when the block raises (a
    ``DivergenceError``, a failed gradient check, ``TrainingInterrupted``), then
    let the error go on: a caller who catches it and evaluates over all N
    examples does not carry the training arrays beside that pass.  A fit that
    returns calls :func:`release_work_arrays` itself, after its last pass."""
    try:
        yield
    except BaseException:
        release_work_arrays(net)
        raise
