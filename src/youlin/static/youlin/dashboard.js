/* Dashboard charts (ECharts, served locally). Each chart has a "save as PNG" tool. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var L = data.labels;
  var tools = { feature: { saveAsImage: { title: "PNG", pixelRatio: 2 } } };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    option.toolbox = tools;
    // Tooltips drawn on the canvas, not as HTML: a category or unit name is shown, never run.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.dataset.ready = "1";
    return c;
  }
  chart("chart-months", {
    tooltip: { trigger: "axis" }, legend: { data: [L.registered, L.closed] },
    xAxis: { type: "category", data: data.months }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: L.registered, type: "bar", data: data.registered },
             { name: L.closed, type: "bar", data: data.closed }],
  });
  chart("chart-status", { tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "58%"], center: ["50%", "55%"], data: data.statuses,
               avoidLabelOverlap: true, label: { formatter: "{b} {c}", overflow: "none" }, labelLine: { length: 8, length2: 6 } }] });
  // Every category keeps its name (up to 12 bars: ECharts would drop every other label of a crowded axis).
  chart("chart-categories", { tooltip: {}, grid: { left: 120, top: 36, bottom: 28 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.categories.map(function (c) { return c.name; }).reverse(),
             axisLabel: { interval: 0, width: 110, overflow: "truncate" } },
    series: [{ type: "bar", data: data.categories.map(function (c) { return c.value; }).reverse() }] });
  function pct(key) { return data.trend.map(function (r) { return r[key] === null ? null : +(r[key] * 100).toFixed(1); }); }
  chart("chart-trend", { tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
    legend: { data: [L.closure, L.on_time, L.satisfaction, L.rework] },
    xAxis: { type: "category", data: data.trend.map(function (r) { return r.month; }) },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: L.closure, type: "line", data: pct("closure_rate"), connectNulls: true },
             { name: L.on_time, type: "line", data: pct("on_time_rate"), connectNulls: true },
             { name: L.satisfaction, type: "line", data: pct("satisfaction_rate"), connectNulls: true },
             { name: L.rework, type: "line", data: pct("rework_rate"), connectNulls: true }] });
})();
