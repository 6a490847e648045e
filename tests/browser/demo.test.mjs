// The README's main job in headless Chromium: `taiobs demo` with its
// scripted incident, and the incident seen on all three tiers. Once the
// dashboard's JSON API says the latency SLO fails and the regression alert
// names demo_query_orders, the page must show the same: the executive tier
// the SLO card FAIL and alerts firing; operations the /pay latency chart
// with data and the regression of demo_query_orders with its severity;
// engineering a slow failed /pay trace whose waterfall holds the db.query
// span and whose logs hold the timeout, and
// the differential flame graph of an incident profile against a healthy one
// with demo_query_orders in red. Then Ctrl-C (SIGINT) stops the demo
// cleanly.
//
//   node demo.test.mjs --taiobs PATH --artifacts DIR [--docs-images DIR]
//
// Screenshots go to the artifacts dir; with TAI_UPDATE_DOC_IMAGES=1 they
// are also copied to --docs-images as demo-*.png (the README's pictures).
// Prints "[  SKIPPED ]" and exits 0 when Chromium or playwright-core is
// missing. Every wait is bounded.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import {
  chromiumOrSkip, copyDocImages, currentStep, log, parseFlags, show, spawnUntil, stopChild, waitUntil,
} from "./browser_testing.mjs";

const TEST = "DemoBrowser.TheIncidentOnEveryTier";
const SLOW_FUNCTION = "demo_query_orders";

async function getJson(url) {
  const response = await fetch(url);
  return response.ok ? response.json() : undefined;
}

// The incident as the API sees it: the latency SLO fails and a firing alert
// names the slowed function.
async function incidentSeenByTheApi(dashboard) {
  const [slos, alerts] = await Promise.all([getJson(dashboard + "api/slos"), getJson(dashboard + "api/alerts")]);
  const latency = slos.slos.find((s) => s.id === "pay-latency");
  const regression = alerts.alerts.some((a) => a.state === "firing" && JSON.stringify(a).includes(SLOW_FUNCTION));
  const failed = await getJson(dashboard + "api/traces?name=db.query&error=true&min_duration=100ms");
  return latency && latency.passing === false && regression && failed.spans.length > 0;
}

async function executive(page, artifacts) {
  log("executive: the latency SLO card says FAIL, alerts fire");
  await page.waitForSelector(".tier-executive[data-ready]", { timeout: 30000 });
  const latency = await page.textContent(".slo-card[data-slo='pay-latency']");
  assert.ok(latency.includes("FAIL"), "the pay-latency card fails: " + latency);
  const firing = Number(await page.textContent("#firing-count .stat-value"));
  assert.ok(firing >= 1, "alerts fire, got " + firing);
  await page.screenshot({ path: join(artifacts, "executive.png"), fullPage: true });
}

async function operations(page, artifacts) {
  log("operations: the request duration chart has data, the regression names " + SLOW_FUNCTION);
  await show(page, "#/operations?range=1h", "operations", 60000);
  const charts = await page.evaluate(() => Tai.charts.map((u) => ({
    title: u.root.closest("figure").getAttribute("data-title"),
    filled: u.data.slice(1).filter((column) => column.some((v) => v !== null)).length,
  })));
  const duration = charts.filter((c) => c.title.includes("request.duration") || c.title.includes("request/duration"));
  assert.ok(duration.length > 0 && duration.every((c) => c.filled > 0),
    "a request duration chart with data among " + JSON.stringify(charts));
  const regressions = await page.$$eval("table.regressions tbody tr", (rows) => rows.map((r) => r.textContent));
  assert.ok(regressions.some((t) => t.includes(SLOW_FUNCTION) && /HIGH|CRITICAL/.test(t) && t.includes("firing")),
    "a firing HIGH or CRITICAL regression of " + SLOW_FUNCTION + ": " + JSON.stringify(regressions));
  // The first screen: the whole page is over 8000 px tall.
  await page.screenshot({ path: join(artifacts, "operations.png") });
}

async function engineering(page, artifacts) {
  log("engineering: a slow failed trace's waterfall holds the db.query span, its log beside it");
  await show(page, "#/engineering?view=traces&name=db.query&error=true&min_duration=100ms", "engineering");
  const links = await page.$$("a.trace-link");
  assert.ok(links.length > 0, "slow failed db.query spans are found");
  await links[0].click();
  await page.waitForSelector("#trace .wf-row", { timeout: 30000 });
  const names = await page.$$eval("#trace .wf-row .wf-name", (els) => els.map((e) => e.getAttribute("title")));
  for (const want of ["POST /pay", "validate", "db.query"]) {
    assert.ok(names.includes(want), "the waterfall has '" + want + "': " + JSON.stringify(names));
  }
  const logs = await page.$$eval("#trace-logs tbody tr", (rows) => rows.map((r) => r.textContent));
  assert.ok(logs.some((t) => t.includes("orders query timed out")), "the trace's error log: " + JSON.stringify(logs));
  // The first screen (the span list below runs long).
  await page.screenshot({ path: join(artifacts, "engineering.png") });

  log("engineering: the newest CPU profile against the oldest, " + SLOW_FUNCTION + " in red");
  await show(page, "#/engineering?view=profiles&kind=CPU", "engineering");
  const rows = await page.$$("table.profiles tbody tr");
  assert.ok(rows.length >= 3, "CPU profiles from before and during the incident, got " + rows.length);
  await page.click("table.profiles tbody tr:first-child a.flame-link");
  await page.waitForSelector("table.profiles tbody tr:last-child a.diff-link", { timeout: 30000 });
  await page.click("table.profiles tbody tr:last-child a.diff-link");
  // The function's widest frame (a name can appear under several stacks),
  // once the drawing's transition has settled on its colour: red means it
  // costs more than in the healthy profile.
  await page.waitForSelector("#flamegraph.differential g.frame[name*='" + SLOW_FUNCTION + "']", { timeout: 30000 });
  await page.evaluate(() => {
    window.__taiWidestFill = (name) => {
      const rects = [...document.querySelectorAll("#flamegraph.differential g.frame")]
        .filter((g) => (g.getAttribute("name") || "").includes(name)).map((g) => g.querySelector("rect"));
      const width = (r) => Number(r.getAttribute("width"));
      return rects.length ? rects.reduce((x, y) => (width(y) > width(x) ? y : x)).getAttribute("fill") : null;
    };
  });
  // The colour is read twice, 150 ms apart, until it holds.
  await page.waitForFunction((name) => {
    const fill = window.__taiWidestFill(name);
    const settled = fill === window.__taiLastFill;
    window.__taiLastFill = fill;
    return settled;
  }, SLOW_FUNCTION, { timeout: 10000, polling: 150 });
  const fill = await page.evaluate((name) => window.__taiWidestFill(name), SLOW_FUNCTION);
  const [r, g, b] = (fill || "").match(/\d+/g)?.map(Number) || [0, 0, 0];
  assert.ok(r > g && r > b, SLOW_FUNCTION + " costs more than in the healthy profile: red, got " + fill);
  await page.screenshot({ path: join(artifacts, "engineering-diff.png"), fullPage: true });
}

async function main() {
  const options = parseFlags(["taiobs", "artifacts"],
    "demo.test.mjs --taiobs PATH --artifacts DIR [--docs-images DIR]");
  const chromium = await chromiumOrSkip(TEST);
  mkdirSync(options.artifacts, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "tai-demo-browser-"));
  // The incident starts after a healthy start long enough for the baseline
  // (two 5 s windows) and lasts until the demo is stopped.
  const demo = spawnUntil(options.taiobs,
    ["demo", "--listen", "127.0.0.1:0", "--duration", "400", "--incident-after", "25",
      "--incident-duration", "0", "--profile-window", "5", "--store", join(dir, "demo.db")],
    (line) => (line.startsWith("dashboard: ") ? line.slice("dashboard: ".length).trim() : undefined), 60000);
  let browser = null;
  const pageErrors = [];
  try {
    const dashboard = await demo.started;
    log("the API sees the incident: pay-latency fails, a firing alert names " + SLOW_FUNCTION);
    await waitUntil("the API shows the pay-latency SLO failing and an alert naming " + SLOW_FUNCTION,
      () => incidentSeenByTheApi(dashboard), 240000);

    browser = await chromium.launch();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30000);
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    assert.equal((await page.goto(dashboard + "#/executive")).status(), 200);
    await executive(page, options.artifacts);
    // Paused so that a refresh does not redraw a view between a click and
    // the check of its result.
    await page.click("#pause");
    await operations(page, options.artifacts);
    await engineering(page, options.artifacts);
    assert.deepEqual(pageErrors, [], "no script error");
    copyDocImages(options, ["executive.png", "operations.png", "engineering.png", "engineering-diff.png"], "demo-");

    log("Ctrl-C stops the demo cleanly");
    await browser.close();
    browser = null;
    assert.equal(await stopChild(demo.child, "SIGINT"), 0, "the demo exits 0 on SIGINT");
    assert.ok(demo.lines.some((l) => l.startsWith("stopped:")), "the demo says it stopped");
    console.log("PASS: the demo's incident on every tier (screenshots in " + options.artifacts + ")");
  } finally {
    if (browser) await browser.close();
    await stopChild(demo.child, "SIGINT");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error("FAIL at step '" + currentStep() + "': " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
