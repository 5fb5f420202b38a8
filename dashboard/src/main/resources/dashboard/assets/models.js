(function () {
  const sn = window.streamnet;
  const chart = sn.chart("versionChart", [
    { label: "held-out score", stroke: "#7c3aed", width: 2 },
    { label: "served accuracy (versions with 20+ labelled)", stroke: "#17803d", width: 2, spanGaps: true }],
    { scales: { x: { time: false } }, axes: [{ label: "version", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, {}] });
  const metric = (v, k, d) => sn.round(v.metrics[k], d);

  sn.live(s => {
    const m = s.models;
    sn.rows("serving", Object.entries(m.serving), e => [e[0], e[1]], (tr, e) => { tr.dataset.model = e[0]; });
    const versions = m.versions.slice(-100).reverse();
    sn.rows("versions", versions, v => {
      const a = m.accuracyByVersion[v.modelId + "@" + v.version];
      return [v.modelId, v.version, new Date(v.createdAt).toLocaleTimeString(), metric(v, "score", 4),
        metric(v, "parentVersion", 0), v.metrics.rolledBackFrom === undefined ? "" : "v" + sn.round(v.metrics.rolledBackFrom, 0),
        a ? sn.round(a.accuracy, 4) : "-", a ? a.labelled : 0];
    });
    sn.rows("rejections", m.rejections, r => [new Date(r.time).toLocaleTimeString(), r.reason, r.detail],
      tr => { tr.lastChild.className = "detail"; });
    // The chart follows the model in service with the most versions.
    const counts = {};
    for (const v of m.versions) counts[v.modelId] = (counts[v.modelId] || 0) + 1;
    const id = Object.keys(m.serving).sort((a, b) => (counts[b] || 0) - (counts[a] || 0))[0];
    const mine = m.versions.filter(v => v.modelId === id).sort((a, b) => a.version - b.version);
    chart.setData([mine.map(v => v.version), mine.map(v => sn.num(v.metrics.score)),
      // a version that served a handful of labelled predictions says little: those are left out of the line
      mine.map(v => { const a = m.accuracyByVersion[id + "@" + v.version]; return a && a.labelled >= 20 ? sn.num(a.accuracy) : null; })]);
  });
})();
