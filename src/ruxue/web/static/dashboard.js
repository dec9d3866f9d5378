// The supervision dashboard: fetches the JSON endpoints and draws them with ECharts (vendored).
"use strict";
(function () {
  const root = document.getElementById("dashboard");
  const query = root.dataset.query || "";
  const api = (path, extra) => fetch("/api/v1/dashboard/" + path + query + (extra ? (query ? "&" : "?") + extra : ""),
    { headers: { Accept: "application/json" }, credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.json();
    });
  const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%");
  const charts = {};
  // ten districts: ECharts' default palette has nine colours
  const PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4",
    "#ea7ccc", "#2f4554"];
  // no animation: figures appear at once, and a screenshot shows what the page shows
  const chart = (id) => {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id));
      charts[id].setOption({ animation: false });
    }
    return charts[id];
  };
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));

  function kpis(s) {
    const r = s.ratings.figures;
    const items = [
      ["报名数", s.applications.total], ["其中区县上报", s.applications.reported], ["学位数", s.capacity], ["自动审批率", pct(s.applications.auto_rate)],
      ["人工审核待办", s.backlog.count, s.backlog.over_limit > 0], ["待补充材料", s.needs_materials],
      ["好评率", pct(r.good_rate)], ["主动评价率", pct(r.active_rate)], ["未评价率", pct(r.unrated_rate)],
      ["差评整改率", pct(r.rectified_rate)], ["实名差评回访率", pct(r.visited_rate)],
      ["逾期整改", s.overdue, s.overdue > 0], ["已归档", s.archive.filed],
      ["四性检测未通过", s.archive.checks_failed, s.archive.checks_failed > 0],
    ];
    const box = document.getElementById("kpis");
    box.replaceChildren(...items.map(([label, value, warn]) => {
      const div = document.createElement("div");
      div.className = "kpi" + (warn ? " warn" : "");
      const b = document.createElement("b");
      b.textContent = value;
      const span = document.createElement("span");
      span.textContent = label;
      div.append(b, span);
      return div;
    }));
    document.getElementById("as-of").textContent = s.as_of
      ? "数据更新于 " + new Date(s.as_of).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) : "尚未汇总";
    chart("chart-backlog").setOption({
      grid: { left: 40, right: 10, top: 20, bottom: 30 }, tooltip: {},
      xAxis: { type: "category", data: Object.keys(s.backlog.bands) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: Object.values(s.backlog.bands), itemStyle: { color: "#d9822b" } }],
    });
    chart("chart-ratings").setOption({
      tooltip: { valueFormatter: pct }, grid: { left: 90, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => v * 100 + "%" } },
      yAxis: { type: "category", data: ["好评率", "主动评价率", "未评价率", "差评整改率", "实名差评回访率"] },
      series: [{ type: "bar", data: [r.good_rate, r.active_rate, r.unrated_rate, r.rectified_rate, r.visited_rate],
        itemStyle: { color: "#2e8b57" } }],
    });
  }

  function applications(data) {
    const times = [...new Set(data.points.map((p) => p.t))];
    const units = [...new Set(data.points.map((p) => p.unit_label))];
    const series = units.map((u) => {
      const byTime = new Map();
      data.points.filter((p) => p.unit_label === u).forEach((p) => byTime.set(p.t, (byTime.get(p.t) || 0) + p.applications));
      return { name: u, type: "bar", stack: "all", data: times.map((t) => byTime.get(t) || 0) };
    });
    chart("chart-applications").setOption({
      animation: false, color: PALETTE, tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 50 }, dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
      xAxis: { type: "category", data: times }, yAxis: { type: "value" }, series,
    }, true);
  }

  function table(name, rows) {
    const el = document.getElementById("table-" + name);
    if (!rows.length) { el.textContent = "暂无数据"; return; }
    const labels = {
      code: "代码", name: "名称", capacity: "学位数", applications: "报名数", reported: "其中区县上报",
      auto_rate: "自动审批率", backlog: "人工审核待办",
      backlog_over: "超期待审", needs_materials: "待补材料", good_rate: "好评率", active_rate: "主动评价率",
      active_good_rate: "主动评价好评率", unrated_rate: "未评价率", rectified_rate: "差评整改率", visited_rate: "实名差评回访率",
      overdue: "逾期整改", filed: "已归档", checks_failed: "四性检测未通过", department: "部门", calls: "调用次数",
      answered: "正常应答", availability: "可用率", p50_ms: "时延P50(ms)", p95_ms: "时延P95(ms)",
    };
    const keys = Object.keys(rows[0]);
    const head = document.createElement("tr");
    keys.forEach((k) => { const th = document.createElement("th"); th.textContent = labels[k] || k; head.append(th); });
    const body = rows.map((row) => {
      const tr = document.createElement("tr");
      keys.forEach((k) => {
        const td = document.createElement("td");
        const v = row[k];
        td.textContent = k.endsWith("_rate") || k === "availability" ? pct(v) : v === null ? "—" : v;
        if (typeof v === "number") td.className = "num";
        tr.append(td);
      });
      return tr;
    });
    el.replaceChildren(head, ...body);
  }

  function capacity(rows) {
    chart("chart-capacity").setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 10, top: 30, bottom: 60 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { rotate: 30, fontSize: 10 } },
      yAxis: { type: "value" },
      series: [{ name: "报名数", type: "bar", data: rows.map((r) => r.applications) },
        { name: "学位数", type: "bar", data: rows.map((r) => r.capacity || 0), itemStyle: { color: "#9cc3ee" } }],
    });
  }

  function departments(rows) {
    chart("chart-departments").setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 45, right: 45, top: 30, bottom: 40 },
      xAxis: { type: "category", data: rows.map((r) => r.department), axisLabel: { rotate: 20, fontSize: 10 } },
      yAxis: [{ type: "value", max: 1, axisLabel: { formatter: (v) => v * 100 + "%" } }, { type: "value", name: "ms" }],
      series: [{ name: "可用率", type: "bar", data: rows.map((r) => r.availability) },
        { name: "P95时延", type: "line", yAxisIndex: 1, data: rows.map((r) => r.p95_ms) }],
    });
  }

  // the county picture: its figures are in the page's table; the chart draws the same numbers
  function counties() {
    const el = document.getElementById("chart-counties");
    if (!el) return;
    const d = JSON.parse(el.dataset.chart);
    chart("chart-counties").setOption({
      aria: { enabled: true, decal: { show: true } }, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 60 },
      xAxis: { type: "category", data: d.districts, axisLabel: { rotate: 20, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: d.series.map((s) => ({ name: s.stage, type: "bar", stack: "stage", data: s.data })),
    });
  }

  const period = (p) => api("applications", "period=" + p).then(applications);
  document.getElementById("by-hour").addEventListener("click", (e) => { e.preventDefault(); period("hour"); });
  document.getElementById("by-day").addEventListener("click", (e) => { e.preventDefault(); period("day"); });
  const unitTable = query.includes("district=") || document.getElementById("table-districts") === null ? "schools" : "districts";
  counties();
  Promise.all([
    api("summary").then(kpis),
    period("day"),
    ...[...document.querySelectorAll("table[data-table]")].map((t) =>
      api("tables/" + t.dataset.table + ".json").then((d) => {
        table(t.dataset.table, d.rows);
        if (t.dataset.table === unitTable) capacity(d.rows);
        if (t.dataset.table === "departments") departments(d.rows);
      })),
  ]).then(() => root.setAttribute("data-ready", "1"), (err) => {
    root.setAttribute("data-ready", "error");
    document.getElementById("as-of").textContent = "数据加载失败：" + err.message;
  });
})();
