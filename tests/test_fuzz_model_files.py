"""Fuzzing the model-file reader: thousands of seeded mutants, none gets past it badly.

Every mutant of a valid model file or checkpoint (see ``modelfile_mutants``), of
lucidnet 0.1.0 (no digests) or of this release (whose digests refuse any edit;
its mutants are also tried with the digests recomputed, so that they reach the
validators), either loads or is refused with ``ModelFileError``; through the CLI it exits
with 0 or 2 and a one-line message, never a traceback.  The reader's peak
allocation on hostile files stays within a small multiple of what the valid
model itself needs (tracemalloc).
"""

from __future__ import annotations

import io
import json
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


def _regression_data():
    data_rng = np.random.default_rng(3)
    X = data_rng.normal(size=(4, 60))
    return X, np.sin(X[0]) + X[1] ** 2 - 0.5 * X[2] * X[3]


@pytest.fixture(scope="module")
def this_release(tmp_path_factory):
    """The 0.1.0 regression checkpoint's run (make_regression32.py) written by this
    release: digests, callbacks under their class names; Ctrl-C in epoch 3."""
    import signal
    import warnings

    from lucidnet.losses import LOSSES

    class Interrupt(ln.Callback):
        def on_epoch_begin(self, net, epoch):
            if epoch == 3:
                os.kill(os.getpid(), signal.SIGINT)   # lands after the next step

    net = ln.NeuralNetwork([ln.Input("x", 4), ln.Dense("h1", 6, activation="elu"),
                            ln.Dropout("drop", 0.25), ln.Dense("h2", 5, activation="tanh"),
                            ln.Dense("out", 1, activation="identity")],
                           loss_fn=type(LOSSES["huber"])(delta=0.5), optimizer="adamw",
                           seed=11, dtype="float32", l2=0.001)
    path = tmp_path_factory.mktemp("this") / "regression32_checkpoint.npz"
    with warnings.catch_warnings(), pytest.raises(ln.TrainingInterrupted):
        warnings.simplefilter("ignore", ln.TrainingDiagnosis)
        net.fit(*_regression_data(), epochs=6, print_every=1, batch_size=8, verbose=False,
                checkpoint_path=path, callbacks=[Interrupt()], schedule="cosine")
    return path.read_bytes()


@pytest.mark.parametrize("mutate", mm.MUTATORS, ids=lambda m: m.__name__)
def test_no_mutant_makes_load_raise_anything_but_model_file_error(tmp_path, mutate,
                                                                   this_release):
    rng = np.random.default_rng(sum(map(ord, mutate.__name__)))  # seeded per mutator
    path, loaded, n = tmp_path / "m.npz", 0, 0
    for data in [base.read_bytes() for base in BASES] + [this_release]:
        for _ in range(30):
            mutant = mutate(data, rng)
            path.write_bytes(mutant)
            n += 1
            net = _load_quietly(path)
            if net is not None:
                loaded += 1
                net.predict_proba(np.zeros((net.n_features, 2), net.dtype))
                if data is this_release and mutate is mm.edit_manifest:  # digests: no edit
                    assert mm.manifest_of(mutant) == mm.manifest_of(data)
    assert n == 30 * (len(BASES) + 1)
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


# Values that, edited within their range, make training itself diverge: a file without
# digests (0.1.0) or one whose digests were recomputed cannot be told from a run that
# chose them, and resume raises DivergenceError, as fit does with those settings.
_PENALTIES = {("l1",), ("l2",), ("optimizer", "config", "weight_decay")}


def _may_diverge(edited, forged):
    """Whether an edit of the manifest at ``edited`` (paths) may train into a divergence."""
    def hyper(p):
        return p in _PENALTIES or (forged and (
            p[:2] == ("optimizer", "config") or p[:3] == ("train_state", "options", "schedule")
            or (p[:2] == ("train_state", "callbacks") and "vars" in p)))
    return bool(edited) and all(hyper(p) for p in edited)


def _edited_paths(a, b, prefix=()):
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in set(a) | set(b) if k != "sha256"
                for p in _edited_paths(a.get(k, KeyError), b.get(k, KeyError), prefix + (k,))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b))
                for p in _edited_paths(x, y, prefix + (i,))]
    return [] if a == b and type(a) is type(b) else [prefix]


def _resume_outcome(data, tmp_path):
    from lucidnet.checkpoint import resume

    path = tmp_path / "c.npz"
    path.write_bytes(data)
    try:
        load_checkpoint(path)
        resume(path, *_regression_data(), verbose=False, checkpoint_path=tmp_path / "out.npz")
    except ModelFileError:
        return "refused on load"
    except ValueError:
        return "refused by resume"
    except ln.DivergenceError:
        return "diverged"
    return "resumed"


@pytest.mark.parametrize("release", ["0.1.0", "this release"])
def test_checkpoint_mutants_never_resume_badly(tmp_path, release, this_release):
    """Edited training states (and manifests) of a checkpoint: refused with a ValueError
    (ModelFileError on load, or by resume), or resumed; never another exception.

    This release's checkpoint is tried twice per edit: as edited (its digests then
    refuse every edit, whatever the validators think) and with the digests
    recomputed (the validators must then do the work).  Training into a divergence
    is allowed only where an in-range value can cause it (``_may_diverge``).
    """
    import warnings

    warnings.simplefilter("ignore", ln.TrainingDiagnosis)
    rng = np.random.default_rng(3)
    base = this_release if release == "this release" else \
        (FIXTURES / "regression32_checkpoint.npz").read_bytes()
    old = mm.manifest_of(base)
    seen = {}
    for _ in range(200):
        paths = [p for p in mm._paths(old["train_state"]) if p]
        mutant = mm.edit_manifest(base, rng) if rng.random() < 0.3 else \
            _edit_state(base, rng, paths)
        edited = _edited_paths(json.loads(json.dumps(mm.manifest_of(mutant))), old)
        forms = [("as edited", mutant)]
        if "sha256" in old:
            forms.append(("digests recomputed", mm.redigest_archive(mutant)))
        for form, data in forms:
            outcome = _resume_outcome(data, tmp_path)
            seen.setdefault(form, []).append(outcome)
            if form == "as edited" and "sha256" in old and edited:
                assert outcome == "refused on load", (edited, outcome)
            if outcome == "diverged":
                assert _may_diverge(edited, form == "digests recomputed"), edited
    for form, outcomes in seen.items():
        refused = sum(o.startswith("refused") for o in outcomes)
        print(f"\n{release}, {form}: {refused} of {len(outcomes)} refused, "
              f"{outcomes.count('resumed')} resumed, {outcomes.count('diverged')} diverged")
        assert refused > len(outcomes) // 2, form  # the validators (or digests) at work


def _edit_state(base, rng, paths):
    manifest = mm.manifest_of(base)
    path = paths[int(rng.integers(0, len(paths)))]
    node = manifest["train_state"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = mm.ODD_VALUES[int(rng.integers(0, len(mm.ODD_VALUES)))]
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
