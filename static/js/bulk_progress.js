// Bulk Provision Users: live progress. Polls each running job's small JSON status (the row's
// data-status-url) until it has finished, then shows its outcome and the download link.
(function () {
  function poll(row) {
    fetch(row.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        var cell = row.querySelector(".job-status");
        var bar = cell.querySelector("progress");
        var count = cell.querySelector(".job-count");
        if (bar) { bar.value = s.percent; bar.textContent = s.percent + "%"; }
        if (count) { count.textContent = s.processed + " / " + s.total; }
        if (!s.finished) { setTimeout(function () { poll(row); }, 1000); return; }
        cell.textContent = "";
        var label = document.createElement("span");
        label.className = "job-label";
        label.textContent = s.label;
        cell.appendChild(label);
        if (s.failure_reason) {
          var reason = document.createElement("span");
          reason.className = "error";
          reason.textContent = " " + s.failure_reason;
          cell.appendChild(reason);
        }
        var link = row.querySelector(".job-download");
        if (link && s.download_url) { link.hidden = false; }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 3000); });
  }
  document.querySelectorAll("tr[data-status-url]").forEach(function (row) { setTimeout(function () { poll(row); }, 500); });
})();
