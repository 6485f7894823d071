"""``lucidnet train`` under Ctrl-C, with checkpoints and --resume, and with bad options.

The Ctrl-C test runs the command in a subprocess, as a user meets it; the
others call :func:`lucidnet.cli.main` in this process (same code path, seconds
faster on a busy machine).
"""

from __future__ import annotations

import json
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


GOOD = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"
# (CSV text, extra options, words of the message): bad data through --data; exit status 2.
CSV_BAD = [
    ("a,b,y\n1,2,0\n3,NA,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "missing value"]),
    ("a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "missing value"]),
    ("a,b,y\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "not a number"]),
    ("a,b,y\n1,2,0\n3,1e999,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "not a finite"]),
    ("a,b,y\n1,2,0\n3,inf,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "not a finite"]),
    ("a,b,y\n1,2,0\n3,1+2j,1\n5,6,0\n7,8,1\n", [], ["line 3", "column 'b'", "not a number"]),
    ("a,b,y\n1,2,0\n3,4\n5,6,1\n", [], ["line 3 has 2 fields", "header has 3"]),
    ("a,b,y\n1,2,0\n3,4,0\n5,6,0\n", [], ["single class"]),
    ("a,b,y\n1,2,0\n", [], ["at least 2 data rows"]),
    ("a,b,y\n", [], ["at least 2 data rows"]),
    ("a,a,y\n1,2,0\n3,4,1\n5,6,0\n", [], ["repeated", "'a'"]),
    ("a,b,y\n1,2,0\n3,4,NA\n5,6,1\n", [], ["line 3", "column 'y'", "missing target"]),
    (GOOD, ["--target", "z"], ["no target column 'z'"]),
    ("a,b,y\n1,2,0\n3,4,1\n5,6,0\n", ["--val-split", "0.5"],
     ["class 1 has only 1 example", "validation split needs at least 2"]),
]


@pytest.mark.parametrize("text,extra,words", CSV_BAD, ids=[c[2][0] for c in CSV_BAD])
def test_cli_bad_csv_data_exits_2_naming_line_and_column(tmp_path, cli, text, extra, words):
    (tmp_path / "data.csv").write_text(text)
    options = ["--target", "y"] if "--target" not in extra else []
    status, err = cli("train", "--data", "data.csv", *options, *extra, "--epochs", 2,
                      "--quiet", "--no-plots", "--test-split", 0)
    assert status == 2, err
    message = err.strip().splitlines()[-1]
    assert "Traceback" not in err
    for word in words:
        assert word in message, message
    assert (tmp_path / "data.csv").read_text() == text  # the input is left alone


PREDICT_BAD = [
    ("a,b\n1,2\n3,NA\n", ["line 3", "column 'b'"]),
    ("a,b\n1,2\n3,inf\n", ["line 3", "column 'b'", "not a finite"]),
    ("1,2\n3,\n", ["line 2", "column 2", "missing value"]),
    ("1,2\nx,4\n", ["line 2", "column 1", "not a number"]),
    ("a,b\n1,2\n3\n", ["line 3 has 1 fields"]),
    ("a\n1\n", ["missing column 'b'"]),  # matched by name: the model has a, b
]


@pytest.mark.parametrize("text,words", PREDICT_BAD, ids=[w[0] for _, w in PREDICT_BAD])
def test_cli_predict_bad_input_exits_2(tmp_path, cli, text, words):
    (tmp_path / "data.csv").write_text(GOOD)
    status, err = cli("train", "--data", "data.csv", "--target", "y", "--epochs", 2, "--quiet",
                      "--no-plots", "--test-split", 0)
    assert status == 0, err
    (tmp_path / "points.csv").write_text(text)
    status, err = cli("predict", "--model", "lucidnet-run/model.npz", "--input", "points.csv")
    assert status == 2, err
    message = err.strip().splitlines()[-1]
    for word in words:
        assert word in message, message


def test_cli_divergence_exits_1_with_the_last_finite_model(tmp_path, cli):
    wider = [8 if a == "4" else a for a in RUN]  # --layers 8 (an option is given once)
    status, err = cli("train", *wider, "--activation", "relu", "--lr", "1e6",
                      "--epochs", 300, "--quiet")
    assert status == 1
    message = err.strip().splitlines()[-1]
    assert "training diverged at epoch" in message and "learning rate 1e+06" in message
    assert "last finite cost" in message and "model.npz" in message
    net = load(tmp_path / "lucidnet-run" / "model.npz")   # the last finite weights
    assert all(np.isfinite(theta).all() for _, theta, _ in net.parameters())
    metrics = json.loads((tmp_path / "lucidnet-run" / "metrics.json").read_text())
    assert metrics["diverged"]["lr"] == 1e6
    assert metrics["diagnosis"][0]["kind"] == "diverged"
    assert "--lr 100000" in metrics["diagnosis"][0]["text"]


def test_a_resumed_run_that_diverges_also_writes_the_last_finite_model(tmp_path, cli):
    wider = [8 if a == "4" else a for a in RUN]
    args = [*wider, "--activation", "relu", "--lr", "1e6", "--epochs", 300, "--quiet",
            "--checkpoint-every", 20, "--checkpoint", "ck.npz"]
    status, err = cli("train", *args, "--out", "fresh")
    assert status == 1 and "training diverged at epoch 30" in err
    _, state, _ = load_checkpoint(tmp_path / "ck.npz")
    assert state["epoch"] == 20                       # saved after epoch 19, before the blow-up
    status, err = cli("train", *args, "--out", "resumed", "--resume", "ck.npz")
    assert status == 1, err                           # as the fresh run: exit 1...
    message = err.strip().splitlines()[-1]
    assert "training diverged at epoch 30" in message and "resumed/model.npz" in message
    net = load(tmp_path / "resumed" / "model.npz")    # ...and the last finite model written
    assert all(np.isfinite(theta).all() for _, theta, _ in net.parameters())
    metrics = json.loads((tmp_path / "resumed" / "metrics.json").read_text())
    assert metrics["diverged"]["epoch"] == 30 and metrics["diagnosis"][0]["kind"] == "diverged"
    assert metrics["epochs_run"] == metrics["diverged"]["weights_epoch"] + 1 > 20


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("standardize", [[], ["--no-standardize"]])
def test_cli_features_in_the_millions_train_without_warnings(tmp_path, cli, standardize):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)) * 1e6
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    rows = [",".join([*map(repr, x.tolist()), str(t)]) for x, t in zip(X, y)]
    (tmp_path / "big.csv").write_text("\n".join(["a,b,c,y", *rows]) + "\n")
    status, err = cli("train", "--data", "big.csv", "--target", "y", "--epochs", 50, "--quiet",
                      "--no-plots", *standardize)
    # Standardized, it trains; raw, the sigmoid units saturate: a poor but finite model.
    assert status == 0, err
    assert np.isfinite(load(tmp_path / "lucidnet-run" / "model.npz").layers[1].params["W"]).all()
