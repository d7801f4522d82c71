// The export job page: asks for the job's status every two seconds and moves the progress
// bar; reloads the page once the job has finished, so the server shows the download link
// or the error. Progressive enhancement: without this file the page reloads itself
// (the <noscript> refresh in its head).
(function () {
  "use strict";

  var INTERVAL = 2000;

  function watch(box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-export-progress]");
    var label = document.querySelector("[data-export-label]");
    var url = box.getAttribute("data-status-url");

    function show(data) {
      if (bar) {
        bar.max = data.rows_total || 1;
        bar.value = data.rows_done;
        bar.textContent = data.percent + "%";
      }
      if (text) { text.textContent = data.progress_text; }
      if (label) { label.textContent = data.label; }
    }

    function poll() {
      window.fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (data.finished) {
            window.location.reload();
            return;
          }
          show(data);
          window.setTimeout(poll, INTERVAL);
        })
        .catch(function () {
          // Offline for a moment (a phone between cells): try again, less often.
          window.setTimeout(poll, INTERVAL * 5);
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-export-job]");
    if (!box || box.getAttribute("data-finished") === "true") { return; }
    if (!window.fetch) {
      window.setTimeout(function () { window.location.reload(); }, 5000);
      return;
    }
    watch(box);
  });
})();
