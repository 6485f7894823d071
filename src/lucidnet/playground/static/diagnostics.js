// Live diagnostics: per layer, the gradient norm, the update/weight ratio and the share of
// saturated and of dead units (lucidnet's Diagnostics), as small charts; and the plateau,
// said in words when the cost flattens and when it leaves.

const CHARTS = [["grad_norm", "gradient norm |dW| (log scale)", true],
  ["update_ratio", "update / weight (log scale)", true],
  ["saturated", "saturated units (share)", false], ["dead", "dead ReLU units (share)", false]];
const COLOURS = ["#0877bd", "#f59322", "#2ea043", "#8e44ad", "#d62728", "#17becf", "#555", "#b8860b", "#999"];

export class DiagnosticsView {
  constructor(root, message) {
    this.root = root; this.message = message; this.history = []; this.canvases = {}; this.axes = {};
    for (const [key, title] of CHARTS) {
      const box = document.createElement("div");
      box.className = "diag";
      const label = document.createElement("div");
      label.textContent = title;
      const canvas = document.createElement("canvas");
      canvas.width = 180; canvas.height = 60; canvas.dataset.testid = `diag-${key}`;
      // the axes in words under the chart, not painted over its curves
      const axis = document.createElement("div");
      axis.className = "diag-axis"; axis.dataset.testid = `diag-axis-${key}`;
      box.append(label, canvas, axis);
      root.append(box);
      this.canvases[key] = canvas; this.axes[key] = axis;
    }
    this.legend = document.createElement("div");
    this.legend.className = "diag-legend";
    root.append(this.legend);
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
    }
    const names = frame.diagnostics.map((d, i) => `<span style="color:${COLOURS[i % COLOURS.length]}">${d.name}</span>`);
    if (this.legend.dataset.names !== names.join()) { this.legend.dataset.names = names.join(); this.legend.innerHTML = names.join(" "); }
    const p = frame.plateau;
    this.message.hidden = !p;
    if (p && this.message.textContent !== p.text) {
      this.message.textContent = p.text; this.message.dataset.state = p.state;
    }
  }

  // Draw one chart; return its axes in words ("1e-3 to 1e-1, epochs 0-800").
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
      ctx.strokeStyle = COLOURS[i % COLOURS.length]; ctx.lineWidth = 1.2; ctx.stroke();
    });
    const tick = v => (log ? Math.pow(10, v).toExponential(0) : `${(100 * v).toFixed(0)}%`);
    return `${tick(lo)} to ${tick(hi)}, epochs ${e0}\u2013${e1}`;
  }
}
