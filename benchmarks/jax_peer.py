"""The JAX peer (CPU): the same networks, initial weights and updates, compiled by XLA.

Written as a JAX user writes a training step: a pure cost function, its
gradient by ``jax.grad``, the update as a ``jax.tree_util`` map, the whole
step under ``jax.jit``.  Two idioms:

``jax``
    a Python loop over the jitted step (one dispatch per step);
``jax-fori``
    the whole run as one compiled ``lax.fori_loop`` (full batch only: with
    shuffled mini-batches it would move the shuffling into the compiled
    code, which is a different program).

The math is lucidnet's: BCE on the logits of a sigmoid output (or CCE on the
logits of a softmax), the cost averaged over the N examples, plain gradient
descent (R, S) or Adam with torch's and lucidnet's constants (M), starting
from lucidnet's initial weights.  JAX is row-wise (``X`` is ``(N, d0)``, as
its users hold data), so each ``W`` is lucidnet's transposed.

Compile time is kept out of the timed run: ``make`` calls the jitted
functions once on throw-away state (that first call traces and compiles)
and reports its seconds as ``compile_s``.  float64 needs
``jax_enable_x64``, switched on once when JAX is loaded; float32 arrays stay
float32 with it.
"""

from __future__ import annotations

import time

import numpy as np

IMPLS = ("jax", "jax-fori")
FORI_WORKLOADS = ("R",)       # where the whole run fits one compiled loop


def load(enabled: bool = True):
    """``jax`` with float64 enabled, or ``None`` (with a message) when it is missing."""
    if not enabled:
        print("JAX disabled (--no-jax): skipping the JAX columns.")
        return None
    try:
        import jax
    except ImportError:
        print("JAX is not installed (pip install 'lucidnet[bench]'): skipping the JAX columns.")
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def _weights(net):
    """lucidnet's ``(W, b)`` per layer, row-wise for JAX: ``W.T`` ``(d_in, d_out)``, ``b`` ``(d_out,)``."""
    return [(layer.params["W"].T.copy(), layer.params["b"].ravel().copy())
            for layer in net.layers[1:]]


def _logits(jax, params, X, hidden):
    """``Z[L]`` row-wise: ``A = hidden(A W + b)`` through the hidden layers, then ``A W + b``."""
    A = X
    for W, b in params[:-1]:
        A = hidden(A @ W + b)
    W, b = params[-1]
    return A @ W + b


def _bce(jax, params, X, Y):
    """``J = (1/N) sum_n [log(1 + exp(z_n)) - y_n z_n]``: BCE of ``sigmoid(z)``, from the logits."""
    z = _logits(jax, params, X, jax.nn.sigmoid)
    return jax.numpy.sum(jax.numpy.logaddexp(0.0, z) - Y * z) / X.shape[0]


def _cce(jax, params, X, labels):
    """``J = -(1/N) sum_n log softmax(z_n)[y_n]``: CCE of a softmax output, from the logits."""
    logp = jax.nn.log_softmax(_logits(jax, params, X, jax.nn.relu), axis=1)
    return -jax.numpy.take_along_axis(logp, labels[:, None], axis=1).sum() / X.shape[0]


def full_batch(jax, X, y, net, dtype, epochs, lr, idiom="jax"):
    """R and S: full-batch gradient descent on the sigmoid network ``net`` (lucidnet's weights)."""
    jnp = jax.numpy
    Xj = jnp.asarray(X, dtype=dtype)
    Yj = jnp.asarray(y.reshape(-1, 1), dtype=dtype)
    W0 = [(W.astype(dtype), b.astype(dtype)) for W, b in _weights(net)]
    grad = jax.grad(lambda p, X, Y: _bce(jax, p, X, Y))

    def update(params, X, Y):                    # theta <- theta - eta dJ/dtheta
        return jax.tree_util.tree_map(lambda theta, g: theta - lr * g, params, grad(params, X, Y))

    if idiom == "jax":
        step = jax.jit(update)

        def train(params):
            for _ in range(epochs):
                params = step(params, Xj, Yj)
            return params
        warm = step
    else:
        whole = jax.jit(lambda p, X, Y: jax.lax.fori_loop(0, epochs,
                                                          lambda i, q: update(q, X, Y), p))

        def train(params):
            return whole(params, Xj, Yj)
        warm = whole

    t0 = time.perf_counter()
    jax.block_until_ready(warm(jax.device_put(W0), Xj, Yj))   # trace + compile + one run
    compile_s = time.perf_counter() - t0

    def run():
        return jax.block_until_ready(train(jax.device_put(W0)))

    def evaluate(params):
        z = np.asarray(_logits(jax, params, Xj, jax.nn.sigmoid))
        cost = float(np.mean(np.logaddexp(0.0, z) - y.reshape(-1, 1) * z))
        return {"final_cost": cost, "train_acc": float(np.mean((z[:, 0] > 0) == (y > 0.5))),
                "compile_s": compile_s}

    return run, evaluate


def minibatch(jax, data, net, dtype, epochs, batch, seed, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """M: Adam on shuffled mini-batches; the batch's rows are gathered inside the jitted step."""
    jnp = jax.numpy
    Xtr, Xte, ytr, yte = data
    Xj, Xe = jnp.asarray(Xtr, dtype=dtype), jnp.asarray(Xte, dtype=dtype)
    yj = jnp.asarray(ytr)
    W0 = [(W.astype(dtype), b.astype(dtype)) for W, b in _weights(net)]
    grad = jax.grad(lambda p, X, labels: _cce(jax, p, X, labels))
    tmap = jax.tree_util.tree_map

    @jax.jit
    def step(params, m, v, t, idx):
        """One Adam step (the update of lucidnet's and torch's Adam) on the rows ``idx``."""
        g = grad(params, Xj[idx], yj[idx])
        m = tmap(lambda m, g: beta1 * m + (1 - beta1) * g, m, g)
        v = tmap(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, g)
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        params = tmap(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + eps), params, m, v)
        return params, m, v

    n = len(Xtr)
    sizes = sorted({min(batch, n - start) for start in range(0, n, batch)})

    def train():
        params = jax.device_put(W0)
        m = tmap(jnp.zeros_like, params)
        v = tmap(jnp.zeros_like, params)
        rng = np.random.default_rng(seed)
        t = 0
        for _ in range(epochs):
            perm = rng.permutation(n)
            for start in range(0, n, batch):
                t += 1
                params, m, v = step(params, m, v, float(t), perm[start:start + batch])
        return jax.block_until_ready(params)

    t0 = time.perf_counter()
    p0 = jax.device_put(W0)
    z0 = tmap(jnp.zeros_like, p0)
    for k in sizes:                              # one compilation per batch shape
        jax.block_until_ready(step(p0, z0, z0, 1.0, np.arange(k)))
    compile_s = time.perf_counter() - t0

    def evaluate(params):
        pred = np.asarray(_logits(jax, params, Xe, jax.nn.relu)).argmax(axis=1)
        return {"test_acc": float(np.mean(pred == yte)), "compile_s": compile_s}

    return train, evaluate
