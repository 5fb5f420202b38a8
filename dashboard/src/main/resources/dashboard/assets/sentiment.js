(function () {
  const sn = window.streamnet;
  let selected = new URLSearchParams(location.search).get("key");
  const keyChart = sn.chart("keyChart", [{ label: "P(positive)", stroke: "#2463eb", width: 2 }],
    { scales: { x: { time: false }, y: { range: [0, 1] } }, axes: [{ label: "word" }, { label: "score" }] });
  const rateChart = sn.chart("rateChart", [
    { label: "positive / s", stroke: "#17803d", width: 2 },
    { label: "negative / s", stroke: "#b42318", width: 2 }]);

  function drawKey() {
    if (!selected) return;
    sn.text("selectedKey", selected);
    sn.api("api/key?key=" + encodeURIComponent(selected)).then(h => {
      if (h.key !== selected) return;
      keyChart.setData([h.history.map(p => p.step + 1), h.history.map(p => sn.num(p.score))]);
      document.getElementById("keyChart").dataset.points = String(h.history.length);
    });
  }

  sn.live(s => {
    const t = s.sentiment;
    sn.text("verdicts", t.verdicts);
    sn.text("activeKeys", t.activeKeys);
    sn.text("positiveRate", sn.fmt(t.positiveRate, 1));
    sn.text("negativeRate", sn.fmt(t.negativeRate, 1));
    sn.text("accuracy", sn.pct(t.accuracy));
    sn.text("labelled", t.labelled);
    if (!selected && t.keys.length) selected = t.keys[0].key;
    sn.rows("keys", t.keys, k => [k.key, sn.round(k.score, 3), k.label === 1 ? "positive" : "negative",
      k.step + 1, k.predictions, "v" + k.modelVersion], (tr, k) => {
      tr.dataset.key = k.key;
      if (k.key === selected) tr.classList.add("selected");
      tr.addEventListener("click", () => { selected = k.key; drawKey(); });
    });
    rateChart.setData([t.positivePerSecond.map(p => p[0]), t.positivePerSecond.map(p => p[1]),
      t.negativePerSecond.map(p => p[1])]);
    drawKey();
  });
})();
