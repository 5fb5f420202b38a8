(function () {
  const sn = window.streamnet;
  const SCALE = 4;
  const cards = new Map();

  function card(id) {
    let c = cards.get(id);
    if (c) return c;
    const el = document.createElement("div");
    el.className = "camera";
    el.dataset.camera = id;
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = id;
    const canvas = document.createElement("canvas");
    const lines = ["frame", "perFrame", "smoothed", "truth"].map(k => {
      const d = document.createElement("div");
      d.className = k;
      return d;
    });
    el.append(title, canvas, ...lines);
    document.getElementById("cameras").appendChild(el);
    c = { el, canvas, lines };
    cards.set(id, c);
    return c;
  }

  // Gray or RGB bytes, row-major, channels last, drawn pixel by pixel (SCALE x SCALE each).
  function draw(canvas, img) {
    const px = Uint8Array.from(atob(img.pixels), ch => ch.charCodeAt(0));
    canvas.width = img.width * SCALE;
    canvas.height = img.height * SCALE;
    const small = new ImageData(img.width, img.height);
    for (let i = 0; i < img.width * img.height; i++) {
      const g = px[i * img.channels];
      small.data[4 * i] = g;
      small.data[4 * i + 1] = img.channels >= 3 ? px[i * img.channels + 1] : g;
      small.data[4 * i + 2] = img.channels >= 3 ? px[i * img.channels + 2] : g;
      small.data[4 * i + 3] = 255;
    }
    const tmp = document.createElement("canvas");
    tmp.width = img.width;
    tmp.height = img.height;
    tmp.getContext("2d").putImageData(small, 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  }

  let names = [];
  const named = i => names[i] === undefined ? String(i) : i + " " + names[i];
  const label = (name, l) => l ? name + ": " + named(l.label) + " (" + sn.pct(l.confidence, 0)
    + "), v" + l.modelVersion : name + ": -";

  sn.live(s => {
    const f = s.frames;
    names = f.classNames;
    sn.text("perFrameAccuracy", sn.pct(f.perFrameAccuracy));
    sn.text("smoothedAccuracy", sn.pct(f.smoothedAccuracy));
    sn.text("frameLabelled", f.labelled);
    for (const cam of f.cameras) {
      const c = card(cam.camera);
      if (cam.image) draw(c.canvas, cam.image);
      c.el.dataset.frameNo = cam.image ? String(cam.image.frameNo) : "";
      c.lines[0].textContent = "frame " + (cam.image ? cam.image.frameNo : "-") + " (" + cam.frames + " received)";
      c.lines[1].textContent = label("per frame", cam.perFrame);
      c.lines[2].textContent = label("smoothed", cam.smoothed);
      const truth = cam.perFrame && cam.perFrame.trueLabel !== null ? cam.perFrame.trueLabel : null;
      c.lines[3].textContent = "true label: " + (truth === null ? "-" : named(truth));
      const mark = l => truth === null || !l ? "" : truth === l.label ? "right" : "wrong";
      c.lines[1].className = "perFrame " + mark(cam.perFrame);
      c.lines[2].className = "smoothed " + mark(cam.smoothed);
      if (cam.perFrame) c.el.dataset.label = String(cam.perFrame.label);
      if (cam.smoothed) c.el.dataset.smoothed = String(cam.smoothed.label);
    }
    const m = f.confusion;
    const head = document.querySelector("#confusion thead");
    head.replaceChildren();
    const hr = document.createElement("tr");
    ["true \\ predicted"].concat(m.map((_, j) => String(j))).forEach(h => {
      const th = document.createElement("th");
      th.textContent = h;
      hr.appendChild(th);
    });
    head.appendChild(hr);
    sn.rows("confusion", m.map((row, i) => ({ i, row })), r => [named(r.i)].concat(r.row), (tr, r) => {
      tr.childNodes.forEach((td, j) => {
        if (j === 0) td.className = "num truth";
        else if (r.row[j - 1] > 0) td.className = "num " + (j - 1 === r.i ? "hit" : "miss");
      });
    });
  });
})();
