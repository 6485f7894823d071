"""Run R (or M) as one straight NumPy loop beside lucidnet's fit: the floor of NumPy itself.

The same equations as lucidnet (2-16-32-1 sigmoid, BCE, full-batch gradient
descent, lr 1.0, 2000 epochs, lucidnet's initial weights), written with no
framework at all: in-place sigmoids, ``Delta = A - Y``, the three products
back, the update.  The ratio says how much the library's per-step Python
(layer objects, work arrays, divergence tests, optimizer, loop bookkeeping)
costs over the bare arithmetic.  ``--workload M`` does the same for run M
(digits, 64-128-64-10 ReLU + softmax, cross-entropy, Adam lr 1e-3 over one flat
state, shuffled batches of 32 by ``np.take``, 50 epochs).  Usage (from the
repository root)::

    PYTHONPATH=src python benchmarks/straight_numpy.py [--workload R|M] [--dtype float64] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402
import workloads as wl  # noqa: E402


def _net(dtype):
    """The reference network, as run R builds it."""
    return wl._lucid_net(wl.r_sizes(), dtype)


def _sigmoid_(Z):
    """``1 / (1 + exp(-Z))`` in place."""
    np.negative(Z, out=Z)
    np.exp(Z, out=Z)
    Z += 1.0
    np.divide(1.0, Z, out=Z)


def straight(X, Y, dtype, epochs, lr=1.0):
    """The reference run as one loop; returns the final (W, b) of every layer."""
    (W1, b1), (W2, b2), (W3, b3) = [(layer.params["W"].copy(), layer.params["b"].copy())
                                    for layer in _net(dtype).layers[1:]]
    N = X.shape[1]
    A1, A2 = np.empty((16, N), dtype), np.empty((32, N), dtype)
    D2, dA1 = np.empty((32, N), dtype), np.empty((16, N), dtype)
    with np.errstate(over="ignore"):
        for _ in range(epochs):
            np.matmul(W1, X, out=A1)
            A1 += b1
            _sigmoid_(A1)                                   # A1 = sigma(W1 X + b1)
            np.matmul(W2, A1, out=A2)
            A2 += b2
            _sigmoid_(A2)                                   # A2 = sigma(W2 A1 + b2)
            A3 = W3 @ A2 + b3
            _sigmoid_(A3)
            D3 = A3 - Y                                     # Delta3 = A3 - Y
            dW3, db3 = D3 @ A2.T / N, D3.sum(axis=1, keepdims=True) / N
            np.multiply(W3.T, D3, out=D2)                   # W3^T Delta3 (an outer product)
            D2 *= A2 * (1.0 - A2)                           # Delta2
            dW2, db2 = D2 @ A1.T / N, D2.sum(axis=1, keepdims=True) / N
            np.matmul(W2.T, D2, out=dA1)
            dA1 *= A1 * (1.0 - A1)                          # Delta1
            dW1, db1 = dA1 @ X.T / N, dA1.sum(axis=1, keepdims=True) / N
            for theta, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
                theta -= lr * g
    return (W1, b1), (W2, b2), (W3, b3)


def straight_m(X, Y, dtype, epochs, batch=32, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """Run M as one loop: the same network, Adam over one flat state, batches by np.take."""
    net = wl._lucid_net([64, 128, 64, 10], dtype, activation="relu", out="softmax",
                        loss="cce", lr=lr, optimizer="adam")
    shapes = [(layer.params["W"].shape, layer.params["b"].shape) for layer in net.layers[1:]]
    size = sum(a * b + c * 1 for (a, b), (c, _) in shapes)
    theta, g, m, v, d = (np.zeros(size, dtype) for _ in range(5))
    views, grads, at = [], [], 0
    for layer in net.layers[1:]:                            # W, b of every layer: views of theta
        for name in ("W", "b"):
            n = layer.params[name].size
            shape = layer.params[name].shape
            theta[at:at + n] = layer.params[name].ravel()
            views.append(theta[at:at + n].reshape(shape))
            grads.append(g[at:at + n].reshape(shape))
            at += n
    (W1, b1_, W2, b2_, W3, b3), (dW1, db1, dW2, db2, dW3, db3) = views, grads
    rng = net.rng                                           # the batches fit would draw
    N = X.shape[1]
    t = 0
    for _ in range(epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch):
            cols = order[start:start + batch]
            A0, Yb = X.take(cols, axis=1), Y.take(cols, axis=1)
            n = A0.shape[1]
            A1 = np.maximum(W1 @ A0 + b1_, 0)               # ReLU
            A2 = np.maximum(W2 @ A1 + b2_, 0)
            Z3 = W3 @ A2 + b3
            E = np.exp(Z3 - Z3.max(axis=0, keepdims=True))
            A3 = E / E.sum(axis=0, keepdims=True)           # softmax
            D3 = A3 - Yb                                    # Delta3 = A3 - Y
            np.multiply(D3 @ A2.T, 1.0 / n, out=dW3)
            np.multiply(D3.sum(axis=1, keepdims=True), 1.0 / n, out=db3)
            D2 = (W3.T @ D3) * (A2 > 0)
            np.multiply(D2 @ A1.T, 1.0 / n, out=dW2)
            np.multiply(D2.sum(axis=1, keepdims=True), 1.0 / n, out=db2)
            D1 = (W2.T @ D2) * (A1 > 0)
            np.multiply(D1 @ A0.T, 1.0 / n, out=dW1)
            np.multiply(D1.sum(axis=1, keepdims=True), 1.0 / n, out=db1)
            t += 1                                          # Adam, in place, one flat state
            np.add(np.multiply(m, b1, out=m), np.multiply(g, 1 - b1, out=d), out=m)
            np.add(np.multiply(v, b2, out=v), np.multiply(np.square(g, out=d), 1 - b2, out=d),
                   out=v)
            np.sqrt(np.divide(v, 1 - b2 ** t, out=d), out=d)
            d += eps
            np.multiply(np.divide(m, d, out=d), lr / (1 - b1 ** t), out=d)
            theta -= d
    return theta


def _side_by_side(label, straight_run, lucid_run, repeats):
    """Time the straight loop and lucidnet's fit in turns; print and return both medians."""
    t_straight, t_lucid = [], []
    for _ in range(repeats):                                # interleaved
        t0 = time.perf_counter()
        straight_run()
        t1 = time.perf_counter()
        lucid_run()
        t2 = time.perf_counter()
        t_straight.append(t1 - t0)
        t_lucid.append(t2 - t1)
    s, lu = float(np.median(t_straight)), float(np.median(t_lucid))
    print(f"{label}, median of {repeats}: straight NumPy {s:.3f} s, lucidnet fit {lu:.3f} s, "
          f"lucidnet / straight = {lu / s:.2f}")
    return s, lu


def _main_m(args):
    Xtr, _, ytr, _ = common.digits()
    X = np.ascontiguousarray(Xtr.T, dtype=args.dtype)
    Y = np.eye(10, dtype=args.dtype)[:, ytr]

    def lucid(epochs):
        net = wl._lucid_net([64, 128, 64, 10], args.dtype, activation="relu", out="softmax",
                            loss="cce", lr=1e-3, optimizer="adam")
        net.fit(Xtr.T, ytr, epochs=epochs, batch_size=32, print_every=0)

    straight_m(X, Y, args.dtype, 2)                         # warm-up
    lucid(2)
    epochs = 50 if args.epochs == 2000 else args.epochs
    return _side_by_side(f"M {args.dtype}, {epochs} epochs",
                         lambda: straight_m(X, Y, args.dtype, epochs), lambda: lucid(epochs),
                         args.repeats)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--epochs", type=int, default=2000, help="R: 2000; M: 50 unless given")
    p.add_argument("--workload", default="R", choices=("R", "M"))
    args = p.parse_args(argv)
    if args.workload == "M":
        return _main_m(args)
    X_rows, y = common.moons(1000)
    # The bare loop gets the layout it wants; fit gets X.T, as users pass it.
    X = np.ascontiguousarray(X_rows.T, dtype=args.dtype)
    Y = y.reshape(1, -1).astype(args.dtype)
    straight(X, Y, args.dtype, 50)                          # warm-up
    _net(args.dtype).fit(X_rows.T, y, epochs=50, print_every=0)
    return _side_by_side(
        f"R {args.dtype}, {args.epochs} epochs", lambda: straight(X, Y, args.dtype, args.epochs),
        lambda: _net(args.dtype).fit(X_rows.T, y, epochs=args.epochs, print_every=0),
        args.repeats)


if __name__ == "__main__":
    main()
