// Everything from the stream is set as text (textContent), never parsed as HTML.
(function () {
  const token = new URLSearchParams(location.search).get("token");
  const url = "api/events" + (token ? "?token=" + encodeURIComponent(token) : "");
  const text = (id, v) => { document.getElementById(id).textContent = v; };
  const fmt = (v, d) => (v === null || v === undefined || v < 0) ? "-" : Number(v).toFixed(d);

  function rows(tableId, items, cells) {
    const body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren();
    for (const item of items) {
      const tr = document.createElement("tr");
      for (const c of cells(item)) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function show(s) {
    const p = s.pipeline;
    text("predictions", p.predictions);
    text("rate", fmt(p.predictionsPerSecond, 1));
    text("p50", fmt(p.latencyP50Ms, 0));
    text("p99", fmt(p.latencyP99Ms, 0));
    text("accuracy", p.accuracy === null ? "-" : fmt(p.accuracy, 3));
    text("deadLetters", p.deadLetters);
    rows("reasons", Object.entries(p.deadLettersByReason), e => [e[0], e[1]]);
    rows("keys", s.keys, k => [k.key, fmt(k.score, 3), k.label, k.step, k.predictions, "v" + k.modelVersion]);
    const versions = s.models.versions.slice(-20).reverse();
    rows("versions", versions, v => [v.modelId, v.version, new Date(v.createdAt).toLocaleTimeString(),
      v.metrics.score === undefined ? "-" : fmt(v.metrics.score, 4),
      v.metrics.parentVersion === undefined ? "-" : v.metrics.parentVersion]);
    text("status", "live, " + new Date(s.time).toLocaleTimeString());
  }

  const events = new EventSource(url);
  events.addEventListener("snapshot", e => show(JSON.parse(e.data)));
  events.onerror = () => text("status", "reconnecting ...");
})();
