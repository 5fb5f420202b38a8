(function () {
  const sn = window.streamnet;
  const chart = sn.chart("throughputChart", [
    { label: "events in / s", stroke: "#2463eb", width: 2 },
    { label: "predictions out / s", stroke: "#c2410c", width: 2 }]);

  sn.live(s => {
    const p = s.pipeline;
    sn.text("eventsRate", sn.fmt(p.eventsPerSecond, 1));
    sn.text("predictionsRate", sn.fmt(p.predictionsPerSecond, 1));
    sn.text("p50", sn.fmt(p.latencyP50Ms, 0));
    sn.text("p99", sn.fmt(p.latencyP99Ms, 0));
    sn.text("events", p.events);
    sn.text("predictions", p.predictions);
    sn.text("deadLetters", p.deadLetters);
    sn.text("restarts", p.restarts === null ? "-" : p.restarts);
    sn.rows("reasons", Object.entries(p.deadLettersByReason), e => [e[0], e[1]]);
    sn.rows("newestDeadLetters", p.newestDeadLetters, d => [new Date(d.time).toLocaleTimeString(), d.reason, d.source,
      d.detail], tr => { tr.lastChild.className = "detail"; });
    chart.setData([p.eventsInSeries.map(x => x[0]), p.eventsInSeries.map(x => x[1]),
      p.predictionsOutSeries.map(x => x[1])]);
  });
})();
