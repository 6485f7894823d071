// Pictures of a frame: the output over the plane, the data points, the loss chart.
// Grids arrive as base64 bytes (0..255, see frames.py); row 0 is the top of the plane.

export const NEG = [245, 147, 34];    // orange: class 0, negative values
export const POS = [8, 119, 189];     // blue: class 1, positive values
const MID = [232, 234, 235];
export const CLASS_COLOURS = [NEG, POS, [46, 160, 67], [142, 68, 173], [214, 39, 40],
  [23, 190, 207]];

export function bytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// t in [0, 1] -> orange .. light grey .. blue
export function diverging(t, rgb) {
  const [a, b, u] = t < 0.5 ? [NEG, MID, t * 2] : [MID, POS, t * 2 - 1];
  for (let k = 0; k < 3; k++) rgb[k] = a[k] + (b[k] - a[k]) * u;
  return rgb;
}

// The plane's colours are paler than the points' so the data stays visible on top.
const pale = (c, k) => c.map(v => 255 + (v - 255) * k);
const PALE_NEG = pale(NEG, 0.55), PALE_POS = pale(POS, 0.55);
function paleDiverging(t, rgb) {
  const [a, b, u] = t < 0.5 ? [PALE_NEG, MID, t * 2] : [MID, PALE_POS, t * 2 - 1];
  for (let k = 0; k < 3; k++) rgb[k] = a[k] + (b[k] - a[k]) * u;
  return rgb;
}

// Paint n*n bytes onto a canvas of n x n pixels (the CSS size scales it up, smoothed).
export function paintGrid(canvas, values, discretize, paler) {
  const colour = paler ? paleDiverging : diverging;
  const n = Math.round(Math.sqrt(values.length));
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  const rgb = [0, 0, 0];
  for (let i = 0; i < values.length; i++) {
    let t = values[i] / 255;
    if (discretize) t = t >= 0.5 ? 1 : 0;
    colour(t, rgb);
    img.data[4 * i] = rgb[0]; img.data[4 * i + 1] = rgb[1]; img.data[4 * i + 2] = rgb[2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// Multi-class: the winning class's colour, faded towards white by its probability.
function paintClasses(canvas, cls, conf, discretize) {
  const n = Math.round(Math.sqrt(cls.length));
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let i = 0; i < cls.length; i++) {
    const c = CLASS_COLOURS[cls[i] % CLASS_COLOURS.length];
    const a = discretize ? 0.5 : Math.max(0, (conf[i] / 255 - 0.3) / 0.7) * 0.55;
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = 255 + (c[k] - 255) * a;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function paintOutput(canvas, output, discretize) {
  if (output.kind === "multi") paintClasses(canvas, bytes(output.cls), bytes(output.conf), discretize);
  else paintGrid(canvas, bytes(output.kind === "binary" ? output.p : output.v), discretize, true);
}

// The data on top of the heatmap: training points with a white ring, test points black.
export function paintPoints(canvas, dataset, showTest) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const [x0, x1, y0, y1] = dataset.domain;
  const ys = dataset.train.map(p => p[2]);
  const m = dataset.kind === "regression" ? Math.max(1e-12, ...ys.map(Math.abs)) : 1;
  const draw = (points, ring) => {
    for (const [x, y, t] of points) {
      const px = (x - x0) / (x1 - x0) * W, py = (y1 - y) / (y1 - y0) * H;
      let c;
      if (dataset.kind === "regression") c = diverging(Math.min(1, Math.max(0, (t / m + 1) / 2)), [0, 0, 0]);
      else c = CLASS_COLOURS[t % CLASS_COLOURS.length];
      ctx.beginPath();
      ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = ring;
      ctx.stroke();
    }
  };
  draw(dataset.train, "#fff");
  if (showTest) draw(dataset.test, "#000");
}

// Training (dark) and test (grey) loss against epochs, on a common scale.
// The loss curves; returns the chart's axes in words ("0 to 0.84, epochs 0-1020").
export function paintChart(canvas, history) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (history.length < 2) return "";
  const values = history.flatMap(h => [h[1], h[2]]).filter(v => v !== null && isFinite(v));
  const top = Math.max(1e-9, ...values);
  const e0 = history[0][0], e1 = Math.max(e0 + 1, history[history.length - 1][0]);
  for (const [k, colour] of [[2, "#999"], [1, "#222"]]) {
    ctx.beginPath();
    let started = false;
    for (const h of history) {
      if (h[k] === null) continue;
      const x = (h[0] - e0) / (e1 - e0) * (W - 2) + 1, y = H - 2 - h[k] / top * (H - 6);
      if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  return `0 to ${top.toPrecision(2)}, epochs ${e0}\u2013${e1}`;
}

export function confusionTable(table, matrix, labels) {
  table.textContent = "";
  if (!matrix) return;
  const names = labels || matrix.map((_, i) => String(i));
  const head = table.insertRow();
  head.insertCell().textContent = "true \\ predicted";
  names.forEach(n => { head.insertCell().textContent = n; });
  matrix.forEach((row, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = names[i];
    row.forEach(v => { tr.insertCell().textContent = v; });
  });
}

export function legend(div, dataset) {
  div.textContent = "";
  if (dataset.kind === "regression") {
    div.innerHTML = "<span><i style='background:#f59322'></i>low</span>" +
      "<span><i style='background:#0877bd'></i>high</span>";
    return;
  }
  const names = dataset.class_labels || [...Array(dataset.classes).keys()];
  names.forEach((n, i) => {
    const c = CLASS_COLOURS[i % CLASS_COLOURS.length];
    const span = document.createElement("span");
    span.innerHTML = `<i style="background:rgb(${c.join(",")})"></i>`;
    span.append(String(n));
    div.append(span);
  });
}
