"""Checkpoints, resume and Ctrl-C in Python: a resumed run ends bit-identical to
an uninterrupted one with the same seed."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, ModelFileError, NeuralNetwork, load
from lucidnet.checkpoint import load_checkpoint, resume
from lucidnet.interrupt import TrainingInterrupted
from lucidnet.schedules import CosineAnnealing
from lucidnet.training import Callback


def _data(n=120, seed=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    y = (X[0] * X[1] > 0).astype(float)
    return X, y


def _net(optimizer="adam", lr=0.01, dropout=True, **kw):
    layers = [Input("x", 2), Dense("h", 8, "tanh")]
    layers += [Dropout("drop", 0.2)] if dropout else []
    layers += [Dense("out", 1)]
    if "rng" not in kw:
        kw.setdefault("seed", 7)
    return NeuralNetwork(layers, optimizer=optimizer, lr=lr, **kw)


def _weights(net):
    return [theta.copy() for _, theta, _ in net.parameters()]


def _assert_identical(net_a, net_b):
    for a, b in zip(_weights(net_a), _weights(net_b)):
        np.testing.assert_array_equal(a, b)


class SigintAt(Callback):
    """Sends Ctrl-C to this process at the end (or the start) of one epoch."""

    def __init__(self, epoch, when="end", times=1):
        self.epoch, self.when, self.times = epoch, when, times

    def _fire(self, epoch, when):
        if epoch == self.epoch and when == self.when:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)

    def on_epoch_begin(self, net, epoch):
        self._fire(epoch, "begin")

    def on_epoch_end(self, info):
        self._fire(info.epoch, "end")


RUNS = {
    "full batch, sgd": (dict(optimizer="sgd", lr=1.0, dropout=False), dict(epochs=40)),
    "mini-batches, adam, dropout": ({}, dict(epochs=30, batch_size=16)),
    "validation, early stopping, plateau schedule": (
        dict(optimizer="momentum", lr=0.1),
        dict(epochs=30, batch_size=32, validation_split=0.25, early_stopping=100,
             schedule="reduce_on_plateau")),
    "step schedule, clipping, grad checks": (
        dict(optimizer="sgd", lr=0.5, dropout=False),
        dict(epochs=30, batch_size=50, schedule="step", clip_norm=1.0,
             grad_check_every=7)),
    "float32, rmsprop, l2": (dict(optimizer="rmsprop", dtype="float32", l2=0.01),
                             dict(epochs=25, batch_size=24)),
    # the rate is 0 from epoch 8 on: the checkpoint holds lr 0, which no optimizer is
    # built with (it was refused on load before)
    "cosine down to 0 at epoch 8": ({}, dict(epochs=20, batch_size=40,
                                            schedule=CosineAnnealing(t_max=8))),
}


@pytest.mark.parametrize("when", ["end", "begin"])  # "begin": stops after one step of the epoch
@pytest.mark.parametrize("name", sorted(RUNS))
def test_interrupt_then_resume_is_bit_identical(tmp_path, name, when):
    net_kw, fit_kw = RUNS[name]
    X, y = _data()
    ref = _net(**net_kw)
    ref_costs = ref.fit(X, y, print_every=4, verbose=False, **fit_kw)

    path = tmp_path / "run.npz"
    net = _net(**net_kw)
    with pytest.raises(TrainingInterrupted) as info:
        net.fit(X, y, print_every=4, verbose=False, checkpoint_path=path,
                callbacks=[SigintAt(11, when)], **fit_kw)
    exc = info.value
    assert exc.epoch == 11 and exc.checkpoint == str(path)
    assert ("after epoch 11" if when == "end" else "in epoch 11 after 1 step") in str(exc)
    assert "resume" in str(exc) and np.isfinite(exc.cost)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    resumed, costs = resume(path, X, y, verbose=False)
    _assert_identical(resumed, ref)
    assert costs == ref_costs
    assert resumed.history == ref.history
    assert resumed.optimizer.t == ref.optimizer.t
    assert resumed.rng.bit_generator.state == ref.rng.bit_generator.state
    assert resumed.training_record["epochs"] == ref.training_record["epochs"]
    assert len(resumed.grad_checks) == len(ref.grad_checks)


def test_periodic_checkpoints_resume_bit_identical(tmp_path):
    X, y = _data()
    ref = _net()
    ref.fit(X, y, epochs=25, print_every=0, batch_size=20)
    path = tmp_path / "ck.npz"
    net = _net()
    net.fit(X, y, epochs=25, print_every=0, batch_size=20, checkpoint_path=path,
            checkpoint_every=10)
    _assert_identical(net, ref)  # checkpointing does not change the run
    _, state, arrays = load_checkpoint(path)
    assert state["epoch"] == 20 and state["batches_done"] == 0  # the last one written
    assert state["optimizer_t"] == 20 * 6 and "opt/1.W/m" in arrays
    assert [p.name for p in tmp_path.iterdir()] == ["ck.npz"]  # no temporary files left
    resumed, _ = resume(path, X, y)
    _assert_identical(resumed, ref)


def test_resume_with_a_caller_generator_of_another_kind(tmp_path):
    X, y = _data()

    def make():
        return _net(rng=np.random.Generator(np.random.MT19937(3)))

    ref = make()
    ref.fit(X, y, epochs=20, print_every=0, batch_size=16)
    path = tmp_path / "ck.npz"
    make().fit(X, y, epochs=20, print_every=0, batch_size=16, checkpoint_path=path,
               checkpoint_every=7)
    resumed, _ = resume(path, X, y)
    assert type(resumed.rng.bit_generator).__name__ == "MT19937"
    assert resumed.layers[2].rng is resumed.rng  # the Dropout layer draws from it too
    _assert_identical(resumed, ref)


def test_checkpoint_is_a_loadable_model(tmp_path):
    X, y = _data()
    net = _net()
    path = tmp_path / "ck.npz"
    net.fit(X, y, epochs=6, print_every=0, checkpoint_path=path, checkpoint_every=5)
    model = load(path)
    assert model.predict(X).shape == (X.shape[1],)


def test_interrupt_without_a_checkpoint_path_keeps_the_weights():
    X, y = _data()
    net = _net()
    with pytest.raises(TrainingInterrupted, match="no checkpoint saved") as info:
        net.fit(X, y, epochs=50, print_every=0, batch_size=16, callbacks=[SigintAt(3)])
    assert info.value.checkpoint is None
    assert net.optimizer.t == 4 * 8  # four whole epochs of 8 steps, nothing half done
    assert all(np.isfinite(w).all() for w in _weights(net))


def test_second_interrupt_stops_at_once():
    X, y = _data()
    net = _net()
    with pytest.raises(KeyboardInterrupt) as info:
        net.fit(X, y, epochs=50, print_every=0, callbacks=[SigintAt(3, times=2)])
    assert not isinstance(info.value, TrainingInterrupted)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_resume_refuses_other_data(tmp_path):
    X, y = _data()
    path = tmp_path / "ck.npz"
    _net().fit(X, y, epochs=6, print_every=0, checkpoint_path=path, checkpoint_every=5)
    with pytest.raises(ValueError, match="differ from the data the checkpoint"):
        resume(path, X[:, ::-1], y[::-1])


def test_resume_needs_a_checkpoint(tmp_path):
    path = tmp_path / "model.npz"
    _net().save(path)
    with pytest.raises(ModelFileError, match="without a training state"):
        resume(path, *_data())


@pytest.mark.parametrize("kwargs,words", [
    (dict(checkpoint_every=5), "checkpoint_every needs a checkpoint_path"),
    (dict(checkpoint_path="run.ckpt", checkpoint_every=5), "must end in .npz"),
    (dict(checkpoint_path="run.npz", checkpoint_every=-1), "checkpoint_every must be"),
])
def test_bad_checkpoint_options(tmp_path, kwargs, words):
    with pytest.raises(ValueError, match=words):
        _net().fit(*_data(), epochs=2, print_every=0, **kwargs)


# ------------------------------------------------ callbacks matched by class and position
class Counter(Callback):
    """Counts the epochs it saw; its count is its state."""

    def __init__(self):
        self.n = 0

    def on_epoch_end(self, info):
        self.n += 1

    def get_state(self):
        return {"n": self.n}

    def set_state(self, state):
        self.n = state["n"]


class OtherCounter(Counter):
    pass


class Quiet(Callback):
    """No state (like the command line's progress bar)."""


def _interrupted_with(tmp_path, callbacks):
    path = tmp_path / "run.npz"
    with pytest.raises(TrainingInterrupted):
        _net().fit(*_data(), epochs=12, print_every=0, batch_size=30, schedule="step",
                   checkpoint_path=path, callbacks=[*callbacks, SigintAt(4)])
    return path


def test_callbacks_are_saved_with_their_class_names(tmp_path):
    path = _interrupted_with(tmp_path, [Quiet(), Counter()])
    _, state, _ = load_checkpoint(path)
    assert [s["class"] for s in state["callbacks"]] == [
        "LearningRateScheduler", "Quiet", "Counter", "SigintAt"]
    assert state["callbacks"][2]["custom"] == {"n": 5}       # epochs 0 to 4
    assert set(state["callbacks"][1]) == {"class"}           # no state to keep


def test_a_callback_gets_its_own_state_whatever_comes_and_goes_around_it(tmp_path):
    path = _interrupted_with(tmp_path, [Quiet(), Counter()])
    counter = Counter()
    # one stateless callback fewer: by position alone the counter would have been
    # given the progress-like callback's (empty) slot and started again from 0
    resume(path, *_data(), callbacks=[counter, SigintAt(99)], verbose=False)
    assert counter.n == 12


@pytest.mark.parametrize("callbacks,now", [
    (lambda: [OtherCounter(), SigintAt(99)], "OtherCounter"),
    (lambda: [SigintAt(99)], ""),
    (lambda: [Counter(), Counter(), SigintAt(99)], "Counter, Counter"),
])
def test_a_resume_whose_callbacks_differ_by_kind_is_refused(tmp_path, callbacks, now):
    path = _interrupted_with(tmp_path, [Quiet(), Counter()])
    before = path.read_bytes()
    with pytest.raises(ValueError) as info:
        resume(path, *_data(), callbacks=callbacks(), verbose=False)
    message = str(info.value)
    assert "the checkpoint holds the state of the callbacks [LearningRateScheduler, " \
           "Counter]" in message, message                    # SigintAt keeps no state
    assert f"this run has [LearningRateScheduler{', ' + now if now else ''}]" in message
    assert path.read_bytes() == before                       # nothing was written
