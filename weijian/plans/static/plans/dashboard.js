/* Plan dashboard charts: task/target status and status by department. Data comes from the
   page's json_script block "plan-chart-data"; ECharts is loaded before this file. */
(function () {
  "use strict";
  var holder = document.getElementById("plan-chart-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  // 已完成, 正常推进, 滞后, 未开始, 无数据 (in the order the page sends them)
  var colours = ["#15803d", "#1d4ed8", "#b91c1c", "#9ca3af", "#d1d5db"];

  var statusEl = document.getElementById("chart-status");
  if (statusEl) {
    var status = echarts.init(statusEl);
    status.setOption({
      color: colours,
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, bottom: 30, top: 20 },
      xAxis: { type: "category", data: data.statuses },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "任务", type: "bar", data: data.tasks.map(function (v, i) { return { value: v, itemStyle: { color: colours[i] } }; }) },
        { name: "目标", type: "bar", data: data.targets.map(function (v, i) { return { value: v, itemStyle: { color: colours[i], opacity: 0.55 } }; }) }
      ]
    });
    window.addEventListener("resize", function () { status.resize(); });
  }

  var deptEl = document.getElementById("chart-departments");
  if (deptEl) {
    var dept = echarts.init(deptEl);
    dept.setOption({
      color: colours,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: data.statuses, top: 0, left: "center" },
      grid: { left: 10, right: 20, bottom: 10, top: 36, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.departments, inverse: true },
      series: data.statuses.map(function (name) {
        return { name: name, type: "bar", stack: "all", data: data.by_department[name] };
      })
    });
    window.addEventListener("resize", function () { dept.resize(); });
  }
})();
