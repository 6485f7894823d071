"""``lucidnet train`` options for seeing the learning: ``--animate`` and ``--diagnostics``.

One option group (:func:`add_visual_options`), the callbacks it asks for
(:func:`visual_callbacks`, installed only when an option is given, so a run
without them trains exactly as before) and the files they leave
(:func:`write_visual`).  Standard library only at module level.
"""

from __future__ import annotations

from ._options import positive_int


def add_visual_options(parser):
    g = parser.add_argument_group("seeing the learning")
    g.add_argument("--animate", action="store_true",
                   help="record the decision boundary during training and write it as "
                        "training.gif (and training.mp4 when ffmpeg is installed); 2-D data only")
    g.add_argument("--frames", type=positive_int, default=60, metavar="N",
                   help="about how many snapshots --animate takes (default: %(default)s)")
    g.add_argument("--diagnostics", action="store_true",
                   help="record per-layer gradient norms, update/weight ratios, saturated or "
                        "dead units and activation histograms; write diagnostics.png, "
                        "activations.png, hidden_units.png (2-D data) and the figures in "
                        "metrics.json")
    g.add_argument("--diagnostics-every", type=positive_int, default=10, metavar="K",
                   help="record the diagnostics every K epochs (default: %(default)s)")


def visual_callbacks(args, X, y, classification: bool = True) -> list:
    """The callbacks the options ask for; ``X`` row-wise ``(N, d0)``, ``y`` ``(N,)``."""
    from . import CommandError

    callbacks = []
    if getattr(args, "animate", False) and not classification:
        # its frames draw classes and a 0.5 contour: a regression's values are neither
        raise CommandError("--animate draws the decision boundary of a classifier; this is a "
                           "regression (use --diagnostics to see the hidden units)")
    if getattr(args, "animate", False):
        if X.shape[1] != 2:
            raise CommandError(f"--animate: the boundary animation needs 2-D data; this data "
                               f"set has {X.shape[1]} features")
        from ..plots.animation import BoundaryRecorder

        try:
            callbacks.append(BoundaryRecorder(X, y, frames=args.frames))
        except ValueError as exc:  # e.g. several regression targets per point
            raise CommandError(f"--animate: {exc}") from None
    if getattr(args, "diagnostics", False):
        from ..inspect.diagnostics import Diagnostics

        callbacks.append(Diagnostics(every=args.diagnostics_every))
    return callbacks


def _layer_figures(rec: dict) -> dict:
    """A layer's recorded figures as plain JSON (NaN, i.e. "does not apply", as null)."""
    from ..inspect.diagnostics import FIGURES

    plain = {key: rec[key] for key in ("name", "activation", "units")}
    plain.update({key: [None if v != v else v for v in rec[key]] for key in FIGURES})
    return plain


def write_visual(out, net, X, y, callbacks, title: str, announce=None,
                 kept_epoch=None) -> tuple[list[str], dict]:
    """Write the files of the recorders in ``callbacks``; return ``(file names, metrics)``.

    ``announce(text)`` is called before each step that takes seconds (drawing
    the GIF, the diagnostics), so a user does not stare at a silent terminal.
    ``kept_epoch``: the epoch whose weights early stopping restored (the GIF ends
    on a frame of them)."""
    announce = announce or (lambda text: None)
    from ..plots.animation import BoundaryRecorder, mp4_available
    from ..inspect.diagnostics import Diagnostics

    files, metrics = [], {}
    for cb in callbacks:
        if isinstance(cb, BoundaryRecorder):
            if kept_epoch is not None:  # early stopping restored an earlier epoch's weights
                cb.add_kept(net, kept_epoch)
            announce(f"writing training.gif ({len(cb.outputs)} frames) ...")
            cb.save(out / "training.gif", title_prefix=f"{title}\n")
            files.append("training.gif")
            if mp4_available():
                cb.save(out / "training.mp4", title_prefix=f"{title}\n")
                files.append("training.mp4")
        elif isinstance(cb, Diagnostics):
            from ..plots.diagnostics import (plateau_spans, plot_activation_histograms,
                                             plot_diagnostics, plot_hidden_units)

            announce("drawing diagnostics.png, activations.png ...")
            plot_diagnostics(cb, title=f"Inside the network: {title}",
                             save=out / "diagnostics.png")
            plot_activation_histograms(cb, title=f"Activations: {title}",
                                       save=out / "activations.png")
            files += ["diagnostics.png", "activations.png"]
            if X.shape[1] == 2:
                plot_hidden_units(net, X, y, title=f"Hidden units: {title}",
                                  save=out / "hidden_units.png")
                files.append("hidden_units.png")
            metrics = {"every": cb.every, "epochs": cb.epochs, "costs": cb.costs,
                       "plateaus": plateau_spans(cb.epochs, cb.costs),
                       "layers": {str(idx): _layer_figures(rec) for idx, rec in cb.layers.items()}}
    return files, metrics
