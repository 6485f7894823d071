"""The playground's frame rate and latency, measured in the page by headless Chromium.

Usage (from the repository root, with the ``playground`` and ``test`` extras)::

    python benchmarks/playground_fps.py [--seconds 15] [--trials 15] [--json PATH]

What it does, as a user would: starts the server (``lucidnet.playground``'s app
on uvicorn, 127.0.0.1, a free port), opens the page in headless Chromium on the
issue's workload (moons, 500 points, half of them for training, a 2-16-32-1
sigmoid network, full batch, 10 epochs per frame, the page's 100 x 100 output
heatmap and 25 x 25 unit thumbnails), presses play and reads:

- the page's own frame-rate readout (``data-testid="fps"``: frames painted in
  the last second) once a second, and the epochs trained per second;
- the page's latency readout (``data-testid="latency"``: from a control's
  ``change`` event to the first painted frame of the new setting) for three
  kinds of change while training runs: the learning rate (applied to the
  running network), the activation (a new network) and the data seed (new data
  and a new network).

Browser and server share the machine's cores, as in a classroom.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))

from playground_browser import (browser_cpu_seconds, by_testid, chromium,  # noqa: E402
                                playground_server, wait_for)

WORKLOAD = ("dataset=moons&points=500&train_pct=50&batch=0&epf=10&layers=16,32"
            "&acts=sigmoid,sigmoid&optimizer=sgd&lr=1&features=x1,x2")
# (select id, the two values it alternates between)
CHANGES = {"learning rate": ("lr", "0.3", "1"), "activation": ("activation", "tanh", "sigmoid"),
           "data seed": ("data_seed", "2", "1")}


def _latency(driver, element_id, value) -> float:
    """Change one control as a user would (its change event) and read the page's latency."""
    driver.execute_script("document.getElementById('latency').textContent = '-';")
    driver.execute_script(
        "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
        "el.dispatchEvent(new Event('change'));", element_id, value)
    text = wait_for(driver, "document.getElementById('latency').textContent !== '-' && "
                            "document.getElementById('latency').textContent", timeout=10)
    return float(text)


def measure(seconds: float, trials: int) -> dict:
    with playground_server() as url, chromium() as driver:
        driver.get(f"{url}#{WORKLOAD}")
        wait_for(driver, "window.playground && window.playground.frame")
        by_testid(driver, "play").click()
        time.sleep(2.0)                                  # warm up: first frames, JIT
        fps, e0, t0 = [], driver.execute_script("return window.playground.frame.epoch"), \
            time.perf_counter()
        cpu0 = (time.process_time(), browser_cpu_seconds(driver))
        for _ in range(int(seconds)):
            time.sleep(1.0)
            fps.append(int(by_testid(driver, "fps").text))
        e1, t1 = driver.execute_script("return window.playground.frame.epoch"), \
            time.perf_counter()
        cpu1 = (time.process_time(), browser_cpu_seconds(driver))
        painted = sum(fps)           # frames painted over the window (one sample a second)
        paint_ms = driver.execute_script("return window.playground.paintMs")
        server_ms = driver.execute_script("return window.playground.frame.server_ms")
        latency = {}
        for name, (element_id, a, b) in CHANGES.items():
            values = [_latency(driver, element_id, a if k % 2 == 0 else b)
                      for k in range(trials)]
            latency[name] = values
            time.sleep(0.5)
        playing_fps = int(by_testid(driver, "fps").text)
    return {
        "workload": WORKLOAD, "fps_samples": fps, "fps_median": statistics.median(fps),
        "fps_min": min(fps), "epochs_per_second": (e1 - e0) / (t1 - t0),
        "epochs_per_frame": (e1 - e0) / (t1 - t0) / max(statistics.mean(fps), 1e-9),
        "fps_after_changes": playing_fps, "paint_ms": paint_ms, "server_ms_last": server_ms,
        # CPU per painted frame: this process (server + the Selenium client) and the browser
        "cpu_ms_per_frame": {"server": 1000 * (cpu1[0] - cpu0[0]) / max(painted, 1),
                             "browser": 1000 * (cpu1[1] - cpu0[1]) / max(painted, 1)},
        "load_average": os.getloadavg(),
        "latency_ms": {name: {"median": statistics.median(v), "max": max(v),
                              "p90": sorted(v)[int(0.9 * (len(v) - 1))], "samples": v}
                       for name, v in latency.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="seconds of frame-rate samples")
    parser.add_argument("--trials", type=int, default=15, help="latency trials per control")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    result = measure(args.seconds, args.trials)
    print(f"frame rate: median {result['fps_median']} fps, min {result['fps_min']} "
          f"(target >= 20); {result['epochs_per_second']:.0f} epochs/s, "
          f"{result['epochs_per_frame']:.1f} epochs per frame; page paints a frame in "
          f"{result['paint_ms']:.1f} ms, the server trains and draws one in "
          f"{result['server_ms_last']:.1f} ms")
    cpu = result["cpu_ms_per_frame"]
    print(f"CPU per painted frame: server {cpu['server']:.1f} ms, browser {cpu['browser']:.1f} ms "
          f"(two idle cores could paint {2000 / (cpu['server'] + cpu['browser']):.0f} fps); "
          f"load average during the run {result['load_average'][0]:.1f}")
    for name, lat in result["latency_ms"].items():
        print(f"latency ({name}): median {lat['median']:.0f} ms, p90 {lat['p90']:.0f} ms, "
              f"max {lat['max']:.0f} ms (target < 200)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
