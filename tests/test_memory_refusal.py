"""A batch that would not fit in memory is refused with a clear ValueError, before training;
large work arrays are released when training ends, and an inference pass lets go of
the last one's arrays before it makes its own.

The memory limit is monkeypatched small (no real huge allocation); the byte
counts expected below are worked out by hand from the layer sizes.
"""

from __future__ import annotations

import warnings
import weakref

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet.training import memory


@pytest.fixture(autouse=True)
def _check_small_needs_too(monkeypatch):
    """The networks here need about 1 MB: below SMALL_BYTES nothing would be checked."""
    monkeypatch.setattr(memory, "SMALL_BYTES", 0)


def _net(dtype="float64"):
    return NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                         dtype=dtype)


def _data(N=1000):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, 2))
    return X, (X[:, 0] > 0).astype(float)


def test_training_bytes_by_hand():
    # 2-16-32-1, B = N = 1000, float64: Z and A per layer 2*(16+32+1) = 98 rows; dJ/dA[1]
    # (16 rows: it cannot reuse the 32 of dJ/dA[2]) and dJ/dA[2] (32, below the output
    # layer); the output error twice (2): 148 rows of 1000 values of 8 bytes
    assert memory.training_bytes([2, 16, 32, 1], 1000, 1000, 8, False) == (1_184_000, 0)
    # the cost evaluation keeps Z and A of every layer, 98 rows, of a block of at most
    # 4,096 columns (of the training set or a validation set of any size): 98 * 4096 * 8
    assert memory.training_bytes([2, 16, 32, 1], 1000, 1000, 8, True) == (1_184_000, 3_211_264)
    # batches of 100 add their copy of X and Y (2 + 1 rows): 151 rows of 100 values
    assert memory.training_bytes([2, 16, 32, 1], 100, 1000, 8, False) == (120_800, 0)
    # float32 halves everything
    assert memory.training_bytes([2, 16, 32, 1], 1000, 1000, 4, True) == (592_000, 1_605_632)
    # equal widths: dJ/dA[1] goes over the consumed dJ/dA[2] (the measured S network:
    # 2*513 + 256 + 2 = 1284 rows of 100,000 float32, 489.8 MiB; measured 492 MiB)
    assert memory.training_bytes([2, 256, 256, 1], 100_000, 100_000, 4, False)[0] == \
        1284 * 100_000 * 4


def test_the_evaluation_goes_in_blocks_by_hand():
    # 2-64-64-1 on 10^6 examples, float64: the steps keep 2*129 + 64 + 2 = 324 rows of
    # 10^6 (2,592,000,000 bytes; measured 2,473 MiB = 2,593 MB); the evaluation's Z and A,
    # 2*129 = 258 rows, only for a block of 4,096 columns: 258 * 4096 * 8 = 8,454,144
    # bytes, not 258 * 10^6 * 8 = 2.06 GB
    assert memory.training_bytes([2, 64, 64, 1], 10**6, 10**6, 8, True) == \
        (2_592_000_000, 8_454_144)
    # mini-batches too evaluate in blocks of 4,096: 98 * 4096 * 8 for 2-16-32-1
    assert memory.training_bytes([2, 16, 32, 1], 100, 10_000, 8, True)[1] == 3_211_264


def test_fit_refuses_a_full_batch_that_does_not_fit(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: (500_000, "a test limit"))
    net, (X, y) = _net(), _data()
    W_before = net.layers[1].params["W"].copy()
    with pytest.raises(ValueError) as info:
        net.fit(X.T, y, epochs=3, print_every=0)
    text = str(info.value)
    assert "1,184,000 bytes" in text and "500,000 bytes" in text and "a test limit" in text
    assert "batch_size" in text and "partial_fit" in text
    # 500,000 // (151 rows * 8 bytes) = 413 examples per batch would fit
    assert "a batch of about 413 examples would fit" in text
    np.testing.assert_array_equal(net.layers[1].params["W"], W_before)  # nothing changed


def test_the_evaluation_pass_counts_and_is_named(monkeypatch):
    # 1,184,000 for the steps fits; with print checkpoints 3,211,264 more does not
    monkeypatch.setattr(memory, "available_bytes", lambda: (1_500_000, "a test limit"))
    net, (X, y) = _net(), _data()
    net.fit(X.T, y, epochs=2, print_every=0)
    with pytest.raises(ValueError, match="print_every=0") as info:
        _net().fit(X.T, y, epochs=2, print_every=1, verbose=False)
    assert "4,395,264 bytes" in str(info.value)


def test_mini_batches_that_fit_train(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: (500_000, "a test limit"))
    net, (X, y) = _net(), _data()
    net.fit(X.T, y, epochs=2, print_every=0, batch_size=400)    # 400 * 151 * 8 = 483,200
    with pytest.raises(ValueError, match="batches of 500 examples"):
        _net().fit(X.T, y, epochs=2, print_every=0, batch_size=500)


def test_unknown_memory_refuses_nothing(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: (None, "unknown"))
    net, (X, y) = _net(), _data()
    assert net.fit(X.T, y, epochs=2, print_every=0) == []


def test_work_arrays_already_held_count_as_available(monkeypatch):
    net, (X, y) = _net(), _data()
    net.fit(X.T, y, epochs=1, print_every=0)     # keeps 146 rows of work arrays: 1,168,000 bytes
    monkeypatch.setattr(memory, "available_bytes", lambda: (50_000, "a test limit"))
    net.fit(X.T, y, epochs=1, print_every=0)     # 1,184,000 <= 50,000 + 1,168,000: reused
    with pytest.raises(ValueError, match="50,000 bytes"):
        _net().fit(X.T, y, epochs=1, print_every=0)              # a fresh network holds none


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_available_bytes_reads_meminfo_and_cgroup_v2(tmp_path):
    _write(tmp_path / "meminfo", "MemTotal: 8000 kB\nMemFree: 100 kB\nMemAvailable: 2048 kB\n")
    _write(tmp_path / "cgroup", "0::/user.slice/job\n")
    root = tmp_path / "fs"
    _write(root / "user.slice" / "job" / "memory.max", "max\n")
    _write(root / "user.slice" / "job" / "memory.current", "123\n")
    paths = dict(meminfo=tmp_path / "meminfo", proc_cgroup=tmp_path / "cgroup", cgroup_root=root)
    assert memory.available_bytes(**paths) == (2_097_152, "MemAvailable in /proc/meminfo")
    # a limit on a parent cgroup: 1,000,000 - 400,000 left, below MemAvailable
    _write(root / "user.slice" / "memory.max", "1000000\n")
    _write(root / "user.slice" / "memory.current", "400000\n")
    assert memory.available_bytes(**paths) == (600_000, "the cgroup memory limit")


def test_available_bytes_reads_cgroup_v1_and_ignores_its_no_limit(tmp_path):
    _write(tmp_path / "meminfo", "MemAvailable: 4096 kB\n")
    _write(tmp_path / "cgroup", "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n")
    folder = tmp_path / "fs" / "memory" / "docker" / "abc"
    _write(folder / "memory.limit_in_bytes", "9223372036854771712\n")   # v1's "no limit"
    _write(folder / "memory.usage_in_bytes", "1000000\n")
    paths = dict(meminfo=tmp_path / "meminfo", proc_cgroup=tmp_path / "cgroup",
                 cgroup_root=tmp_path / "fs")
    assert memory.available_bytes(**paths) == (4_194_304, "MemAvailable in /proc/meminfo")
    _write(folder / "memory.limit_in_bytes", "3000000\n")
    assert memory.available_bytes(**paths) == (2_000_000, "the cgroup memory limit")


def test_available_bytes_unknown_without_the_files(tmp_path):
    assert memory.available_bytes(meminfo=tmp_path / "none", proc_cgroup=tmp_path / "none",
                                  cgroup_root=tmp_path) == (None, "unknown")


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_the_estimators_refuse_too(monkeypatch, solver):
    from lucidnet.sklearn import LucidClassifier

    monkeypatch.setattr(memory, "available_bytes", lambda: (20_000, "a test limit"))
    X, y = _data()
    est = LucidClassifier(hidden_layer_sizes=(16, 32), solver=solver, max_iter=2,
                          batch_size=1000 if solver == "adam" else "auto")
    with pytest.raises(ValueError, match="partial_fit"):
        est.fit(X, y)


def test_a_small_need_does_not_read_the_system(monkeypatch):
    monkeypatch.setattr(memory, "SMALL_BYTES", 64 << 20)

    def no_look_up():
        raise AssertionError("read the system's memory for a 1 MB training")
    monkeypatch.setattr(memory, "available_bytes", no_look_up)
    X, y = _data()
    _net().fit(X.T, y, epochs=1, print_every=0)


def test_large_work_arrays_are_released_at_the_end_of_fit(monkeypatch):
    # above the threshold (here 1 MB: the 2-16-32-1 net on 1,000 examples holds
    # 146 rows * 1000 * 8 = 1,168,000 bytes) fit drops them: a score or predict over
    # all N would otherwise come on top of them
    monkeypatch.setattr(memory, "KEEP_WORK_BYTES", 1_000_000)
    net, (X, y) = _net(), _data()
    net.fit(X.T, y, epochs=2, print_every=0)
    for layer in net.layers:
        assert not getattr(layer, "_work", None)
        assert all(getattr(layer, name, None) is None for name in ("A_prev", "Z", "A", "Delta"))
    # the next fit allocates them again and trains on as if they had been kept
    net.fit(X.T, y, epochs=2, print_every=0)
    kept = _net()
    monkeypatch.setattr(memory, "KEEP_WORK_BYTES", 10**12)
    kept.fit(X.T, y, epochs=2, print_every=0)
    assert sum(buf.nbytes for layer in kept.layers
               for buf in getattr(layer, "_work", {}).values()) == 1_168_000
    kept.fit(X.T, y, epochs=2, print_every=0)
    for a, b in zip(net.layers[1:], kept.layers[1:]):
        np.testing.assert_array_equal(a.params["W"], b.params["W"])
        np.testing.assert_array_equal(a.params["b"], b.params["b"])


def test_large_work_arrays_are_released_when_fit_stops_with_an_error(monkeypatch):
    # a learner who catches the error and then scores over all N does not carry them
    from lucidnet import DivergenceError, TrainingInterrupted, atomic_files

    monkeypatch.setattr(memory, "KEEP_WORK_BYTES", 1)
    X, y = _data()
    diverging = NeuralNetwork([Input("x", 2), Dense("h", 8, "relu"), Dense("out", 1)],
                              lr=1e6)
    with pytest.raises(DivergenceError):
        diverging.fit(X.T * 1e6, y, epochs=300, print_every=0)
    assert memory.work_bytes(diverging) == 0

    monkeypatch.setenv("LUCIDNET_SIGINT_AT", "mid_epoch")
    monkeypatch.setattr(atomic_files, "_FIRED", set())
    interrupted = _net()
    with pytest.raises(TrainingInterrupted, match="training interrupted"):
        interrupted.fit(X.T, y, epochs=5, print_every=0)
    assert memory.work_bytes(interrupted) == 0


def test_small_work_arrays_stay_for_the_next_fit():
    # 1,168,000 bytes, below the 64 MiB threshold: kept, and reused by the next fit
    net, (X, y) = _net(), _data()
    net.fit(X.T, y, epochs=1, print_every=0)
    before = {id(buf) for layer in net.layers for buf in getattr(layer, "_work", {}).values()}
    assert len(before) == 8
    net.fit(X.T, y, epochs=1, print_every=0)
    assert {id(buf) for layer in net.layers
            for buf in getattr(layer, "_work", {}).values()} == before


def test_the_estimators_release_large_work_arrays_too(monkeypatch):
    from lucidnet.sklearn import LucidClassifier

    monkeypatch.setattr(memory, "KEEP_WORK_BYTES", 1)
    X, y = _data()
    clf = LucidClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=5,
                          random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 iterations, on purpose
        clf.fit(X, y)
    assert not any(getattr(layer, "_work", None) for layer in clf.net_.layers)
    assert clf.predict_proba(X).shape == (1000, 2)


def test_the_estimators_release_them_when_the_solver_raises(monkeypatch):
    # the solver trains (its work arrays are allocated), then an error leaves it
    from lucidnet.sklearn import LucidClassifier, _stochastic

    monkeypatch.setattr(memory, "KEEP_WORK_BYTES", 1)
    real = _stochastic.fit_stochastic

    def trains_then_fails(*args):
        real(*args)
        raise KeyboardInterrupt
    monkeypatch.setattr(_stochastic, "fit_stochastic", trains_then_fails)
    X, y = _data()
    clf = LucidClassifier(hidden_layer_sizes=(16,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 2 epochs, on purpose
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    assert memory.work_bytes(clf.net_) == 0


def test_an_inference_pass_lets_go_of_the_last_ones_arrays(monkeypatch):
    # net.loss then net.score over all N: the first pass's Z and A (every layer's) are
    # gone before the second makes its own, so two passes' arrays are never alive at once
    net, (X, _) = _net(), _data()
    net.forward(X.T)
    old = [weakref.ref(layer.Z) for layer in net.layers[1:]]
    old += [weakref.ref(layer.A) for layer in net.layers[1:-1]]  # A[L] is also net.output
    gone_when_layer_1_starts = []
    first = net.layers[1]
    real = first.forward

    def forward(A_prev, training=False):
        gone_when_layer_1_starts.append([ref() is None for ref in old])
        return real(A_prev, training)

    monkeypatch.setattr(first, "forward", forward)
    net.forward(X.T)
    assert gone_when_layer_1_starts == [[True] * 5]
    # and the caches are the new pass's, as a learner reads them
    assert first.Z.shape == (16, 1000) and first.A is net.layers[2].A_prev


def test_a_release_leaves_nothing_that_keeps_the_arrays_alive(monkeypatch):
    # called right after a training pass (no inference pass in between, unlike fit's
    # end): layer 2's A_prev is layer 1's A work array, net.output the output layer's
    net = NeuralNetwork([Input("x", 2), Dense("h1", 16), Dropout("drop", 0.5),
                         Dense("h2", 32), Dense("out", 1)])
    X, y = _data()
    net.backward(X.T, y)
    refs = [weakref.ref(buf) for layer in net.layers
            for buf in getattr(layer, "_work", {}).values()]
    refs.append(weakref.ref(net.layers[2].mask))
    output = net.output.copy()
    # Z and A of h1, h2 and out: 2 * (16 + 32 + 1) rows; the output layer's dJ/dA[h2] (32
    # rows) and h2's dJ/dA[h1] (16, which cannot go over the 32); every Delta over its Z;
    # the Dropout's backward in place: 146 rows of 1000 float64
    assert memory.release_work_arrays(net, keep_below=0) == (98 + 32 + 16) * 1000 * 8
    assert all(ref() is None for ref in refs)
    np.testing.assert_array_equal(net.output, output)             # a copy of the last output
