"""Helpers of the benchmark suite: timing, memory, environment, data, FLOP counts.

Timing rule: every figure is the median of several repeats, and the
implementations are interleaved inside each repeat (lucidnet, then each peer,
then lucidnet again in the next repeat), so that a burst of load from another
process on this shared machine hits them all alike.  Ratios are taken between
medians measured in the same process run.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

# A benchmark's short runs (a few epochs of a sweep point) end on a poor result by
# design; the end-of-fit diagnosis (lucidnet.TrainingDiagnosis, a warning of
# lucidnet's own category) would print a line per fit.
warnings.filterwarnings("ignore", message=r"(training accuracy|still on a plateau|R\^2)",
                        module="workloads")

ROOT = Path(__file__).resolve().parents[1]
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def median(values):
    return float(statistics.median(values))


def timed(fn):
    """Run ``fn()`` once; return ``(seconds, result)``."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


# ---------------------------------------------------------------- memory
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mib() -> float | None:
    """Current resident set size (Linux /proc), MiB."""
    kib = _status_kib("VmRSS")
    return None if kib is None else kib / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process; False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float | None:
    """Peak resident set size since start or since :func:`reset_peak_rss`, MiB."""
    kib = _status_kib("VmHWM")
    if kib is None:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return kib / 1024


# ---------------------------------------------------------------- threads
_LIMITS = []


def one_thread(torch_mod=None) -> None:
    """Run every library on one thread: NumPy's BLAS (threadpoolctl), PyTorch and XLA.

    For a machine shared with other work: there a second BLAS thread waits for a
    core at every small product (measured here under a load average of 13: run R's
    products 10-40x slower with two threads than with one), which says more about
    the load than about the libraries.  Call before JAX is imported (XLA reads its
    flags once); pass ``torch`` when it is loaded.
    """
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()
    if not _LIMITS:
        from threadpoolctl import threadpool_limits

        _LIMITS.append(threadpool_limits(limits=1))
    if torch_mod is not None:
        torch_mod.set_num_threads(1)


# ---------------------------------------------------------------- environment
def blas_info() -> list[dict]:
    """What threadpoolctl sees: BLAS library, kernel (architecture), threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]
    keep = ("internal_api", "prefix", "version", "architecture", "num_threads", "threading_layer")
    return [{k: info.get(k) for k in keep} for info in threadpool_info()]


def environment(torch_mod=None, jax_mod=None) -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    env = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "openblas_env": {v: os.environ.get(v) for v in OPENBLAS_VARS},
        "blas": blas_info(),
    }
    try:
        import sklearn

        env["sklearn"] = sklearn.__version__
    except ImportError:
        env["sklearn"] = None
    if torch_mod is not None:
        env["torch"] = torch_mod.__version__
        env["torch_threads_default"] = torch_mod.get_num_threads()
    if jax_mod is not None:
        env["jax"] = jax_mod.__version__
        env["jax_devices"] = [str(d) for d in jax_mod.devices()]
    return env


# ---------------------------------------------------------------- data
def moons(n_samples: int, noise: float = 0.2, random_state: int = 42):
    """Row-wise two moons from lucidnet's own generator (``X`` ``(N, 2)``, ``y`` ``(N,)``)."""
    from lucidnet.datasets import generate_toy_dataset

    return generate_toy_dataset(n_samples, noise, "moons", random_state)


def digits(random_state: int = 0):
    """scikit-learn's digits (ships with it, no download), scaled to [0, 1], 3:1 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=random_state)


# ---------------------------------------------------------------- arithmetic
def train_flops(sizes, N: int) -> int:
    """Floating-point operations of one full-batch training step in matrix products.

    ``2*m*n*k`` per product: the forward ``W[l] A[l-1]`` and the backward
    ``Delta[l] A[l-1].T`` for every layer, and ``W[l].T Delta[l]`` for every
    layer but the first (nobody needs ``dJ/dX``).
    """
    total = 0
    for l in range(1, len(sizes)):
        prod = 2 * sizes[l] * sizes[l - 1] * N
        total += 2 * prod + (prod if l > 1 else 0)
    return total


def matmul_peak(dtype, n: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of ``np.matmul`` on two ``n x n`` matrices (median of ``repeats``)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(dtype)
    B = rng.standard_normal((n, n)).astype(dtype)
    C = np.empty((n, n), dtype=dtype)
    np.matmul(A, B, out=C)  # warm-up: thread pool, page faults
    times = [timed(lambda: np.matmul(A, B, out=C))[0] for _ in range(repeats)]
    return 2 * n ** 3 / median(times) / 1e9
