"""``lucidnet train`` under Ctrl-C, with checkpoints and --resume, and with bad options.

The Ctrl-C test runs the command in a subprocess, as a user meets it; the
others call :func:`lucidnet.cli.main` in this process (same code path, seconds
faster on a busy machine).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from lucidnet import load
from lucidnet.checkpoint import load_checkpoint
from lucidnet.cli import main

from conftest import SRC

# A small, fast run: 60 points, 2-4-1, no gradient checks.
RUN = ["--n-samples", "60", "--layers", "4", "--grad-check-every", "0", "--no-plots"]


def _params(path):
    with np.load(path) as archive:
        return {k: archive[k] for k in archive.files if k.startswith("param/")}


def _assert_same_weights(a, b):
    pa, pb = _params(a), _params(b)
    assert pa.keys() == pb.keys()
    for key in pa:
        np.testing.assert_array_equal(pa[key], pb[key], err_msg=key)


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``lucidnet ARGS`` in this process, in ``tmp_path``; returns ``(status, stderr)``."""
    monkeypatch.chdir(tmp_path)

    def run(*args):
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors and Ctrl-C exit this way
            status = exc.code
        return status, capsys.readouterr().err

    return run


def _start(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "lucidnet", "train", *map(str, args)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigint_saves_a_checkpoint_and_resume_is_bit_identical(tmp_path, run_cli, cli):
    epochs = 4000
    proc = _start(tmp_path, *RUN, "--epochs", epochs, "--print-every", 1, "--out", "run")
    # Wait until training has begun (the first cost line), then press Ctrl-C.
    for line in proc.stdout:
        if line.startswith("Epoch: 3 "):
            break
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    checkpoint = tmp_path / "run" / "checkpoint.npz"
    assert "interrupted" in err and str(checkpoint.relative_to(tmp_path)) in err
    assert "resume with: lucidnet train" in err and "--resume" in err
    assert not (tmp_path / "run" / "model.npz").exists()
    # The checkpoint is a loadable model, stopped somewhere inside the run.
    net, state, _ = load_checkpoint(checkpoint)
    assert 3 <= state["epoch"] < epochs
    assert load(checkpoint).predict(np.zeros((2, 3))).shape == (3,)

    resumed = run_cli("train", *RUN, "--epochs", epochs, "--print-every", 1, "--out", "run",
                      "--resume", checkpoint, "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    status, err = cli("train", *RUN, "--epochs", epochs, "--print-every", 1, "--out", "ref",
                      "--quiet")
    assert status == 0, err
    _assert_same_weights(tmp_path / "run" / "model.npz", tmp_path / "ref" / "model.npz")


def test_periodic_checkpoint_then_resume_is_bit_identical(tmp_path, cli):
    args = [*RUN, "--epochs", 300, "--quiet"]
    status, err = cli("train", *args, "--out", "a", "--checkpoint-every", 100,
                      "--checkpoint", "ck.npz")
    assert status == 0, err
    _, state, _ = load_checkpoint(tmp_path / "ck.npz")
    assert state["epoch"] == 200
    status, err = cli("train", *args, "--out", "b", "--resume", "ck.npz")
    assert status == 0, err
    _assert_same_weights(tmp_path / "a" / "model.npz", tmp_path / "b" / "model.npz")


def test_resume_refuses_other_options(cli):
    status, err = cli("train", *RUN, "--epochs", 30, "--quiet", "--checkpoint-every", 10)
    assert status == 0, err
    status, err = cli("train", *RUN, "--epochs", 30, "--quiet", "--lr", 0.5,
                      "--resume", "lucidnet-run/checkpoint.npz")
    assert status == 2
    assert "--lr" in err and "repeat the original options" in err


# (arguments, words of the one-line message); every one exits with status 2.
CLI_BAD = [
    (["--lr", "0"], ["--lr", "positive"]),
    (["--lr", "nan"], ["--lr", "finite"]),
    (["--epochs", "0"], ["--epochs", "positive integer"]),
    (["--epochs", "2.5"], ["--epochs", "integer"]),
    (["--layers", "16,0"], ["--layers", "positive integers"]),
    (["--n-samples", "abc"], ["--n-samples", "integer"]),
    (["--checkpoint-every", "-1"], ["--checkpoint-every"]),
    (["--dataset", "spiral"], ["--dataset", "invalid choice"]),
    (["--checkpoint", "ck.txt"], ["--checkpoint", ".npz"]),
    (["--resume", "missing.npz"], ["--resume", "no such file"]),
]


@pytest.mark.parametrize("args,words", CLI_BAD, ids=[" ".join(a) for a, _ in CLI_BAD])
def test_cli_bad_options_exit_2(cli, args, words):
    status, err = cli("train", *RUN, "--epochs", 2, "--quiet", *args)
    assert status == 2, err
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    for word in words:
        assert word in message, message


def test_cli_resume_from_a_plain_model_exits_2(cli):
    status, err = cli("train", *RUN, "--epochs", 2, "--quiet")
    assert status == 0, err
    status, err = cli("train", *RUN, "--epochs", 2, "--quiet", "--resume", "lucidnet-run/model.npz")
    assert status == 2
    assert "without a training state" in err and "Traceback" not in err
