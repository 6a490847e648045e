// The dashboard page (first cut): lists the metric names the store holds.
// Every value from the API is untrusted (names, labels, messages come from
// the application's data): it is put in the page with textContent only,
// never as HTML.
"use strict";

(function () {
  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  async function getJson(path) {
    // The access token, when one is configured, travels in the tai_token
    // cookie set by the first ?token= request.
    const response = await fetch(path, { credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || response.status + " " + response.statusText);
    }
    return body;
  }

  async function showInfo() {
    try {
      const info = await getJson("/api/info");
      if (info.service) text("service", "Service: " + info.service);
    } catch (e) {
      // The title is enough without the service name.
    }
  }

  async function showMetrics() {
    const list = document.getElementById("metrics");
    try {
      const body = await getJson("/api/metrics");
      list.replaceChildren();
      for (const name of body.metrics) {
        const item = document.createElement("li");
        item.textContent = name;
        list.appendChild(item);
      }
      text("metrics-status", body.metrics.length === 0
        ? "No metrics recorded yet."
        : body.metrics.length + " metric" + (body.metrics.length === 1 ? "" : "s"));
    } catch (e) {
      text("metrics-status", "Could not load metrics: " + e.message);
    }
  }

  showInfo();
  showMetrics();
})();
