"""The guided notebook runs top to bottom (so it never rots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import lucidnet

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "guided_tour.ipynb"
SRC = str(Path(lucidnet.__file__).resolve().parents[1])


@pytest.mark.slow
def test_guided_tour_runs(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # the kernel is a new process: it must import this lucidnet and draw off-screen
    monkeypatch.setenv("PYTHONPATH", SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    text = "\n".join(out.get("text", "") + out.get("data", {}).get("text/plain", "")
                     for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []))
    assert "4 FAILED" in text            # the broken derivative is caught ...
    assert "after the repair: grad check PASS" in text   # ... and the repair passes
    assert "plateaus found in the cost: [(" in text
