"""Ctrl-C at every moment of ``lucidnet train``, two runs into one folder, and
results replaced as a whole: nothing lost, nothing mixed.

The moments are reached through the test hook ``LUCIDNET_SIGINT_AT`` (see
``lucidnet.atomic_files.sigint_hook``); a few SIGINTs at seeded random times
in real subprocesses must agree with them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.checkpoint import load_checkpoint
from lucidnet.cli import main

SRC = str(Path(ln.__file__).resolve().parents[1])
RUN = ["--n-samples", "200", "--layers", "8", "--batch-size", "50", "--checkpoint-every", "10",
       "--grad-check-every", "0", "--quiet"]


def _env(**extra):
    return {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg", **extra}


def _start(cwd, *args, **env):
    return subprocess.Popen([sys.executable, "-m", "lucidnet", "train", *map(str, args)],
                            cwd=cwd, env=_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _no_temporary_files(out: Path):
    assert not [p.name for p in out.iterdir() if ".tmp" in p.name], list(out.iterdir())


def _check_left_behind(out: Path, status: int, err: str) -> str:
    """What an interrupted or finished run left is loadable, and the message says which."""
    assert "Traceback" not in err, err
    _no_temporary_files(out)
    if status == 0:
        ln.load(out / "model.npz")
        return "finished"
    if err.strip() == "lucidnet: interrupted" or "nothing was saved" in err:
        assert status == 130, err  # during start-up: nothing to keep yet
        assert not (out / "model.npz").exists() and not (out / "checkpoint.npz").exists()
        return "nothing yet"
    assert status == 130, err
    if "checkpoint: " in err or "the last checkpoint this run wrote is " in err:
        words = "checkpoint: " if "checkpoint: " in err else "this run wrote is "
        path = Path(err.split(words)[1].split()[0].rstrip(";"))
        path = path if path.is_absolute() else out.parent / path
        load_checkpoint(path)
        return "checkpoint"
    if "the trained model and its metrics are saved" in err:
        ln.load(out / "model.npz")
        json.loads((out / "metrics.json").read_text())
        return "model"
    raise AssertionError(f"exit {status} without saying what was kept: {err}")


MOMENTS = {"start": "nothing yet", "first_epoch": "checkpoint", "mid_epoch": "checkpoint",
           "write:checkpoint.npz": "checkpoint", "after_training": "model", "plots": "model",
           "gif": "model"}


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_sigint_at_each_moment_leaves_a_loadable_file_and_says_which(tmp_path, moment):
    extra = ["--animate", "--frames", "3", "--no-plots"] if moment == "gif" else []
    proc = _start(tmp_path, *RUN, "--epochs", "30", *extra, LUCIDNET_SIGINT_AT=moment)
    _, err = proc.communicate(timeout=240)
    assert _check_left_behind(tmp_path / "lucidnet-run", proc.returncode, err) == \
        MOMENTS[moment], err
    if moment in ("first_epoch", "mid_epoch"):
        where = "in epoch 0 after 1 step" if moment == "first_epoch" else "in epoch 1 after 1"
        assert where in err, err


@pytest.mark.parametrize("batches", [["--batch-size", "50"], []], ids=["4 batches", "full"])
def test_sigint_before_the_first_epoch_keeps_the_first_step_and_says_so(tmp_path, batches):
    """The first Ctrl-C finishes a step (here the first one) and saves it: the message,
    the checkpoint and a resumed run all agree, and the resumed run ends where an
    uninterrupted one does."""
    run = ["--n-samples", "200", "--layers", "8", *batches, "--grad-check-every", "0",
           "--quiet", "--no-plots", "--epochs", "5"]
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    proc = _start(tmp_path / "a", *run, LUCIDNET_SIGINT_AT="first_epoch")
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err
    assert "lucidnet train: interrupted in epoch 0 after 1 step(s), cost " in err, err
    _, state, _ = load_checkpoint(tmp_path / "a" / "lucidnet-run" / "checkpoint.npz")
    assert (state["epoch"], state["batches_done"], state["optimizer_t"]) == (0, 1, 1)
    resume = err.split("resume with: ")[1].split()
    assert resume[-2:] == ["--resume", "lucidnet-run/checkpoint.npz"]
    resumed = _start(tmp_path / "a", *resume[2:])
    whole = _start(tmp_path / "b", *run)
    for proc in (resumed, whole):
        assert proc.wait(timeout=240) == 0, proc.stderr.read()
    a, b = (ln.load(tmp_path / d / "lucidnet-run" / "model.npz") for d in "ab")
    for (_, theta_a, _), (_, theta_b, _) in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(theta_a, theta_b)


# A sitecustomize that makes the first import of NumPy take a minute and says when
# it begins, so that a test can send SIGINT while the command is importing.
SLOW_NUMPY = """
import sys, time


class SlowNumPy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            sys.stderr.write("(importing numpy)\\n")
            sys.stderr.flush()
            time.sleep(60)
        return None


sys.meta_path.insert(0, SlowNumPy())
"""
# what pip writes for the console script lucidnet = "lucidnet.cli:main"
CONSOLE_SCRIPT = ("import re, sys\nfrom lucidnet.cli import main\n"
                  "sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                  "sys.exit(main())\n")


def _interrupted_while_importing(tmp_path, argv):
    """Run ``python argv``, send SIGINT while it imports NumPy; ``(status, stderr)``."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SLOW_NUMPY)
    proc = subprocess.Popen([sys.executable, *argv], cwd=tmp_path,
                            env=_env(PYTHONPATH=os.pathsep.join([str(hook), SRC])),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr.readline() == "(importing numpy)\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


@pytest.mark.parametrize("entry", ["python -m lucidnet", "console script"])
@pytest.mark.parametrize("command", [["info", "model.npz"], ["train", "--epochs", "3"]])
def test_sigint_during_the_start_up_imports_exits_130_in_one_line(tmp_path, entry, command):
    script = Path(sys.executable).with_name("lucidnet")  # the installed one, if any
    if not script.exists():
        script = tmp_path / "lucidnet"
        script.write_text(CONSOLE_SCRIPT)
    argv = ["-m", "lucidnet"] if entry == "python -m lucidnet" else [str(script)]
    status, err = _interrupted_while_importing(tmp_path, [*argv, *command])
    assert status == 130, (status, err)                    # not -2, killed by the signal
    assert err.strip() == "lucidnet: interrupted", err      # one line, no traceback
    assert not (tmp_path / "lucidnet-run").exists()


def test_sigint_while_a_program_imports_lucidnet_is_its_own_keyboard_interrupt(tmp_path):
    """Only the command exits by itself: a script importing lucidnet gets the exception."""
    status, err = _interrupted_while_importing(
        tmp_path, ["-c", "try:\n import lucidnet\nexcept KeyboardInterrupt:\n print('mine')"])
    assert status == 0 and "lucidnet: interrupted" not in err, err


def test_sigint_once_the_command_is_done_keeps_its_exit_status(tmp_path):
    """Before, a Ctrl-C while the interpreter shut down killed it silently (status -2)."""
    proc = _start(tmp_path, *RUN, "--epochs", "3", "--no-plots", LUCIDNET_SIGINT_AT="exit")
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0 and err == "", (proc.returncode, err)
    ln.load(tmp_path / "lucidnet-run" / "model.npz")


def test_a_temporary_file_is_removed_even_if_ctrl_c_lands_as_it_is_made(tmp_path, monkeypatch):
    from lucidnet import atomic_files

    made = atomic_files._created

    def made_then_interrupted(name):
        made(name)
        raise KeyboardInterrupt   # as if the signal arrived right after the file existed

    monkeypatch.setattr(atomic_files, "_created", made_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_files.atomic_write(tmp_path / "m.json", lambda fh: fh.write(b"{}"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigint_at_seeded_random_times_agrees(tmp_path, seed):
    delay = float(np.random.default_rng(seed).uniform(0.0, 1.5))
    proc = _start(tmp_path, *RUN, "--epochs", "300")
    out = tmp_path / "lucidnet-run"
    deadline = time.monotonic() + 120
    # from the first periodic checkpoint on (training has begun): mid-training, while
    # drawing, or after the end, depending on the seed and the machine's load
    while not (out / "checkpoint.npz").exists() and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=240)
    _check_left_behind(out, proc.returncode, err)


def test_two_runs_into_one_folder_never_mix_files(tmp_path):
    first = _start(tmp_path, *RUN, "--epochs", "400")
    out = tmp_path / "lucidnet-run"
    while not out.exists() and first.poll() is None:
        time.sleep(0.02)
    second = _start(tmp_path, *RUN, "--epochs", "5", "--seed", "1")
    _, err2 = second.communicate(timeout=240)
    _, err1 = first.communicate(timeout=240)
    assert first.returncode == 0, err1
    assert second.returncode in (0, 2), err2
    if second.returncode == 2:
        assert "another 'lucidnet train' is writing into" in err2
    _no_temporary_files(out)
    ln.load(out / "model.npz")
    metrics = json.loads((out / "metrics.json").read_text())
    from PIL import Image

    for name in metrics["files"]:
        if name.endswith(".png"):
            with Image.open(out / name) as image:
                image.verify()


def test_a_folder_held_by_a_run_is_refused_in_process(tmp_path, capsys):
    from lucidnet.cli._outputs import output_folder

    with output_folder(tmp_path / "out"):
        status = main(["train", *RUN, "--epochs", "2", "--out", str(tmp_path / "out")])
    assert status == 2
    assert "another 'lucidnet train' is writing into" in capsys.readouterr().err
    assert main(["train", *RUN, "--epochs", "2", "--out", str(tmp_path / "out")]) == 0


def test_a_new_run_replaces_an_earlier_runs_results_as_a_whole(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train", "--n-samples", "100", "--layers", "4", "--epochs", "3",
                 "--checkpoint-every", "1", "--grad-check-every", "0", "--quiet", "--animate",
                 "--frames", "2", "--out", str(out)]) == 0
    assert (out / "training.gif").exists() and (out / "checkpoint.npz").exists()
    (out / "notes.txt").write_text("mine")
    assert main(["train", "--n-samples", "200", "--layers", "8", "--epochs", "2", "--quiet",
                 "--no-plots", "--out", str(out)]) == 0
    left = sorted(p.name for p in out.iterdir())
    assert left == ["metrics.json", "model.npz", "notes.txt"], left
    assert json.loads((out / "metrics.json").read_text())["files"] == ["model.npz",
                                                                        "metrics.json"]


def test_a_failing_picture_leaves_the_old_one_and_no_temporary_file(tmp_path, monkeypatch):
    import matplotlib.figure

    from lucidnet.plotting import visualize_dataset

    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    visualize_dataset(X, y, save=tmp_path / "d.png")
    before = (tmp_path / "d.png").read_bytes()

    def half_then_fail(self, fname, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        visualize_dataset(X, y, save=tmp_path / "d.png")
    assert (tmp_path / "d.png").read_bytes() == before
    _no_temporary_files(tmp_path)
