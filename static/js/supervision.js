// The 12-week trend chart on the deadline supervision page. Progressive enhancement:
// without this file, or without Chart.js, the same figures stay in the table.
(function () {
  "use strict";

  function draw(box, data) {
    var css = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = css.fontFamily;
    window.Chart.defaults.color = "#5f6b7a";
    return new window.Chart(box.querySelector("canvas"), {
      data: {
        labels: data.labels,
        datasets: [
          {type: "bar", label: data.text.due, data: data.due, yAxisID: "count", order: 2,
           backgroundColor: "#9fbbe0"},
          {type: "bar", label: data.text.late, data: data.late, yAxisID: "count", order: 2,
           backgroundColor: "#b4232a"},
          {type: "line", label: data.text.rate, data: data.rate, yAxisID: "rate", order: 1,
           borderColor: "#1e6b34", backgroundColor: "#1e6b34", spanGaps: true, tension: 0}
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "bottom"}},
        scales: {
          count: {type: "linear", position: "left", beginAtZero: true, grace: "10%", ticks: {precision: 0},
                  title: {display: true, text: data.text.count}},
          rate: {type: "linear", position: "right", min: 0, max: 100, grid: {drawOnChartArea: false},
                 ticks: {callback: function (value) { return value + "%"; }}}
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("trend-data");
    var box = document.querySelector("[data-trend-chart]");
    if (!source || !box || typeof window.Chart === "undefined") { return; }
    box.hidden = false;
    draw(box, JSON.parse(source.textContent));
    // The chart now shows the figures; the table stays one click away for screen readers and print.
    var table = document.querySelector("[data-trend-table]");
    if (table) { table.open = false; }
  });
})();
