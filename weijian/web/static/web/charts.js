/* Weijian charts: every element with data-chart="ID" is drawn from the JSON object in the
   <script id="chart-data"> block (written by json_script), entry ID:
   {title, labels, unit, kind: "line"|"bar", series: [{name, data: [number|null]}]}. */
(function () {
  "use strict";
  var COLORS = ["#b42318", "#1d4ed8", "#15803d", "#b45309", "#6b7280"];

  function fmt(value, unit) {
    if (value === null || value === undefined) return "—";
    var n = Number(value);
    var text = Math.abs(n) >= 100000 ? (n / 10000).toFixed(1) + "万" : (Math.round(n * 100) / 100).toLocaleString("zh-CN");
    return text + (unit || "");
  }

  function padded(v) {
    var pad = Math.max(v.max - v.min, Math.abs(v.max) * 0.1, 1e-9);
    var step = Math.pow(10, Math.floor(Math.log10(pad)));
    return Math.max(v.min >= 0 ? 0 : -Infinity, Math.floor((v.min - pad) / step) * step);
  }

  function option(spec) {
    var bar = spec.kind === "bar";
    var many = spec.labels.length > 8;
    return {
      color: COLORS,
      animation: false,
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 30 : 12, bottom: 8, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0, textStyle: { fontSize: 11 } } : undefined,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, spec.unit); } },
      xAxis: { type: "category", data: spec.labels,
               axisLabel: { fontSize: 11, interval: 0, rotate: bar && many ? 30 : 0, hideOverlap: true } },
      // Bars compare sizes, so their axis starts at 0; lines show change, so theirs fits the
      // data, padded so that a change of 0.03 does not fill the whole height.
      yAxis: { type: "value", min: bar ? 0 : padded,
               scale: !bar, splitNumber: 4, axisLabel: { fontSize: 11, formatter: function (v) { return fmt(v, ""); } } },
      series: spec.series.map(function (s, i) {
        return { name: s.name, type: bar ? "bar" : "line", data: s.data, connectNulls: false,
                 symbolSize: 5, barMaxWidth: 36, lineStyle: i > 0 ? { type: "dashed" } : undefined };
      })
    };
  }

  function draw() {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.echarts) return;
    var specs = JSON.parse(holder.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-chart")];
      if (!spec) return;
      var hasData = spec.series.some(function (s) { return s.data.some(function (v) { return v !== null; }); });
      if (!hasData) { el.classList.add("empty"); el.textContent = "暂无数据"; return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(spec));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
