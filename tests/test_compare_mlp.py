"""The MLPClassifier comparison script runs (tiny settings; the real table is BENCHMARKS.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SRC

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_mlp.py"


def test_compare_mlp_script_prints_a_row_per_dataset():
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--seeds", "1", "--epochs", "3",
                           "--datasets", "iris", "breast_cancer"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows[2:]] == ["iris", "breast_cancer"]
