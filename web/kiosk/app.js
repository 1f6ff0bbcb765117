// Kopilka kiosk page: starts the wasm kiosk (kiosk.js, Emscripten output loaded as a
// classic script just before this module) and the camera scanner.
//
// The wasm draws every screen, reads the USB scanner (keyboard wedge) and the keypad
// itself, and writes the screen's text into #kopilka-mirror. This file only hands it the
// canvas, feeds it camera codes and exposes window.kopilka for tests:
//   window.kopilka = { ready: false }                      while loading (error: '…' if it failed)
//   window.kopilka = { ready: true, state(), scan(text, source='camera'), module }

import { setupCamera } from './camera.js';
import { setupFeedback } from './feedback.js';

window.kopilka = { ready: false };

const canvas = document.getElementById('canvas');
const video = document.getElementById('kopilka-camera');
const boot = document.getElementById('kopilka-boot');
const BOOT_RETRY_MS = 30000;
let reloadTimer = 0;

function showBootError(message) {
  window.kopilka = { ready: false, error: message };
  console.error('[kopilka]', message);
  boot.hidden = false;
  boot.classList.add('boot--error');
  boot.querySelector('.boot__text').textContent =
    'Киоск не запустился. Kiosks nevarēja startēt. The kiosk could not start.';
  // Unattended kiosk: try again later rather than show the error until someone notices.
  if (!reloadTimer) reloadTimer = setTimeout(() => window.location.reload(), BOOT_RETRY_MS);
}

function kioskApi(Module) {
  return {
    ready: true,
    module: Module,
    state: () => JSON.parse(Module.ccall('kopilka_state_json', 'string', [], [])),
    // Just what the camera needs (cheap: it asks 8 times a second): { scanning, screen }.
    cameraState: () => JSON.parse(Module.ccall('kopilka_camera_state', 'string', [], [])),
    scan: (text, source) => Module.ccall('kopilka_scan', null, ['string', 'string'], [String(text), source || 'camera']),
  };
}

// The merchant's pictures of rewards: the wasm draws the tiles and calls this with where each
// picture goes ([{id, src, x, y, w, h}], CSS pixels) whenever that changes; one <img> per reward.
function setupPictures() {
  const layer = document.getElementById('kopilka-pictures');
  const shown = new Map();  // reward id → <img>
  window.kopilkaPictures = (json) => {
    const wanted = new Map(JSON.parse(json).map((p) => [p.id, p]));
    for (const [id, img] of shown) {
      if (!wanted.has(id)) { img.remove(); shown.delete(id); }
    }
    for (const [id, p] of wanted) {
      let img = shown.get(id);
      if (!img) {
        img = document.createElement('img');
        img.className = 'picture';
        img.alt = '';
        img.decoding = 'async';
        img.dataset.reward = id;
        img.addEventListener('error', () => { img.hidden = true; });  // the tile's words remain
        layer.append(img);
        shown.set(id, img);
      }
      if (img.getAttribute('src') !== p.src) { img.hidden = false; img.src = p.src; }
      Object.assign(img.style, { left: `${p.x}px`, top: `${p.y}px`, width: `${p.w}px`, height: `${p.h}px` });
    }
  };
}

async function main() {
  setupFeedback();
  setupPictures();
  // The camera starts while the wasm downloads; it decodes only once the kiosk asks, after the
  // kiosk's first frame is on screen (the scan worker's decoder then loads and compiles without
  // competing with the kiosk's own start).
  let drawn = false;
  const camera = setupCamera({
    video,
    getState: () => (window.kopilka.ready && drawn ? window.kopilka.cameraState() : null),
    onCode: (text) => window.kopilka.scan(text, 'camera'),
  });
  camera.start();

  if (typeof window.createKioskModule !== 'function') {
    throw new Error('kiosk.js did not load (createKioskModule is missing)');
  }
  const Module = await window.createKioskModule({
    canvas,
    locateFile: (path) => path,
    onAbort: (what) => showBootError('the wasm aborted: ' + what),
  });
  window.kopilka = kioskApi(Module);
  requestAnimationFrame(() => requestAnimationFrame(() => { drawn = true; }));
  // The outbox retries at once when the network comes back; offline, the screen says so.
  const online = (on) => Module.ccall('kopilka_set_online', null, ['number'], [on ? 1 : 0]);
  window.addEventListener('online', () => online(true));
  window.addEventListener('offline', () => online(false));
  if (!navigator.onLine) online(false);
  boot.hidden = true;
  window.dispatchEvent(new Event('kopilka-ready'));
}

main().catch((err) => showBootError(String((err && err.message) || err)));
