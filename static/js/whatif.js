// The policy what-if's chart: the monthly cost per county now and under the new rule.
// Progressive enhancement: without this file, or without Chart.js, the same figures stay
// in the table below it.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("whatif-chart-data");
    var box = document.querySelector("[data-whatif-chart]");
    if (!source || !box || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#5f6b7a";
    new window.Chart(box.querySelector("canvas"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {label: data.text.now, data: data.now, backgroundColor: "#9fbbe0"},
          {label: data.text.new, data: data.new, backgroundColor: "#1e6b34"}
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: {legend: {position: "bottom"}},
        scales: {y: {beginAtZero: true, grace: "10%"}}
      }
    });
  });
})();
