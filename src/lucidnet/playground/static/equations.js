// The equations panel and the gradient check: what net.explain() and net.grad_check()
// say about the network being trained, with its real shapes and a few live numbers.
// Clicking a line, or a layer in the drawing, highlights the equations that compute that
// layer (their left-hand side: Z[l], A[l], Delta[l], dW[l], db[l]) and its units.

export class EquationsView {
  constructor(panel, report, onPick) {
    this.panel = panel; this.report = report; this.onPick = onPick;
    this.lines = []; this.picked = null;
  }

  show(msg) {
    this.panel.textContent = "";
    const note = document.createElement("div");
    note.className = "eq-note"; note.dataset.testid = "equations-epoch";
    note.textContent = `Live numbers (J, gradient norms) at epoch ${msg.epoch}`;
    this.panel.append(note);
    this.lines = msg.lines.map(line => {
      const div = document.createElement("div");
      div.className = "eq";
      div.textContent = line.text || "\u00A0";
      if (/^[A-Z][a-z ]+(pass|\(|$)|^Cost|^Update|^Gradient norms|^NeuralNetwork/.test(line.text)) {
        div.classList.add("eq-head");
      }
      div.dataset.layer = line.layer === null ? "" : String(line.layer);
      if (line.layer > 0) div.addEventListener("click", () => this.onPick(line.layer));
      this.panel.append(div);
      return { div, layer: line.layer };
    });
    this.highlight(this.picked);
  }

  // Highlight the lines that compute layer l (null: none).
  highlight(layer) {
    this.picked = layer;
    for (const line of this.lines) {
      line.div.classList.toggle("eq-hl", layer !== null && line.layer === layer);
    }
  }

  showReport(msg) {
    const t = this.report;
    t.textContent = "";
    const cap = t.createCaption();
    cap.textContent = `Gradient check at epoch ${msg.epoch} (${msg.method === "entries"
      ? "every entry" : "one random direction per tensor"}, central differences, ` +
      `${msg.examples} examples): ${msg.passed ? "passed" : "FAILED"}` +
      (msg.tol === null ? "" : `; a tensor passes when its largest relative error is below ${msg.tol}`);
    const head = t.insertRow();
    for (const h of ["layer", "param", "largest relative error", "verdict"]) {
      const th = document.createElement("th"); th.textContent = h; head.append(th);
    }
    for (const r of msg.rows) {
      const tr = t.insertRow();
      tr.dataset.testid = `gradcheck-${r.layer}-${r.param}`;
      tr.className = `verdict-${r.verdict}`;
      tr.insertCell().textContent = `${r.layer} (${r.name})`;
      tr.insertCell().textContent = r.param;
      tr.insertCell().textContent = r.max_rel_error === null ? "-" : r.max_rel_error.toExponential(2);
      tr.insertCell().textContent = r.verdict === "kink"
        ? "kink (a ReLU corner between the two sides of the difference)" : r.verdict;
      tr.addEventListener("click", () => this.onPick(r.layer));
    }
  }
}
