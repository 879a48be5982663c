// The page's only script (inline, no network): the matrix views as client-side filters, kept in the
// URL fragment so that every view is a permalink. Without script the page shows every check.
//
// Fragment: "#view=failures&section=Errors&q=email" (view: all, failures, differences or changed),
// or the id of an element: a check ("#ERR-01"), a failure ("#fail-<target>-ERR-01"), a card.
export const PAGE_SCRIPT = `(() => {
  const t0 = performance.now();
  const $ = (s, el = document) => el.querySelector(s);
  const tbody = $("#matrix tbody");
  if (!tbody) return;
  const form = $("#views");
  const checks = [...tbody.querySelectorAll("tr.check")];
  const details = new Map();
  const headers = [];
  let section = null, profile = null;
  for (const row of tbody.rows) {
    if (row.classList.contains("section")) headers.push((section = { row, rows: [] }));
    else if (row.classList.contains("profile")) headers.push((profile = { row, rows: [] }));
    else if (row.classList.contains("check")) { section && section.rows.push(row); profile && profile.rows.push(row); }
    else if (row.classList.contains("detail")) details.set(row, $("#" + CSS.escape(row.dataset.for)));
  }
  const VIEWS = ["all", "failures", "differences", "changed"];
  const DEFAULT = { view: "all", section: "", q: "" };

  function fromHash() {
    const raw = decodeURIComponent(location.hash.slice(1));
    if (!raw.includes("=")) return { ...DEFAULT, anchor: raw };
    const p = new URLSearchParams(location.hash.slice(1));
    const view = VIEWS.includes(p.get("view")) ? p.get("view") : "all";
    return { view, section: p.get("section") || "", q: p.get("q") || "" };
  }
  function fromForm() {
    return { view: form.elements.view.value || "all", section: form.elements.section.value, q: form.elements.q.value };
  }
  function toHash(s) {
    const p = new URLSearchParams();
    if (s.view !== "all") p.set("view", s.view);
    if (s.section) p.set("section", s.section);
    if (s.q) p.set("q", s.q);
    const text = p.toString();
    history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
  }
  function apply(s) {
    form.elements.view.value = s.view;
    const sections = [...form.elements.section.options].map((o) => o.value);
    form.elements.section.value = sections.includes(s.section) ? s.section : "";
    form.elements.q.value = s.q;
    const q = s.q.trim().toLowerCase();
    let shown = 0;
    for (const row of checks) {
      const ok = (s.view === "all" || row.dataset[s.view] === "1") &&
        (!form.elements.section.value || row.dataset.section === form.elements.section.value) &&
        (!q || row.dataset.text.includes(q));
      row.hidden = !ok;
      if (ok) shown++;
    }
    for (const [row, check] of details) row.hidden = !check || check.hidden;
    for (const h of headers) h.row.hidden = !h.rows.some((r) => !r.hidden);
    $("#shown").textContent = shown + " of " + checks.length + " checks";
    $("#empty").hidden = shown > 0;
  }
  function go() {
    const s = fromHash();
    if (!s.anchor) return apply(s);
    const el = s.anchor && document.getElementById(s.anchor);
    const row = el && el.closest("#matrix tr");
    const check = row && (row.classList.contains("detail") ? details.get(row) : row);
    if (check && check.hidden) apply(DEFAULT);
    else if (!form.dataset.applied) apply(DEFAULT);
    if (el && el.tagName === "DETAILS") el.open = true;
    if (el) el.scrollIntoView({ block: el.tagName === "DETAILS" ? "nearest" : "center" });
  }
  form.addEventListener("input", () => { const s = fromForm(); toHash(s); apply(s); });
  form.addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", go);
  go();
  form.dataset.applied = "1";
  for (const button of document.querySelectorAll("button.copy")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).innerText;
      try { await navigator.clipboard.writeText(text); button.textContent = "copied"; }
      catch { getSelection().selectAllChildren(document.getElementById(button.dataset.copy)); button.textContent = "selected: press Ctrl+C"; }
      setTimeout(() => (button.textContent = "copy"), 2000);
    });
  }
  // For the page's own test: how long the views took, and when the first frame after them was drawn.
  document.documentElement.dataset.ready = String(Math.round(performance.now() - t0));
  requestAnimationFrame(() => setTimeout(() => (document.documentElement.dataset.rendered = String(Math.round(performance.now())))));
})();`;
