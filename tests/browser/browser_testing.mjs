// What the browser tests share: flags, the skip line ctest recognises,
// Chromium and playwright-core found or the test skipped, a child process
// that prints a line to wait for, the step being checked (named when a test
// fails), and navigation between the dashboard's tiers. Every wait is
// bounded.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

// Debian's package; TAI_CHROMIUM names another build.
const CHROMIUM = process.env.TAI_CHROMIUM || "/usr/bin/chromium";

// "--name value" pairs; exits 2 with `usage` when a required one is missing.
export function parseFlags(required, usage) {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  if (required.some((name) => !out[name])) {
    console.error("usage: " + usage);
    process.exit(2);
  }
  return out;
}

// "[  SKIPPED ]" is how the gtest-based integration tests report a missing
// peer; ctest's SKIP_REGULAR_EXPRESSION matches it.
export function skip(test, why) {
  console.log("[  SKIPPED ] " + test + ": " + why);
  process.exit(0);
}

// Playwright's chromium launcher, or skips the test saying what is missing.
export async function chromiumOrSkip(test) {
  if (!existsSync(CHROMIUM)) skip(test, CHROMIUM + " is missing: run ./scripts/setup --tests (Debian package chromium)");
  try {
    const { chromium } = await import("playwright-core");
    return {
      launch: () => chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] }),
    };
  } catch (e) {
    return skip(test, "playwright-core is not installed: run ./scripts/setup --tests (npm ci)");
  }
}

let step = "starting";
export function log(message) {
  step = message;
  console.log("- " + message);
}
export function currentStep() {
  return step;
}

// Starts `path args` and resolves once a stdout line satisfies `match`
// (which returns what to resolve with, or undefined), within `ms`. Every
// line is echoed, so a failure shows what the program said.
export function spawnUntil(path, args, match, ms) {
  const child = spawn(path, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  let pending = "";
  let waiter = null;
  child.stdout.on("data", (chunk) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      lines.push(line);
      console.log("  | " + line);
      if (waiter) waiter(line);
    }
  });
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(path + " printed no expected line within " + ms + " ms")), ms);
    child.on("exit", (code) => reject(new Error(path + " exited with " + code + " before its expected line")));
    waiter = (line) => {
      const value = match(line);
      if (value === undefined) return;
      clearTimeout(timer);
      waiter = null;
      resolve(value);
    };
  });
  return { child, lines, started };
}

// Ends the child (stdin closed, or `signal`) and resolves with its exit code,
// or null when it had to be killed after 30 s.
export function stopChild(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(null); }, 30000);
    child.on("exit", (code) => { clearTimeout(timer); resolve(code); });
    if (signal) child.kill(signal);
    else child.stdin.end();
  });
}

// Polls `probe` every `everyMs` until it returns something truthy; rejects
// naming `what` after `ms`.
export async function waitUntil(what, probe, ms, everyMs = 2000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() >= deadline) throw new Error("within " + ms + " ms: " + what);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Goes to a tier's view by its hash and waits until the page says it is
// drawn (app.js sets data-ready and Tai.lastRender).
export async function show(page, hash, tier, timeout = 30000) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((t) => {
    const view = document.querySelector(".tier-" + t);
    return view && view.getAttribute("data-ready") === "true" && Tai.lastRender && Tai.lastRender.tier === t;
  }, tier, { timeout });
}

// With TAI_UPDATE_DOC_IMAGES=1, copies screenshots from the artifacts to
// the docs' images folder as `prefix` + name.
export function copyDocImages(options, names, prefix) {
  if (!options["docs-images"] || process.env.TAI_UPDATE_DOC_IMAGES !== "1") return;
  mkdirSync(options["docs-images"], { recursive: true });
  for (const name of names) copyFileSync(join(options.artifacts, name), join(options["docs-images"], prefix + name));
  console.log("  copied " + names.join(", ") + " to " + options["docs-images"]);
}
