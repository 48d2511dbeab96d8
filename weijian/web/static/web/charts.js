/* Weijian charts: every element with data-chart="ID" is drawn from the JSON object in the
   <script id="chart-data"> block (written by json_script), entry ID:
   {title, labels, unit, kind: "line"|"bar", series: [{name, data: [number|null]}]}. */
(function () {
  "use strict";
  var COLORS = ["#b42318", "#1d4ed8", "#15803d", "#b45309", "#6b7280"];

  // One scale per chart: when its largest value reaches 1万 every label, tick and tooltip is
  // written in 万 (or 亿), so an axis never mixes 50,000 with 10.0万.
  function scaleOf(spec) {
    var top = 0;
    spec.series.forEach(function (s) {
      s.data.forEach(function (v) { if (v !== null && Math.abs(v) > top) top = Math.abs(v); });
    });
    if (spec.goal !== null && spec.goal !== undefined) top = Math.max(top, Math.abs(spec.goal));
    if (top >= 1e8) return { div: 1e8, word: "亿" };
    if (top >= 1e4) return { div: 1e4, word: "万" };
    return { div: 1, word: "" };
  }

  function fmt(value, unit, scale) {
    if (value === null || value === undefined) return "—";
    var n = Number(value) / scale.div;
    var text = (Math.round(n * 100) / 100).toLocaleString("zh-CN");
    return text + scale.word + (unit || "");
  }

  function padded(v) {
    var pad = Math.max(v.max - v.min, Math.abs(v.max) * 0.1, 1e-9);
    var step = Math.pow(10, Math.floor(Math.log10(pad)));
    return Math.max(v.min >= 0 ? 0 : -Infinity, Math.floor((v.min - pad) / step) * step);
  }

  function option(spec) {
    var bar = spec.kind === "bar";
    var scale = scaleOf(spec);
    var goal = spec.goal === null || spec.goal === undefined ? null : spec.goal;
    var many = spec.labels.length > 8;
    return {
      color: COLORS,
      animation: false,
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 30 : 12, bottom: 8, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0, textStyle: { fontSize: 11 } } : undefined,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, spec.unit, scale); } },
      xAxis: { type: "category", data: spec.labels,
               axisLabel: { fontSize: 11, interval: 0, rotate: bar && many ? 30 : 0, hideOverlap: true } },
      // Bars compare sizes, so their axis starts at 0; lines show change, so theirs fits the
      // data, padded so that a change of 0.03 does not fill the whole height.
      yAxis: { type: "value",
               min: bar ? 0 : function (v) {
                 return padded(goal === null ? v : { min: Math.min(v.min, goal), max: Math.max(v.max, goal) });
               },
               max: goal === null ? undefined : function (v) { return Math.max(v.max, goal); },
               scale: !bar, splitNumber: 4, axisLabel: { fontSize: 11, formatter: function (v) { return fmt(v, "", scale); } } },
      series: spec.series.map(function (s, i) {
        var line = { name: s.name, type: bar ? "bar" : "line", data: s.data, connectNulls: false,
                     symbolSize: 5, barMaxWidth: 36, lineStyle: i > 0 ? { type: "dashed" } : undefined };
        // The plan's target as a horizontal line on the first series.
        if (i === 0 && goal !== null) {
          line.markLine = { symbol: "none", silent: true, data: [{ yAxis: goal }],
                            lineStyle: { color: "#15803d", type: "dotted" },
                            label: { formatter: "目标 " + fmt(goal, spec.unit, scale), fontSize: 11 } };
        }
        return line;
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
