// The 12-month chart on the statistics page. Progressive enhancement: without this file,
// or without Chart.js, the same figures stay in the table.
(function () {
  "use strict";

  var COLOURS = ["#2f6db3", "#1e6b34", "#b36b00", "#6b4fa0", "#5f6b7a"];

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("statistics-data");
    var box = document.querySelector("[data-statistics-chart]");
    if (!source || !box || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    var css = window.getComputedStyle(document.body);
    window.Chart.defaults.font.family = css.fontFamily;
    window.Chart.defaults.color = "#5f6b7a";
    new window.Chart(box.querySelector("canvas"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return {label: s.label, data: s.paid, backgroundColor: COLOURS[i % COLOURS.length], stack: "paid"};
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        plugins: {legend: {position: "bottom"}},
        scales: {x: {stacked: true},
                 y: {stacked: true, beginAtZero: true, title: {display: true, text: data.text.paid}}}
      }
    });
    var table = document.querySelector("[data-statistics-table]");
    if (table) { table.open = false; }
  });
})();
