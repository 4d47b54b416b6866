// Qudao console: the import progress bar polls its JSON until the run ends, then shows the report.
(function () {
  var bar = document.querySelector("[data-progress-url]");
  if (!bar) return;
  var url = bar.getAttribute("data-progress-url");
  var fill = bar.querySelector("[data-testid=progress-fill]");
  var label = document.querySelector("[data-testid=progress-label]");
  var seen = [];
  function show(p) {
    // With several web workers a poll may reach one that knows only the job row's
    // figure, written a moment behind the running worker's: never step back.
    if (!p.finished && seen.length && p.percent < seen[seen.length - 1]) return;
    seen.push(p.percent);
    bar.setAttribute("data-seen", seen.join(","));
    bar.setAttribute("data-percent", p.percent);
    fill.style.width = p.percent + "%";
    if (label) label.textContent = p.percent + "% · " + p.rows + (p.estimate ? " / ~" + Math.max(p.estimate - 1, 0) : "") +
      " 行 rows" + (p.phase ? " · " + (p.phase === "read" ? "检查 checking" : (p.dry_run ? "试写 trying" : "写入 writing")) : "");
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (p.finished) { setTimeout(function () { window.location.reload(); }, 300); }
        else { setTimeout(poll, 300); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
