"""Golden values: one tiny network's first gradient-descent step, worked out by hand.

Network 2-2-1, sigmoid everywhere, binary cross-entropy, lr (eta) = 0.5, two
examples.  Every number below was worked out by hand from the text's equations
(checked with a calculator: scalar arithmetic and math.exp/math.log only, no
NumPy and no lucidnet), and is written here as a literal.

    X = [[1, 2], [-1, 0.5]]      x_1 = (1, -1), x_2 = (2, 0.5);  y = (1, 0)
    W1 = [[0.5, -0.25], [0.1, 0.3]]   b1 = (0.1, -0.2)
    W2 = [[0.4, -0.6]]                b2 = 0.05

Forward, Z1 = W1 X + b1:
    Z1[0] = (0.5 + 0.25 + 0.1, 1.0 - 0.125 + 0.1) = (0.85, 0.975)
    Z1[1] = (0.1 - 0.3 - 0.2,  0.2 + 0.15 - 0.2)  = (-0.4, 0.15)
    A1 = sigmoid(Z1) = [[0.7005671425, 0.7261149813], [0.4013123399, 0.5374298453]]
    Z2 = 0.4 A1[0] - 0.6 A1[1] + 0.05
       = (0.28022686 - 0.24078740 + 0.05, 0.29044599 - 0.32245791 + 0.05)
       = (0.0894394531, 0.0179880853)
    A2 = sigmoid(Z2) = (0.5223449697, 0.5044969001)
    J  = -(log 0.5223449697 + log(1 - 0.5044969001)) / 2
       = (0.6494270479 + 0.7021816691) / 2 = 0.6758043585

Backward (N = 2):
    Delta2 = A2 - y = (-0.4776550303, 0.5044969001)
    dW2 = (1/2) Delta2 A1^T
        = ((-0.47765503 * 0.70056714 + 0.50449690 * 0.72611498) / 2,
           (-0.47765503 * 0.40131234 + 0.50449690 * 0.53742985) / 2)
        = (0.0158466687, 0.0397214166)
    db2 = (-0.4776550303 + 0.5044969001) / 2 = 0.0134209349
    Delta1 = (W2^T Delta2) * A1 (1 - A1)
        row 0: 0.4 * Delta2 * (0.20977282, 0.19887202) = (-0.0400796173,  0.0401321261)
        row 1: -0.6 * Delta2 * (0.24026075, 0.24859901) = ( 0.0688570523, -0.0752504569)
    dW1 = (1/2) Delta1 X^T
        [0][0] = (-0.0400796173 * 1 + 0.0401321261 * 2) / 2   =  0.0200923174
        [0][1] = (-0.0400796173 * -1 + 0.0401321261 * 0.5) / 2 =  0.0300728402
        [1][0] = ( 0.0688570523 * 1 - 0.0752504569 * 2) / 2   = -0.0408219308
        [1][1] = ( 0.0688570523 * -1 - 0.0752504569 * 0.5) / 2 = -0.0532411404
    db1 = ((-0.0400796173 + 0.0401321261) / 2, (0.0688570523 - 0.0752504569) / 2)
        = (0.0000262544, -0.0031967023)

Update, theta -= 0.5 dtheta:
    W1 = [[0.5 - 0.0100461587, -0.25 - 0.0150364201], [0.1 + 0.0204109654, 0.3 + 0.0266205702]]
       = [[0.4899538413, -0.2650364201], [0.1204109654, 0.3266205702]]
    b1 = (0.1 - 0.0000131272, -0.2 + 0.0015983512) = (0.0999868728, -0.1984016488)
    W2 = (0.4 - 0.0079233344, -0.6 - 0.0198607083) = (0.3920766656, -0.6198607083)
    b2 = 0.05 - 0.0067104674 = 0.0432895326
    and the cost falls to J = 0.6719248777.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork, bce_cost

RTOL = 1e-9  # the literals carry 10+ significant digits


@pytest.fixture
def net():
    net = NeuralNetwork([Input("x", 2), Dense("h", 2), Dense("out", 1)], loss_fn=bce_cost,
                        lr=0.5)
    h, out = net.layers[1], net.layers[2]
    # set by hand, in place (the optimizer keeps no references to replace)
    h.params["W"][...] = [[0.5, -0.25], [0.1, 0.3]]
    h.params["b"][...] = [[0.1], [-0.2]]
    out.params["W"][...] = [[0.4, -0.6]]
    out.params["b"][...] = [[0.05]]
    return net


X = np.array([[1.0, 2.0], [-1.0, 0.5]])   # (d0, N) = (2, 2)
y = np.array([1.0, 0.0])


def test_forward_and_cost(net):
    A2 = net.forward(X)
    np.testing.assert_allclose(net.layers[1].Z, [[0.85, 0.975], [-0.4, 0.15]], rtol=1e-12)
    np.testing.assert_allclose(net.layers[1].A, [[0.7005671424739729, 0.7261149812607791],
                                                 [0.401312339887548, 0.5374298453437496]],
                               rtol=RTOL)
    np.testing.assert_allclose(A2, [[0.5223449696912518, 0.504496900069552]], rtol=RTOL)
    assert net.loss(X, y) == pytest.approx(0.6758043584800306, rel=RTOL)


def test_gradients(net):
    net.backward(X, y)
    h, out = net.layers[1], net.layers[2]
    np.testing.assert_allclose(out.Delta, [[-0.47765503030874823, 0.504496900069552]],
                               rtol=RTOL)
    np.testing.assert_allclose(out.grads["W"], [[0.015846668734202596, 0.03972141655425948]],
                               rtol=RTOL)
    np.testing.assert_allclose(out.grads["b"], [[0.013420934880401858]], rtol=RTOL)
    np.testing.assert_allclose(h.Delta, [[-0.040079617337831545, 0.04013212608157036],
                                         [0.06885705227350353, -0.07525045693751417]],
                               rtol=RTOL)
    np.testing.assert_allclose(h.grads["W"], [[0.020092317412654586, 0.030072840189308364],
                                              [-0.04082193080076241, -0.053241140371130306]],
                               rtol=RTOL)
    np.testing.assert_allclose(h.grads["b"], [[2.6254371869406656e-05],
                                              [-0.0031967023320053217]], rtol=1e-7)


def test_first_step(net):
    net.backward(X, y)
    net.step()
    h, out = net.layers[1], net.layers[2]
    np.testing.assert_allclose(h.params["W"], [[0.4899538412936727, -0.26503642009465417],
                                               [0.12041096540038121, 0.3266205701855651]],
                               rtol=RTOL)
    np.testing.assert_allclose(h.params["b"], [[0.0999868728140653], [-0.19840164883399736]],
                               rtol=RTOL)
    np.testing.assert_allclose(out.params["W"], [[0.3920766656328987, -0.6198607082771297]],
                               rtol=RTOL)
    np.testing.assert_allclose(out.params["b"], [[0.043289532559799074]], rtol=RTOL)
    assert net.loss(X, y) == pytest.approx(0.6719248777396126, rel=RTOL)


def test_first_step_through_fit(net):
    """fit(epochs=1) is the same single step, and records the cost after it."""
    costs = net.fit(X, y, epochs=1, print_every=1, verbose=False)
    assert costs == [pytest.approx(0.6719248777396126, rel=RTOL)]
    np.testing.assert_allclose(net.layers[2].params["b"], [[0.043289532559799074]], rtol=RTOL)


def test_first_step_in_float32(net):
    """The same step in float32 lands within float32 precision of the literals."""
    net32 = net.astype("float32")
    net32.backward(X, y)
    net32.step()
    W1 = net32.layers[1].params["W"]
    assert W1.dtype == np.float32
    np.testing.assert_allclose(W1, [[0.4899538412936727, -0.26503642009465417],
                                    [0.12041096540038121, 0.3266205701855651]], rtol=1e-6)
    np.testing.assert_allclose(net32.layers[2].params["b"], [[0.043289532559799074]], rtol=1e-5)
