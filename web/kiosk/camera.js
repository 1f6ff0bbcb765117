// Kopilka kiosk camera: getUserMedia → <video> → small RGBA frame → scan worker
// (zxing-wasm) → text for the wasm kiosk.
//
// Implemented
//   - user-facing camera (1280×720 ideal), frames scaled to fit 640×480 (aspect kept)
//   - decodes only while the kiosk's state says `scanning`, one decode in flight at a
//     time, at most ~8 decodes/s; frames are never queued
//   - the same code read again within 3 s is forwarded once
//   - camera denied / missing / unplugged: a console warning, window.kopilkaCamera.status
//     says why, and the kiosk keeps working with the USB scanner and the keypad; a
//     missing camera is retried when devices change and every 15 s
//   - preview box while the kiosk is on its "scan" screen (or where state.preview says)
//   - window.kopilkaCamera.decodeFrame(imageData) for benchmarks
// Missing
//   - choosing among several cameras (the browser's default user-facing one is used)
//   - torch / focus control

const FRAME_WIDTH_MAX = 640;
const FRAME_HEIGHT_MAX = 480;
const DECODE_INTERVAL_MIN_MS = 125;   // ≤ 8 decodes per second on the scan screen
const ATTRACT_INTERVAL_MIN_MS = 250;  // ≤ 4 on the attract screen: a card held up is still seen at once
const STATE_POLL_IDLE_MS = 200;       // how often to look at the state when not scanning
const VIDEO_WAIT_MS = 100;            // camera running but no frame yet
const SAME_CODE_DEBOUNCE_MS = 3000;
const CAMERA_RETRY_MS = 15000;

const CONSTRAINTS = Object.freeze({
  audio: false,
  video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } },
});

const warn = (...args) => console.warn('[kopilka camera]', ...args);

// ---- decoder: the scan worker behind a promise API --------------------------------------

function createDecoder(stats) {
  let worker = null;
  let broken = null;          // Error once the worker failed to start
  let nextId = 1;
  const pending = new Map();  // id → { resolve, reject }

  function failAll(error) {
    broken = error;
    stats.decoder = 'failed';
    stats.decoderError = error.message;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  function ensureWorker() {
    if (broken) throw broken;
    if (worker) return worker;
    worker = new Worker(new URL('./scan-worker.js', import.meta.url), { type: 'module', name: 'kopilka-scan' });
    stats.decoder = 'loading';
    worker.onmessage = (event) => {
      const msg = event.data || {};
      if (msg.type === 'ready') { stats.decoder = 'ready'; return; }
      if (msg.type === 'error') {
        warn('the barcode decoder did not load:', msg.error);
        failAll(new Error('scan worker: ' + msg.error));
        return;
      }
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error('scan worker: ' + msg.error));
      else waiter.resolve({ text: msg.text, format: msg.format || null, ms: msg.ms });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const detail = event.message || 'the worker script failed to load';
      warn('scan worker error:', detail);
      failAll(new Error('scan worker: ' + detail));
    };
    return worker;
  }

  // Sends RGBA pixels to the worker. With transfer=true the buffer is moved (the caller's
  // array is emptied); otherwise it is copied so the caller can reuse its ImageData.
  function decode({ data, width, height }, { transfer = false } = {}) {
    return new Promise((resolve, reject) => {
      try {
        const w = ensureWorker();
        const bytes = transfer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
          ? data.buffer
          : data.slice().buffer;
        const id = nextId++;
        pending.set(id, { resolve, reject });
        w.postMessage({ id, width, height, buffer: bytes }, [bytes]);
      } catch (err) {
        reject(err);
      }
    }).then((result) => {
      stats.decodes += 1;
      stats.lastMs = result.ms;
      stats.totalMs += result.ms;
      return result;
    });
  }

  return { decode, isBroken: () => broken !== null };
}

// ---- frame grabbing ---------------------------------------------------------------------

function frameSize(videoWidth, videoHeight) {
  const scale = Math.min(1, FRAME_WIDTH_MAX / videoWidth, FRAME_HEIGHT_MAX / videoHeight);
  return { width: Math.max(1, Math.round(videoWidth * scale)), height: Math.max(1, Math.round(videoHeight * scale)) };
}

function createGrabber() {
  let canvas = null;
  let ctx = null;
  return function grab(video) {
    const { width, height } = frameSize(video.videoWidth, video.videoHeight);
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = typeof OffscreenCanvas === 'function'
        ? new OffscreenCanvas(width, height)
        : Object.assign(document.createElement('canvas'), { width, height });
      ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    }
    ctx.drawImage(video, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  };
}

// ---- camera -----------------------------------------------------------------------------

function classify(err) {
  const name = err && err.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  return 'unavailable';  // NotFoundError, NotReadableError, OverconstrainedError, AbortError …
}

function describe(err) {
  if (!err) return 'unknown error';
  return err.name ? `${err.name}: ${err.message}` : String(err.message || err);
}

/**
 * Sets up window.kopilkaCamera and returns { start }.
 * @param {object} o
 * @param {HTMLVideoElement} o.video    element that receives the stream (also the preview)
 * @param {() => object|null} o.getState  the kiosk's state, or null while it is not ready
 * @param {(text: string, format: string|null) => void} o.onCode  a newly read code
 */
export function setupCamera({ video, getState, onCode }) {
  const stats = {
    status: 'starting',       // 'starting' | 'running' | 'denied' | 'unavailable'
    error: null,
    decoder: 'idle',          // 'idle' | 'loading' | 'ready' | 'failed'
    decoderError: null,
    decodes: 0,               // frames decoded (camera and decodeFrame together)
    lastMs: null,             // time of the last decode inside the worker
    totalMs: 0,
    found: 0,                 // codes forwarded to the kiosk
    lastCode: null,           // { text, format, at }
    frame: null,              // { width, height } of the frames sent to the worker
    decodeFrame: null,
  };
  window.kopilkaCamera = stats;

  const decoder = createDecoder(stats);
  const grab = createGrabber();
  stats.decodeFrame = (imageData) => decoder.decode(imageData);

  let stream = null;
  let starting = false;
  let retryTimer = 0;
  let lastSent = { text: null, at: -Infinity };

  function setStatus(status, error) {
    stats.status = status;
    stats.error = error || null;
  }

  async function start() {
    if (starting || stats.status === 'running') return;
    starting = true;
    clearTimeout(retryTimer);
    try {
      if (!window.isSecureContext) {
        throw Object.assign(new Error('the camera needs https:// or localhost'), { name: 'NotSupportedError' });
      }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error('this browser has no getUserMedia'), { name: 'NotSupportedError' });
      }
      stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
      const [track] = stream.getVideoTracks();
      track.addEventListener('ended', () => {
        warn('the camera stopped (unplugged?); the scanner and keypad still work');
        stream = null;
        video.srcObject = null;
        setStatus('unavailable', 'camera track ended');
        scheduleRetry();
      });
      video.srcObject = stream;
      await video.play();
      setStatus('running', null);
    } catch (err) {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      const status = classify(err);
      setStatus(status, describe(err));
      warn(`camera ${status} (${describe(err)}); the USB scanner and the keypad still work`);
      if (status === 'unavailable') scheduleRetry();
    } finally {
      starting = false;
    }
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, CAMERA_RETRY_MS);
  }

  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener('devicechange', () => {
      if (stats.status === 'unavailable') start();
    });
  }

  // -- preview --
  let previewKey = '';
  function updatePreview(state) {
    let key = 'off';
    const rect = state && state.preview;
    if (stats.status === 'running' && !decoder.isBroken() && state && state.scanning && rect !== false) {
      if (rect && typeof rect === 'object') key = `${rect.x},${rect.y},${rect.w},${rect.h}`;
      else if (state.screen === 'scan') key = 'default';
    }
    if (key === previewKey) return;
    previewKey = key;
    video.classList.toggle('camera--preview', key !== 'off');
    video.classList.toggle('camera--placed', key !== 'off' && key !== 'default');
    const placed = key !== 'off' && key !== 'default';
    video.style.left = placed ? `${rect.x}px` : '';
    video.style.top = placed ? `${rect.y}px` : '';
    video.style.width = placed ? `${rect.w}px` : '';
    video.style.height = placed ? `${rect.h}px` : '';
  }

  // -- the decode loop: one frame in flight at most, never queued --
  function readState() {
    try {
      return getState();
    } catch (err) {
      return null;
    }
  }

  function forward(result) {
    if (!result.text) return;
    const now = performance.now();
    if (result.text === lastSent.text && now - lastSent.at < SAME_CODE_DEBOUNCE_MS) return;
    const state = readState();
    if (!state || !state.scanning) return;  // the kiosk moved on while we were decoding
    lastSent = { text: result.text, at: now };
    stats.found += 1;
    stats.lastCode = { text: result.text, format: result.format, at: Date.now() };
    onCode(result.text, result.format);
  }

  function schedule(ms) {
    setTimeout(tick, ms);
  }

  async function tick() {
    const state = readState();
    updatePreview(state);
    if (stats.status !== 'running' || !state || !state.scanning || decoder.isBroken() || document.hidden) {
      schedule(STATE_POLL_IDLE_MS);
      return;
    }
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) {
      schedule(VIDEO_WAIT_MS);
      return;
    }
    const started = performance.now();
    try {
      const frame = grab(video);
      stats.frame = { width: frame.width, height: frame.height };
      forward(await decoder.decode(frame, { transfer: true }));
    } catch (err) {
      if (!decoder.isBroken()) warn('decode failed:', describe(err));
    }
    const interval = state.screen === 'attract' ? ATTRACT_INTERVAL_MIN_MS : DECODE_INTERVAL_MIN_MS;
    schedule(Math.max(0, interval - (performance.now() - started)));
  }

  schedule(0);
  return { start };
}
