// The console's prize wheels against a real kopilka-server, tried as a merchant would: open the
// demo wheel, raise the weight of "Next time" until the chance to win falls under 25 % → the
// warning shows (state and text mirror) and the odds table changes before anything is saved; a
// negative weight is shown at its field and not saved; Save → the server has the new weights
// and a kiosk's odds screen shows the new odds; the preview wheel turns to the segment clicked.
// Screenshots: console-wheels.png (1280×800), console-wheels-1920.png, console-wheels-lv.png.
// Then the campaign: the wheel renamed, a segment given its own colour (the preview's pixels
// there change to it), a coupon's reward picked from the program's rewards, an end date in the
// past → saved, the list says the wheel ended, and a kiosk offers the member no spin (its wheel
// drawn with that segment in the merchant's colour: kiosk-wheel-colours.png).
// Screenshots: console-wheels-campaign.png (the form), console-wheels-ended.png (the list).
//
// What a test reads (wasm/console/main.cpp): window.kopilkaConsole.state().wheels →
//   {list, list_loaded, id, version, dirty, can_save, weights, problem_field, unreadable,
//    error_field, conflict, done, chance_ppm, win_chance_ppm, low_win_chance, preview_segment,
//    name, starts_at_ms, ends_at_ms, phase, phases, colours, reward_ids, rewards}
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import * as h from './harness.mjs';

const wheelsOf = (page) => page.evaluate(() => window.kopilkaConsole.state().wheels);
const mirror = h.mirrorText;
const until = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { timeout: 10000, polling: 100 });

// Signed in from the keyboard as the console's sign-in screen asks (shop, email, password).
async function signInAsOwner(page, url, password) {
  await h.consoleSignIn(page, url, 'owner@demo.example', password, { lang: 'en' });
  await until(page, () => window.kopilkaConsole.state().signed_in);
}

// The form scrolled with the mouse wheel until the field `id` is in view: towards it when it was
// drawn, else up to the top first and then down (a field out of view is not drawn at all).
async function showField(page, id) {
  await page.mouse.move(420, 520);
  for (let i = 0, notch = -100; i < 80; i += 1) {
    const item = await page.evaluate((want) => (window.kopilkaConsole.state().items || [])
      .find((it) => it.id.endsWith(want)), id);
    const height = page.viewportSize().height;
    if (item && item.visible && item.y > 140 && item.y + item.h < height - 20) return;
    if (item) notch = item.y <= 140 ? -100 : 100;
    else if (i === 30) notch = 100;
    await page.mouse.wheel(0, notch);
    await page.waitForTimeout(80);
  }
  throw new Error(`the field ${id} never came into view`);
}

// Types `text` over what the number field `id` holds (a click selects all of it).
async function typeInto(page, id, text) {
  await showField(page, id);
  await h.focusField(page, id);
  await page.keyboard.type(text);
}

const percent = (ppm) => `${(Math.round(ppm / 1000) / 10).toFixed(1)}%`;

describe('console prize wheels', () => {
  let tmp, server, browser, owner;
  before(async () => {
    h.checkPrerequisites();
    h.requireFile(path.join(h.siteDir, 'console/console.js'),
      'build the wasm console (tools/build.sh)');
    tmp = h.makeTempDir();
    server = await h.startServer(tmp);
    owner = await h.cli(tmp, ['user', 'add', '--db', server.dbFile, '--merchant', 'demo',
      '--email', 'owner@demo.example', '--name', 'Olga', '--role', 'owner']);
    browser = await h.launchChromium();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const admin = async (method, route, body) =>
    (await h.api(server.url, method, route, { key: server.adminKey, body })).body;

  test('the demo wheel: a heavier "nothing" warns under 25 % before saving, a negative weight ' +
    'is refused at its field, Save reaches the server and the kiosk\'s odds', () =>
    onConsolePage(async (page) => {
      await openDemoWheel(page, async () => {
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels-list.png') });
      });
      const before = await admin('GET', '/v1/admin/wheels/demo-wheel');
      let w = await wheelsOf(page);
      assert.equal(w.version, before.version);
      assert.deepEqual(w.weights, before.wheel.prizes.map((p) => p.weight));
      assert.deepEqual(w.chance_ppm, before.odds.prizes.map((p) => p.chance_ppm));
      assert.equal(w.win_chance_ppm, before.odds.win_chance_ppm);
      assert.equal(w.low_win_chance, false);
      assert.equal(w.can_save, false);
      const nothing = before.wheel.prizes.findIndex((p) => p.kind === 'nothing');

      // "Next time" from 46 to 200: the wins' 54 of 254 are under 25 %; nothing is sent yet.
      await typeInto(page, `##prizes[${nothing}].weight`, '200');
      await until(page, (i) => window.kopilkaConsole.state().wheels.weights[i] === 200, nothing);
      w = await wheelsOf(page);
      const wins = before.wheel.prizes.filter((p) => p.kind !== 'nothing')
        .reduce((sum, p) => sum + p.weight, 0);
      assert.equal(w.win_chance_ppm, Math.floor(wins * 1e6 / (wins + 200)));
      assert.equal(w.low_win_chance, true);
      assert.ok(w.chance_ppm[nothing] > before.odds.prizes[nothing].chance_ppm);
      assert.equal(w.dirty, true);
      assert.equal(w.can_save, true);
      const said = await mirror(page);
      assert.match(said, /Warning: under 25\.0%/);
      assert.ok(said.includes(`Chance to win a prize: ${percent(w.win_chance_ppm)}`), said);
      assert.equal((await admin('GET', '/v1/admin/wheels/demo-wheel')).version, before.version);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels.png') });

      // A negative weight: named at its field, Save stays off and nothing reaches the server.
      await typeInto(page, '##prizes[2].weight', '-5');
      await until(page, () => window.kopilkaConsole.state().wheels.problem_field ===
        'prizes[2].weight');
      assert.equal((await wheelsOf(page)).can_save, false);
      assert.match(await mirror(page), /prizes\[2\]\.weight/);
      await h.clickItem(page, '##wheel_save');
      await page.waitForTimeout(500);
      const unchanged = await admin('GET', '/v1/admin/wheels/demo-wheel');
      assert.equal(unchanged.version, before.version);
      assert.equal(unchanged.wheel.prizes[2].weight, before.wheel.prizes[2].weight);
      await typeInto(page, '##prizes[2].weight', String(before.wheel.prizes[2].weight));
      await until(page, () => window.kopilkaConsole.state().wheels.can_save);

      // Save: a new version with the new weights and odds.
      const saved = await saveWheel(page);
      assert.equal(saved.version, before.version + 1);
      assert.equal(saved.wheel.prizes[nothing].weight, 200);
      assert.equal(saved.wheel.prizes[2].weight, before.wheel.prizes[2].weight);
      assert.equal(saved.odds.win_chance_ppm, w.win_chance_ppm);
      assert.equal(saved.odds.low_win_chance, true);

      // The preview turns to the segment clicked (right of the centre: the second of five, as
      // the wheel stands still at the start), or to a row of the odds table.
      const wheel = await h.clickItem(page, '##wheel_preview', { click: false });
      await page.mouse.click(wheel.x + wheel.w * 0.85, wheel.y + wheel.h / 2);
      await until(page, () => window.kopilkaConsole.state().wheels.preview_segment === 1);
      await h.clickItem(page, '##odds.3');
      await until(page, () => window.kopilkaConsole.state().wheels.preview_segment === 3);

      // The kiosk's odds screen shows the new odds.
      await kioskOdds(saved);

      // The same screen at 1920×1080, then in Latvian at 1280×800.
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels-1920.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
      await h.clickItem(page, 'LV');
      await until(page, () => /Izredzes laimēt balvu/.test(
        document.getElementById('kopilka-mirror').textContent));
      assert.match(await mirror(page), /Uzmanību/);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels-lv.png') });
    }));

  test('the campaign: a name, a segment colour the preview shows, a reward from the program, ' +
    'and an end in the past → the list says ended and the kiosk offers no spin', () =>
    onConsolePage(async (page) => {
      await openDemoWheel(page);
      await until(page, () => window.kopilkaConsole.state().wheels.rewards.length > 0);
      const before = await admin('GET', '/v1/admin/wheels/demo-wheel');
      let w = await wheelsOf(page);
      assert.equal(w.phase, 'running');
      assert.deepEqual(w.rewards, ['coffee', 'cake', 'discount-500']);

      // Renamed: the title and the mirror say the new name.
      await showField(page, '##name');
      await h.clickItem(page, '##name');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Spring wheel');
      await until(page, () => window.kopilkaConsole.state().wheels.name === 'Spring wheel');
      assert.match(await mirror(page), /Wheel “Spring wheel”/);

      // The first segment in its own colour: the preview's pixels in that segment turn to it.
      const n = w.weights.length;
      const spot = async () => {
        const r = await h.clickItem(page, '##wheel_preview', { click: false });
        const a = (-90 + 180 / n) * Math.PI / 180;  // the middle of segment 0, from the top
        const x = Math.round(r.x + r.w / 2 + Math.cos(a) * r.w * 0.15);
        const y = Math.round(r.y + r.h / 2 + Math.sin(a) * r.h * 0.15);
        return (await h.screenPixels(page)).at(x, y);
      };
      const themed = await spot();
      await showField(page, '##own.prizes[0].colour');
      await h.clickItem(page, '##own.prizes[0].colour');
      await until(page, () => window.kopilkaConsole.state().wheels.colours[0] !== '');
      await typeInto(page, '##prizes[0].colour', '');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('#1E6BB8');
      await until(page, () => window.kopilkaConsole.state().wheels.colours[0] === '#1E6BB8');
      await page.keyboard.press('Tab');
      await page.waitForTimeout(300);
      const coloured = await spot();
      const near = (px, rgb) => px.every((v, i) => Math.abs(v - rgb[i]) <= 12);
      assert.ok(near(coloured, [0x1E, 0x6B, 0xB8]), `the segment is ${coloured}`);
      assert.ok(!near(themed, [0x1E, 0x6B, 0xB8]), `it was ${themed}`);

      // The cake's coupon is for another of the program's rewards, picked by name.
      const cake = before.wheel.prizes.findIndex((p) => p.id === 'cake');
      await showField(page, `##prizes[${cake}].reward_id`);
      await h.clickItem(page, `##prizes[${cake}].reward_id`);
      await h.clickItem(page, `##prizes[${cake}].reward.discount-500`);
      await until(page, (i) => window.kopilkaConsole.state().wheels.reward_ids[i] ===
        'discount-500', cake);

      // Ends on 1 January 2020 (a date alone: at its end, 24:00 UTC): ended already.
      await showField(page, '##ends_at_ms');
      await h.clickItem(page, '##ends_at_ms');
      await page.keyboard.type('2020-01-01');
      await until(page, () => window.kopilkaConsole.state().wheels.ends_at_ms === 1577923200000);
      await page.keyboard.press('Tab');
      w = await wheelsOf(page);
      assert.equal(w.phase, 'ended');
      assert.match(await mirror(page), /Ended 2020-01-02 00:00 UTC/);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels-campaign.png') });

      const saved = await saveWheel(page);
      assert.equal(saved.version, before.version + 1);
      assert.equal(saved.wheel.name, 'Spring wheel');
      assert.equal(saved.wheel.ends_at_ms, 1577923200000);
      assert.equal(saved.wheel.prizes[0].colour, '#1E6BB8');
      assert.equal(saved.wheel.prizes[cake].reward_id, 'discount-500');

      // The list: the wheel by its name, ended.
      await h.clickItem(page, '##wheels_back');
      await until(page, () => {
        const s = window.kopilkaConsole.state().wheels;
        return s.id === '' && s.list_loaded && s.phases['demo-wheel'] === 'ended';
      });
      const said = await mirror(page);
      assert.match(said, /Spring wheel \(demo-wheel\): Ended 2020-01-02 00:00 UTC/);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(h.artifactsDir, 'console-wheels-ended.png') });

      // A member at a kiosk: no spins offered, the spin button greyed out.
      await atKioskSpin(async (kiosk) => {
        const spin = await h.waitForState(kiosk, (st) => st.buttons.some((b) => b.name === 'spin'),
          null, { what: 'the spin button' });
        assert.equal(spin.buttons.find((b) => b.name === 'spin').enabled, false);
        assert.match(spin.mirror, /0 spins of the prize wheel/);
        // The kiosk draws the first segment in the merchant's colour: a wedge of the wheel.
        await kiosk.waitForTimeout(300);
        await h.screenPixels(kiosk);
        const blue = await kiosk.evaluate(() => {
          const d = window.__kopilkaShot.data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - 0x1E) <= 12 && Math.abs(d[i + 1] - 0x6B) <= 12 &&
              Math.abs(d[i + 2] - 0xB8) <= 12) n += 1;
          }
          return n;
        });
        assert.ok(blue > 5000, `${blue} pixels of the segment's colour on the kiosk's wheel`);
        await kiosk.screenshot({ path: path.join(h.artifactsDir, 'kiosk-wheel-colours.png') });
      });
    }));

  // Signed in as the owner, the wheels listed (then atList()), the demo wheel opened.
  async function openDemoWheel(page, atList = async () => {}) {
    await signInAsOwner(page, server.url, owner.password);
    await h.clickItem(page, 'Prize wheels');
    await until(page, () => window.kopilkaConsole.state().wheels.list_loaded);
    await atList();
    await h.clickItem(page, '##open.demo-wheel');
    await until(page, () => window.kopilkaConsole.state().wheels.id === 'demo-wheel');
  }

  // Save pressed; once saved, the wheel as the server has it.
  async function saveWheel(page) {
    await h.clickItem(page, '##wheel_save');
    await until(page, () => {
      const s = window.kopilkaConsole.state().wheels;
      return s.done === 'saved' && !s.dirty;
    });
    return admin('GET', '/v1/admin/wheels/demo-wheel');
  }

  // A member at a kiosk opens the wheel and its odds: each segment's chance and the win chance
  // as the server publishes them now.
  async function kioskOdds(saved) {
    await atKioskSpin(async (kiosk) => {
      await h.tap(kiosk, 'odds');
      const odds = await h.waitForState(kiosk, (st) => st.odds_open, null, { what: 'the odds' });
      for (const p of saved.odds.prizes)
        assert.ok(odds.mirror.includes(`${p.label}: ${percent(p.chance_ppm)}`),
          `${p.label} ${percent(p.chance_ppm)} in ${odds.mirror}`);
      assert.ok(odds.mirror.includes(percent(saved.odds.win_chance_ppm)), odds.mirror);
    });
  }

  // demo-dace at a kiosk (a context of its own, with touch), on the prize wheel's screen; then
  // look(kiosk).
  async function atKioskSpin(look) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 },
      hasTouch: true });
    const kiosk = await context.newPage();
    try {
      await h.openKiosk(kiosk, server.url, { query: '?lang=en' });
      await h.waitForScreen(kiosk, ['attract']);
      const card = (await admin('GET', '/v1/admin/members/demo-dace')).profile.card;
      await h.wedgeScan(kiosk, card);
      const s = await h.waitForScreen(kiosk, ['member', 'error']);
      assert.equal(s.screen, 'member', JSON.stringify(s.error));
      await h.tap(kiosk, 'open_spin');
      await h.waitForScreen(kiosk, ['spin']);
      await look(kiosk);
    } finally {
      await context.close();
    }
  }

  // A console page at 1280×800 for run(page); on a failure its screenshot, the page's errors
  // and what the console said go with the error.
  const onConsolePage = (run) => h.onPage(browser, 'console-wheels-failure.png', run);
});
