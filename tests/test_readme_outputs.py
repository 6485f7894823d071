"""The README's printed outputs are what the commands print (docs/readme_outputs.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("readme_outputs",
                                                  ROOT / "docs" / "readme_outputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_blocks_are_the_commands_output():
    tool = _tool()
    text = tool.README.read_text()
    assert len([line for line in text.splitlines() if tool.MARKER.match(line)]) >= 3
    generated = tool.generate(text)
    assert generated == text, "README outputs drifted: run python docs/readme_outputs.py --write"
