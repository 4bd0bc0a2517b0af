#!/usr/bin/env node
// Browser checks for the two sites that `isms build` writes.
//
//   node run.mjs OUT [--jobs N] [--expect PAGE[#ID]]...
//
// --expect makes sure a kind of page is among those checked: PAGE (relative
// to OUT, e.g. staff/briefing.html) must exist and, with #ID, hold an
// element with that id (staff/docs/PRO-BK.html#what-changed, a page with
// the word-level changes since the previous approval).
//
// Serves OUT on 127.0.0.1 (an ephemeral port, stopped at the end), opens
// every .html file under OUT/staff and OUT/audit in headless Chromium and
// checks, for each page:
//   - axe-core finds no WCAG 2.0/2.1/2.2 A and AA violations and no
//     best-practice violations, in the light
//     colour scheme (all rules) and the dark one (colour contrast);
//   - <html lang> is set, there is exactly one <h1>, ids are unique;
//   - every internal link, stylesheet, script and image resolves to a file in
//     OUT, every #fragment to an element with that id on the target page,
//     no link crosses from one site into the other (they are published
//     separately), and nothing breaks when the site is opened from disk
//     (root-absolute URLs, links to folders, module scripts);
//   - the first Tab stop is a visible "skip to main content" link to <main>,
//     and following it moves focus into <main>;
//   - keyboard focus is visible: the first focusable element in <main> looks
//     different focused than unfocused;
//   - at 320 CSS px wide the page does not scroll sideways.
// It also exercises the staff search box (skipped if the site has none).
// The live reload and error overlay of `isms serve` are checked by serve.mjs.
//
// Uses the system Chromium (/usr/bin/chromium, or $CHROMIUM_PATH): no browser
// download. Prints "N pages, M problems" and then "N passed, M failed"
// (pages), and exits 1 when anything failed, 2 when it could not run.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const SECTIONS = ["staff", "audit"];
// WCAG 2.0-2.2 A and AA, and axe's best practices (unique landmark names,
// header cells with text, one main landmark...).
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const NARROW = { width: 320, height: 640 };
const WIDE = { width: 1280, height: 800 };
const PAGE_TIMEOUT_MS = 90_000;
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
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
};

function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error("usage: node run.mjs OUT [--jobs N] [--best-practice]");
  process.exit(2);
}

function parseArgs(argv) {
  let out = null;
  const cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  let jobs = Math.min(6, cpus + 1);
  const expect = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--expect") {
      if (i + 1 >= argv.length) usage("--expect needs PAGE[#ID]");
      expect.push(argv[++i]);
    } else if (a === "--jobs") {
      jobs = Number(argv[++i]);
      if (!Number.isInteger(jobs) || jobs < 1) usage("--jobs needs a positive integer");
    } else if (a === "-h" || a === "--help") {
      usage();
    } else if (a.startsWith("-")) {
      usage(`unknown option ${a}`);
    } else if (out === null) {
      out = a;
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (out === null) usage("missing OUT directory");
  return { out: path.resolve(out), jobs, expect };
}

function listHtml(dir, base, acc) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listHtml(full, base, acc);
    else if (entry.isFile() && entry.name.endsWith(".html")) {
      acc.push(path.relative(base, full).split(path.sep).join("/"));
    }
  }
  return acc;
}

// ---------- static server ----------

function startServer(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        file = path.join(file, "index.html");
      }
      fs.readFile(file, (err2, body) => {
        if (err2) {
          res.writeHead(404, { "content-type": "text/plain" }).end("not found");
          return;
        }
        const type = MIME[path.extname(file).toLowerCase()] || "application/octet-stream";
        res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

// ---------- functions evaluated inside the page ----------

function pageFacts() {
  const attrs = [
    ["a[href]", "href"],
    ["area[href]", "href"],
    ["link[href]", "href"],
    ["script[src]", "src"],
    ["img[src]", "src"],
    ["iframe[src]", "src"],
    ["source[src]", "src"],
    ["video[src]", "src"],
    ["audio[src]", "src"],
    ["form[action]", "action"],
  ];
  const refs = [];
  for (const [sel, attr] of attrs) {
    for (const el of document.querySelectorAll(sel)) {
      const raw = el.getAttribute(attr);
      let abs = null;
      try {
        abs = new URL(raw, document.baseURI).href;
      } catch {
        abs = null;
      }
      refs.push({ tag: el.tagName.toLowerCase(), raw, abs });
    }
  }
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const names = [...document.querySelectorAll("a[name]")].map((e) => e.getAttribute("name"));
  const seen = new Set();
  const dups = new Set();
  for (const id of ids) {
    if (seen.has(id)) dups.add(id);
    seen.add(id);
  }
  return {
    lang: document.documentElement.getAttribute("lang"),
    h1: document.querySelectorAll("h1").length,
    ids: [...seen, ...names],
    duplicateIds: [...dups],
    moduleScripts: document.querySelectorAll("script[type='module']").length,
    refs,
  };
}

function describeActive() {
  const a = document.activeElement;
  const main = document.querySelector("main");
  if (!a || a === document.body) return { tag: null };
  const r = a.getBoundingClientRect();
  const cs = getComputedStyle(a);
  return {
    tag: a.tagName,
    href: a.getAttribute("href"),
    text: (a.textContent || "").trim().slice(0, 60),
    mainId: main ? main.id : null,
    inMain: !!(main && (a === main || main.contains(a))),
    isMain: a === main,
    visible:
      r.width > 1 &&
      r.height > 1 &&
      r.top >= 0 &&
      r.left >= 0 &&
      r.bottom <= window.innerHeight &&
      r.right <= window.innerWidth &&
      cs.visibility !== "hidden" &&
      cs.opacity !== "0",
  };
}

function focusSnapshot() {
  const a = document.activeElement;
  const main = document.querySelector("main");
  const sel =
    "a[href], button:not([disabled]), input:not([disabled]):not([type='hidden']), select:not([disabled]), " +
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
  };
  const candidates = main ? [...main.querySelectorAll(sel)].filter(visible) : [];
  const target = candidates[0] || null;
  const style = (e) => {
    const cs = getComputedStyle(e);
    return {
      outline: cs.outlineStyle === "none" || parseFloat(cs.outlineWidth) === 0
        ? "none"
        : `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
      boxShadow: cs.boxShadow,
      background: cs.backgroundColor,
      border: cs.borderColor + " " + cs.borderWidth,
      color: cs.color,
    };
  };
  if (!target) return { target: null };
  if (!window.__ismsFocusTarget) {
    window.__ismsFocusTarget = target;
    return { target: describe(target), unfocused: style(target), focusedIsTarget: a === target };
  }
  return { target: describe(target), focused: style(target), focusedIsTarget: a === target };

  function describe(e) {
    let s = e.tagName.toLowerCase();
    if (e.id) s += `#${e.id}`;
    else if (e.className && typeof e.className === "string") s += "." + e.className.trim().split(/\s+/).join(".");
    const t = (e.textContent || "").trim().slice(0, 40);
    return t ? `${s} "${t}"` : s;
  }
}

function sideways() {
  const vw = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= vw) return { width, offenders: [] };
  // Is e inside a narrower scrolling/clipping box? An absolutely positioned
  // box is only clipped by its containing block and that block's ancestors.
  const clipped = (e) => {
    let node = e;
    while (node && node !== document.body) {
      const pos = getComputedStyle(node).position;
      if (pos === "fixed") return true;
      let p = node.parentElement;
      if (pos === "absolute") {
        while (p && p !== document.body && getComputedStyle(p).position === "static") p = p.parentElement;
      }
      if (!p || p === document.body) return false;
      if (getComputedStyle(p).overflowX !== "visible" && p.getBoundingClientRect().right <= vw + 0.5) return true;
      node = p;
    }
    return false;
  };
  const css = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += `#${e.id}`;
    else if (typeof e.className === "string" && e.className.trim()) s += "." + e.className.trim().split(/\s+/).join(".");
    const parent = e.parentElement && e.parentElement !== document.body ? e.parentElement.tagName.toLowerCase() + " > " : "";
    return parent + s;
  };
  const offenders = [];
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.right > vw + 0.5 && r.width > 0 && !clipped(e)) {
      // Report the outermost offenders only.
      if (!offenders.some((o) => o.el.contains(e))) offenders.push({ el: e, right: Math.round(r.right) });
    }
    if (offenders.length >= 3) break;
  }
  return { width, offenders: offenders.map((o) => `${css(o.el)} (right edge ${o.right}px)`) };
}

async function runAxe(page, options) {
  return page.evaluate(async (opts) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, opts);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" ")),
    }));
  }, { ...options, resultTypes: ["violations"] });
}

function axeProblems(violations, label) {
  const out = [];
  for (const v of violations) {
    const shown = v.nodes.slice(0, 5).join(", ");
    const more = v.nodes.length > 5 ? ` and ${v.nodes.length - 5} more` : "";
    out.push(`axe ${v.id} (${v.impact})${label}: ${v.help} at ${shown}${more}`);
  }
  return out;
}

const nextFrame = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// ---------- link resolution ----------

class Links {
  constructor(out, origin) {
    this.out = out;
    this.origin = origin;
    this.stats = new Map();
    this.idsByFile = new Map(); // rel path -> Set of ids (from visited pages)
    this.fragments = []; // {page, raw, file, id}
  }

  stat(file) {
    if (!this.stats.has(file)) {
      let kind = "missing";
      try {
        const st = fs.statSync(file);
        kind = st.isDirectory() ? "dir" : "file";
      } catch {
        kind = "missing";
      }
      this.stats.set(file, kind);
    }
    return this.stats.get(file);
  }

  check(pageRel, refs) {
    const problems = [];
    const section = pageRel.split("/")[0];
    const seen = new Set();
    const report = (msg) => {
      if (!seen.has(msg)) {
        seen.add(msg);
        problems.push(msg);
      }
    };
    for (const ref of refs) {
      const raw = (ref.raw || "").trim();
      const what = `<${ref.tag}> "${ref.raw}"`;
      if (raw === "") {
        if (ref.tag !== "form") report(`empty URL in ${what}`);
        continue;
      }
      if (raw.startsWith("//")) {
        report(`protocol-relative URL ${what} fails when the site is opened from disk`);
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
        if (/^javascript:/i.test(raw)) report(`javascript: URL in ${what}`);
        continue; // external (https:, mailto:, tel:, ...): not checked offline
      }
      if (!ref.abs) {
        report(`unparseable URL in ${what}`);
        continue;
      }
      const url = new URL(ref.abs);
      if (url.origin !== this.origin) continue;
      if (raw.startsWith("/")) {
        report(`root-absolute URL ${what} breaks when the site is opened from disk; use a relative URL`);
      }
      let rel;
      try {
        rel = decodeURIComponent(url.pathname).replace(/^\/+/, "");
      } catch {
        report(`badly encoded URL ${what}`);
        continue;
      }
      const targetSection = rel.split("/")[0];
      if (targetSection !== section) {
        report(`${what} leaves the ${section} site (to /${rel}); the sites are published separately`);
        continue;
      }
      const file = path.join(this.out, rel);
      let kind = this.stat(file);
      let targetRel = rel;
      if (kind === "dir" || rel.endsWith("/")) {
        if (!raw.startsWith("#")) {
          report(`${what} points to a folder, which opened from disk shows a file listing; link to its index.html`);
        }
        targetRel = path.posix.join(rel, "index.html");
        kind = this.stat(path.join(this.out, targetRel));
      }
      if (kind !== "file") {
        report(`broken ${ref.tag === "a" ? "link" : "reference"} ${what}: /${targetRel} does not exist`);
        continue;
      }
      if (url.hash && url.hash !== "#" && targetRel.endsWith(".html")) {
        let id;
        try {
          id = decodeURIComponent(url.hash.slice(1));
        } catch {
          report(`badly encoded fragment in ${what}`);
          continue;
        }
        if (id !== "top") this.fragments.push({ page: pageRel, raw: ref.raw, file: targetRel, id });
      }
    }
    return problems;
  }

  idsOf(rel) {
    if (!this.idsByFile.has(rel)) {
      // Not a page we visited: read ids from the markup.
      const ids = new Set();
      try {
        const html = fs.readFileSync(path.join(this.out, rel), "utf8");
        const re = /\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
        let m;
        while ((m = re.exec(html))) ids.add(decodeEntities(m[1] ?? m[2] ?? m[3]));
      } catch {
        // missing files are reported by check()
      }
      this.idsByFile.set(rel, ids);
    }
    return this.idsByFile.get(rel);
  }

  fragmentProblems() {
    const byPage = new Map();
    for (const f of this.fragments) {
      if (!this.idsOf(f.file).has(f.id)) {
        const msg = `broken fragment "${f.raw}": no element with id "${f.id}" in /${f.file}`;
        if (!byPage.has(f.page)) byPage.set(f.page, new Set());
        byPage.get(f.page).add(msg);
      }
    }
    return byPage;
  }
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

// ---------- per-page checks ----------

async function checkPage(page, sink, base, rel, links) {
  const problems = [];
  sink.problems = problems;
  await page.setViewportSize(WIDE);
  await page.emulateMedia({ colorScheme: "light" });
  const response = await page.goto(`${base}/${rel}`, { waitUntil: "load" });
  if (!response || !response.ok()) {
    problems.push(`page did not load (HTTP ${response ? response.status() : "no response"})`);
    return problems;
  }

  // Structure and links.
  const facts = await page.evaluate(pageFacts);
  if (!facts.lang || !facts.lang.trim()) problems.push("<html> has no lang attribute");
  if (facts.h1 !== 1) problems.push(`expected exactly one <h1>, found ${facts.h1}`);
  if (facts.duplicateIds.length) problems.push(`duplicate ids: ${facts.duplicateIds.slice(0, 5).join(", ")}`);
  if (facts.moduleScripts) problems.push("module scripts do not run when the site is opened from disk");
  links.idsByFile.set(rel, new Set(facts.ids));
  problems.push(...links.check(rel, facts.refs));

  // Skip link: the first Tab stop, visible when focused, and it lands in <main>.
  await page.keyboard.press("Tab");
  const first = await page.evaluate(describeActive);
  const skipOk =
    first.tag === "A" && (first.href === "#main" || (first.mainId && first.href === `#${first.mainId}`));
  if (!skipOk) {
    problems.push(
      first.tag
        ? `first Tab stop is <${first.tag.toLowerCase()}> "${first.text}" (href ${first.href}), not a skip link to #main`
        : "Tab does not focus anything (no skip link)",
    );
  } else {
    if (!first.visible) problems.push("the skip link is not fully visible when focused");
    await page.keyboard.press("Enter");
    await nextFrame(page);
    const after = await page.evaluate(describeActive);
    if (!after.inMain) problems.push("following the skip link does not move focus into <main> (give it tabindex=\"-1\")");
  }

  // Focus visibility: the first focusable element in <main>, unfocused vs focused.
  const before = await page.evaluate(focusSnapshot);
  if (before.target) {
    if (!skipOk) {
      await page.evaluate(() => {
        const m = document.querySelector("main");
        if (m) {
          m.setAttribute("tabindex", "-1");
          m.focus();
        }
      });
    }
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(focusSnapshot);
    if (!focused.focusedIsTarget) {
      problems.push(`Tab from <main> did not reach its first focusable element ${before.target}`);
    } else {
      const a = before.unfocused;
      const b = focused.focused;
      const changed = ["outline", "boxShadow", "background", "border", "color"].some((k) => a[k] !== b[k]);
      if (!changed) problems.push(`no visible focus indicator on ${before.target}`);
    }
  }

  // axe-core, light scheme, all WCAG A/AA rules.
  problems.push(...axeProblems(await runAxe(page, { runOnly: { type: "tag", values: AXE_TAGS } }), ""));

  // Dark scheme: contrast only (layout is the same).
  await page.emulateMedia({ colorScheme: "dark" });
  await nextFrame(page);
  problems.push(
    ...axeProblems(await runAxe(page, { runOnly: { type: "rule", values: ["color-contrast"] } }), " in dark mode"),
  );
  await page.emulateMedia({ colorScheme: "light" });

  // 320 CSS px: no sideways scrolling; scrolling regions must be focusable.
  await page.setViewportSize(NARROW);
  await nextFrame(page);
  const narrow = await page.evaluate(sideways);
  if (narrow.width > NARROW.width) {
    const who = narrow.offenders.length ? `; too wide: ${narrow.offenders.join(", ")}` : "";
    problems.push(`scrolls sideways at ${NARROW.width} CSS px (page is ${narrow.width}px wide)${who}`);
  }
  problems.push(
    ...axeProblems(
      await runAxe(page, { runOnly: { type: "rule", values: ["scrollable-region-focusable", "target-size"] } }),
      ` at ${NARROW.width}px`,
    ),
  );
  return problems;
}

// ---------- search ----------

async function checkSearch(browser, base, out, links) {
  const rel = "staff/index.html";
  if (!fs.existsSync(path.join(out, rel))) return { skipped: `no ${rel}` };
  const problems = [];
  const context = await browser.newContext({ viewport: WIDE, reducedMotion: "reduce" });
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`JavaScript error: ${e.message}`));
    await page.goto(`${base}/${rel}`, { waitUntil: "load" });
    await page.addScriptTag({ content: AXE_SOURCE });
    const form = await page.$("form[role='search']");
    if (!form) return { skipped: "no search box on the staff home page" };

    if (!(await form.isVisible())) problems.push("search form stays hidden with JavaScript on");
    const label = await page.evaluate(() => {
      const l = document.querySelector("label[for='q']");
      return l ? l.textContent.trim() : null;
    });
    if (!label) problems.push('search box has no visible <label for="q">');
    const index = await page.evaluate(() => window.ISMS_SEARCH_INDEX);
    if (!Array.isArray(index) || index.length === 0) {
      problems.push("search-index.js did not set a non-empty window.ISMS_SEARCH_INDEX");
      return { problems };
    }
    const bad = index.filter((d) => !d || typeof d.title !== "string" || typeof d.url !== "string");
    if (bad.length) problems.push(`${bad.length} search index entries lack a title or url`);
    for (const d of index) {
      if (d && typeof d.url === "string") {
        const target = path.join(out, "staff", decodeURIComponent(d.url.split("#")[0]));
        if (links.stat(target) !== "file") problems.push(`search index entry "${d.title}" points to missing ${d.url}`);
      }
    }
    const entry = index.find((d) => d && typeof d.title === "string" && d.title.trim()) || index[0];
    const words = String(entry.title)
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 4);
    const word = (words.sort((a, b) => b.length - a.length)[0] || String(entry.title)).toLowerCase();

    await page.focus("#q");
    await page.keyboard.type(word);
    const live = "form[role='search'] [aria-live], form[role='search'] [role='status'], #search-results[aria-live]";
    try {
      await page.waitForFunction(
        (sel) => [...document.querySelectorAll(sel)].some((e) => /\d+ results? for/.test(e.textContent)),
        live,
        { timeout: 5000 },
      );
    } catch {
      const text = await page.evaluate(
        (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).join(" | "),
        live,
      );
      problems.push(`typing "${word}" did not announce "N results for ..." in a live region (found: "${text}")`);
      return { problems };
    }
    const found = await page.evaluate(() =>
      [...document.querySelectorAll("#search-results a")].map((a) => ({ text: a.textContent.trim(), href: a.href })),
    );
    if (!found.some((f) => f.text === entry.title)) {
      problems.push(`searching "${word}" did not list "${entry.title}"`);
    }
    for (const f of found) {
      const u = new URL(f.href);
      if (links.stat(path.join(out, decodeURIComponent(u.pathname))) !== "file") {
        problems.push(`search result "${f.text}" links to missing ${u.pathname}`);
      }
    }
    await page.keyboard.press("ArrowDown");
    const inResults = await page.evaluate(() => !!document.activeElement.closest("#search-results"));
    if (found.length && !inResults) problems.push("ArrowDown from the search box does not reach the results");
    problems.push(
      ...axeProblems(await runAxe(page, { runOnly: { type: "tag", values: AXE_TAGS } }), " with search results shown"),
    );
  } finally {
    await context.close();
  }

  // Without JavaScript the form must not pretend to work.
  const nojs = await browser.newContext({ viewport: WIDE, javaScriptEnabled: false });
  try {
    const page = await nojs.newPage();
    await page.goto(`${base}/${rel}`, { waitUntil: "load" });
    const form = await page.$("form[role='search']");
    if (form && (await form.isVisible())) {
      const action = await form.evaluate((f) => f.getAttribute("action") || "");
      if (!/#all-documents$/.test(action)) {
        problems.push("without JavaScript the search form is shown but does not lead to the document list");
      }
    }
  } finally {
    await nojs.close();
  }
  return { problems };
}

// ---------- main ----------

let AXE_SOURCE = "";

async function main() {
  const { out, jobs, expect } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const pages = [];
  for (const s of SECTIONS) {
    const dir = path.join(out, s);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      console.error(`error: ${dir} does not exist`);
      console.log("0 pages, 1 problems");
      console.log("0 passed, 1 failed");
      process.exit(1);
    }
    listHtml(dir, out, pages);
  }
  pages.sort();
  if (pages.length === 0) usage(`no .html files under ${out}/staff or ${out}/audit`);

  let chromium;
  try {
    ({ chromium } = require("playwright-core"));
    AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  } catch (e) {
    console.error(`error: ${e.message}\nRun "npm ci" in this folder first.`);
    process.exit(2);
  }
  const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    console.error(`error: no Chromium at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)`);
    process.exit(2);
  }

  const server = await startServer(out);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const links = new Links(out, base);
  const results = new Map(); // rel -> problems[]
  const width = String(pages.length).length;
  let done = 0;

  console.log(`Checking ${pages.length} pages in ${out} with Chromium ${browser.version()} (${jobs} at a time)`);

  const queue = [...pages];
  async function worker() {
    let context = null;
    let page = null;
    const sink = { problems: [] };
    const open = async () => {
      context = await browser.newContext({ viewport: WIDE, reducedMotion: "reduce", colorScheme: "light" });
      await context.addInitScript({ content: AXE_SOURCE });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on("pageerror", (e) => sink.problems.push(`JavaScript error: ${e.message}`));
      page.on("console", (m) => {
        // Failed loads are reported by the response handler below.
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
          sink.problems.push(`console error: ${m.text()}`);
        }
      });
      page.on("response", (r) => {
        const u = new URL(r.url());
        if (u.origin === base && r.status() >= 400 && u.pathname !== "/favicon.ico") {
          sink.problems.push(`HTTP ${r.status()} loading ${u.pathname}`);
        }
      });
    };
    await open();
    while (queue.length) {
      const rel = queue.shift();
      let problems;
      let timer;
      try {
        problems = await Promise.race([
          checkPage(page, sink, base, rel, links),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${PAGE_TIMEOUT_MS / 1000}s`)), PAGE_TIMEOUT_MS);
          }),
        ]);
      } catch (e) {
        problems = [...sink.problems, `check failed: ${String(e.message).split("\n")[0]}`];
        await context.close().catch(() => {});
        await open();
      } finally {
        clearTimeout(timer);
      }
      results.set(rel, [...new Set(problems)]);
      done++;
      const mark = problems.length ? "FAIL" : "ok  ";
      console.log(`[${String(done).padStart(width)}/${pages.length}] ${mark} ${rel}`);
      for (const p of problems) console.log(`        - ${p}`);
    }
    await context.close().catch(() => {});
  }

  let exitCode = 0;
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, pages.length) }, worker));

    for (const [rel, msgs] of links.fragmentProblems()) {
      const list = results.get(rel) || [];
      list.push(...msgs);
      results.set(rel, list);
      console.log(`FAIL ${rel}`);
      for (const m of msgs) console.log(`        - ${m}`);
    }

    const extra = [
      ["search", () => checkSearch(browser, base, out, links)],
    ];
    for (const [name, run] of extra) {
      let r;
      try {
        r = await run();
      } catch (e) {
        r = { problems: [`${name} check failed: ${String(e.message).split("\n")[0]}`] };
      }
      if (r.skipped) {
        console.log(`${name}: skipped (${r.skipped})`);
        continue;
      }
      const msgs = r.problems.map((p) => `${name}: ${p}`);
      const list = results.get("staff/index.html") || [];
      list.push(...msgs);
      results.set("staff/index.html", list);
      console.log(`${name}: ${msgs.length ? "FAIL" : "ok"}`);
      for (const m of msgs) console.log(`        - ${m}`);
    }
  } catch (e) {
    console.error(`error: ${e.stack || e.message}`);
    exitCode = 2;
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }

  for (const wanted of expect) {
    const [rel, id] = wanted.split("#");
    const file = path.join(out, rel);
    const html = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
    const msgs = results.get(rel) || [];
    if (html === null) msgs.push(`expected page ${rel} was not built`);
    else if (id && !html.includes(`id="${id}"`)) msgs.push(`expected page ${rel} has no element with id="${id}"`);
    results.set(rel, msgs);
  }

  let problems = 0;
  let failed = 0;
  for (const msgs of results.values()) {
    problems += msgs.length;
    if (msgs.length) failed++;
  }
  const passed = pages.length - failed;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log("");
  if (failed) {
    console.log("Problems by page:");
    for (const [rel, msgs] of [...results.entries()].sort()) {
      if (!msgs.length) continue;
      console.log(`  ${rel}`);
      for (const m of msgs) console.log(`    - ${m}`);
    }
    console.log("");
  }
  console.log(`${pages.length} pages, ${problems} problems (${secs}s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(exitCode || (failed ? 1 : 0));
}

main().catch((e) => {
  console.error(`error: ${e.stack || e.message}`);
  process.exit(2);
});
