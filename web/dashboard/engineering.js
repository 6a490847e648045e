// Tier 3, engineering (#/engineering?view=traces|logs|profiles): trace
// search and a trace's waterfall with its span details and correlated logs;
// log search; the flame graph of a profile (d3-flame-graph, click to zoom),
// the merged profile of a time range and the differential flame graph of a
// profile against a baseline, with "Pin as baseline" and a speedscope
// download. Every value from the data reaches the page as text only:
// d3-flame-graph writes names with .text() and its titles through the
// label handler below, which returns plain text.
"use strict";

(function () {
  const { el } = Tai;

  const VIEWS = { traces: "Traces", logs: "Logs", profiles: "Profiles" };
  const LEVELS = ["", "trace", "debug", "info", "warn", "error", "fatal"];
  const KINDS = ["", "CPU", "WALL", "HEAP", "THREADS"];

  // A search form whose fields are URL parameters: submitting it changes
  // the URL, which renders the results (so a search can be shared).
  function searchForm(params, view, fields, keep = []) {
    const inputs = {};
    const form = el("form", { class: "search", role: "search" });
    for (const f of fields) {
      let input;
      const current = params.get(f.name) || "";
      if (f.type === "select") {
        input = el("select", { name: f.name },
          f.options.map((o) => el("option", { value: o, selected: o === current ? true : null }, o || "any")));
      } else if (f.type === "checkbox") {
        input = el("input", { type: "checkbox", name: f.name, checked: current === "true" });
      } else {
        input = el("input", { type: "text", name: f.name, value: current, placeholder: f.placeholder || "" });
      }
      inputs[f.name] = input;
      form.appendChild(el("label", {}, f.label, " ", input));
    }
    form.appendChild(el("button", { type: "submit" }, "Search"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = { view };
      for (const k of keep) if (params.get(k)) next[k] = params.get(k);
      for (const f of fields) {
        const input = inputs[f.name];
        const value = f.type === "checkbox" ? (input.checked ? "true" : "") : input.value.trim();
        if (value) next[f.name] = value;
      }
      Tai.navigate("engineering", next);
    });
    return form;
  }

  // --- traces ---

  function spanTree(spans) {
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const children = new Map();
    const roots = [];
    for (const s of spans) {
      const parent = s.parent_span_id && byId.has(s.parent_span_id) ? s.parent_span_id : null;
      if (parent === null) roots.push(s);
      else {
        if (!children.has(parent)) children.set(parent, []);
        children.get(parent).push(s);
      }
    }
    const order = [];
    const visit = (s, depth) => {
      order.push({ span: s, depth });
      const kids = (children.get(s.span_id) || []).sort((a, b) => a.start_unix_nanos - b.start_unix_nanos);
      for (const k of kids) visit(k, depth + 1);
    };
    roots.sort((a, b) => a.start_unix_nanos - b.start_unix_nanos).forEach((r) => visit(r, 0));
    return order;
  }

  function keyValueTable(object, empty) {
    const keys = Object.keys(object || {});
    if (keys.length === 0) return el("p", { class: "muted" }, empty);
    return el("table", { class: "kv" }, el("tbody", {}, keys.map((k) => {
      const v = object[k];
      return el("tr", {}, el("th", {}, k), el("td", {}, typeof v === "string" ? v : JSON.stringify(v)));
    })));
  }

  function spanDetails(span, t0) {
    const events = span.events || [];
    return el("div", { class: "span-details", "data-span-id": span.span_id },
      el("h3", {}, span.name),
      el("dl", {},
        el("dt", {}, "Service"), el("dd", {}, span.service || "—"),
        el("dt", {}, "Span"), el("dd", { class: "mono" }, span.span_id),
        el("dt", {}, "Parent"), el("dd", { class: "mono" }, span.parent_span_id || "—"),
        el("dt", {}, "Kind"), el("dd", {}, span.kind || "—"),
        el("dt", {}, "Status"), el("dd", { class: span.status === "error" ? "error" : "" },
          span.status + (span.status_message ? ": " + span.status_message : "")),
        el("dt", {}, "Start"), el("dd", {}, Tai.formatTime(span.start_unix_nanos) + " (+" +
          Tai.formatDuration((span.start_unix_nanos - t0) / 1e6) + ")"),
        el("dt", {}, "Duration"), el("dd", {}, Tai.formatDuration(span.duration_ms))),
      el("h4", {}, "Attributes"), keyValueTable(span.attributes, "No attributes"),
      el("h4", {}, "Events"),
      events.length === 0 ? el("p", { class: "muted" }, "No events") :
        el("ul", { class: "events" }, events.map((e) => el("li", {},
          el("strong", {}, e.name), " " + Tai.formatTime(e.time) + " ",
          keyValueTable(e.attributes, "")))));
  }

  function logTable(logs, selectedSpan) {
    return el("table", { class: "logs" },
      el("thead", {}, el("tr", {}, ["Time", "Level", "Logger", "Message", "Trace"].map((h) => el("th", {}, h)))),
      el("tbody", {}, logs.map((l) => el("tr", {
        class: "level-" + String(l.level).toLowerCase() + (selectedSpan && l.span_id === selectedSpan ? " selected" : ""),
      },
      el("td", { class: "nowrap" }, Tai.formatTime(l.time)),
      el("td", {}, l.level),
      el("td", {}, l.logger),
      el("td", { class: "message" }, l.message,
        Object.keys(l.fields || {}).length ? el("div", { class: "muted" }, JSON.stringify(l.fields)) : null),
      el("td", {}, l.trace_id
        ? el("a", { class: "mono", href: Tai.href("engineering", { view: "traces", trace: l.trace_id, span: l.span_id || "" }) },
          l.trace_id.slice(0, 8) + "…")
        : "")))));
  }

  async function renderTrace(root, params) {
    const id = params.get("trace");
    const selected = params.get("span");
    const section = Tai.section("Trace " + id);
    section.setAttribute("id", "trace");
    root.appendChild(section);
    let trace;
    try {
      trace = await Tai.api("/api/traces/" + encodeURIComponent(id));
    } catch (e) {
      section.appendChild(e.status === 404 ? Tai.empty("No spans of this trace are stored")
        : Tai.errorBox("Could not load the trace", e));
      return;
    }
    const spans = trace.spans;
    const t0 = Math.min(...spans.map((s) => s.start_unix_nanos));
    const t1 = Math.max(...spans.map((s) => s.end_unix_nanos));
    const total = Math.max(1, t1 - t0);
    const errors = spans.filter((s) => s.status === "error").length;
    section.appendChild(el("p", { class: "trace-summary" },
      spans.length + " spans, " + Tai.formatDuration(total / 1e6) + ", started " + Tai.formatTime(t0) +
      (errors ? ", " + errors + " failed" : "") + " · ",
      el("a", { href: Tai.href("engineering", { view: "logs", trace_id: id }), id: "trace-logs-link" }, "Logs of this trace"),
      " · ",
      el("a", {
        href: Tai.href("engineering", {
          view: "profiles",
          start: String(Math.floor(t0 / 1e9) - 300),
          end: String(Math.ceil(t1 / 1e9) + 300),
        }),
        id: "trace-profiles-link",
      }, "Profiles around this trace (±5 min)"),
      " · ",
      el("a", { href: Tai.withParams({ trace: null, span: null }) }, "Close")));

    const axis = el("div", { class: "wf-axis" }, el("div", { class: "wf-name" }, "Span"),
      el("div", { class: "wf-track" }, [0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = el("span", { class: "wf-tick" }, Tai.formatDuration((f * total) / 1e6));
        tick.style.left = (100 * f) + "%";
        return tick;
      })));
    const rows = spanTree(spans).map(({ span, depth }) => {
      const bar = el("div", { class: "wf-bar" + (span.status === "error" ? " error" : "") },
        Tai.formatDuration(span.duration_ms));
      bar.style.left = ((100 * (span.start_unix_nanos - t0)) / total) + "%";
      bar.style.width = Math.max(0.2, (100 * (span.end_unix_nanos - span.start_unix_nanos)) / total) + "%";
      const name = el("div", { class: "wf-name", title: span.name }, span.name,
        el("span", { class: "muted" }, " " + (span.service || "")));
      name.style.paddingLeft = (0.3 + depth * 1.1) + "em";
      return el("a", {
        class: "wf-row" + (span.span_id === selected ? " selected" : ""),
        href: Tai.withParams({ span: span.span_id }),
        "data-span-id": span.span_id,
      }, name, el("div", { class: "wf-track" }, bar));
    });
    section.appendChild(el("div", { class: "waterfall", role: "list" }, axis, rows));
    const chosen = spans.find((s) => s.span_id === selected);
    section.appendChild(chosen ? spanDetails(chosen, t0)
      : el("p", { class: "muted" }, "Click a span for its attributes and events."));
    section.appendChild(el("h3", {}, "Logs of this trace"));
    section.appendChild(trace.logs.length === 0 ? Tai.empty("No logs recorded for this trace")
      : el("div", { id: "trace-logs" }, logTable(trace.logs, selected)));
  }

  async function renderTraces(root, params) {
    root.appendChild(searchForm(params, "traces", [
      { name: "service", label: "Service" },
      { name: "name", label: "Span name", placeholder: "exact" },
      { name: "min_duration", label: "Min duration", placeholder: "250ms" },
      { name: "error", label: "Errors only", type: "checkbox" },
      { name: "attr", label: "Attribute", placeholder: "key=value" },
      { name: "start", label: "From", placeholder: "now-1h" },
      { name: "end", label: "To", placeholder: "now" },
    ]));
    if (params.get("trace")) await renderTrace(root, params);
    const section = Tai.section("Spans");
    root.appendChild(section);
    const query = {};
    for (const k of ["service", "name", "min_duration", "error", "attr", "start", "end", "limit"]) {
      if (params.get(k)) query[k] = params.get(k);
    }
    let body;
    try {
      body = await Tai.api("/api/traces", query);
    } catch (e) {
      section.appendChild(Tai.errorBox("Could not search traces", e));
      return;
    }
    if (body.spans.length === 0) {
      section.appendChild(Object.keys(query).length
        ? Tai.empty("No spans match this search", "Widen the time range or remove a filter.")
        : Tai.empty("No traces recorded yet", "Spans appear here once the service records traces into its store."));
      return;
    }
    section.appendChild(el("table", { class: "spans" },
      el("thead", {}, el("tr", {}, ["Start", "Service", "Name", "Duration", "Status", "Trace"].map((h) => el("th", {}, h)))),
      el("tbody", {}, body.spans.map((s) => el("tr", { class: s.status === "error" ? "error-row" : "" },
        el("td", { class: "nowrap" }, Tai.formatTime(s.start_unix_nanos)),
        el("td", {}, s.service),
        el("td", {}, s.name),
        el("td", {}, Tai.formatDuration(s.duration_ms)),
        el("td", {}, s.status),
        el("td", {}, el("a", {
          class: "mono trace-link",
          href: Tai.withParams({ trace: s.trace_id, span: s.span_id }),
        }, s.trace_id.slice(0, 16) + "…")))))));
    if (body.spans.length >= body.limit) {
      section.appendChild(el("p", { class: "muted" }, "The first " + body.limit + " spans; narrow the search for more."));
    }
  }

  // --- logs ---

  async function renderLogs(root, params) {
    root.appendChild(searchForm(params, "logs", [
      { name: "level", label: "Level at least", type: "select", options: LEVELS },
      { name: "text", label: "Text", placeholder: "timeout OR retry" },
      { name: "trace_id", label: "Trace id" },
      { name: "start", label: "From", placeholder: "now-1h" },
      { name: "end", label: "To", placeholder: "now" },
    ]));
    const section = Tai.section("Logs");
    root.appendChild(section);
    const query = {};
    for (const k of ["level", "text", "trace_id", "start", "end", "limit", "logger"]) {
      if (params.get(k)) query[k] = params.get(k);
    }
    let body;
    try {
      body = await Tai.api("/api/logs", query);
    } catch (e) {
      section.appendChild(Tai.errorBox("Could not search logs", e));
      return;
    }
    if (body.logs.length === 0) {
      section.appendChild(Object.keys(query).length ? Tai.empty("No logs match this search")
        : Tai.empty("No logs recorded yet", "Log records appear here once the service writes them to its store."));
      return;
    }
    section.appendChild(logTable(body.logs, null));
  }

  // --- profiles ---

  function valueText(value, unit) {
    if (unit === "microseconds") return Tai.formatDuration(value / 1000);
    if (unit === "bytes") return Tai.formatNumber(value / 1048576) + " MiB";
    return Tai.formatNumber(value) + (unit ? " " + unit : "");
  }

  function drawFlameGraph(container, details, tree, unit, differential) {
    const width = Math.max(400, container.clientWidth - 8);
    // Plain text for titles and details: a frame's name is data.
    const label = (d) => {
      const name = String(d.data.name);
      const share = (100 * (d.x1 - d.x0)).toFixed(2) + " %";
      let text = name + " — " + valueText(d.value, unit) + ", " + share;
      if (differential && typeof d.data.delta === "number") {
        text += ", " + (d.data.delta >= 0 ? "+" : "−") + valueText(Math.abs(d.data.delta), unit) + " vs baseline";
      }
      return text;
    };
    const chart = flamegraph.default()
      .width(width)
      .cellHeight(18)
      .transitionDuration(200)
      .minFrameSize(2)
      .sort(true)
      .setLabelHandler(label)
      .setDetailsElement(details);
    if (differential) chart.setColorMapper(flamegraph.colorMapper.differentialColorMapper);
    d3.select(container).datum(tree).call(chart);
    return chart;
  }

  function flameGraphSection(root, title, path, unit, differential, extra) {
    const section = Tai.section(title);
    section.setAttribute("id", "flamegraph-section");
    const details = el("p", { class: "flame-details muted", "aria-live": "polite" }, " ");
    const graph = el("div", { id: "flamegraph", class: "flamegraph" + (differential ? " differential" : "") });
    const search = el("input", { type: "search", placeholder: "Search functions (regular expression)" });
    const controls = el("div", { class: "flame-controls" }, search,
      el("button", { type: "button", id: "flame-reset" }, "Reset zoom"), extra || null);
    section.appendChild(controls);
    if (differential) {
      section.appendChild(el("p", { class: "muted" },
        "Frames are sized by the profile; red costs more than in the baseline, blue less (the baseline scaled to the same duration)."));
    }
    section.appendChild(details);
    section.appendChild(graph);
    root.appendChild(section);
    return Tai.api(path).then((tree) => {
      if (!tree.value) {
        graph.appendChild(Tai.empty("This profile has no samples"));
        return null;
      }
      const chart = drawFlameGraph(graph, details, tree, unit, differential);
      controls.querySelector("#flame-reset").addEventListener("click", () => chart.resetZoom());
      search.addEventListener("input", () => {
        try {
          chart.search(search.value);
        } catch (e) {
          details.textContent = "Not a regular expression: " + e.message;
        }
      });
      Tai.flamegraphChart = chart;
      return chart;
    }).catch((e) => {
      graph.appendChild(e.status === 404 ? Tai.empty("No profile to draw: none matches")
        : Tai.errorBox("Could not load the flame graph", e));
    });
  }

  async function renderProfiles(root, params) {
    root.appendChild(searchForm(params, "profiles", [
      { name: "kind", label: "Kind", type: "select", options: KINDS },
      { name: "service", label: "Service" },
      { name: "start", label: "From", placeholder: "now-1h" },
      { name: "end", label: "To", placeholder: "now" },
    ]));
    const query = {};
    for (const k of ["kind", "service", "start", "end", "limit"]) if (params.get(k)) query[k] = params.get(k);
    const selected = params.get("profile");
    const baseline = params.get("baseline");
    const listSection = Tai.section("Profiles");
    let list = null;
    try {
      list = (await Tai.api("/api/profiles", query)).profiles;
    } catch (e) {
      listSection.appendChild(Tai.errorBox("Could not list profiles", e));
    }

    if (params.get("merged")) {
      const kind = params.get("kind") || "CPU";
      const merged = { kind };
      for (const k of ["service", "start", "end"]) if (params.get(k)) merged[k] = params.get(k);
      await flameGraphSection(root, "Merged " + kind + " profile of the range",
        "/api/profiles/merged/flamegraph.json?" + new URLSearchParams(merged).toString(),
        kind === "HEAP" ? "bytes" : "microseconds", false);
    } else if (selected) {
      let summary = { unit: "" };
      try {
        summary = await Tai.api("/api/profiles/" + encodeURIComponent(selected));
      } catch (e) {
        root.appendChild(Tai.section("Profile " + selected, e.status === 404
          ? Tai.empty("This profile is not stored (retention may have deleted it)")
          : Tai.errorBox("Could not load the profile", e)));
      }
      if (summary.row_id) {
        const extra = el("span", {},
          Tai.actionButton("Pin as baseline", "/api/profiles/" + encodeURIComponent(selected) + "/baseline", "Pinned"),
          " ",
          el("a", { href: "/api/profiles/" + encodeURIComponent(selected) + "/speedscope.json", download: "profile-" + selected + ".speedscope.json" },
            "Open in speedscope (download)"),
          " ",
          el("a", { href: Tai.withParams({ profile: null, baseline: null }) }, "Close"));
        if (baseline) {
          await flameGraphSection(root, "Profile " + selected + " against baseline " + baseline,
            "/api/profiles/" + encodeURIComponent(selected) + "/diff/" + encodeURIComponent(baseline) + "/flamegraph.json",
            summary.unit, true, extra);
        } else {
          await flameGraphSection(root, "Profile " + selected + " (" + Tai.formatTime(summary.time) + ", " +
            Tai.formatNumber(summary.duration_seconds) + " s)",
          "/api/profiles/" + encodeURIComponent(selected) + "/flamegraph.json", summary.unit, false, extra);
        }
      }
    }

    root.appendChild(listSection);
    if (list === null) return;
    if (list.length === 0) {
      listSection.appendChild(Object.keys(query).length ? Tai.empty("No profiles match this search")
        : Tai.empty("No profiles recorded yet", "Profiles appear here once continuous profiling stores them."));
      return;
    }
    listSection.appendChild(el("p", {},
      el("a", { href: Tai.withParams({ merged: "1", profile: null, baseline: null, kind: params.get("kind") || list[0].kind }), id: "merged-link" },
        "Merged flame graph of the listed " + (params.get("kind") || list[0].kind) + " profiles"),
      selected ? " · Pick a baseline below to compare profile " + selected + " against it." : ""));
    listSection.appendChild(el("table", { class: "profiles" },
      el("thead", {}, el("tr", {}, ["Time", "Kind", "Service", "Duration", "Labels", "Pinned", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, list.map((p) => el("tr", { class: String(p.row_id) === selected ? "selected" : "", "data-row-id": p.row_id },
        el("td", { class: "nowrap" }, Tai.formatTime(p.time)),
        el("td", {}, p.kind),
        el("td", {}, p.service),
        el("td", {}, Tai.formatNumber(p.duration_seconds) + " s"),
        el("td", { class: "labels" }, Tai.labelsText(p.labels)),
        el("td", {}, p.pinned ? "baseline" : ""),
        el("td", { class: "actions" },
          el("a", { class: "flame-link", href: Tai.withParams({ profile: p.row_id, baseline: null, merged: null }) }, "Flame graph"),
          selected && String(p.row_id) !== selected
            ? [" · ", el("a", { class: "diff-link", href: Tai.withParams({ baseline: p.row_id, merged: null }) }, "Diff against this")]
            : null,
          " · ",
          el("a", { href: "/api/profiles/" + p.row_id + "/speedscope.json", download: "profile-" + p.row_id + ".speedscope.json" }, "speedscope"),
          " ",
          Tai.actionButton("Pin as baseline", "/api/profiles/" + p.row_id + "/baseline", "Pinned")))))));
  }

  async function render(root, context) {
    const params = context.params;
    const view = VIEWS[params.get("view")] ? params.get("view") : "traces";
    root.appendChild(el("nav", { class: "views", "aria-label": "Engineering views" },
      Object.entries(VIEWS).map(([key, title]) => el("a", {
        href: Tai.href("engineering", { view: key }),
        "aria-current": key === view ? "page" : null,
        class: "view-link",
      }, title))));
    if (view === "traces") await renderTraces(root, params);
    else if (view === "logs") await renderLogs(root, params);
    else await renderProfiles(root, params);
  }

  Tai.tiers.engineering = {
    render,
    inspecting: (params) => params.has("trace") || params.has("profile") || params.has("merged"),
  };
})();
