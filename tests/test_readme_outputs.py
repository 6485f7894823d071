"""The README's printed outputs are what the commands print (docs/readme_outputs.py)."""

from __future__ import annotations

import importlib.util
import re
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


def test_quoted_summary_lines_come_from_a_generated_block():
    """A summary line quoted in the prose (the gradient-check verdict) is one of the
    lines of the reference run's generated block."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"<!-- output: .*? -->\n```\n(.*?)```", text, flags=re.S)
    shown = {line.strip() for block in blocks for line in block.splitlines()}
    quoted = [line.strip() for line in text.splitlines()
              if re.match(r"^ {4}layer \d+ \(\w+\): PASS", line)]
    assert quoted and all(line in shown for line in quoted), quoted
