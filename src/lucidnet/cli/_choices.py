"""Names the CLI takes from lucidnet's registries, and ``NAME:KEY=VALUE,...`` settings.

The help of ``--activation``, ``--loss``, ``--optimizer`` and ``--schedule`` lists
the registries' own keys (:func:`names`), so a new entry shows up without anyone
editing a help string.  :func:`named_with_settings` reads
``--schedule step:step_size=10,gamma=0.5`` or ``--activation leaky_relu:alpha=0.05``,
and refuses an unknown name or setting by listing the valid ones.

The registries live in the core (NumPy only), which ``import lucidnet``
loads anyway; nothing heavier is imported here.
"""

from __future__ import annotations

import difflib
import inspect

from . import CommandError

__all__ = ["names", "named_with_settings", "check_name"]


def _registries():
    from ..core.activations import ACTIVATIONS
    from ..core.losses import LOSSES
    from ..optim.optimizers import OPTIMIZERS
    from ..optim.schedules import SCHEDULES

    # softmax is the output of a multi-class network, never a hidden activation
    hidden = {k: v for k, v in ACTIVATIONS.items() if k != "softmax"}
    return {"activation": hidden, "loss": LOSSES, "optimizer": OPTIMIZERS,
            "schedule": SCHEDULES}


def names(kind: str) -> list[str]:
    """The registered names of ``kind`` ("activation", "loss", "optimizer", "schedule")."""
    return list(_registries()[kind])


def check_name(option: str, name: str, known) -> None:
    """A ``CommandError`` listing ``known`` (and the closest one) when ``name`` is not in it."""
    if name in known:
        return
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise CommandError(f"{option}: unknown name {name!r}; known: {', '.join(known)}{hint}")


def settings_of(entry) -> list[str]:
    """The keyword settings an entry (a class, or an instance of one) takes."""
    cls = entry if isinstance(entry, type) else type(entry)
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _value(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def named_with_settings(option: str, text: str, kind: str):
    """``NAME[:K=V,...]`` -> ``(name, {K: number})``, checked against the registry."""
    registry = _registries()[kind]
    name, _, rest = text.partition(":")
    name = name.strip()
    check_name(option, name, registry)
    valid = settings_of(registry[name])
    config = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq:
            raise CommandError(f"{option}: expected KEY=NUMBER, got {item!r}"
                               + (f"; {name} takes {', '.join(valid)}" if valid else ""))
        if key not in valid:
            what = f"its settings: {', '.join(valid)}" if valid else "it takes no settings"
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise CommandError(f"{option}: {name} has no setting {key!r}; {what}{hint}")
        if key in config:
            raise CommandError(f"{option}: setting {key!r} given twice")
        try:
            config[key] = _value(value)
        except ValueError:
            raise CommandError(f"{option}: {key} must be a number, got {value.strip()!r}") \
                from None
    return name, config
