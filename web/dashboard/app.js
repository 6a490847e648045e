// The dashboard page's core: DOM building, the JSON API client, the view
// state kept in the URL's hash, the refresh loop and the tier switch. The
// three tiers (executive.js, operations.js, engineering.js) register
// themselves in Tai.tiers and are started by this file once the page has
// loaded.
//
// Every value from the API is untrusted (span names, attributes, log
// messages, labels come from the application's data): it reaches the page
// only as a text node (Tai.el's string children, textContent) or an
// attribute value (setAttribute), never as HTML. The server's
// Content-Security-Policy allows no inline script, so every handler is
// attached here with addEventListener.
"use strict";

(function () {
  const Tai = {
    tiers: {},
    charts: [],          // the uPlot charts on the page (the browser test reads them)
    refreshSeconds: 30,  // the dashboard's refresh_interval (/api/dashboard)
    refreshPaused: false,  // the header's Pause button
    lastRender: null,    // {tier, ms, chartMs, series, points} of the last finished render
  };
  window.Tai = Tai;

  // el("a", {href: url, class: "x", onclick: fn}, "text", child, [more]):
  // attributes through setAttribute, "on*" as listeners, strings as text.
  Tai.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (key === "value") {
        node.value = value;
      } else if (key === "checked") {
        node.checked = true;
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    Tai.append(node, children);
    return node;
  };

  Tai.append = function (node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  Tai.section = function (title, ...children) {
    return Tai.el("section", { class: "panel" }, Tai.el("h2", {}, title), children);
  };

  // A clear empty state: what is missing and, when useful, how to get it.
  Tai.empty = function (message, hint) {
    return Tai.el("div", { class: "empty" }, Tai.el("p", {}, message),
      hint ? Tai.el("p", { class: "muted" }, hint) : null);
  };

  Tai.errorBox = function (what, error) {
    return Tai.el("p", { class: "error", role: "alert" }, what + ": " + error.message);
  };

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  Tai.ApiError = ApiError;

  // GET a JSON endpoint. `params`: an object or URLSearchParams; empty
  // values are left out. Throws ApiError with the API's own message.
  Tai.api = async function (path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of params instanceof URLSearchParams ? params : Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") query.append(k, v);
    }
    const url = path + (query.toString() ? "?" + query.toString() : "");
    // The access token travels in the tai_token cookie set by ?token=.
    const response = await fetch(url, { credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status,
        body.error || response.status + " " + response.statusText + " (" + path + ")");
    }
    return body;
  };

  // A write (acknowledge, pin): POST with the header the server asks of
  // the page's writes. Throws ApiError with the server's message when refused.
  Tai.post = async function (path) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Tai-Request": "dashboard" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status,
        body.error || response.status + " " + response.statusText);
    }
    return body;
  };

  // A button that runs a write and shows its outcome beside itself.
  Tai.actionButton = function (label, path, done) {
    const status = Tai.el("span", { class: "action-status", role: "status" });
    const button = Tai.el("button", {
      type: "button",
      onclick: async () => {
        button.disabled = true;
        status.textContent = "…";
        status.className = "action-status";
        try {
          await Tai.post(path);
          status.textContent = done;
        } catch (e) {
          status.textContent = "Refused: " + e.message;
          status.className = "action-status error";
          button.disabled = false;
        }
      },
    }, label);
    return Tai.el("span", { class: "action" }, button, status);
  };

  // --- formatting ---

  Tai.formatTime = function (value) {
    // RFC 3339 text, Unix nanoseconds or a Date.
    let date = value;
    if (typeof value === "number") date = new Date(value / 1e6);
    else if (typeof value === "string") date = new Date(value);
    if (!(date instanceof Date) || isNaN(date)) return "—";
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  };

  Tai.formatDuration = function (ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return "—";
    if (ms < 1) return (ms * 1000).toFixed(0) + " µs";
    if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(2) + " s";
    return (ms / 60000).toFixed(1) + " min";
  };

  Tai.formatNumber = function (v, digits = 3) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
    const abs = Math.abs(v);
    if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
    return String(Number(v.toPrecision(digits)));
  };

  Tai.percent = function (fraction, digits = 3) {
    return fraction === null || fraction === undefined ? "—"
      : Tai.formatNumber(100 * fraction, digits) + " %";
  };

  Tai.labelsText = function (labels) {
    const keys = Object.keys(labels || {});
    if (keys.length === 0) return "";
    return "{" + keys.map((k) => k + "=" + JSON.stringify(labels[k])).join(", ") + "}";
  };

  // --- state in the URL: #/<tier>?key=value&... ---

  Tai.state = function () {
    const hash = location.hash.replace(/^#\/?/, "");
    const cut = hash.indexOf("?");
    const tier = (cut < 0 ? hash : hash.slice(0, cut)) || "executive";
    const params = new URLSearchParams(cut < 0 ? "" : hash.slice(cut + 1));
    return { tier: Tai.tiers[tier] ? tier : "executive", params };
  };

  Tai.href = function (tier, params) {
    const query = new URLSearchParams();
    for (const [k, v] of params instanceof URLSearchParams ? params : Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") query.append(k, v);
    }
    const text = query.toString();
    return "#/" + tier + (text ? "?" + text : "");
  };

  // Changes the view; the hashchange event renders it.
  Tai.navigate = function (tier, params) {
    const target = Tai.href(tier, params);
    if (location.hash === target) render();
    else location.hash = target;
  };

  // The current view's parameters with some changed (null removes one).
  Tai.withParams = function (changes) {
    const { tier, params } = Tai.state();
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined || v === "") params.delete(k);
      else params.set(k, v);
    }
    return Tai.href(tier, params);
  };

  // --- rendering and refresh ---

  let generation = 0;
  let timer = null;

  Tai.destroyCharts = function () {
    for (const chart of Tai.charts) chart.destroy();
    Tai.charts = [];
  };

  async function render(options = {}) {
    const { tier, params } = Tai.state();
    const mine = ++generation;
    for (const link of document.querySelectorAll("nav a[data-tier]")) {
      if (link.getAttribute("data-tier") === tier) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const view = document.getElementById("view");
    const next = Tai.el("div", { class: "tier tier-" + tier, "data-loading": "true" });
    const started = performance.now();
    const context = {
      params,
      refresh: options.refresh === true,
      stale: () => mine !== generation,
      chartMs: 0,
      series: 0,
      points: 0,
    };
    try {
      // Charts need a laid-out container for their width: the new view is
      // placed before it is filled.
      Tai.destroyCharts();
      view.replaceChildren(next);
      await Tai.tiers[tier].render(next, context);
    } catch (e) {
      if (mine === generation) next.appendChild(Tai.errorBox("Could not show this view", e));
    }
    if (mine !== generation) return;
    next.removeAttribute("data-loading");
    next.setAttribute("data-ready", "true");
    Tai.lastRender = {
      tier,
      ms: performance.now() - started,
      chartMs: context.chartMs,
      series: context.series,
      points: context.points,
    };
    document.getElementById("updated").textContent = "Updated " + Tai.formatTime(new Date());
  }
  Tai.render = render;

  // A user looking at one trace or profile, or typing in a form, is not
  // interrupted by a refresh.
  function inspecting() {
    const { tier, params } = Tai.state();
    const active = document.activeElement;
    if (active && ["INPUT", "SELECT", "TEXTAREA"].includes(active.tagName)) return true;
    const tierObject = Tai.tiers[tier];
    return document.hidden || (tierObject.inspecting ? tierObject.inspecting(params) : false);
  }

  Tai.setRefresh = function (seconds) {
    if (!(seconds >= 1)) seconds = 30;
    if (timer !== null && seconds === Tai.refreshSeconds) return;
    Tai.refreshSeconds = seconds;
    if (timer !== null) clearInterval(timer);
    timer = setInterval(() => {
      if (!Tai.refreshPaused && !inspecting()) render({ refresh: true });
      updateRefreshNote();
    }, seconds * 1000);
    updateRefreshNote();
  };

  function updateRefreshNote() {
    document.getElementById("refresh").textContent = Tai.refreshPaused ? "Auto-refresh paused"
      : "Refreshes every " + Tai.refreshSeconds + " s" + (inspecting() ? " (paused while you inspect)" : "");
    document.getElementById("pause").textContent = Tai.refreshPaused ? "Resume" : "Pause";
  }

  function togglePause() {
    Tai.refreshPaused = !Tai.refreshPaused;
    if (!Tai.refreshPaused) render({ refresh: true });
    updateRefreshNote();
  }

  async function start() {
    // The token of a ?token= link is now in the cookie: keep it out of the
    // address bar, where it would be copied along with a shared view.
    if (new URLSearchParams(location.search).has("token")) {
      history.replaceState(null, "", location.pathname + location.hash);
    }
    document.getElementById("pause").addEventListener("click", togglePause);
    window.addEventListener("hashchange", () => {
      render();
      updateRefreshNote();
    });
    Tai.api("/api/info").then((info) => {
      if (info.service) document.getElementById("service").textContent = info.service;
    }).catch(() => {});
    Tai.api("/api/dashboard").then((d) => Tai.setRefresh(d.refresh_seconds))
      .catch(() => Tai.setRefresh(30));
    render();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
