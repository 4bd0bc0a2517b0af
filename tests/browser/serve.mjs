#!/usr/bin/env node
// Browser checks for `isms serve`: live reload and the build error overlay.
//
//   node serve.mjs ISMS_BIN EXAMPLE_DIR
//
// Copies EXAMPLE_DIR into a fresh temporary folder, makes it a git repository
// (one commit with a fixed identity and date), starts
// `ISMS_BIN serve DIR --port 0 --as-of 2027-02-15` there and, in headless
// Chromium, checks that:
//   - the server listens on 127.0.0.1 only, `/` redirects to `/staff/`, and
//     the staff and audit pages of POL-AC carry the live-reload script;
//   - saving policies/access-control.md reloads both open pages by
//     themselves, with the new text;
//   - breaking its front matter shows the error overlay (role=alert, file,
//     line, message) over the last good page, in both tabs; the page with the
//     overlay has no axe-core violations; the overlay's Dismiss button can be
//     reached and used from the keyboard; /__isms/version reports the error;
//   - fixing the file (saved the way vim does: write a temporary file, rename
//     it over the original) reloads the pages without the overlay and with
//     the new text, with the same server process;
//   - a request for another host name is refused (421), the injected script
//     names the build it comes from;
//   - an unknown page answers 404 (with an accessible page), and /audit/
//     serves the audit index.
//
// Uses the system Chromium (/usr/bin/chromium, or $CHROMIUM_PATH). Prints one
// line per check and "N passed, M failed"; exits 1 when a check failed, 2
// when the checks could not run. The server and the temporary folder are
// removed at the end, also on failure and on Ctrl-C.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

// WCAG 2.0-2.2 A and AA, and axe's best practices (unique landmark names,
// header cells with text, one main landmark...).
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const WIDE = { width: 1280, height: 800 };
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const AS_OF = "2027-02-15";
// A safety net: the server stops by itself even if this script is killed.
const EXIT_AFTER_SECS = 300;
const START_TIMEOUT_MS = 60_000;
const RELOAD_TIMEOUT_MS = 10_000;
const SOURCE = "policies/access-control.md";
const DOC = "docs/POL-AC.html";
const TITLE = "Access Control Policy";
const OVERLAY = "section.isms-error-overlay[role='alert']";
const VERSION_PATH = "/__isms/version";
const SCRIPT_PATH = "/__isms/live-reload.js";
const GIT_DATE = "2027-01-15T12:00:00+00:00";
const GIT_CONFIG = [
  "-c",
  "user.name=isms browser test",
  "-c",
  "user.email=isms-test@example.invalid",
  "-c",
  "commit.gpgsign=false",
  "-c",
  "init.defaultBranch=main",
];

function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error("usage: node serve.mjs ISMS_BIN EXAMPLE_DIR");
  process.exit(2);
}

class CannotRun extends Error {}

// ---------- clean-up, also on Ctrl-C ----------

const cleanup = {
  tmp: null,
  server: null, // ChildProcess
  browser: null,
};

function killServerNow(signal = "SIGKILL") {
  const s = cleanup.server;
  if (s && s.exitCode === null && s.signalCode === null) {
    try {
      s.kill(signal);
    } catch {
      // already gone
    }
  }
}

function removeTmpNow() {
  if (cleanup.tmp) {
    try {
      fs.rmSync(cleanup.tmp, { recursive: true, force: true });
    } catch (e) {
      console.error(`warning: could not remove ${cleanup.tmp}: ${e.message}`);
    }
    cleanup.tmp = null;
  }
}

// Last resort, synchronous: whatever path the process takes to exit.
process.on("exit", () => {
  killServerNow();
  removeTmpNow();
});

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\ninterrupted (${sig}): stopping the server and removing the temporary folder`);
    killServerNow();
    removeTmpNow();
    const browser = cleanup.browser;
    const closing = browser ? browser.close().catch(() => {}) : Promise.resolve();
    const timer = new Promise((r) => setTimeout(r, 3000));
    Promise.race([closing, timer]).then(() => process.exit(130));
  });
}

// ---------- the example as a git repository ----------

function git(dir, args) {
  const r = spawnSync("git", [...GIT_CONFIG, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: GIT_DATE,
      GIT_COMMITTER_DATE: GIT_DATE,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
    },
  });
  if (r.error) throw new CannotRun(`cannot run git: ${r.error.message}`);
  if (r.status !== 0) throw new CannotRun(`git ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function prepareRepository(example) {
  cleanup.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "isms-serve-test-"));
  const dir = path.join(cleanup.tmp, "isms");
  fs.cpSync(example, dir, {
    recursive: true,
    // Neither a git folder nor a build output of the example is a source.
    filter: (src) => {
      const rel = path.relative(example, src);
      const first = rel.split(path.sep)[0];
      return first !== ".git" && first !== "public";
    },
  });
  git(dir, ["init", "-q"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "Example ISMS for the isms serve browser checks"]);
  return dir;
}

// ---------- the server ----------

class Server {
  constructor(bin, dir) {
    this.lines = []; // the last lines of both streams, for failure reports
    this.out = []; // every stdout line
    this.waiters = [];
    this.exited = null;
    this.proc = spawn(
      bin,
      ["serve", dir, "--port", "0", "--as-of", AS_OF, "--exit-after", String(EXIT_AFTER_SECS)],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    cleanup.server = this.proc;
    // Always drain both pipes: a full pipe would block the server.
    for (const [name, stream] of [
      ["out", this.proc.stdout],
      ["err", this.proc.stderr],
    ]) {
      let partial = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        partial += chunk;
        const parts = partial.split("\n");
        partial = parts.pop();
        for (const line of parts) this.line(name, line);
      });
      stream.on("end", () => {
        if (partial) this.line(name, partial);
        partial = "";
      });
    }
    this.proc.on("error", (e) => this.exit(`could not start: ${e.message}`));
    this.proc.on("exit", (code, signal) => this.exit(signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  line(stream, text) {
    this.lines.push(stream === "err" ? `[stderr] ${text}` : text);
    if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    if (stream === "out") this.out.push(text);
    for (const w of [...this.waiters]) {
      const m = stream === "out" ? text.match(w.re) : null;
      if (m) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(m);
      }
    }
  }

  exit(how) {
    if (this.exited) return;
    this.exited = how;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`the server ${how} before printing ${w.re}`));
    }
  }

  /** Resolves with the match of the first stdout line, printed so far or later, matching `re`. */
  waitForLine(re, timeoutMs) {
    for (const text of this.out) {
      const m = text.match(re);
      if (m) return Promise.resolve(m);
    }
    if (this.exited) return Promise.reject(new Error(`the server ${this.exited}`));
    return new Promise((resolve, reject) => {
      const w = { re, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no line matching ${re} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  running() {
    return this.exited === null;
  }

  tail(n = 30) {
    return this.lines.slice(-n);
  }

  async stop() {
    if (!this.running()) return;
    const gone = new Promise((r) => this.proc.once("exit", r));
    this.proc.kill("SIGTERM");
    const timer = new Promise((r) => setTimeout(() => r("timeout"), 5000));
    if ((await Promise.race([gone, timer])) === "timeout") {
      this.proc.kill("SIGKILL");
      await gone;
    }
  }
}

// ---------- helpers ----------

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function get(url, opts = {}) {
  const r = await fetch(url, { redirect: "manual", cache: "no-store", ...opts });
  const body = await r.text();
  return { status: r.status, headers: r.headers, body };
}

async function version(base) {
  const r = await get(`${base}${VERSION_PATH}`);
  assert(r.status === 200, `GET ${VERSION_PATH} answered ${r.status}`);
  try {
    return JSON.parse(r.body);
  } catch {
    throw new Error(`GET ${VERSION_PATH} is not JSON: ${r.body.slice(0, 200)}`);
  }
}

/** Saves `text` over `file` in place, as most editors do. */
function saveInPlace(file, text) {
  fs.writeFileSync(file, text);
}

/** Saves `text` over `file` the way vim does: a temporary file renamed over it. */
function saveByRename(file, text) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.isms-test.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function isVersionResponse(r) {
  try {
    return new URL(r.url()).pathname === VERSION_PATH;
  } catch {
    return false;
  }
}

/** Marks the current document, to tell a reload from a change in place. */
async function markStale(page) {
  await page.evaluate(() => {
    window.__ismsTestStale = true;
  });
}

/**
 * Waits until the page has reloaded (the stale mark is gone) and shows
 * `marker`, then until the new document's live-reload script has asked for
 * the version at least once (so it knows which build it shows). Returns
 * when the new text was seen (Date.now()).
 */
async function waitForReload(page, marker, what) {
  try {
    await page.waitForFunction(
      (m) => !window.__ismsTestStale && document.body && document.body.innerText.includes(m),
      marker,
      { timeout: RELOAD_TIMEOUT_MS, polling: 100 },
    );
  } catch {
    const state = await page
      .evaluate(
        (m) => ({
          reloaded: !window.__ismsTestStale,
          hasMarker: document.body.innerText.includes(m),
          overlay: document.querySelector(".isms-error-overlay")?.innerText ?? null,
        }),
        marker,
      )
      .catch((e) => ({ error: e.message }));
    throw new Error(
      `${what} did not reload with the new text within ${RELOAD_TIMEOUT_MS / 1000}s (${JSON.stringify(state)})`,
    );
  }
  const seen = Date.now();
  await page.waitForResponse(isVersionResponse, { timeout: 5000 });
  return seen;
}

async function axeViolations(page, options) {
  return page.evaluate(async (opts) => {
    const r = await window.axe.run(document, opts);
    return r.violations.map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      count: v.nodes.length,
    }));
  }, options);
}

function describeViolations(list, where) {
  return list.map(
    (v) => `axe ${v.id}${where}: ${v.help} (${v.count} element(s), e.g. ${v.targets.join(", ")})`,
  );
}

/** The overlay's facts, or null when there is none. */
async function overlayFacts(page) {
  return page.evaluate((sel) => {
    const o = document.querySelector(sel);
    if (!o) return null;
    const r = o.getBoundingClientRect();
    const cs = getComputedStyle(o);
    const label = o.getAttribute("aria-labelledby");
    return {
      text: o.innerText,
      where: o.querySelector("code")?.textContent ?? null,
      message: o.querySelector("pre")?.textContent ?? null,
      buttons: [...o.querySelectorAll("button")].map((b) => b.textContent.trim()),
      name: label ? document.getElementById(label)?.textContent ?? null : o.getAttribute("aria-label"),
      inViewport: r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0,
      position: cs.position,
      count: document.querySelectorAll(".isms-error-overlay").length,
    };
  }, OVERLAY);
}

// ---------- the checks ----------

async function runChecks(ctx, check) {
  const { base, browser, dir, server, axeSource } = ctx;
  const file = path.join(dir, SOURCE);
  const original = fs.readFileSync(file, "utf8");
  const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const marker1 = `Live reload marker one ${stamp}.`;
  const marker2 = `Live reload marker two ${stamp}.`;
  assert(/^id: POL-AC$/m.test(original), `${SOURCE} has no "id: POL-AC" line to break`);

  const jsErrors = [];
  const context = await browser.newContext({ viewport: WIDE, reducedMotion: "reduce", colorScheme: "light" });
  await context.addInitScript({ content: axeSource });
  const staff = await context.newPage();
  const audit = await context.newPage();
  for (const [name, page] of [
    ["staff", staff],
    ["audit", audit],
  ]) {
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (e) => jsErrors.push(`${name} tab: JavaScript error: ${e.message}`));
    page.on("console", (m) => {
      // Failed loads are reported by the response handler below (which
      // leaves out the browser's own request for /favicon.ico).
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
        jsErrors.push(`${name} tab: console error: ${m.text()}`);
      }
    });
    page.on("requestfailed", (r) => {
      // A request cut short by the live reload itself is expected.
      const err = r.failure()?.errorText ?? "";
      if (!/ERR_ABORTED/.test(err)) jsErrors.push(`${name} tab: ${r.url()} failed: ${err}`);
    });
    page.on("response", (r) => {
      const u = new URL(r.url());
      if (u.origin === base && r.status() >= 400 && u.pathname !== "/favicon.ico") {
        jsErrors.push(`${name} tab: HTTP ${r.status()} for ${u.pathname}`);
      }
    });
  }

  await check("the server listens on 127.0.0.1 only", async () => {
    const u = new URL(base);
    assert(u.hostname === "127.0.0.1", `the Serving line names ${u.hostname}, not 127.0.0.1`);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === "IPv4")
      .map((i) => i.address);
    for (const addr of others) {
      const reached = await new Promise((resolve) => {
        const sock = net.connect({ host: addr, port: Number(u.port) });
        sock.setTimeout(2000);
        sock.once("connect", () => {
          sock.destroy();
          resolve(true);
        });
        sock.once("timeout", () => {
          sock.destroy();
          resolve(false);
        });
        sock.once("error", () => resolve(false));
      });
      assert(!reached, `port ${u.port} also answers on ${addr}`);
    }
    return others.length ? `not reachable on ${others.join(", ")}` : "no other interface to try";
  });

  await check("/ redirects to /staff/", async () => {
    const r = await get(`${base}/`);
    assert(r.status >= 300 && r.status < 400, `GET / answered ${r.status}, not a redirect`);
    const to = new URL(r.headers.get("location") || "", `${base}/`);
    assert(to.href === `${base}/staff/`, `GET / redirects to ${r.headers.get("location")}`);
    const resp = await staff.goto(`${base}/`, { waitUntil: "load" });
    assert(staff.url() === `${base}/staff/`, `the browser ended at ${staff.url()}`);
    assert(resp && resp.status() === 200, `/staff/ answered ${resp && resp.status()}`);
  });

  const openDoc = async (page, site) => {
    const polled = page.waitForResponse(isVersionResponse, { timeout: 5000 });
    const resp = await page.goto(`${base}/${site}/${DOC}`, { waitUntil: "load" });
    assert(resp && resp.status() === 200, `/${site}/${DOC} answered ${resp && resp.status()}`);
    assert(/^text\/html/.test(resp.headers()["content-type"] || ""), "not served as text/html");
    const facts = await page.evaluate((src) => {
      const scripts = [...document.querySelectorAll("script[src]")].filter((s) => s.getAttribute("src") === src);
      return {
        scripts: scripts.length,
        lastInBody: scripts.length > 0 && scripts[0].parentElement === document.body,
        running: window.__ismsLiveReload === true,
        h1: document.querySelector("h1")?.textContent.trim() ?? null,
      };
    }, SCRIPT_PATH);
    assert(facts.scripts === 1, `${facts.scripts} <script src="${SCRIPT_PATH}"> in the page, expected 1`);
    assert(facts.lastInBody, "the live-reload script is not inside <body>");
    assert(facts.h1 === TITLE, `<h1> is "${facts.h1}", expected "${TITLE}"`);
    try {
      await polled;
    } catch {
      throw new Error(`the page never asked ${VERSION_PATH}`);
    }
    assert(facts.running, "the live-reload script did not run");
  };

  await check(`the staff page /staff/${DOC} loads with the live-reload script`, () => openDoc(staff, "staff"));
  await check(`the audit page /audit/${DOC} (second tab) loads with the live-reload script`, () =>
    openDoc(audit, "audit"),
  );

  // b. Saving the source reloads both tabs.
  const v0 = await version(base);
  await markStale(staff);
  await markStale(audit);
  saveInPlace(file, `${original.replace(/\n*$/, "\n")}\n${marker1}\n`);
  const t0 = Date.now();
  await check("saving the source reloads the staff page with the new text", async () => {
    return `seen after ${(await waitForReload(staff, marker1, "the staff page")) - t0} ms`;
  });
  await check("the audit page in the other tab reloads too", async () => {
    return `seen after ${(await waitForReload(audit, marker1, "the audit page")) - t0} ms`;
  });
  const v1 = await version(base);
  await check(`${VERSION_PATH} moved to a new version with no error`, async () => {
    assert(v1.error === null, `error: ${JSON.stringify(v1.error)}`);
    assert(typeof v1.version === "string", `version is ${JSON.stringify(v1.version)}, not a string`);
    assert(v1.version !== v0.version, `version stayed ${v0.version}`);
    return `${v0.version} -> ${v1.version}`;
  });

  // c. Breaking the front matter shows the overlay over the last good page.
  const broken = original.replace(/^id: POL-AC$/m, "id POL-AC");
  await markStale(staff);
  await markStale(audit);
  saveInPlace(file, `${broken.replace(/\n*$/, "\n")}\n${marker1}\n`);
  const t1 = Date.now();
  let staffOverlay = null;
  await check("broken front matter shows the error overlay with the file, line and message", async () => {
    try {
      await staff.waitForSelector(OVERLAY, { timeout: RELOAD_TIMEOUT_MS });
    } catch {
      throw new Error(`no ${OVERLAY} within ${RELOAD_TIMEOUT_MS / 1000}s`);
    }
    const ms = Date.now() - t1;
    staffOverlay = await overlayFacts(staff);
    const o = staffOverlay;
    assert(o.count === 1, `${o.count} overlays in the page`);
    const where = new RegExp(`^${SOURCE.replace(/[.]/g, "\\.")}:([1-9][0-9]*)$`);
    assert(where.test(o.where || ""), `the overlay names "${o.where}", expected ${SOURCE}:LINE`);
    assert(o.message && o.message.trim().length > 0, "the overlay shows no message");
    assert(o.name && o.name.trim(), "the overlay has no accessible name");
    assert(o.position === "fixed", `the overlay is position: ${o.position}, not fixed (no overlay styles?)`);
    assert(o.inViewport, "the overlay is not in the viewport");
    return `${o.where} after ${ms} ms: ${o.message.split("\n")[0].slice(0, 80)}...`;
  });

  await check("the page keeps the last good build under the overlay", async () => {
    const s = await staff.evaluate(
      (m) => ({ stale: window.__ismsTestStale === true, hasMarker: document.body.innerText.includes(m) }),
      marker1,
    );
    assert(s.stale, "the page reloaded although the build failed");
    assert(s.hasMarker, "the page lost the last good text");
    const r = await get(`${base}/staff/${DOC}`);
    assert(r.status === 200, `a fresh GET of /staff/${DOC} answered ${r.status}`);
    assert(r.body.includes(marker1), "a fresh GET of the page does not serve the last good build");
  });

  await check("the audit tab shows the overlay too", async () => {
    await audit.waitForSelector(OVERLAY, { timeout: RELOAD_TIMEOUT_MS });
    const o = await overlayFacts(audit);
    assert(o.where === staffOverlay?.where, `the audit overlay names "${o.where}"`);
    assert(o.position === "fixed" && o.inViewport, `the audit overlay is not shown over the page (${o.position})`);
    const s = await audit.evaluate(
      (m) => ({ stale: window.__ismsTestStale === true, hasMarker: document.body.innerText.includes(m) }),
      marker1,
    );
    assert(s.stale && s.hasMarker, "the audit tab did not keep the last good page");
  });

  await check(`${VERSION_PATH} reports the error`, async () => {
    const v = await version(base);
    assert(v.error && typeof v.error === "object", `error is ${JSON.stringify(v.error)}`);
    assert(v.error.path === SOURCE, `error.path is ${JSON.stringify(v.error.path)}`);
    assert(Number.isInteger(v.error.line) && v.error.line > 0, `error.line is ${JSON.stringify(v.error.line)}`);
    assert(typeof v.error.message === "string" && v.error.message.trim(), "error.message is empty");
    assert(v.version === v1.version, `version moved from ${v1.version} to ${v.version} on a failed build`);
    assert(
      staffOverlay && staffOverlay.where === `${v.error.path}:${v.error.line}`,
      `the overlay shows ${staffOverlay?.where}, the endpoint ${v.error.path}:${v.error.line}`,
    );
    return `line ${v.error.line}`;
  });

  await check("no axe-core violations with the overlay shown (light, and dark contrast)", async () => {
    assert(await staff.$(OVERLAY), "no overlay to check");
    const problems = describeViolations(
      await axeViolations(staff, { runOnly: { type: "tag", values: AXE_TAGS } }),
      " (light)",
    );
    await staff.emulateMedia({ colorScheme: "dark" });
    try {
      problems.push(
        ...describeViolations(
          await axeViolations(staff, { runOnly: { type: "rule", values: ["color-contrast"] } }),
          " (dark)",
        ),
      );
    } finally {
      await staff.emulateMedia({ colorScheme: "light" });
    }
    assert(problems.length === 0, problems.join("; "));
  });

  await check("the overlay's Dismiss button is reachable and works by keyboard", async () => {
    const buttons = staffOverlay?.buttons ?? [];
    assert(buttons.includes("Dismiss"), `the overlay's buttons are ${JSON.stringify(buttons)}, no Dismiss`);
    const stops = await staff.evaluate(
      () =>
        document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")
          .length,
    );
    await staff.evaluate(() => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      window.scrollTo(0, 0);
    });
    let reached = false;
    let presses = 0;
    for (; presses < stops + 5; presses++) {
      await staff.keyboard.press("Tab");
      reached = await staff.evaluate(
        (sel) => {
          const a = document.activeElement;
          return !!a && a.tagName === "BUTTON" && !!a.closest(sel) && a.textContent.trim() === "Dismiss";
        },
        OVERLAY,
      );
      if (reached) break;
    }
    assert(reached, `Tab never reached the Dismiss button (${presses} presses, ${stops} focusable elements)`);
    const visible = await staff.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return a.matches(":focus-visible") && r.top >= 0 && r.bottom <= innerHeight && r.width > 0;
    });
    assert(visible, "the focused Dismiss button is not visibly focused in the viewport");
    await staff.keyboard.press("Enter");
    await staff.waitForSelector(".isms-error-overlay", { state: "detached", timeout: 2000 }).catch(() => {
      throw new Error("Enter on Dismiss did not close the overlay");
    });
    await sleep(1200); // two polls: a dismissed error stays dismissed
    const s = await staff.evaluate(() => ({
      overlay: !!document.querySelector(".isms-error-overlay"),
      stale: window.__ismsTestStale === true,
    }));
    assert(!s.overlay, "the dismissed overlay came back while the error stayed the same");
    assert(s.stale, "dismissing the overlay reloaded the page");
    return `after ${presses + 1} Tab presses`;
  });

  // d. Fixing the file (saved by rename this time) recovers without a restart.
  const pid = server.proc.pid;
  saveByRename(file, `${original.replace(/\n*$/, "\n")}\n${marker1}\n\n${marker2}\n`);
  const t2 = Date.now();
  await check("fixing the file reloads the staff page without the overlay", async () => {
    const seen = await waitForReload(staff, marker2, "the staff page");
    assert(!(await staff.$(".isms-error-overlay")), "the overlay is still shown");
    return `seen after ${seen - t2} ms`;
  });
  await check("... and the audit tab, whose overlay was not dismissed", async () => {
    const seen = await waitForReload(audit, marker2, "the audit page");
    assert(!(await audit.$(".isms-error-overlay")), "the overlay is still shown");
    return `seen after ${seen - t2} ms`;
  });
  await check(`${VERSION_PATH} reports no error and a new version, same server process`, async () => {
    const v = await version(base);
    assert(v.error === null, `error: ${JSON.stringify(v.error)}`);
    assert(v.version !== v1.version, `version stayed ${v1.version}`);
    assert(server.running() && server.proc.pid === pid, `the server ${server.exited || "changed"}`);
    return `${v1.version} -> ${v.version}`;
  });

  // e. Unknown pages, other host names and the audit index.
  await check("a request naming another host is refused (DNS rebinding)", async () => {
    const { port } = new URL(base);
    const status = await new Promise((resolve, reject) => {
      const req = http.get(
        { host: "127.0.0.1", port, path: "/audit/", headers: { Host: `attacker.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
    });
    assert(status === 421, `answered ${status}`);
  });

  await check("the injected script carries the version the page was built from", async () => {
    const v = await version(base);
    const r = await get(`${base}/staff/`);
    assert(r.body.includes(`data-version="${v.version}"`), "no data-version matching /__isms/version");
  });

  await check("a page that does not exist answers 404", async () => {
    for (const p of ["/staff/no-such-page.html", "/audit/docs/NO-SUCH-DOC.html", "/staff/no-such-folder/"]) {
      const r = await get(`${base}${p}`);
      assert(r.status === 404, `GET ${p} answered ${r.status}`);
    }
  });

  await check("the 404 page is accessible and carries the live-reload script", async () => {
    const page = await context.newPage();
    try {
      const resp = await page.goto(`${base}/staff/no-such-page.html`, { waitUntil: "load" });
      assert(resp && resp.status() === 404, `answered ${resp && resp.status()}`);
      const hasScript = await page.evaluate(
        (src) => [...document.querySelectorAll("script[src]")].some((s) => s.getAttribute("src") === src),
        SCRIPT_PATH,
      );
      assert(hasScript, "no live-reload script on the 404 page");
      const problems = describeViolations(
        await axeViolations(page, { runOnly: { type: "tag", values: AXE_TAGS } }),
        "",
      );
      assert(problems.length === 0, problems.join("; "));
    } finally {
      await page.close();
    }
  });

  await check("/audit/ serves the audit index", async () => {
    const r = await get(`${base}/audit/`);
    assert(r.status === 200, `GET /audit/ answered ${r.status}`);
    assert(/^text\/html/.test(r.headers.get("content-type") || ""), "not text/html");
    const resp = await audit.goto(`${base}/audit/`, { waitUntil: "load" });
    assert(resp && resp.status() === 200, `the browser got ${resp && resp.status()}`);
    const h1 = await audit.evaluate(() => document.querySelector("h1")?.textContent.trim() ?? null);
    assert(h1 === "Audit evidence index", `<h1> is "${h1}"`);
    const r2 = await get(`${base}/audit`);
    const to = r2.headers.get("location");
    const redirected = r2.status >= 300 && r2.status < 400 && to && new URL(to, base).pathname === "/audit/";
    assert(redirected, `GET /audit answered ${r2.status} ${to}, not a redirect to /audit/`);
  });

  await check("no JavaScript errors or failed requests in the open tabs", async () => {
    assert(jsErrors.length === 0, [...new Set(jsErrors)].join("; "));
  });

  await context.close();
}

// ---------- main ----------

async function main() {
  const args = process.argv.slice(2);
  if (args.includes("-h") || args.includes("--help")) usage();
  if (args.length !== 2) usage("expected ISMS_BIN and EXAMPLE_DIR");
  const bin = path.resolve(args[0]);
  const example = path.resolve(args[1]);
  if (!fs.existsSync(bin)) usage(`no ${bin} (build it with cargo build)`);
  if (!fs.existsSync(path.join(example, "isms.toml"))) usage(`no isms.toml in ${example}`);

  let chromium;
  let axeSource;
  try {
    ({ chromium } = require("playwright-core"));
    axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  } catch (e) {
    console.error(`error: ${e.message}\nRun "npm ci" in tests/browser first.`);
    process.exit(2);
  }
  const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    console.error(`error: no Chromium at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)`);
    process.exit(2);
  }

  const started = Date.now();
  let passed = 0;
  let failed = 0;
  let server = null;
  let exitCode = 0;
  const check = async (name, fn) => {
    if (interrupted) return;
    try {
      const note = await fn();
      if (interrupted) return;
      passed++;
      console.log(`ok   ${name}${note ? ` (${note})` : ""}`);
    } catch (e) {
      if (interrupted) return;
      failed++;
      console.log(`FAIL ${name}\n       ${String(e.message).split("\n")[0]}`);
    }
  };

  try {
    const dir = prepareRepository(example);
    server = new Server(bin, dir);
    let base;
    try {
      const m = await server.waitForLine(
        /^Serving the staff site on (http:\/\/[^/\s]+)\/staff\/ and the audit index on \S+/,
        START_TIMEOUT_MS,
      );
      base = m[1];
      // The watcher starts after the Serving line: changes before it are missed.
      await server.waitForLine(/^Watching .* for changes/, START_TIMEOUT_MS);
    } catch (e) {
      throw new CannotRun(`isms serve did not start: ${e.message}`);
    }
    const browser = await chromium.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    cleanup.browser = browser;
    console.log(`Checking isms serve at ${base} (as of ${AS_OF}) with Chromium ${browser.version()}`);
    try {
      await runChecks({ base, browser, dir, server, axeSource }, check);
    } finally {
      await browser.close().catch(() => {});
      cleanup.browser = null;
    }
    if (!server.running()) {
      failed++;
      console.log(`FAIL the server kept running through the checks\n       it ${server.exited}`);
    }
  } catch (e) {
    if (interrupted) {
      // The signal handler cleans up and exits; what failed after it is noise.
    } else if (e instanceof CannotRun) {
      console.error(`error: ${e.message}`);
    } else {
      console.error(`error: ${e.stack || e.message}`);
    }
    exitCode = 2;
  } finally {
    if (server) {
      if ((failed || exitCode) && !interrupted && server.lines.length) {
        console.log("\nLast lines from isms serve:");
        for (const l of server.tail()) console.log(`  | ${l}`);
      }
      await server.stop();
    }
    cleanup.server = null;
    removeTmpNow();
  }

  if (interrupted) return;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log("");
  console.log(`${passed} passed, ${failed} failed (${secs}s)`);
  process.exit(exitCode || (failed ? 1 : 0));
}

main().catch((e) => {
  console.error(`error: ${e.stack || e.message}`);
  process.exit(2);
});
