"""The playground in a real browser: headless Chromium driven by Selenium.

Skips where Chromium or chromedriver is missing, except in CI (env CI set), where
it fails: CI installs Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from playground_browser import (browser_available, by_testid, chromium, playground_server,
                                wait_for)

if not browser_available():
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser test: install chromium and chromium-driver",
                    pytrace=False)
    pytest.skip("headless Chromium or chromedriver not installed", allow_module_level=True)
pytest.importorskip("selenium")
pytest.importorskip("uvicorn")

from selenium.webdriver.support.ui import Select  # noqa: E402


@pytest.fixture(scope="module")
def url():
    with playground_server() as address:
        yield address


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    with chromium(downloads) as driver:
        driver.downloads = downloads
        yield driver


def _open(driver, url, hash_=""):
    driver.get("about:blank")
    driver.get(f"{url}#{hash_}")
    wait_for(driver, "window.playground && window.playground.frame && window.playground.dataset")
    return driver


def _frame(driver, expr):
    return driver.execute_script(f"return window.playground.frame.{expr};")


def _errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_play_trains_and_controls_take_effect(browser, url):
    _open(browser, url, "dataset=circle&features=x1%5E2,x2%5E2")
    assert _errors(browser) == []
    assert by_testid(browser, "epoch").text == "0"
    first = float(by_testid(browser, "train-loss").text)
    by_testid(browser, "play").click()
    wait_for(browser, "Number(document.querySelector('[data-testid=epoch]').textContent) > 200")
    by_testid(browser, "pause").click()
    time.sleep(0.3)
    assert float(by_testid(browser, "train-loss").text) < first / 2
    epoch = _frame(browser, "epoch")
    Select(by_testid(browser, "learning-rate")).select_by_visible_text("0.3")
    wait_for(browser, "window.playground.frame.settings.lr === 0.3")
    assert _frame(browser, "epoch") == epoch          # the run goes on with the new rate
    Select(by_testid(browser, "activation")).select_by_value("relu")
    wait_for(browser, "window.playground.frame.settings.acts.every(a => a === 'relu')")
    assert _frame(browser, "epoch") == 0              # a new network, as in the Playground
    by_testid(browser, "add-layer").click()
    wait_for(browser, "window.playground.frame.weights.length === 4")
    by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 1")
    assert int(by_testid(browser, "fps").text) >= 0 and _errors(browser) == []


def test_csv_upload_trains_on_it_and_names_its_columns(browser, url, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    kind = np.where(X[:, 0] + X[:, 2] > 0, "tall", "short")
    path = tmp_path / "plants.csv"
    path.write_text("height,weight,age,kind\n" + "\n".join(
        f"{a:.3f},{b:.3f},{c:.3f},{k}" for (a, b, c), k in zip(X, kind)))
    _open(browser, url)
    by_testid(browser, "upload").send_keys(str(path))
    wait_for(browser, "window.playground.frame.settings.dataset === 'upload'")
    assert "height, weight, age" in by_testid(browser, "columns").text
    assert "kind" in by_testid(browser, "columns").text
    by_testid(browser, "play").click()
    wait_for(browser, "window.playground.frame.epoch > 100")
    by_testid(browser, "pause").click()
    assert _frame(browser, "metrics.acc_train") > 0.8
    assert _errors(browser) == []


def _page_probabilities(driver):
    raw = base64.b64decode(_frame(driver, "output.p"))
    return np.frombuffer(raw, np.uint8) / 255


def test_export_predicts_like_the_page(browser, url, tmp_path):
    _open(browser, url, "dataset=xor&features=x1,x2,x1*x2,sin(x1)&layers=5&acts=tanh")
    for _ in range(3):
        by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 3")
    for old in browser.downloads.iterdir():
        old.unlink()
    by_testid(browser, "export").click()
    model = browser.downloads / "playground-model.npz"
    deadline = time.monotonic() + 20
    while not model.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    p_page = _page_probabilities(browser)
    # cells (row, col) of the page's 100 x 100 grid over [-6, 6]^2, at their centres
    cells = [(0, 0), (10, 90), (50, 50), (77, 23), (99, 99)]
    points = [f"{-6 + (c + 0.5) * 0.12:.6f},{6 - (r + 0.5) * 0.12:.6f}" for r, c in cells]
    from conftest import SRC
    proc = subprocess.run([sys.executable, "-m", "lucidnet", "predict", "--model", str(model),
                           "--points", *points], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": SRC})
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()[1:]
    p_cli = np.array([float(row.split(",")[-1]) for row in rows])
    expected = np.array([p_page[100 * r + c] for r, c in cells])
    np.testing.assert_allclose(p_cli, expected, atol=1 / 255 + 1e-6)  # 256 levels, float32, 6 digits


def test_a_copied_url_reproduces_settings_and_weights(browser, url):
    _open(browser, url, "dataset=spiral&classes=3&layers=6,4&acts=tanh,relu&seed=9&batch=10"
                        "&optimizer=momentum&lr=0.1&data_seed=4&dropout=0.1")
    for _ in range(4):
        by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 4")
    link = browser.current_url
    weights, settings = _frame(browser, "weights"), _frame(browser, "settings")
    assert settings["layers"] == [6, 4] and settings["optimizer"] == "momentum"
    browser.get("about:blank")
    _open(browser, link.split("#", 1)[0], link.split("#", 1)[1])
    for _ in range(4):
        by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 4")
    assert _frame(browser, "settings") == settings
    assert _frame(browser, "weights") == weights
