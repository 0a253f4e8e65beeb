/* SchoolDesk report charts: each <figure data-chart> holds its description (labels, series, unit) in a
   JSON script; Chart.js (from the npm registry, served from static/vendor) draws it. The same figures are
   in the table beside each chart, and the canvas carries a text summary for screen readers. */
(function () {
  "use strict";
  function format(value, unit) {
    if (value === null || value === undefined) { return "–"; }
    if (unit === "%") { return Math.round(value) + "%"; }
    if (unit === "£") { return "£" + Number(value).toLocaleString("en-GB", {maximumFractionDigits: 0}); }
    return Number(value).toLocaleString("en-GB", {maximumFractionDigits: 1});
  }
  function draw(figure) {
    var spec = JSON.parse(document.getElementById(figure.dataset.chart).textContent);
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {beginAtZero: true, ticks: {callback: function (v) { return format(v, spec.unit); }}};
    if (spec.max) { scales[valueAxis].max = spec.max; }
    figure.chart = new window.Chart(figure.querySelector("canvas"), {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s) {
          return {label: s.label, data: s.data, backgroundColor: s.colour, borderColor: s.colour, borderWidth: 1};
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: scales,
        plugins: {
          legend: {display: spec.series.length > 1, position: "top"},
          tooltip: {callbacks: {label: function (ctx) {
            return ctx.dataset.label + ": " + format(ctx.parsed[valueAxis], spec.unit);
          }}}
        }
      }
    });
  }
  function drawAll() {
    if (!window.Chart) { return; }
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = "#212529";
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
