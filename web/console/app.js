// Kopilka console page: starts the wasm console (console.js, Emscripten output loaded as a
// classic script just before this module) and does what only the page can:
//   - places the draft logo (#console-logo) and the website widget's preview (#console-widget,
//     a <kopilka-widget merchant="…" preview> from /widget/v1/kopilka.js) where the wasm's
//     layout says, and hands the widget the draft theme (Kopilka.previewTheme) on every change;
//   - reads a logo file (<input type=file>): PNG, JPEG or WebP of at most 48 KiB, as a data URL;
//   - makes a pairing code's QR code (zxing-wasm's writer, loaded on first use);
//   - reads a CSV file to import (a file input, or a file dropped on the page), at most 64 MiB
//     (the server's limit), and hands its text to the wasm, which checks it with the server;
//   - downloads an export or a report's CSV with the session's token (fetch → Blob → a link),
//     named as the server's Content-Disposition says.
//   - saves a member's export (text the wasm holds) as a downloaded file (a Blob behind an <a download>).
// For tests:
//   window.kopilkaConsole = { ready: false }            while loading (error: '…' if it failed)
//   window.kopilkaConsole = { ready: true, module, state(), layout(), setLogo(file),
//                             setCsv(file), downloads }
//   downloads: [{file, status, type, size, done}], one per download asked for (file: the name
//   saved; done: saved or failed)
//   layout(): the last layout, CSS pixels: {widget:{x,y,w,h}|null, logo:{…}|null, merchant,
//   lang, screen, theme, logo_src}

const LOGO_BYTES_MAX = 48 * 1024;
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const CSV_BYTES_MAX = 64 * 1024 * 1024;

window.kopilkaConsole = { ready: false };

const canvas = document.getElementById('canvas');
const boot = document.getElementById('console-boot');
const logo = document.getElementById('console-logo');
const widgetBox = document.getElementById('console-widget');
const fileInput = document.getElementById('console-logo-file');
let layout = {};
let widgetScript = null;
let themeSent = '';

function place(el, r) {
  if (!r) { el.hidden = true; return; }
  el.hidden = false;
  el.style.left = r.x + 'px';
  el.style.top = r.y + 'px';
  el.style.width = r.w + 'px';
  el.style.height = r.h + 'px';
}

// The widget's stub, once; resolves when window.Kopilka is there.
function loadWidget() {
  if (!widgetScript) {
    widgetScript = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/widget/v1/kopilka.js';
      s.async = true;
      s.onload = () => resolve(window.Kopilka);
      s.onerror = () => reject(new Error('the widget did not load'));
      document.head.append(s);
    });
  }
  return widgetScript;
}

function previewTheme() {
  if (!window.Kopilka || !layout.theme) return;
  const text = JSON.stringify(layout.theme);
  if (text === themeSent) return;
  themeSent = text;
  window.Kopilka.previewTheme(layout.theme);
}

function applyLayout(next) {
  layout = next;
  place(logo, next.logo && next.logo_src ? next.logo : null);
  if (next.logo && next.logo_src && logo.getAttribute('src') !== next.logo_src)
    logo.src = next.logo_src;
  place(widgetBox, next.widget && next.merchant ? next.widget : null);
  if (!next.widget || !next.merchant) return;
  let w = widgetBox.querySelector('kopilka-widget');
  const lang = next.lang || 'en';
  if (!w || w.getAttribute('merchant') !== next.merchant || w.getAttribute('lang') !== lang) {
    widgetBox.replaceChildren();
    w = document.createElement('kopilka-widget');
    w.setAttribute('merchant', next.merchant);
    w.setAttribute('lang', lang);  // the console's language
    w.setAttribute('preview', '');
    widgetBox.append(w);
    themeSent = '';
  }
  loadWidget().then(previewTheme).catch((e) => console.warn('[kopilka console]', e));
}

// A logo file: checked here (the wasm and the server check again), handed over as a data URL.
function readLogo(file, Module) {
  const give = (url, error) =>
    Module.ccall('kopilka_console_logo', null, ['string', 'string'], [url, error]);
  if (!file) return Promise.resolve();
  if (!LOGO_TYPES.includes(file.type)) { give('', 'logo_type'); return Promise.resolve(); }
  if (file.size > LOGO_BYTES_MAX) { give('', 'logo_size'); return Promise.resolve(); }
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => { give(String(reader.result), ''); resolve(); };
    reader.onerror = () => { give('', 'logo_type'); resolve(); };
    reader.readAsDataURL(file);
  });
}

// A CSV file's text into the wasm: copied into its heap (a file is too big for ccall's stack),
// which kopilka_console_csv frees. A file over the server's limit is refused here.
function readCsv(file, Module) {
  if (!file) return Promise.resolve();
  if (file.size > CSV_BYTES_MAX) {
    Module.ccall('kopilka_console_csv', null, ['string', 'number'], [file.name, 0]);
    return Promise.resolve();
  }
  return file.text().then((text) => {
    const n = Module.lengthBytesUTF8(text) + 1;
    const p = Module._malloc(n);
    Module.stringToUTF8(text, p, n);
    Module.ccall('kopilka_console_csv', null, ['string', 'number'], [file.name, p]);
  });
}

// An export, fetched with the session's token and saved as a file (the server's name for it
// when it gives one); a refusal or a failure is told to the wasm, which shows it.
const downloads = [];
async function download(path, token, name, Module) {
  const failed = (why) =>
    Module.ccall('kopilka_console_download_failed', null, ['string'], [why]);
  const entry = { file: name, status: 0, type: '', size: 0, done: false };
  downloads.push(entry);
  try {
    const headers = { Authorization: 'Bearer ' + token };
    const r = await fetch(path, { headers, cache: 'no-store' });
    entry.status = r.status;
    entry.type = r.headers.get('Content-Type') || '';
    if (!r.ok) {
      const j = await r.json().catch(() => null);
      failed(`HTTP ${r.status}` + (j && j.error ? ': ' + j.error.message : ''));
      return;
    }
    const disposition = r.headers.get('Content-Disposition') || '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    if (m) entry.file = decodeURIComponent(m[1]);
    const blob = await r.blob();
    entry.size = blob.size;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = entry.file;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  } catch (e) {
    failed(String((e && e.message) || e));
  } finally {
    entry.done = true;
  }
}

// The QR code of text as rows of '0'/'1' (one per module, quiet zone cut off).
async function qrRows(text) {
  const zx = await import('../vendor/zxing-wasm/es/writer/index.js');
  const vendor = new URL('../vendor/zxing-wasm/writer/', import.meta.url);
  zx.prepareZXingModule({ overrides: { locateFile: (path) => new URL(path, vendor).href } });
  const out = await zx.writeBarcode(text, { format: 'QRCode' });
  const s = out.symbol;
  if (!s || !s.width) throw new Error(out.error || 'no QR symbol');
  const dark = (x, y) => s.data[y * s.width + x] < 128;
  let top = 0, left = s.width;
  while (top < s.height && ![...Array(s.width).keys()].some((x) => dark(x, top))) top++;
  for (let x = 0; x < s.width; x++) if (dark(x, top)) { left = x; break; }
  let run = 0;
  while (left + run < s.width && dark(left + run, top)) run++;
  const module = Math.max(1, Math.round(run / 7));  // a finder pattern is 7 modules wide
  const n = Math.round((s.width - 2 * left) / module);
  const rows = [];
  for (let y = 0; y < n; y++) {
    let row = '';
    for (let x = 0; x < n; x++)
      row += dark(left + x * module + (module >> 1), top + y * module + (module >> 1)) ? '1' : '0';
    rows.push(row);
  }
  return rows.join('\n');
}

// A report's CSV (path from the wasm, e.g. /v1/admin/reports?…&format=csv): fetched with the
// session's token, saved under the server's file name (Content-Disposition) or `name`.
// A member's export (JSON text) saved by the browser as a file named `name`.
function saveFile(name, body) {
  const url = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function showBootError(message) {
  window.kopilkaConsole = { ready: false, error: message };
  console.error('[kopilka console]', message);
  boot.hidden = false;
  boot.classList.add('boot--error');
  boot.querySelector('.boot__text').textContent = 'The console could not start: ' + message;
}

async function main() {
  if (typeof window.createConsoleModule !== 'function')
    throw new Error('console.js did not load (createConsoleModule is missing)');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  const Module = await window.createConsoleModule({
    canvas,
    locateFile: (path) => path,
    onAbort: (what) => showBootError('the wasm aborted: ' + what),
  });
  Module.kopilkaLayout = (json) => applyLayout(JSON.parse(json));
  Module.kopilkaPickLogo = () => fileInput.click();
  Module.kopilkaSaveFile = (name, body) => saveFile(name, body);
  Module.kopilkaMakeQr = (text) => qrRows(text)
    .then((rows) => Module.ccall('kopilka_console_qr', null, ['string', 'string'], [text, rows]))
    .catch((e) => console.warn('[kopilka console] QR code:', e));
  const csvInput = document.createElement('input');
  csvInput.type = 'file';
  csvInput.accept = '.csv,.tsv,.txt,text/csv';
  csvInput.hidden = true;
  document.body.append(csvInput);
  csvInput.addEventListener('change', () => {
    const file = csvInput.files && csvInput.files[0];
    readCsv(file, Module).finally(() => { csvInput.value = ''; });
  });
  Module.kopilkaPickCsv = () => csvInput.click();
  Module.kopilkaDownload = (path, token, name) => download(path, token, name, Module);
  // A file dropped on the import section is read as if chosen.
  canvas.addEventListener('dragover', (e) => {
    if (layout.screen === 'data') e.preventDefault();
  });
  canvas.addEventListener('drop', (e) => {
    if (layout.screen !== 'data') return;
    e.preventDefault();
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    readCsv(file, Module);
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files && fileInput.files[0];
    readLogo(file, Module).finally(() => { fileInput.value = ''; });
  });
  window.kopilkaConsole = {
    ready: true,
    module: Module,
    state: () => JSON.parse(Module.ccall('kopilka_console_state', 'string', [], [])),
    layout: () => layout,
    setLogo: (file) => readLogo(file, Module),
    setCsv: (file) => readCsv(file, Module),
    downloads,
  };
  boot.hidden = true;
  window.dispatchEvent(new Event('kopilka-console-ready'));
}

main().catch((err) => showBootError(String((err && err.message) || err)));
