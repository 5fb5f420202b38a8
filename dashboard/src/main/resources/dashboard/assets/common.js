// What every page shares: the access token carried on links and requests, the live feed, and
// helpers that set everything from the stream as text (textContent), never parsed as HTML.
window.streamnet = (function () {
  const token = new URLSearchParams(location.search).get("token");
  const query = token ? "?token=" + encodeURIComponent(token) : "";
  for (const a of document.querySelectorAll("nav a")) {
    a.href = a.getAttribute("href") + query;
    if (location.pathname.endsWith("/" + a.getAttribute("href"))) a.classList.add("here");
  }

  const text = (id, v) => { document.getElementById(id).textContent = v; };
  // Figures from the stream may be anything: only a finite number is formatted as one; null (the
  // server's "not a number") shows as "-", anything else as its text. Nothing here may throw, or
  // the page would stop updating.
  const finite = v => typeof v === "number" && Number.isFinite(v);
  const shown = v => (v === null || v === undefined) ? "-" : String(v);
  const fmt = (v, d) => finite(v) ? (v < 0 ? "-" : v.toFixed(d)) : shown(v);
  const pct = (v, d = 1) => finite(v) ? (100 * v).toFixed(d) + "%" : shown(v);
  // a number rounded to d places (a number, so that its cell is right-aligned), or the value as text
  const round = (v, d) => finite(v) ? Number(v.toFixed(d)) : shown(v);
  const num = v => finite(v) ? v : null; // for charts: a gap where there is no number

  function rows(tableId, items, cells, onRow) {
    const body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren();
    for (const item of items) {
      const tr = document.createElement("tr");
      for (const c of cells(item)) {
        const td = document.createElement("td");
        if (typeof c === "number" || c === "-") td.className = "num";
        td.textContent = c;
        tr.appendChild(td);
      }
      if (onRow) onRow(tr, item);
      body.appendChild(tr);
    }
  }

  function live(show) {
    const events = new EventSource("api/events" + query);
    events.addEventListener("snapshot", e => {
      const s = JSON.parse(e.data);
      show(s);
      text("status", "live, " + new Date(s.time).toLocaleTimeString());
      document.body.dataset.updated = String(s.time);
    });
    events.onerror = () => text("status", "reconnecting ...");
  }

  // A uPlot chart in the element with this id, as wide as the element.
  function chart(id, series, opts) {
    const el = document.getElementById(id);
    const o = Object.assign({ width: Math.max(320, el.clientWidth || 560), height: 220,
      series: [{}].concat(series), legend: { show: true } }, opts || {});
    const data = [[]].concat(series.map(() => []));
    return new uPlot(o, data, el);
  }

  const api = path => fetch(path + (path.includes("?") ? (token ? "&token=" + encodeURIComponent(token) : "")
    : query)).then(r => r.json());

  return { text, fmt, pct, round, num, rows, live, chart, api, query };
})();
