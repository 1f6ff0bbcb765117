// Helpers for Kopilka's browser end-to-end tests: paths, the server and CLI, the fake
// camera video, Chromium. Everything is cleaned up by the caller's after() hooks, and
// child processes are also killed if node exits early.

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const buildDir = path.resolve(process.env.KOPILKA_BUILD || path.join(repo, 'build'));
export const artifactsDir = path.resolve(process.env.KOPILKA_ARTIFACTS || path.join(buildDir, 'artifacts'));
export const siteDir = path.join(buildDir, 'site');
export const serverBin = path.join(buildDir, 'native/bin/kopilka-server');
export const cliBin = path.join(buildDir, 'native/bin/kopilka');
export const chromiumBin = process.env.KOPILKA_CHROMIUM || '/usr/bin/chromium';

// playwright-core is installed in web/node_modules (web/package.json), not next to this file.
const requireFromWeb = createRequire(path.join(repo, 'web', 'package.json'));

export function requireFile(file, hint) {
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
}

export function checkPrerequisites() {
  requireFile(serverBin, 'build it with tools/build.sh');
  requireFile(cliBin, 'build it with tools/build.sh');
  requireFile(path.join(siteDir, 'kiosk/index.html'), 'stage the site (tools/stage-web.sh) and build the wasm kiosk');
  requireFile(path.join(siteDir, 'kiosk/kiosk.js'), 'build the wasm kiosk (tools/build.sh)');
  requireFile(path.join(siteDir, 'vendor/zxing-wasm/reader/zxing_reader.wasm'), 'run tools/stage-web.sh');
  requireFile(chromiumBin, 'apt-get install chromium (tools/bootstrap.sh)');
}

export function makeTempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kopilka-e2e-'));
}

// ---- child processes ---------------------------------------------------------------------

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** Runs the kopilka CLI; resolves to its last JSON line. */
export async function cli(tmp, args) {
  let result;
  try {
    result = await execFileP(cliBin, args, { cwd: tmp, timeout: 15000 });
  } catch (err) {
    throw new Error(`kopilka ${args.join(' ')} failed: ${err.message}\nstdout:\n${err.stdout}\nstderr:\n${err.stderr}`);
  }
  const line = result.stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`kopilka ${args[0]} printed no JSON line:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line);
}

/** A JSON request to the server; resolves to { status, body, headers }. */
export async function api(url, method, route, { key, body } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Pairs a kiosk the way the console does: a pairing code from the admin API, exchanged for a device token. */
export async function pairDevice(url, adminKey, name = 'e2e kiosk') {
  const code = await api(url, 'POST', '/v1/admin/devices/pairing-codes', { key: adminKey, body: { name } });
  if (code.status !== 201) throw new Error(`pairing code: ${code.status} ${JSON.stringify(code.body)}`);
  const paired = await api(url, 'POST', '/v1/devices/pair', { body: { code: code.body.code } });
  if (paired.status !== 201) throw new Error(`pairing: ${paired.status} ${JSON.stringify(paired.body)}`);
  return paired.body.token;
}

// The device token of each started server's paired kiosk, by URL (openKiosk uses it).
const deviceTokens = new Map();

/**
 * Starts kopilka-server on a free port with a fresh SQLite file and the demo data, and pairs
 * one kiosk with it. Resolves to { url, dbFile, adminKey, tillKey, deviceToken, stop(), logs() }
 * once it prints "listening on http://…".
 */
export async function startServer(tmp, { timeoutMs = 15000 } = {}) {
  const dbFile = path.join(tmp, 'kopilka.sqlite');
  const args = ['--db', dbFile, '--site', siteDir, '--port', '0', '--seed-demo'];
  const child = spawn(serverBin, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const logs = () => `--- kopilka-server ${args.join(' ')}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`;

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
  }

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`kopilka-server did not print "listening on" within ${timeoutMs} ms`)), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      child.stdout.off('data', look);
      reject(err);
    }
    function look() {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        child.off('exit', exited);
        resolve(m[1].replace(/\/+$/, ''));
      }
    }
    function exited(code, signal) {
      fail(new Error(`kopilka-server exited (code ${code}, signal ${signal}) before listening`));
    }
    child.stdout.on('data', look);
    child.once('exit', exited);
    child.once('error', fail);
    look();
  }).catch(async (err) => {
    await stop();
    err.message += '\n' + logs();
    throw err;
  });

  const adminKey = (await cli(tmp, ['api-key', '--db', dbFile, '--merchant', 'demo', '--role', 'admin'])).key;
  const tillKey = (await cli(tmp, ['api-key', '--db', dbFile, '--merchant', 'demo', '--role', 'till'])).key;
  const deviceToken = await pairDevice(url, adminKey);
  deviceTokens.set(url, deviceToken);
  return { url, dbFile, adminKey, tillKey, deviceToken, stop, logs };
}

/** Runs `kopilka card` and returns its JSON line: { member, code, out }. */
export async function printCard(tmp, dbFile, member) {
  const out = path.join(tmp, `${member}.png`);
  const card = await cli(tmp, ['card', '--db', dbFile, '--member', member, '--out', out]);
  if (!card.code) throw new Error(`kopilka card printed no code: ${JSON.stringify(card)}`);
  requireFile(card.out || out, 'kopilka card should have written the PNG');
  return { ...card, out: card.out || out };
}

/** Turns a card PNG into a looping fake-camera video (white border, y4m), 640×480 unless told. */
export async function pngToY4m(png, y4m, { width = 640, height = 480 } = {}) {
  const vf = `scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=white,format=yuv420p`;
  await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', png,
    '-vf', vf, '-t', '2', '-r', '15', y4m], { timeout: 30000 });
  return y4m;
}

/** A still white scene for the fake camera (y4m in dir), 640×480 unless told. */
export async function whiteY4m(dir, { width = 640, height = 480 } = {}) {
  const png = path.join(dir, `white-${width}x${height}.png`);
  await execFileP('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
    '-i', `color=c=white:s=${width}x${height}`, '-frames:v', '1', png], { timeout: 30000 });
  return pngToY4m(png, path.join(dir, `white-${width}x${height}.y4m`), { width, height });
}

// ---- browser -------------------------------------------------------------------------------

export async function launchChromium({ fakeVideo } = {}) {
  const { chromium } = requireFromWeb('playwright-core');
  const args = [
    '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    // As a kiosk's browser is started: its confirmation sounds need no touch first.
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (fakeVideo) args.push(`--use-file-for-fake-video-capture=${fakeVideo}`);
  return chromium.launch({ executablePath: chromiumBin, headless: true, args, timeout: 30000 });
}

/** Records console output and page errors; dump() returns them as text. */
export function watchPage(page) {
  const lines = [];
  const pageErrors = [];
  page.on('console', (m) => lines.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => { pageErrors.push(e); lines.push(`[pageerror] ${e.stack || e.message}`); });
  page.on('requestfailed', (r) => lines.push(`[requestfailed] ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) lines.push(`[http ${r.status()}] ${r.url()}`); });
  return { pageErrors, dump: () => lines.join('\n') };
}

/**
 * Opens the kiosk and waits for window.kopilka.ready (fails fast on a boot error). The kiosk
 * is paired with the server's device token (startServer's) unless `token` says otherwise
 * ('' for an unpaired kiosk); a token already in the page's storage is kept.
 */
export async function openKiosk(page, baseUrl, { timeoutMs = 20000, query = '', token } = {}) {
  const t = token === undefined ? deviceTokens.get(baseUrl) || '' : token;
  if (t && !page.kopilkaTokenSet) {
    page.kopilkaTokenSet = true;
    await page.addInitScript((value) => {
      try {
        if (!window.localStorage.getItem('kopilka.device_token')) window.localStorage.setItem('kopilka.device_token', value);
      } catch { /* an error page (offline) has no storage */ }
    }, t);
  }
  await page.goto(`${baseUrl}/kiosk/${query}`, { waitUntil: 'load', timeout: timeoutMs });
  const handle = await page.waitForFunction(
    () => window.kopilka && (window.kopilka.ready === true || window.kopilka.error) &&
      { ready: window.kopilka.ready, error: window.kopilka.error || null },
    null, { timeout: timeoutMs, polling: 100 });
  const k = await handle.jsonValue();
  if (!k.ready) throw new Error(`the kiosk did not start: ${k.error}`);
}

/** Polls window.kopilka.state() until one of `screens` is shown; returns that state. */
export async function waitForScreen(page, screens, { timeoutMs = 30000 } = {}) {
  try {
    const handle = await page.waitForFunction(
      (wanted) => { const s = window.kopilka.state(); return wanted.includes(s.screen) && s; },
      screens, { timeout: timeoutMs, polling: 100 });
    return await handle.jsonValue();
  } catch (err) {
    const last = await page.evaluate(() => window.kopilka.state()).catch((e) => `(state unavailable: ${e.message})`);
    throw new Error(`screen never became ${screens.join('|')} within ${timeoutMs} ms; last state: ${JSON.stringify(last)}`);
  }
}

/** The message catalogue of a locale, as shipped in assets/i18n/. */
export function catalogue(locale) {
  return JSON.parse(fs.readFileSync(path.join(repo, 'assets/i18n', `${locale}.json`), 'utf8')).messages;
}

// The text mirror as the app last wrote it. An app writes its mirror when it draws the frame
// after a change (an answer that has just arrived is in its state() before that frame), so
// this reads it after the page's next two animation frames.
export async function mirrorText(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() =>
    requestAnimationFrame(() => resolve((document.getElementById('kopilka-mirror') || {}).textContent || '')))));
}

/**
 * A new page (Playwright's newPage options, 1280×800 unless a viewport is given) for
 * body(page): errors the page throws fail the test; a failure keeps a screenshot named
 * `failureShot` in the artifacts and says what the page logged and what its text mirror said.
 */
export async function onPage(browser, failureShot, body, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...options });
  const watch = watchPage(page);
  try {
    await body(page);
    assert.deepEqual(watch.pageErrors, []);
  } catch (err) {
    await page.screenshot({ path: path.join(artifactsDir, failureShot) }).catch(() => {});
    err.message += '\n' + watch.dump() + '\nthe console said: ' +
      await mirrorText(page).catch(() => '');
    throw err;
  } finally {
    await page.close();
  }
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, name);
  await page.screenshot({ path: file });
  return file;
}

// ---- driving the kiosk like a shopper --------------------------------------------------------

/** The kiosk's state (window.kopilka.state()). */
export async function kioskState(page) {
  return page.evaluate(() => window.kopilka.state());
}

/** Waits until predicate(state, arg) holds in the page; returns that state. */
export async function waitForState(page, predicate, arg, { timeoutMs = 15000, what = 'the kiosk state' } = {}) {
  try {
    const handle = await page.waitForFunction(
      ([src, a]) => { const s = window.kopilka.state(); return new Function('s', 'arg', `return (${src})(s, arg);`)(s, a) && s; },
      [predicate.toString(), arg ?? null], { timeout: timeoutMs, polling: 100 });
    return await handle.jsonValue();
  } catch (err) {
    const last = await kioskState(page).catch((e) => `(state unavailable: ${e.message})`);
    throw new Error(`${what} never held within ${timeoutMs} ms; last state: ${JSON.stringify(last)}`);
  }
}

/**
 * Taps the button the kiosk last drew as `name` (state().buttons: an action's name, "lang:en",
 * "key:7", "key:ok") with a touch at its centre — the page needs a context with hasTouch.
 */
export async function tap(page, name, arg = '', { timeoutMs = 10000 } = {}) {
  const find = (st) => st.buttons.find((x) => x.name === name && (!arg || x.arg === arg) && x.enabled);
  const what = `button ${name}${arg ? ' ' + arg : ''}`;
  let s = await waitForState(page, (st, a) => st.buttons.some((b) => b.name === a.name && (!a.arg || b.arg === a.arg) && b.enabled),
    { name, arg }, { timeoutMs, what });
  // A new screen settles its layout in a frame or two: tap where the button stays put.
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(60);
    const again = await kioskState(page);
    const a = find(s);
    const b = find(again);
    s = again;
    if (a && b && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h) break;
  }
  const b = find(s);
  if (!b) throw new Error(`${what} went away; state: ${JSON.stringify(s)}`);
  const before = s.revision;
  await page.touchscreen.tap(b.x + b.w / 2, b.y + b.h / 2);
  // The press lands in the next frame or two: wait for the kiosk to react.
  await page.waitForFunction((r) => window.kopilka.state().revision !== r, before,
    { timeout: 5000, polling: 20 }).catch(() => {});
}

/**
 * Clicks the control the console last drew as `name`: its ImGui id, whole ("Publish##publish")
 * or from "##" on ("##publish", "##hex.accent"), or failing that the text it shows ("Publish"); waits until it is drawn
 * whole and stays put for a frame (state().items of window.kopilkaConsole, CSS pixels).
 * click: false only waits for it.
 */
export async function clickItem(page, name, { timeoutMs = 10000, click = true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    const item = await page.evaluate((n) => {
      const items = window.kopilkaConsole.state().items || [];
      return items.find((i) => i.id === n || (n.startsWith('##') && i.id.endsWith(n))) ||
        items.find((i) => i.label === n) || null;
    }, name);
    if (item && item.visible && last && ['x', 'y', 'w', 'h'].every((k) => item[k] === last[k])) {
      if (click) await page.mouse.click(item.x + item.w / 2, item.y + item.h / 2);
      return item;
    }
    last = item;
    if (Date.now() > deadline) {
      const ids = await page.evaluate(() => (window.kopilkaConsole.state().items || [])
        .map((i) => i.id).join(', '));
      throw new Error(`the console drew no "${name}" within ${timeoutMs} ms; it drew: ${ids}`);
    }
    await page.waitForTimeout(60);
  }
}

/**
 * Clicks the console's text field `name` and waits until it is the one being edited (ImGui's
 * active item) and the host's text sink has the page's focus, so what is typed next lands in it.
 * On a busy machine a frame can take longer than any fixed pause; a click that did not make the
 * field active (the field moved as it landed) is made again. Returns the field's item.
 */
export async function focusField(page, name, { timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const clicked = await clickItem(page, name, { timeoutMs });
    const editing = await page.waitForFunction((id) => {
      const sink = document.activeElement;
      const item = (window.kopilkaConsole.state().items || []).find((i) => i.id === id);
      return item && item.active && sink && sink.tagName === 'TEXTAREA' ? item : null;
    }, clicked.id, { timeout: 3000, polling: 30 }).then((h) => h.jsonValue(), () => null);
    if (editing) return editing;
    if (Date.now() > deadline) throw new Error(`the field ${name} never took the typing`);
  }
}

/**
 * Types text like a USB barcode scanner: a burst of key events ending in Enter, all within one
 * task of the page (a scanner sends a key every few ms; keys sent one by one through the
 * DevTools protocol arrive with gaps of tens of ms on a busy test machine, which is how a
 * person types). The events go where a real keyboard's go: keydown/keypress/keyup on window.
 */
export async function wedgeScan(page, text) {
  await page.evaluate((t) => {
    const fire = (type, key, keyCode, charCode) => window.dispatchEvent(new KeyboardEvent(type,
      { key, keyCode, which: keyCode, charCode, bubbles: true, cancelable: true }));
    for (const ch of t) {
      const code = ch.toUpperCase().charCodeAt(0);
      fire('keydown', ch, code, 0);
      fire('keypress', ch, ch.charCodeAt(0), ch.charCodeAt(0));
      fire('keyup', ch, code, 0);
    }
    fire('keydown', 'Enter', 13, 0);
    fire('keypress', 'Enter', 13, 13);
    fire('keyup', 'Enter', 13, 0);
  }, text);
}

/**
 * A key pressed and let go within one task of the page, before the app draws a frame between
 * them (a quick tap; through the DevTools protocol the two would arrive tens of ms apart).
 */
export async function tapKey(page, key, keyCode) {
  await page.evaluate(([k, code]) => {
    for (const type of ['keydown', 'keyup']) {
      window.dispatchEvent(new KeyboardEvent(type,
        { key: k, keyCode: code, which: code, bubbles: true, cancelable: true }));
    }
  }, [key, keyCode]);
}

/**
 * Screenshot of the page as RGBA pixels decoded in the page: { width, height, at(x, y) → [r, g, b] }
 * plus decode(): the barcode zxing-wasm (the kiosk's own scan worker) reads in it, or null.
 */
export async function screenPixels(page) {
  const png = (await page.screenshot()).toString('base64');
  const sample = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, c.width, c.height);
    window.__kopilkaShot = data;
    return { width: c.width, height: c.height };
  }, png);
  return {
    ...sample,
    at: (x, y) => page.evaluate(([px, py]) => {
      const d = window.__kopilkaShot;
      const i = (py * d.width + px) * 4;
      return [d.data[i], d.data[i + 1], d.data[i + 2]];
    }, [x, y]),
    decode: () => page.evaluate(async () => {
      const r = await window.kopilkaCamera.decodeFrame(window.__kopilkaShot);
      return r && r.text ? r.text : null;
    }),
  };
}

// ---- a static server for test-only pages ------------------------------------------------------

const staticTypes = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.data': 'application/octet-stream', '.css': 'text/css',
};

/**
 * Serves GET requests from the first of `dirs` that holds the file ("/" is index.html) on a
 * free loopback port (a secure context, as the clipboard needs). Resolves to { url, stop() }.
 */
export async function serveStatic(dirs) {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = name.split('/').includes('..') ? null
      : dirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': staticTypes[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/**
 * `count` members ("seed-000001" …) straight into the server's SQLite file, with a card each
 * (the server reads them as any other members; they have no ledger yet).
 */
export async function seedMembers(dbFile, count) {
  const sql = `.timeout 10000
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO members (merchant_id, member_id, display_name, created_at_ms, phone, email, birthday,
                     consent_at_ms, erased_at_ms)
SELECT 'demo', printf('seed-%06d', i), printf('Seeded member %d', i), 1764000000000, '', '', '',
       1764000000000, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
INSERT INTO cards (merchant_id, number, member_id, created_at_ms)
SELECT 'demo', printf('29%011d', i), printf('seed-%06d', i), 1764000000000 FROM n;
`;
  const file = dbFile + '.seed.sql';
  fs.writeFileSync(file, sql);
  await execFileP('sqlite3', [dbFile, `.read ${file}`], { timeout: 120000 });
}

// The console's sign-in typed from the keyboard as a person types it: the shop code (the field
// that has the focus when the page opens), Tab, the e-mail, Tab, the password, Enter. Each field
// is checked in the console's state before the next: on a loaded machine a keystroke can reach
// the page before ImGui has given the field the focus, and is then lost; the field is typed
// again (after Ctrl+A, so nothing doubles). Does not wait for the answer.
export async function consoleSignIn(page, url, email, password, { lang, merchant = 'demo' } = {}) {
  await page.goto(`${url}/console/${lang ? `?lang=${lang}` : ''}`);
  await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready, null,
    { timeout: 30000 });
  await page.waitForFunction(() => document.activeElement &&
    document.activeElement.tagName === 'TEXTAREA', null, { timeout: 10000 });
  const form = () => page.evaluate(() => window.kopilkaConsole.state().sign_in);
  const fields = [['merchant', merchant], ['email', email], ['password_length', password]];
  for (const [i, [name, text]] of fields.entries()) {
    if (i > 0) await page.keyboard.press('Tab');
    for (let attempt = 1; ; attempt += 1) {
      await page.keyboard.type(text);
      const took = await page.waitForFunction(([field, want]) => {
        const typed = window.kopilkaConsole.state().sign_in[field];
        return field === 'password_length' ? typed === want.length : typed === want;
      }, [name, text], { timeout: 3000 }).then(() => true, () => false);
      if (took) break;
      if (attempt === 3) {
        throw new Error(`the sign-in form did not take the ${name.replace('_length', '')}: ` +
          JSON.stringify(await form()));
      }
      await page.keyboard.press('Control+A');
    }
  }
  await page.keyboard.press('Enter');
}
