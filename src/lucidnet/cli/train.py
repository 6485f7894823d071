"""``lucidnet train``: train a network; write plots, model and metrics.

With no options this is the notebook's reference run: two moons (1000 samples,
noise 0.2, data seed 42), network 2-16-32-1 with sigmoid everywhere, BCE,
lr 1.0, 2000 full-batch epochs, cost every 100 epochs, gradient check every
199 epochs.

Options come in groups, one function per feature (``OPTION_GROUPS``); a new
feature adds its own group function to that list and reads its options in
:func:`build_network` / :func:`fit_options` / :func:`make_callbacks`.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from . import CommandError
from . import _nextsteps as nextsteps
from ._checkpointing import (add_checkpoint_options, fit_or_resume, model_kept, outputs_now,
                             what_was_kept)
from ._visual import add_visual_options, visual_callbacks, write_visual
from ._scope import refuse_options_that_do_not_apply
from ._options import int_list, non_negative_float, non_negative_int, positive_float, positive_int

ORDER = 10
DATASETS = nextsteps.TOY_DATASETS + nextsteps.REAL_DATASETS
DEFAULT_OUT = "lucidnet-run"


# ------------------------------------------------------------------ options
def add_data_options(parser):
    g = parser.add_argument_group("data")
    g.add_argument("--dataset", choices=DATASETS, default=None,
                   help="toy data set: two half-moons, concentric circles, Gaussian blobs, "
                        "XOR, spirals; or a real data set: iris, wine, breast_cancer, digits "
                        "(default: moons)")
    g.add_argument("--n-samples", type=positive_int, default=1000, metavar="N",
                   help="number of points (default: %(default)s)")
    g.add_argument("--noise", type=non_negative_float, default=0.2,
                   help="noise standard deviation (for blobs: cluster spread) "
                        "(default: %(default)s)")
    g.add_argument("--data-seed", type=non_negative_int, default=42, metavar="SEED",
                   help="seed of the data generator (default: %(default)s)")


def add_network_options(parser):
    g = parser.add_argument_group("network")
    g.add_argument("--layers", type=int_list, default=[16, 32], metavar="SIZES",
                   help="hidden layer sizes, comma-separated; input and output sizes "
                        "come from the data (default: 16,32, i.e. 2-16-32-1)")
    g.add_argument("--seed", type=non_negative_int, default=0,
                   help="seed of the network's random generator: weights, shuffling "
                        "(default: %(default)s)")


def add_training_options(parser):
    g = parser.add_argument_group("training")
    g.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate eta (default by task and optimizer: classification "
                        "sgd 1.0 (spirals, circles: 4.0), momentum/nesterov 1.0, "
                        "rmsprop/adam/adamw 0.03; regression sgd 0.1, momentum/nesterov "
                        "0.05, rmsprop 0.001, adam/adamw 0.01)")
    g.add_argument("--epochs", type=positive_int, default=2000,
                   help="passes over the data (default: %(default)s)")
    g.add_argument("--print-every", type=non_negative_int, default=100, metavar="K",
                   help="record and print the cost after epochs 0, K, 2K, ...; "
                        "0 records nothing (default: %(default)s)")
    g.add_argument("--grad-check-every", type=non_negative_int, default=199, metavar="K",
                   help="check backprop against central differences (one direction per "
                        "parameter tensor) at epochs 0, K, 2K, ...; 0 turns it off "
                        "(default: %(default)s). A failed check is reported in the summary "
                        "and metrics.json, and the run goes on")
    g.add_argument("--strict-grad-check", action="store_true",
                   help="exit with status 1 when a gradient check failed (the model, "
                        "plots and metrics.json are still written)")


def add_output_options(parser):
    g = parser.add_argument_group("output")
    g.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), metavar="DIR",
                   help="folder for the plots, model.npz and metrics.json; created if "
                        "missing; an earlier run's results in it are replaced as a whole, "
                        "one run at a time (default: ./%(default)s)")
    g.add_argument("--quiet", action="store_true",
                   help="no progress bar and no cost log; print only the summary")
    g.add_argument("--no-plots", action="store_true",
                   help="do not draw the PNG plots (faster; matplotlib is not imported)")


OPTION_GROUPS = [add_data_options, nextsteps.add_data_source_options, add_network_options,
                 nextsteps.add_model_options, add_training_options, nextsteps.add_fit_options,
                 add_output_options, add_visual_options, add_checkpoint_options]


def register(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a network on toy data (no options: the reference run)",
        description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1].replace("\n", " "))
    for add_group in OPTION_GROUPS:
        add_group(parser)
    parser.set_defaults(func=run)
    return parser


# ------------------------------------------------------------------ steps
def load_data(args):
    """A :class:`lucidnet.data.Dataset`: row-wise ``X_train`` ``(N, d0)``, ``y_train``
    ``(N,)`` and a test part (toy data: none unless ``--test-split``)."""
    return nextsteps.load_data(args)


def build_network(args, n_features: int, ds):
    """The network ``n_features - layers... - outputs``; by default sigmoid, BCE,
    plain descent (the reference run)."""
    return nextsteps.build_network(args, n_features, ds)


def fit_options(args) -> dict:
    """Extra keyword arguments for ``fit`` (batch size, early stopping, schedule, ...)."""
    return nextsteps.fit_options(args)


def make_callbacks(args) -> list:
    from ._progress import CurveSampler, ProgressBar

    # the per-epoch figures of loss_curve.png (validation runs record every epoch anyway),
    # read from the step's own forward pass when that pass is an inference pass of all
    # the data and the cost has no penalty (see CurveSampler)
    from_step = not (args.batch_size or args.dropout or args.l1 or args.l2 or args.schedule)
    callbacks = [] if args.no_plots or args.val_split else \
        [CurveSampler(args.epochs, from_step=from_step, print_every=args.print_every)]
    if args.quiet:
        return callbacks
    # the bar redraws itself with carriage returns: only a terminal shows it as
    # one line; in a redirected log it would be hundreds of half-lines
    return [ProgressBar(args.print_every, bar=sys.stderr.isatty()), *callbacks]


def architecture_text(net) -> str:
    """``2-16-32-1 sigmoid, loss bce, SGD(lr=1.0)``; the activations in layer order
    (``tanh hidden, softmax output`` when they differ), dropout said in words."""
    dense = [layer for layer in net.layers[1:] if hasattr(layer, "activation")]
    sizes = "-".join(str(layer.units) for layer in [net.layers[0], *dense])
    hidden = list(dict.fromkeys(layer.activation.name for layer in dense[:-1]))
    output = dense[-1].activation.name
    acts = output if hidden in ([], [output]) else f"{'/'.join(hidden)} hidden, {output} output"
    rates = sorted({layer.rate for layer in net.layers if type(layer).__name__ == "Dropout"})
    dropout = f", dropout {'/'.join(f'{r:g}' for r in rates)}" if rates else ""
    return f"{sizes} {acts}{dropout}, loss {net.loss_obj.name}, {net.optimizer!r}"


def _restored_epoch(result, epochs_run):
    """The epoch early stopping restored, if it is not the last one run."""
    best = (result["early_stopping"] or {}).get("best_epoch")
    return best if best is not None and best != epochs_run - 1 else None


# ------------------------------------------------------------------ run
def run(args) -> int:
    from ._outputs import output_folder

    refuse_options_that_do_not_apply(args)                   # before the folder is made
    with output_folder(args.out) as out:                     # one run at a time in OUT
        before = outputs_now(args, out)
        try:
            return _run(args, out)
        except KeyboardInterrupt:  # the moments that print no message of their own
            print(f"\nlucidnet train: interrupted; {what_was_kept(args, out, before)}",
                  file=sys.stderr)
            raise SystemExit(130) from None


def _run(args, out: Path) -> int:
    from ..atomic_files import sigint_hook
    from ..errors import TrainingDiagnosis
    from ..training.interrupt import deferred_interrupts
    from ._report import summary_lines, write_metrics, write_plots

    ds = load_data(args)                                     # row-wise train/test parts
    net = build_network(args, ds.X_train.shape[1], ds)
    net.preprocessing = ds.preprocessing()                   # for 'lucidnet predict'
    fit_ds = nextsteps.standardize_target(args, net, ds)     # regression: (y - mean) / std
    X, Y, Xv, Yv = nextsteps.split_validation(args, net, fit_ds)  # column-wise (d0, N), (dL, N)
    validation = {} if Xv is None else {"validation_data": (Xv, Yv)}
    recorders = visual_callbacks(args, ds.X_train, ds.y_train,  # --animate/--diagnostics
                                 classification=ds.is_classification)
    target_stats = net.preprocessing.get("target_standardize")
    if target_stats and not args.quiet and args.print_every:
        print(f"(costs in standardized units of {ds.target or 'the target'}: "
              f"(y - {target_stats['mean'][0]:.6g}) / {target_stats['scale'][0]:.6g})")
    sigint_hook("start")  # tests: Ctrl-C before training (nothing to keep yet)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # the diagnosis is printed below, with this command's option names
        warnings.simplefilter("ignore", TrainingDiagnosis)
        # Ctrl-C (exit 130), --resume, checkpoints and divergence: see _checkpointing.
        # A failed gradient check is recorded, reported and kept (exit 1 only with
        # --strict-grad-check): the run's results stay worth having.
        net, costs = fit_or_resume(net, X, Y, args, out, make_callbacks(args) + recorders,
                                   epochs=args.epochs, print_every=args.print_every,
                                   grad_check_every=args.grad_check_every, verbose=False,
                                   on_grad_check_failure="record",
                                   **validation, **fit_options(args))
    wall = time.perf_counter() - start
    # Ctrl-C from here until the model and metrics are written waits for them
    with deferred_interrupts() as interrupt:
        sigint_hook("after_training")  # tests: Ctrl-C before the trained model is written
        result, files, diverged, epochs_run = _results(args, out, net, ds, fit_ds, X, Y, Xv, Yv,
                                                       wall)
    if interrupt.requested:
        print(f"\nlucidnet train: interrupted after training; {model_kept(out)}",
              file=sys.stderr)
        raise SystemExit(130)
    try:
        title = f"{args.dataset or args.data.name}, {'-'.join(map(str, result['architecture']))}"
        if not args.no_plots:
            files += write_plots(out, net, ds, title,
                                 best_epoch=(result["early_stopping"] or {}).get("best_epoch"),
                                 cost_label="cost J of the standardized target" if target_stats
                                 else "cost J")
        if recorders:
            visual_files, result["diagnostics"] = write_visual(
                out, net, ds.X_train, ds.y_train, recorders, title,
                announce=None if args.quiet else lambda text: print(text, flush=True),
                kept_epoch=_restored_epoch(result, epochs_run))
            files += visual_files
    except KeyboardInterrupt:
        print(f"\nlucidnet train: interrupted while drawing the pictures; {model_kept(out)}",
              file=sys.stderr)
        raise SystemExit(130) from None
    result["files"] = files
    write_metrics(out / "metrics.json", result)
    print("\n".join(summary_lines(result)))
    if diverged:
        print(f"lucidnet train: {diverged['message']} The model of those weights is "
              f"in {out / 'model.npz'}.", file=sys.stderr)
        return 1
    return 1 if args.strict_grad_check and not result["grad_check_passed"] else 0


def _results(args, out: Path, net, ds, fit_ds, X, Y, Xv, Yv, wall: float):
    """The run's record; the model and metrics.json written (then an earlier run's
    other files removed).  Returns ``(result, files, diverged, epochs_run)``."""
    from .. import __version__
    from ._outputs import remove_stale
    from ._report import grad_check_summary, write_metrics

    target_stats = net.preprocessing.get("target_standardize")
    diverged = net.training_record.get("diverged")
    if diverged:  # the last finite weights: report, write, exit 1
        epochs_run = diverged["weights_epoch"] + 1
    else:
        epochs_run = int(net.training_record.get("epochs", args.epochs))
    diagnosis = diagnosis_records(net, diverged, args)
    final_cost = float(net.loss(X, Y))
    figures = nextsteps.all_figures(net, X, Y, Xv, Yv, fit_ds)
    accuracy = figures["train"].get("accuracy")
    checks = grad_check_summary(net.grad_checks)
    data = nextsteps.data_record(args, ds)

    result = {
        "lucidnet_version": __version__,
        "command": ["lucidnet", *sys.argv[1:]],
        "seed": net.seed,
        "data_seed": args.data_seed,
        "data": data,
        "architecture": [layer.units for layer in net.layers  # dropout is no layer of units
                         if type(layer).__name__ != "Dropout"],
        "layers": [layer.get_config() for layer in net.layers],
        "loss": net.loss_obj.name,
        "optimizer": {"name": net.optimizer.name, "config": net.optimizer.get_config()},
        "lr": net.lr,
        "cost_units": "standardized target" if target_stats else "as given",
        "epochs": args.epochs,
        "epochs_run": epochs_run,
        "print_every": args.print_every,
        "grad_check_every": args.grad_check_every,
        "n_params": net.n_params,
        "final_cost": final_cost,
        "accuracy": accuracy,
        "wall_time_s": wall,
        "cost_log": [{"epoch": int(e), "cost": float(c)}
                     for e, c in zip(net.history.get("epoch", []), net.history.get("loss", []))
                     if args.print_every and e % args.print_every == 0],
        "figures": figures,
        "history": net.history,
        "early_stopping": nextsteps.early_stopping_record(args, net),
        "diverged": diverged,
        "diagnosis": diagnosis,
        "grad_check_passed": all(row["passed"] for row in checks),
        "grad_check_epochs": [int(e) for e, _ in net.grad_checks],
        "grad_check_summary": checks,
        "grad_checks": [{"epoch": int(e), "reports": [r.as_dict() for r in reports]}
                        for e, reports in net.grad_checks],
        "out": str(out),
        "architecture_text": architecture_text(net),
        "data_text": nextsteps.data_text(args, ds) or
        f"{args.dataset}, {args.n_samples} samples, noise {args.noise:g}",
    }
    net.training_record.update(final_cost=final_cost, accuracy=accuracy, data=data,
                               data_seed=args.data_seed, seed=net.seed, lr=net.lr,
                               wall_time_s=wall)
    # The results first (each file atomically), then the pictures: Ctrl-C or a
    # failure while drawing never loses the trained model.
    files = ["model.npz", "metrics.json"]
    net.save(out / "model.npz")
    result["files"] = list(files)
    write_metrics(out / "metrics.json", result)
    checkpoint = args.checkpoint or out / "checkpoint.npz"
    ours = args.checkpoint_every or args.resume == checkpoint
    remove_stale(out, [*files, *(["checkpoint.npz"] if ours else [])])  # an earlier run's
    return result, files, diverged, epochs_run


def diagnosis_records(net, diverged, args) -> list[dict]:
    """The run's verdicts (``net.diagnoses`` from fit, or the divergence) as
    metrics.json rows; ``text`` is what the summary prints."""
    if diverged:
        lr = diverged["lr"]
        return [{"kind": "diverged", "finding": f"training diverged at epoch "
                 f"{diverged['epoch']} with learning rate {lr:g}",
                 "cli": f"--lr {lr / 10:g}", "text": f"training diverged at epoch "
                 f"{diverged['epoch']} with learning rate {lr:g}; try --lr {lr / 10:g}"}]
    return [{**d.as_dict(), "text": d.text(cli=True)} for d in getattr(net, "diagnoses", [])]
