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


# Lines printed on an Intel Xeon (the README's) and on an AMD EPYC by the same commit.
INTEL_AMD = [
    ("Epoch: 1900 Cost 0.077390", "Epoch: 1900 Cost 0.077389"),
    ("  final cost     0.076858  (after epoch 1999)",
     "  final cost     0.076857  (after epoch 1999)"),
    ("    layer 1 (h1): PASS  worst error / |grad| 4.71e-10 (W, epoch 398)",
     "    layer 1 (h1): PASS  worst error / |grad| 5.03e-10 (W, epoch 597)"),
    ("    layer 2 (h2): PASS  worst error / |grad| 7.32e-11 (b, epoch 1592)",
     "    layer 2 (h2): PASS  worst error / |grad| 8.03e-11 (b, epoch 398)"),
    ("0.5,0.2,1,0.608861", "0.5,0.2,1,0.608049"),
    ("1,-0.3,1,0.857536", "1,-0.3,1,0.857164"),
]


def test_lines_that_differ_only_as_two_cpus_round_are_the_same():
    tool = _tool()
    for readme, printed in INTEL_AMD:
        assert tool.rounding_only(readme, printed), (readme, printed)
    # which tensor has the worst rounding-level error is chance too
    assert tool.rounding_only("  layer 2 (h2): PASS  worst error / |grad| 7.32e-11 (b, epoch 1592)",
                              "  layer 2 (h2): PASS  worst error / |grad| 9.10e-11 (W, epoch 0)")


def test_a_real_change_in_a_printed_line_is_drift():
    tool = _tool()
    drifted = [
        ("  final cost     0.076858  (after epoch 1999)",      # 1.6% larger
         "  final cost     0.078100  (after epoch 1999)"),
        ("  final cost     0.076858  (after epoch 1999)",      # the epoch
         "  final cost     0.076858  (after epoch 1998)"),
        ("  data           moons, 1000 samples, noise 0.2",    # a count
         "  data           moons, 999 samples, noise 0.2"),
        ("  accuracy       0.9720  (training set)",            # the words
         "  accuracy       0.9720  (test set)"),
        ("0.5,0.2,1,0.608861", "0.5,0.2,0,0.408861"),            # the label and probability
        ("    layer 1 (h1): PASS  worst error / |grad| 4.71e-10 (W, epoch 398)",
         "    layer 1 (h1): FAIL  worst error / |grad| 4.71e-10 (W, epoch 398)"),
        ("    layer 1 (h1): PASS  worst error / |grad| 4.71e-10 (W, epoch 398)",  # no longer
         "    layer 1 (h1): PASS  worst error / |grad| 3.20e-06 (W, epoch 398)"),  # rounding
        ("Epoch: 1900 Cost 0.077390", "Epoch: 1900 Cost 0.077390 (val 0.08)"),
    ]
    for readme, printed in drifted:
        assert not tool.rounding_only(readme, printed), (readme, printed)
