"""Each optimizer against torch.optim (2.13.0) on a two-step example.

The example: two parameter tensors (a 2x2 "W" and a 2x1 "b", so per-key state
must stay separate) and the separable quadratic cost

    J = sum(0.5 * cW * W**2 + dW * W) + sum(0.5 * cb * b**2 + db * b)
    grad_W = cW * W + dW,   grad_b = cb * b + db

Two steps are taken; the gradient of step 2 is evaluated at the parameters
after step 1, so the state carried between steps matters.  The expected
numbers are literals computed offline with torch.optim in float64::

    import torch; torch.set_default_dtype(torch.float64)
    W = torch.tensor(W0, requires_grad=True); b = torch.tensor(b0, requires_grad=True)
    opt = torch.optim.<Optimizer>([W, b], <arguments in TORCH_CALL below>)
    for _ in range(2):
        opt.zero_grad(); J(W, b).backward(); opt.step()

Each case runs once with lucidnet's default hyperparameters (only ``lr`` set;
the torch call spells out the same values, and a test asserts lucidnet's
defaults are those) and once with every hyperparameter set to a non-default,
so a hyperparameter that is ignored or mis-wired shows up.

Naming: lucidnet's RMSProp calls torch's ``alpha`` (the smoothing constant)
``rho``, and Adam's ``betas=(b1, b2)`` are ``beta1``, ``beta2``.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.optimizers import OPTIMIZERS, get_optimizer

W0 = np.array([[0.5, -1.2], [2.0, 0.1]])
b0 = np.array([[-0.3], [0.7]])
cW = np.array([[1.0, 2.0], [0.5, 3.0]])
dW = np.array([[0.1, -0.2], [0.3, 0.0]])
cb = np.array([[1.5], [0.25]])
db = np.array([[-0.4], [0.05]])

# (name, case): (lucidnet kwargs, torch call used for the literals, W after 2 steps, b after 2)
REFERENCE = {
    ("sgd", "default"): (
        dict(lr=0.1), "SGD(lr=0.1)",
        [[0.386, -0.7319999999999999], [1.7465, 0.048999999999999995]],
        [[-0.14275], [0.6555624999999999]]),
    ("sgd", "custom"): (
        dict(lr=0.7), "SGD(lr=0.7)",
        [[-0.045999999999999985, -0.10799999999999998], [0.4985000000000001, 0.12100000000000002]],
        [[0.26525], [0.4125625]]),
    ("momentum", "default"): (
        dict(lr=0.1), "SGD(lr=0.1, momentum=0.9)",
        [[0.33199999999999996, -0.49799999999999994], [1.6295, 0.021999999999999985]],
        [[-0.06624999999999999], [0.6353125]]),
    ("momentum", "custom"): (
        dict(lr=0.05, momentum=0.5), "SGD(lr=0.05, momentum=0.5)",
        [[0.4265, -0.8879999999999999], [1.8391250000000001, 0.06475]],
        [[-0.19693750000000002], [0.672015625]]),
    ("nesterov", "default"): (
        dict(lr=0.1), "SGD(lr=0.1, momentum=0.9, nesterov=True)",
        [[0.24506, -0.18911999999999982], [1.424165, -0.005810000000000015]],
        [[0.045822500000000016], [0.598305625]]),
    ("nesterov", "custom"): (
        dict(lr=0.05, momentum=0.5), "SGD(lr=0.05, momentum=0.5, nesterov=True)",
        [[0.405875, -0.8067499999999999], [1.79240625, 0.0563125]],
        [[-0.16904687499999999], [0.66375390625]]),
    ("rmsprop", "default"): (
        dict(lr=0.01), "RMSprop(lr=0.01, alpha=0.99, eps=1e-8)",
        [[0.33579183653695205, -1.0319881365495094], [1.8305083652841858, -1.6791589622837726e-10]],
        [[-0.13623903921932448], [0.5333773359182077]]),
    ("rmsprop", "custom"): (
        dict(lr=0.1, rho=0.9, eps=1e-3), "RMSprop(lr=0.1, alpha=0.9, eps=1e-3)",
        [[0.04438153580692342, -0.6871104387511832], [1.470061337511442, 0.07462558574810554]],
        [[0.14863168773410043], [0.2109255742965548]]),
    ("adam", "default"): (
        dict(lr=0.1), "Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-8)",
        [[0.3008827159794435, -1.0002882709412357], [1.8001214194075175, -0.06700582140254255]],
        [[-0.10096722058458514], [0.5004787165397997]]),
    ("adam", "custom"): (
        dict(lr=0.05, beta1=0.8, beta2=0.9, eps=1e-3), "Adam(lr=0.05, betas=(0.8, 0.9), eps=1e-3)",
        [[0.4003440003398868, -1.1001057667363445], [1.900107958421507, 0.003922270557489477]],
        [[-0.2003081868466249], [0.600551986199256]]),
    ("adamw", "default"): (
        dict(lr=0.1), "AdamW(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)",
        [[0.2999902375659098, -0.9979940738528044], [1.7962262953679107, -0.06703123699533403]],
        [[-0.10047220291230086], [0.49918424063340755]]),
    ("adamw", "custom"): (
        dict(lr=0.05, beta1=0.8, beta2=0.9, eps=1e-3, weight_decay=0.5),
        "AdamW(lr=0.05, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.5)",
        [[0.37696704609248155, -1.042156640517831], [1.80264358939276, 0.0006314744717817594]],
        [[-0.18678411411439652], [0.5672839748481895]]),
}

# lucidnet's defaults must be torch's (the "default" cases rely on it).
DEFAULTS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "rmsprop": {"rho": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}

# Step-1 values, to see the first step right on its own (torch, same calls).
STEP1 = {
    "momentum": ([[0.44, -0.94], [1.8699999999999999, 0.06999999999999999]],
                 [[-0.215], [0.6775]]),
    "nesterov": ([[0.386, -0.7059999999999998], [1.753, 0.043]],
                 [[-0.13849999999999998], [0.65725]]),
    "adam": ([[0.40000000166666666, -1.1000000003846153],
              [1.9000000007692308, 3.3333332205565114e-09]],
             [[-0.20000000117647057], [0.6000000044444442]]),
    "adamw": ([[0.39950000166666666, -1.0988000003846152],
               [1.8980000007692308, -9.999666666678231e-05]],
              [[-0.19970000117647055], [0.5993000044444442]]),
}


def two_steps(optimizer, steps=2, dtype=np.float64):
    W, b = W0.astype(dtype), b0.astype(dtype)
    for _ in range(steps):
        # gradients at the current parameters; the keys are those a network uses
        optimizer.step([("1.W", W, (cW * W + dW).astype(dtype)),
                        ("1.b", b, (cb * b + db).astype(dtype))])
    return W, b


def test_every_registered_optimizer_has_reference_values():
    missing = sorted(set(OPTIMIZERS) - {name for name, _ in REFERENCE})
    assert not missing, (f"add torch.optim reference values for {missing} to REFERENCE "
                         "(see the module docstring for how they were computed)")


@pytest.mark.parametrize("name, case", sorted(REFERENCE))
def test_two_steps_match_torch(name, case):
    kwargs, torch_call, W_expected, b_expected = REFERENCE[(name, case)]
    W, b = two_steps(OPTIMIZERS[name](**kwargs))
    np.testing.assert_allclose(W, W_expected, rtol=1e-12, atol=1e-15, err_msg=torch_call)
    np.testing.assert_allclose(b, b_expected, rtol=1e-12, atol=1e-15, err_msg=torch_call)


@pytest.mark.parametrize("name", sorted(STEP1))
def test_first_step_matches_torch(name):
    kwargs = REFERENCE[(name, "default")][0]
    W, b = two_steps(OPTIMIZERS[name](**kwargs), steps=1)
    np.testing.assert_allclose(W, STEP1[name][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b, STEP1[name][1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_match_torch(name):
    config = OPTIMIZERS[name](lr=0.1).get_config()
    assert config == {"lr": 0.1, **DEFAULTS[name]}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_parameters_stay_float32(name):
    W, b = two_steps(OPTIMIZERS[name](lr=0.01), dtype=np.float32)
    assert W.dtype == np.float32 and b.dtype == np.float32
    W64, b64 = two_steps(OPTIMIZERS[name](lr=0.01))
    np.testing.assert_allclose(W, W64, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_is_kept_per_parameter_and_config_round_trips(name):
    opt = OPTIMIZERS[name](lr=0.02)
    two_steps(opt)
    assert opt.t == 2
    assert set(opt.state) <= {"1.W", "1.b"}
    for slot in opt.state.values():
        assert all(buf.shape in {(2, 2), (2, 1)} for buf in slot.values())
    clone = OPTIMIZERS[name](**opt.get_config())
    assert clone.get_config() == opt.get_config()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_drives_a_network_downhill(name):
    """Through NeuralNetwork.step(): the network's parameters are what gets updated."""
    net = NeuralNetwork([Input("x", 2), Dense("h", 5, activation="tanh"), Dense("out", 1)],
                        optimizer=name, lr=0.05, seed=0)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 40))
    y = (X[0] + X[1] > 0).astype(float)
    before = net.loss(X, y)
    for _ in range(30):
        net.backward(X, y)
        net.step()
    assert net.loss(X, y) < before
    assert set(net.optimizer.state) <= {"1.W", "1.b", "2.W", "2.b"}


def test_network_lr_belongs_to_the_optimizer():
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)])
    assert net.lr == 1.0 and net.optimizer.lr == 1.0       # the notebook's default
    net.lr = 0.25
    assert net.optimizer.lr == 0.25
    adam = NeuralNetwork([Input("x", 2), Dense("out", 1)], optimizer="adam")
    assert adam.lr == 0.001


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", True])
def test_invalid_lr_is_a_value_error_naming_it(name, lr):
    with pytest.raises(ValueError, match=r"^lr "):
        OPTIMIZERS[name](lr=lr)


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, "0.9"])
def test_invalid_momentum(name, momentum):
    with pytest.raises(ValueError, match=r"^momentum "):
        OPTIMIZERS[name](lr=0.1, momentum=momentum)


@pytest.mark.parametrize("name", ["adam", "adamw"])
@pytest.mark.parametrize("which", ["beta1", "beta2"])
@pytest.mark.parametrize("value", [-0.5, 1.0, 2.0])
def test_invalid_betas(name, which, value):
    with pytest.raises(ValueError, match=rf"^{which} "):
        OPTIMIZERS[name](lr=0.1, **{which: value})


@pytest.mark.parametrize("name, kwargs, param", [
    ("rmsprop", {"rho": 1.0}, "rho"),
    ("rmsprop", {"eps": 0.0}, "eps"),
    ("adam", {"eps": -1e-8}, "eps"),
    ("adamw", {"weight_decay": -0.01}, "weight_decay"),
])
def test_other_invalid_hyperparameters(name, kwargs, param):
    with pytest.raises(ValueError, match=rf"^{param} "):
        OPTIMIZERS[name](lr=0.1, **kwargs)


def test_get_optimizer():
    assert get_optimizer("adam", 0.5).lr == 0.5
    opt = OPTIMIZERS["sgd"](lr=0.3)
    assert get_optimizer(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'"):
        get_optimizer("adagrad")


@pytest.mark.parametrize("value", [np.float32(0.5), np.float64(0.5), np.int64(0), 0])
def test_numpy_numbers_are_accepted(value):
    """Hyperparameters from NumPy (a grid, a config array) are numbers like any other."""
    assert OPTIMIZERS["momentum"](lr=np.float32(0.25), momentum=value).momentum == float(value)
    assert OPTIMIZERS["adam"](lr=np.int64(1), beta1=value).beta1 == float(value)


@pytest.mark.parametrize("value", [True, False, np.True_, None, [0.9]])
def test_booleans_and_non_numbers_are_refused(value):
    with pytest.raises(ValueError, match=r"^momentum "):
        OPTIMIZERS["momentum"](lr=0.1, momentum=value)


# ------------------------------------------------------------------ state buffers
STATEFUL = sorted(name for name, cls in OPTIMIZERS.items() if cls.buffers)


@pytest.mark.parametrize("name", STATEFUL)
def test_state_buffers_are_updated_in_place(name):
    """A step allocates no new state: every state array keeps its identity (and
    its memory) from step to step, and holds the values the update computed."""
    opt = OPTIMIZERS[name](lr=0.05)
    W, b = two_steps(opt, steps=1)
    before = {(key, n): buf for key, slot in opt.state.items() for n, buf in slot.items()}
    assert set(before) == {(key, n) for key in ("1.W", "1.b") for n in opt.buffers}
    for _ in range(3):
        opt.step([("1.W", W, cW * W + dW), ("1.b", b, cb * b + db)])
    after = {(key, n): buf for key, slot in opt.state.items() for n, buf in slot.items()}
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before)
    assert all(np.isfinite(buf).all() and np.any(buf != 0) for buf in after.values())


@pytest.mark.parametrize("name", STATEFUL)
def test_state_put_back_from_outside_is_used(name):
    """Replacing ``state`` (a checkpoint resumed, a divergence snapshot put back,
    ``state.clear()``) is what the next step continues from."""
    kwargs = REFERENCE[(name, "default")][0]
    reference = OPTIMIZERS[name](**kwargs)
    W_ref, b_ref = two_steps(reference)

    opt = OPTIMIZERS[name](**kwargs)
    W, b = two_steps(opt, steps=1)
    saved = {key: {n: buf.copy() for n, buf in slot.items()} for key, slot in opt.state.items()}
    opt.step([("1.W", W, np.full_like(W, 1e3)), ("1.b", b, np.full_like(b, -1e3))])  # spoil it
    opt.state.clear()
    opt.state.update(saved)
    opt.t = 1
    W[...], b[...] = two_steps(OPTIMIZERS[name](**kwargs), steps=1)
    opt.step([("1.W", W, cW * W + dW), ("1.b", b, cb * b + db)])
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(b, b_ref)

    opt.state.clear()  # a fresh start: zero state
    opt.t = 0
    W[...], b[...] = W0, b0
    W, b = two_steps(opt)
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(b, b_ref)


@pytest.mark.parametrize("name", STATEFUL)
def test_a_copied_optimizer_continues_on_its_own(name):
    import copy

    kwargs = REFERENCE[(name, "default")][0]
    opt = OPTIMIZERS[name](**kwargs)
    W, b = two_steps(opt, steps=1)
    clone = copy.deepcopy(opt)
    W2, b2 = W.copy(), b.copy()
    for o, (w, bb) in ((opt, (W, b)), (clone, (W2, b2))):
        o.step([("1.W", w, cW * w + dW), ("1.b", bb, cb * bb + db)])
    np.testing.assert_array_equal(W, W2)
    np.testing.assert_array_equal(b, b2)
    assert all(clone.state[k][n] is not opt.state[k][n] for k in opt.state for n in opt.buffers)
    np.testing.assert_allclose(W, REFERENCE[(name, "default")][2], rtol=1e-12, atol=1e-15)
