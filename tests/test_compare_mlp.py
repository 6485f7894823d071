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


def test_compare_estimators_script_checks_the_same_model_per_row():
    script = SCRIPT.with_name("compare_estimators.py")
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run([sys.executable, str(script), "--seeds", "1", "--repeats", "1",
                           "--workloads", "issue"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|") for line in proc.stdout.splitlines() if line.startswith("| issue")]
    assert [row[2].strip() for row in rows] == ["iris", "wine", "breast_cancer", "digits"]
    assert all(row[4].strip() == "yes" and row[3].strip() == "60" for row in rows)
