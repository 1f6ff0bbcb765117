// Kopilka kiosk camera: getUserMedia → the scan worker, which reads the camera's frames,
// looks for motion and decodes the frames worth it (zxing-wasm) → text for the wasm kiosk.
//
// Implemented
//   - user-facing camera (1280×720 ideal); the frames go straight to the worker through a
//     MediaStreamTrackProcessor (no work on this thread, no GPU); where that is missing, each
//     frame of the <video> is handed over as a VideoFrame (or an ImageBitmap)
//   - the worker decides what to decode (scan-worker.js): every frame while something moves
//     in view, alternating the viewfinder's region at the camera's resolution and the whole
//     frame shrunk to 640×480; one frame every 2 s on a still attract screen
//   - frames are decoded only while the kiosk's state says `scanning`; one at a time, the
//     ones that arrive meanwhile are dropped, never queued; the worker and its decoder start
//     when the kiosk first scans (not while the kiosk's own wasm compiles)
//   - the <video> plays only while a preview shows
//   - the same code read again within 3 s is forwarded once
//   - nothing moving in view and no screen change for 10 s: the worker's copy of the camera
//     track is asked for at most 10 frames a second (the browser drops the others before they
//     reach the page; the preview keeps the camera's rate), and the first frame in which
//     something moves brings the full rate back: a person walking up to the kiosk does, before
//     any card is held up. A card that appears with nothing moving before it waits for the next
//     of the 10 frames a second (50 ms on average, at most 100) instead of the next of the
//     camera's 15–30 a second
//   - camera denied / missing / unplugged: a console warning, window.kopilkaCamera.status
//     says why, and the kiosk keeps working with the USB scanner and the keypad; a
//     missing camera is retried when devices change and every 15 s
//   - the preview inside the viewfinder the scan screen draws (state.preview), nowhere else
//   - window.kopilkaCamera.pace says which rate the worker gets ('full' | 'idle'); idleAfterMs
//     may be changed (tests, benchmarks; Infinity keeps the full rate)
//   - window.kopilkaCamera.decodeFrame(imageData) decodes RGBA pixels whole,
//     .scanFrame(frame, pass) runs one pass of the camera pipeline, and .offerFrame(frame,
//     screen) hands a frame over as the camera would (benchmarks, tests)
// Missing
//   - choosing among several cameras (the browser's default user-facing one is used)
//   - torch / focus control

const STATE_POLL_IDLE_MS = 200;       // how often to look at the state when not scanning
const FRAME_WAIT_MS = 100;            // no new frame (tab hidden, no rVFC): look again
const WORKER_STATE_POLL_MS = 50;      // the worker reads the frames: how often it hears the state
const SAME_CODE_DEBOUNCE_MS = 3000;
const CAMERA_RETRY_MS = 15000;
const IDLE_AFTER_MS = 10000;          // nothing moving this long: the worker's frames slow down
const IDLE_FRAME_RATE = 10;           // … to at most this many a second

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
  let onStreamCode = null;    // (result) => void, for frames the worker reads itself
  let onMotion = null;        // () => void: the worker saw something move in the camera's frames

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
      if (msg.type === 'frames') {  // the worker's tally of the camera's frames since its last
        if (msg.motion > 0 && onMotion) onMotion();
        stats.frames += msg.count;
        stats.motionFrames += msg.motion;
        stats.decodes += msg.decodes;
        stats.totalMs += msg.ms;
        if (msg.lastMs !== null) stats.lastMs = msg.lastMs;
        for (const [pass, n] of Object.entries(msg.passes)) stats.passes[pass] = (stats.passes[pass] || 0) + n;
        if (msg.error) warn('decode failed:', msg.error);
        return;
      }
      if (msg.type === 'code') {
        if (onStreamCode) onStreamCode({ text: msg.text, format: msg.format || null, ms: msg.ms, pass: msg.pass });
        return;
      }
      if (msg.type === 'error') {
        warn('the barcode decoder did not load:', msg.error);
        failAll(new Error('scan worker: ' + msg.error));
        return;
      }
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error('scan worker: ' + msg.error));
      else waiter.resolve(msg);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const detail = event.message || 'the worker script failed to load';
      warn('scan worker error:', detail);
      failAll(new Error('scan worker: ' + detail));
    };
    return worker;
  }

  function count(msg) {
    if (msg.motion) {
      stats.motionFrames += 1;
      if (onMotion) onMotion();  // a frame offered as the camera's (offerFrame)
    }
    if (!msg.decoded) return;
    stats.decodes += 1;
    stats.lastMs = msg.ms;
    stats.totalMs += msg.ms;
    if (msg.pass) stats.passes[msg.pass] = (stats.passes[msg.pass] || 0) + 1;
  }

  function send(message, transfer) {
    return new Promise((resolve, reject) => {
      try {
        const w = ensureWorker();
        const id = nextId++;
        pending.set(id, { resolve, reject });
        w.postMessage({ id, ...message }, transfer);
      } catch (err) {
        reject(err);
      }
    }).then((msg) => {
      count(msg);
      return { text: msg.text, format: msg.format || null, ms: msg.ms, pass: msg.pass || null, decoded: !!msg.decoded, motion: !!msg.motion };
    });
  }

  // RGBA pixels decoded whole. With transfer=true the buffer is moved (the caller's array is
  // emptied); otherwise it is copied so the caller can reuse its ImageData.
  function decode({ data, width, height }, { transfer = false } = {}) {
    const bytes = transfer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
      ? data.buffer
      : data.slice().buffer;
    return send({ width, height, buffer: bytes }, [bytes]);
  }

  // A camera frame (VideoFrame or ImageBitmap, transferred: the worker closes it).
  function scan(frame, { screen, roi = null, force = null } = {}) {
    stats.frames += 1;
    return send({ frame, screen, roi, force }, [frame]).catch((err) => {
      if (typeof frame.close === 'function') frame.close();  // never reached the worker
      throw err;
    });
  }

  // The camera's frames straight to the worker (MediaStreamTrackProcessor): it reads and
  // decodes them itself and reports codes to onCode; view(state) tells it what the kiosk shows.
  function stream(readable, onCode, moved) {
    onStreamCode = onCode;
    onMotion = moved;
    ensureWorker().postMessage({ type: 'camera', readable }, [readable]);
  }
  function view(state) {
    if (worker) worker.postMessage({ type: 'state', ...state });
  }

  return { decode, scan, stream, view, isBroken: () => broken !== null };
}

// A frame of the video to hand over: a VideoFrame wraps the camera's buffer without a copy.
async function captureFrame(video) {
  if (typeof VideoFrame === 'function') {
    try {
      return new VideoFrame(video);
    } catch (err) {
      // e.g. no frame decoded yet; fall through to the bitmap
    }
  }
  return createImageBitmap(video);
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
    frames: 0,                // camera frames handed to the worker
    motionFrames: 0,          // of which the worker saw something move
    decodes: 0,               // frames decoded (camera and decodeFrame together)
    passes: {},               // decodes by pass: roi, full, whole
    lastMs: null,             // time of the last decode inside the worker
    totalMs: 0,
    found: 0,                 // codes forwarded to the kiosk
    lastCode: null,           // { text, format, at }
    pace: null,               // the worker's frames: 'full' | 'idle' (at most IDLE_FRAME_RATE a second)
    paceChanges: 0,
    idleAfterMs: IDLE_AFTER_MS,
    idleFrameRate: IDLE_FRAME_RATE,
    frame: null,              // { width, height } of the camera's frames
    pipeline: null,           // 'worker': frames go straight to the scan worker; 'page': through the <video>
    decodeFrame: null,
    scanFrame: null,
    offerFrame: null,
  };
  window.kopilkaCamera = stats;

  const decoder = createDecoder(stats);
  stats.decodeFrame = (imageData) => decoder.decode(imageData);
  stats.scanFrame = (frame, pass) => decoder.scan(frame, { screen: 'scan', force: pass });
  stats.offerFrame = (frame, screen) => decoder.scan(frame, { screen });

  let stream = null;
  let unsentFrames = null;  // the camera's frames (a ReadableStream) until the worker takes them
  let workerTrack = null;   // the clone of the camera's track whose frames the worker reads
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
        workerTrack = null;
        stats.pace = null;
        video.srcObject = null;
        setStatus('unavailable', 'camera track ended');
        scheduleRetry();
      });
      if (typeof MediaStreamTrackProcessor === 'function') {
        // The worker reads the frames itself; the <video> plays only while a preview shows.
        // Handed over once the kiosk first scans: the decoder's wasm compiles then, not
        // while the kiosk's own wasm starts.
        workerTrack = track.clone();
        unsentFrames = new MediaStreamTrackProcessor({ track: workerTrack }).readable;
        stats.pace = 'full';
        lastChange = performance.now();
        stats.pipeline = 'worker';
        stats.frame = (({ width, height }) => ({ width, height }))(track.getSettings());
        previewKey = '';
      } else {
        video.srcObject = stream;
        await video.play();
        stats.pipeline = 'page';
      }
      setStatus('running', null);
    } catch (err) {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      if (workerTrack) workerTrack.stop();
      stream = null;
      workerTrack = null;
      stats.pipeline = null;
      stats.pace = null;
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
    // Only inside the viewfinder the kiosk drew (state.preview), never over a control.
    let key = 'off';
    const rect = state && state.preview;
    if (stats.status === 'running' && !decoder.isBroken() && state && state.scanning &&
        rect && typeof rect === 'object') {
      key = `${Math.round(rect.x)},${Math.round(rect.y)},${Math.round(rect.w)},${Math.round(rect.h)}`;
    }
    if (key === previewKey) return;
    previewKey = key;
    if (stats.pipeline === 'worker') {
      const want = key !== 'off' ? stream : null;
      if (video.srcObject !== want) {
        video.srcObject = want;
        if (want) video.play().catch((err) => warn('preview:', describe(err)));
      }
    }
    const placed = key !== 'off';
    video.classList.toggle('camera--preview', placed);
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

  // Resolves at the video's next frame, or after `ms` whichever is first.
  function nextFrame(ms) {
    return new Promise((resolve) => {
      const rvfc = typeof video.requestVideoFrameCallback === 'function' && ms <= FRAME_WAIT_MS;
      let handle = 0;
      const timer = setTimeout(() => {
        if (rvfc) video.cancelVideoFrameCallback(handle);
        resolve();
      }, ms);
      if (rvfc) {
        handle = video.requestVideoFrameCallback(() => {
          clearTimeout(timer);
          resolve();
        });
      }
    });
  }

  let sentView = '';
  function tellWorker(state) {
    const scanning = !!(state && state.scanning) && !document.hidden;
    const v = { scanning, screen: state ? state.screen : null, roi: null };
    const key = JSON.stringify(v);
    if (key === sentView) return;
    sentView = key;
    lastChange = performance.now();  // a screen change: someone is at the kiosk
    decoder.view(v);
  }

  // The worker's frame rate: full while something moved (or the screen changed) in the last
  // idleAfterMs, else at most IDLE_FRAME_RATE a second. applyConstraints on the worker's clone
  // of the track only drops frames (the camera keeps its format and the preview its rate), and
  // takes effect within a frame either way.
  let lastChange = 0;
  let pacing = false;
  function pace() {
    if (!workerTrack || workerTrack.readyState !== 'live' || pacing || !stats.pace) return;
    const want = performance.now() - lastChange < stats.idleAfterMs ? 'full' : 'idle';
    if (want === stats.pace) return;
    const { width, height } = CONSTRAINTS.video;
    const constraints = want === 'idle' ? { width, height, frameRate: { max: IDLE_FRAME_RATE } } : { width, height };
    pacing = true;
    workerTrack.applyConstraints(constraints).then(() => {
      stats.pace = want;
      stats.paceChanges += 1;
    }, (err) => {
      warn('the camera\'s frame rate stays as it is:', describe(err));
      stats.pace = null;  // not tried again
    }).finally(() => { pacing = false; });
  }
  function moved() {
    lastChange = performance.now();
    pace();
  }

  async function loop() {
    for (;;) {
      const state = readState();
      updatePreview(state);
      if (stats.pipeline === 'worker') {
        if (unsentFrames && state && state.scanning) {
          decoder.stream(unsentFrames, forward, moved);
          unsentFrames = null;
          sentView = '';
        }
        tellWorker(stats.status === 'running' ? state : null);
        pace();
        await nextFrame(WORKER_STATE_POLL_MS);
        continue;
      }
      if (stats.status !== 'running' || !state || !state.scanning || decoder.isBroken() || document.hidden) {
        await nextFrame(STATE_POLL_IDLE_MS);
        continue;
      }
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) {
        await nextFrame(FRAME_WAIT_MS);
        continue;
      }
      try {
        stats.frame = { width: video.videoWidth, height: video.videoHeight };
        const frame = await captureFrame(video);
        forward(await decoder.scan(frame, { screen: state.screen }));
      } catch (err) {
        if (!decoder.isBroken()) warn('decode failed:', describe(err));
      }
      await nextFrame(FRAME_WAIT_MS);
    }
  }

  loop();
  return { start };
}
