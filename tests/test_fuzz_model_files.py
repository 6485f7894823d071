"""Fuzzing the model-file reader: thousands of seeded mutants, none gets past it badly.

Every mutant of a valid model file or checkpoint (see ``modelfile_mutants``)
either loads or is refused with ``ModelFileError``; through the CLI it exits
with 0 or 2 and a one-line message, never a traceback.  The reader's peak
allocation on hostile files stays within a small multiple of what the valid
model itself needs (tracemalloc).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.checkpoint import load_checkpoint
from lucidnet.cli import main
from lucidnet.persistence import ModelFileError

sys.path.insert(0, str(Path(__file__).parent))
import modelfile_mutants as mm  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "release-0.1.0"
BASES = sorted(FIXTURES.glob("*.npz"))
SRC = str(Path(ln.__file__).resolve().parents[1])


def _load_quietly(path):
    try:
        return ln.load(path)
    except ModelFileError as exc:
        assert str(path) in str(exc)   # the message names the file
        return None


@pytest.mark.parametrize("mutate", mm.MUTATORS, ids=lambda m: m.__name__)
def test_no_mutant_makes_load_raise_anything_but_model_file_error(tmp_path, mutate):
    rng = np.random.default_rng(sum(map(ord, mutate.__name__)))  # seeded per mutator
    path, loaded, n = tmp_path / "m.npz", 0, 0
    for base in BASES:
        data = base.read_bytes()
        for _ in range(30):
            path.write_bytes(mutate(data, rng))
            n += 1
            net = _load_quietly(path)
            if net is not None:
                loaded += 1
                net.predict_proba(np.zeros((net.n_features, 2), net.dtype))
    assert n == 30 * len(BASES)
    if mutate not in (mm.flip_bytes, mm.edit_manifest, mm.edit_manifest_redigested, mm.truncate,
                      mm.lie_about_size):
        assert loaded == 0, mutate.__name__   # every zip trick is refused


def test_a_few_thousand_mutants_in_well_under_a_minute(tmp_path):
    """The in-process sweep the issue asks for: count and time (printed with -s)."""
    rng = np.random.default_rng(2026)
    quick = [m for m in mm.MUTATORS if m is not mm.deflate_bomb]
    path, n, start = tmp_path / "m.npz", 0, time.perf_counter()
    for base in BASES:
        data = base.read_bytes()
        for _ in range(400):
            mutate = quick[int(rng.integers(0, len(quick)))]
            path.write_bytes(mutate(data, rng))
            _load_quietly(path)
            n += 1
    elapsed = time.perf_counter() - start
    print(f"\n{n} model-file mutants through load() in {elapsed:.1f} s")
    assert n == 1600 and elapsed < 60


def _cli(argv, capsys):
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err
    if status == 2:
        assert len(err.strip().splitlines()) == 1, err
    return status


def test_cli_main_in_process_on_mutants(tmp_path, capsys):
    rng = np.random.default_rng(13)
    path, n = tmp_path / "m.npz", 0
    for base in BASES:
        data = base.read_bytes()
        for _ in range(40):
            mutate = mm.MUTATORS[int(rng.integers(0, len(mm.MUTATORS)))]
            path.write_bytes(mutate(data, rng))
            _cli(["info", path], capsys)
            _cli(["info", path, "--json"], capsys)
            n_features = 4 if "regression" in base.name else 3
            _cli(["predict", "--model", path, "--points", ",".join(["0.5"] * n_features)],
                 capsys)
            n += 3
    assert n == 3 * 40 * len(BASES)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutants_through_real_subprocesses(tmp_path, seed):
    rng = np.random.default_rng(seed)
    base = BASES[seed % len(BASES)]
    mutate = [mm.set_method, mm.edit_manifest, mm.flip_bytes][seed - 1]
    path = tmp_path / "m.npz"
    path.write_bytes(mutate(base.read_bytes(), rng))
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run([sys.executable, "-m", "lucidnet", "info", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 2), proc.stderr
    assert "Traceback" not in proc.stderr


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_peak_allocation_on_hostile_files_is_bounded_by_the_valid_models(tmp_path, capsys):
    """Headers are checked before reading and decompression is capped, so no hostile
    file makes load() allocate much more than the valid model does."""
    net = ln.NeuralNetwork([ln.Input("x", 50), ln.Dense("h", 200), ln.Dense("out", 1)])
    good = tmp_path / "good.npz"
    net.save(good)
    data = good.read_bytes()
    valid = _peak(lambda: ln.load(good))
    rng = np.random.default_rng(5)
    hostile = {"huge .npy header": mm.huge_npy_header(data, rng),
               "16 MiB deflate bomb": mm.deflate_bomb(data, rng),
               "lying sizes": mm.lie_about_size(data, rng)}
    for name, payload in hostile.items():
        path = tmp_path / "bad.npz"
        path.write_bytes(payload)
        peak = _peak(lambda: _load_quietly(path))
        print(f"\n{name}: peak {peak / 1e6:.2f} MB (valid model {valid / 1e6:.2f} MB)")
        assert peak < 2 * valid + 1_000_000, name


def test_the_manifest_bounds_decompression_of_a_member_nothing_uses(tmp_path):
    data = mm.deflate_bomb((FIXTURES / "classifier.npz").read_bytes(), None)
    path = tmp_path / "bomb.npz"
    path.write_bytes(data)
    assert path.stat().st_size < 200_000   # 16 MiB of zeros, deflated
    with pytest.raises(ModelFileError, match="but the manifest implies"):
        ln.load(path)


def test_real_inflation_beyond_the_declared_size_is_cut_off(tmp_path):
    """A member whose deflate stream holds more than its directory entry says."""
    import zipfile

    good = (FIXTURES / "classifier.npz").read_bytes()
    items = mm.members(good)
    big = mm.npy(np.zeros(2**20))                     # 8 MiB real
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in items.items():
            zf.writestr(name, big if name == "param/1/W.npy" else payload)
    data = bytearray(out.getvalue())
    # declare the size the manifest implies for param/1/W (5 x 3 float64 + header)
    declared = len(items["param/1/W.npy"])
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n = int.from_bytes(data[i + 28:i + 30], "little")
        if data[i + 46:i + 46 + n] == b"param/1/W.npy":
            data[i + 24:i + 28] = declared.to_bytes(4, "little")
        i = data.find(b"PK\x01\x02", i + 4)
    path = tmp_path / "liar.npz"
    path.write_bytes(bytes(data))
    peak = _peak(lambda: pytest.raises(ModelFileError, ln.load, path))
    assert peak < 2_000_000   # the 8 MiB are never inflated


def test_checkpoint_mutants_never_resume_badly(tmp_path):
    """Edited training states: refused by load_checkpoint or by resume, with a ValueError."""
    from lucidnet.checkpoint import resume

    rng = np.random.default_rng(3)
    data_rng = np.random.default_rng(3)
    X = data_rng.normal(size=(4, 60))
    y = np.sin(X[0]) + X[1] ** 2 - 0.5 * X[2] * X[3]
    base = (FIXTURES / "regression32_checkpoint.npz").read_bytes()
    path, resumed = tmp_path / "c.npz", 0
    for _ in range(150):
        manifest = mm.manifest_of(base)
        paths = [p for p in mm._paths(manifest["train_state"]) if p]
        path.write_bytes(mm.edit_manifest(mm.with_manifest(base, manifest), rng)
                         if rng.random() < 0.3 else _edit_state(base, rng, paths))
        try:
            load_checkpoint(path)
            resume(path, X, y, verbose=False, checkpoint_path=tmp_path / "out.npz")
            resumed += 1
        except (ModelFileError, ValueError):
            pass
    assert resumed < 150


def _edit_state(base, rng, paths):
    manifest = mm.manifest_of(base)
    path = paths[int(rng.integers(0, len(paths)))]
    node = manifest["train_state"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = mm.ODD_VALUES[int(rng.integers(0, len(mm.ODD_VALUES)))]
    import json

    return mm.with_manifest(base, json.dumps(manifest))


RESUME = ["train", "--data", "flowers.csv", "--target", "label", "--layers", "5", "--activation",
          "leaky_relu", "--optimizer", "adam", "--batch-size", "16", "--epochs", "4",
          "--checkpoint-every", "2", "--val-split", "0.2", "--early-stopping", "5",
          "--schedule", "step:step_size=1", "--grad-check-every", "0", "--print-every", "1",
          "--no-plots", "--quiet"]


def test_cli_resume_and_export_on_mutants(tmp_path, monkeypatch, capsys):
    """``lucidnet train --resume`` (the original run's options, from the fixture's README)
    and ``lucidnet export`` on mutants of the CLI's checkpoint: exit 0 or 2, one line."""
    pytest.importorskip("onnx")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flowers.csv").write_bytes((FIXTURES / "flowers.csv").read_bytes())
    base = (FIXTURES / "classifier_checkpoint.npz").read_bytes()
    rng = np.random.default_rng(21)
    statuses = []
    for i in range(30):
        mutate = [mm.edit_manifest, mm.flip_bytes, mm.truncate][i % 3]
        (tmp_path / "m.npz").write_bytes(mutate(base, rng) if i else base)
        statuses.append(_cli([*RESUME, "--out", "run", "--resume", "m.npz"], capsys))
        if i % 3 == 0:
            _cli(["export", "m.npz", "m.onnx"], capsys)
    # the unmutated checkpoint resumes, or is refused in one line when this release's
    # train has options the 0.1.0 run did not record
    assert statuses[0] in (0, 2)
