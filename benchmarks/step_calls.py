"""What one training step of R and M costs besides the arithmetic: calls counted, time split.

For the reference run R (full batch, so one step is one epoch) and the
mini-batch run M (digits, Adam, batch 32), this script

1. counts, per training step of ``fit`` as users call it, the NumPy operations
   (``np.*`` calls, array methods, operators and in-place operators on arrays,
   indexing and copies into arrays), the Python function calls (by function)
   and the C built-ins called, and the ``np.errstate`` blocks entered;
2. times a step of ``fit`` (median of interleaved runs, the set-up of ``fit``
   subtracted by running two lengths) beside the same step's NumPy operations
   alone (R: ``straight_numpy.py``'s loop, the same equations with no
   framework), and prices the counted items with micro-timings of the same
   calls, so that the per-step overhead is split into its parts.

Counting: NumPy's ufuncs are not visible to ``sys.setprofile`` (only Python
functions and C built-ins are), so NumPy operations are counted from the
source: every line of lucidnet that a step executes (``sys.settrace``) is
parsed once, and each of its operations counts when an operand is an array
at that moment (names and attributes are looked up in the frame; nothing is
evaluated that could have side effects).  Comprehensions are counted once per
line, not per element (the hot path has none).  The counts are exact for the
code as written; the prices are estimates (micro-timings on this machine).

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/step_calls.py [--dtype float64] [--one-thread] [--json PATH]
"""

from __future__ import annotations

import argparse
import ast
import collections
import dis
import json
import linecache
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import common  # noqa: E402
import straight_numpy  # noqa: E402
import workloads as wl  # noqa: E402

# ---------------------------------------------------------------- counting NumPy operations

# The bytecode instructions that may be a NumPy operation, and the AST node each belongs to.
_NODE_OF = {"BINARY_OP": (ast.BinOp, ast.AugAssign), "CALL": (ast.Call,),
            "BINARY_SUBSCR": (ast.Subscript,), "STORE_SUBSCR": (ast.Subscript,),
            "LOAD_ATTR": (ast.Attribute,), "UNARY_NEGATIVE": (ast.UnaryOp,)}


def _nodes_by_position(filename: str) -> dict:
    """Every AST node of a file by its source span (what ``co_positions`` gives)."""
    tree = ast.parse("".join(linecache.getlines(filename)))
    return {(n.lineno, n.end_lineno, n.col_offset, n.end_col_offset, type(n)): n
            for n in ast.walk(tree) if hasattr(n, "end_col_offset")}


def _operation(instr, nodes):
    """``(kind, label, operand)`` if ``instr`` may be a NumPy operation, else None;
    ``operand`` is the node whose value must be an array for it to be one."""
    if instr.opname not in _NODE_OF or instr.positions is None:
        return None
    p = instr.positions
    for cls in _NODE_OF[instr.opname]:
        node = nodes.get((p.lineno, p.end_lineno, p.col_offset, p.end_col_offset, cls))
        if node is None:
            continue
        if isinstance(node, ast.AugAssign):
            return "in-place operator", type(node.op).__name__, node.target
        if isinstance(node, ast.BinOp):
            return "operator", type(node.op).__name__, node
        if isinstance(node, ast.UnaryOp):
            return "operator", "neg", node.operand
        if isinstance(node, ast.Subscript):
            kind = "setitem (copy into)" if instr.opname == "STORE_SUBSCR" else "index/view"
            return kind, "[]", node.value
        if isinstance(node, ast.Attribute):
            return ("index/view", ".T", node.value) if node.attr == "T" else None
        if isinstance(node.func, ast.Attribute):
            base = node.func.value
            if isinstance(base, ast.Name) and base.id == "np":
                return "np call", f"np.{node.func.attr}", None
            return "array method", node.func.attr, base
        return None
    return None


_MISSING = object()


def _value(node, frame):
    """The value of a name or attribute chain in ``frame`` (no calls), or _MISSING."""
    if isinstance(node, ast.Name):
        return frame.f_locals.get(node.id, frame.f_globals.get(node.id, _MISSING))
    if isinstance(node, ast.Attribute):
        base = _value(node.value, frame)
        if base is _MISSING:
            return _MISSING
        try:
            return getattr(base, node.attr)
        except Exception:
            return _MISSING
    if isinstance(node, ast.Subscript):
        base = _value(node.value, frame)
        return base if isinstance(base, np.ndarray) else _MISSING
    return _MISSING


def _is_array(node, frame) -> bool:
    """Whether ``node`` holds (or computes) a NumPy array or scalar in ``frame`` right now."""
    if node is None:
        return True
    if isinstance(node, ast.BinOp):
        return _is_array(node.left, frame) or _is_array(node.right, frame)
    if isinstance(node, ast.UnaryOp):
        return _is_array(node.operand, frame)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return isinstance(node.func.value, ast.Name) and node.func.value.id == "np" \
            or _is_array(node.func.value, frame)
    return isinstance(_value(node, frame), (np.ndarray, np.generic))


class Counter:
    """Counts, while active, the NumPy operations executed in chosen files (by
    bytecode instruction), every Python call and every C built-in call."""

    def __init__(self, *paths: Path):
        self.paths = tuple(str(p) for p in paths)  # files or folders whose lines are counted
        self.numpy_ops = collections.Counter()   # (kind, label) -> count
        self.py_calls = collections.Counter()    # "module:function" -> count
        self.c_calls = collections.Counter()     # built-in name -> count
        self.lines = 0
        self._nodes: dict[str, dict] = {}
        self._ops: dict = {}                     # code -> {offset: operation}

    def _profile(self, frame, event, arg):
        if event == "call":
            module = frame.f_globals.get("__name__", "?")
            self.py_calls[f"{module}:{frame.f_code.co_qualname}"] += 1
        elif event == "c_call":
            owner = getattr(arg, "__self__", None)
            owner = type(owner).__name__ if owner is not None and not isinstance(
                owner, type(sys)) else getattr(owner, "__name__", "")
            self.c_calls[f"{owner}.{arg.__name__}" if owner else arg.__name__] += 1

    def _code_ops(self, code):
        ops = self._ops.get(code)
        if ops is None:
            nodes = self._nodes.get(code.co_filename)
            if nodes is None:
                nodes = self._nodes[code.co_filename] = _nodes_by_position(code.co_filename)
            ops = self._ops[code] = {i.offset: op for i in dis.get_instructions(code)
                                     if (op := _operation(i, nodes)) is not None}
        return ops

    def _trace(self, frame, event, arg):
        if event == "call":
            if not frame.f_code.co_filename.startswith(self.paths):
                return None
            frame.f_trace_opcodes = True
        elif event == "line":
            self.lines += 1
        elif event == "opcode":
            op = self._code_ops(frame.f_code).get(frame.f_lasti)
            if op is not None and _is_array(op[2], frame):
                self.numpy_ops[op[0], op[1]] += 1
        return self._trace

    def __enter__(self):
        sys.setprofile(self._profile)
        sys.settrace(self._trace)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)
        sys.setprofile(None)


def count(fit, steps_short: int, steps_long: int, *paths: Path, per_unit: int = 1) -> dict:
    """Per-step counts: the difference of a long and a short ``fit`` (the set-up cancels)."""
    fit(steps_short)                             # imports and caches: not counted
    results = []
    for n in (steps_short, steps_long):
        with Counter(*paths) as c:
            fit(n)
        results.append(c)
    short, long = results
    per = (steps_long - steps_short) * per_unit  # per_unit: training steps per fit unit

    def diff(a, b):
        out = {k: (b[k] - a.get(k, 0)) / per for k in set(a) | set(b)}
        return {k: n for k, n in out.items() if abs(n) >= 0.005}

    ops = diff(short.numpy_ops, long.numpy_ops)
    by_kind = collections.Counter()
    for (kind, _), n in ops.items():
        by_kind[kind] += n
    return {"numpy_ops_total": sum(ops.values()), "numpy_ops_by_kind": dict(by_kind),
            "numpy_ops": {f"{k} {label}": n for (k, label), n in
                          sorted(ops.items(), key=lambda kv: -kv[1])},
            "py_calls_total": sum(diff(short.py_calls, long.py_calls).values()),
            "py_calls": dict(sorted(diff(short.py_calls, long.py_calls).items(),
                                    key=lambda kv: -kv[1])),
            "c_calls_total": sum(diff(short.c_calls, long.c_calls).values()),
            "c_calls": dict(sorted(diff(short.c_calls, long.c_calls).items(),
                                   key=lambda kv: -kv[1])),
            "lines": (long.lines - short.lines) / per}


# ---------------------------------------------------------------- prices and times


def _per_call(fn, number=20000) -> float:
    """Seconds per call of ``fn`` beyond an empty loop (median of 5 batches)."""
    def calls():
        for _ in range(number):
            fn()

    def empty():
        for _ in range(number):
            pass
    return common.median([common.timed(calls)[0] - common.timed(empty)[0]
                          for _ in range(7)]) / number


def prices() -> dict:
    """Micro-timings of the items counted: what one of each costs here (a call
    of an empty Python function is subtracted from the others, which need one)."""
    a, b, out = np.ones(3), np.ones(3), np.empty(3)
    d = {"W": a}

    def nothing():
        return None

    def errstate():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            pass

    call = _per_call(nothing)
    return {"numpy_op_s": _per_call(lambda: np.add(a, b, out=out)) - call,
            "py_call_s": call,
            "c_call_s": _per_call(lambda: d.get("W")) - call,
            "errstate_s": _per_call(errstate) - call}


def _r_data(dtype):
    X, y = common.moons(1000)
    return X, y, np.ascontiguousarray(X.T, dtype=dtype), y.reshape(1, -1).astype(dtype)


def r_fits(dtype):
    """``fit(epochs=n)`` of run R as users call it, and the straight NumPy loop of the same math."""
    X, y, Xc, Yc = _r_data(dtype)
    return (lambda n: wl._lucid_net(wl.r_sizes(), dtype).fit(X.T, y, epochs=n, print_every=0),
            lambda n: straight_numpy.straight(Xc, Yc, dtype, n))


def m_fit(dtype):
    """``fit(epochs=n, batch_size=32)`` of run M; one epoch is 43 steps (1347 examples)."""
    Xtr, Xte, ytr, yte = common.digits()

    def fit(n):
        net = wl._lucid_net([64, 128, 64, 10], dtype, activation="relu", out="softmax",
                            loss="cce", lr=wl.M_LR, optimizer="adam")
        net.fit(Xtr.T, ytr, epochs=n, batch_size=32, print_every=0)
    return fit, -(-len(Xtr) // 32)


def step_seconds(fits: dict, short: int, long: int, per_unit: int, repeats: int) -> dict:
    """Seconds per step of each fit: (median time of ``long`` - of ``short``) / steps.

    The fits take turns in every repeat (a burst of load hits them alike).
    """
    times = {name: {short: [], long: []} for name in fits}
    for name, fit in fits.items():
        fit(short)                                   # warm-up
    for _ in range(repeats):
        for n in (short, long):
            for name, fit in fits.items():
                times[name][n].append(common.timed(lambda: fit(n))[0])
    return {name: (common.median(t[long]) - common.median(t[short])) / ((long - short) * per_unit)
            for name, t in times.items()}


def report(dtype="float64", repeats=5, timing=True) -> dict:
    package = HERE.parent / "src" / "lucidnet"
    lucid_r, straight_r = r_fits(dtype)
    fit_m, steps_per_epoch = m_fit(dtype)
    out = {"dtype": dtype, "prices": prices()}
    out["R"] = {"lucidnet": count(lucid_r, 5, 25, package),
                "straight": count(straight_r, 5, 25, Path(straight_numpy.__file__))}
    out["M"] = {"lucidnet": count(fit_m, 1, 3, package, per_unit=steps_per_epoch)}
    if not timing:
        return out
    out["R"]["step_s"] = step_seconds({"lucidnet": lucid_r, "straight": straight_r},
                                      200, 2000, 1, repeats)
    out["M"]["step_s"] = step_seconds({"lucidnet": fit_m}, 2, 12, steps_per_epoch, repeats)
    return out


def _errstates(c) -> float:
    return sum(n for k, n in c["py_calls"].items() if k.endswith("errstate.__enter__"))


def markdown(res) -> str:
    p = res["prices"]
    lines = [f"Per training step, {res['dtype']} (counts exact; prices: micro-timings here, "
             f"one tiny NumPy call {1e6 * p['numpy_op_s']:.2f} us, a Python method call "
             f"{1e6 * p['py_call_s']:.3f} us, a C built-in {1e6 * p['c_call_s']:.3f} us, "
             f"an `np.errstate` block {1e6 * p['errstate_s']:.2f} us).", "",
             "| | R lucidnet | R straight NumPy | M lucidnet |", "|---|---|---|---|"]
    cols = [res["R"]["lucidnet"], res["R"]["straight"], res["M"]["lucidnet"]]
    kinds = sorted({k for c in cols for k in c["numpy_ops_by_kind"]})
    lines.append("| NumPy operations | " + " | ".join(f"{c['numpy_ops_total']:.0f}"
                                                    for c in cols) + " |")
    for kind in kinds:
        lines.append(f"| - {kind} | " + " | ".join(f"{c['numpy_ops_by_kind'].get(kind, 0):.1f}"
                                                    for c in cols) + " |")
    for label, key in (("Python function calls", "py_calls_total"),
                       ("C built-in calls", "c_calls_total"), ("lines executed", "lines")):
        lines.append(f"| {label} | " + " | ".join(f"{c[key]:.0f}" for c in cols) + " |")
    lines.append("| `np.errstate` blocks | " + " | ".join(f"{_errstates(c):.1f}" for c in cols)
                 + " |")
    if "step_s" not in res["R"]:
        return "\n".join(lines)
    t = res["R"]["step_s"]
    lines.append(f"| time per step (us) | {1e6 * t['lucidnet']:.0f} | {1e6 * t['straight']:.0f} "
                 f"| {1e6 * res['M']['step_s']['lucidnet']:.0f} |")
    lucid, straight = res["R"]["lucidnet"], res["R"]["straight"]
    parts = {"NumPy operations beyond the straight loop's":
             (lucid["numpy_ops_total"] - straight["numpy_ops_total"]) * p["numpy_op_s"],
             "np.errstate blocks": (_errstates(lucid) - _errstates(straight)) * p["errstate_s"],
             "Python function calls": (lucid["py_calls_total"] - straight["py_calls_total"])
             * p["py_call_s"],
             "C built-in calls": (lucid["c_calls_total"] - straight["c_calls_total"])
             * p["c_call_s"]}
    extra = t["lucidnet"] - t["straight"]
    lines += ["", f"R: lucidnet's step is {1e6 * extra:.0f} us longer than the straight loop's "
              f"({t['lucidnet'] / t['straight']:.2f}x); priced from the counts:", ""]
    lines += [f"- {label}: about {1e6 * sec:.0f} us" for label, sec in parts.items()]
    lines.append(f"- the rest (the interpreter running "
                 f"{lucid['lines'] - straight['lines']:.0f} more lines: attribute and dict "
                 f"look-ups, branches, argument passing): about "
                 f"{1e6 * (extra - sum(parts.values())):.0f} us")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", default=None)
    p.add_argument("--one-thread", action="store_true", help="BLAS on one thread")
    p.add_argument("--counts-only", action="store_true", help="count, do not time")
    args = p.parse_args(argv)
    if args.one_thread:
        common.one_thread()
    res = report(args.dtype, args.repeats, timing=not args.counts_only)
    print(markdown(res))
    for workload in ("R", "M"):
        c = res[workload]["lucidnet"]
        print(f"\n{workload} lucidnet, NumPy operations per step:")
        for label, n in c["numpy_ops"].items():
            print(f"  {n:7.2f}  {label}")
        print(f"{workload} lucidnet, Python calls per step:")
        for label, n in c["py_calls"].items():
            print(f"  {n:7.2f}  {label}")
        print(f"{workload} lucidnet, C built-in calls per step:")
        for label, n in c["c_calls"].items():
            print(f"  {n:7.2f}  {label}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main()
