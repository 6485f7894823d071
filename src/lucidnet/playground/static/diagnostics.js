// Live diagnostics: per layer, the gradient norm, the update/weight ratio and the share of
// saturated and of dead units (lucidnet's Diagnostics), as small charts; and the plateau,
// said in words when the cost flattens and when it leaves.

const CHARTS = [["grad_norm", "gradient norm |dW| (log)", true],
  ["update_ratio", "update / weight (log)", true],
  ["saturated", "saturated units", false], ["dead", "dead ReLU units", false]];
// One hue, light to dark from the first layer to the output: orange, blue and green
// already mean a weight's sign and the classes everywhere else on the page.
const SHALLOW = [204, 90, 154], DEEP = [61, 10, 46];
function layerColour(i, n) {
  const t = n > 1 ? i / (n - 1) : 1;
  return `rgb(${SHALLOW.map((c, k) => Math.round(c + t * (DEEP[k] - c))).join(",")})`;
}

export class DiagnosticsView {
  constructor(root, message) {
    this.root = root; this.message = message; this.history = []; this.canvases = {}; this.axes = {};
    for (const [key, title] of CHARTS) {
      const box = document.createElement("div");
      box.className = "diag";
      const label = document.createElement("div");
      label.textContent = title;
      const canvas = document.createElement("canvas");
      canvas.width = 150; canvas.height = 60; canvas.dataset.testid = `diag-${key}`;
      // the axes in words under the chart, not painted over its curves
      const axis = document.createElement("div");
      axis.className = "diag-axis"; axis.dataset.testid = `diag-axis-${key}`;
      box.append(label, canvas, axis);
      root.append(box);
      this.canvases[key] = canvas; this.axes[key] = axis;
    }
    this.legend = document.createElement("div");
    this.legend.className = "diag-legend";
    this.layerNames = document.createElement("span");
    this.epochs = document.createElement("span");   // the x axis, the same for every chart
    this.epochs.className = "diag-epochs"; this.epochs.dataset.testid = "diag-epochs";
    this.legend.append(this.layerNames, this.epochs);
    root.prepend(this.legend);   // the key above the charts it explains
  }

  update(frame) {
    const last = this.history[this.history.length - 1];
    if (last && frame.epoch < last.epoch) { this.history = []; this.seen = null; }
    // the figures change only when the server records them (every ~30 epochs):
    // redraw the charts then, not on every frame
    const figures = JSON.stringify(frame.diagnostics);
    if (figures !== this.seen) {
      this.seen = figures;
      this.history.push({ epoch: frame.epoch, layers: frame.diagnostics });
      if (this.history.length > 400) this.history = this.history.filter((_, i) => i % 2 === 0);
      for (const [key, , log] of CHARTS) {
        this.axes[key].textContent = this.draw(this.canvases[key], key, log);
      }
      const h = this.history.filter(r => r.layers.length);
      this.epochs.textContent = h.length < 2 ? "" : `x axis: epochs ${h[0].epoch}\u2013${h[h.length - 1].epoch}`;
    }
    const names = frame.diagnostics.map(d => d.name).join();
    if (this.legend.dataset.names !== names) {
      this.legend.dataset.names = names;
      this.layerNames.textContent = "layers: ";
      frame.diagnostics.forEach((d, i, all) => {
        const span = document.createElement("span");
        span.style.color = layerColour(i, all.length); span.textContent = d.name;
        this.layerNames.append(span);
      });
    }
    const p = frame.plateau;
    this.message.hidden = !p;
    if (p && this.message.textContent !== p.text) {
      this.message.textContent = p.text; this.message.dataset.state = p.state;
    }
  }

  // Draw one chart; return its y axis in words ("1e-3 to 1e-1").
  draw(canvas, key, log) {
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    const h = this.history.filter(r => r.layers.length);
    if (h.length < 2) return "drawn once training has started";
    const f = v => (v === null ? null : log ? Math.log10(Math.max(v, 1e-12)) : v);
    const values = h.flatMap(r => r.layers.map(d => f(d[key]))).filter(v => v !== null);
    if (!values.length) { ctx.fillStyle = "#999"; ctx.fillText("not defined for these activations", 4, H / 2); return ""; }
    let lo = Math.min(...values), hi = Math.max(...values);
    if (!log) { lo = 0; hi = Math.max(hi, 0.05); }
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const e0 = h[0].epoch, e1 = Math.max(e0 + 1, h[h.length - 1].epoch);
    h[0].layers.forEach((_, i) => {
      ctx.beginPath();
      let started = false;
      for (const r of h) {
        const v = r.layers[i] ? f(r.layers[i][key]) : null;
        if (v === null) { started = false; continue; }
        const x = (r.epoch - e0) / (e1 - e0) * (W - 2) + 1, y = H - 2 - (v - lo) / (hi - lo) * (H - 4);
        if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
      }
      ctx.strokeStyle = layerColour(i, h[0].layers.length); ctx.lineWidth = 1.5; ctx.stroke();
    });
    const tick = v => (log ? Math.pow(10, v).toExponential(0) : `${(100 * v).toFixed(0)}%`);
    return `${tick(lo)} to ${tick(hi)}`;
  }
}
