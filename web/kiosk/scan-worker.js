// Kopilka scan worker (module worker): watches the camera's frames for motion and decodes
// the ones worth it with zxing-wasm (ZXing-C++ compiled to WebAssembly), served by us from
// /vendor/zxing-wasm/ (tools/stage-web.sh copies it there; never a CDN).
//
// Protocol
//   in:  { id, frame, screen, roi?, force? }   frame = a VideoFrame or ImageBitmap of the
//          camera (transferred; the worker closes it). The worker decides whether to decode
//          it (see "When a frame is decoded") and which pass to run; `force: 'roi' | 'full'`
//          runs that pass without asking (benchmarks). roi = { x, y, w, h } in the frame's
//          pixels, where the viewfinder asks the shopper to hold the card (default: the
//          middle 640×480).
//        { id, width, height, buffer }        RGBA bytes (transferred), width*height*4: decoded
//          as they are, whole (benchmarks, tests).
//        { type: 'camera', readable }   the camera's frames as a ReadableStream of VideoFrames
//          (MediaStreamTrackProcessor, transferred): the worker reads them itself, with no
//          work on the page's thread, and posts { type: 'code', text, format, ms, pass } for
//          each code it reads while the page says it is scanning, and a tally of the frames
//          { type: 'frames', count, motion, decodes, ms, lastMs, passes, error } with each
//          decode and otherwise once a second
//        { type: 'state', scanning, screen, roi }   what the kiosk shows (sent when it changes)
//   out: { id, text, format, ms, pass, motion, decoded }   text is null when nothing was read
//          or the frame was not decoded (decoded: false); ms = time in readBarcodes
//        { id, text: null, ms, error }   the frame could not be read or decoded
//   On start the worker also posts { type: 'ready' } or { type: 'error', error } once the
//   decoder's wasm is loaded.
//
// Pixels come from the frame's luma plane where the frame has one in memory (the camera's
// I420/NV12 frames: one copy, no colour conversion, no GPU), otherwise through a 2D canvas.
//
// Two passes keep the camera's detail at a bounded cost: `roi` reads the viewfinder's region
// at the camera's own resolution (a card held at the viewfinder: EAN-13 and Code 128 bars stay
// several pixels wide), `full` the whole frame shrunk to fit 640×480 (a large code anywhere in
// view). While frames are decoded the passes alternate, one per frame (each ≤ 8 ms here); the
// first frame in which something moves after a still scene gets both, ROI first. A frame no
// larger than 640×480 is decoded whole.
//
// When a frame is decoded: a 64-pixel-wide grey thumbnail of every frame is compared with the
// thumbnail of about 400 ms before (each pixel less the mean change, so the camera's exposure
// drifting is not motion). Something moving in view decodes every frame, and keeps doing so for
// 1.5 s after it stops; a still scene decodes one frame every 2 s on the attract screen (a card
// laid still in front of the camera is read all the same), every 0.5 s on the scan screen.

import { prepareZXingModule, readBarcodes } from '../vendor/zxing-wasm/es/reader/index.js';

const WASM_DIR = new URL('../vendor/zxing-wasm/reader/', import.meta.url).href;

// Card identifiers are QR (phone/printed cards with a MAC), EAN-13 and Code 128 (plastic
// cards). Restricting the formats matters: most frames show no code at all, and with the
// defaults ZXing tries every format on every empty frame.
const READER_OPTIONS = Object.freeze({
  formats: ['QRCode', 'EAN13', 'Code128'],
  tryHarder: true,
  maxNumberOfSymbols: 1,
});

const PASS_WIDTH = 640;            // a pass decodes at most 640×480 pixels
const PASS_HEIGHT = 480;
const THUMB_WIDTH = 64;
const MOTION_LOOKBACK_MS = 400;    // compare with the thumbnail this old
const MOTION_PIXEL_DELTA = 18;     // grey levels, after the mean change is taken out
const MOTION_SHARE = 0.005;        // of the thumbnail's pixels must change (12 of 64×36)
const ACTIVE_AFTER_MOTION_MS = 1500;
const STILL_INTERVAL_MS = { attract: 2000, scan: 500 };
const STILL_INTERVAL_OTHER_MS = 1000;

const ready = prepareZXingModule({
  overrides: {
    locateFile: (path, prefix) => (path.endsWith('.wasm') ? WASM_DIR + path : prefix + path),
  },
  fireImmediately: true,
});

ready.then(
  () => self.postMessage({ type: 'ready' }),
  (err) => self.postMessage({ type: 'error', error: String((err && err.message) || err) }),
);

async function readImage(image) {
  await ready;
  const started = performance.now();
  const results = await readBarcodes(image, READER_OPTIONS);
  const ms = performance.now() - started;
  const hit = results.find((r) => r.isValid && r.text);
  return hit ? { text: hit.text, format: hit.format, ms } : { text: null, ms };
}

// ---- pixels out of a frame ----------------------------------------------------------------

const canvases = new Map();  // "w×h" → 2D context, reused
function context(width, height) {
  const key = `${width}x${height}`;
  let ctx = canvases.get(key);
  if (!ctx) {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { alpha: false, willReadFrequently: true });
    canvases.set(key, ctx);
  }
  return ctx;
}

function frameSize(frame) {
  return frame.displayWidth !== undefined
    ? { width: frame.displayWidth, height: frame.displayHeight }
    : { width: frame.width, height: frame.height };
}

// Source rectangle (in frame pixels) and output size of one pass.
function passGeometry(pass, width, height, roi) {
  if (width * height <= PASS_WIDTH * PASS_HEIGHT) {
    return { sx: 0, sy: 0, sw: width, sh: height, dw: width, dh: height };
  }
  if (pass === 'roi') {
    const r = roi || {};
    const sw = Math.min(width, Math.max(1, Math.round(r.w || PASS_WIDTH)));
    const sh = Math.min(height, Math.max(1, Math.round(r.h || PASS_HEIGHT)));
    const cx = r.w ? r.x + r.w / 2 : width / 2;
    const cy = r.h ? r.y + r.h / 2 : height / 2;
    const sx = Math.min(width - sw, Math.max(0, Math.round(cx - sw / 2)));
    const sy = Math.min(height - sh, Math.max(0, Math.round(cy - sh / 2)));
    // A viewfinder larger than a pass is read at the largest scale that fits one.
    const scale = Math.min(1, PASS_WIDTH / sw, PASS_HEIGHT / sh);
    return { sx, sy, sw, sh, dw: Math.round(sw * scale), dh: Math.round(sh * scale) };
  }
  const scale = Math.min(1, PASS_WIDTH / width, PASS_HEIGHT / height);
  return {
    sx: 0, sy: 0, sw: width, sh: height,
    dw: Math.max(1, Math.round(width * scale)), dh: Math.max(1, Math.round(height * scale)),
  };
}

const LUMA_FORMATS = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);
let lumaBuffer = new Uint8Array(0);

// The frame's luma plane (width × height bytes, one per pixel), or null when the frame has no
// plane in memory (a GPU texture, an ImageBitmap).
async function lumaOf(frame) {
  if (!LUMA_FORMATS.has(frame.format)) return null;
  const rect = { x: 0, y: 0, width: frame.displayWidth, height: frame.displayHeight };
  const size = frame.allocationSize({ rect });
  if (lumaBuffer.length < size) lumaBuffer = new Uint8Array(size);
  const layout = await frame.copyTo(lumaBuffer, { rect });
  return { data: lumaBuffer, offset: layout[0].offset, stride: layout[0].stride, width: rect.width, height: rect.height };
}

const OPAQUE = 0xff000000;
// The pass's region of the luma plane as grey RGBA, shrunk by averaging 2×2 source pixels at
// each sample point when the pass is smaller than its region.
function lumaPixels(luma, g) {
  const out = new ImageData(g.dw, g.dh);
  const px = new Uint32Array(out.data.buffer);
  const { data, offset, stride } = luma;
  const fx = g.sw / g.dw;
  const fy = g.sh / g.dh;
  for (let y = 0; y < g.dh; y += 1) {
    const sy = g.sy + Math.floor(y * fy);
    const row = offset + sy * stride;
    const below = fy > 1 && sy + 1 < luma.height ? stride : 0;
    for (let x = 0; x < g.dw; x += 1) {
      const sx = g.sx + Math.floor(x * fx);
      let v = data[row + sx];
      if (fx > 1) {
        const right = sx + 1 < luma.width ? 1 : 0;
        v = (v + data[row + sx + right] + data[row + below + sx] + data[row + below + sx + right] + 2) >> 2;
      }
      px[y * g.dw + x] = OPAQUE | (v << 16) | (v << 8) | v;
    }
  }
  return out;
}

function passPixels(frame, luma, pass, roi) {
  const { width, height } = frameSize(frame);
  const g = passGeometry(pass, width, height, roi);
  if (luma) return lumaPixels(luma, g);
  const ctx = context(g.dw, g.dh);
  ctx.imageSmoothingQuality = 'medium';
  ctx.drawImage(frame, g.sx, g.sy, g.sw, g.sh, 0, 0, g.dw, g.dh);
  return ctx.getImageData(0, 0, g.dw, g.dh);
}

// ---- motion -------------------------------------------------------------------------------

const history = [];  // { at, grey: Uint8Array } oldest first, ~MOTION_LOOKBACK_MS of them
let thumbKey = '';

function thumbnail(frame, luma) {
  const { width, height } = frameSize(frame);
  const tw = THUMB_WIDTH;
  const th = Math.max(1, Math.round((THUMB_WIDTH * height) / width));
  const grey = new Uint8Array(tw * th);
  if (luma) {
    // Each thumbnail pixel: the mean of 4 luma samples inside its block.
    const bw = width / tw;
    const bh = height / th;
    for (let y = 0; y < th; y += 1) {
      const r0 = luma.offset + Math.floor((y + 0.25) * bh) * luma.stride;
      const r1 = luma.offset + Math.floor((y + 0.75) * bh) * luma.stride;
      for (let x = 0; x < tw; x += 1) {
        const c0 = Math.floor((x + 0.25) * bw);
        const c1 = Math.floor((x + 0.75) * bw);
        grey[y * tw + x] = (luma.data[r0 + c0] + luma.data[r0 + c1] + luma.data[r1 + c0] + luma.data[r1 + c1] + 2) >> 2;
      }
    }
    return { key: `${tw}x${th}`, grey };
  }
  const ctx = context(tw, th);
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(frame, 0, 0, tw, th);
  const rgba = ctx.getImageData(0, 0, tw, th).data;
  for (let i = 0, j = 0; i < grey.length; i += 1, j += 4) {
    grey[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
  }
  return { key: `${tw}x${th}`, grey };
}

// True when thumbnail a differs from b by more than noise and a change of exposure.
function changed(a, b) {
  let mean = 0;
  for (let i = 0; i < a.length; i += 1) mean += a[i] - b[i];
  mean /= a.length;
  let count = 0;
  for (let i = 0; i < a.length; i += 1) {
    if (Math.abs(a[i] - b[i] - mean) > MOTION_PIXEL_DELTA) count += 1;
  }
  return count >= Math.max(6, Math.ceil(a.length * MOTION_SHARE));
}

// True when the frame differs from the one about MOTION_LOOKBACK_MS ago. The first frame has
// nothing to differ from: no motion (it is decoded at once all the same, as a still scene's
// first frame is).
function motionIn(frame, luma, now) {
  const thumb = thumbnail(frame, luma);
  if (thumb.key !== thumbKey) {
    history.length = 0;
    thumbKey = thumb.key;
  }
  let reference = null;
  for (const h of history) if (now - h.at >= MOTION_LOOKBACK_MS) reference = h;
  if (!reference && history.length) reference = history[0];
  history.push({ at: now, grey: thumb.grey });
  while (history.length > 1 && now - history[1].at >= MOTION_LOOKBACK_MS) history.shift();
  return reference !== null && changed(thumb.grey, reference.grey);
}

// ---- the schedule -------------------------------------------------------------------------

const schedule = { activeUntil: -Infinity, lastDecode: -Infinity, next: 'roi' };

// The passes to run on this frame: none, one (alternating), or both on the first frame in
// which something moves after a still scene (someone just held something up: reading it now
// saves a frame's wait).
function choosePasses(screen, motion, now) {
  const onset = motion && now >= schedule.activeUntil;
  if (motion) schedule.activeUntil = now + ACTIVE_AFTER_MOTION_MS;
  const still = STILL_INTERVAL_MS[screen] || STILL_INTERVAL_OTHER_MS;
  if (now >= schedule.activeUntil && now - schedule.lastDecode < still) return [];
  schedule.lastDecode = now;
  if (onset) {
    schedule.next = 'roi';
    return ['roi', 'full'];
  }
  const pass = schedule.next;
  schedule.next = pass === 'roi' ? 'full' : 'roi';
  return [pass];
}

async function onFrame({ frame, screen, roi, force }) {
  try {
    const now = performance.now();
    const luma = await lumaOf(frame);  // one copy of the plane serves the thumbnail and the passes
    const motion = force ? false : motionIn(frame, luma, now);
    const passes = force ? [force] : choosePasses(screen, motion, now);
    if (!passes.length) return { text: null, ms: 0, pass: null, motion, decoded: false };
    let result = null;
    let ms = 0;
    for (const pass of passes) {
      result = { ...(await readImage(passPixels(frame, luma, pass, roi))), pass };
      ms += result.ms;
      if (result.text) break;
    }
    return { ...result, ms, motion, decoded: true };
  } finally {
    frame.close();
  }
}

// ---- frames straight from the camera --------------------------------------------------------

const view = { scanning: false, screen: null, roi: null };

// What the frames did, for the page's stats: sent with a decode, an error, or once a second, so
// an idle camera wakes the page's main thread once a second instead of at every frame.
const TALLY_MS = 1000;
let tally = null;
let tallySent = 0;

// r: onFrame's result for one frame; error: why a frame (or the camera's stream, frame false)
// failed.
function note(r, error, { frame = true } = {}) {
  tally = tally || { type: 'frames', count: 0, motion: 0, decodes: 0, ms: 0, lastMs: null, passes: {}, error: null };
  if (frame) tally.count += 1;
  if (r && r.motion) tally.motion += 1;
  if (r && r.decoded) {
    tally.decodes += 1;
    tally.ms += r.ms;
    tally.lastMs = r.ms;
    if (r.pass) tally.passes[r.pass] = (tally.passes[r.pass] || 0) + 1;
  }
  if (error) tally.error = error;
  const now = performance.now();
  if ((r && r.decoded) || error || now - tallySent >= TALLY_MS) {
    self.postMessage(tally);
    tally = null;
    tallySent = now;
  }
}

async function readCamera(readable) {
  const reader = readable.getReader();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    if (!view.scanning) {
      frame.close();
      continue;
    }
    try {
      const r = await onFrame({ frame, screen: view.screen, roi: view.roi });
      if (r.text) self.postMessage({ type: 'code', text: r.text, format: r.format, ms: r.ms, pass: r.pass });
      note(r, null);
    } catch (err) {
      note(null, String((err && err.message) || err));
    }
  }
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  if (msg.type === 'state') {
    view.scanning = !!msg.scanning;
    view.screen = msg.screen || null;
    view.roi = msg.roi || null;
    return;
  }
  if (msg.type === 'camera') {
    readCamera(msg.readable).catch((err) => note(null, String((err && err.message) || err), { frame: false }));
    return;
  }
  const id = msg.id;
  try {
    if (msg.frame) {
      self.postMessage({ id, ...(await onFrame(msg)) });
      return;
    }
    if (!(msg.buffer instanceof ArrayBuffer) || !(msg.width > 0) || !(msg.height > 0) ||
        msg.buffer.byteLength !== msg.width * msg.height * 4) {
      throw new Error('scan-worker: expected { id, frame } or { id, width, height, buffer } with RGBA bytes');
    }
    const image = { data: new Uint8ClampedArray(msg.buffer), width: msg.width, height: msg.height };
    self.postMessage({ id, ...(await readImage(image)), pass: 'whole', decoded: true });
  } catch (err) {
    self.postMessage({ id, text: null, ms: 0, error: String((err && err.message) || err) });
  }
};
