"""Determinism: the same seed gives bit-identical weights, in one process and in two;
lucidnet never touches NumPy's global random state."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lucidnet
from lucidnet import Dense, Dropout, Input, NeuralNetwork

from conftest import SRC

SCRIPT = """
import hashlib, numpy as np
from lucidnet import NeuralNetwork, Input, Dense, Dropout
rng = np.random.default_rng(11)
X = rng.normal(size=(3, 90)); y = (X[0] + X[1] * X[2] > 0).astype(float)
net = NeuralNetwork([Input("x", 3), Dense("h", 12, "relu"), Dropout("d", 0.3),
                     Dense("h2", 6, "tanh"), Dense("out", 1)], optimizer="adam", lr=0.01,
                    seed=SEED)
net.fit(X, y, epochs=25, print_every=0, batch_size=16, validation_split=0.2,
        grad_check_every=10)
digest = hashlib.sha256()
for _, theta, _ in net.parameters():
    digest.update(theta.tobytes())
print(digest.hexdigest())
"""


def _digest(seed: int) -> str:
    """Run SCRIPT in this process; return the digest it prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(SCRIPT.replace("SEED", str(seed)), {})
    return buffer.getvalue().strip()


def test_same_seed_same_weights_in_one_process():
    assert _digest(4) == _digest(4)
    assert _digest(4) != _digest(5)


def test_same_seed_same_weights_in_two_processes():
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "PYTHONHASHSEED": "random"}
    runs = [subprocess.run([sys.executable, "-c", SCRIPT.replace("SEED", "4")], env=env,
                           capture_output=True, text=True, timeout=120, check=True).stdout.strip()
            for _ in range(2)]
    assert runs[0] == runs[1] == _digest(4)


def test_global_numpy_random_state_is_never_touched(tmp_path):
    np.random.seed(1234)
    before = np.random.get_state()
    X, y = lucidnet.generate_toy_dataset(200, dataset_type="circles")
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "relu"), Dropout("d", 0.2),
                         Dense("out", 1)], optimizer="adam", lr=0.01)
    net.fit(X.T, y, epochs=5, print_every=2, verbose=False, batch_size=32,
            validation_split=0.25, grad_check_every=2, early_stopping=3,
            checkpoint_path=tmp_path / "ck.npz", checkpoint_every=2)
    net.check_gradients(X.T, y)
    net.grad_check(X.T, y, 1)
    net.predict(X.T), net.score(X.T, y)
    net.save(tmp_path / "m.npz")
    lucidnet.load(tmp_path / "m.npz").predict(X.T)
    after = np.random.get_state()
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


def test_source_never_calls_numpy_global_random_functions():
    # Every draw must come from a seeded Generator: np.random.default_rng(...),
    # np.random.Generator / bit generators are the only np.random names allowed.
    allowed = {"default_rng", "Generator", "PCG64", "SeedSequence", "BitGenerator"}
    offenders = []
    for path in Path(lucidnet.__file__).parent.rglob("*.py"):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            for name in re.findall(r"np\.random\.(\w+)", code):
                if name not in allowed:
                    offenders.append(f"{path.name}:{lineno}: np.random.{name}")
    assert not offenders, offenders


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_default_seed_is_zero_and_reproducible(dtype):
    nets = [NeuralNetwork([Input("x", 2), Dense("h", 5), Dense("out", 1)], dtype=dtype)
            for _ in range(2)]
    explicit = NeuralNetwork([Input("x", 2), Dense("h", 5), Dense("out", 1)], seed=0,
                             dtype=dtype)
    for (_, a, _), (_, b, _), (_, c, _) in zip(*(n.parameters() for n in (*nets, explicit))):
        assert hashlib.sha256(a.tobytes()).digest() == hashlib.sha256(b.tobytes()).digest()
        np.testing.assert_array_equal(a, c)
