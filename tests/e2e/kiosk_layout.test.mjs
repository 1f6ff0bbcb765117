// The kiosk's layout at the sizes kiosks come in — landscape 1280×800 and 1920×1080, portrait
// 1080×1920 — in every language: on each main screen every control is wholly on screen (no
// scrolling to reach one), none overlaps another, and the camera's live preview (a DOM
// <video> over the canvas) sits inside the viewfinder the scan screen draws, covering no
// control. The sign-out countdown and "I'm still here" appear only in the last 10 seconds.
// Screenshots of each screen and size go to the artifacts dir.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as h from './harness.mjs';

const SIZES = [
  { name: '1280x800', width: 1280, height: 800 },
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '1080x1920', width: 1080, height: 1920 },
];
const TOUCH_MIN_PX = 44;  // a finger's target, CSS px

let tmp;
let server;
let browser;
let card;

before(async () => {
  h.checkPrerequisites();
  tmp = h.makeTempDir();
  server = await h.startServer(tmp);
  const r = await h.api(server.url, 'GET', '/v1/admin/members/demo-anna', { key: server.adminKey });
  card = r.body.profile.card;
  browser = await h.launchChromium();  // Chromium's fake camera: a live preview to place
}, { timeout: 45000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, { timeout: 15000 });

const overlap = (a, b) => Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
const label = (b) => `${b.name}${b.arg ? ' ' + b.arg : ''} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.w)}×${Math.round(b.h)}`;

// The camera preview as the page shows it: the <video>'s box while it is a preview, else null.
async function previewBox(page) {
  return page.evaluate(() => {
    const v = document.getElementById('kopilka-camera');
    if (!v || !v.classList.contains('camera--preview')) return null;
    const r = v.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
}

// The merchant's logo as the page shows it (an <img> over the canvas), else null.
async function logoBox(page) {
  return page.evaluate(() => {
    const img = document.getElementById('kopilka-logo');
    if (!img || getComputedStyle(img).display === 'none') return null;
    const r = img.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
}

// Every control wholly on screen and big enough to touch, none over another or the preview.
async function checkLayout(page, size, what, { scrolls = false } = {}) {
  await page.waitForTimeout(250);  // the layout settles in a frame or two after a change
  // A loaded config's theme reloads the fonts, which a busy machine may still be drawing: words
  // that fit do so within a few frames, words that do not still scroll after the wait.
  if (!scrolls) {
    await page.waitForFunction(() => window.kopilka.state().overflow === false, null,
      { timeout: 3000, polling: 100 }).catch(() => {});
  }
  const s = await h.kioskState(page);
  const where = `${what} at ${size.name}`;
  assert.ok(s.buttons.length > 0, `${where}: no controls drawn`);
  for (const b of s.buttons) {
    assert.ok(b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= size.width + 0.5 && b.y + b.h <= size.height + 0.5,
      `${where}: ${label(b)} is not wholly on screen`);
    assert.ok(b.h >= TOUCH_MIN_PX - 0.5 && b.w >= TOUCH_MIN_PX - 0.5,
      `${where}: ${label(b)} is cut off or too small to touch`);
  }
  for (let i = 0; i < s.buttons.length; i++)
    for (let j = i + 1; j < s.buttons.length; j++)
      assert.ok(overlap(s.buttons[i], s.buttons[j]) < 1,
        `${where}: ${label(s.buttons[i])} overlaps ${label(s.buttons[j])}`);
  // The words and pictures fit their room: nothing to scroll to on a main screen.
  if (!scrolls) assert.equal(s.overflow, false, `${where}: the screen's words do not fit (they scroll)`);
  const preview = await previewBox(page);
  if (preview)
    for (const b of s.buttons)
      assert.ok(overlap(b, preview) < 1, `${where}: the camera preview covers ${label(b)}`);
  const logo = await logoBox(page);
  if (logo) {
    assert.ok(logo.x >= -0.5 && logo.y >= -0.5 && logo.x + logo.w <= size.width + 0.5 &&
      logo.y + logo.h <= size.height + 0.5 && logo.h >= 40, `${where}: the logo is not wholly on screen`);
    for (const b of s.buttons)
      assert.ok(overlap(b, logo) < 1, `${where}: the logo covers ${label(b)}`);
    if (preview) assert.ok(overlap(logo, preview) < 1, `${where}: the logo covers the camera preview`);
  }
  await h.screenshot(page, `kiosk-layout-${what}-${size.name}.png`);
  return { state: s, preview };
}

for (const size of SIZES) {
  test(`layout at ${size.name}: attract, scan, keypad, member, rewards, spin and odds in every language`,
    { timeout: 120000 }, async () => {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, hasTouch: true });
      const page = await context.newPage();
      const watch = h.watchPage(page);
      try {
        for (const lang of ['en', 'ru', 'de', 'lv']) {
          await h.openKiosk(page, server.url, { query: `?lang=${lang}` });
          await h.waitForScreen(page, ['attract']);
          // The demo's theme has a logo: the attract screen leaves it a box of its own.
          await page.waitForFunction(() => {
            const img = document.getElementById('kopilka-logo');
            return img && img.complete && img.naturalWidth > 0 && getComputedStyle(img).display === 'block';
          }, null, { timeout: 5000, polling: 100 });
          const attract = await checkLayout(page, size, `attract-${lang}`);
          assert.ok(await logoBox(page), 'the logo is on the attract screen');
          assert.equal(attract.preview, null, 'no camera preview on the attract screen');

          await h.tap(page, 'start');
          await h.waitForScreen(page, ['scan']);
          // The live preview appears inside the viewfinder the screen drew.
          await page.waitForFunction(() => document.getElementById('kopilka-camera')
            .classList.contains('camera--preview'), null, { timeout: 15000 });
          const scan = await checkLayout(page, size, `scan-${lang}`);
          assert.ok(scan.state.preview && scan.preview, 'the scan screen shows the camera in its viewfinder');
          for (const k of ['x', 'y', 'w', 'h'])
            assert.ok(Math.abs(scan.state.preview[k] - scan.preview[k]) <= 1,
              `the preview is placed where the viewfinder is: ${JSON.stringify(scan.state.preview)} vs ${JSON.stringify(scan.preview)}`);
          assert.ok(scan.preview.w >= size.width * 0.25, `the viewfinder is large enough to aim: ${scan.preview.w} px`);

          await h.tap(page, 'keypad');
          await h.waitForState(page, (st) => st.keypad_open, null, { what: 'the keypad' });
          await page.waitForFunction(() => !document.getElementById('kopilka-camera')
            .classList.contains('camera--preview'), null, { timeout: 5000 });
          const keypad = await checkLayout(page, size, `keypad-${lang}`);
          assert.ok(keypad.state.mirror.startsWith(h.catalogue(lang)['keypad.title']) ||
            keypad.state.mirror.includes('\n' + h.catalogue(lang)['keypad.title'] + '\n'),
          `the keypad's title says what to do: ${keypad.state.mirror}`);
          await h.tap(page, 'back');

          await h.wedgeScan(page, card);
          const member = await h.waitForScreen(page, ['member']);
          assert.ok(!member.buttons.some((b) => b.name === 'stay'), 'no "I\'m still here" before the last seconds');
          await checkLayout(page, size, `member-${lang}`);
          await h.tap(page, 'rewards');
          await h.waitForScreen(page, ['rewards']);
          // The demo's coffee and cake have the merchant's pictures: shown (decoded) inside their
          // tiles, over no other control.
          await page.waitForFunction(() => [...document.querySelectorAll('#kopilka-pictures img')]
            .filter((i) => i.complete && i.naturalWidth > 0 && !i.hidden).length === 2, null, { timeout: 5000 });
          const rewards = await checkLayout(page, size, `rewards-${lang}`);
          const pictures = await page.evaluate(() => [...document.querySelectorAll('#kopilka-pictures img')]
            .map((i) => { const r = i.getBoundingClientRect(); return { id: i.dataset.reward, x: r.x, y: r.y, w: r.width, h: r.height }; }));
          assert.deepEqual(pictures.map((p) => p.id).sort(), ['cake', 'coffee']);
          for (const p of pictures) {
            const tile = rewards.state.buttons.find((b) => b.name === 'reward' && b.arg === p.id);
            assert.ok(tile, `the ${p.id} tile is drawn`);
            assert.ok(p.w >= 56 && p.h >= 56, `${p.id}'s picture is large enough to see: ${p.w}×${p.h}`);
            assert.ok(overlap(p, tile) >= p.w * p.h - 1, `${p.id}'s picture is inside its tile at ${size.name}`);
            for (const b of rewards.state.buttons)
              if (b !== tile) assert.ok(overlap(p, b) < 1, `${p.id}'s picture covers ${label(b)}`);
          }
          await h.tap(page, 'back');
          await page.waitForFunction(() => document.querySelectorAll('#kopilka-pictures img').length === 0,
            null, { timeout: 5000 });
          await h.waitForScreen(page, ['member']);
          await h.tap(page, 'open_spin');
          await h.waitForScreen(page, ['spin']);
          await checkLayout(page, size, `spin-${lang}`);
          await h.tap(page, 'odds');
          await h.waitForState(page, (st) => st.odds_open, null, { what: 'the odds' });
          // The odds and how to check a spin are a page to read: a finger drags it where it is
          // longer than the room beside the wheel.
          await checkLayout(page, size, `odds-${lang}`, { scrolls: true });
          await h.tap(page, 'sign_out').catch(() => {});
        }
        assert.deepEqual(watch.pageErrors.map((e) => e.message), [], 'uncaught errors in the page');
      } catch (err) {
        console.error(`\n=== layout ${size.name} failed\n--- page:\n${watch.dump()}\n${server.logs()}\n`);
        throw err;
      } finally {
        await context.close().catch(() => {});
      }
    });
}

test('the countdown and "I\'m still here" appear only in the last 10 seconds', { timeout: 60000 }, async () => {
  const settings = (await h.api(server.url, 'GET', '/v1/admin/kiosk-settings', { key: server.adminKey })).body.settings;
  const put = (idle) => h.api(server.url, 'PUT', '/v1/admin/kiosk-settings',
    { key: server.adminKey, body: { theme_id: settings.theme_id, wheel_id: settings.wheel_id, idle_seconds: idle } });
  assert.equal((await put(14)).status, 200);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await context.newPage();
  try {
    await h.openKiosk(page, server.url, { query: '?lang=en' });
    await h.waitForState(page, (st) => st.config_version && st.screen === 'attract', null, { what: 'the config' });
    await h.wedgeScan(page, card);
    let s = await h.waitForScreen(page, ['member']);
    const en = h.catalogue('en');
    assert.ok(!s.mirror.includes(en['action.stay']), s.mirror);
    assert.ok(!s.buttons.some((b) => b.name === 'stay'));
    s = await h.waitForState(page, (st) => st.buttons.some((b) => b.name === 'stay'), null,
      { timeoutMs: 12000, what: 'the last seconds' });
    const left = (s.idle_deadline_ms - Date.now()) / 1000;
    assert.ok(left <= 10.5, `the countdown shows with ${left.toFixed(1)} s left`);
    await checkLayout(page, SIZES[0], 'countdown-en');
    await h.tap(page, 'stay');
    s = await h.waitForState(page, (st) => !st.buttons.some((b) => b.name === 'stay'), null,
      { what: 'the countdown gone after "I\'m still here"' });
    assert.equal(s.screen, 'member');
  } finally {
    await context.close().catch(() => {});
    await put(settings.idle_seconds);
  }
});
