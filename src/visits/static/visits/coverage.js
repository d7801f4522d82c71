// The coverage chart per township. Progressive enhancement: without this file, or without
// Chart.js, the same figures stay in the table.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("coverage-data");
    var box = document.querySelector("[data-coverage-chart]");
    if (!source || !box || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#5f6b7a";
    new window.Chart(box.querySelector("canvas"), {
      data: {
        labels: data.labels,
        datasets: [
          {type: "bar", label: data.text.done, data: data.done, yAxisID: "count", stack: "v", backgroundColor: "#1e6b34"},
          {type: "bar", label: data.text.missed, data: data.missed, yAxisID: "count", stack: "v", backgroundColor: "#e0a040"},
          {type: "bar", label: data.text.overdue, data: data.overdue, yAxisID: "count", backgroundColor: "#b4232a"},
          {type: "line", label: data.text.share, data: data.share, yAxisID: "rate", borderColor: "#1d5fa8",
           backgroundColor: "#1d5fa8", spanGaps: true, tension: 0}
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "bottom"}},
        scales: {
          count: {type: "linear", position: "left", beginAtZero: true, stacked: true, ticks: {precision: 0},
                  title: {display: true, text: data.text.count}},
          rate: {type: "linear", position: "right", min: 0, max: 100, grid: {drawOnChartArea: false},
                 ticks: {callback: function (value) { return value + "%"; }}}
        }
      }
    });
  });
})();
