"""What ``lucidnet train`` reports: the summary, ``metrics.json`` and the plots."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["grad_check_summary", "summary_lines", "write_metrics", "write_plots"]


def grad_check_summary(grad_checks) -> list[dict]:
    """Worst relative error per layer over all checks: ``net.grad_checks`` -> rows.

    ``grad_checks`` is the list of ``(epoch, [GradCheckReport, ...])`` that
    ``fit(grad_check_every=k)`` fills.  One row per layer with parameters::

        {"layer_idx": 1, "layer_name": "h1", "passed": True, "checks": 11,
         "worst_rel_error": 3.1e-09, "worst_param": "W", "worst_epoch": 995,
         "tol": 1e-4, "method": "directional"}
    """
    rows: dict[int, dict] = {}
    for epoch, reports in grad_checks:
        for r in reports:
            row = rows.setdefault(r.layer_idx, {
                "layer_idx": r.layer_idx, "layer_name": r.layer_name, "passed": True,
                "checks": 0, "worst_rel_error": -1.0, "worst_param": None,
                "worst_epoch": None, "tol": r.tol, "method": r.method})
            row["checks"] += 1
            row["kinks"] = row.get("kinks", 0) + int(getattr(r, "kinks", 0))
            if not r.passed and row["passed"]:  # the first failure, for the summary
                row.update(failed_param=r.param, failed_epoch=int(epoch))
            row["passed"] = row["passed"] and bool(r.passed)
            if r.max_rel_error > row["worst_rel_error"]:
                row.update(worst_rel_error=float(r.max_rel_error), worst_param=r.param,
                           worst_epoch=int(epoch))
    return [rows[k] for k in sorted(rows)]


def _cost_text(cost: float) -> str:
    """Six decimals, as the epoch lines print it; a huge cost (a penalty of 1e300) in
    six significant digits instead of three hundred."""
    return f"{cost:.6f}" if abs(cost) < 1e6 else f"{cost:.6g}"


def _weights_text(result: dict) -> str:
    """Which weights the final cost is of: the last epoch's, or the restored best epoch's."""
    last = result["epochs_run"] - 1
    best = (result.get("early_stopping") or {}).get("best_epoch")
    if best is None or best == last:
        return f"after epoch {last}"
    return f"weights of epoch {best}, kept by early stopping; training ran to epoch {last}"


def summary_lines(result: dict) -> list[str]:
    """The final summary printed by ``lucidnet train``."""
    lines = ["", "Summary",
             f"  network        {result['architecture_text']}  ({result['n_params']} parameters)",
             f"  data           {result['data_text']}",
             f"  seeds          init seed {result['seed']}, data seed {result['data_seed']}",
             f"  final cost     {_cost_text(result['final_cost'])}  ({_weights_text(result)})"]
    if result.get("accuracy") is not None:
        lines.append(f"  accuracy       {result['accuracy']:.4f}  (training set)")
    if set(result.get("figures", {})) - {"train"}:  # validation or test parts: all figures
        from ._nextsteps import summary_lines as part_lines

        lines += part_lines(result)
    lines.append(f"  wall time      {result['wall_time_s']:.2f} s")
    checks = result["grad_check_summary"]
    if checks:
        epochs = result["grad_check_epochs"]
        shown = ", ".join(map(str, epochs[:6])) + (", ..." if len(epochs) > 6 else "")
        lines.append(f"  gradient check {checks[0]['method']}, {len(epochs)} times "
                     f"(epochs {shown}), |error| <= atol + {checks[0]['tol']:g} |grad|:")
        for row in checks:
            verdict = "PASS" if row["passed"] else "FAIL"
            kinks = (f"; {row['kinks']} example(s) crossed a kink and were left out"
                     if row.get("kinks") else "")
            lines.append(f"    layer {row['layer_idx']} ({row['layer_name']}): {verdict}  "
                         f"worst error / |grad| {row['worst_rel_error']:.2e} "
                         f"({row['worst_param']}, epoch {row['worst_epoch']}){kinks}")
    else:
        lines.append("  gradient check off (--grad-check-every 0)")
    if result.get("files"):
        lines.append(f"  outputs        {result['out']}/: " + ", ".join(result["files"]))
    lines += alarm_lines(result)
    return lines


def alarm_lines(result: dict) -> list[str]:
    """What must not be missed, last: a failed gradient check, divergence, a poor result."""
    lines = []
    failed = [row for row in result.get("grad_check_summary", []) if not row["passed"]]
    if failed:
        first = failed[0]
        lines += ["", f"GRADIENT CHECK FAILED for layer {first['layer_idx']} "
                  f"({first['layer_name']}) {first['failed_param']} at epoch "
                  f"{first['failed_epoch']}: backprop does not match central differences "
                  "(every failed check is in metrics.json, grad_checks). The run's results "
                  "were kept; --strict-grad-check makes this exit with status 1."]
    for row in result.get("diagnosis") or []:
        lines.append(f"diagnosis: {row['text']}")
    return lines


def write_metrics(path: Path, result: dict) -> None:
    """``metrics.json``: everything in ``result`` that is plain data."""
    from ..atomic_files import atomic_write

    keep = {k: v for k, v in result.items() if not k.endswith("_text")}
    text = json.dumps(keep, indent=2, allow_nan=False)
    atomic_write(path, lambda fh: fh.write((text + "\n").encode()))


def user_units(ds):
    """``(to_user, to_model)``: row-wise maps between the model's (standardized) inputs
    and the user's units, from the data set's stored standardization."""
    import numpy as np

    stats = ds.standardization
    if not stats:
        return (lambda X: X), (lambda X: X)
    mean, scale = np.asarray(stats["mean"]), np.asarray(stats["scale"])
    return (lambda X: X * scale + mean), (lambda X: (X - mean) / scale)


def write_plots(out: Path, net, ds, title: str, best_epoch=None,
                cost_label: str = "cost J") -> list[str]:
    """Dataset and decision boundary (2-D classification), or the fitted surface (a
    regression on two features), in the user's units with the column and class
    names, test points as triangles; the loss curve from ``net.history`` (train and
    validation, the kept epoch marked; ``cost_label`` up its y axis).  Returns the
    file names."""
    from ..plots.boundary import plot_decision_boundary, plot_loss_curve, visualize_dataset

    from ..atomic_files import sigint_hook

    files = []
    if ds.X_train.shape[1] == 2 and not ds.is_classification:
        files.append(_write_surface(out, net, ds, title))
    if ds.X_train.shape[1] == 2 and ds.is_classification:
        to_user, to_model = user_units(ds)
        toy = ds.standardization is None and list(ds.feature_names) == ["x1", "x2"]
        shown = dict(feature_names=None if toy else list(ds.feature_names),
                     class_names=None if toy else [str(c) for c in ds.class_labels],
                     X_test=None if ds.X_test is None else to_user(ds.X_test), y_test=ds.y_test)
        X = to_user(ds.X_train)
        parts = " (circles: training part, triangles: test part)" if ds.X_test is not None else ""
        visualize_dataset(X, ds.y_train, title=f"Data: {title}{parts}", save=out / "dataset.png",
                          **shown)
        files.append("dataset.png")
        sigint_hook("plots")  # tests: Ctrl-C while the pictures are drawn
        def predict(G):  # the user's units in, the model's standardized units inside
            return net.predict_proba(to_model(G).T).T               # (M, dL)

        plot_decision_boundary(predict, X, ds.y_train, title=f"Decision boundary: {title}",
                               save=out / "decision_boundary.png", **shown)
        files.append("decision_boundary.png")
    if net.history.get("loss"):
        plot_loss_curve(net.history, title=f"Cost per epoch: {title}", log_scale="auto",
                        best_epoch=best_epoch, ylabel=cost_label, save=out / "loss_curve.png")
        files.append("loss_curve.png")
    return files


def _write_surface(out: Path, net, ds, title: str) -> str:
    """``fitted_surface.png``: the prediction over the two features, in the user's
    units (features and target), the training and test points on the same scale."""
    from ..plots.surface import plot_regression_surface

    to_user, to_model = user_units(ds)
    parts = "\n(circles: training part, triangles: test part)" if ds.X_test is not None else ""

    def predict(G):  # the user's units in and out; standardized inside
        return net.predict(to_model(G).T).T                         # (M, 1)

    plot_regression_surface(predict, to_user(ds.X_train), ds.y_train,
                            title=f"Fitted surface: {title}{parts}",
                            feature_names=list(ds.feature_names), target_name=ds.target,
                            X_test=None if ds.X_test is None else to_user(ds.X_test),
                            y_test=ds.y_test, save=out / "fitted_surface.png")
    return "fitted_surface.png"
