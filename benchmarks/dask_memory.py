"""Peak memory of an incremental fit over a CSV file many times larger than one chunk.

The claim under test (README, "Scaling out on Dask"): with
``lucidnet.sklearn.dask.fit_incremental`` over ``dask.dataframe.read_csv(path,
blocksize=B)``, the process holds about one block at a time, so its peak RSS
grows with ``B`` and not with the size of the file.  Each measurement runs in
a child process of its own; the kernel's peak mark (VmHWM) is reset after the
imports and the (lazy) graph, so "added" is what the fit itself needed.  For
contrast, the same one epoch as the user would write it for data in memory:
``pandas.read_csv(path)`` whole, then one ``partial_fit``.

Usage (from the repository root; ``pip install -e ".[dask]"``)::

    PYTHONPATH=src python benchmarks/dask_memory.py --rows 1000000,4000000 --blocksizes 8MB,32MB
    PYTHONPATH=src python benchmarks/dask_memory.py --rows 100000 --blocksizes 1MB   # quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import peak_rss_mib, reset_peak_rss, rss_mib  # noqa: E402

FEATURES = [f"x{i}" for i in range(10)]


def make_csv(path: Path, rows: int, piece: int = 250_000, seed: int = 0) -> None:
    """Write ``rows`` rows of 10 features and a 0/1 label, a piece at a time."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    with open(path, "w") as fh:
        for start in range(0, rows, piece):
            X = rng.normal(size=(min(piece, rows - start), len(FEATURES)))
            label = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)      # not linearly separable
            frame = pd.DataFrame(X, columns=FEATURES).assign(label=label)
            frame.to_csv(fh, index=False, header=start == 0, float_format="%.6f")


def estimator():
    from lucidnet.sklearn import LucidClassifier

    return LucidClassifier(hidden_layer_sizes=(32,), batch_size=200, random_state=0)


def warm_up(frame) -> None:
    """One tiny fit first, so imports and first-call set-up are not counted as the fit's."""
    import dask.dataframe as dd

    from lucidnet.sklearn.dask import fit_incremental

    tiny = dd.from_pandas(frame.iloc[:1000], npartitions=2)
    fit_incremental(estimator(), tiny[FEATURES], tiny["label"], classes=[0, 1])


def child_incremental(path: str, blocksize: str) -> dict:
    import dask.dataframe as dd

    from lucidnet.sklearn.dask import fit_incremental

    frame = dd.read_csv(path, blocksize=blocksize)
    first = frame.partitions[0].compute()
    block_mib = first.memory_usage(deep=True).sum() / 2**20   # one partition as pandas holds it
    warm_up(first)
    del first
    est = estimator()
    reset_peak_rss()
    before = rss_mib()
    t0 = time.perf_counter()
    fit_incremental(est, frame[FEATURES], frame["label"], classes=[0, 1])
    seconds = time.perf_counter() - t0
    return {"mode": "fit_incremental", "blocksize": blocksize, "blocks": frame.npartitions,
            "block_mib": block_mib, "before_mib": before, "peak_mib": peak_rss_mib(),
            "seconds": seconds, "n_iter": int(est.n_iter_), "t": int(est.t_)}


def child_in_memory(path: str) -> dict:
    import pandas as pd

    warm_up(pd.read_csv(path, nrows=1000))
    est = estimator()
    reset_peak_rss()
    before = rss_mib()
    t0 = time.perf_counter()
    frame = pd.read_csv(path)
    est.partial_fit(frame[FEATURES], frame["label"], classes=[0, 1])
    seconds = time.perf_counter() - t0
    return {"mode": "read_csv whole + partial_fit", "blocksize": "-", "blocks": 1,
            "block_mib": frame.memory_usage(deep=True).sum() / 2**20, "before_mib": before,
            "peak_mib": peak_rss_mib(), "seconds": seconds, "n_iter": int(est.n_iter_),
            "t": int(est.t_)}


def measure(*args) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    lines = ["| CSV file | how | blocksize | blocks | one block in pandas (MiB) | RSS before (MiB) "
             "| peak RSS (MiB) | added by the fit (MiB) | time (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['rows']:,} rows, {r['file_mib']:.0f} MiB | {r['mode']} "
                     f"| {r['blocksize']} | {r['blocks']} | {r['block_mib']:.0f} "
                     f"| {r['before_mib']:.0f} | {r['peak_mib']:.0f} "
                     f"| {r['peak_mib'] - r['before_mib']:.0f} | {r['seconds']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,4000000",
                        help="comma-separated file sizes in rows (10 features and a label)")
    parser.add_argument("--blocksizes", default="8MB,32MB",
                        help="comma-separated dask read_csv block sizes")
    parser.add_argument("--dir", help="where to write the CSV (default: a temporary folder)")
    parser.add_argument("--no-in-memory", action="store_true",
                        help="skip the whole-file pandas comparison")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, path, *rest = args.child
        result = child_incremental(path, *rest) if mode == "incremental" \
            else child_in_memory(path)
        print(json.dumps(result))
        return
    results = []
    for rows in (int(r) for r in args.rows.split(",")):
        with tempfile.TemporaryDirectory(dir=args.dir) as folder:
            path = Path(folder) / "big.csv"
            make_csv(path, rows)
            runs = [measure("incremental", str(path), b) for b in args.blocksizes.split(",")]
            if not args.no_in_memory:
                runs.append(measure("in_memory", str(path)))
            for run in runs:
                run.update(rows=rows, file_mib=path.stat().st_size / 2**20)
            results += runs
    print(table(results))


if __name__ == "__main__":
    main()
