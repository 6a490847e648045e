// Tier 2, operations (#/operations?range=1d): the golden signals as uPlot
// charts drawn from the dashboard in effect (/api/dashboard: rows of panels,
// each with the /api/metrics/range queries that answer it), alert and
// deploy annotations on every chart (/api/annotations), the profiling
// regressions, the firing and recent alerts (Acknowledge) and the alert
// history. Clicking a chart opens the engineering tier's trace search for
// that step: no exemplars are stored, so the search lists the spans of the
// step rather than the requests behind the point.
"use strict";

(function () {
  const { el } = Tai;

  // The ranges offered, and the step that gives each a readable density
  // (a day of 1-minute points is 1440 per series).
  const RANGES = {
    "1h": { seconds: 3600, step: 15 },
    "1d": { seconds: 86400, step: 60 },
    "1w": { seconds: 7 * 86400, step: 600 },
    "30d": { seconds: 30 * 86400, step: 3600 },
  };
  const COLORS = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0a3069",
    "#6e7781", "#116329", "#953800"];
  const CLICK_HINT = "Click a point to search the traces of that time step. No exemplars are " +
    "stored: the search lists the spans recorded in the step, not the requests behind the point.";

  function rangeOf(params) {
    const name = RANGES[params.get("range")] ? params.get("range") : "1h";
    const end = Math.floor(Date.now() / 1000);
    const r = RANGES[name];
    // One end for every query of the view, so that their steps line up.
    return { name, start: end - r.seconds, end, step: r.step };
  }

  function rangeQuery(select, panel, range) {
    const q = new URLSearchParams();
    q.set("metric", select.metric);
    q.set("fn", select.fn);
    if (select.q !== undefined) q.set("q", select.q);
    q.set("across", select.across);
    q.set("start", range.start);
    q.set("end", range.end);
    q.set("step", range.step + "s");
    for (const m of panel.matchers || []) q.append("match[]", m);
    return Tai.api("/api/metrics/range", q);
  }

  // The lines of one panel: {label, times, values}, the ratio computed here
  // when the query has a denominator, times the query's scale.
  async function panelLines(panel, range) {
    const s = panel.series;
    const [num, den] = await Promise.all([
      rangeQuery(s.numerator, panel, range),
      s.denominator ? rangeQuery(s.denominator, panel, range) : null]);
    const scale = s.scale === undefined ? 1 : s.scale;
    let byTime = null;
    if (den) {
      byTime = new Map();
      const d = den.series[0];
      if (d) d.times.forEach((t, i) => byTime.set(t, d.values[i]));
    }
    return num.series.map((series) => ({
      label: Tai.labelsText(series.labels),
      times: series.times,
      values: series.values.map((v, i) => {
        if (v === null) return null;
        if (!byTime) return v * scale;
        const d = byTime.get(series.times[i]);
        return d ? (v / d) * scale : null;
      }),
    }));
  }

  // Rows of one chart each; a row's percentile panels of one metric share
  // a chart (p50, p95 and p99 as three lines).
  function chartsOfRow(row) {
    const charts = [];
    const byMetric = new Map();
    for (const panel of row.panels) {
      const s = panel.series;
      if (s && s.numerator.fn === "quantile" && !s.denominator) {
        const key = s.numerator.metric + "|" + (panel.matchers || []).join(",");
        if (byMetric.has(key)) {
          byMetric.get(key).panels.push(panel);
          continue;
        }
        const chart = { title: s.numerator.metric, panels: [panel], percentiles: true };
        byMetric.set(key, chart);
        charts.push(chart);
      } else {
        charts.push({ title: panel.title, panels: [panel], percentiles: false });
      }
    }
    for (const c of charts) {
      if (c.percentiles && c.panels.length > 1) {
        c.title = c.title + " " + c.panels.map((p) => "p" + Tai.formatNumber(100 * p.series.numerator.q)).join(" / ");
      } else if (c.percentiles) {
        c.title = c.panels[0].title;
      }
    }
    return charts;
  }

  // One uPlot data table from lines that may not share their times.
  function joinLines(lines) {
    const shared = lines.length > 0 && lines.every((l) => l.times.length === lines[0].times.length &&
      l.times[0] === lines[0].times[0] && l.times[l.times.length - 1] === lines[0].times[lines[0].times.length - 1]);
    if (shared) return [lines[0].times, ...lines.map((l) => l.values)];
    const times = [...new Set(lines.flatMap((l) => l.times))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    return [times, ...lines.map((l) => {
      const column = new Array(times.length).fill(null);
      l.times.forEach((t, i) => { column[index.get(t)] = l.values[i]; });
      return column;
    })];
  }

  function annotationPlugin(annotations) {
    return {
      hooks: {
        draw: [(u) => {
          const ctx = u.ctx;
          const [min, max] = [u.scales.x.min, u.scales.x.max];
          ctx.save();
          ctx.lineWidth = 1.5 * devicePixelRatio;
          for (const a of annotations) {
            const t = a.time_unix_nanos / 1e9;
            if (t < min || t > max) continue;
            const x = Math.round(u.valToPos(t, "x", true));
            ctx.strokeStyle = a.kind === "deploy" ? "#0969da" : "#cf222e";
            ctx.setLineDash(a.kind === "deploy" ? [6, 4] : []);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        }],
      },
    };
  }

  // Axis ticks with SI prefixes (180M rather than 1.8e+8).
  function axisNumber(v) {
    const abs = Math.abs(v);
    for (const [factor, prefix] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]]) {
      if (abs >= factor) return Tai.formatNumber(v / factor) + prefix;
    }
    return Tai.formatNumber(v);
  }

  function drawChart(container, chart, lines, annotations, range, context) {
    const threshold = chart.panels[0].threshold;
    const shown = lines.slice();
    const data = joinLines(shown);
    if (threshold !== undefined && data[0].length > 0) {
      shown.push({ label: "threshold", threshold: true });
      data.push(data[0].map(() => threshold));
    }
    const series = [{}].concat(shown.map((l, i) => ({
      label: l.label || "value",
      stroke: l.threshold ? "#cf222e" : COLORS[i % COLORS.length],
      dash: l.threshold ? [4, 4] : undefined,
      width: l.threshold ? 1 : 1.5,
      points: { show: false },
    })));
    const u = new uPlot({
      width: Math.max(300, container.clientWidth - 8),
      height: 200,
      series,
      scales: { x: { time: true } },
      axes: [{}, { values: (self, ticks) => ticks.map(axisNumber), size: 60 }],
      legend: { show: shown.length <= 8 },
      plugins: [annotationPlugin(annotations)],
    }, data, container);
    context.series += lines.length;
    context.points += lines.reduce((n, l) => n + l.values.length, 0);
    Tai.charts.push(u);
    u.over.setAttribute("title", CLICK_HINT);
    u.over.addEventListener("click", () => {
      const idx = u.cursor.idx;
      if (idx === null || idx === undefined) return;
      const t = u.data[0][idx];
      // A point is the end of its step: search the step that made it.
      Tai.navigate("engineering", { view: "traces", start: String(t - range.step), end: String(t) });
    });
    return u;
  }

  function unitText(panel) {
    return panel.unit ? " (" + panel.unit + ")" : "";
  }

  async function renderCharts(root, context, range, dashboard, annotations) {
    if (!dashboard.rows || dashboard.rows.length === 0) {
      root.appendChild(Tai.section("Golden signals",
        Tai.empty("No metrics recorded yet", "Charts appear once the service records metrics into its store.")));
      return;
    }
    // Fetch every chart's data first, then draw them all: the drawing is
    // what the performance bound measures.
    const jobs = [];
    for (const row of dashboard.rows) {
      const section = Tai.section(row.title);
      const grid = el("div", { class: "charts" });
      section.appendChild(grid);
      root.appendChild(section);
      for (const chart of chartsOfRow(row)) {
        const panel = chart.panels[0];
        const box = el("figure", { class: "chart", "data-title": chart.title });
        box.appendChild(el("figcaption", {}, chart.title + unitText(panel)));
        grid.appendChild(box);
        if (!panel.series) {
          // A local view (logs, traces, flame graph): a link to it.
          const view = { logs: "logs", traces: "traces", flamegraph: "profiles" }[panel.visualization] || "traces";
          const params = { view };
          if (view === "logs") params.text = panel.query;
          if (view === "traces") params.name = panel.query;
          box.appendChild(el("a", { href: Tai.href("engineering", params) }, "Open " + view + ": " + panel.query));
          continue;
        }
        const plot = el("div", { class: "plot" });
        box.appendChild(plot);
        jobs.push(Promise.all(chart.panels.map((p) => panelLines(p, range).then((lines) =>
          lines.map((l) => Object.assign(l, {
            label: chart.percentiles && chart.panels.length > 1
              ? "p" + Tai.formatNumber(100 * p.series.numerator.q) + (l.label ? " " + l.label : "")
              : l.label,
          })))))
          .then((parts) => ({ chart, box, plot, lines: parts.flat() }))
          .catch((error) => ({ chart, box, plot, error })));
      }
    }
    const results = await Promise.all(jobs);
    if (context.stale()) return;
    const drawing = performance.now();
    for (const r of results) {
      if (r.error) {
        r.plot.appendChild(Tai.errorBox("Could not load " + r.chart.title, r.error));
        continue;
      }
      if (r.lines.length === 0 || r.lines.every((l) => l.values.every((v) => v === null))) {
        r.plot.appendChild(Tai.empty("No data in this range"));
        continue;
      }
      const panel = r.chart.panels[0];
      if (panel.visualization === "stat" || panel.visualization === "gauge") {
        const last = r.lines[0].values.filter((v) => v !== null).pop();
        r.box.insertBefore(el("p", { class: "stat-value" }, Tai.formatNumber(last) +
          (panel.unit ? " " + panel.unit : "") +
          (panel.visualization === "gauge" ? " of " + (panel.max === undefined ? 100 : panel.max) : "")), r.plot);
      }
      drawChart(r.plot, r.chart, r.lines, annotations, range, context);
    }
    // uPlot paints after its constructor returns: the next frame has them all.
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    context.chartMs = performance.now() - drawing;
  }

  function severityBadge(severity) {
    const s = severity || "none";
    return el("span", { class: "severity severity-" + s.toLowerCase().replace(/[^a-z]/g, "") }, s);
  }

  function alertRows(alerts) {
    return alerts.map((a) => {
      const since = a.fired_at || a.active_at;
      const summary = (a.annotations && (a.annotations.summary || a.annotations.description)) || "";
      return el("tr", { class: "alert-" + a.state, "data-fingerprint": a.fingerprint },
        el("td", {}, a.state),
        el("td", {}, severityBadge(a.severity)),
        el("td", {}, a.rule_id, summary ? el("div", { class: "muted" }, summary) : null),
        el("td", { class: "labels" }, Tai.labelsText(a.labels)),
        el("td", {}, Tai.formatNumber(a.value)),
        el("td", {}, Tai.formatTime(since)),
        el("td", {},
          el("a", { href: Tai.withParams({ alert: a.fingerprint }) }, "History"),
          a.state === "firing"
            ? Tai.actionButton("Acknowledge", "/api/alerts/" + encodeURIComponent(a.fingerprint) + "/ack",
              "Acknowledged")
            : null));
    });
  }

  function alertTable(alerts) {
    return el("table", { class: "alerts" },
      el("thead", {}, el("tr", {}, ["State", "Severity", "Rule", "Labels", "Value", "Since", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, alertRows(alerts)));
  }

  function regressionTable(current, history) {
    const rows = current.map((a) => el("tr", { class: "alert-" + a.state },
      el("td", {}, a.labels.function || a.rule_id),
      el("td", {}, a.labels.profile_kind || ""),
      el("td", {}, severityBadge(a.severity)),
      el("td", {}, a.annotations && a.annotations.increase_percent ? "+" + a.annotations.increase_percent + " %" : Tai.formatNumber(a.value)),
      el("td", {}, a.state),
      el("td", {}, Tai.formatTime(a.fired_at || a.active_at)),
      el("td", {}, el("a", {
        href: Tai.href("engineering", { view: "profiles", kind: a.labels.profile_kind || "" }),
      }, "Profiles"))));
    const seen = new Set(current.map((a) => a.fingerprint));
    for (const e of history) {
      if (seen.has(e.fingerprint)) continue;
      seen.add(e.fingerprint);
      rows.push(el("tr", { class: "alert-" + e.state },
        el("td", {}, e.labels.function || e.rule_id),
        el("td", {}, e.labels.profile_kind || ""),
        el("td", {}, severityBadge(e.labels.severity)),
        el("td", {}, Tai.formatNumber(e.value) + " %"),
        el("td", {}, e.state),
        el("td", {}, Tai.formatTime(e.time)),
        el("td", {}, el("a", { href: Tai.href("engineering", { view: "profiles", kind: e.labels.profile_kind || "" }) }, "Profiles"))));
    }
    if (rows.length === 0) return Tai.empty("No profiling regressions in this range");
    return el("table", { class: "regressions" },
      el("thead", {}, el("tr", {}, ["Function", "Profile", "Severity", "Change", "State", "Since", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows));
  }

  function historyTable(events, fingerprint) {
    if (events.length === 0) {
      return Tai.empty(fingerprint ? "No history for this alert in this range" : "No alert history in this range");
    }
    return el("table", { class: "history" },
      el("thead", {}, el("tr", {}, ["Time", "Rule", "State", "Value", "Labels"].map((h) => el("th", {}, h)))),
      el("tbody", {}, events.map((e) => el("tr", { class: "alert-" + e.state },
        el("td", {}, Tai.formatTime(e.time)), el("td", {}, e.rule_id), el("td", {}, e.state),
        el("td", {}, Tai.formatNumber(e.value)), el("td", { class: "labels" }, Tai.labelsText(e.labels))))));
  }

  async function renderAlerts(root, range, params) {
    const fingerprint = params.get("alert") || "";
    const [alerts, history, regressions] = await Promise.allSettled([
      Tai.api("/api/alerts"),
      Tai.api("/api/alerts/history", { start: range.start, end: range.end, fingerprint, limit: 100 }),
      Tai.api("/api/alerts/history", { start: range.start, end: range.end, limit: 500 }),
    ]);
    const isRegression = (a) => a.labels && a.labels.alertname === "ProfileRegression";
    const regressionSection = Tai.section("Profiling regressions");
    if (alerts.status === "fulfilled" && regressions.status === "fulfilled") {
      regressionSection.appendChild(regressionTable(alerts.value.alerts.filter(isRegression),
        regressions.value.events.filter((e) => isRegression(e) || e.rule_id.startsWith("regression:"))));
    } else {
      regressionSection.appendChild(Tai.errorBox("Could not load regressions",
        alerts.status === "rejected" ? alerts.reason : regressions.reason));
    }
    root.appendChild(regressionSection);

    const alertSection = Tai.section("Firing and recent alerts");
    if (alerts.status === "fulfilled") {
      const list = alerts.value.alerts;
      alertSection.appendChild(list.length === 0
        ? Tai.empty(alerts.value.engine ? "No alerts firing or resolved in the last 15 minutes"
          : "No alert engine runs in this process")
        : alertTable(list));
    } else {
      alertSection.appendChild(Tai.errorBox("Could not load alerts", alerts.reason));
    }
    root.appendChild(alertSection);

    const historySection = Tai.section(fingerprint ? "History of alert " + fingerprint : "Alert history");
    if (fingerprint) historySection.appendChild(el("a", { href: Tai.withParams({ alert: null }) }, "Show every alert"));
    historySection.appendChild(history.status === "fulfilled" ? historyTable(history.value.events, fingerprint)
      : Tai.errorBox("Could not load the alert history", history.reason));
    root.appendChild(historySection);
  }

  async function loadAnnotations(range) {
    try {
      const body = await Tai.api("/api/annotations", { start: range.start, end: range.end });
      return { list: body.annotations || [] };
    } catch (e) {
      // A server without annotations (404) has none to draw.
      if (e.status === 404) return { list: [] };
      return { list: [], error: e };
    }
  }

  function annotationList(annotations) {
    if (annotations.error) return Tai.errorBox("Could not load annotations", annotations.error);
    if (annotations.list.length === 0) return null;
    return el("ul", { class: "annotations" }, annotations.list.slice(0, 20).map((a) =>
      el("li", { class: "annotation-" + a.kind }, Tai.formatTime(a.time_unix_nanos) + " ",
        el("strong", {}, a.kind), a.severity ? " " : null, a.severity ? severityBadge(a.severity) : null,
        " " + a.text)));
  }

  async function render(root, context) {
    const range = rangeOf(context.params);
    root.appendChild(el("nav", { class: "ranges", "aria-label": "Time range" },
      el("span", {}, "Range: "),
      Object.keys(RANGES).map((name) => el("a", {
        href: Tai.withParams({ range: name }),
        "aria-current": name === range.name ? "page" : null,
        class: "range",
      }, name)),
      el("span", { class: "muted hint" }, " " + CLICK_HINT)));
    const [dashboard, annotations] = await Promise.all([
      Tai.api("/api/dashboard").catch((e) => ({ error: e })),
      loadAnnotations(range)]);
    if (context.stale()) return;
    const annotationNote = annotationList(annotations);
    if (annotationNote) root.appendChild(Tai.section("Annotations", annotationNote));
    const charts = el("div", { class: "golden" });
    root.appendChild(charts);
    if (dashboard.error) {
      charts.appendChild(Tai.errorBox("Could not load the dashboard", dashboard.error));
    } else {
      if (dashboard.refresh_seconds) Tai.setRefresh(dashboard.refresh_seconds);
      await renderCharts(charts, context, range, dashboard, annotations.list);
    }
    if (context.stale()) return;
    await renderAlerts(root, range, context.params);
  }

  Tai.tiers.operations = { render };
})();
