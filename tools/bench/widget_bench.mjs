// Widget benchmark: the website widget on the demo shop (web/demo-shop/server.mjs, its own origin,
// strict CSP) against a real kopilka-server (--seed-demo, a temp SQLite), in Debian's headless
// Chromium. Run by `tools/bench.sh widget`; prints a Markdown block for README.md on stdout,
// progress on stderr, and writes every raw number to build/bench/widget.json (in this checkout).
//
// What it measures, and how, without hooks in the product:
//   1. stub bytes: build/site/widget/v1/kopilka.js raw, gzip -9 and brotli (quality 11), and
//      what Chromium received for it.
//   2. the stub's main-thread cost at page load: /signin.html loaded with the stub's <script>
//      and without it (?widget=off: the demo shop serves the same page, headers and CSP without
//      the tag), in pairs whose order alternates; each pair's difference, median over the pairs.
//      Two kinds of view: cold (a fresh browser context: empty HTTP and code caches, nothing of
//      the page's JS compiled) and repeat (the third page view in one context, as a visitor
//      browsing the shop sees it: the stub from the HTTP cache, V8's code cache warm).
//      A trace of each load gives the CPU time of the main thread's tasks after the navigation
//      was committed (the commit's own task, tens of ms that vary from load to load for reasons
//      of the browser's, is left out of both) and the stub's own work: the trace events of
//      compiling, running and calling back into kopilka.js, split into evaluating it at load
//      and the idle callback that builds the launcher, and the frame that draws the launcher
//      after it (style, layout, paint). CDP Performance.getMetrics after the load event and a
//      quiet second gives TaskDuration (wall time of all main-thread tasks). Layout shifts are
//      summed in the page.
//   3. requests before intent: everything /signin.html requests until a second after load.
//   4. open → first content drawn: a click on the launcher (Playwright moves the pointer onto
//      it first, so the panel starts loading a few ms before the click) to the first animation
//      frame in which the dialog is open and its heading has text, and to the first one in
//      which the panel is no longer busy (the guest view filled in). Cold = a fresh context;
//      warm = a new page of the same context (the hashed panel files come from the HTTP cache).
//   5. panel bytes by kind: every request of a cold open, as received and as gzip -9.
//   6. <kopilka-points> on /: navigation start to the first frame in which one of them shows a
//      digit; reported as not available when none does within POINTS_WAIT_MS.
//
// Environment: KOPILKA_BUILD (default <repo>/build), KOPILKA_CHROMIUM (/usr/bin/chromium).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as h from '../../tests/e2e/harness.mjs';

// cold loads with and without the stub, each (median kept)
const LOADS = Number(process.env.KOPILKA_WIDGET_LOADS || 9);
const OPENS = 5;            // cold and warm opens
const QUIET_MS = 1000;      // after the load event, before reading metrics or requests
const POINTS_WAIT_MS = 8000;
const POINTS_RUNS = 5;
const SMILE = { kb: 104.75, ms: 3 };  // issue 11: Smile.io's JS before anyone clicks, main thread
const VIEWPORT = Object.freeze({ width: 1280, height: 800 });

const log = (...args) => console.error('[bench widget]', ...args);
const median = (values) => {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)) : '–');
const kib = (bytes) => (bytes / 1024).toFixed(2);
const gzip9 = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const brotli11 = (buf) => zlib.brotliCompressSync(buf, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

// ---- the demo shop ---------------------------------------------------------------------------

// Runs web/demo-shop/server.mjs against the server, with the secret the CLI prints for member
// tokens, and lets the shop's origin through the widget's CORS allow-list.
async function demoShop(tmp, server) {
  const { member_token_secret: secret } = await h.cli(tmp, ['member-token', '--db', server.dbFile,
    '--merchant', 'demo', '--member', 'demo-anna']);
  const script = path.join(h.repo, 'web/demo-shop/server.mjs');
  const child = spawn(process.execPath, [script, '--port', '0', '--kopilka', server.url,
    '--merchant', 'demo', '--secret', secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill('SIGKILL'));
  const shopUrl = await new Promise((resolve, reject) => {
    let printed = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      printed += chunk;
      const found = /listening on (http:\/\/[^/\s]+)\//.exec(printed);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the demo shop exited (${code}): ${printed}`)));
  });
  const settings = (await h.api(server.url, 'GET', '/v1/admin/widget-settings',
    { key: server.adminKey })).body.settings;
  settings.origins = [...(settings.origins || []), shopUrl];
  const put = await h.api(server.url, 'PUT', '/v1/admin/widget-settings',
    { key: server.adminKey, body: settings });
  if (put.status !== 200) throw new Error(`allowing the shop: ${JSON.stringify(put.body)}`);
  return {
    url: shopUrl,
    async stop() { child.kill('SIGTERM'); await once(child, 'exit'); },
  };
}

// ---- in the page (init scripts, before the page's own) ---------------------------------------

// Sums layout shifts; after a click, polls every animation frame for the dialog's heading.
function watchPage() {
  const b = { shift: 0, clicked: null, heading: null, content: null, number: null };
  window.__widgetBench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) b.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
  const dialog = () => {
    const w = document.querySelector('kopilka-widget');
    return w && w.shadowRoot && w.shadowRoot.querySelector('dialog');
  };
  const poll = () => {
    const d = dialog();
    const h3 = d && d.open && d.querySelector('h3');
    if (h3 && h3.textContent.trim() && h3.getClientRects().length) {
      if (b.heading === null) b.heading = performance.now();
      if (d.getAttribute('aria-busy') !== 'true') b.content = performance.now();
    }
    if (b.content === null) requestAnimationFrame(poll);
  };
  window.addEventListener('click', (e) => {
    if (b.clicked !== null) return;
    b.clicked = e.timeStamp;
    requestAnimationFrame(poll);
  }, true);
  // <kopilka-points>: the first frame in which one of them shows a digit (light or shadow DOM).
  const points = () => {
    for (const p of document.querySelectorAll('kopilka-points')) {
      const text = p.textContent + (p.shadowRoot ? p.shadowRoot.textContent : '');
      if (/\d/.test(text)) { b.number = performance.now(); return; }
    }
    requestAnimationFrame(points);
  };
  requestAnimationFrame(points);
}

async function freshContext(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(watchPage);
  return context;
}

// For the loads whose main-thread time is measured: layout shifts only (no polling each frame).
function watchShifts() {
  const b = { shift: 0 };
  window.__widgetBench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) b.shift += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
}

// ---- 1 + 2 + 3: the stub at page load --------------------------------------------------------

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'v8', 'blink.user_timing'];

// From a Chromium trace: the main thread of the renderer that parsed the shop's page; the CPU
// (tdur) time of its tasks after the navigation's commit, and of the stub's own work there
// (compiling, evaluating and calling back into kopilka.js, outermost events only; then the first
// frame drawn after its idle callback, which draws the launcher), in ms. `url` is the page's.
function mainThreadTime({ traceEvents }, url) {
  const parse = traceEvents.find((e) => e.name === 'ParseHTML' &&
    (e.args?.beginData?.url || '') === url);
  if (!parse) throw new Error(`the trace has no ParseHTML of ${url}`);
  const own = traceEvents.filter((e) => e.pid === parse.pid && e.tid === parse.tid && e.ph === 'X')
    .sort((a, b) => a.ts - b.ts);
  const cpu = (events) => {
    let end = -Infinity, sum = 0;
    for (const e of events) {
      if (e.ts < end) continue;  // inside one already counted
      end = e.ts + e.dur;
      sum += e.tdur || 0;
    }
    return sum / 1000;
  };
  const within = (task, name) => own.some((e) => e.name === name && e.ts >= task.ts &&
    e.ts < task.ts + task.dur);
  const tasks = own.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const commit = tasks.find((t) => t.ts <= parse.ts && parse.ts < t.ts + t.dur) || parse;
  const scriptUrl = (e) =>
    e.args?.data?.url || e.args?.data?.stackTrace?.[0]?.url || e.args?.fileName || '';
  const stubEvents = own.filter((e) => /\/widget\/v1\/kopilka\.js$/.test(scriptUrl(e)));
  // At load: evaluating the script (it only sets window.Kopilka and asks for an idle moment);
  // later, in that idle moment: defining the elements and building the launcher.
  const stubLoad = cpu(stubEvents.filter((e) => e.name === 'EvaluateScript'));
  const stubAll = cpu(stubEvents);
  const last = stubEvents.at(-1);
  const draw = last ? tasks.find((t) => t.ts >= last.ts + last.dur && within(t, 'Paint')) : null;
  return {
    pageCpu: cpu(tasks.filter((t) => t.ts > commit.ts)),
    stubLoadCpu: stubLoad, stubLaterCpu: stubAll - stubLoad,
    drawCpu: draw ? draw.tdur / 1000 : 0, stubCpu: stubAll + (draw ? draw.tdur / 1000 : 0),
  };
}

// The baseline for the launcher: the least any script that draws one costs. In the first idle
// moment it appends a fixed-position button with a word on it to the page (no custom element, no
// shadow root, no stylesheet); the bench serves it in place of kopilka.js.
const FLOOR_SCRIPT = `window.Kopilka = {};
requestIdleCallback(() => {
  const b = document.createElement('button');
  b.textContent = 'Rewards';
  Object.assign(b.style, { position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483000',
    minHeight: '48px', padding: '0 20px', border: '0', borderRadius: '24px',
    background: '#d14723', color: '#fff', font: 'inherit' });
  document.body.appendChild(b);
}, { timeout: 1000 });`;

// One load of /signin.html, with or without the stub's <script> tag: cold in a fresh context, or
// a repeat view (the third in one context, after two not measured). `floor`: the page with the
// stub's tag, answered with FLOOR_SCRIPT.
async function loadOnce(browser, shop, server, withStub, repeat, floor = false) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(watchShifts);
  if (floor) {
    await context.route(`${server.url}/widget/v1/kopilka.js`, (route) => route.fulfill({
      contentType: 'text/javascript', body: FLOOR_SCRIPT,
      headers: { 'access-control-allow-origin': '*' } }));
  }
  const url = `${shop.url}/signin.html?widget=${withStub ? 'on' : 'off'}`;
  try {
    for (let i = 0; repeat && i < 2; i += 1) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(300);
      await page.close();
    }
    const requests = [];
    context.on('requestfinished', (request) => requests.push(request));
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    await page.goto(url, { waitUntil: 'load' });
    // Nothing else runs in the page until the metrics are read (a locator would inject
    // Playwright's own script); the stub, an async script, has run before the load event.
    await page.waitForTimeout(QUIET_MS);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const trace = mainThreadTime(JSON.parse(await browser.stopTracing()), url);
    const launchers = await page.evaluate(() => document.querySelectorAll('kopilka-widget').length);
    if (launchers !== (withStub && !floor ? 1 : 0)) {
      throw new Error(`${launchers} launchers on the page`);
    }
    const metric = (name) => 1000 * metrics.find((m) => m.name === name).value;
    const stub = requests.find((r) => r.url() === `${server.url}/widget/v1/kopilka.js`);
    if (!repeat && !withStub !== !stub) {
      throw new Error(`a load ${withStub ? 'with' : 'without'} the stub requested ` +
        requests.map((q) => q.url()).join(', '));
    }
    return {
      task: metric('TaskDuration'), ...trace,
      shift: await page.evaluate(() => window.__widgetBench.shift),
      requests: requests.map((r) => r.url()),
      stubReceived: stub ? (await stub.sizes()).responseBodySize : null,
      stubEncoding: stub ? (await (await stub.response()).allHeaders())['content-encoding'] : null,
    };
  } finally {
    await context.close();
  }
}

// LOADS pairs of loads with and without the stub, cold and repeat views; in the cold view also
// the baseline launcher (FLOOR_SCRIPT) in the same rounds.
async function benchLoad(browser, shop, server) {
  await loadOnce(browser, shop, server, true, false);  // the browser's first load, not counted
  await loadOnce(browser, shop, server, false, false);
  const runs = { floor: [] };
  for (const view of ['cold', 'repeat']) {
    const pairs = [];
    for (let i = 0; i < LOADS; i += 1) {
      // Alternate which goes first, so a drift in the machine's load hits both alike.
      const pair = {};
      for (const withStub of i % 2 ? [false, true] : [true, false]) {
        pair[withStub ? 'with' : 'without'] =
          await loadOnce(browser, shop, server, withStub, view === 'repeat');
      }
      if (view === 'cold') runs.floor.push(await loadOnce(browser, shop, server, true, false, true));
      pairs.push(pair);
      log(`${view} pair ${i + 1}: page CPU ${ms(pair.with.pageCpu)} − ` +
        `${ms(pair.without.pageCpu)} ms; stub CPU at load ${ms(pair.with.stubLoadCpu)}, idle ` +
        `${ms(pair.with.stubLaterCpu)}, drawing ${ms(pair.with.drawCpu)} ms`);
    }
    runs[view] = pairs;
  }
  return runs;
}

// ---- 4 + 5: opening the panel ----------------------------------------------------------------

// Opens the panel on /signin.html in a new page of `context`; returns the times since the click
// and every response of the page with its size and whether it came from Chromium's cache.
async function openOnce(context, shop, server) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const responses = new Map();
  cdp.on('Network.responseReceived', ({ requestId, response }) => responses.set(requestId,
    { url: response.url, cached: response.fromDiskCache || response.fromPrefetchCache,
      encoding: response.headers['content-encoding'] || response.headers['Content-Encoding'] }));
  cdp.on('Network.requestServedFromCache', ({ requestId }) => {
    responses.set(requestId, { ...responses.get(requestId), cached: true });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = responses.get(requestId);
    if (r) r.received = encodedDataLength;
  });
  await cdp.send('Network.enable');
  await page.goto(`${shop.url}/signin.html`, { waitUntil: 'load' });
  const before = new Set(responses.keys());
  await page.locator('kopilka-widget button.launcher').click();
  const done = await page.waitForFunction(() => window.__widgetBench.content !== null &&
    window.__widgetBench, null, { timeout: 30000, polling: 50 });
  const b = await done.jsonValue();
  await page.waitForTimeout(300);  // late responses of the open
  await page.close();
  return {
    heading: b.heading - b.clicked, content: b.content - b.clicked,
    responses: [...responses].filter(([id, r]) => !before.has(id) && r.url.startsWith(server.url))
      .map(([, r]) => r),
  };
}

async function benchOpen(browser, shop, server) {
  const cold = [];
  const warm = [];
  for (let i = 0; i <= OPENS; i += 1) {
    const context = await freshContext(browser);
    try {
      const c = await openOnce(context, shop, server);
      const w = await openOnce(context, shop, server);
      if (i === 0) continue;  // the browser's first open, not counted
      cold.push(c);
      warm.push(w);
      log(`open ${i}: cold ${ms(c.content)} ms, warm ${ms(w.content)} ms ` +
        `(${w.responses.filter((r) => !r.cached).length} requests not from the cache)`);
    } finally {
      await context.close();
    }
  }
  return { cold, warm };
}

const kindOf = (pathname) => (pathname.endsWith('.wasm') ? 'wasm'
  : pathname.endsWith('.mjs') || pathname.endsWith('.js') ? 'js'
    : pathname.startsWith('/v1/') ? 'api (JSON)' : 'other');

// Bytes of one cold open by kind: on disk (for files), received (body and headers, as Chromium
// counts them) and the file as gzip -9.
function panelBytes(responses) {
  const kinds = new Map();
  for (const r of responses) {
    const { pathname } = new URL(r.url);
    const file = path.join(h.siteDir, pathname);
    const content = pathname.startsWith('/widget/') && fs.existsSync(file)
      ? fs.readFileSync(file) : null;
    const kind = kindOf(pathname);
    const k = kinds.get(kind) ||
      { kind, files: [], raw: 0, received: 0, gzip: 0, encodings: new Set() };
    k.files.push(path.basename(pathname));
    k.raw += content ? content.length : 0;
    k.gzip += content ? gzip9(content) : 0;
    k.received += r.received || 0;
    k.encodings.add(r.encoding || 'none');
    kinds.set(kind, k);
  }
  return [...kinds.values()].map((k) => ({ ...k, encodings: [...k.encodings].join(', ') }));
}

// ---- 6: <kopilka-points> ---------------------------------------------------------------------

async function pointsOnce(browser, shop) {
  const context = await freshContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${shop.url}/`, { waitUntil: 'load' });
    const shown = await page.waitForFunction(() => window.__widgetBench.number,
      null, { timeout: POINTS_WAIT_MS, polling: 50 }).then((v) => v.jsonValue(), () => null);
    return shown;
  } finally {
    await context.close();
  }
}

async function benchPoints(browser, shop) {
  const first = await pointsOnce(browser, shop);
  if (first === null) {
    log(`no <kopilka-points> showed a number within ${POINTS_WAIT_MS} ms: not available yet`);
    return null;
  }
  const runs = [];
  for (let i = 0; i < POINTS_RUNS; i += 1) runs.push(await pointsOnce(browser, shop));
  return runs;
}

// ---- report ----------------------------------------------------------------------------------

function markdown(r) {
  const lines = [];
  const s = r.stub;
  const med = (runs, key) => median(runs.map((x) => x[key]));
  const withs = (view) => r.load[view].map((p) => p.with);
  // The median of the pairs' differences, and the medians of either side.
  const diff = (view, key) => {
    const pairs = r.load[view];
    const d = median(pairs.map((p) => p.with[key] - p.without[key]));
    return `${ms(d)} ms (${ms(med(withs(view), key))} − ` +
      `${ms(med(pairs.map((p) => p.without), key))})`;
  };
  const both = (label, f) => `| ${label} | ${f('cold')} | ${f('repeat')} | |`;
  const cpuOf = (key) => (view) => `${ms(med(withs(view), key))} ms`;
  const shift = Math.max(...['cold', 'repeat'].flatMap((v) => withs(v).map((x) => x.shift)));
  const all = r.load.cold[0].with.requests;
  const ours = all.filter((u) => u.startsWith(r.serverUrl)).map((u) => new URL(u).pathname);
  const n = r.load.cold.length;
  lines.push('| before anyone opens the widget | Kopilka | | Smile.io |', '|---|---:|---:|---:|');
  lines.push(`| stub JS, KiB: raw / gzip -9 / brotli 11 | ${kib(s.raw)} / **${kib(s.gzip)}** / ` +
    `${kib(s.brotli)} | | ${SMILE.kb} KB |`);
  lines.push(`| stub as received (${s.encoding || 'no'} encoding), KiB | ${kib(s.received)} | | |`);
  lines.push(`| requests to Kopilka before intent (/signin.html; ${all.length} in all) | ` +
    `**${ours.length}** (${ours.join(', ')}) | | |`);
  lines.push(`| layout shift with the stub (largest of ${2 * n} loads) | ${shift.toFixed(3)} | | |`);
  lines.push(`| **main-thread time at load**, median of ${n} pairs of loads | cold view | ` +
    `repeat view | ${SMILE.ms} ms |`);
  lines.push(both('the stub\'s own work, CPU: evaluating kopilka.js at load', (v) =>
    `**${cpuOf('stubLoadCpu')(v)}**`));
  lines.push(both('— then, in the first idle moment: defining the elements, building the ' +
    'launcher', cpuOf('stubLaterCpu')));
  lines.push(both('— then the frame that draws the launcher (style, layout, paint)',
    cpuOf('drawCpu')));
  lines.push(both('— all of it', (v) => `**${cpuOf('stubCpu')(v)}**`));
  const floor = med(r.load.floor, 'stubCpu');
  lines.push('| baseline in the same rounds: the least a launcher costs (a 10-line script drawing ' +
    'a fixed-position button in the first idle moment, no custom element or shadow root) | ' +
    `${ms(floor)} ms (kopilka.js: ${(med(withs('cold'), 'stubCpu') / floor).toFixed(1)}×) | | |`);
  lines.push(both('the whole page\'s main-thread CPU after the commit, with − without (trace)',
    (v) => diff(v, 'pageCpu')));
  lines.push(both('the whole page\'s main-thread wall time, with − without (CDP TaskDuration)',
    (v) => diff(v, 'task')), '');
  lines.push('Cold view: a fresh browser context (nothing cached, nothing compiled). Repeat view: ' +
    'the third page view in one context, the stub from the HTTP cache, as a visitor browsing the ' +
    'shop sees it. The whole page\'s numbers vary by several ms from one load to the next ' +
    '(timers, garbage collection, when the async script arrives); their difference is the ' +
    'median of each pair\'s difference. TaskDuration is wall time: it includes time the main ' +
    'thread waited for one of the 2 shared cores.', '');

  // Kopilka's files and routes the last open of a kind fetched over the network.
  const fromServer = (runs) => {
    const names = runs.at(-1).responses.filter((q) => !q.cached).map((q) => path.basename(q.url));
    return `${names.length}: ${names.join(', ') || 'none'}`;
  };
  const row = (name, runs) => `| ${name}, median of ${runs.length} | ` +
    `${ms(med(runs, 'heading'))} | **${ms(med(runs, 'content'))}** | ${fromServer(runs)} |`;
  lines.push('| open → first content drawn, ms from the click | heading drawn | ' +
    'guest view filled in | Kopilka requests not from the cache (last open) |',
  '|---|---:|---:|---|');
  lines.push(row('cold (fresh context)', r.open.cold));
  lines.push(row('warm (new page, same context)', r.open.warm), '');

  lines.push('| panel, loaded on intent (one cold open) | files | KiB on disk | ' +
    'KiB received (with headers) | encoding | KiB gzip -9 |', '|---|---|---:|---:|---|---:|');
  let raw = 0, received = 0, gz = 0;
  for (const k of r.panel) {
    raw += k.raw; received += k.received; gz += k.gzip;
    const file = (v) => (k.kind.startsWith('api') ? '–' : kib(v));
    lines.push(`| ${k.kind} | ${k.files.join(', ')} | ${file(k.raw)} | ${kib(k.received)} | ` +
      `${k.encodings} | ${file(k.gzip)} |`);
  }
  lines.push(`| **total** | | **${kib(raw)}** | **${kib(received)}** | | **${kib(gz)}** |`, '');

  lines.push(r.points
    ? `\`<kopilka-points>\` on the catalogue page (three in view): the first number drawn ` +
      `**${ms(median(r.points))} ms** after navigation start (median of ${r.points.length} ` +
      'cold loads).'
    : '`<kopilka-points>` time to first number: not available yet (no element showed a number ' +
      `within ${POINTS_WAIT_MS / 1000} s).`, '');
  lines.push(`Smile.io's figures are the ones issue 11 quotes, not measured here. Chromium ` +
    `${r.chromium} headless, ${VIEWPORT.width}×${VIEWPORT.height}, demo shop and kopilka-server ` +
    `(SQLite) on loopback, ${r.machine.cpu}, ${r.machine.cores} cores shared with other work ` +
    `(1-minute load average ${r.load1.toFixed(1)} before, ${r.load1After.toFixed(1)} after), ` +
    `${r.date}; the benchmark took ${r.seconds.toFixed(0)} s.`);
  return lines.join('\n');
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const stubFile = path.join(h.siteDir, 'widget/v1/kopilka.js');
  h.requireFile(h.serverBin, 'build it with tools/build.sh');
  h.requireFile(h.cliBin, 'build it with tools/build.sh');
  h.requireFile(stubFile, 'build the site (tools/build.sh stages the widget)');
  h.requireFile(h.chromiumBin, 'apt-get install chromium (tools/bootstrap.sh)');
  // What was started, stopped in reverse order however the run ends.
  const running = [];
  const stopAll = async () => {
    for (const stop of running.reverse()) await stop().catch(() => {});
  };
  const tmp = h.makeTempDir();
  running.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  let server = null;
  try {
    server = await h.startServer(tmp);
    running.push(() => server.stop());
    const shop = await demoShop(tmp, server);
    running.push(() => shop.stop());
    const browser = await h.launchChromium();
    let closing = false;
    running.push(() => { closing = true; return browser.close(); });
    // A Chromium killed from outside can leave a pending CDP call waiting forever.
    browser.on('disconnected', () => {
      if (closing) return;
      console.error('[bench widget] failed: Chromium went away');
      process.exit(1);
    });
    const load1 = os.loadavg()[0];
    if (load1 > 1) log(`load average ${load1.toFixed(1)}: the numbers will be noisy`);
    log('page loads with and without the stub');
    const load = await benchLoad(browser, shop, server);
    const stubBytes = fs.readFileSync(stubFile);
    const stub = { raw: stubBytes.length, gzip: gzip9(stubBytes), brotli: brotli11(stubBytes),
      received: load.cold[0].with.stubReceived, encoding: load.cold[0].with.stubEncoding };
    log('opening the panel');
    const open = await benchOpen(browser, shop, server);
    log('<kopilka-points>');
    const points = await benchPoints(browser, shop);
    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1];
    return {
      date: new Date().toISOString().slice(0, 10), chromium: browser.version(),
      serverUrl: server.url, machine: { cpu: (cpu || os.arch()).trim(), cores: os.cpus().length },
      load1, load1After: os.loadavg()[0], stub, load, open,
      panel: panelBytes(open.cold[0].responses), points,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    if (server) err.message += `\n${server.logs().split('\n').slice(-30).join('\n')}`;
    throw err;
  } finally {
    await stopAll();
  }
}

main().then((result) => {
  const out = path.join(h.repo, 'build/bench');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'widget.json'), JSON.stringify(result, null, 2));
  process.stdout.write(markdown(result) + '\n');
}, (err) => {
  console.error('[bench widget] failed:', err.stack || err.message);
  process.exitCode = 1;
});
