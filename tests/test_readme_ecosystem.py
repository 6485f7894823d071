"""The README's scikit-learn examples (estimators, ONNX pipelines, skops, Dask) and its
export/evaluate commands run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def section(title: str) -> str:
    text = README.read_text()
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:end if end > 0 else None]


@pytest.mark.slow
def test_scikit_learn_example_then_evaluate_and_export(run_cli, tmp_path):
    pytest.importorskip("pandas")
    sk = section("## scikit-learn estimators")
    code = re.findall(r"```python\n(.*?)```", sk, re.S)[0]
    printed = re.findall(r"prints\n\n```\n(.*?)```", sk, re.S)[0]
    (tmp_path / "example.py").write_text(code)
    env_src = str(Path(__file__).resolve().parents[1] / "src")
    proc = subprocess.run([sys.executable, "-W", "ignore", "example.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": env_src, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == printed

    commands = section("### `lucidnet evaluate`, `lucidnet info`, `lucidnet export`")
    shown = re.findall(r"```\n\$ lucidnet (.*?)\n(.*?)```", commands, re.S)[0]
    evaluate = run_cli(*shown[0].split(), check=True)
    assert evaluate.stdout == shown[1]

    onnx_section = section("### ONNX export") if "### ONNX export" in README.read_text() \
        else section("## The model file")
    export_line = re.findall(r"^lucidnet (export .*)$", onnx_section, re.M)[0]
    pytest.importorskip("onnxruntime")
    run_cli(*export_line.split(), check=True)
    snippet = re.findall(r"```python\n(.*?)```", onnx_section[onnx_section.index("ONNX"):],
                         re.S)[0]
    (tmp_path / "onnx_example.py").write_text(snippet + "\nprint(proba.shape, label.shape)\n")
    proc = subprocess.run([sys.executable, "onnx_example.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "(143, 1) (143,)", proc.stderr


def run_snippet(code: str, cwd: Path) -> str:
    """Run README code as a script in ``cwd``; return what it printed."""
    (cwd / "snippet.py").write_text(code)
    env_src = str(Path(__file__).resolve().parents[1] / "src")
    proc = subprocess.run([sys.executable, "-W", "ignore", "snippet.py"], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": env_src, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def code_and_output(title: str) -> tuple[str, str]:
    text = section(title)
    return (re.findall(r"```python\n(.*?)```", text, re.S)[0],
            re.findall(r"prints\n\n```\n(.*?)```", text, re.S)[0])


@pytest.mark.slow
def test_onnx_pipeline_and_skops_examples(tmp_path):
    for module in ("skl2onnx", "onnxruntime", "skops"):
        pytest.importorskip(module)
    onnx_code, onnx_printed = code_and_output("### A whole pipeline to ONNX (skl2onnx)")
    skops_code, skops_printed = code_and_output("### Saving a pipeline without pickle (skops)")
    # the skops example continues the ONNX one, as the README says
    assert run_snippet(onnx_code + skops_code, tmp_path) == onnx_printed + skops_printed
    assert (tmp_path / "wine.onnx").stat().st_size > 0


@pytest.mark.slow
def test_dask_example_on_a_local_cluster(tmp_path):
    pytest.importorskip("dask.distributed")
    code, printed = code_and_output("### Scaling out on Dask")
    assert "LocalCluster(" in code and "fit_incremental(" in code
    assert run_snippet(code, tmp_path) == printed
