// The page's URL: its settings (so a link reproduces the experiment) and the classroom
// keys, in the fragment: #dataset=xor&layers=8,8&lr=0.1&hide=equations&lesson=...

const LIST_KEYS = ["features", "layers", "acts"];
const NUMBER_KEYS = ["classes", "points", "noise", "train_pct", "batch", "data_seed", "seed",
  "dropout", "lr", "momentum", "rho", "beta1", "beta2", "weight_decay", "reg_rate", "epf",
  "plot_x", "plot_y"];
const BOOL_KEYS = ["discretize", "show_test"];
// Classroom mode: `hide=learning-rate,equations,...` hides controls (by data-testid) and
// panels; `lesson=...` shows a short text above the page.  They are the page's, not
// settings: the server never sees them, and every URL the page writes keeps them.
const CLASSROOM_KEYS = ["hide", "lesson", "token"];   // token: the page of a notebook's show()
const PANELS = { data: "section.data", network: ".network-col", output: "section.output",
  equations: ".equations", diagnostics: ".diagnostics-box", header: "header" };
export const classroom = {};

export function readHash() {
  const out = {};
  for (const part of location.hash.slice(1).split("&")) {
    if (!part.includes("=")) continue;
    const [key, raw] = part.split("=");
    const value = decodeURIComponent(raw);
    if (CLASSROOM_KEYS.includes(key)) { classroom[key] = value; continue; }
    if (LIST_KEYS.includes(key)) {
      const items = value === "" ? [] : value.split(",");
      out[key] = key === "layers" ? items.map(Number) : items;
    } else if (NUMBER_KEYS.includes(key)) out[key] = Number(value);
    else if (BOOL_KEYS.includes(key)) out[key] = value === "true";
    else out[key] = value;
  }
  return out;
}

export function writeHash(s) {
  const parts = Object.entries({ ...s, ...classroom }).map(([k, v]) =>
    `${k}=${encodeURIComponent(Array.isArray(v) ? v.join(",") : String(v))}`);
  history.replaceState(null, "", `#${parts.join("&")}`);
}

export function applyClassroom() {
  for (const name of (classroom.hide || "").split(",").filter(Boolean)) {
    const panel = PANELS[name] && document.querySelector(PANELS[name]);
    const el = panel || document.querySelector(`[data-testid="${CSS.escape(name)}"]`);
    if (el) (panel ? el : el.closest("label") || el).classList.add("classroom-hidden");
  }
  const lesson = document.getElementById("lesson");
  lesson.hidden = !classroom.lesson;
  lesson.textContent = classroom.lesson || "";
}

