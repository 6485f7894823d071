"""Re-draw the README's pictures of the reference run: the training animation,
the diagnostics over epochs and the hidden-unit maps on the plateau and at the end.

    PYTHONPATH=src python docs/make_visuals.py
"""

from pathlib import Path

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.animation import BoundaryRecorder
from lucidnet.datasets import generate_toy_dataset
from lucidnet.diagnostics import Diagnostics
from lucidnet.diagnostics_plots import plot_diagnostics, plot_hidden_units

DOCS = Path(__file__).resolve().parent


def reference_net():
    return NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                         lr=1.0, seed=0)


def main():
    X, y = generate_toy_dataset(1000, 0.2, "moons", 42)         # (N, 2), (N,)
    net = reference_net()
    boundary = BoundaryRecorder(X, y, frames=40)
    diag = Diagnostics(every=10)
    net.fit(X.T, y, epochs=2000, print_every=0, callbacks=[boundary, diag])
    boundary.save(DOCS / "training.gif", fps=8, dpi=70,
                  title_prefix="moons, 2-16-32-1 sigmoid, lr 1.0\n")
    plot_diagnostics(diag, title="Reference run, seed 0: inside the network",
                     save=DOCS / "diagnostics.png")
    plot_hidden_units(net, X, grid_steps=40, title="Epoch 2000: each unit over the input plane",
                      save=DOCS / "hidden_units_end.png")
    on_plateau = reference_net()
    on_plateau.fit(X.T, y, epochs=400, print_every=0)
    plot_hidden_units(on_plateau, X, grid_steps=40,
                      title="Epoch 400 (plateau): each unit over the input plane",
                      save=DOCS / "hidden_units_plateau.png")
    print(diag.table([300, 500, 900, 1000, 1999]))


if __name__ == "__main__":
    main()
