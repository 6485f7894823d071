// The network drawing: input features, hidden units with what each computes (a
// thumbnail of the plane), links coloured by the sign of their weight and as thick
// as its size.  Built once per shape; each frame only repaints and restyles.

import { bytes, paintGrid, NEG, POS } from "./view.js";

const X0 = 90, DX = 120, Y0 = 56, DY = 38, NODE = 30;
const ACTS = [["tanh", "Tanh"], ["relu", "ReLU"], ["sigmoid", "Sigmoid"],
  ["leaky_relu", "Leaky ReLU"], ["elu", "ELU"], ["softplus", "Softplus"], ["identity", "Linear"]];
const POS_CSS = `rgb(${POS.join(",")})`, NEG_CSS = `rgb(${NEG.join(",")})`;

export class NetworkView {
  constructor(root, zoom, handlers) {
    this.root = root; this.zoom = zoom; this.handlers = handlers;
    this.shape = ""; this.columns = []; this.links = []; this.selects = [];
  }

  // Rebuild when the shape changes; then paint thumbnails and style links.
  update(frame, dataset, settings) {
    const drawn = frame.weights.map(w => w.W.length);           // units drawn per Dense layer
    const shape = JSON.stringify([dataset.features, frame.features, drawn,
      frame.weights.map(w => w.units), dataset.columns]);
    if (shape !== this.shape) { this.build(frame, dataset, settings, drawn); this.shape = shape; }
    this.selects.forEach((select, l) => {
      if (select.value !== settings.acts[l] && document.activeElement !== select) select.value = settings.acts[l];
    });
    this.weights = frame.weights;
    frame.units.forEach((layer, c) => layer.forEach((b64, i) => {
      const node = this.columns[c] && this.columns[c][i];
      if (node && node.canvas) paintGrid(node.canvas, bytes(b64), false);
    }));
    this.drawLinks();
  }

  // Links live on one canvas, redrawn each frame: measured in headless Chromium on a
  // busy 2-core machine, restyling ~600 SVG paths per frame cost a third of the frame
  // rate (17 fps against 27 without it), most of it in rasterizing the SVG.
  drawLinks() {
    // what the canvas would show (each link's sign and width in 1/4 px): redraw only
    // when that changes, which late in training is seldom
    let look = "";
    for (const link of this.links) {
      const w = this.weights[link.layer - 1].W[link.row][link.col];
      link.value = w;
      look += (w >= 0 ? "+" : "-") + Math.round(Math.min(8, Math.abs(w) * 2) * 4);
    }
    if (look === this.look) return;
    this.look = look;
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.globalAlpha = 0.75;
    for (const link of this.links) {
      const w = link.value;
      ctx.beginPath();
      ctx.moveTo(link.x1, link.y1);
      ctx.bezierCurveTo(link.mx, link.y1, link.mx, link.y2, link.x2, link.y2);
      ctx.strokeStyle = w >= 0 ? POS_CSS : NEG_CSS;
      ctx.lineWidth = Math.min(8, Math.max(0.5, Math.abs(w) * 2));
      ctx.stroke();
    }
  }

  // Outline the units of net.layers[layer] (null: none); the input layer is 0.
  highlight(layer) {
    this.columns.forEach((col, c) => {
      const index = c === 0 ? 0 : this.weights[c - 1].index;
      for (const node of col) if (node) node.div.classList.toggle("hl", index === layer);
    });
  }

  // The link under the mouse (within 5 px of its curve), or null.
  linkAt(x, y) {
    let best = null, bestD = 25;
    for (const link of this.links) {
      if (x < link.x1 - 5 || x > link.x2 + 5) continue;
      for (const [px, py] of link.samples) {
        const d = (px - x) ** 2 + (py - y) ** 2;
        if (d < bestD) { bestD = d; best = link; }
      }
    }
    return best;
  }

  build(frame, dataset, settings, drawn) {
    this.root.textContent = "";
    this.columns = []; this.links = []; this.selects = []; this.look = null;
    const used = frame.features;
    const tall = Math.max(dataset.features.length, ...drawn) * DY + Y0 + 20;
    const wide = X0 + DX * drawn.length + NODE + 20;
    this.root.style.height = `${tall}px`;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "links";
    this.canvas.width = wide; this.canvas.height = tall;
    this.root.append(this.canvas);
    this.canvas.addEventListener("mousemove", e => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    this.canvas.addEventListener("click", e => this.edit(e));
    this.tip = document.createElement("div");
    this.tip.className = "tip"; this.tip.hidden = true; this.tip.dataset.testid = "weight-tip";
    this.root.append(this.tip);
    // column 0: every feature the data offers; the ones in use carry a thumbnail
    const inputs = dataset.features.map((name, i) => {
      const on = used.includes(name);
      const node = this.node(X0, Y0 + i * DY, on, `feature-${name}`);
      node.div.classList.toggle("off", !on);
      const label = document.createElement("span");
      label.className = "label"; label.textContent = pretty(name, dataset.columns);
      label.title = label.textContent;
      node.div.append(label);
      node.div.title = on ? "click to stop using this feature" : "click to use this feature";
      node.div.addEventListener("click", () => this.handlers.toggleFeature(name));
      node.name = name;
      return node;
    });
    this.columns.push(used.map(name => inputs.find(n => n.name === name)));
    drawn.forEach((n, l) => {
      const x = X0 + DX * (l + 1);
      const hidden = l < drawn.length - 1;
      const col = [];
      for (let i = 0; i < n; i++) col.push(this.node(x, Y0 + i * DY, true, hidden ? `unit-${l + 1}-${i}` : `output-${i}`));
      const total = frame.weights[l].units;
      if (total > n) this.note(x, Y0 + n * DY, `+${total - n} more`);
      const index = frame.weights[l].index;   // l in the equations' W[l], Z[l], A[l]
      if (hidden) this.head(x, l + 1, total, settings.acts[l], index);
      else this.note(x - 22, Y0 - 26, `output: layer ${index}`);
      for (const node of col) {   // a click on a unit picks its layer (the equations panel)
        node.div.addEventListener("click", () => this.handlers.pickLayer(index));
      }
      this.columns.push(col);
    });
    // links: W[l][i, j] joins unit j of column l-1 to unit i of column l
    frame.weights.forEach((w, l) => {
      const from = this.columns[l], to = this.columns[l + 1];
      w.W.forEach((row, i) => row.forEach((_, j) => {
        if (!from[j] || !to[i]) return;
        this.link(from[j], to[i], l + 1, i, j);
      }));
    });
  }

  node(x, y, thumb, testid) {
    const div = document.createElement("div");
    div.className = "node"; div.style.left = `${x}px`; div.style.top = `${y}px`;
    div.dataset.testid = testid;
    const node = { div, x, y, canvas: null };
    if (thumb) {
      node.canvas = document.createElement("canvas");
      node.canvas.width = 25; node.canvas.height = 25;
      div.append(node.canvas);
      div.addEventListener("mouseenter", () => this.showZoom(node));
      div.addEventListener("mouseleave", () => { this.zoom.hidden = true; });
    }
    this.root.append(div);
    return node;
  }

  showZoom(node) {
    if (!node.canvas) return;
    this.zoom.hidden = false;
    this.zoom.style.left = `${node.x + NODE + 8}px`;
    this.zoom.style.top = `${node.y}px`;
    this.root.append(this.zoom);
    const ctx = this.zoom.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(node.canvas, 0, 0, this.zoom.width, this.zoom.height);
  }

  note(x, y, text) {
    const span = document.createElement("span");
    span.className = "more"; span.style.left = `${x}px`; span.style.top = `${y}px`;
    span.textContent = text;
    this.root.append(span);
  }

  // The controls of hidden layer `layer` (1, 2, ...), named as the equations name it:
  // net.layers[index], whose W[index], Z[index] and A[index] the equations panel shows.
  head(x, layer, units, act, index) {
    const div = document.createElement("div");
    div.className = "layer-head"; div.style.left = `${x - 30}px`;
    div.dataset.testid = `layer-head-${layer}`;
    div.title = `layer ${index}: W[${index}], b[${index}], Z[${index}] and A[${index}] ` +
      "in the equations below; click one of its units to highlight them";
    const buttons = document.createElement("div");
    buttons.className = "unit-buttons";
    for (const [sign, delta] of [["+", 1], ["\u2212", -1]]) {
      const b = document.createElement("button");
      b.textContent = sign;
      b.dataset.testid = `${delta > 0 ? "add" : "remove"}-unit-${layer}`;
      b.title = delta > 0 ? "add a unit" : "remove a unit";
      b.addEventListener("click", () => this.handlers.setUnits(layer, units + delta));
      buttons.append(b);
    }
    const count = document.createElement("span");
    count.textContent = ` ${units} units in layer ${index}`;
    buttons.append(count);
    const select = document.createElement("select");
    select.dataset.testid = `act-${layer}`;
    for (const [value, label] of ACTS) select.add(new Option(label, value, false, value === act));
    select.addEventListener("change", () => this.handlers.setAct(layer, select.value));
    this.selects.push(select);
    div.append(buttons, select);
    this.root.append(div);
  }

  link(a, b, layer, row, col) {
    const x1 = a.x + NODE, y1 = a.y + NODE / 2, x2 = b.x, y2 = b.y + NODE / 2, mx = (x1 + x2) / 2;
    const samples = [];
    for (let k = 0; k <= 16; k++) {   // points on the curve, for finding it under the mouse
      const t = k / 16, u = 1 - t;
      samples.push([u * u * u * x1 + 3 * u * t * (u * mx + t * mx) + t * t * t * x2,
        u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2]);
    }
    this.links.push({ x1, y1, x2, y2, mx, samples, layer, row, col, value: 0 });
  }

  hover(e) {
    const link = this.linkAt(e.offsetX, e.offsetY);
    this.canvas.style.cursor = link ? "pointer" : "default";
    this.tip.hidden = !link;
    if (!link) return;
    this.tip.textContent = `W[${link.layer}][${link.row},${link.col}] = ${link.value.toFixed(4)} (click to edit)`;
    this.tip.style.left = `${e.offsetX + 12}px`;
    this.tip.style.top = `${e.offsetY + 12}px`;
  }

  edit(e) {
    const link = this.linkAt(e.offsetX, e.offsetY);
    if (!link) return;
    const text = window.prompt(`New value of W[${link.layer}][${link.row},${link.col}]`,
      link.value.toFixed(4));
    if (text === null) return;
    const value = Number(text);
    if (Number.isFinite(value)) this.handlers.editWeight(link.layer, "W", link.row, link.col, value);
  }
}

// "x1^2" -> "X1²", with the CSV's column names when the data came from a file.
function pretty(name, columns) {
  const col = i => (columns && columns.length > 2 ? columns[i - 1] : `X${i}`);
  return name.replace(/x(\d+)/g, (_, i) => col(Number(i))).replace("^2", "\u00B2")
    .replace("*", "\u00B7");
}
