// lucidnet playground: the page's state, its URL, its controls and the frame loop.
// The network trains on the server (lucidnet itself); this page only asks for
// frames and draws them.  While playing, the next chunk is asked for as soon as a
// frame is painted, with one more in flight (PIPELINE), so the server trains while
// the browser paints.

import { paintOutput, paintPoints, paintChart, confusionTable, legend } from "./view.js";
import { NetworkView } from "./network.js";
import { EquationsView } from "./equations.js";
import { DiagnosticsView } from "./diagnostics.js";
import { readHash, writeHash, applyClassroom, classroom } from "./url.js";

const $ = id => document.getElementById(id);
const OPT_PARAMS = { sgd: [], momentum: ["momentum"], nesterov: ["momentum"], rmsprop: ["rho"],
  adam: ["beta1", "beta2"], adamw: ["beta1", "beta2", "weight_decay"] };
const REGRESSION = ["reg-plane", "reg-gauss"];

const state = { settings: {}, dataset: null, frame: null, playing: false, inFlight: 0,
  history: [], painted: [], latency: null, version: 0, ws: null };
window.playground = state;   // for tests and the curious: the last frame and data set

// ---------------------------------------------------------------- the socket
function send(msg) {
  state.inFlight++;
  state.ws.send(JSON.stringify(msg));
}

function change(settings) {
  state.latency = { t0: performance.now(), after: state.version };
  send({ type: "config", settings });
}

// Two requests in flight while playing: the server trains the next chunk while this
// one travels and is painted (measured: about 1.5x the frame rate of one at a time on
// a busy 2-core machine), and a control's change waits behind at most one chunk.
const PIPELINE = 2;
function requestStep() {
  while (state.playing && state.inFlight < PIPELINE && !(state.frame && state.frame.diverged)) {
    send({ type: "step", epochs: state.settings.epf });
  }
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  state.ws = ws;
  ws.onopen = () => { state.inFlight = 1; ws.send(JSON.stringify({ type: "hello", settings: readHash(), token: classroom.token })); };
  ws.onmessage = event => receive(JSON.parse(event.data));
  ws.onclose = () => { setPlaying(false); $("message").textContent = "The server went away: restart 'lucidnet playground' and reload."; };
}

function receive(msg) {
  if (msg.type === "dataset") { state.dataset = msg; showDataset(msg); return; }
  state.inFlight = Math.max(0, state.inFlight - 1);
  if (msg.type === "error") { $("message").textContent = msg.message; }
  else if (msg.type === "export") download(msg);
  else if (msg.type === "export_python") save(msg.filename, new Blob([msg.text], { type: "text/x-python" }));
  else if (msg.type === "explain") { state.explained = msg; equations.show(msg); }
  else if (msg.type === "gradcheck") { state.gradcheck = msg; equations.showReport(msg); }
  else if (msg.type === "frame") {
    if (msg.epoch < (state.frame ? state.frame.epoch : 0) || msg.version !== state.version &&
        msg.epoch === 0) state.history = [];
    state.frame = msg;
    state.version = msg.version;
    const text = JSON.stringify(msg.settings);
    if (text !== state.settingsText) {   // the URL changes only when a setting does
      state.settingsText = text;
      state.settings = msg.settings; showSettings(msg.settings); writeHash(msg.settings);
    }
    if (state.history.length === 0 || state.history[state.history.length - 1][0] !== msg.epoch) {
      state.history.push([msg.epoch, msg.train_loss, msg.test_loss]);
      // the chart is 300 px wide: keep at most 600 points (every other one past that)
      if (state.history.length > 600) state.history = state.history.filter((_, i) => i % 2 === 0);
    }
    if (msg.diverged) setPlaying(false);
    if (state.inFlight === 0) requestStep();   // nothing left in flight: ask now
    requestAnimationFrame(paint);
  }
}

function save(filename, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a); a.click(); a.remove();
}

function download(msg) {
  const raw = atob(msg.data);
  const buf = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) buf[i] = raw.charCodeAt(i);
  save(msg.filename, new Blob([buf], { type: "application/octet-stream" }));
  $("message").textContent = msg.filename.endsWith(".npz")
    ? `Downloaded ${msg.filename}: try 'lucidnet predict --model ${msg.filename} --points 1,2'.`
    : `Downloaded ${msg.filename} (input X: the raw columns, float32).`;
}

// ---------------------------------------------------------------- drawing
const net = new NetworkView($("network"), $("zoom"), {
  toggleFeature: name => {
    const f = state.settings.features.filter(x => state.dataset.features.includes(x));
    change({ features: f.includes(name) ? f.filter(x => x !== name) : [...f, name] });
  },
  setUnits: (layer, n) => {
    const layers = state.settings.layers.slice();
    layers[layer - 1] = Math.max(1, Math.min(256, n));
    change({ layers });
  },
  setAct: (layer, act) => { const acts = state.settings.acts.slice(); acts[layer - 1] = act; change({ acts }); },
  editWeight: (layer, param, row, col, value) => send({ type: "set_weight", layer, param, row, col, value }),
  pickLayer: layer => pickLayer(layer),
});

// The equations follow the network: asked for when it changes, every 2 s while it
// trains (their live numbers: J and the gradient norms), and once more when it stops, so
// a paused page never shows the J of an earlier epoch beside today's training loss.
const diagnostics = new DiagnosticsView($("diagnostics"), $("plateau"));
const equations = new EquationsView($("equations"), $("gradcheck"), layer => pickLayer(layer));
function pickLayer(layer) {
  equations.highlight(layer);
  net.highlight(layer);
}
function refreshEquations(f) {
  const now = performance.now();
  const stale = !state.explained || state.explained.version !== f.version;
  const behind = !state.playing && state.explained && state.explained.epoch !== f.epoch &&
    state.explainAsked !== f.epoch;
  if (stale || behind || (state.playing && now - (state.explainedAt || 0) > 2000)) {
    state.explainedAt = now;
    state.explainAsked = f.epoch;
    send({ type: "explain" });
  }
}

function paint() {
  const f = state.frame;
  if (!f || !state.dataset || f === state.lastPainted) return;
  const start = performance.now();
  state.lastPainted = f;
  $("epoch").textContent = String(f.epoch);
  $("train-loss").textContent = loss(f.train_loss, f.diverged);
  $("test-loss").textContent = loss(f.test_loss, f.diverged);
  const m = f.metrics;
  $("metric-line").textContent = "acc_train" in m
    ? `Accuracy: training ${pct(m.acc_train)}, test ${pct(m.acc_test)}`
    : `R\u00B2: training ${num(m.r2_train)}, test ${num(m.r2_test)}`;
  const confusion = JSON.stringify(m.confusion);
  if (confusion !== state.confusion) {   // rebuild the table only when a count changes
    state.confusion = confusion;
    confusionTable($("confusion"), m.confusion, state.dataset.class_labels);
  }
  paintOutput($("heatmap"), f.output, state.settings.discretize);
  $("chart-axis").textContent = paintChart($("chart"), state.history);
  net.update(f, state.dataset, state.settings);
  const box = $("divergence");
  box.hidden = !f.diverged;
  if (f.diverged) {
    $("divergence-text").textContent = f.diverged.message;
    $("use-lr").textContent = `Use learning rate ${f.diverged.lr_to_try} and reset`;
  }
  diagnostics.update(f);
  // a gradient check of earlier weights says so (its caption names its epoch)
  $("gradcheck").classList.toggle("stale", !!state.gradcheck && (state.gradcheck.epoch !== f.epoch ||
    state.gradcheck.version !== f.version));
  refreshEquations(f);
  requestStep();   // after painting: the server makes no frame the page would not show
  const now = performance.now();
  state.paintMs = 0.9 * (state.paintMs || 0) + 0.1 * (now - start);   // for the benchmark
  state.painted.push(now);
  while (state.painted.length && state.painted[0] < now - 1000) state.painted.shift();
  $("fps").textContent = String(state.painted.length);
  if (state.latency && f.version > state.latency.after) {
    $("latency").textContent = String(Math.round(now - state.latency.t0));
    state.latency = null;
  }
}
const loss = (v, diverged) => (v === null ? (diverged ? "overflow" : "-") : v >= 0.001 || v === 0 ? v.toFixed(3) : v.toExponential(2));
const pct = v => (v === null ? "-" : `${(100 * v).toFixed(1)}%`);
const num = v => (v === null ? "-" : v.toFixed(3));

function showDataset(d) {
  state.confusion = null;
  paintPoints($("points-layer"), d, state.settings.show_test);
  legend($("legend"), d);
  const onFile = d.kind !== undefined && d.target !== "";
  $("csv-controls").hidden = !onFile;
  $("dataset").querySelector("option[value=upload]").disabled = !d.uploaded;
  if (onFile) {
    $("columns").textContent = `Columns: ${d.columns.join(", ")}; target: ${d.target}`;
    fill($("target"), [...d.columns, d.target].filter((v, i, a) => a.indexOf(v) === i), d.target);
    fill($("plot_x"), d.columns, d.columns[d.plot[0]], true);
    fill($("plot_y"), d.columns, d.columns[d.plot[1]], true);
  }
}

function fill(select, names, chosen, byIndex) {
  select.textContent = "";
  names.forEach((n, i) => select.add(new Option(n, byIndex ? String(i) : n, false, n === chosen)));
}

function showSettings(s) {
  for (const key of ["dataset", "optimizer", "loss", "reg", "classes", "points", "epf",
    "data_seed", "seed", "dropout", "noise", "train_pct", "batch"]) {
    const el = $(key);
    if (el && document.activeElement !== el) el.value = String(s[key]);
  }
  for (const key of ["train_pct", "noise", "batch"]) $(`${key}-value`).textContent = String(s[key]);
  setSelect($("lr"), s.lr);
  setSelect($("reg_rate"), s.reg_rate);
  $("activation").value = s.acts.every(a => a === s.acts[0]) && s.acts.length ? s.acts[0] : "";
  $("problem").value = REGRESSION.includes(s.dataset) ||
    (s.dataset === "upload" && state.dataset && state.dataset.kind === "regression") ? "regression" : "classification";
  $("classes-row").hidden = !["gauss", "spiral"].includes(s.dataset);
  for (const id of ["points-row", "noise-row", "regenerate"]) $(id).hidden = s.dataset === "upload";
  $("show_test").checked = s.show_test;
  $("discretize").checked = s.discretize;
  $("layer-count").textContent = String(s.layers.length);
  const box = $("opt-params");
  const want = OPT_PARAMS[s.optimizer].join(",");
  if (box.dataset.shown !== want) {
    box.dataset.shown = want;
    box.textContent = "";
    for (const p of OPT_PARAMS[s.optimizer]) {
      const label = document.createElement("label");
      label.textContent = p.replace("_", " ");
      const input = document.createElement("input");
      input.type = "number"; input.step = "any"; input.id = p; input.dataset.testid = p.replace("_", "-");
      input.addEventListener("change", () => change({ [p]: Number(input.value) }));
      label.append(input); box.append(label);
    }
  }
  for (const p of OPT_PARAMS[s.optimizer]) if (document.activeElement !== $(p)) $(p).value = String(s[p]);
}

function setSelect(select, value) {
  const text = String(value);
  if (![...select.options].some(o => o.value === text)) select.add(new Option(text));
  select.value = text;
}

function setPlaying(on) {
  state.playing = on;
  $("play").disabled = on; $("pause").disabled = !on;
  if (on) requestStep();
  else if (state.frame) refreshEquations(state.frame);
}

// ---------------------------------------------------------------- controls
function wire() {
  $("play").onclick = () => setPlaying(true);
  $("pause").onclick = () => setPlaying(false);
  $("step").onclick = () => { setPlaying(false); send({ type: "step", epochs: 1 }); };
  $("reset").onclick = () => { state.history = []; send({ type: "reset" }); };
  $("regenerate").onclick = () => change({ data_seed: (state.settings.data_seed + 1) % 2147483647 });
  $("lr").onchange = e => change({ lr: Number(e.target.value) });
  $("reg_rate").onchange = e => change({ reg_rate: Number(e.target.value) });
  $("activation").onchange = e => change({ acts: state.settings.layers.map(() => e.target.value) });
  for (const key of ["dataset", "optimizer", "loss", "reg"]) $(key).onchange = e => change({ [key]: e.target.value });
  for (const key of ["classes", "points", "epf", "data_seed", "seed", "dropout", "noise", "train_pct", "batch"]) {
    $(key).onchange = e => change({ [key]: Number(e.target.value) });
  }
  for (const key of ["train_pct", "noise", "batch"]) $(key).oninput = e => { $(`${key}-value`).textContent = e.target.value; };
  $("problem").onchange = e => change({ dataset: e.target.value === "regression" ? "reg-plane" : "circle" });
  $("show_test").onchange = e => { change({ show_test: e.target.checked }); state.settings.show_test = e.target.checked; paintPoints($("points-layer"), state.dataset, e.target.checked); };
  $("discretize").onchange = e => { state.settings.discretize = e.target.checked; state.lastPainted = null; paint(); change({ discretize: e.target.checked }); };
  $("add-layer").onclick = () => {
    const s = state.settings;
    if (s.layers.length < 8) change({ layers: [...s.layers, s.layers[s.layers.length - 1] || 4], acts: [...s.acts, s.acts[s.acts.length - 1] || "tanh"] });
  };
  $("remove-layer").onclick = () => {
    const s = state.settings;
    if (s.layers.length > 0) change({ layers: s.layers.slice(0, -1), acts: s.acts.slice(0, -1) });
  };
  $("export").onclick = () => send({ type: "export" });
  $("check-gradients").onclick = () => send({ type: "check_gradients" });
  $("export-python").onclick = () => send({ type: "export_python" });
  $("export-onnx").onclick = () => send({ type: "export_onnx" });
  $("use-lr").onclick = () => { change({ lr: state.frame.diverged.lr_to_try }); send({ type: "reset" }); };
  $("target").onchange = e => change({ target: e.target.value });
  $("plot_x").onchange = e => change({ plot_x: Number(e.target.value) });
  $("plot_y").onchange = e => change({ plot_y: Number(e.target.value) });
  $("upload").onchange = e => {
    const file = e.target.files[0];
    if (!file) return;
    if (file.size > 20 * 1024 * 1024) { $("message").textContent = "That file is over 20 MB, the playground's limit."; return; }
    const reader = new FileReader();
    reader.onload = () => {
      let text;
      try {   // refuse bytes that are not UTF-8 here, rather than send replacement characters
        text = new TextDecoder("utf-8", { fatal: true }).decode(reader.result);
      } catch (err) {
        $("message").textContent = `${file.name} is not UTF-8 text: save it as UTF-8 CSV.`;
        return;
      }
      setPlaying(false); state.history = [];
      state.latency = { t0: performance.now(), after: state.version };
      send({ type: "upload", name: file.name, text, target: "" });
    };
    reader.readAsArrayBuffer(file);
  };
}

wire();
readHash();
applyClassroom();
connect();
