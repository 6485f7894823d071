"""The command line as a user meets it: in a subprocess (the run_cli fixture)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import SRC

SHORT = ["--epochs", "30", "--print-every", "10", "--grad-check-every", "15",
         "--n-samples", "120"]


def test_train_short_run_writes_everything(run_cli, tmp_path):
    proc = run_cli("train", *SHORT, "--out", "run", check=True)
    out = tmp_path / "run"
    for name in ("dataset.png", "decision_boundary.png", "loss_curve.png", "model.npz",
                 "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    epochs_logged = [int(line.split()[1]) for line in proc.stdout.splitlines()
                     if line.startswith("Epoch: ")]
    assert epochs_logged == [0, 10, 20]
    assert "final cost" in proc.stdout and "accuracy" in proc.stdout
    assert "layer 1 (h1): PASS" in proc.stdout and "layer 3 (out): PASS" in proc.stdout
    assert proc.stderr == ""  # the tqdm bar is drawn on a terminal only (stderr is a pipe)

    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seed"] == 0 and metrics["data_seed"] == 42
    assert metrics["architecture"] == [2, 16, 32, 1]
    assert [row["epoch"] for row in metrics["cost_log"]] == [0, 10, 20]
    assert metrics["grad_check_epochs"] == [0, 15]
    assert [row["layer_idx"] for row in metrics["grad_check_summary"]] == [1, 2, 3]
    assert all(row["passed"] for row in metrics["grad_check_summary"])
    assert 0.0 <= metrics["accuracy"] <= 1.0 and metrics["final_cost"] > 0
    assert metrics["wall_time_s"] > 0


def test_quiet_and_no_plots(run_cli, tmp_path):
    proc = run_cli("train", *SHORT, "--quiet", "--no-plots", "--out", "q", check=True)
    assert "Epoch:" not in proc.stdout and "Summary" in proc.stdout
    assert proc.stderr == ""
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["metrics.json", "model.npz"]


def test_options_change_the_run(run_cli, tmp_path):
    run_cli("train", "--dataset", "circles", "--n-samples", "80", "--noise", "0.1",
            "--data-seed", "3", "--seed", "7", "--layers", "5", "--lr", "0.5",
            "--epochs", "5", "--print-every", "0", "--grad-check-every", "0",
            "--quiet", "--no-plots", "--out", "o", check=True)
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["architecture"] == [2, 5, 1]
    assert metrics["seed"] == 7 and metrics["data_seed"] == 3
    assert metrics["data"] == {"dataset": "circles", "n_samples": 80, "noise": 0.1,
                               "data_seed": 3}
    assert metrics["cost_log"] == [] and metrics["grad_checks"] == []
    assert metrics["epochs_run"] == 5


@pytest.mark.parametrize("option, value", [
    ("--dataset", "no-such-data"), ("--n-samples", "0"), ("--n-samples", "ten"),
    ("--noise", "-1"), ("--noise", "nan"), ("--data-seed", "-3"), ("--seed", "1.5"),
    ("--layers", "16,x"), ("--layers", "16,0"), ("--lr", "0"), ("--lr", "abc"),
    ("--epochs", "0"), ("--print-every", "-1"), ("--grad-check-every", "x"),
])
def test_bad_values_exit_2_naming_the_option(run_cli, option, value):
    proc = run_cli("train", option, value)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_out_is_a_file_exits_2(run_cli, tmp_path):
    (tmp_path / "f").write_text("x")
    proc = run_cli("train", "--out", "f", "--epochs", "1")
    assert proc.returncode == 2 and "--out" in proc.stderr


def test_version_and_help(run_cli):
    from lucidnet import __version__

    proc = run_cli("--version", check=True)
    assert proc.stdout.strip() == f"lucidnet {__version__}"
    top = run_cli("--help", check=True).stdout
    assert "train" in top and "predict" in top
    train_help = run_cli("train", "--help", check=True).stdout
    for option in ("--dataset", "--n-samples", "--noise", "--data-seed", "--seed", "--layers",
                   "--lr", "--epochs", "--print-every", "--grad-check-every", "--out",
                   "--quiet", "--no-plots"):
        assert option in train_help
    predict_help = run_cli("predict", "--help", check=True).stdout
    for option in ("--model", "--points", "--input"):
        assert option in predict_help


def test_no_command_prints_help_and_exits_2(run_cli):
    proc = run_cli()
    assert proc.returncode == 2 and "train" in proc.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["train", "--help"],
                                  ["predict", "--help"]])
def test_help_and_version_import_no_heavy_modules(args):
    code = ("import sys\nfrom lucidnet.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sklearn', 'matplotlib', 'torch') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []", proc.stdout + proc.stderr


def test_predict_points_and_csv_match_the_model(run_cli, tmp_path):
    import lucidnet

    run_cli("train", *SHORT, "--quiet", "--no-plots", "--out", "m", check=True)
    model = tmp_path / "m" / "model.npz"
    proc = run_cli("predict", "--model", model, "--points", "0.5,0.2", "1,-0.3", "-1,0.5",
                   check=True)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "x1,x2,prediction,probability"
    rows = [line.split(",") for line in lines[1:]]
    net = lucidnet.load(model)
    X = np.array([[0.5, 0.2], [1.0, -0.3], [-1.0, 0.5]])
    p = net.predict_proba(X.T)[0]
    assert [int(r[2]) for r in rows] == list((p >= 0.5).astype(int))
    np.testing.assert_allclose([float(r[3]) for r in rows], p, atol=1e-6)

    (tmp_path / "pts.csv").write_text("x2,x1\n0.2,0.5\n-0.3,1\n0.5,-1\n")  # by name
    from_csv = run_cli("predict", "--model", model, "--input", "pts.csv", check=True)
    assert from_csv.stdout == proc.stdout
    (tmp_path / "bare.csv").write_text("0.5,0.2\n1,-0.3\n-1,0.5\n")  # no header: by position
    from_bare = run_cli("predict", "--model", model, "--input", "bare.csv", check=True)
    assert from_bare.stdout == proc.stdout


@pytest.mark.parametrize("args, option", [
    (["--points", "1,2,3"], "--points"),
    (["--points", "1,x"], "--points"),
    (["--input", "missing.csv"], "--input"),
])
def test_predict_bad_input_exits_2(run_cli, tmp_path, args, option):
    run_cli("train", "--epochs", "2", "--print-every", "0", "--grad-check-every", "0",
            "--quiet", "--no-plots", "--out", "m", check=True)
    proc = run_cli("predict", "--model", "m/model.npz", *args)
    assert proc.returncode == 2 and option in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_predict_bad_model_exits_2(run_cli, tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    for model in ("junk.npz", "missing.npz"):
        proc = run_cli("predict", "--model", model, "--points", "1,2")
        assert proc.returncode == 2 and "--model" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_reference_run_from_the_command_line(run_cli, tmp_path):
    proc = run_cli("train", "--no-plots", "--out", "ref", check=True, timeout=300)
    metrics = json.loads((tmp_path / "ref" / "metrics.json").read_text())
    assert metrics["seed"] == 0 and metrics["data_seed"] == 42
    assert metrics["architecture"] == [2, 16, 32, 1] and metrics["epochs_run"] == 2000
    assert metrics["lr"] == 1.0 and metrics["optimizer"]["name"] == "sgd"
    assert [row["epoch"] for row in metrics["cost_log"]] == list(range(0, 2000, 100))
    assert metrics["grad_check_epochs"] == list(range(0, 2000, 199))
    assert metrics["final_cost"] < 0.10 and metrics["accuracy"] >= 0.97
    logged = [line for line in proc.stdout.splitlines() if line.startswith("Epoch: ")]
    assert len(logged) == 20


def test_predict_into_a_closed_pipe_is_quiet(run_cli, tmp_path):
    """``lucidnet predict ... | head -1``: no BrokenPipeError traceback."""
    run_cli("train", *SHORT, "--quiet", "--no-plots", "--out", "m", check=True)
    points = " ".join(f"{i / 100},0.1" for i in range(-3000, 3000))
    env_py = f"PYTHONPATH={SRC} {sys.executable} -m lucidnet"
    proc = subprocess.run(f"{env_py} predict --model m/model.npz --points {points} | head -1",
                          shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout == "x1,x2,prediction,probability\n"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
