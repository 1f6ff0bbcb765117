// Kopilka scan worker (module worker): decodes one camera frame at a time with
// zxing-wasm (ZXing-C++ compiled to WebAssembly), served by us from /vendor/zxing-wasm/
// (tools/stage-web.sh copies it there; never a CDN).
//
// Protocol
//   in:  { id, width, height, buffer }   buffer = RGBA bytes (transferred), width*height*4
//   out: { id, text, format, ms }        a code was found (ms = decode time in the worker)
//        { id, text: null, ms }          no code in the frame
//        { id, text: null, ms, error }   the decoder failed (e.g. its wasm did not load)
//   On start the worker also posts { type: 'ready' } or { type: 'error', error } once the
//   decoder's wasm is loaded.

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

async function decode({ width, height, buffer }) {
  await ready;
  // readBarcodes takes anything with { data, width, height } (it converts RGBA to grey).
  const image = { data: new Uint8ClampedArray(buffer), width, height };
  const started = performance.now();
  const results = await readBarcodes(image, READER_OPTIONS);
  const ms = performance.now() - started;
  const hit = results.find((r) => r.isValid && r.text);
  return hit ? { text: hit.text, format: hit.format, ms } : { text: null, ms };
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  const id = msg.id;
  try {
    if (!(msg.buffer instanceof ArrayBuffer) || !(msg.width > 0) || !(msg.height > 0) ||
        msg.buffer.byteLength !== msg.width * msg.height * 4) {
      throw new Error('scan-worker: expected { id, width, height, buffer } with RGBA bytes');
    }
    self.postMessage({ id, ...(await decode(msg)) });
  } catch (err) {
    self.postMessage({ id, text: null, ms: 0, error: String((err && err.message) || err) });
  }
};
