// Tier 1, executive (#/executive): one card per SLO (/api/slos) grouped by
// service, PASS/FAIL against its objective, the error budget left and the
// burn rate of each alerting window; the count of firing alerts
// (/api/alerts). Values reach the page as text only (app.js).
"use strict";

(function () {
  const { el } = Tai;

  const KIND_TITLES = {
    latency: "Latency",
    good_ratio: "Availability",
    bad_ratio: "Error rate",
  };

  function windowText(seconds) {
    if (seconds >= 86400 && seconds % 86400 === 0) return seconds / 86400 + " d";
    if (seconds >= 3600 && seconds % 3600 === 0) return seconds / 3600 + " h";
    if (seconds >= 60 && seconds % 60 === 0) return seconds / 60 + " min";
    return seconds + " s";
  }

  function budgetBar(fraction) {
    const shown = Math.max(0, Math.min(1, fraction));
    const bar = el("div", {
      class: "budget-bar",
      role: "meter",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": String(Math.round(100 * shown)),
    });
    const fill = el("div", { class: "budget-fill" + (fraction < 0.25 ? " low" : "") });
    fill.style.width = (100 * shown).toFixed(1) + "%";
    bar.appendChild(fill);
    return bar;
  }

  function burnTable(windows) {
    if (!windows || windows.length === 0) return null;
    return el("table", { class: "burn" },
      el("thead", {}, el("tr", {},
        el("th", {}, "Alert"), el("th", {}, "Long window"), el("th", {}, "Short window"),
        el("th", {}, "Burning"))),
      el("tbody", {}, windows.map((w) => el("tr", { class: w.holds ? "bad" : "" },
        el("td", {}, Tai.formatNumber(w.factor) + "× (" + w.severity + ")"),
        el("td", {}, windowText(w.long_window_secs) + ": " + Tai.formatNumber(w.long_burn_rate) + "×"),
        el("td", {}, windowText(w.short_window_secs) + ": " + Tai.formatNumber(w.short_burn_rate) + "×"),
        el("td", {}, w.holds ? "yes" : "no")))));
  }

  function sloCard(slo) {
    const kind = KIND_TITLES[slo.kind] || slo.kind;
    const head = el("header", {},
      el("h3", {}, slo.display_name),
      el("span", { class: "kind" }, kind));
    const card = el("article", { class: "slo-card", "data-slo": slo.id }, head);
    const objective = el("p", { class: "objective" },
      "Objective " + Tai.percent(slo.objective, 4) + " over " + windowText(slo.window_secs) +
      (slo.kind === "latency" ? " under " + Tai.formatNumber(slo.threshold) + " (" + slo.metric + ")" : ""));
    card.appendChild(objective);
    if (!slo.evaluated) {
      card.appendChild(Tai.empty("Not evaluated yet",
        slo.error ? "Last error: " + slo.error : "The alert engine evaluates SLOs every minute."));
      return card;
    }
    const b = slo.budget;
    card.classList.add(slo.passing ? "pass" : "fail");
    head.appendChild(el("span", { class: "verdict " + (slo.passing ? "pass" : "fail") },
      slo.passing ? "PASS" : "FAIL"));
    card.appendChild(el("dl", { class: "slo-numbers" },
      el("dt", {}, "SLI"), el("dd", {}, Tai.percent(b.sli, 5)),
      el("dt", {}, "Error budget left"),
      el("dd", {}, Tai.percent(b.remaining_fraction, 3) + " (" + Tai.formatNumber(b.remaining) +
        " of " + Tai.formatNumber(b.total) + " bad events)"),
      el("dt", {}, "Burn rate"), el("dd", {}, Tai.formatNumber(b.burn_rate) + "×"),
      el("dt", {}, "Events"), el("dd", {}, b.good_events + " good of " + b.total_events),
      el("dt", {}, "Data coverage"), el("dd", {}, Tai.percent(b.data_coverage, 3))));
    card.appendChild(budgetBar(b.remaining_fraction));
    card.appendChild(burnTable(slo.burn_rate_windows) || el("span"));
    if (slo.error) card.appendChild(el("p", { class: "error" }, slo.error));
    return card;
  }

  async function render(root) {
    const [info, slos, alerts] = await Promise.allSettled([
      Tai.api("/api/info"), Tai.api("/api/slos"), Tai.api("/api/alerts")]);
    const service = info.status === "fulfilled" && info.value.service ? info.value.service : "this service";

    // Firing alerts first: the one number an executive looks for.
    const summary = el("div", { class: "summary" });
    if (alerts.status === "fulfilled") {
      const list = alerts.value.alerts;
      const firing = list.filter((a) => a.state === "firing").length;
      const pending = list.filter((a) => a.state === "pending").length;
      summary.appendChild(el("a", {
        class: "stat " + (firing > 0 ? "bad" : "good"),
        href: Tai.href("operations", {}),
        id: "firing-count",
      }, el("span", { class: "stat-value" }, String(firing)),
      el("span", { class: "stat-label" }, firing === 1 ? "alert firing" : "alerts firing")));
      summary.appendChild(el("div", { class: "stat" },
        el("span", { class: "stat-value" }, String(pending)),
        el("span", { class: "stat-label" }, "pending")));
      if (!alerts.value.engine) {
        summary.appendChild(el("p", { class: "muted" }, "No alert engine runs in this process."));
      }
    } else {
      summary.appendChild(Tai.errorBox("Could not load alerts", alerts.reason));
    }
    root.appendChild(Tai.section("Alerts", summary));

    if (slos.status !== "fulfilled") {
      root.appendChild(Tai.section("Service level objectives",
        Tai.errorBox("Could not load SLOs", slos.reason)));
      return;
    }
    const list = slos.value.slos;
    if (list.length === 0) {
      root.appendChild(Tai.section("Service level objectives",
        Tai.empty("No SLOs defined yet",
          "Add SLOs to the alert engine (AlertEngine::AddSlo or a rule file) to see their budgets here.")));
      return;
    }
    // SLOs carry no service of their own: they belong to the service this
    // process serves, unless a "service" label says otherwise.
    const byService = new Map();
    for (const slo of list) {
      const owner = (slo.labels && slo.labels.service) || service;
      if (!byService.has(owner)) byService.set(owner, []);
      byService.get(owner).push(slo);
    }
    for (const [owner, group] of byService) {
      const failing = group.filter((s) => s.evaluated && !s.passing).length;
      root.appendChild(Tai.section("SLOs of " + owner + (failing ? " — " + failing + " failing" : ""),
        el("div", { class: "cards" }, group.map(sloCard))));
    }
  }

  Tai.tiers.executive = { render };
})();
