"""Shared test set-up: Agg backend, hypothesis without deadlines, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings  # noqa: E402

# No deadlines (a busy machine must not make a property test flaky); sizes are
# bounded in the strategies themselves.
settings.register_profile("lucidnet", deadline=None, max_examples=60, derandomize=True)
settings.load_profile("lucidnet")

import lucidnet  # noqa: E402

SRC = str(Path(lucidnet.__file__).resolve().parents[1])


@pytest.fixture
def run_cli(tmp_path):
    """Run ``python -m lucidnet ARGS`` in a subprocess, in ``tmp_path``; return the result."""

    def run(*args, timeout=120, check=False, **kwargs):
        env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "MPLBACKEND": "Agg"}
        proc = subprocess.run([sys.executable, "-m", "lucidnet", *map(str, args)],
                              cwd=kwargs.pop("cwd", tmp_path), env=env, capture_output=True,
                              text=True, timeout=timeout, **kwargs)
        if check and proc.returncode != 0:
            raise AssertionError(f"lucidnet {' '.join(map(str, args))} exited "
                                 f"{proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    return run


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``lucidnet ARGS`` in this process (its ``main()``), in ``tmp_path``:
    returns ``(status, stdout, stderr)``."""
    from lucidnet.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*args):
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own errors exit this way
            status = exc.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run
