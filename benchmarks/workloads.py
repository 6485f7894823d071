"""The workloads R, S, M (and G's pieces) for lucidnet and each peer.

Each ``make_*`` function does the untimed set-up (data, initial weights) and
returns ``(run, evaluate)``: ``run()`` is what the clock measures (building
the model and training it, through each library's ordinary public API) and
``evaluate(model)`` computes the untimed sanity figures (final cost, accuracy)
that show every implementation did the same work.

Implementations: ``lucidnet``, ``sklearn`` (MLPClassifier), ``torch`` (CPU,
default thread count), ``torch-1t`` (CPU, one thread), and ``jax`` / ``jax-fori``
(:mod:`jax_peer`: a Python loop over a jitted step / the whole run in one
compiled loop).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

import jax_peer
from common import digits, moons

# ---------------------------------------------------------------- sizes


@dataclass
class Sizes:
    """Workload sizes; ``quick`` ones only keep the suite from rotting."""

    r_n: int = 1000
    r_epochs: int = 2000
    s_n: int = 100_000
    s_hidden: int = 256
    s_epochs: int = 20
    m_epochs: int = 50
    m_batch: int = 32
    g_every: int = 199


QUICK = Sizes(r_n=200, r_epochs=40, s_n=2000, s_hidden=32, s_epochs=2, m_epochs=1, g_every=9)
FULL = Sizes()

R_LR = 1.0
S_LR = 0.5
M_LR = 1e-3


def r_sizes():
    return [2, 16, 32, 1]


def s_sizes(sz: Sizes):
    return [2, sz.s_hidden, sz.s_hidden, 1]


# ---------------------------------------------------------------- lucidnet


def _lucid_net(sizes, dtype, activation="sigmoid", out="sigmoid", loss="bce", lr=1.0,
               optimizer="sgd", seed=0):
    from lucidnet import Dense, Input, NeuralNetwork

    layers = [Input("x", sizes[0])]
    for i, d in enumerate(sizes[1:-1], start=1):
        layers.append(Dense(f"h{i}", d, activation=activation))
    layers.append(Dense("out", sizes[-1], activation=out))
    return NeuralNetwork(layers, loss_fn=loss, lr=lr, optimizer=optimizer, seed=seed,
                         dtype=dtype)


def initial_weights(sizes, seed=0):
    """lucidnet's initial ``(W, b)`` per layer (float64), shared with the torch peer."""
    net = _lucid_net(sizes, "float64", seed=seed)
    return [(layer.params["W"].copy(), layer.params["b"].copy()) for layer in net.layers[1:]]


def lucid_full_batch(X, y, sizes, dtype, epochs, lr, X_eval=None, print_every=0):
    """R and S: ``NeuralNetwork(...).fit(X.T, y, epochs, print_every=0)``; the memory
    sweep's ``lucidnet-printing`` leaves fit's default print checkpoints on (100)."""
    from lucidnet import Dense, Input, NeuralNetwork, bce_cost

    def run():
        layers = [Input("x", sizes[0])]
        layers += [Dense(f"h{i}", d) for i, d in enumerate(sizes[1:-1], start=1)]
        layers.append(Dense("out", sizes[-1]))
        net = NeuralNetwork(layers, loss_fn=bce_cost, lr=lr, dtype=dtype)
        net.fit(X.T, y, epochs=epochs, print_every=print_every)  # as the README calls it
        return net

    def evaluate(net):
        return {"final_cost": net.loss(X.T, y), "train_acc": float(net.score(X.T, y))}

    return run, evaluate


def lucid_minibatch(data, dtype, epochs, batch, seed):
    """M: digits, 64-128-64-10 ReLU + softmax, Adam, mini-batches."""
    Xtr, Xte, ytr, yte = data

    def run():
        net = _lucid_net([64, 128, 64, 10], dtype, activation="relu", out="softmax",
                         loss="cce", lr=M_LR, optimizer="adam", seed=seed)
        net.fit(Xtr.T, ytr, epochs=epochs, batch_size=batch, print_every=0)  # as users call it
        return net

    def evaluate(net):
        return {"test_acc": float(net.score(Xte.T, yte))}

    return run, evaluate


# ---------------------------------------------------------------- scikit-learn


def _quiet_fit(model, X, y):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def sk_full_batch(X, y, sizes, dtype, epochs, lr):
    """MLPClassifier with the same network and full-batch plain gradient descent."""
    from sklearn.neural_network import MLPClassifier

    Xd = X.astype(dtype)

    def run():
        model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="logistic",
                              solver="sgd", learning_rate="constant", learning_rate_init=lr,
                              momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                              batch_size=len(Xd), max_iter=epochs, shuffle=False, tol=0.0,
                              n_iter_no_change=epochs + 1, random_state=0)
        return _quiet_fit(model, Xd, y)

    def evaluate(model):
        return {"final_cost": float(model.loss_), "train_acc": float(model.score(Xd, y))}

    return run, evaluate


def sk_minibatch(data, dtype, epochs, batch, seed):
    from sklearn.neural_network import MLPClassifier

    Xtr, Xte, ytr, yte = (a.astype(dtype) if a.dtype.kind == "f" else a for a in data)

    def run():
        model = MLPClassifier(hidden_layer_sizes=(128, 64), activation="relu", solver="adam",
                              alpha=0.0, batch_size=batch, learning_rate_init=M_LR,
                              max_iter=epochs, shuffle=True, tol=0.0,
                              n_iter_no_change=epochs + 1, random_state=seed)
        return _quiet_fit(model, Xtr, ytr)

    def evaluate(model):
        return {"test_acc": float(model.score(Xte, yte))}

    return run, evaluate


# ---------------------------------------------------------------- PyTorch


def _tdtype(torch, dtype):
    return {"float64": torch.float64, "float32": torch.float32}[np.dtype(dtype).name]


def _torch_mlp(torch, sizes, act, dtype):
    nn = torch.nn
    mods = []
    for l in range(1, len(sizes)):
        mods.append(nn.Linear(sizes[l - 1], sizes[l]))
        if l < len(sizes) - 1:
            mods.append(act())
    return nn.Sequential(*mods).to(_tdtype(torch, dtype))


def torch_full_batch(torch, X, y, sizes, dtype, epochs, lr, weights):
    """The same network in PyTorch, the same initial weights, BCE on the logits."""
    td = _tdtype(torch, dtype)
    Xt = torch.as_tensor(X, dtype=td)
    Yt = torch.as_tensor(y.reshape(-1, 1), dtype=td)
    Ws = [(torch.as_tensor(W, dtype=td), torch.as_tensor(b.ravel(), dtype=td))
          for W, b in weights]

    def run():
        model = _torch_mlp(torch, sizes, torch.nn.Sigmoid, dtype)
        with torch.no_grad():
            for lin, (W, b) in zip(model[::2], Ws):
                lin.weight.copy_(W)
                lin.bias.copy_(b)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for _ in range(epochs):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt), Yt)
            loss.backward()
            opt.step()
        return model

    def evaluate(model):
        with torch.no_grad():
            logits = model(Xt)
            cost = float(torch.nn.functional.binary_cross_entropy_with_logits(logits, Yt))
            acc = float(((logits > 0).to(td) == Yt).to(torch.float64).mean())
        return {"final_cost": cost, "train_acc": acc}

    return run, evaluate


def torch_minibatch(torch, data, dtype, epochs, batch, seed):
    """Digits in PyTorch: index-sliced mini-batches (faster than a DataLoader here)."""
    td = _tdtype(torch, dtype)
    Xtr, Xte, ytr, yte = data
    Xt, Xe = torch.as_tensor(Xtr, dtype=td), torch.as_tensor(Xte, dtype=td)
    yt, ye = torch.as_tensor(ytr, dtype=torch.long), torch.as_tensor(yte, dtype=torch.long)
    n = len(Xt)

    def run():
        torch.manual_seed(seed)
        model = _torch_mlp(torch, [64, 128, 64, 10], torch.nn.ReLU, dtype)
        opt = torch.optim.Adam(model.parameters(), lr=M_LR)
        loss_fn = torch.nn.CrossEntropyLoss()
        gen = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
        return model

    def evaluate(model):
        with torch.no_grad():
            return {"test_acc": float((model(Xe).argmax(1) == ye).to(torch.float64).mean())}

    return run, evaluate


# ---------------------------------------------------------------- dispatch


def supports(impl, workload) -> bool:
    """Whether ``impl`` has a version of ``workload`` (``jax-fori``: full batch R only)."""
    return impl != "jax-fori" or workload in jax_peer.FORI_WORKLOADS


def make(impl, workload, dtype, sz: Sizes, torch=None, seed=0, jax=None):
    """``(run, evaluate)`` for one implementation, workload (R, S, M) and dtype."""
    if workload in ("R", "S"):
        if workload == "R":
            X, y = moons(sz.r_n)
            sizes, epochs, lr = r_sizes(), sz.r_epochs, R_LR
        else:
            X, y = moons(sz.s_n)
            sizes, epochs, lr = s_sizes(sz), sz.s_epochs, S_LR
        if impl == "lucidnet":
            return lucid_full_batch(X, y, sizes, dtype, epochs, lr)
        if impl == "sklearn":
            return sk_full_batch(X, y, sizes, dtype, epochs, lr)
        if impl.startswith("jax"):
            return jax_peer.full_batch(jax, X, y, _lucid_net(sizes, "float64"), dtype, epochs,
                                       lr, idiom=impl)
        return torch_full_batch(torch, X, y, sizes, dtype, epochs, lr, initial_weights(sizes))
    if workload == "M":
        data = digits()
        if impl == "lucidnet":
            return lucid_minibatch(data, dtype, sz.m_epochs, sz.m_batch, seed)
        if impl == "sklearn":
            return sk_minibatch(data, dtype, sz.m_epochs, sz.m_batch, seed)
        if impl == "jax":
            net = _lucid_net([64, 128, 64, 10], "float64", activation="relu", out="softmax",
                             loss="cce", seed=seed)           # lucidnet's initial weights
            return jax_peer.minibatch(jax, data, net, dtype, sz.m_epochs, sz.m_batch, seed,
                                      M_LR)
        return torch_minibatch(torch, data, dtype, sz.m_epochs, sz.m_batch, seed)
    raise ValueError(f"unknown workload {workload!r}")
