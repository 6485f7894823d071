"""The SHA-256 record of a model file: an edit that every validator lets through
(in range, consistent) is refused, and the previous release's files, which have
no record, still load.

The digests the tests expect are computed by ``modelfile_mutants.digests_of``
from the format's description (hashlib over the stored member bytes), not by
lucidnet.
"""

from __future__ import annotations

import io
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import lucidnet as ln
from lucidnet.checkpoint import load_checkpoint, resume
from lucidnet.cli import main
from lucidnet.persistence import ModelFileError

sys.path.insert(0, str(Path(__file__).parent))
import modelfile_mutants as mm  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "release-0.1.0"


def _data():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(2, 48))
    return X, (X[0] * X[1] > 0).astype(float)


def _net():
    return ln.NeuralNetwork([ln.Input("x", 2), ln.Dense("h", 5, "tanh"), ln.Dense("out", 1)],
                            optimizer="adam", lr=0.01, seed=3)


@pytest.fixture
def checkpoint(tmp_path):
    """A checkpoint of this release: 6 of 10 epochs, Adam moments, a step schedule."""
    path = tmp_path / "ck.npz"
    with warnings.catch_warnings():  # ten epochs do not get far, and it says so
        warnings.simplefilter("ignore", ln.TrainingDiagnosis)
        _net().fit(*_data(), epochs=10, print_every=2, verbose=False, batch_size=16,
                   schedule="step", checkpoint_path=path, checkpoint_every=6)
    return path


def _rebuilt(path, items, manifest=None):
    out = path.parent / "edited.npz"
    if manifest is not None:
        items = {**items, "manifest.npy": mm.npy(np.array(json.dumps(manifest)))}
    out.write_bytes(mm.build(list(items.items())))
    return out


def test_a_saved_file_records_the_digest_of_every_member(checkpoint):
    data = checkpoint.read_bytes()
    items, manifest = mm.members(data), mm.manifest_of(data)
    assert set(manifest["sha256"]) == {n[:-4] for n in items}   # manifest, param/.., state/..
    assert manifest["sha256"] == mm.digests_of(items, manifest)


def _edit_state(path, change):
    data = path.read_bytes()
    manifest = mm.manifest_of(data)
    change(manifest["train_state"])
    return _rebuilt(path, mm.members(data), manifest)


# in range and consistent: each passes every validator (see the redigested twin below)
PLAUSIBLE = {
    "one cost": lambda s: s["costs"].__setitem__(0, s["costs"][0] + 1e-9),
    "the epoch count": lambda s: s.update(epochs=s["epochs"] + 5),
    "the generator state": lambda s: s["rng"]["state"].update(state=s["rng"]["state"]["state"] + 1),
    "early epochs in the history": lambda s: s["history"]["loss"].__setitem__(0, 0.1),
}


@pytest.mark.parametrize("name", sorted(PLAUSIBLE))
def test_a_plausible_edit_of_the_training_state_is_refused(checkpoint, name):
    edited = _edit_state(checkpoint, PLAUSIBLE[name])
    with pytest.raises(ModelFileError, match="altered or corrupted: member manifest"):
        resume(edited, *_data(), verbose=False)
    # the same edit with the record recomputed passes the validators: only the
    # digest told the edit from a file lucidnet wrote
    forged = edited.parent / "forged.npz"
    forged.write_bytes(mm.redigest_archive(edited.read_bytes()))
    load_checkpoint(forged)


@pytest.mark.parametrize("member", ["param/1/W", "state/opt/1.W/m"])
def test_an_edited_array_is_refused_naming_its_member(checkpoint, member):
    items = mm.members(checkpoint.read_bytes())
    array = np.load(io.BytesIO(items[f"{member}.npy"]))
    array.flat[0] = np.nextafter(array.flat[0], np.inf)        # one ulp: a valid number
    items[f"{member}.npy"] = mm.npy(array)
    edited = _rebuilt(checkpoint, items)
    with pytest.raises(ModelFileError, match=f"altered or corrupted: member {member} "):
        ln.load(edited)


def test_a_member_without_a_digest_or_a_digest_without_a_member_is_refused(checkpoint):
    data = checkpoint.read_bytes()
    manifest = mm.manifest_of(data)
    del manifest["sha256"]["state/opt/1.W/v"]
    with pytest.raises(ModelFileError, match="member state/opt/1.W/v has no recorded digest"):
        ln.load(_rebuilt(checkpoint, mm.members(data), manifest))
    manifest = mm.manifest_of(data)
    manifest["sha256"]["state/order"] = "0" * 64
    with pytest.raises(ModelFileError, match="member state/order is missing"):
        ln.load(_rebuilt(checkpoint, mm.members(data), manifest))


@pytest.mark.parametrize("record", ["abc", [], {"manifest": "xyz"}, {"param/1/W": "0" * 64}])
def test_a_malformed_record_is_refused(checkpoint, record):
    data = checkpoint.read_bytes()
    manifest = {**mm.manifest_of(data), "sha256": record}
    with pytest.raises(ModelFileError, match="sha256 must map member names to SHA-256"):
        ln.load(_rebuilt(checkpoint, mm.members(data), manifest))


def test_an_out_of_range_edit_meets_the_validators_first(checkpoint):
    """The validators speak before the digest: their message says more."""
    edited = _edit_state(checkpoint, lambda s: s.update(epoch=-1))
    with pytest.raises(ModelFileError, match="train_state.epoch must be an integer"):
        ln.load(edited)


def test_lucidnet_info_says_altered_in_one_line(checkpoint, capsys):
    edited = _edit_state(checkpoint, PLAUSIBLE["one cost"])
    assert main(["info", str(edited)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "altered or corrupted: member manifest" in err, err


def test_files_of_the_previous_release_have_no_record_and_still_load():
    for path in sorted(FIXTURES.glob("*.npz")):
        assert "sha256" not in mm.manifest_of(path.read_bytes())
        ln.load(path)


def test_a_file_saved_again_round_trips_with_a_fresh_record(tmp_path):
    net = ln.load(FIXTURES / "classifier.npz")
    net.save(tmp_path / "again.npz")
    again = ln.load(tmp_path / "again.npz")
    for (_, a, _), (_, b, _) in zip(net.parameters(), again.parameters()):
        np.testing.assert_array_equal(a, b)
    assert "sha256" in mm.manifest_of((tmp_path / "again.npz").read_bytes())


def _forged_state(checkpoint, change):
    """``change`` applied to the training state, the digests recomputed to match."""
    forged = checkpoint.parent / "forged.npz"
    forged.write_bytes(mm.redigest_archive(_edit_state(checkpoint, change).read_bytes()))
    return forged


def test_this_release_writes_checkpoint_version_2_naming_each_callbacks_class(checkpoint):
    state = mm.manifest_of(checkpoint.read_bytes())["train_state"]
    assert state["checkpoint_version"] == 2
    assert [cb["class"] for cb in state["callbacks"] if cb] == ["LearningRateScheduler"]


@pytest.mark.parametrize("version", [3, 0, "2", 2.0, True, None])
def test_a_checkpoint_version_this_release_cannot_read_is_refused(checkpoint, version):
    forged = _forged_state(checkpoint, lambda s: s.update(checkpoint_version=version))
    with pytest.raises(ModelFileError, match="unsupported checkpoint_version .* "
                                             r"\(this lucidnet reads 1 and 2\)"):
        load_checkpoint(forged)


def test_a_version_2_callback_entry_without_its_class_is_refused(checkpoint):
    def drop_class(state):
        entry = next(cb for cb in state["callbacks"] if cb)
        del entry["class"]                              # as version 1 (0.1.0) wrote it
    with pytest.raises(ModelFileError, match=r"train_state.callbacks\[0\] has no class"):
        load_checkpoint(_forged_state(checkpoint, drop_class))
    # a 0.1.0 checkpoint (version 1, no classes) still loads (its resume: test_hostile_model_files)
    _, state, _ = load_checkpoint(FIXTURES / "classifier_checkpoint.npz")
    assert state["checkpoint_version"] == 1
    assert all(cb is None or "class" not in cb for cb in state["callbacks"])


def test_lucidnet_info_says_whether_the_digests_were_checked(checkpoint, capsys):
    members = len(mm.members(checkpoint.read_bytes()))        # the zip's own count
    assert main(["info", str(checkpoint)]) == 0
    out = capsys.readouterr().out
    assert f"integrity: the SHA-256 digests of all {members} members match\n" in out, out
    assert main(["info", str(FIXTURES / "classifier.npz")]) == 0
    assert "integrity: no digests recorded (written before lucidnet recorded them); its " \
           "values were checked, an edit of them cannot be detected" in capsys.readouterr().out
