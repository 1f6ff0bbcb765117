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
//      card, in a loop. A MediaStreamTrackProcessor on a clone of the kiosk's camera track
//      looks at every frame (mean luma of a sparse grid) and keeps the time the first frame
//      with the card arrived in the page; the end is the animation frame in which
//      window.kopilka.state().screen first says 'member' (that frame draws the balance).
//   4. decode time per frame: window.kopilkaCamera.decodeFrame() sends RGBA frames to the
//      kiosk's own scan worker (zxing-wasm from /vendor/zxing-wasm/, the worker's options);
//      the worker reports the time of readBarcodes alone.
//   5. CPU of an idle kiosk: utime+stime of every Chromium process (/proc/<pid>/stat) and
//      the renderer main thread's TaskDuration (CDP Performance.getMetrics) over a window
//      with no input, on the attract screen (camera off, then on) and on the scan screen.
//
// Environment: KOPILKA_BUILD (default <repo>/build), KOPILKA_CHROMIUM (/usr/bin/chromium).

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as h from '../../tests/e2e/harness.mjs';
import {
  bytesByKind, cpuWindow, kb, median, ms, PROCESS_GROUPS, quantile, recordRequests, runBench, sleep,
} from './browser_bench.mjs';


const VIEWPORT = Object.freeze({ width: 1280, height: 800 });
const CAMERA = Object.freeze({ width: 1280, height: 720 });  // what the kiosk asks the camera for
const SMALL_CAMERA = Object.freeze({ width: 640, height: 480 });  // the earlier runs' fake camera
const PHOTO_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'scan_photos');
const PHOTO_JITTER = Object.freeze({ x: 64, y: 48 });  // px around the frame's middle
// The kiosk before this pipeline (README, 2026-12-04, commit 22e0bd7): frames shrunk to fit
// 640×480, 4 decodes a second on the attract screen.
const BEFORE = Object.freeze({ cardToBalanceMs: 233, attractCameraCpu: 16.2, attractCameraOwn: 12.5, coldGzipKiB: 810.2 });
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
const CARD_DARKER = 6;           // a frame whose mean luma is this far below white shows the card

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

async function makeVideos(tmp, cardPng, size) {
  const at = (name) => path.join(tmp, `${name}-${size.width}x${size.height}.y4m`);
  const blank = await h.whiteY4m(tmp, size);
  const card = await h.pngToY4m(cardPng, at('card'), size);
  // 2 s of white, then 2 s of the card; Chromium loops the file.
  const loop = joinY4m(blank, card, at('blank-then-card'));
  return { blank, loop };
}

// ---- page instrumentation (runs before the page's own scripts) ----------------------------

function instrumentPage({ watchScans, cardDarker }) {
  const b = { firstDraw: null, ready: null, draws: 0, clears: 0, ticks: 0, reads: [], appearances: [] };
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
      const state = window.kopilka.state();
      if (state.screen === 'attract' && state.scanning) b.reads.push({ forwarded: performance.now(), member: null });
      return scan(text, source);
    };
  });

  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    b.ticks += 1;
    callback(time);
    // After the kiosk's frame: if it now shows the member, this frame drew the balance.
    const read = b.reads.at(-1);
    if (read && read.member === null && window.kopilka.ready && window.kopilka.state().screen === 'member') {
      read.member = performance.now();
    }
  });
  if (!watchScans) return;

  // The kiosk's worker reads the camera's frames itself (MediaStreamTrackProcessor; its
  // <video> plays only for a preview), so the benchmark reads a clone of the same camera track
  // the same way: each frame's mean luma from a sparse grid of its Y plane, stamped with the
  // page's clock when it arrives (drawing 1280×720 video into a canvas would cost a core here,
  // with WebGL in SwiftShader, and slow the kiosk it measures).
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    if (!b.watching) {
      b.watching = true;
      const [track] = stream.getVideoTracks();
      watch(new MediaStreamTrackProcessor({ track: track.clone() }).readable.getReader());
    }
    return stream;
  };
  async function watch(reader) {
    let hadCard = false;
    let white = 0;
    let buffer = new Uint8Array(0);
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done) return;
      const arrived = performance.now();
      const rect = { x: 0, y: 0, width: frame.displayWidth, height: frame.displayHeight };
      const size = frame.allocationSize({ rect });
      if (buffer.length < size) buffer = new Uint8Array(size);
      const [y] = await frame.copyTo(buffer, { rect });
      frame.close();
      let sum = 0;
      let n = 0;
      for (let row = 0; row < rect.height; row += 16) {
        for (let col = 0; col < rect.width; col += 16) { sum += buffer[y.offset + row * y.stride + col]; n += 1; }
      }
      // The video's white frames are the brightest it shows (luma 235 in limited range).
      white = Math.max(white, sum / n);
      const card = sum / n < white - cardDarker;
      // Every appearance; reads are matched to them afterwards.
      if (card && !hadCard) b.appearances.push(arrived);
      hadCard = card;
    }
  }
}

function denyCamera() {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('camera off for the benchmark', 'NotAllowedError'));
}

async function newKioskContext(browser, { camera = true, watchScans = false } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, hasTouch: true });
  if (!camera) await context.addInitScript(denyCamera);
  await context.addInitScript(instrumentPage, { watchScans, cardDarker: CARD_DARKER });
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
  let firstFrameUrls = null;
  const warm = [];
  for (let i = 0; i <= COLD_RUNS; i += 1) {
    const context = await newKioskContext(browser);
    const collected = recordRequests(context);
    const page = await context.newPage();
    await page.goto(`${url}/kiosk/`, { waitUntil: 'commit' });
    runs.push(await loadTimes(page));
    if (i === 1) {
      // What the page had received when it drew its first frame (its own Resource Timing; the
      // scan worker's requests are never in it) …
      const firstDraw = runs.at(-1).firstDraw;
      firstFrameUrls = new Set(await page.evaluate((t) => [
        performance.getEntriesByType('navigation')[0].name,
        ...performance.getEntriesByType('resource').filter((e) => e.responseEnd <= t).map((e) => e.name),
      ], firstDraw));
      // … and the whole cold load: the scan worker and zxing wasm come once the kiosk scans.
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
  const beforeFirstFrame = requests.filter((q) => firstFrameUrls.has(q.url));
  return { first: runs[0], cold: runs.slice(1), warm, bytes: bytesByKind(requests, kindOf), requests,
    firstFrameBytes: bytesByKind(beforeFirstFrame, kindOf), firstFrameRequests: beforeFirstFrame.length };
}

// ---- 3: card shown → balance on screen ----------------------------------------------------

// idleAfterMs: the kiosk's stillness before its scan worker's frames slow down
// (camera.js; 10 s by default, which the video's 2 s of white never reach).
async function benchScan(browser, url, { idleAfterMs = null } = {}) {
  const context = await newKioskContext(browser, { watchScans: true });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    if (idleAfterMs !== null) await page.evaluate((ms) => { window.kopilkaCamera.idleAfterMs = ms; }, idleAfterMs);
    const deadline = Date.now() + SCAN_TIMEOUT_MS;
    let seen = 0;
    let untimedSince = 0;
    const wanted = SCAN_WARMUP + SCAN_SAMPLES;
    while (seen < wanted && Date.now() < deadline) {
      await sleep(50);
      const n = await page.evaluate(() => window.__kopilkaBench.reads.filter((r) => r.member !== null).length);
      if (n > seen) {
        seen = n;
        log(`scan sample ${n}`);
        await page.keyboard.press('Escape');  // sign out: back to the attract screen
      }
    }
    const b = await page.evaluate(() => window.__kopilkaBench);
    const lookups = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/v1/members/lookup')).map((e) => ({ start: e.startTime, end: e.responseEnd })));
    const done = b.reads.filter((r) => r.member !== null);
    if (done.length < wanted) {
      throw new Error(`only ${done.length} of ${wanted} card appearances reached the member screen; ` +
        `reads: ${JSON.stringify(b.reads)}; state: ${JSON.stringify(await page.evaluate(() => window.kopilka.state()))}`);
    }
    // Each read belongs to the last appearance captured before it (within one loop of the video).
    const samples = done.flatMap((r) => {
      const captured = Math.max(...b.appearances.filter((t) => t <= r.forwarded && r.forwarded - t < 3000));
      if (!Number.isFinite(captured)) return [];
      const lookup = lookups.find((l) => l.start >= r.forwarded && l.start <= r.member);
      return [{
        captured, toForward: r.forwarded - captured, toMember: r.member - captured, lookupAndDraw: r.member - r.forwarded,
        toRequest: lookup ? lookup.start - r.forwarded : NaN, request: lookup ? lookup.end - lookup.start : NaN,
        toDrawn: lookup ? r.member - lookup.end : NaN,
      }];
    });
    const paceChanges = await page.evaluate(() => window.kopilkaCamera.paceChanges);
    return { warmup: samples.slice(0, SCAN_WARMUP), samples: samples.slice(SCAN_WARMUP), paceChanges };
  } finally {
    await context.close();
  }
}

// ---- 4: what the pipeline reads, and what a frame costs -----------------------------------

// In the page: each photo of tools/bench/scan_photos drawn pixel for pixel (as its camera took
// it) into a mid-grey 1280×720 frame, near the middle (a fixed offset per photo), then read
//   - by zxing-wasm on the whole frame (the kiosk's worker, its options): the reference;
//   - as the kiosk did before: the frame shrunk to fit 640×480, decoded whole;
//   - by the kiosk's pipeline: its roi pass and its full pass (scanFrame), as two consecutive
//     frames of a card held still would be.
// The pipeline's frames are I420 VideoFrames, as the camera's are.
// Also a blank grey frame through each pass, for the cost of the frames that show nothing.
async function photosInPage({ photos, frame, jitter, blankRounds }) {
  const { width: W, height: H } = frame;
  const ctx = new OffscreenCanvas(W, H).getContext('2d', { willReadFrequently: true });
  const shrunk = new OffscreenCanvas(640, Math.round((640 * H) / W)).getContext('2d', { willReadFrequently: true });
  const cam = window.kopilkaCamera;
  // The frame as a camera delivers it to the worker: an I420 VideoFrame (BT.601 luma, grey chroma).
  const i420 = new Uint8Array(W * H * 1.5);
  const toCameraFrame = () => {
    const rgba = ctx.getImageData(0, 0, W, H).data;
    for (let i = 0, j = 0; i < W * H; i += 1, j += 4) {
      i420[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
    }
    i420.fill(128, W * H);
    return () => new VideoFrame(i420, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 });
  };
  const out = [];
  for (const p of photos) {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/jpeg;base64,${p.base64}`)).blob());
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, W, H);
    ctx.drawImage(bitmap, Math.round((W - bitmap.width) / 2 + p.dx), Math.round((H - bitmap.height) / 2 + p.dy));
    const whole = await cam.decodeFrame(ctx.getImageData(0, 0, W, H));
    shrunk.drawImage(ctx.canvas, 0, 0, shrunk.canvas.width, shrunk.canvas.height);
    const before = await cam.decodeFrame(shrunk.getImageData(0, 0, shrunk.canvas.width, shrunk.canvas.height));
    const frameOf = toCameraFrame();
    const roi = await cam.scanFrame(frameOf(), 'roi');
    const full = await cam.scanFrame(frameOf(), 'full');
    const verdict = (r) => (r.text === p.text ? 'read' : r.text ? 'wrong' : 'none');
    out.push({
      file: p.file, format: p.format, size: [bitmap.width, bitmap.height],
      reference: verdict(whole), referenceMs: whole.ms, before: verdict(before), beforeMs: before.ms,
      roi: verdict(roi), roiMs: roi.ms, full: verdict(full), fullMs: full.ms,
    });
  }
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, W, H);
  const blank = { roi: [], full: [], reference: [] };
  const blankFrame = toCameraFrame();
  for (let i = 0; i < blankRounds; i += 1) {
    blank.reference.push((await cam.decodeFrame(ctx.getImageData(0, 0, W, H))).ms);
    blank.roi.push((await cam.scanFrame(blankFrame(), 'roi')).ms);
    blank.full.push((await cam.scanFrame(blankFrame(), 'full')).ms);
  }
  return { photos: out, blank };
}

async function benchPhotos(browser, url) {
  const manifest = JSON.parse(fs.readFileSync(path.join(PHOTO_DIR, 'manifest.json'), 'utf8'));
  // Camera off, so the kiosk's own loop does not share the worker.
  const context = await newKioskContext(browser, { camera: false });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    await page.evaluate(() => window.kopilkaCamera.decodeFrame(new ImageData(8, 8)));  // load the decoder
    const photos = [];
    let blank = null;
    const chunk = 16;
    for (let i = 0; i < manifest.photos.length; i += chunk) {
      const batch = manifest.photos.slice(i, i + chunk).map((p, j) => {
        const n = i + j;  // a fixed offset per photo, spread over ±jitter
        return {
          ...p, base64: fs.readFileSync(path.join(PHOTO_DIR, p.file)).toString('base64'),
          dx: ((n * 37) % (2 * PHOTO_JITTER.x + 1)) - PHOTO_JITTER.x,
          dy: ((n * 53) % (2 * PHOTO_JITTER.y + 1)) - PHOTO_JITTER.y,
        };
      });
      const last = i + chunk >= manifest.photos.length;
      const r = await page.evaluate(photosInPage, {
        photos: batch, frame: CAMERA, jitter: PHOTO_JITTER, blankRounds: last ? DECODE_ITERATIONS : 0,
      });
      photos.push(...r.photos);
      if (last) blank = r.blank;
      log(`photos ${photos.length}/${manifest.photos.length}`);
    }
    return { source: manifest.source, photos, blank };
  } finally {
    await context.close();
  }
}

// ---- 5: CPU of an idle kiosk --------------------------------------------------------------

async function sampleCpu(page, cdp, windowMs) {
  const r = await cpuWindow(page, cdp, windowMs, () => ({
    clears: window.__kopilkaBench.clears, ticks: window.__kopilkaBench.ticks,
    decodes: window.kopilkaCamera ? window.kopilkaCamera.decodes : 0,
    cameraFrames: window.kopilkaCamera ? window.kopilkaCamera.frames : 0,
  }));
  return {
    ...r, framesDrawn: r.counted.clears, ticksPerS: r.counted.ticks / r.seconds,
    decodesPerS: r.counted.decodes / r.seconds, cameraFramesPerS: r.counted.cameraFrames / r.seconds,
  };
}

// The baseline of the same run: a page of the same server that only holds the camera open
// (getUserMedia at `size`, no <video>, no worker), so what Chromium spends capturing the fake
// camera's frames and handing them to the renderer without the kiosk.
async function cameraOnlyScene(browser, url, name, size) {
  const context = await newKioskContext(browser, { camera: true });
  const page = await context.newPage();
  try {
    await page.goto(`${url}/healthz`);
    await page.evaluate(async ({ width, height }) => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height } });
      window.__kopilkaStream = stream;  // held, so the camera stays open
    }, size);
    await sleep(IDLE_SETTLE_MS);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const r = await sampleCpu(page, cdp, IDLE_WINDOW_MS);
    log(`cpu ${name}: ${r.total.toFixed(1)} % of a core`);
    return { name, screen: null, idleFps: null, baseline: true, ...r };
  } finally {
    await context.close();
  }
}

// paced: the kiosk as it runs, whose scan worker gets fewer frames a second once nothing
// moved for 10 s (camera.js), sampled after that; otherwise the worker keeps the camera's rate
// (kopilkaCamera.idleAfterMs = Infinity), as before the pacing and as in the first 10 s.
async function idleScene(browser, url, name, { camera, scanScreen = false, paced = false }) {
  const context = await newKioskContext(browser, { camera });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, url);
    if (camera) {
      if (!paced) await page.evaluate(() => { window.kopilkaCamera.idleAfterMs = Infinity; });
      await page.waitForFunction(() => window.kopilkaCamera.decoder === 'ready' && window.kopilkaCamera.decodes > 0,
        null, { timeout: 20000, polling: 50 });
    }
    if (paced) {
      await page.waitForFunction(() => window.kopilkaCamera.pace === 'idle', null, { timeout: 30000, polling: 100 });
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
    const idleFps = camera ? await page.evaluate(() => window.kopilkaCamera.idleFrameRate) : null;
    return { name, screen, idleFps, ...r };
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

  {
    const gz = r.start.bytes.reduce((t, k) => t + k.gzip, 0);
    const stillRows = r.cpu.filter((c) => c.name.startsWith('attract screen, camera') && !c.name.includes('off'));
    const cameraOnly = r.cpu.find((c) => c.baseline);
    const own = (c) => (c.groups.renderer || 0) + (c.groups.GPU || 0);
    const ph = r.photos.photos;
    const ref = ph.filter((x) => x.reference === 'read');
    const share = ref.length ? ref.filter((x) => x.roi === 'read' || x.full === 'read').length / ref.length : 0;
    const passMs = quantile(ph.flatMap((x) => [x.roiMs, x.fullMs]), 0.95);
    lines.push('| | before (2026-12-04) | now | target |', '|---|---:|---:|---:|');
    for (const sc of r.scans) {
      lines.push(`| card shown → balance on screen, median ms, camera ${sc.camera} | ${sc.camera === '640×480' ? BEFORE.cardToBalanceMs : '–'} | ` +
        `**${ms(median(sc.samples.map((x) => x.toMember)))}** | ≤ 100 |`);
    }
    for (const c of stillRows) {
      lines.push(`| ${c.name}: % of a core, all Chromium (the page's renderer + GPU) | ` +
        `${c.name.includes('640×480') ? `${BEFORE.attractCameraCpu} (${BEFORE.attractCameraOwn})` : '–'} | **${c.total.toFixed(1)}** (${own(c).toFixed(1)}) | ≤ 5 |`);
    }
    const paced = stillRows.find((c) => c.name.includes(`${CAMERA.width}×${CAMERA.height}`) && c.name.includes('for 10 s'));
    if (paced && cameraOnly) {
      lines.push(`| the same, above a page of the same run that only holds the camera open (${cameraOnly.total.toFixed(1)} % ` +
        `of a core): % of a core, all Chromium | – | **${(paced.total - cameraOnly.total).toFixed(1)}** | ≤ 5 |`);
    }
    lines.push(`| codes read vs zxing-wasm on the whole ${CAMERA.width}×${CAMERA.height} frame | ` +
      `${Math.round((100 * ref.filter((x) => x.before === 'read').length) / Math.max(1, ref.length))} % | **${Math.round(100 * share)} %** | ≥ 95 % |`);
    lines.push(`| decode ms per frame in the worker, p95 of both passes | – | **${ms(passMs)}** | ≤ 8 |`);
    const firstGz = r.start.firstFrameBytes.reduce((t, k) => t + k.gzip, 0);
    lines.push(`| cold load until the first frame is drawn, KiB gzip -9 | – | **${kb(firstGz)}** | ≤ 600 |`);
    lines.push(`| cold load with the scan worker's decoder that follows, KiB gzip -9 | ${BEFORE.coldGzipKiB} | **${kb(gz)}** | – |`, '');
  }
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
    '"received" = the body Chromium got, in the server\'s encoding; gzip -9 = the file compressed with node\'s zlib; ' +
    '"first frame" = the page had it when it drew its first frame; the scan worker starts once the kiosk is up ' +
    'and asks for the camera\'s codes, so the decoder never delays the attract screen):', '');
  lines.push('| kind | files | on disk | received | encoding | gzip -9 | first frame |');
  lines.push('|---|---|---:|---:|---|---:|---|');
  const firstGzip = new Map(r.start.firstFrameBytes.map((k) => [k.kind, k.gzip]));
  const when = (k) => {
    const g = firstGzip.get(k.kind) || 0;
    return g === 0 ? 'after' : g < k.gzip ? 'partly' : 'yes';
  };
  const total = (rows) => rows.reduce((t, k) => ({ raw: t.raw + k.raw, wire: t.wire + k.wire, gzip: t.gzip + k.gzip }),
    { raw: 0, wire: 0, gzip: 0 });
  for (const k of r.start.bytes) {
    lines.push(`| ${k.kind} | ${k.files.join(', ')} | ${kb(k.raw)} | ${kb(k.wire)} | ${k.encodings} | ${kb(k.gzip)} | ` +
      `${when(k)} |`);
  }
  const ff = total(r.start.firstFrameBytes);
  lines.push(`| **until the first frame** | ${r.start.firstFrameRequests} requests | **${kb(ff.raw)}** | **${kb(ff.wire)}** | | **${kb(ff.gzip)}** | |`);
  const all = total(r.start.bytes);
  lines.push(`| **total** | ${r.start.requests.length} requests | **${kb(all.raw)}** | **${kb(all.wire)}** | | **${kb(all.gzip)}** | |`, '');

  for (const sc of r.scans) {
    const s = sc.samples;
    const stat = (key) => `${ms(median(s.map((x) => x[key])))} | ${ms(Math.max(...s.map((x) => x[key])))}`;
    lines.push(`**Card shown → balance on screen, camera ${sc.camera}: ${ms(median(s.map((x) => x.toMember)))} ms** (median of ${s.length} card ` +
      'appearances; from the moment the first camera frame with the card reaches the page to the animation frame that draws ' +
      'the member screen):', '');
    lines.push('| step | median ms | max ms |', '|---|---:|---:|');
    lines.push(`| frame → code handed to the kiosk (the worker's motion check and decode) | ${stat('toForward')} |`);
    lines.push(`| code → member screen drawn | ${stat('lookupAndDraw')} |`);
    lines.push(`| — code → lookup request sent | ${stat('toRequest')} |`);
    lines.push(`| — lookup request → answer received (Resource Timing) | ${stat('request')} |`);
    lines.push(`| — answer → member screen drawn (the kiosk's next frames, WebGL in SwiftShader) | ${stat('toDrawn')} |`);
    lines.push(`| **frame → balance on screen** | **${ms(median(s.map((x) => x.toMember)))}** | ${ms(Math.max(...s.map((x) => x.toMember)))} |`, '');
    const w = sc.warmup;
    if (w.length) {
      lines.push(`Not in the table: the first ${w.length} cards after the page loaded (shown ${w.map((x) => (x.captured / 1000).toFixed(1)).join(' and ')} s ` +
        `after navigation) took ${w.map((x) => ms(x.toMember)).join(' and ')} ms.`, '');
    }
  }

  const ph = r.photos.photos;
  const count = (rows, key) => rows.filter((x) => x[key] === 'read').length;
  const either = (x) => x.roi === 'read' || x.full === 'read';
  const pct = (n, d) => (d ? `${Math.round((100 * n) / d)} %` : '–');
  lines.push(`**What the camera pipeline reads** (${ph.length} photos of real barcodes from ZXing's black-box test set, ` +
    `${r.photos.source}, each drawn pixel for pixel as its camera took it into a mid-grey ${CAMERA.width}×${CAMERA.height} frame ` +
    `within ±${PHOTO_JITTER.x}/${PHOTO_JITTER.y} px of the middle; built by tools/bench/scan_photos/make.sh). Reference: ` +
    'zxing-wasm on the whole frame in the kiosk\'s worker; before: the frame shrunk to fit 640×480 as the kiosk did until ' +
    'now; pipeline: the kiosk\'s two alternating passes (the viewfinder\'s 640×480 at full resolution, the whole frame ' +
    'shrunk to 640×360), read by either, as by two consecutive frames of a card held up; "wrong" = a text other than the expected one:', '');
  lines.push('| format | photos | reference reads | before | pipeline | pipeline vs reference | roi pass | full pass | wrong |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const formats = [...new Set(ph.map((x) => x.format))];
  for (const f of [...formats, null]) {
    const rows = f ? ph.filter((x) => x.format === f) : ph;
    const ref = count(rows, 'reference');
    const pipe = rows.filter(either).length;
    const wrong = rows.filter((x) => [x.reference, x.before, x.roi, x.full].includes('wrong')).length;
    const b = (t) => (f ? t : `**${t}**`);
    lines.push(`| ${b(f || 'all')} | ${rows.length} | ${b(ref)} | ${count(rows, 'before')} (${pct(count(rows, 'before'), ref)}) | ${b(pipe)} | ` +
      `${b(pct(rows.filter((x) => x.reference === 'read' && either(x)).length, ref))} | ${count(rows, 'roi')} | ${count(rows, 'full')} | ${wrong} |`);
  }
  const missed = ph.filter((x) => x.reference === 'read' && !either(x)).map((x) => x.file);
  const extra = ph.filter((x) => x.reference !== 'read' && either(x)).map((x) => x.file);
  lines.push('', `Read by the reference but not the pipeline: ${missed.length ? missed.join(', ') : 'none'}. ` +
    `Read by the pipeline but not the reference: ${extra.length ? extra.join(', ') : 'none'}.`, '');
  const bl = r.photos.blank;
  const msRow = (name, xs, blank) => `| ${name} | ${ms(median(xs))} | ${ms(quantile(xs, 0.95))} | ${ms(Math.max(...xs))} | ${ms(median(blank))} | ${ms(quantile(blank, 0.95))} |`;
  lines.push(`**Decode time per frame** (ms of readBarcodes in the kiosk's scan worker: zxing-wasm ${r.zxing}, QR + EAN-13 + ` +
    `Code 128, tryHarder; over the ${ph.length} photo frames, and ${bl.roi.length} blank grey frames):`, '');
  lines.push('| pass | median | p95 | max | blank frame median | blank p95 |', '|---|---:|---:|---:|---:|---:|');
  lines.push(msRow('pipeline: roi (640×480 of the frame, full resolution)', ph.map((x) => x.roiMs), bl.roi));
  lines.push(msRow('pipeline: full (the frame shrunk to 640×360)', ph.map((x) => x.fullMs), bl.full));
  lines.push(msRow(`reference: the whole ${CAMERA.width}×${CAMERA.height} frame`, ph.map((x) => x.referenceMs), bl.reference));
  lines.push('');

  const groups = PROCESS_GROUPS;
  lines.push(`**CPU of an idle kiosk** (% of one core over ${IDLE_WINDOW_MS / 1000} s without input, from utime + stime of ` +
    'every Chromium process in /proc; WebGL runs in SwiftShader, so "GPU" is CPU work here. "Renderer main thread" is the ' +
    'wall time of its tasks (CDP TaskDuration); main-loop ticks are the kiosk\'s requestAnimationFrame callbacks (after 2 s ' +
    'without input or answers the kiosk ticks on a 100 ms timer instead, which shows as 0 here), frames drawn ' +
    'are the ones it actually rendered. With the camera on, every frame goes to the scan worker, which compares a ' +
    '64-pixel-wide thumbnail with the one of 400 ms before and, when nothing moves, decodes one frame every 2 s on the ' +
    'attract screen and every 0.5 s on the scan screen; the worker gets the camera\'s every frame except in the row ' +
    `that says otherwise, where nothing has moved for 10 s and its copy of the camera's track is held to ${r.idleFps} frames a ` +
    'second (the browser drops the rest before they reach the page); the fake camera shows a still white scene):', '');
  lines.push(`| scene | all Chromium | ${groups.join(' | ')} | renderer main thread | main-loop ticks/s | frames drawn | worker's camera frames/s | decodes/s |`);
  lines.push(`|---|---:|${groups.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|`);
  for (const c of r.cpu) {
    lines.push(`| ${c.name} | **${c.total.toFixed(1)}** | ${groups.map((g) => (c.groups[g] || 0).toFixed(1)).join(' | ')} | ` +
      `${c.mainThread.toFixed(1)} | ${c.ticksPerS.toFixed(0)} | ${c.framesDrawn} | ${c.cameraFramesPerS.toFixed(1)} | ${c.decodesPerS.toFixed(1)} |`);
  }
  lines.push('');
  lines.push(`Chromium ${r.chromium} headless (WebGL through SwiftShader, Chromium's fake camera at ${FPS} frames/s: ${SMALL_CAMERA.width}×${SMALL_CAMERA.height} for the start, ` +
    `${CAMERA.width}×${CAMERA.height} (what the kiosk asks for) for the photos, and both where named), ` +
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
  const videos = await makeVideos(tmp, card.out, CAMERA);
  const small = await makeVideos(tmp, card.out, SMALL_CAMERA);
  const cameraName = (c) => `${c.width}×${c.height}`;

  // A browser whose camera (640×480, as in earlier runs) sees only white frames: start, bytes.
  run.browser = await h.launchChromium({ fakeVideo: small.blank });
  const chromium = run.browser.version();
  const compress = await compressTimes(server.url);
  log('cold and warm start');
  const start = await benchStart(run.browser, server.url);
  const cpu = [];
  cpu.push(await idleScene(run.browser, server.url, 'attract screen, camera off', { camera: false }));
  cpu.push(await idleScene(run.browser, server.url, `attract screen, camera ${cameraName(SMALL_CAMERA)} on, nothing moving`, { camera: true }));
  const { idleFps } = cpu.at(-1);  // the worker's frames a second once nothing moves (camera.js)
  await run.browser.close();

  // The same at the camera's resolution: photos, idle CPU.
  run.browser = await h.launchChromium({ fakeVideo: videos.blank });
  log('photos');
  const photos = await benchPhotos(run.browser, server.url);
  log('idle CPU');
  cpu.push(await idleScene(run.browser, server.url, `attract screen, camera ${cameraName(CAMERA)} on, nothing moving`, { camera: true }));
  cpu.push(await idleScene(run.browser, server.url, `attract screen, camera ${cameraName(CAMERA)} on, nothing moving for 10 s (the worker's frames at ${idleFps}/s)`, { camera: true, paced: true }));
  cpu.push(await idleScene(run.browser, server.url, `scan screen, camera ${cameraName(CAMERA)} on + preview, nothing moving`, { camera: true, scanScreen: true }));
  cpu.push(await cameraOnlyScene(run.browser, server.url, `baseline: a page that only holds the camera open (${cameraName(CAMERA)})`, CAMERA));
  await run.browser.close();

  // Cameras that show the card every 4 s.
  const scans = [];
  for (const [size, v] of [[CAMERA, videos], [SMALL_CAMERA, small]]) {
    run.browser = await h.launchChromium({ fakeVideo: v.loop });
    log(`card shown → balance, camera ${cameraName(size)}`);
    scans.push({ camera: cameraName(size), ...(await benchScan(run.browser, server.url)) });
    if (size === CAMERA) {
      // The same card after a still second: the worker then gets idleFps frames a second, so the
      // card waits for the next of them (the benchmark's own clone of the track sees it at once).
      log(`card shown → balance, camera ${cameraName(size)}, the worker at ${idleFps} frames/s`);
      const slow = await benchScan(run.browser, server.url, { idleAfterMs: 1000 });
      if (slow.paceChanges < 2 * SCAN_SAMPLES) {  // slowed before each card and back after it
        throw new Error(`the worker's frames changed pace ${slow.paceChanges} times for ${SCAN_WARMUP + SCAN_SAMPLES} cards`);
      }
      scans.push({ camera: `${cameraName(size)}, the card held up after 1 s with nothing moving (the worker at ${idleFps} frames/s)`, ...slow });
    }
    await run.browser.close();
  }
  run.browser = null;
  return {
    chromium, zxing: fs.readFileSync(path.join(h.siteDir, 'vendor/zxing-wasm/VERSION'), 'utf8').trim(),
    compress, start, scans, photos, cpu, idleFps,
  };
}, markdown);
