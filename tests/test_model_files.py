"""Model files under attack: a corpus of bad files, each refused with its own message.

A good file is written, then broken in one way per case.  Every case must raise
``ModelFileError`` (a ``ValueError``) whose message names the problem, and no
two cases may share a message.  A pickle payload inside a model file must never
run, and an interrupted save must leave the previous file intact.
"""

from __future__ import annotations

import io
import json
import sys
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork, load
from lucidnet.persistence import MAX_MANIFEST_CHARS, ModelFileError

sys.path.insert(0, str(Path(__file__).parent))
import modelfile_mutants as mm  # noqa: E402


def make_net():
    return NeuralNetwork([Input("x", 2), Dense("h1", 3, activation="tanh"),
                          Dense("out", 1, activation="sigmoid")], seed=0)


def contents(path):
    """(manifest dict, arrays dict) of a model file, read the plain way."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return json.loads(str(arrays.pop("manifest"))), arrays


def write(path, manifest, arrays):
    """Write an .npz with this manifest (a dict, or any raw array) and these arrays,
    its SHA-256 record recomputed: the edit must meet the validators."""
    raw = manifest if isinstance(manifest, np.ndarray) else np.array(json.dumps(manifest))
    np.savez(path, manifest=raw, **arrays)
    path.write_bytes(mm.redigest_archive(path.read_bytes()))
    return path


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.npz"
    make_net().save(path)
    return path


def edit_manifest(change):
    def make(good, tmp_path):
        manifest, arrays = contents(good)
        change(manifest)
        return write(tmp_path / "bad.npz", manifest, arrays)
    return make


def edit_arrays(change):
    def make(good, tmp_path):
        manifest, arrays = contents(good)
        change(arrays)
        return write(tmp_path / "bad.npz", manifest, arrays)
    return make


def truncated(good, tmp_path):
    data = good.read_bytes()
    return _bytes(tmp_path, data[: len(data) // 2])


def corrupted(good, tmp_path):
    data = bytearray(good.read_bytes())
    W = contents(good)[1]["param/1/W"]
    at = bytes(data).index(W.tobytes())        # flip bytes inside the weights
    data[at:at + 4] = bytes(b ^ 0xFF for b in data[at:at + 4])
    return _bytes(tmp_path, bytes(data))


def not_a_zip(good, tmp_path):
    return _bytes(tmp_path, b"x,y\n1,2\n")


def _bytes(tmp_path, data):
    path = tmp_path / "bad.npz"
    path.write_bytes(data)
    return path


def object_array(good, tmp_path):
    manifest, arrays = contents(good)
    arrays["param/1/W"] = np.array([[1, "a", None]] * 3, dtype=object)
    path = tmp_path / "bad.npz"
    np.savez(path, manifest=np.array(json.dumps(manifest)), **arrays)
    return path


def foreign_member(good, tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(good.read_bytes())
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("payload.pkl", b"\x80\x04K\x01.")
    return path


def oversized_manifest(good, tmp_path):
    manifest, arrays = contents(good)
    manifest["training"] = {"notes": "x" * (MAX_MANIFEST_CHARS + 10)}
    return write(tmp_path / "bad.npz", manifest, arrays)


def nan_in_manifest(good, tmp_path):
    manifest, arrays = contents(good)
    text = json.dumps(manifest).replace('"l2": 0.0', '"l2": NaN')
    return write(tmp_path / "bad.npz", np.array(text), arrays)


def not_json(good, tmp_path):
    return write(tmp_path / "bad.npz", np.array("{format: lucidnet"), contents(good)[1])


def no_manifest(good, tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, **contents(good)[1])
    return path


def layer(i, **change):
    def apply(manifest):
        manifest["layers"][i].update(change)
    return apply


def _set(key, value):
    def apply(d):
        d[key] = value
    return apply


def _nan_weight(arrays):
    arrays["param/1/W"][0, 0] = np.nan


def _drop(key):
    def apply(arrays):
        del arrays[key]
    return apply


CORPUS = {
    "truncated": (truncated, "the archive is truncated"),
    "corrupted bytes": (corrupted, "the archive is corrupted (BadZipFile: Bad CRC-32"),
    "not a zip": (not_a_zip, "not a .npz/zip archive"),
    "no manifest": (no_manifest, "no manifest entry"),
    "manifest not text": (edit_arrays(lambda a: None), None),  # placeholder, replaced below
    "manifest not JSON": (not_json, "not valid JSON"),
    "NaN in manifest": (nan_in_manifest, "NaN is not a number"),
    "oversized manifest": (oversized_manifest, "manifest is too large"),
    "wrong format": (edit_manifest(_set("format", "keras")), "format is not"),
    "wrong format_version": (edit_manifest(_set("format_version", 99)),
                             "unsupported format_version 99"),
    "object array (pickle)": (object_array, "holds Python objects"),
    "foreign member": (foreign_member, "'payload.pkl' is not one a model file holds"),
    "unknown activation": (edit_manifest(layer(1, activation="os.system")),
                           "unknown activation 'os.system'"),
    "unknown loss": (edit_manifest(_set("loss", "builtins.eval")),
                     "unknown loss 'builtins.eval'"),
    "unknown optimizer": (edit_manifest(_set("optimizer", {"name": "subprocess"})),
                          "unknown optimizer 'subprocess'"),
    "unknown layer kind": (edit_manifest(layer(1, kind="Lambda")),
                           "unknown layer kind 'Lambda'"),
    "unknown layer option": (edit_manifest(layer(1, code="print(1)")),
                             "unknown field 'code'"),
    "unknown dtype": (edit_manifest(_set("dtype", "object")), "unsupported dtype 'object'"),
    "mismatched shapes": (edit_manifest(layer(1, units=4)), "has shape (3, 2), but the manifest implies (4, 2)"),
    "huge layer": (edit_manifest(layer(1, units=10**9)), "units must be an integer from 1 to 10000000"),
    "non-finite weights": (edit_arrays(_nan_weight), "non-finite values"),
    "integer weights": (edit_arrays(lambda a: a.update({"param/2/b": np.zeros((1, 1), int)})),
                        "dtype int64, expected float64"),
    "missing array": (edit_arrays(_drop("param/2/b")), "missing: param/2/b"),
    "extra array": (edit_arrays(lambda a: a.update({"param/0/W": np.zeros(1)})),
                    "does not account for: param/0/W"),
    "no layers": (edit_manifest(_set("layers", [])), "layers must be a list of 2 to"),
    "bad standardization": (edit_manifest(_set("preprocessing",
                                               {"standardize": {"mean": [0.0], "scale": [1.0]}})),
                            "preprocessing.standardize"),
    "missing key": (edit_manifest(lambda m: m.pop("loss")), "unknown loss None"),
}
CORPUS["manifest not text"] = (
    lambda good, tmp_path: write(tmp_path / "bad.npz", np.arange(3.0), contents(good)[1]),
    "manifest entry is not a text string")


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_file_is_refused_with_its_message(case, good, tmp_path):
    make, expected = CORPUS[case]
    path = make(good, tmp_path)
    with pytest.raises(ModelFileError) as info:
        load(path)
    assert expected in str(info.value), str(info.value)
    assert str(path) in str(info.value)          # the message names the file
    assert isinstance(info.value, ValueError)


def test_every_bad_file_gets_a_different_message(good, tmp_path):
    messages = {}
    for case, (make, _) in CORPUS.items():
        folder = tmp_path / case.replace(" ", "_").replace("(", "").replace(")", "")
        folder.mkdir()
        try:
            load(make(good, folder))
        except ModelFileError as exc:
            messages[case] = str(exc).replace(str(folder), "")
    assert len(messages) == len(CORPUS)
    assert len(set(messages.values())) == len(CORPUS)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.npz")


class Payload:
    """Unpickling this creates a marker file: the proof that code ran."""

    marker = None

    def __reduce__(self):
        return (Path.touch, (Path(Payload.marker),))


@pytest.mark.parametrize("where", ["manifest", "weights"])
def test_pickle_payload_never_runs(where, good, tmp_path):
    marker = tmp_path / "PWNED"
    Payload.marker = str(marker)
    # sanity: the payload works when something does unpickle it
    import pickle

    pickle.loads(pickle.dumps(Payload()))
    assert marker.exists()
    marker.unlink()

    manifest, arrays = contents(good)
    hostile = np.array([Payload()], dtype=object)
    path = tmp_path / "hostile.npz"
    if where == "manifest":
        np.savez(path, manifest=hostile, **arrays)
    else:
        arrays["param/1/W"] = hostile
        np.savez(path, manifest=np.array(json.dumps(manifest)), **arrays)
    with pytest.raises(ModelFileError, match="holds Python objects"):
        load(path)
    assert not marker.exists()


def test_interrupted_save_leaves_the_old_file_intact(good, tmp_path, monkeypatch):
    import lucidnet.persistence as persistence

    before = good.read_bytes()
    old = load(good)

    write_archive = persistence._write_archive

    def half_then_fail(fh, *args):
        buffer = io.BytesIO()
        write_archive(buffer, *args)
        fh.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(persistence, "_write_archive", half_then_fail)
    net = make_net()
    net.layers[1].params["W"][...] = 7.0
    with pytest.raises(OSError, match="disk full"):
        net.save(good)
    monkeypatch.undo()
    assert good.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.npz"]   # no temporary file left
    np.testing.assert_array_equal(load(good).layers[1].params["W"], old.layers[1].params["W"])


def test_round_trip_keeps_predictions_and_preprocessing(tmp_path):
    net = make_net()
    net.preprocessing = {"feature_names": ["a", "b"], "class_labels": ["no", "yes"],
                         "standardize": {"mean": [1.0, 2.0], "scale": [0.5, 3.0]}}
    net.save(tmp_path / "m.npz")
    again = load(tmp_path / "m.npz")
    X = np.array([[0.1, -2.0, 3.0], [1.0, 0.0, -1.0]])
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
    assert again.preprocessing == net.preprocessing
