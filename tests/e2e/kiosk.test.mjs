// Kiosk end to end: real kopilka-server (temp SQLite, demo data), a card printed by our
// CLI shown to Chromium's fake camera, the wasm kiosk in headless Chromium (WebGL via
// SwiftShader). Run: node --test tests/e2e/   (env: KOPILKA_BUILD, KOPILKA_ARTIFACTS)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as h from './harness.mjs';

let tmp;
let server;
let card;
let browser;

before(async () => {
  h.checkPrerequisites();
  tmp = h.makeTempDir();
  server = await h.startServer(tmp);
  card = await h.printCard(tmp, server.dbFile, 'demo-anna');
  const y4m = await h.pngToY4m(card.out, path.join(tmp, 'card.y4m'));
  browser = await h.launchChromium({ fakeVideo: y4m });
}, { timeout: 45000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, { timeout: 15000 });

// Runs body(page) in a fresh browser context (of `on`, the suite's browser unless told; with a
// touchscreen when asked); on failure saves a screenshot and prints the page's console and the
// server's output before rethrowing.
async function withKiosk(name, { initScript, on = browser, hasTouch = false } = {}, body) {
  const context = await on.newContext({ viewport: { width: 1280, height: 800 }, hasTouch });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const watch = h.watchPage(page);
  try {
    await body(page, watch);
    assert.deepEqual(watch.pageErrors.map((e) => e.message), [], 'uncaught errors in the page');
  } catch (err) {
    const shot = await h.screenshot(page, `kiosk-failure-${name}.png`).catch((e) => `(no screenshot: ${e.message})`);
    console.error(`\n=== ${name} failed; screenshot: ${shot}\n--- page:\n${watch.dump()}\n${server.logs()}\n`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

const digitsOf = (s) => String(s).replace(/\D/g, '');

test('a card shown to the camera opens the member screen with the server\'s numbers', { timeout: 50000 }, async () => {
  await withKiosk('camera', {}, async (page) => {
    await h.openKiosk(page, server.url);
    const state = await h.waitForScreen(page, ['member', 'error'], { timeoutMs: 30000 });
    assert.equal(state.screen, 'member', `expected the member screen, got: ${JSON.stringify(state)}`);

    // The camera did it (not a stray key press): the worker decoded our card's code.
    const cam = await page.evaluate(() => {
      const c = window.kopilkaCamera;
      return { status: c.status, error: c.error, decodes: c.decodes, found: c.found, lastCode: c.lastCode };
    });
    assert.equal(cam.status, 'running', `camera: ${JSON.stringify(cam)}`);
    assert.equal(cam.lastCode && cam.lastCode.text, card.code, `camera read: ${JSON.stringify(cam)}`);

    const res = await fetch(`${server.url}/v1/members/lookup?code=${encodeURIComponent(card.code)}`);
    const body = await res.json();
    assert.equal(res.status, 200, `lookup: ${JSON.stringify(body)}`);
    const want = body.member;
    assert.ok(state.member, 'state.member is set on the member screen');
    const both = `kiosk: ${JSON.stringify(state.member)}\nAPI:   ${JSON.stringify(want)}`;
    assert.equal(state.member.id, 'demo-anna', both);
    assert.equal(state.member.id, want.id, `member id differs\n${both}`);
    assert.equal(state.member.balance, want.balance, `balance differs\n${both}`);
    assert.deepEqual(state.member.tier, want.tier, `tier differs\n${both}`);

    // Screen readers get the balance too (grouping and symbols aside).
    const balanceDigits = digitsOf(Math.abs(want.balance));
    await page.waitForFunction(
      (digits) => document.getElementById('kopilka-mirror').textContent.replace(/\D/g, '').includes(digits),
      balanceDigits, { timeout: 5000, polling: 100 },
    ).catch(() => {});
    const mirror = await h.mirrorText(page);
    assert.ok(digitsOf(mirror).includes(balanceDigits),
      `mirror should show the balance ${want.balance}; mirror: ${JSON.stringify(mirror)}`);

    // The shopper saw the card read (the edge flashed); no sound: the kiosk's default.
    const fb = await page.evaluate(() => window.kopilkaFeedback.log);
    assert.deepEqual(fb.map((e) => [e.kind, e.sound]), [['card_read', false]], JSON.stringify(fb));

    await h.screenshot(page, 'kiosk-member.png');
  });
});

// The fake camera shows a card all the time: tests that must stay on the attract screen
// take the camera away.
const denyCamera = () => {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('camera denied by the test', 'NotAllowedError'));
};

// The scan worker's pipeline, on 1280×720 I420 frames as a camera delivers them: the card's
// QR small in the middle (modules about 2.5 px wide, as a card held far from the camera) is
// read by the viewfinder pass at full resolution and lost when the frame is shrunk; a still
// scene is not decoded again before its interval, and a card appearing in it is read in the
// very frame it appears.
test('camera pipeline: the viewfinder keeps the detail, and only a change is decoded at once', { timeout: 40000 }, async () => {
  await withKiosk('pipeline', { initScript: denyCamera }, async (page) => {
    await h.openKiosk(page, server.url);
    const pngBase64 = fs.readFileSync(card.out).toString('base64');
    const r = await page.evaluate(async ({ pngBase64 }) => {
      const W = 1280;
      const H = 720;
      const cam = window.kopilkaCamera;
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${pngBase64}`)).blob());
      const ctx = new OffscreenCanvas(W, H).getContext('2d', { willReadFrequently: true });
      // side: the QR's width in the frame (80 px: a card held far from the camera).
      const frameOf = (withCard, side = 80) => {
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, W, H);
        if (withCard) {
          ctx.imageSmoothingEnabled = false;
          ctx.drawImage(bitmap, (W - side) / 2, (H - side) / 2, side, side);
        }
        const rgba = ctx.getImageData(0, 0, W, H).data;
        const i420 = new Uint8Array(W * H * 1.5).fill(128);
        for (let i = 0, j = 0; i < W * H; i += 1, j += 4) i420[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
        return () => new VideoFrame(i420, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 });
      };
      const blank = frameOf(false);
      const withCard = frameOf(true);
      // A card held up to the kiosk. (At 80 px the QR covers 16 pixels of the motion
      // thumbnail, and how many of them change depends on the card's random pattern.)
      const heldUp = frameOf(true, 160);
      const pick = (x) => ({ text: x.text, pass: x.pass, decoded: x.decoded, motion: x.motion });
      return {
        roi: pick(await cam.scanFrame(withCard(), 'roi')),
        full: pick(await cam.scanFrame(withCard(), 'full')),
        first: pick(await cam.offerFrame(blank(), 'attract')),
        still: pick(await cam.offerFrame(blank(), 'attract')),
        appears: pick(await cam.offerFrame(heldUp(), 'attract')),
      };
    }, { pngBase64 });
    const all = JSON.stringify(r);
    assert.equal(r.roi.text, card.code, `the viewfinder pass reads the small card: ${all}`);
    assert.equal(r.full.text, null, `the shrunk frame loses it (else the test shows nothing): ${all}`);
    assert.equal(r.first.decoded, true, `the first frame is decoded (nothing to compare with): ${all}`);
    assert.equal(r.still.decoded, false, `the same scene again is not: ${all}`);
    assert.equal(r.appears.motion, true, all);
    assert.equal(r.appears.text, card.code, `the card is read in the frame it appears: ${all}`);
  });
});

// A kiosk whose camera sees nothing move slows the scan worker's frames (the camera's own rate
// stays: the browser drops the rest), and the first frame in which something moves, or a screen
// change, brings the full rate back at once.
test('camera: nothing moving slows the worker\'s frames; motion or a screen change restores them', { timeout: 60000 }, async () => {
  const still = await h.launchChromium({ fakeVideo: await h.whiteY4m(tmp) });
  try {
    await withKiosk('pace', { on: still, hasTouch: true }, async (page) => {
      await h.openKiosk(page, server.url);
      await page.waitForFunction(() => window.kopilkaCamera.decoder === 'ready' && window.kopilkaCamera.frames > 0,
        null, { timeout: 20000, polling: 50 });
      // Frames the worker read a second, over 4 s (it tallies them once a second).
      const rate = () => page.evaluate(async () => {
        const c = window.kopilkaCamera;
        const f0 = c.frames;
        const t0 = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 4000));
        return ((c.frames - f0) * 1000) / (performance.now() - t0);
      });
      const pace = () => page.evaluate(() => window.kopilkaCamera.pace);
      assert.equal(await pace(), 'full');
      const full = await rate();
      assert.ok(full > 10, `the camera's 15 frames a second reach the worker: ${full}`);

      await page.evaluate(() => { window.kopilkaCamera.idleAfterMs = 1000; });
      await page.waitForFunction(() => window.kopilkaCamera.pace === 'idle', null, { timeout: 5000, polling: 50 });
      const idle = await rate();
      const most = await page.evaluate(() => window.kopilkaCamera.idleFrameRate);
      assert.ok(most < 15, `the idle rate is below the camera's 15 frames a second: ${most}`);
      assert.ok(idle > 2 && idle < most * 1.15 && idle < full - 2,
        `at most ${most} a second once nothing moved for 1 s: ${idle} (full: ${full})`);
      assert.equal((await h.waitForScreen(page, ['attract'])).screen, 'attract');

      // Something held up in front of the camera: full rate in the same moment.
      const back = await page.evaluate(async () => {
        const W = 640;
        const H = 480;
        const i420 = new Uint8Array(W * H * 1.5).fill(128);
        i420.fill(235, 0, W * H);
        i420.fill(16, W * 120, W * 360);  // a dark band across the middle of a white scene
        const frame = new VideoFrame(i420, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: 0 });
        const r = await window.kopilkaCamera.offerFrame(frame, 'attract');
        const t0 = performance.now();
        while (window.kopilkaCamera.pace !== 'full' && performance.now() - t0 < 2000) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return { motion: r.motion, pace: window.kopilkaCamera.pace, ms: performance.now() - t0 };
      });
      assert.equal(back.motion, true, JSON.stringify(back));
      assert.equal(back.pace, 'full', JSON.stringify(back));
      assert.ok(back.ms < 500, `the full rate is back within a frame or two: ${JSON.stringify(back)}`);

      // Idle again, then a touch on "start": the scan screen gets the full rate.
      await page.waitForFunction(() => window.kopilkaCamera.pace === 'idle', null, { timeout: 5000, polling: 50 });
      await h.tap(page, 'start');
      const changes = await (await page.waitForFunction(
        () => window.kopilkaCamera.pace === 'full' && window.kopilkaCamera.paceChanges, null,
        { timeout: 2000, polling: 20 })).jsonValue();
      assert.equal(changes, 4, 'full → idle → full → idle → full');
      assert.equal((await h.waitForScreen(page, ['scan'], { timeoutMs: 5000 })).screen, 'scan');
      assert.equal(await page.evaluate(() => window.kopilkaCamera.status), 'running');
    });
  } finally {
    await still.close().catch(() => {});
  }
});

test('keypad garbage shows an error, also with the camera denied', { timeout: 30000 }, async () => {
  await withKiosk('keypad-error', { initScript: denyCamera }, async (page) => {
    await h.openKiosk(page, server.url);
    await page.waitForFunction(() => window.kopilkaCamera && window.kopilkaCamera.status !== 'starting',
      null, { timeout: 5000 });
    assert.equal(await page.evaluate(() => window.kopilkaCamera.status), 'denied');

    await page.evaluate(() => window.kopilka.scan('garbage!!', 'keypad'));
    const state = await h.waitForScreen(page, ['error', 'member'], { timeoutMs: 10000 });
    assert.equal(state.screen, 'error', `expected the error screen, got: ${JSON.stringify(state)}`);
    assert.equal(state.error && state.error.code, 'bad_characters', JSON.stringify(state.error));
    assert.equal(state.last_source, 'keypad');

    // The screen (default language: Russian) says why, and the mirror says the same.
    const squash = (s) => s.replace(/\s+/g, ' ').trim();
    const expected = h.catalogue('ru')['error.bad_characters'];
    await page.waitForFunction(
      (m) => document.getElementById('kopilka-mirror').textContent.includes(m),
      expected, { timeout: 5000, polling: 100 },
    ).catch(() => {});
    const mirror = await h.mirrorText(page);
    assert.ok(mirror.includes(expected), `mirror should show ${JSON.stringify(expected)}; mirror: ${JSON.stringify(mirror)}`);
    assert.equal(squash(mirror), squash(state.mirror), 'the DOM mirror shows what the kiosk composed');

    await h.screenshot(page, 'kiosk-error.png');
  });
});

test('every language: the attract screen speaks it and the font has every glyph', { timeout: 40000 }, async () => {
  await withKiosk('languages', { initScript: denyCamera }, async (page) => {
    const config = (await h.api(server.url, 'GET', '/v1/kiosk/config', { key: server.deviceToken })).body;
    for (const locale of ['ru', 'lv', 'de', 'en']) {
      await h.openKiosk(page, server.url, { query: `?lang=${locale}` });
      const state = await h.waitForScreen(page, ['attract'], { timeoutMs: 10000 });
      assert.equal(state.locale, locale);
      // The merchant's theme may say it in its own words; otherwise the catalogue's.
      const theme = config.theme || {};
      const hint = (theme.attract && theme.attract[locale] && theme.attract[locale].subtitle) || h.catalogue(locale)['attract.hint'];
      await page.waitForFunction((t) => document.getElementById('kopilka-mirror').textContent.includes(t),
        hint, { timeout: 5000, polling: 100 });
      assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
      // The theme's logo is on the attract screen (the demo's daylight theme has one).
      if (theme.logo) {
        await page.waitForFunction(() => {
          const img = document.getElementById('kopilka-logo');
          return img && !img.hidden && img.complete && img.naturalWidth > 0 && getComputedStyle(img).display === 'block';
        }, null, { timeout: 5000, polling: 100 });
      }
      await h.screenshot(page, `kiosk-attract-${locale}.png`);
    }
    // No "?" boxes: the embedded font covers Russian, German, Latvian, € and ₽.
    const texts = ['Баланс: 1 250 баллов', 'Bonuspunkte für Äpfel und Größen', 'Atlaižu kārtiņa: ā č ē ģ ī ķ ļ ņ š ū ž',
      '2 000 ₽ · 2.000,50 € · −500 · +700'];
    for (const t of texts) {
      const missing = await page.evaluate((text) => window.kopilka.module.ccall('kopilka_missing_glyphs', 'number', ['string'], [text]), t);
      assert.equal(missing, 0, `glyphs missing for ${JSON.stringify(t)}`);
    }
    const missingEmoji = await page.evaluate(() => window.kopilka.module.ccall('kopilka_missing_glyphs', 'number', ['string'], ['\u{1F600}']));
    assert.equal(missingEmoji, 1, 'the glyph check can fail');
  });
});

test('keyboard only: arrows move the visible focus, Space presses the button', { timeout: 30000 }, async () => {
  await withKiosk('keyboard', { initScript: denyCamera }, async (page) => {
    await h.openKiosk(page, server.url, { query: '?lang=en' });
    await h.waitForScreen(page, ['attract'], { timeoutMs: 10000 });
    // Dear ImGui reads keys once a frame: each key is held for a few frames.
    const press = async (key) => {
      await page.keyboard.down(key);
      await page.waitForTimeout(120);
      await page.keyboard.up(key);
      await page.waitForTimeout(120);
    };
    let state = null;
    for (let i = 0; i < 8 && (!state || state.screen !== 'scan'); i++) {
      await press('ArrowDown');
      await press('Space');
      state = await page.evaluate(() => window.kopilka.state());
    }
    assert.equal(state.screen, 'scan', `keyboard navigation never pressed a button: ${JSON.stringify(state.actions)}`);
    await press('Escape');  // back
    const back = await h.waitForScreen(page, ['attract'], { timeoutMs: 5000 });
    assert.equal(back.screen, 'attract');
  });
});

test('portrait and high-DPI: every action fits on screen and a tap presses the right one', { timeout: 40000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 720, height: 1280 }, deviceScaleFactor: 2, hasTouch: true });
  await context.addInitScript(denyCamera);
  const page = await context.newPage();
  const watch = h.watchPage(page);
  try {
    await h.openKiosk(page, server.url, { query: '?lang=de' });
    await h.waitForScreen(page, ['attract'], { timeoutMs: 10000 });
    await h.wedgeScan(page, card.code);
    const member = await h.waitForScreen(page, ['member', 'error'], { timeoutMs: 10000 });
    assert.equal(member.screen, 'member', JSON.stringify(member.error));
    await page.waitForTimeout(300);  // the layout settles in a frame or two
    const s = await page.evaluate(() => window.kopilka.state());
    for (const b of s.buttons) {
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= 720 && b.y + b.h <= 1280, `off screen: ${JSON.stringify(b)}`);
    }
    await h.screenshot(page, 'kiosk-member-portrait.png');
    await h.tap(page, 'rewards');
    const rewards = await h.waitForScreen(page, ['rewards'], { timeoutMs: 5000 });
    assert.equal(rewards.screen, 'rewards');
    assert.deepEqual(watch.pageErrors.map((e) => e.message), [], 'uncaught errors in the page');
  } catch (err) {
    console.error(`\n=== portrait failed\n--- page:\n${watch.dump()}\n`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
});

test('sound switched on in the console: a read card chirps as the edge flashes', { timeout: 40000 }, async () => {
  // The console's switch is PUT /v1/admin/devices/{id} (settings.sound) on the paired kiosk.
  const setSound = async (on) => {
    const list = await h.api(server.url, 'GET', '/v1/admin/devices', { key: server.adminKey });
    const d = list.body.devices.find((x) => !x.revoked);
    const res = await fetch(`${server.url}/v1/admin/devices/${d.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json', 'If-Match': `"${d.version}"` },
      body: JSON.stringify({ settings: { sound: on } }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  await setSound(true);
  try {
    await withKiosk('sound', { initScript: denyCamera }, async (page) => {
      await h.openKiosk(page, server.url);
      await page.evaluate(() => {  // every class the flash element takes
        const el = document.getElementById('kopilka-flash');
        window.__flashes = [];
        new MutationObserver(() => window.__flashes.push(el.className)).observe(el, { attributes: true });
      });
      await page.evaluate((code) => window.kopilka.scan(code, 'camera'), card.code);
      const member = await h.waitForScreen(page, ['member', 'error'], { timeoutMs: 10000 });
      assert.equal(member.screen, 'member', JSON.stringify(member.error));
      await page.waitForFunction(() => window.kopilkaFeedback.log.length > 0, null, { timeout: 5000 });
      const fb = await page.evaluate(() => ({
        log: window.kopilkaFeedback.log,
        flash: window.__flashes.join(' '),
      }));
      assert.deepEqual(fb.log.map((e) => [e.kind, e.sound, e.played]), [['card_read', true, true]], JSON.stringify(fb));
      assert.match(fb.flash, /flash--card_read/, 'the edge flashes with the sound');
    });
  } finally {
    await setSound(false);
  }
});
