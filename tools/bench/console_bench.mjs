// Console benchmark: the merchant console (/console/) in Debian's headless Chromium (WebGL through
// SwiftShader) against a real kopilka-server (--seed-demo, a temp SQLite, an owner made with
// `kopilka user add`). Run by `tools/bench.sh console`; prints a Markdown block for README.md on
// stdout, progress on stderr, and writes every raw number to build/bench/console.json.
//
// What it measures, and how, without hooks in the product beyond window.kopilkaConsole.state():
//   1. cold start: navigation start → the first WebGL draw call (the sign-in screen). An init
//      script wraps drawElements/clear and requestAnimationFrame before the page's scripts run.
//      Cold = a fresh browser context; median of COLD_RUNS.
//   2. bytes by kind: every request of a cold load through sign-in to the theme editor with both
//      previews (the kiosk's screens and the website widget's stub, panel and wasm).
//   3. one theme edit → previews redrawn: the accent's hex field is clicked and a colour typed,
//      as a merchant would; from the keydown of the colour's last character to the end of the
//      animation frame that drew the kiosk preview with it (state().accent says so after that
//      frame), and to the frame in which the widget preview's launcher has the colour.
//   4. CPU of an idle console: utime+stime of every Chromium process and the frames drawn over a
//      window without input, on the sign-in screen and on the theme editor with both previews,
//      beside an empty page in the same browser (the baseline).
//
// Environment: KOPILKA_BUILD (default <repo>/build), KOPILKA_CHROMIUM (/usr/bin/chromium).
import path from 'node:path';
import * as h from '../../tests/e2e/harness.mjs';
import {
  bytesByKind, cpuWindow, kb, median, ms, PROCESS_GROUPS, recordRequests, runBench, sleep,
} from './browser_bench.mjs';

const VIEWPORT = Object.freeze({ width: 1280, height: 800 });
const COLD_RUNS = 5;
const EDITS = 6;                  // accent colours typed, alternating
const IDLE_SETTLE_MS = 3000;
const IDLE_WINDOW_MS = 10000;
const COLOURS = [['#0055AA', 'rgb(0, 85, 170)'], ['#AA3300', 'rgb(170, 51, 0)']];

const log = (...args) => console.error('[bench console]', ...args);

// ---- page instrumentation (before the page's own scripts) ---------------------------------

function instrumentPage() {
  const b = { firstDraw: null, ready: null, clears: 0, ticks: 0, edit: null, edits: [] };
  window.__consoleBench = b;
  const gl = WebGL2RenderingContext.prototype;
  const drawElements = gl.drawElements;
  const clear = gl.clear;
  gl.drawElements = function (...args) {
    if (b.firstDraw === null) b.firstDraw = performance.now();
    return drawElements.apply(this, args);
  };
  gl.clear = function (...args) {  // the console clears once per drawn frame
    b.clears += 1;
    return clear.apply(this, args);
  };
  window.addEventListener('kopilka-console-ready', () => { b.ready = performance.now(); });
  // An edit: armed by the benchmark with the colour expected; its start is the keydown of the
  // colour's last character (capture phase, before the console sees it).
  window.addEventListener('keydown', (e) => {
    if (b.edit && !b.edit.typed && e.key === b.edit.last) b.edit.typed = performance.now();
  }, true);
  const launcherColour = () => {
    const w = document.querySelector('#console-widget kopilka-widget');
    const l = w && w.shadowRoot && w.shadowRoot.querySelector('button.launcher');
    return l ? getComputedStyle(l).backgroundColor : '';
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    b.ticks += 1;
    callback(time);
    const e = b.edit;
    if (!e || !e.typed) return;
    if (!e.kiosk && window.kopilkaConsole.state().accent === e.hex) e.kiosk = performance.now();
    if (!e.widget && launcherColour() === e.rgb) e.widget = performance.now();
    if (e.kiosk && e.widget) { b.edits.push(e); b.edit = null; }
  });
}

async function newContext(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(instrumentPage);
  return context;
}

async function firstDraw(page) {
  const handle = await page.waitForFunction(() => {
    const c = window.kopilkaConsole;
    if (c && c.error) return { error: c.error };
    const b = window.__consoleBench;
    return b && b.firstDraw !== null && b;
  }, null, { timeout: 30000, polling: 20 });
  const b = await handle.jsonValue();
  if (b.error) throw new Error(`the console did not start: ${b.error}`);
  return b;
}

// Signs in from the keyboard, as a merchant does, and waits for the theme editor's previews.
async function signIn(page, owner) {
  await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready,
    null, { timeout: 30000 });
  await sleep(300);  // the first field takes the keyboard focus
  await page.keyboard.type('demo');
  await page.keyboard.press('Tab');
  await page.keyboard.type(owner.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(owner.password);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const s = window.kopilkaConsole.state();
    return s.signed_in && s.section === 'themes' && s.theme_id !== '';
  }, null, { timeout: 20000 }).catch(async (err) => {
    const s = await page.evaluate(() => [window.kopilkaConsole.state(),
      document.getElementById('kopilka-mirror')?.textContent]);
    throw new Error(`${err.message}\nno theme editor after signing in: ${JSON.stringify(s)}`);
  });
  await page.locator('#console-widget kopilka-widget[preview]').locator('dialog h3')
    .waitFor({ state: 'visible', timeout: 30000 });
}

function kindOf(pathname) {
  if (pathname.startsWith('/widget/')) {
    if (pathname.endsWith('.wasm')) return 'widget preview: wasm';
    return 'widget preview: js (stub, panel, glue)';
  }
  if (pathname.endsWith('/console.wasm')) return 'console wasm';
  if (pathname.endsWith('/console.data')) return 'console data (font, catalogues)';
  if (pathname.endsWith('/console.js')) return 'console glue js (Emscripten)';
  if (pathname.startsWith('/assets/') || pathname.startsWith('/fonts/')) return 'fonts, catalogues';
  if (pathname.endsWith('.js') || pathname.endsWith('.mjs')) return 'page js';
  if (pathname.endsWith('/') || pathname.endsWith('.html') || pathname.endsWith('.css')) {
    return 'html, css';
  }
  if (pathname.startsWith('/v1/')) return 'api (JSON)';
  return 'other';
}

// ---- 1 + 2 --------------------------------------------------------------------------------

async function benchStart(browser, url, owner) {
  const cold = [];
  let bytes = null;
  let requests = 0;
  for (let i = 0; i <= COLD_RUNS; i += 1) {
    const context = await newContext(browser);
    const collected = recordRequests(context);
    try {
      const page = await context.newPage();
      await page.goto(`${url}/console/`, { waitUntil: 'commit' });
      const b = await firstDraw(page);
      if (i > 0) cold.push({ firstDraw: b.firstDraw });
      log(`start ${i}: first frame drawn at ${ms(b.firstDraw)} ms`);
      if (i === 1) {
        await signIn(page, owner);
        await sleep(500);
        const all = await collected();
        requests = all.length;
        bytes = bytesByKind(all, kindOf);
      }
    } finally {
      await context.close();
    }
  }
  return { cold, bytes, requests };
}

// ---- 3 + 4 --------------------------------------------------------------------------------

async function benchEdits(page) {
  for (let i = 0; i < EDITS; i += 1) {
    const [hex, rgb] = COLOURS[i % COLOURS.length];
    await h.clickItem(page, '##hex.accent');  // selects the field's text
    await sleep(200);
    await page.evaluate(([x, r]) => {
      window.__consoleBench.edit = { hex: x, rgb: r, last: x.at(-1) };
    }, [hex, rgb]);
    await page.keyboard.type(hex);
    await page.waitForFunction((n) => window.__consoleBench.edits.length === n, i + 1,
      { timeout: 10000 }).catch(async () => {
      const s = await page.evaluate(() => window.kopilkaConsole.state());
      throw new Error(`typing ${hex} into the accent field changed nothing: ${JSON.stringify(s)}`);
    });
    await page.keyboard.press('Escape');
    await sleep(300);
  }
  const edits = await page.evaluate(() => window.__consoleBench.edits);
  return edits.map((e) => ({ kiosk: e.kiosk - e.typed, widget: e.widget - e.typed }));
}

async function idle(page, cdp, name) {
  await sleep(IDLE_SETTLE_MS);
  const r = await cpuWindow(page, cdp, IDLE_WINDOW_MS,
    () => {
      const b = window.__consoleBench || { clears: 0, ticks: 0 };  // none on about:blank
      return { clears: b.clears, ticks: b.ticks };
    });
  log(`cpu ${name}: ${r.total.toFixed(1)} % of a core, ${r.counted.clears} frames drawn`);
  return { name, ...r, framesDrawn: r.counted.clears, ticksPerS: r.counted.ticks / r.seconds };
}

// A console page in a fresh context, with CDP's performance metrics on; signed in when owner.
async function consolePage(browser, url, owner, work) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${url}/console/`);
    await firstDraw(page);
    if (owner) await signIn(page, owner);
    else await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready);
    return await work(page, cdp);
  } finally {
    await context.close();
  }
}

// The baseline of the same run: an empty page in the same browser.
async function blankPage(browser) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto('about:blank');
    return await idle(page, cdp, 'baseline: an empty page (about:blank)');
  } finally {
    await context.close();
  }
}

async function benchSession(browser, url, owner) {
  const cpu = [await blankPage(browser), await consolePage(browser, url, null,
    (page, cdp) => idle(page, cdp, 'sign-in screen'))];
  const edits = await consolePage(browser, url, owner, async (page, cdp) => {
    cpu.push(await idle(page, cdp, 'theme editor, kiosk and widget previews'));
    return benchEdits(page);
  });
  for (const e of edits) log(`edit: kiosk preview ${ms(e.kiosk)} ms, widget ${ms(e.widget)} ms`);
  return { cpu, edits };
}

// ---- report -------------------------------------------------------------------------------

function markdown(r) {
  const lines = [];
  const col = (rows, key) => median(rows.map((x) => x[key]));
  lines.push(`**Cold start to the first frame: ${ms(col(r.start.cold, 'firstDraw'))} ms** ` +
    `(navigation start → the console's first WebGL draw call, the sign-in screen; a fresh ` +
    `browser context each time, median of ${r.start.cold.length}).`, '');
  lines.push('**One theme edit → previews redrawn** (the accent colour typed into its hex ' +
    'field; from the keydown of its last character to the end of the animation frame that ' +
    `drew it; median and max of ${r.session.edits.length} edits):`, '');
  lines.push('| preview | median ms | max ms |', '|---|---:|---:|');
  for (const [name, key] of [['kiosk screens (drawn by shared/ui in the console\'s canvas)',
    'kiosk'], ['website widget (`<kopilka-widget preview>`, DOM)', 'widget']]) {
    const v = r.session.edits.map((e) => e[key]);
    lines.push(`| ${name} | **${ms(median(v))}** | ${ms(Math.max(...v))} |`);
  }
  lines.push('', `**Bytes of a cold load through sign-in to the theme editor** ` +
    `(${r.start.requests} requests; KiB; received = as Chromium got it):`, '');
  lines.push('| kind | files | on disk | received | encoding | gzip -9 |');
  lines.push('|---|---|---:|---:|---|---:|');
  let raw = 0, wire = 0, gz = 0;
  for (const k of r.start.bytes) {
    raw += k.raw; wire += k.wire; gz += k.gzip;
    const files = k.files.length > 4 ? `${k.files.slice(0, 4).join(', ')}, …` : k.files.join(', ');
    lines.push(`| ${k.kind} | ${files} | ${kb(k.raw)} | ${kb(k.wire)} | ${k.encodings} | ` +
      `${kb(k.gzip)} |`);
  }
  lines.push(`| **total** | | **${kb(raw)}** | **${kb(wire)}** | | **${kb(gz)}** |`, '');
  lines.push(`**CPU of an idle console** (% of one core over ${IDLE_WINDOW_MS / 1000} s without ` +
    'input, utime + stime of every Chromium process; WebGL runs in SwiftShader, so "GPU" is CPU ' +
    'work here; frames drawn = the ones the console rendered):', '');
  const groups = PROCESS_GROUPS.filter((g) => g !== 'video capture');
  lines.push(`| scene | all Chromium | ${groups.join(' | ')} | renderer main thread | ` +
    'frames drawn |');
  lines.push(`|---|---:|${groups.map(() => '---:').join('|')}|---:|---:|`);
  for (const c of r.session.cpu) {
    lines.push(`| ${c.name} | **${c.total.toFixed(1)}** | ` +
      `${groups.map((g) => (c.groups[g] || 0).toFixed(1)).join(' | ')} | ` +
      `${c.mainThread.toFixed(1)} | ${c.framesDrawn} |`);
  }
  lines.push('', `Chromium ${r.chromium} headless, ${VIEWPORT.width}×${VIEWPORT.height}, ` +
    `kopilka-server with SQLite on loopback, ${r.machine.cpu}, ${r.machine.cores} cores ` +
    `(1-minute load average ${r.load.toFixed(1)} before, ${r.loadAfter.toFixed(1)} after), ` +
    `${r.date}; the benchmark took ${r.seconds.toFixed(0)} s.`);
  return lines.join('\n');
}

runBench('console', async (run) => {
  const { server, tmp } = run;
  h.requireFile(path.join(h.siteDir, 'console/console.js'), 'build the console (tools/build.sh)');
  const email = 'owner@demo.example';
  const made = await h.cli(tmp, ['user', 'add', '--db', server.dbFile, '--merchant', 'demo',
    '--email', email, '--name', 'Bench', '--role', 'owner']);
  const owner = { email, password: made.password };
  run.browser = await h.launchChromium();
  log('cold start and bytes');
  const start = await benchStart(run.browser, server.url, owner);
  log('idle CPU and theme edits');
  const session = await benchSession(run.browser, server.url, owner);
  return { chromium: run.browser.version(), start, session };
}, markdown);
