"""The playground: TensorFlow Playground's page, live, on lucidnet's engine.

``lucidnet playground`` serves it (:func:`~lucidnet.playground.launch.serve`).
The parts, bottom up:

- :mod:`.settings`: the settings a URL carries, their defaults and bounds;
- :mod:`.data`: the built-in 2-D data sets and the user's CSV file;
- :mod:`.session`: one tab's data, network and training run (lucidnet's API only);
- :mod:`.frames`: what the page draws, computed from a session;
- :mod:`.protocol`: the WebSocket messages and their answers;
- :mod:`.server`: the Starlette app (routes, the Host/Origin guard);
- :mod:`.preload`: what ``show()`` opens a page on (a network, ``(X, y)``, a name);
- :mod:`.notebook`: ``show()``, the page inline in Jupyter, and its network back;
- ``static/``: the page (plain HTML, CSS and our own JavaScript, no build step).

Only :mod:`.server` and :mod:`.launch` need the ``playground`` extra
(Starlette, uvicorn); the rest is NumPy and lucidnet.
"""

__all__ = ["show", "Playground"]


def __getattr__(name):
    # lazily: importing lucidnet.playground must not need the web stack
    if name in __all__:
        from . import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'lucidnet.playground' has no attribute {name!r}")
