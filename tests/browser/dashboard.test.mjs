// The dashboard page in headless Chromium (playwright-core) against the
// fixture server (dashboard_fixture.cc): each tier renders its data, the
// waterfall its spans and logs, the flame graphs render and zoom on click,
// alerts show their severity, hostile markup in the data stays text, the
// access token is enforced, and the operations tier draws a day of
// one-minute points for 20 series in under a second.
//
//   node dashboard.test.mjs --fixture PATH --artifacts DIR [--docs-images DIR]
//
// Screenshots of the three tiers go to the artifacts dir; with
// TAI_UPDATE_DOC_IMAGES=1 the executive and engineering ones are also
// copied to --docs-images (docs/images). Prints "[  SKIPPED ]" and exits 0
// when Chromium or playwright-core is missing. Every wait is bounded.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import {
  chromiumOrSkip, copyDocImages, currentStep, log, parseFlags, show, spawnUntil, stopChild,
} from "./browser_testing.mjs";

const TEST = "DashboardBrowser.ThreeTiers";
const FAILED_TRACE = "7a1da5b0a4d0c0de0000000000fa11ed";
const EVIL_SPAN = "0000000000000003";
const IMG = "<img src=x onerror=\"window.__pwned=1\">";
const SCRIPT = "<script>window.__pwned=1</script>";

async function checkToken(url, token) {
  log("a request without the token, or with a wrong one, gets 401");
  const api = url + "api/metrics";
  assert.equal((await fetch(api)).status, 401);
  assert.equal((await fetch(api, { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status, 401);
  assert.equal((await fetch(url + "?token=wrong-token-0123456789")).status, 401);
  assert.equal((await fetch(api, { headers: { Authorization: "Bearer " + token } })).status, 200);
}

async function executive(page, artifacts) {
  log("executive: SLO cards with PASS and FAIL, firing alerts counted");
  await page.waitForSelector(".tier-executive[data-ready]", { timeout: 30000 });
  const cards = await page.$$eval(".slo-card", (els) => els.map((e) => e.textContent));
  assert.ok(cards.length >= 2, "two SLO cards, got " + cards.length);
  assert.ok(cards.some((t) => t.includes("PASS")), "an SLO passes");
  assert.ok(cards.some((t) => t.includes("FAIL")), "an SLO fails");
  assert.ok(cards.every((t) => t.includes("Error budget left") && t.includes("Burn rate")));
  const firing = Number(await page.textContent("#firing-count .stat-value"));
  assert.ok(firing >= 2, "the error-rate alert and the regression fire, got " + firing);
  await page.screenshot({ path: join(artifacts, "executive.png"), fullPage: true });
}

async function operations(page, artifacts) {
  log("operations: charts of a day drawn from the dashboard, in under 1 s for 20 series");
  await show(page, "#/operations?range=1d", "operations", 60000);
  const charts = await page.evaluate(() => Tai.charts.map((u) => ({
    title: u.root.closest("figure").getAttribute("data-title"),
    series: u.data.length - 1,
    points: u.data[0].length,
    filled: u.data.slice(1).filter((column) => column.some((v) => v !== null)).length,
  })));
  const titles = charts.map((c) => c.title);
  for (const want of ["http/server/duration p50 / p95 / p99", "http/server/requests per second",
    "http/server/errors per second", "process/cpu/utilization", "process/memory/rss", "app/queue/depth"]) {
    assert.ok(titles.includes(want), "a chart '" + want + "' among " + JSON.stringify(titles));
  }
  for (const c of charts) {
    assert.ok(c.points > 0 && c.filled > 0, "chart '" + c.title + "' has data points");
  }
  const latency = charts.find((c) => c.title.startsWith("http/server/duration"));
  assert.equal(latency.series, 3, "p50, p95 and p99 on one chart");
  const queue = charts.find((c) => c.title === "app/queue/depth");
  assert.equal(queue.series, 20);
  assert.ok(queue.points >= 1400, "a day of one-minute points, got " + queue.points);
  const render = await page.evaluate(() => Tai.lastRender);
  console.log("  operations render: " + render.ms.toFixed(0) + " ms in all, " + render.chartMs.toFixed(0) +
    " ms drawing " + render.series + " series, " + render.points + " points");
  assert.ok(render.series >= 20 && render.points >= 20 * 1400);
  assert.ok(render.chartMs < 1000, "charts drawn in " + render.chartMs + " ms, bound 1000 ms");

  log("operations: alerts with severity, regressions, acknowledge");
  const alertRows = await page.$$eval("table.alerts tbody tr", (rows) => rows.map((r) => r.textContent));
  assert.ok(alertRows.some((t) => t.includes("high-error-rate") && t.includes("critical") && t.includes("firing")),
    "the error-rate alert fires with its severity: " + JSON.stringify(alertRows));
  const regressions = await page.$$eval("table.regressions tbody tr", (rows) => rows.map((r) => r.textContent));
  assert.ok(regressions.some((t) => t.includes("parse_order") && /LOW|MEDIUM|HIGH|CRITICAL/.test(t)),
    "the parse_order regression with its severity: " + JSON.stringify(regressions));
  await page.screenshot({ path: join(artifacts, "operations.png"), fullPage: true });
  // The write endpoint may be refused (403 without a token, 404 on a
  // server without it): either way the page says what happened.
  await page.click("table.alerts tr.alert-firing .action button");
  await page.waitForFunction(() => {
    const s = document.querySelector("table.alerts tr.alert-firing .action-status");
    return s && s.textContent !== "" && s.textContent !== "…";
  }, null, { timeout: 10000 });
  console.log("  acknowledge: " + await page.textContent("table.alerts tr.alert-firing .action-status"));

  log("operations: a click on a chart opens the trace search of that step");
  const over = page.locator("figure.chart .u-over").first();
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  const middle = { x: box.width * 0.5, y: box.height * 0.5 };
  await over.hover({ position: middle });
  await over.click({ position: middle });
  await page.waitForFunction(() => location.hash.startsWith("#/engineering?view=traces&start="), null,
    { timeout: 10000 });
  await page.waitForSelector(".tier-engineering[data-ready]", { timeout: 30000 });
}

async function engineering(page, artifacts, url) {
  log("engineering: the failed trace's waterfall, its spans and logs");
  await show(page, "#/engineering?view=traces&error=true", "engineering");
  const links = await page.$$eval("a.trace-link", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.some((h) => h.includes(FAILED_TRACE)), "the failed trace is found by error=true");
  await page.click("a.trace-link[href*='" + FAILED_TRACE + "']");
  await page.waitForSelector("#trace .wf-row", { timeout: 30000 });
  assert.equal((await page.$$("#trace .wf-row")).length, 5, "five spans in the waterfall");
  const logs = await page.$$eval("#trace-logs tbody tr", (rows) => rows.map((r) => r.textContent));
  assert.equal(logs.length, 3, "three logs correlated with the trace");
  assert.ok(logs.some((t) => t.includes("payment declined " + SCRIPT)), "a hostile message shown as text");

  await page.click(".wf-row[data-span-id='" + EVIL_SPAN + "']");
  await page.waitForSelector(".span-details[data-span-id='" + EVIL_SPAN + "']", { timeout: 10000 });
  const details = await page.textContent(".span-details");
  assert.ok(details.includes(IMG) && details.includes(SCRIPT) && details.includes("retry"),
    "the span's name, attributes and events as text");
  await page.screenshot({ path: join(artifacts, "engineering.png"), fullPage: true });

  log("engineering: the view is in the URL (reload shows the same span)");
  await page.reload();
  await page.waitForSelector(".span-details[data-span-id='" + EVIL_SPAN + "']", { timeout: 30000 });

  log("engineering: from the trace to its logs and to the profiles around it");
  await page.click("#trace-logs-link");
  await page.waitForFunction((id) => location.hash.includes("trace_id=" + id) &&
    document.querySelector(".tier-engineering[data-ready]"), FAILED_TRACE, { timeout: 30000 });
  assert.equal((await page.$$("table.logs tbody tr")).length, 3);
  await page.goBack();
  await page.waitForSelector("#trace-profiles-link", { timeout: 30000 });
  await page.click("#trace-profiles-link");
  await page.waitForFunction(() => location.hash.includes("view=profiles") &&
    document.querySelector(".tier-engineering[data-ready]"), null, { timeout: 30000 });

  log("engineering: an empty search and an API error are said so");
  await show(page, "#/engineering?view=traces&name=no-such-span", "engineering");
  assert.ok((await page.textContent(".empty")).includes("No spans match this search"));
  await show(page, "#/engineering?view=traces&min_duration=soon", "engineering");
  assert.ok((await page.textContent("p.error")).includes("parameter 'min_duration'"),
    "the API's message names the parameter");

  log("engineering: log search and its empty state");
  await show(page, "#/engineering?view=logs&level=warn", "engineering");
  assert.equal((await page.$$("table.logs tbody tr")).length, 2, "the warning and the error");
  await show(page, "#/engineering?view=logs&text=nosuchword", "engineering");
  assert.ok((await page.textContent(".empty")).includes("No logs match"));

  log("engineering: flame graph renders and zooms on click");
  await show(page, "#/engineering?view=profiles", "engineering");
  const rows = await page.$$("table.profiles tbody tr");
  assert.equal(rows.length, 2);
  await page.click("table.profiles tbody tr:first-child a.flame-link");
  await page.waitForSelector("#flamegraph:not(.differential) g.frame[name='parse_order']", { timeout: 30000 });
  const names = await page.$$eval("#flamegraph g.frame", (gs) => gs.map((g) => g.getAttribute("name")));
  assert.ok(names.includes(IMG), "the hostile function name is a frame's name, as text");
  // Labels are written after the drawing's transition.
  await page.waitForFunction((img) => [...document.querySelectorAll("#flamegraph .d3-flame-graph-label")]
    .some((d) => d.textContent === img), IMG, { timeout: 10000 });
  await zoomCheck(page, "#flamegraph:not(.differential)");
  const speedscope = await page.getAttribute("a[download$='.speedscope.json']", "href");
  const file = await page.evaluate(async (href) => (await fetch(href)).json(), speedscope);
  assert.ok(file.$schema.includes("speedscope"), "the speedscope download is a speedscope file");

  log("engineering: differential flame graph renders, red where it costs more, and zooms");
  await page.click("table.profiles tbody tr:last-child a.diff-link");
  await zoomCheck(page, "#flamegraph.differential");
  const fill = await page.getAttribute("#flamegraph g.frame[name='parse_order'] rect", "fill");
  const [r, g, b] = fill.match(/\d+/g).map(Number);
  assert.ok(r > g && r > b, "parse_order costs more: red, got " + fill);
  await page.screenshot({ path: join(artifacts, "engineering-diff.png"), fullPage: true });

  log("engineering: merged flame graph of the range");
  await page.click("#merged-link");
  await page.waitForSelector("#flamegraph g.frame", { timeout: 30000 });

  log("engineering: pin as baseline answers (or is refused with the reason)");
  await page.click("table.profiles tbody tr:first-child .action button");
  await page.waitForFunction(() => {
    const s = document.querySelector("table.profiles tbody tr:first-child .action-status");
    return s && s.textContent !== "" && s.textContent !== "…";
  }, null, { timeout: 10000 });
  console.log("  pin: " + await page.textContent("table.profiles tbody tr:first-child .action-status"));
}

// Clicks the parse_order frame and waits until its drawn width grows (the
// zoom makes it the whole width).
async function zoomCheck(page, graph) {
  const frame = graph + " g.frame[name='parse_order'] rect";
  await page.waitForSelector(frame, { timeout: 30000 });
  // The first draw animates too: wait until the width holds between polls.
  await page.waitForFunction((selector) => {
    const width = document.querySelector(selector).getAttribute("width");
    const settled = width === window.__taiLastWidth;
    window.__taiLastWidth = width;
    return settled;
  }, frame, { timeout: 10000, polling: 150 });
  const before = Number(await page.getAttribute(frame, "width"));
  await page.click(graph + " g.frame[name='parse_order']");
  await page.waitForFunction(([selector, width]) => {
    const rect = document.querySelector(selector);
    return rect && Number(rect.getAttribute("width")) > width * 1.2;
  }, [frame, before], { timeout: 10000 });
  const after = Number(await page.getAttribute(frame, "width"));
  console.log("  zoom: parse_order " + before.toFixed(0) + " px -> " + after.toFixed(0) + " px");
}

async function main() {
  const options = parseFlags(["fixture", "artifacts"],
    "dashboard.test.mjs --fixture PATH --artifacts DIR [--docs-images DIR]");
  const chromium = await chromiumOrSkip(TEST);
  mkdirSync(options.artifacts, { recursive: true });
  const run = spawnUntil(options.fixture, [], (line) => (line.startsWith("{") ? JSON.parse(line) : undefined),
    120000);
  const fixture = { child: run.child, ...await run.started };
  let browser = null;
  const dialogs = [];
  const pageErrors = [];
  try {
    await checkToken(fixture.url, fixture.token);
    browser = await chromium.launch();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30000);
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    // ?token= once: the answer sets the cookie the page's requests carry.
    const response = await page.goto(fixture.url + "?token=" + fixture.token + "#/executive");
    assert.equal(response.status(), 200);
    await page.waitForFunction(() => !location.search.includes("token"), null, { timeout: 10000 });
    await executive(page, options.artifacts);
    // A refresh redraws the view: paused, as a user would, so that it does
    // not replace an element between a click and the check of its result.
    await page.click("#pause");
    assert.equal(await page.textContent("#refresh"), "Auto-refresh paused");
    await operations(page, options.artifacts);
    await engineering(page, options.artifacts, fixture.url);

    log("nothing from the data ran as script");
    assert.equal(await page.evaluate(() => typeof window.__pwned), "undefined");
    assert.deepEqual(dialogs, [], "no dialog opened");
    assert.deepEqual(pageErrors, [], "no script error");
    assert.equal(await page.evaluate(() => document.querySelectorAll("img[src='x'], body script:not([src])").length), 0);

    copyDocImages(options, ["executive.png", "engineering.png"], "dashboard-");
    console.log("PASS: dashboard in the browser (screenshots in " + options.artifacts + ")");
  } finally {
    if (browser) await browser.close();
    await stopChild(fixture.child);
  }
}

main().catch((e) => {
  console.error("FAIL at step '" + currentStep() + "': " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
