// Kiosk benchmark: the real kiosk in Debian's headless Chromium (WebGL through SwiftShader,
// Chromium's fake camera) against a real kopilka-server (--seed-demo --site build/site on a
// free loopback port). Run by `tools/bench.sh kiosk`; prints a Markdown block for README.md
// on stdout, progress on stderr, and writes every raw number to build/bench/kiosk.json.
//
// What it measures, and how, without hooks in the product:
//   1. cold start: navigation start → the first WebGL draw call of the kiosk's first frame.
//      An init script wraps WebGL2RenderingContext.prototype.drawElements/clear and
//      requestAnimationFrame before the page's scripts run. Cold = a fresh browser context
//      (empty caches, a new renderer process); warm = the same tab loading the page again
//      (same renderer process; the HTTP cache still gives nothing, see the README).
//   2. bytes of the cold load by kind: what Chromium received for each request, the file's
//      size and its gzip -9 size (node's zlib), so the table shows what compression would save.
//   3. card shown → balance on screen: the fake camera plays white frames, then the demo
//      card, in a loop. A requestVideoFrameCallback on the kiosk's own <video> looks at
//      every frame (32×24 thumbnail, mean brightness) and keeps Chromium's captureTime of the
//      first frame with the card; the end is the animation frame in which
//      window.kopilka.state().screen first says 'member' (that frame draws the balance).
//   4. decode time per frame: window.kopilkaCamera.decodeFrame() sends RGBA frames to the
//      kiosk's own scan worker (zxing-wasm from /vendor/zxing-wasm/, the worker's options);
//      the worker reports the time of readBarcodes alone.
//   5. CPU of an idle kiosk: utime+stime of every Chromium process (/proc/<pid>/stat) and
//      the renderer main thread's TaskDuration (CDP Performance.getMetrics) over a window
//      with no input, on the attract screen (camera off, then on) and on the scan screen.
//
// Environment: KOPILKA_BUILD (default <repo>/build), KOPILKA_CHROMIUM (/usr/bin/chromium).

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import * as h from '../../tests/e2e/harness.mjs';
import {
  bytesByKind, cpuWindow, kb, median, ms, PROCESS_GROUPS, quantile, recordRequests, runBench, sleep,
} from './browser_bench.mjs';

const execFileP = promisify(execFile);

const VIEWPORT = Object.freeze({ width: 1280, height: 800 });
const COLD_RUNS = 5;             // fresh contexts after the browser's first load
const WARM_RUNS = 3;             // reloads of one page
const SCAN_SAMPLES = 5;          // card appearances timed (one per 4 s loop of the video)
const SCAN_WARMUP = 2;           // first appearances after the page loaded: slower, reported apart
const DECODE_WARMUP = 3;         // decodes not counted (JIT, first allocation)
const DECODE_ITERATIONS = 40;    // counted decodes per frame kind
const IDLE_SETTLE_MS = 3000;     // after the last change, before sampling CPU
const IDLE_WINDOW_MS = 10000;    // CPU sampling window per scene
const SCAN_TIMEOUT_MS = 30000;   // all scan samples together
const FPS = 15;                  // harness.pngToY4m writes 2 s at 15 frames/s
const CARD_MEAN_MAX = 250;       // a 32×24 thumbnail darker than this shows the card

const log = (...args) => console.error('[bench kiosk]', ...args);

// ---- fake camera videos -------------------------------------------------------------------

// A y4m file is one header line and then FRAME records; two files written by pngToY4m
// with the same size and rate join by dropping the second header.
function joinY4m(first, second, out) {
  const b = fs.readFileSync(second);
  const body = b.subarray(b.indexOf(0x0a) + 1);
  fs.writeFileSync(out, Buffer.concat([fs.readFileSync(first), body]));
  return out;
}

async function makeVideos(tmp, cardPng) {
  const blankPng = path.join(tmp, 'blank.png');
  await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
    '-i', 'color=c=white:s=640x480', '-frames:v', '1', blankPng], { timeout: 30000 });
  const blank = await h.pngToY4m(blankPng, path.join(tmp, 'blank.y4m'));
  const card = await h.pngToY4m(cardPng, path.join(tmp, 'card.y4m'));
  // 2 s of white, then 2 s of the card; Chromium loops the file.
  const loop = joinY4m(blank, card, path.join(tmp, 'blank-then-card.y4m'));
  return { blank, loop };
}

// ---- page instrumentation (runs before the page's own scripts) ----------------------------

function instrumentPage({ watchScans, cardMeanMax }) {
  const b = { firstDraw: null, ready: null, draws: 0, clears: 0, ticks: 0, samples: [], missed: [] };
  window.__kopilkaBench = b;
  const gl = WebGL2RenderingContext.prototype;
  const drawElements = gl.drawElements;
  const clear = gl.clear;
  gl.drawElements = function (...args) {
    if (b.firstDraw === null) b.firstDraw = performance.now();
    b.draws += 1;
    return drawElements.apply(this, args);
  };
  // The kiosk clears once per drawn frame, so clears count frames drawn.
  gl.clear = function (...args) {
    b.clears += 1;
    return clear.apply(this, args);
  };
  window.addEventListener('kopilka-ready', () => {
    b.ready = performance.now();
    if (!watchScans) return;
    const scan = window.kopilka.scan;
    window.kopilka.scan = (text, source) => {
      if (b.pending && !b.pending.forwarded) b.pending.forwarded = performance.now();
      return scan(text, source);
    };
  });

  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    b.ticks += 1;
    callback(time);
    // After the kiosk's frame: if it now shows the member, this frame drew the balance.
    if (b.pending && window.kopilka.ready && window.kopilka.state().screen === 'member') {
      b.pending.member = performance.now();
      b.samples.push(b.pending);
      b.pending = null;
    }
  });
  if (!watchScans) return;

  document.addEventListener('DOMContentLoaded', () => {
    const video = document.getElementById('kopilka-camera');
    const thumb = new OffscreenCanvas(32, 24).getContext('2d', { willReadFrequently: true });
    let hadCard = false;
    const onFrame = (now, meta) => {
      thumb.drawImage(video, 0, 0, 32, 24);
      const px = thumb.getImageData(0, 0, 32, 24).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i];
      const card = sum / (px.length / 4) < cardMeanMax;
      if (card && !hadCard) {
        const state = window.kopilka.ready ? window.kopilka.state() : null;
        // A card appearance that never reached the member screen is kept for the error message.
        if (b.pending && now - b.pending.presented > 3000) {
          b.missed.push(b.pending);
          b.pending = null;
        }
        // Timed only when the kiosk was waiting for a card when the card appeared.
        if (!b.pending && state && state.scanning && state.screen === 'attract') {
          b.pending = { captured: meta.captureTime ?? meta.presentationTime, presented: now };
        }
      }
      hadCard = card;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
}

function denyCamera() {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('camera off for the benchmark', 'NotAllowedError'));
}

async function newKioskContext(browser, { camera = true, watchScans = false } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, hasTouch: true });
  if (!camera) await context.addInitScript(denyCamera);
  await context.addInitScript(instrumentPage, { watchScans, cardMeanMax: CARD_MEAN_MAX });
  return context;
}

async function waitFirstDraw(page) {
  const handle = await page.waitForFunction(() => {
    const b = window.__kopilkaBench;
    if (window.kopilka && window.kopilka.error) return { error: window.kopilka.error };
    return b && b.firstDraw !== null && b;
  }, null, { timeout: 30000, polling: 20 });
  const b = await handle.jsonValue();
  if (b.error) throw new Error(`the kiosk did not start: ${b.error}`);
  return b;
}

// ---- 1 + 2: cold and warm start, bytes ----------------------------------------------------

// Times of one load, in ms since navigation start.
async function loadTimes(page) {
  const b = await waitFirstDraw(page);
  const res = await page.evaluate(() => {
    const end = (name) => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith(name));
      return e ? e.responseEnd : null;
    };
    const nav = performance.getEntriesByType('navigation')[0];
    return { html: nav.responseEnd, glue: end('/kiosk/kiosk.js'), wasm: end('/kiosk/kiosk.wasm'), data: end('/kiosk/kiosk.data'),
      transferred: performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, nav.transferSize) };
  });
  return { ...res, ready: b.ready, firstDraw: b.firstDraw };
}

function kindOf(pathname) {
  if (pathname.endsWith('/kiosk.wasm')) return 'kiosk wasm';
  if (pathname.endsWith('/kiosk.data')) return 'kiosk data: the glyphs of DejaVu Sans it draws + 4 catalogues';
  if (pathname.endsWith('/kiosk.js')) return 'kiosk glue js (Emscripten)';
  if (pathname.endsWith('/zxing_reader.wasm')) return 'zxing wasm';
  if (pathname.includes('/vendor/zxing-wasm/') || pathname.endsWith('/scan-worker.js')) return 'scan worker js (+ zxing loader)';
  if (pathname.endsWith('.js')) return 'page js (app, camera)';
  if (pathname.endsWith('/') || pathname.endsWith('.html') || pathname.endsWith('.css')) return 'html, css';
  if (pathname.startsWith('/v1/')) return 'api';
  return 'other';
}

async function benchStart(browser, url) {
  const runs = [];
  let requests = null;
  const warm = [];
  for (let i = 0; i <= COLD_RUNS; i += 1) {
    const context = await newKioskContext(browser);
    const collected = recordRequests(context);
    const page = await context.newPage();
    await page.goto(`${url}/kiosk/`, { waitUntil: 'commit' });
    runs.push(await loadTimes(page));
    if (i === 1) {
      // The whole cold load: the scan worker and zxing wasm come once the camera runs.
      await page.waitForFunction(() => window.kopilkaCamera && window.kopilkaCamera.decoder === 'ready',
        null, { timeout: 20000, polling: 50 });
      await sleep(500);
      requests = await collected();
    }
    if (i === COLD_RUNS) {
      for (let w = 0; w < WARM_RUNS; w += 1) {
        await page.goto(`${url}/kiosk/`, { waitUntil: 'commit' });
        warm.push(await loadTimes(page));
      }
    }
    await context.close();
    log(`start run ${i}: first frame drawn at ${ms(runs.at(-1).firstDraw)} ms`);
  }
  return { first: runs[0], cold: runs.slice(1), warm, bytes: bytesByKind(requests, kindOf), requests };
}

// ---- 3: card shown → balance on screen ----------------------------------------------------

async function benchScan(browser, url) {
  const context = await newKioskContext(browser, { watchScans: true });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    const deadline = Date.now() + SCAN_TIMEOUT_MS;
    let seen = 0;
    const wanted = SCAN_WARMUP + SCAN_SAMPLES;
    while (seen < wanted && Date.now() < deadline) {
      await sleep(50);
      const n = await page.evaluate(() => window.__kopilkaBench.samples.length);
      if (n > seen) {
        seen = n;
        log(`scan sample ${n}`);
        await page.keyboard.press('Escape');  // sign out: back to the attract screen
      }
    }
    const b = await page.evaluate(() => window.__kopilkaBench);
    if (b.samples.length < wanted) {
      throw new Error(`only ${b.samples.length} of ${wanted} card appearances reached the member screen; ` +
        `missed: ${JSON.stringify(b.missed)}; state: ${JSON.stringify(await page.evaluate(() => window.kopilka.state()))}`);
    }
    const samples = b.samples.map((s) => ({
      captured: s.captured, toForward: s.forwarded - s.captured, toMember: s.member - s.captured,
      lookupAndDraw: s.member - s.forwarded,
    }));
    return { warmup: samples.slice(0, SCAN_WARMUP), samples: samples.slice(SCAN_WARMUP) };
  } finally {
    await context.close();
  }
}

// ---- 4: decode time per frame -------------------------------------------------------------

// In the page: frames at each size (white; white with the card scaled to fit, as the
// fake-camera video shows it), decoded by the kiosk's scan worker.
async function decodeInPage({ cardPngBase64, code, sizes, warmup, iterations }) {
  const blob = await (await fetch(`data:image/png;base64,${cardPngBase64}`)).blob();
  const bitmap = await createImageBitmap(blob);
  const out = [];
  for (const [width, height] of sizes) {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    for (const kind of ['blank', 'card']) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      if (kind === 'card') {
        const scale = Math.min(width / bitmap.width, height / bitmap.height);
        const w = bitmap.width * scale;
        const h = bitmap.height * scale;
        ctx.drawImage(bitmap, (width - w) / 2, (height - h) / 2, w, h);
      }
      const frame = ctx.getImageData(0, 0, width, height);
      const worker = [];
      const roundTrip = [];
      let found = 0;
      for (let i = 0; i < warmup + iterations; i += 1) {
        const t0 = performance.now();
        const r = await window.kopilkaCamera.decodeFrame(frame);
        const t1 = performance.now();
        if (i < warmup) continue;
        worker.push(r.ms);
        roundTrip.push(t1 - t0);
        if (r.text === code) found += 1;
      }
      out.push({ width, height, kind, worker, roundTrip, found });
    }
  }
  return out;
}

async function benchDecode(browser, url, card) {
  // Camera off, so the kiosk's own decode loop does not share the worker.
  const context = await newKioskContext(browser, { camera: false });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    const rows = await page.evaluate(decodeInPage, {
      cardPngBase64: fs.readFileSync(card.out).toString('base64'), code: card.code,
      sizes: [[640, 480], [1280, 720]], warmup: DECODE_WARMUP, iterations: DECODE_ITERATIONS,
    });
    for (const r of rows) log(`decode ${r.width}×${r.height} ${r.kind}: median ${ms(median(r.worker))} ms`);
    return rows;
  } finally {
    await context.close();
  }
}

// ---- 5: CPU of an idle kiosk --------------------------------------------------------------

async function sampleCpu(page, cdp, windowMs) {
  const r = await cpuWindow(page, cdp, windowMs, () => ({
    clears: window.__kopilkaBench.clears, ticks: window.__kopilkaBench.ticks,
    decodes: window.kopilkaCamera ? window.kopilkaCamera.decodes : 0,
  }));
  return {
    ...r, framesDrawn: r.counted.clears, ticksPerS: r.counted.ticks / r.seconds,
    decodesPerS: r.counted.decodes / r.seconds,
  };
}

async function idleScene(browser, url, name, { camera, scanScreen = false }) {
  const context = await newKioskContext(browser, { camera });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    if (camera) {
      await page.waitForFunction(() => window.kopilkaCamera.decoder === 'ready' && window.kopilkaCamera.decodes > 0,
        null, { timeout: 20000, polling: 50 });
    }
    if (scanScreen) {
      await h.tap(page, 'start');  // a touch where the kiosk drew "start"
      await h.waitForScreen(page, ['scan'], { timeoutMs: 5000 }).catch(() => {});
      const s = await page.evaluate(() => window.kopilka.state());
      if (s.screen !== 'scan' || s.keypad_open) throw new Error(`could not open the scan screen: ${JSON.stringify(s)}`);
    }
    await sleep(IDLE_SETTLE_MS);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const r = await sampleCpu(page, cdp, IDLE_WINDOW_MS);
    const screen = (await page.evaluate(() => window.kopilka.state())).screen;
    log(`cpu ${name}: ${r.total.toFixed(1)} % of a core (screen ${screen}, ${r.framesDrawn} frames drawn)`);
    return { name, screen, ...r };
  } finally {
    await context.close();
  }
}

// ---- report -------------------------------------------------------------------------------

function markdown(r) {
  const lines = [];
  const col = (rows, key) => median(rows.map((x) => x[key]));
  const med = (rows) => Object.fromEntries(['html', 'glue', 'data', 'wasm', 'ready', 'firstDraw'].map((k) => [k, col(rows, k)]));
  const cold = med(r.start.cold);

  lines.push(`**Start to the first drawn frame: ${ms(cold.firstDraw)} ms cold.** Milliseconds from navigation start: ` +
    '"received" = the response\'s last byte (Resource Timing), `kopilka.ready` = the wasm runtime is up (app.js), ' +
    '"first frame drawn" = the kiosk\'s first WebGL draw call (the attract screen, fonts and catalogues loaded). ' +
    `Cold = a fresh browser context (new renderer process, empty caches), median of ${r.start.cold.length}; ` +
    `warm = the same tab loading the page again (same renderer process), median of ${r.start.warm.length}.`, '');
  lines.push('| load | HTML received | kiosk.js received | kiosk.data received | kiosk.wasm received | `kopilka.ready` | first frame drawn |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  const row = (name, x) => `| ${name} | ${ms(x.html)} | ${ms(x.glue)} | ${ms(x.data)} | ${ms(x.wasm)} | ${ms(x.ready)} | **${ms(x.firstDraw)}** |`;
  lines.push(row('first load after the browser started', r.start.first));
  lines.push(row('cold', cold));
  lines.push(row('warm', med(r.start.warm)));
  const warmBytes = median(r.start.warm.map((x) => x.transferred));
  const coldBytes = median(r.start.cold.map((x) => x.transferred));
  lines.push('', `The page's own requests transferred ${kb(coldBytes)} KiB cold and ${kb(warmBytes)} KiB warm` +
    (warmBytes > coldBytes / 2 ? ' (the server sends no Cache-Control, ETag or Last-Modified, so a reload fetches everything again)' : '') +
    `. The server compresses kiosk.js for each request: ${ms(r.compress.br)} ms with brotli (what Chromium asks for), ` +
    `${ms(r.compress.gzip)} ms with gzip, ${ms(r.compress.identity)} ms uncompressed (median of ${r.compress.n} requests).`, '');

  lines.push('**Bytes of a cold load**, everything requested until the scan worker\'s decoder is ready (KiB; ' +
    '"received" = the body Chromium got, in the server\'s encoding; gzip -9 = the file compressed with node\'s zlib):', '');
  lines.push('| kind | files | on disk | received | encoding | gzip -9 |');
  lines.push('|---|---|---:|---:|---|---:|');
  let raw = 0, wire = 0, gz = 0;
  for (const k of r.start.bytes) {
    raw += k.raw; wire += k.wire; gz += k.gzip;
    lines.push(`| ${k.kind} | ${k.files.join(', ')} | ${kb(k.raw)} | ${kb(k.wire)} | ${k.encodings} | ${kb(k.gzip)} |`);
  }
  lines.push(`| **total** | ${r.start.requests.length} requests | **${kb(raw)}** | **${kb(wire)}** | | **${kb(gz)}** |`, '');

  const s = r.scan.samples;
  const stat = (key) => `${ms(median(s.map((x) => x[key])))} | ${ms(Math.max(...s.map((x) => x[key])))}`;
  lines.push(`**Card shown → balance on screen: ${ms(median(s.map((x) => x.toMember)))} ms** (median of ${s.length} card ` +
    'appearances; from the capture time of the first camera frame with the card to the animation frame that draws ' +
    'the member screen):', '');
  lines.push('| step | median ms | max ms |', '|---|---:|---:|');
  lines.push(`| frame → code handed to the kiosk (waiting for the attract screen's next decode, ≤ 250 ms, + the decode) | ${stat('toForward')} |`);
  lines.push(`| code → member screen drawn (lookup over HTTP + the next frame) | ${stat('lookupAndDraw')} |`);
  lines.push(`| **frame → balance on screen** | **${ms(median(s.map((x) => x.toMember)))}** | ${ms(Math.max(...s.map((x) => x.toMember)))} |`, '');
  const w = r.scan.warmup;
  if (w.length) {
    lines.push(`Not in the table: the first ${w.length} cards after the page loaded (shown ${w.map((x) => (x.captured / 1000).toFixed(1)).join(' and ')} s ` +
      `after navigation) took ${w.map((x) => ms(x.toMember)).join(' and ')} ms, of which the lookup step ${w.map((x) => ms(x.lookupAndDraw)).join(' and ')} ms.`, '');
  }

  lines.push(`**Decode time per frame** (ms of readBarcodes inside the kiosk's scan worker: zxing-wasm ${r.zxing}, QR + EAN-13 + ` +
    `Code 128, tryHarder; ${DECODE_ITERATIONS} decodes each after ${DECODE_WARMUP} not counted; round trip adds postMessage ` +
    'there and back). The camera sends the worker frames of at most 640×480; 1280×720 is what full camera frames would cost:', '');
  lines.push('| frame | median | p95 | round trip median | card read |', '|---|---:|---:|---:|---:|');
  for (const d of r.decode) {
    lines.push(`| ${d.width}×${d.height} ${d.kind === 'card' ? 'with the card' : 'blank (white)'} | ${ms(median(d.worker))} | ${ms(quantile(d.worker, 0.95))} | ` +
      `${ms(median(d.roundTrip))} | ${d.kind === 'card' ? `${d.found}/${d.worker.length}` : '–'} |`);
  }
  lines.push('');

  const groups = PROCESS_GROUPS;
  lines.push(`**CPU of an idle kiosk** (% of one core over ${IDLE_WINDOW_MS / 1000} s without input, from utime + stime of ` +
    'every Chromium process in /proc; WebGL runs in SwiftShader, so "GPU" is CPU work here. "Renderer main thread" is the ' +
    'wall time of its tasks (CDP TaskDuration); main-loop ticks are the kiosk\'s requestAnimationFrame callbacks (after 2 s ' +
    'without input or answers the kiosk ticks on a 100 ms timer instead, which shows as 0 here), frames drawn ' +
    'are the ones it actually rendered. The attract screen also scans, so with a camera it decodes about 4 frames a second, the scan screen 8):', '');
  lines.push(`| scene | all Chromium | ${groups.join(' | ')} | renderer main thread | main-loop ticks/s | frames drawn | decodes/s |`);
  lines.push(`|---|---:|${groups.map(() => '---:').join('|')}|---:|---:|---:|---:|`);
  for (const c of r.cpu) {
    lines.push(`| ${c.name} | **${c.total.toFixed(1)}** | ${groups.map((g) => (c.groups[g] || 0).toFixed(1)).join(' | ')} | ` +
      `${c.mainThread.toFixed(1)} | ${c.ticksPerS.toFixed(0)} | ${c.framesDrawn} | ${c.decodesPerS.toFixed(1)} |`);
  }
  lines.push('');
  lines.push(`Chromium ${r.chromium} headless (WebGL through SwiftShader, fake camera 640×480 at ${FPS} frames/s), ` +
    `${VIEWPORT.width}×${VIEWPORT.height} viewport, kopilka-server with SQLite on loopback, ${r.machine.cpu}, ` +
    `${r.machine.cores} cores (1-minute load average ${r.load.toFixed(1)} before, ${r.loadAfter.toFixed(1)} after), ${r.date}; the benchmark took ${r.seconds.toFixed(0)} s.`);
  return lines.join('\n');
}

// How long the server takes to answer kiosk.js in each encoding (it compresses per request).
async function compressTimes(url) {
  const n = 3;
  const once = (encoding) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    http.get(`${url}/kiosk/kiosk.js`, { headers: { 'accept-encoding': encoding } }, (res) => {
      res.on('data', () => {}).on('end', () => resolve(performance.now() - t0)).on('error', reject);
    }).on('error', reject);
  });
  const out = { n };
  for (const encoding of ['identity', 'gzip', 'br']) {
    const times = [];
    for (let i = 0; i < n; i += 1) times.push(await once(encoding));
    out[encoding] = median(times);
  }
  return out;
}

// ---- main ---------------------------------------------------------------------------------

runBench('kiosk', async (run) => {
  const { server, tmp } = run;
  const card = await h.printCard(tmp, server.dbFile, 'demo-anna');
  const videos = await makeVideos(tmp, card.out);

  // One browser whose camera sees only white frames: start, bytes, decode, idle CPU.
  run.browser = await h.launchChromium({ fakeVideo: videos.blank });
  const chromium = run.browser.version();
  const compress = await compressTimes(server.url);
  log('cold and warm start');
  const start = await benchStart(run.browser, server.url);
  log('decode');
  const decode = await benchDecode(run.browser, server.url, card);
  log('idle CPU');
  const cpu = [];
  cpu.push(await idleScene(run.browser, server.url, 'attract screen, camera off', { camera: false }));
  cpu.push(await idleScene(run.browser, server.url, 'attract screen, camera on (decoding)', { camera: true }));
  cpu.push(await idleScene(run.browser, server.url, 'scan screen, camera on + preview', { camera: true, scanScreen: true }));
  await run.browser.close();

  // A second browser whose camera shows the card every 4 s.
  run.browser = await h.launchChromium({ fakeVideo: videos.loop });
  log('card shown → balance');
  const scan = await benchScan(run.browser, server.url);
  return {
    chromium, zxing: fs.readFileSync(path.join(h.siteDir, 'vendor/zxing-wasm/VERSION'), 'utf8').trim(),
    compress, start, scan, decode, cpu,
  };
}, markdown);
