"""``NeuralNetwork``: the core network plus the calls that reach the layers above it.

:class:`lucidnet.core.network.Network` computes (forward, cost, backward,
step, predict) with NumPy alone.  Training, gradient checks, model files and
the printed explanations sit above the core and import it; this class sits
above them, so that ``net.fit(...)``, ``net.grad_check(...)``, ``net.save(...)``,
``net.summary()`` and ``net.explain(...)`` work without the core importing
any of them.  Each method here only delegates.
"""

from __future__ import annotations

from .core.network import NETWORKS, Network
from .errors import DivergenceError
from .gradcheck import network as gradcheck_network
from .inspect import explain as explain_text
from .modelfile import persistence
from .training.loop import train

__all__ = ["NeuralNetwork", "DivergenceError"]


class NeuralNetwork(Network):
    __doc__ = Network.__doc__

    # ---------------------------------------------------------------- training
    def fit(self, X, y, epochs=500, print_every=100, grad_check_every=0, **options):
        """Train; return the costs recorded at epochs 0, k, 2k, ... (``k = print_every``).

        Each epoch is a forward pass, backpropagation and one optimizer step per
        batch (full batch unless ``batch_size`` is given).  The cost is printed as
        ``Epoch: k Cost J`` after the update of each checkpoint epoch;
        ``print_every=0`` prints nothing and returns ``[]``.  Every
        ``grad_check_every`` epochs every parameter tensor gets a directional
        gradient check; a failure raises ``AssertionError``.  The fuller record
        goes to ``self.history``.  See :func:`lucidnet.training.train` for the
        other options (``batch_size``, ``validation_data``, ``callbacks``,
        ``checkpoint_path``, ``checkpoint_every``, ...).

        Bad data or options raise ``ValueError`` before anything changes.  If
        training diverges, ``DivergenceError`` is raised and the network keeps
        its last finite weights.  On Ctrl-C the current step is finished, a
        checkpoint is saved when ``checkpoint_path`` is given, and
        ``lucidnet.TrainingInterrupted`` (a ``KeyboardInterrupt``) is
        *raised*, not returned: the network keeps the weights of that step, and
        :func:`lucidnet.resume` continues the run bit for bit.
        """
        return train(self, X, y, epochs=epochs, print_every=print_every,
                     grad_check_every=grad_check_every, **options)

    # ---------------------------------------------------------------- checks
    def grad_check(self, X, y, layer_idx, eps=1e-5, tol=1e-4, abs_tol=1e-7, param="W",
                   method="entries", rng=None):
        """Check backprop's gradient of one parameter tensor against central differences.

        Runs in float64 (a float32 network is checked on a float64 copy); see
        :mod:`lucidnet.gradcheck`.

        Parameters
        ----------
        layer_idx : int
            Position in ``self.layers`` (the input layer is 0).
        param : {"W", "b"}
        method : {"entries", "entries_loop", "directional"}
            Every entry (the text's check, with many perturbations per batched
            pass), the same with the text's loop of two passes per entry (the
            readable reference), or one random direction.
        rng : numpy.random.Generator, optional
            Draws the direction and any dropout mask (default: seed 12345).

        Returns
        -------
        GradCheckReport
            Largest relative error, where, and both gradient values there.

        Raises
        ------
        AssertionError
            If the check fails, with a readable report of the worst entry.
        ValueError
            If the layer has no such parameter.
        """
        return gradcheck_network.grad_check(self, X, y, layer_idx, eps, tol, abs_tol, param,
                                            method, rng)

    def check_gradients(self, X, y, method="directional", **kw):
        """Run the gradient check on every parameter tensor; return all reports
        (``kw``: ``eps``, ``tol``, ``abs_tol``, ``rng``, as for :meth:`grad_check`)."""
        return gradcheck_network.check_gradients(self, X, y, method=method, **kw)

    # ---------------------------------------------------------------- explain
    def summary(self, show=True):
        """Print a table of the layers (shapes, activations, parameter counts);
        with ``show=False`` return it as a string instead (see :mod:`lucidnet.inspect.explain`)."""
        text = explain_text.summary(self)
        return print(text) if show else text

    def explain(self, X, y=None, show=True):
        """Print this network's forward and backward equations with their shapes on ``X``
        (and J and the gradient norms when ``y`` is given); ``show=False`` returns the text."""
        text = explain_text.explain(self, X, y)
        return print(text) if show else text

    # ---------------------------------------------------------------- files
    def save(self, path) -> None:
        """Write the model to ``path`` (a ``.npz`` file; see :mod:`lucidnet.modelfile`)."""
        persistence.save(self, path)


NETWORKS["NeuralNetwork"] = NeuralNetwork  # what lucidnet.load builds (see core.network)
