"""The playground in a real browser: headless Chromium driven by Selenium.

Skips where Chromium or chromedriver is missing, except in CI (env CI set), where
it fails: CI installs Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import base64
import os
import re
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
    # the page's colours have 256 levels (float32); predict prints 6 digits
    np.testing.assert_allclose(p_cli, expected, atol=1 / 255 + 1e-6)


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


def _equations(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#equations .eq')].map(e => e.textContent);")


def test_equations_follow_the_network_and_gradients_check(browser, url):
    _open(browser, url, "dataset=circle&layers=4,2&acts=tanh,tanh")
    wait_for(browser, "window.playground.explained && "
                      "window.playground.explained.version === window.playground.frame.version")
    lines = _equations(browser)
    assert "Z[1] = W[1] (4x2) @ A[0] (2xN) + b[1] (4x1)   -> (4xN)" in lines
    assert not any(line.startswith("Z[4]") for line in lines)
    by_testid(browser, "add-layer").click()            # 4, 2, 2
    wait_for(browser, "window.playground.frame.weights.length === 4 && "
                      "window.playground.explained.version === window.playground.frame.version")
    lines = _equations(browser)
    assert "Z[3] = W[3] (2x2) @ A[2] (2xN) + b[3] (2x1)   -> (2xN)" in lines
    assert "Z[4] = W[4] (1x2) @ A[3] (2xN) + b[4] (1x1)   -> (1xN)" in lines
    by_testid(browser, "unit-2-0").click()              # a unit picks its layer
    highlighted = browser.execute_script(
        "return [...document.querySelectorAll('#equations .eq-hl')].map(e => e.textContent);")
    assert "Z[2] = W[2] (2x4) @ A[1] (4xN) + b[2] (2x1)   -> (2xN)" in highlighted
    assert all("[2]" in line for line in highlighted)
    # only the lines that compute layer 2: Z[3] = W[3] @ A[2] + b[3] is layer 3's
    assert [line.split(" ")[0] for line in highlighted] == [
        "Z[2]", "A[2]", "Delta[2]", "dW[2]", "db[2]", "|dW[2]|", "|db[2]|"]
    by_testid(browser, "check-gradients").click()
    wait_for(browser, "window.playground.gradcheck")
    for layer in (1, 2, 3, 4):
        for param in ("W", "b"):
            row = by_testid(browser, f"gradcheck-{layer}-{param}")
            assert row.text.endswith("pass"), row.text
    assert "passed" in by_testid(browser, "gradcheck-report").text
    assert "largest relative error is below 0.0001" in by_testid(browser, "gradcheck-report").text
    report = by_testid(browser, "gradcheck-report")
    assert "stale" not in report.get_attribute("class")
    by_testid(browser, "step").click()                 # the report is of the old weights now
    wait_for(browser, "document.querySelector('#gradcheck').classList.contains('stale')")
    assert _errors(browser) == []


def test_the_drawing_names_each_layer_as_the_equations_do(browser, url):
    """With dropout, net.layers has a Dropout between the Dense layers: the second hidden
    layer's weights are W[3] in the equations, and its header must say layer 3 too."""
    _open(browser, url, "dataset=circle&layers=4,2&acts=tanh,tanh&dropout=0.2")
    wait_for(browser, "window.playground.explained && "
                      "window.playground.explained.version === window.playground.frame.version")
    lines = _equations(browser)
    assert "Z[3] = W[3] (2x4) @ A[2] (4xN) + b[3] (2x1)   -> (2xN)" in lines
    assert "Z[5] = W[5] (1x2) @ A[4] (2xN) + b[5] (1x1)   -> (1xN)" in lines
    heads = [by_testid(browser, f"layer-head-{k}").text.splitlines()[0] for k in (1, 2)]
    assert heads == ["+\u2212 4 units in layer 1", "+\u2212 2 units in layer 3"]
    assert by_testid(browser, "layer-head-2").get_attribute("title").startswith(
        "layer 3: W[3], b[3], Z[3] and A[3]")
    notes = browser.execute_script(
        "return [...document.querySelectorAll('.more')].map(e => e.textContent);")
    assert "output: layer 5" in notes
    assert _errors(browser) == []


def test_paused_equations_show_the_cost_of_the_epoch_on_screen(browser, url):
    _open(browser, url, "dataset=circle&layers=4,2&acts=tanh,tanh&epf=20")
    by_testid(browser, "play").click()
    wait_for(browser, "window.playground.frame.epoch > 300")
    by_testid(browser, "pause").click()
    # paused, the panel's live numbers catch up with the last frame (not the J of an
    # explain asked for up to 2 s, hundreds of epochs, earlier)
    wait_for(browser, "window.playground.explained.epoch === window.playground.frame.epoch && "
                      "window.playground.frame.epoch === "
                      "Number(document.querySelector('[data-testid=epoch]').textContent)")
    epoch = _frame(browser, "epoch")
    # read in one script, as _equations does: a repeated explain may rebuild the panel
    # between a lookup and its .text (a stale element, seen once in CI)
    heading = browser.execute_script(
        "return document.querySelector('[data-testid=equations-epoch]').textContent.trim();")
    assert heading.endswith(f"at epoch {epoch}")
    J = next(line for line in _equations(browser) if line.startswith("J = "))
    shown = float(J.split(" = ")[2].split()[0])
    assert shown == pytest.approx(_frame(browser, "train_loss"), rel=1e-4)
    assert shown < 0.5                                   # trained: not epoch 0's J


def test_diagnostics_charts_move_while_training(browser, url):
    _open(browser, url, "dataset=xor&layers=6&acts=relu")
    picture = "document.querySelector('[data-testid=diag-grad_norm]').toDataURL()"
    by_testid(browser, "play").click()
    wait_for(browser, "window.playground.frame.epoch > 30")
    first = browser.execute_script(f"return {picture};")
    wait_for(browser, "window.playground.frame.epoch > 150")
    by_testid(browser, "pause").click()
    assert browser.execute_script(f"return {picture};") != first
    figures = _frame(browser, "diagnostics")
    assert [f["name"] for f in figures] == ["h1", "out"] and figures[0]["dead"] is not None
    # each chart says its range in text under it, not over its curves; the key, its epochs
    axis = by_testid(browser, "diag-axis-dead").text
    assert re.fullmatch(r"0% to \d+%", axis), axis
    axis = by_testid(browser, "diag-axis-grad_norm").text
    assert re.fullmatch(r"\de[-+]\d+ to \de[-+]\d+", axis), axis
    assert re.fullmatch(r"x axis: epochs \d+\u2013\d+", by_testid(browser, "diag-epochs").text)
    # the layers' colours are not the page's class and sign colours (orange, blue, green)
    colours = browser.execute_script(
        "return [...document.querySelectorAll('.diag-legend span span')].map(e => e.style.color);")
    assert len(set(colours)) == 2
    assert not set(colours) & {"rgb(245, 147, 34)", "rgb(8, 119, 189)", "rgb(46, 160, 67)"}
    assert re.fullmatch(r"0 to [0-9.e-]+, epochs 0\u2013\d+", by_testid(browser, "chart-axis").text)
    assert _errors(browser) == []


def test_a_classroom_url_hides_what_it_says(browser, url):
    lesson = "Exercise 1: make the test loss fall below 0.1 with two features only."
    _open(browser, url, "dataset=xor&layers=3&acts=tanh&hide=learning-rate,equations,upload"
                        f"&lesson={lesson.replace(' ', '%20')}")
    assert by_testid(browser, "lesson").text == lesson
    for hidden in ("learning-rate", "upload", "equations"):
        assert not by_testid(browser, hidden).is_displayed(), hidden
    for shown in ("activation", "play", "dataset"):
        assert by_testid(browser, shown).is_displayed(), shown
    by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 1")
    assert "hide=learning-rate%2Cequations%2Cupload" in browser.current_url   # kept in links
    assert _frame(browser, "settings")["layers"] == [3]


def _download(browser, testid, name):
    path = browser.downloads / name
    path.unlink(missing_ok=True)
    by_testid(browser, testid).click()
    deadline = time.monotonic() + 20
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    return path


def test_export_python_rebuilds_the_pages_weights(browser, url, tmp_path):
    import lucidnet
    from conftest import SRC

    _open(browser, url, "dataset=moons&layers=5,3&acts=tanh,relu&batch=20&optimizer=rmsprop")
    for _ in range(3):
        by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 3")
    model = _download(browser, "export", "playground-model.npz")
    script = _download(browser, "export-python", "playground_run.py")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": SRC})
    assert proc.returncode == 0, proc.stderr
    page, rebuilt = lucidnet.load(model), lucidnet.load(tmp_path / "playground-rebuilt.npz")
    assert all(np.array_equal(p, q) for (_, p, _), (_, q, _) in
               zip(page.parameters(), rebuilt.parameters()))


def test_export_onnx_runs_in_onnxruntime_like_the_page(browser, url):
    ort = pytest.importorskip("onnxruntime")
    import lucidnet

    _open(browser, url, "dataset=circle&features=x1,x2,x1%5E2,x2%5E2,x1*x2,sin(x1),sin(x2)"
                        "&layers=6,3&acts=tanh,elu")
    for _ in range(3):
        by_testid(browser, "step").click()
    wait_for(browser, "window.playground.frame.epoch === 3")
    model = lucidnet.load(_download(browser, "export", "playground-model.npz"))
    graph = _download(browser, "export-onnx", "playground-model.onnx")
    raw = np.random.default_rng(0).uniform(-6, 6, size=(200, 2))
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    (out,) = session.run(["output"], {"X": raw.astype(np.float32)})
    np.testing.assert_allclose(out.T, model.predict_proba(raw.T), atol=1e-5)


def test_the_plateau_message_comes_and_goes_on_the_reference_run(browser, url, tmp_path):
    import lucidnet

    X, y = lucidnet.generate_toy_dataset(1000, 0.2, "moons", 42)    # the reference run's data
    path = tmp_path / "moons.csv"
    path.write_text("x1,x2,y\n" + "\n".join(f"{float(a)!r},{float(b)!r},{c}"
                                            for (a, b), c in zip(X, y)))
    _open(browser, url, "layers=16,32&acts=sigmoid,sigmoid&optimizer=sgd&lr=1&train_pct=90"
                        "&epf=20")
    by_testid(browser, "upload").send_keys(str(path))
    wait_for(browser, "window.playground.frame.settings.dataset === 'upload'")
    by_testid(browser, "play").click()
    wait_for(browser, "window.playground.frame.plateau && "
                      "window.playground.frame.plateau.state === 'on'", timeout=60)
    assert by_testid(browser, "plateau").text.startswith("Plateau: the cost has moved only")
    # beside the loss chart, in view on a 1280 x 800 screen under this network's 32 units
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.execute_script(
        "return document.querySelector('[data-testid=plateau]').getBoundingClientRect().bottom"
    ) < 700
    wait_for(browser, "window.playground.frame.plateau && "
                      "window.playground.frame.plateau.state === 'left'", timeout=60)
    wait_for(browser, "window.playground.frame.plateau === null", timeout=60)
    by_testid(browser, "pause").click()
    assert not by_testid(browser, "plateau").is_displayed()
    assert _frame(browser, "metrics.acc_train") > 0.9


def test_a_weight_clicked_in_the_drawing_is_edited_in_the_session(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from lucidnet import Dense, Input, NeuralNetwork
    from lucidnet.playground import show

    net = NeuralNetwork([Input("x", 2), Dense("h", 3, "tanh"), Dense("o", 1, "sigmoid")],
                        seed=7)
    pg = show(net, display=False)
    browser.get("about:blank")
    browser.get(pg.url)
    wait_for(browser, "window.playground && window.playground.frame")
    # W[2][0, 2] joins hidden unit 2 to the output: in network.js's layout (columns
    # 120 px apart from x = 90, rows 38 px apart from y = 56, nodes of 30 px) its curve
    # runs from (240, 147) to (330, 71), and no other link passes near its middle
    canvas = browser.find_element(By.CSS_SELECTOR, "#network canvas.links")
    width, height = canvas.size["width"], canvas.size["height"]
    ActionChains(browser).move_to_element_with_offset(
        canvas, 285 - width // 2, 109 - height // 2).perform()
    tip = by_testid(browser, "weight-tip")
    assert tip.is_displayed() and tip.text.startswith("W[2][0,2] = ")
    shown = float(tip.text.split(" = ")[1].split()[0])
    assert shown == round(float(net.layers[2].params["W"][0, 2]), 4)
    ActionChains(browser).click().perform()
    prompt = WebDriverWait(browser, 10).until(lambda d: d.switch_to.alert)
    assert prompt.text == "New value of W[2][0,2]"
    prompt.send_keys("-1.75")
    prompt.accept()
    wait_for(browser, "window.playground.frame.weights[1].W[0][2] === -1.75")
    edited = pg.network()
    expected = [theta.copy() for _, theta, _ in net.parameters()]
    expected[2][0, 2] = -1.75                 # W of the output layer; nothing else moved
    for (_, theta, _), want in zip(edited.parameters(), expected):
        np.testing.assert_array_equal(theta, want)
    assert _errors(browser) == []
