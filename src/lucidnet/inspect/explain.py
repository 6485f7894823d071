"""Explain mode: the network as a table, as equations, and as gradient-check verdicts.

- :func:`summary`: one row per layer (kind, units, activation, shapes of
  ``W[l]`` and ``b[l]``, parameter count).
- :func:`explain`: the forward and backward equations of *this* network, each
  with the shapes of its operands, e.g. ``Z[2] = W[2] (32x16) @ A[1] (16xN) +
  b[2] (32x1)``.  The shapes are read from the arrays a real forward and
  backward pass produced on ``X``, so the printout cannot drift from the code.
- :func:`gradcheck_table`: :class:`~lucidnet.gradcheck.GradCheckReport`
  objects as a table (layer, parameter, largest relative error, worst entry,
  both gradients there, verdict).

``l`` in ``W[l]`` is the layer's position in ``net.layers`` (the input layer
is 0), the same index ``grad_check(layer_idx=...)`` takes.  Every function
returns a :class:`Text`, a ``str`` that displays as itself in a notebook.
NumPy only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Text", "summary", "explain", "gradcheck_table"]


class Text(str):
    """A ``str`` whose ``repr`` is the text itself, so a notebook cell shows the table."""

    def __repr__(self) -> str:
        return str(self)


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)


def _table(header, rows) -> list[str]:
    """Left-aligned columns separated by two spaces, with a rule under the header."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return lines


def summary(net) -> Text:
    """A table of the layers of ``net``: kind, units, activation, shapes, parameters.

    Returns
    -------
    Text
        The table, followed by the total parameter count, the loss and the
        optimizer.

    Example
    -------
    >>> from lucidnet import NeuralNetwork, Input, Dense
    >>> print(summary(NeuralNetwork([Input("x", 2), Dense("out", 1)])))  # doctest: +SKIP
    """
    rows = []
    for idx, layer in enumerate(net.layers):
        activation = getattr(getattr(layer, "activation", None), "name", "-")
        W, b = layer.params.get("W"), layer.params.get("b")
        extra = f"rate {layer.rate:g}" if hasattr(layer, "rate") else ""
        rows.append([idx, layer.name, type(layer).__name__, layer.units, activation,
                     _shape(W.shape) if W is not None else "-",
                     _shape(b.shape) if b is not None else "-",
                     sum(p.size for p in layer.params.values()), extra])
    lines = _table(["l", "name", "kind", "units", "activation", "W[l]", "b[l]", "params", ""],
                   rows)
    penalty = "".join(f", {k} {getattr(net, k):g}" for k in ("l2", "l1") if getattr(net, k))
    lines.append(f"total parameters: {net.n_params}   loss: {net.loss_obj.name}   "
                 f"optimizer: {net.optimizer!r}   dtype: {net.dtype}{penalty}")
    return Text("\n".join(lines))


def _backward_lines(net, fused: bool) -> list[str]:
    """The backward-pass equations, from the output layer down to layer 1."""
    last = len(net.layers) - 1
    out = net.layers[last]
    dL = f"{out.units}xN"
    if not out.params:  # a Dropout after the output layer: the loss sees the dropped A
        lines = [f"dA[{last}] = dloss/dA[{last}] ({dL})   "
                 f"derivative of {net.loss_obj.name} at Yhat = A[{last}]"]
    elif fused:
        name = out.activation.name
        lines = [f"Delta[{last}] = A[{last}] ({dL}) - Y ({dL})   "
                 f"fused {name} + {net.loss_obj.name}: no {name}' factor"]
    else:
        name = out.activation.name
        lines = [f"dA[{last}] = dloss/dA[{last}] ({dL})   "
                 f"derivative of {net.loss_obj.name} at Yhat = A[{last}]"]
        if name == "softmax":
            lines.append(f"Delta[{last}] = A[{last}] * (dA[{last}] - sum_k A[{last}] * "
                         f"dA[{last}]) ({dL})   softmax Jacobian applied to dA")
        else:
            lines.append(f"Delta[{last}] = dA[{last}] ({dL}) * {name}'(Z[{last}]) ({dL})")
    for idx in range(last, 0, -1):
        layer, below = net.layers[idx], net.layers[idx - 1]
        d_l, d_prev = layer.units, below.units
        if not layer.params:  # Dropout: the same mask M carries the signal down
            lines.append(f"dA[{idx - 1}] = dA[{idx}] ({d_l}xN) * M[{idx}] ({d_l}xN)"
                         "   dropout mask of the forward pass")
            continue
        if idx != last:
            above = net.layers[idx + 1]
            dA = (f"dA[{idx}] ({d_l}xN)" if not above.params else
                  f"(W[{idx + 1}].T ({d_l}x{above.units}) @ Delta[{idx + 1}] "
                  f"({above.units}xN))")
            lines.append(f"Delta[{idx}] = {dA} * {layer.activation.name}'(Z[{idx}]) "
                         f"({d_l}xN)   -> ({d_l}xN)")
        lines.append(f"dW[{idx}] = (1/N) Delta[{idx}] ({d_l}xN) @ A[{idx - 1}].T "
                     f"(Nx{d_prev})   -> ({d_l}x{d_prev})")
        lines.append(f"db[{idx}] = (1/N) sum_n Delta[{idx}] ({d_l}xN)   -> ({d_l}x1)")
        if idx > 1 and not below.params:  # the Dropout below needs dA written out
            lines.append(f"dA[{idx - 1}] = W[{idx}].T ({d_prev}x{d_l}) @ Delta[{idx}] "
                         f"({d_l}xN)   -> ({d_prev}xN)")
    if net.l2 or net.l1:
        terms = " + ".join(t for t, on in (("(l2/N) W[l]", net.l2),
                                           ("(l1/N) sign(W[l])", net.l1)) if on)
        lines.append(f"dW[l] += {terms}   penalty, every layer")
    return lines


def explain(net, X, y=None) -> Text:
    """The forward and backward equations of ``net`` with the shapes they have on ``X``.

    Runs one forward pass on ``X`` (``(d0, N)``, column-wise) and, when ``y`` is
    given, one backward pass as well, then writes each equation with the shapes
    of the arrays involved; ``N`` stands for the number of examples.  With
    ``y`` the cost J and the norm of every gradient are shown too.

    The pass runs on a copy of ``net``: its caches, gradients and random
    stream are left as they were.

    Returns
    -------
    Text
        The equations, one per line.

    Notes
    -----
    Forward: ``Z[l] = W[l] @ A[l-1] + b[l]``, ``A[l] = sigma(Z[l])``.  Backward:
    ``Delta[L] = A[L] - Y`` for a fused pair, ``dW[l] = (1/N) Delta[l] @ A[l-1].T``,
    ``db[l] = (1/N) sum_n Delta[l]``, ``Delta[l-1] = (W[l].T @ Delta[l]) * sigma'(Z[l-1])``.
    """
    import copy

    net = copy.deepcopy(net)  # the caller's caches, gradients and Generator stay untouched
    Xc = net.check_inputs(X)
    N = Xc.shape[1]
    if y is not None:
        net.backward(Xc, y)  # also runs the forward pass (training mode)
        Y = net.check_targets(y, N)
        cost = net.cost_of_last_forward(Y)
    else:
        net.forward(Xc)
    last = len(net.layers) - 1
    out = net.layers[last]
    fused = net.fused_output

    lines = [f"{type(net).__name__}: input + {len(net.layers) - 1} layer(s), "
             f"{net.n_params} parameters; N = {N} examples, one per column", "",
             "Forward pass"]
    lines.append(f"A[0] = X ({net.layers[0].units}xN)")
    for idx in range(1, last + 1):
        layer = net.layers[idx]
        d_l, d_prev = layer.units, net.layers[idx - 1].units
        if not layer.params:
            lines.append(f"A[{idx}] = A[{idx - 1}] ({d_prev}xN) * M[{idx}] ({d_l}xN)"
                         f"   dropout in training, identity in prediction")
            continue
        W, b = layer.params["W"], layer.params["b"]
        assert layer.A.shape == (d_l, N)  # the printout is read off real arrays
        lines.append(f"Z[{idx}] = W[{idx}] ({_shape(W.shape)}) @ A[{idx - 1}] ({d_prev}xN) "
                     f"+ b[{idx}] ({_shape(b.shape)})   -> ({d_l}xN)")
        lines.append(f"A[{idx}] = {layer.activation.name}(Z[{idx}])   -> ({d_l}xN)")
    lines.append(f"Yhat = A[{last}] ({out.units}xN)")
    lines += ["", "Cost"]
    penalty = " + (l2/2N) sum W**2" if net.l2 else ""
    penalty += " + (l1/N) sum |W|" if net.l1 else ""
    J = f" = {cost:.6g}" if y is not None else ""   # 6 digits, also near 0 (4.03987e-05)
    lines.append(f"J = (1/N) sum_n {net.loss_obj.name}(y_n, yhat_n){penalty}{J}"
                 f"   (summed over the {out.units} output unit(s))")
    lines += ["", "Backward pass (Delta[l] = dJ/dZ[l] per example)"]
    lines += _backward_lines(net, fused)
    lines += ["", "Update (" + repr(net.optimizer) + ")"]
    if net.optimizer.name == "sgd":
        lines.append("W[l] -= lr * dW[l];  b[l] -= lr * db[l]   for every layer l")
    else:
        lines.append(f"W[l], b[l] updated by {net.optimizer.name} from dW[l], db[l] "
                     "and its own state")
    if y is not None:
        lines += ["", "Gradient norms on this batch"]
        for key, theta, grad in net.parameters():
            lines.append(f"|d{key.split('.')[1]}[{key.split('.')[0]}]| = "
                         f"{float(np.linalg.norm(grad)):.3e}   "
                         f"(|{key.split('.')[1]}| = {float(np.linalg.norm(theta)):.3e})")
    return Text("\n".join(lines))


def gradcheck_table(reports) -> Text:
    """Gradient-check reports as a table: one row per layer and parameter.

    Parameters
    ----------
    reports : iterable of GradCheckReport, or of ``(epoch, [GradCheckReport, ...])``
        What ``net.check_gradients`` returns, or ``net.grad_checks`` (the
        checks ``fit(grad_check_every=k)`` recorded, then an epoch column is added).

    Returns
    -------
    Text
        Columns: layer, name, param, method, max rel. error, worst entry,
        backprop and numerical gradient there, verdict (PASS/FAIL against the
        report's tolerance); then a one-line verdict for all.
    """
    flat = []
    for item in reports:
        if isinstance(item, tuple) and len(item) == 2 and not hasattr(item, "passed"):
            flat += [(item[0], r) for r in item[1]]
        else:
            flat.append((None, item))
    if not flat:
        raise ValueError("gradcheck_table needs at least one GradCheckReport")
    with_epoch = any(epoch is not None for epoch, _ in flat)
    rows = []
    for epoch, r in flat:
        where = f"{r.param}{list(r.index)}" if r.index is not None else "(one direction)"
        row = [r.layer_idx, r.layer_name, r.param, r.method, f"{r.max_rel_error:.2e}", where,
               f"{r.analytic:+.6e}", f"{r.numeric:+.6e}",
               ("PASS" if r.passed else "FAIL") + f" (tol {r.tol:g})"]
        rows.append(([epoch] if with_epoch else []) + row)
    header = ["layer", "name", "param", "method", "max rel err", "worst entry", "backprop",
              "numerical", "verdict"]
    lines = _table((["epoch"] if with_epoch else []) + header, rows)
    failed = sum(not r.passed for _, r in flat)
    lines.append(f"{len(flat) - failed} of {len(flat)} checks passed" +
                 ("" if not failed else f"; {failed} FAILED"))
    return Text("\n".join(lines))
