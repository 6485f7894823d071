"""Run R as one straight NumPy loop beside lucidnet's fit: the floor of NumPy itself.

The same equations as lucidnet (2-16-32-1 sigmoid, BCE, full-batch gradient
descent, lr 1.0, 2000 epochs, lucidnet's initial weights), written with no
framework at all: in-place sigmoids, ``Delta = A - Y``, the three products
back, the update.  The ratio says how much the library's per-step Python
(layer objects, work arrays, divergence tests, optimizer, loop bookkeeping)
costs over the bare arithmetic.  Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/straight_numpy.py [--dtype float64] [--repeats 5]
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--epochs", type=int, default=2000)
    args = p.parse_args(argv)
    X_rows, y = common.moons(1000)
    # The bare loop gets the layout it wants; fit gets X.T, as users pass it.
    X = np.ascontiguousarray(X_rows.T, dtype=args.dtype)
    Y = y.reshape(1, -1).astype(args.dtype)
    straight(X, Y, args.dtype, 50)                          # warm-up
    _net(args.dtype).fit(X_rows.T, y, epochs=50, print_every=0)
    t_straight, t_lucid = [], []
    for _ in range(args.repeats):                           # interleaved
        t0 = time.perf_counter()
        straight(X, Y, args.dtype, args.epochs)
        t1 = time.perf_counter()
        _net(args.dtype).fit(X_rows.T, y, epochs=args.epochs, print_every=0)
        t2 = time.perf_counter()
        t_straight.append(t1 - t0)
        t_lucid.append(t2 - t1)
    s, lu = float(np.median(t_straight)), float(np.median(t_lucid))
    print(f"R {args.dtype}, {args.epochs} epochs, median of {args.repeats}: straight NumPy "
          f"{s:.3f} s, lucidnet fit {lu:.3f} s, lucidnet / straight = {lu / s:.2f}")
    return s, lu


if __name__ == "__main__":
    main()
