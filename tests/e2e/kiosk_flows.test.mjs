// The whole kiosk flow end to end, driven like a shopper: keys from a USB scanner (keyboard
// wedge), taps on the canvas (touch), the network cut and restored, a reload — against the
// real kopilka-server (temp SQLite, demo data), checking the server's side of every step.
// Screenshots of every screen go to the artifacts dir. Run: node --test tests/e2e/
//
// Demo members: demo-anna 1250 points, demo-boris 120, demo-dace 4200; rewards coffee 300,
// cake 700, discount-500 1500; demo-wheel with 3 spins a day.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as h from './harness.mjs';

let tmp;
let server;
let browser;
const cards = {};   // member id → EAN-13 card number

before(async () => {
  h.checkPrerequisites();
  tmp = h.makeTempDir();
  server = await h.startServer(tmp);
  for (const id of ['demo-anna', 'demo-boris', 'demo-dace']) cards[id] = (await admin('GET', `/v1/admin/members/${id}`)).body.profile.card;
  browser = await h.launchChromium();  // the fake camera shows no card: every scan here is a key burst or a tap
}, { timeout: 45000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, { timeout: 15000 });

async function admin(method, route, body) {
  const r = await h.api(server.url, method, route, { key: server.adminKey, body });
  assert.ok(r.status < 300, `${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

const memberOf = async (id) => (await admin('GET', `/v1/admin/members/${id}`)).body.member;
const exportOf = async (id) => (await admin('GET', `/v1/admin/members/${id}/export`)).body;
const reserves = (exp) => exp.ledger.filter((e) => e.reason === 'reserve').length;

async function kioskSettings(settings) {
  const current = (await admin('GET', '/v1/admin/kiosk-settings')).body.settings;
  const next = { theme_id: current.theme_id, wheel_id: current.wheel_id, idle_seconds: current.idle_seconds, ...settings };
  await admin('PUT', '/v1/admin/kiosk-settings', next);
}

// Runs body(page, context) in a fresh touch-screen context; on failure saves a screenshot and
// prints the page's console and the server's output.
async function withKiosk(name, { query = '', token } = {}, body) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await context.newPage();
  const watch = h.watchPage(page);
  try {
    await h.openKiosk(page, server.url, { query, token });
    await body(page, context);
    assert.deepEqual(watch.pageErrors.map((e) => e.message), [], 'uncaught errors in the page');
  } catch (err) {
    const shot = await h.screenshot(page, `kiosk-failure-flows-${name}.png`).catch((e) => `(no screenshot: ${e.message})`);
    console.error(`\n=== ${name} failed; screenshot: ${shot}\n--- page:\n${watch.dump()}\n${server.logs()}\n`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

// A screenshot once the kiosk has drawn its current state (it draws a few frames per change).
async function shot(page, name) {
  await page.waitForTimeout(150);
  return h.screenshot(page, name);
}

async function scanToMember(page, id) {
  await h.wedgeScan(page, cards[id]);
  const s = await h.waitForScreen(page, ['member', 'error']);
  assert.equal(s.screen, 'member', JSON.stringify(s.error));
  assert.equal(s.member.id, id);
  return s;
}

// CLDR plural categories for the numbers these tests show (an oracle independent of the core).
function plural(locale, n) {
  if (locale === 'ru') {
    if (n % 10 === 1 && n % 100 !== 11) return 'one';
    if (n % 10 >= 2 && n % 10 <= 4 && !(n % 100 >= 12 && n % 100 <= 14)) return 'few';
    return 'many';
  }
  if (locale === 'lv') {
    if (n % 10 === 0 || (n % 100 >= 11 && n % 100 <= 19)) return 'zero';
    if (n % 10 === 1 && n % 100 !== 11) return 'one';
    return 'other';
  }
  return n === 1 ? 'one' : 'other';
}
// The wheel's state after a spin against before: the day's spend grew by exactly the shown
// prize's cost (the demo prizes' costs differ), and a limited prize's stock by one.
function assertLogged(before, after, prize) {
  const p = after.wheel.prizes.find((x) => x.id === prize.id);
  assert.ok(p, `the shown prize ${prize.id} is on the wheel`);
  assert.equal(after.state.spent_today - before.state.spent_today, p.cost,
    `the day's prize spend should grow by ${prize.id}'s cost; before ${JSON.stringify(before.state)}, after ${JSON.stringify(after.state)}`);
  for (const id of Object.keys(after.state.used)) {
    const limited = after.wheel.prizes.find((x) => x.id === id).stock !== 'unlimited';
    assert.equal(after.state.used[id] - before.state.used[id], limited && id === prize.id ? 1 : 0, `stock used of ${id}`);
  }
}

const says = (locale, key, n) => h.catalogue(locale)[key][plural(locale, n)].replace('{n}', String(n));

test('pairing: an unpaired kiosk shows the pairing screen; a console code typed + Enter pairs it', { timeout: 40000 }, async () => {
  await withKiosk('pairing', { token: '' }, async (page) => {
    let s = await h.waitForScreen(page, ['pairing']);
    assert.equal(s.paired, false);
    await shot(page, 'kiosk-pairing.png');
    const code = (await admin('POST', '/v1/admin/devices/pairing-codes', { name: 'e2e flows kiosk' })).body.code;
    await page.keyboard.type(code, { delay: 20 });
    await h.waitForState(page, (st, c) => st.code === c, code, { what: 'the typed pairing code on screen' });
    await page.keyboard.press('Enter');
    s = await h.waitForScreen(page, ['attract']);
    assert.equal(s.paired, true);
    assert.ok(await page.evaluate(() => window.localStorage.getItem('kopilka.device_token')), 'the device token is kept');
    const devices = (await admin('GET', '/v1/admin/devices')).body.devices;
    assert.ok(devices.some((d) => d.name === 'e2e flows kiosk'), JSON.stringify(devices));
    await h.waitForState(page, (st) => st.config_version !== '', null, { what: 'the config after pairing' });
    await shot(page, 'kiosk-attract.png');
  });
});

test('keyboard wedge: a scanner\'s fast burst opens the member screen; the same typed by hand does not', { timeout: 40000 }, async () => {
  await withKiosk('wedge', {}, async (page) => {
    await h.waitForScreen(page, ['attract']);
    await page.keyboard.type(cards['demo-boris'], { delay: 150 });  // a person at a keyboard
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    let s = await h.kioskState(page);
    assert.equal(s.screen, 'attract', 'typing by hand is not a scan');
    assert.equal(s.member, null);

    await h.wedgeScan(page, cards['demo-boris']);
    s = await h.waitForScreen(page, ['member', 'error']);
    assert.equal(s.screen, 'member', JSON.stringify(s.error));
    assert.equal(s.last_source, 'wedge');
    const want = await memberOf('demo-boris');
    assert.equal(s.member.id, 'demo-boris');
    assert.equal(s.member.balance, want.balance);
    assert.equal(s.member.spins_available, want.spins_available);
  });
});

// Every animation frame, which screen the kiosk shows and where its buttons are, until stop().
async function watchButtons(page) {
  await page.evaluate(() => {
    window.__frames = [];
    const look = () => {
      const st = window.kopilka.state();
      window.__frames.push({ screen: st.screen, buttons: st.buttons.map((b) => `${b.name} ${b.x},${b.y} ${b.w}x${b.h}`) });
      if (!window.__framesStop) requestAnimationFrame(look);
    };
    window.__framesStop = false;
    requestAnimationFrame(look);
  });
  return async () => page.evaluate(() => { window.__framesStop = true; return window.__frames; });
}

test('a new screen is shown settled: its buttons are where they stay from its first frame on', { timeout: 40000 }, async () => {
  await withKiosk('settled', {}, async (page) => {
    await h.waitForScreen(page, ['attract']);
    // The member screen sizes its text by the text's height, which Dear ImGui knows a pass
    // later: a frame shown before that had its buttons elsewhere, and a tap landing there in
    // that moment pressed nothing.
    for (const open of [async () => h.wedgeScan(page, cards['demo-dace']), async () => h.tap(page, 'rewards')]) {
      const stop = await watchButtons(page);
      const names = (st) => st.buttons.map((b) => b.name).join(' ');
      const was = names(await h.kioskState(page));
      await open();
      const want = (await h.waitForScreen(page, ['member', 'rewards'])).screen;
      await page.waitForTimeout(800);
      // state() tells the new screen as soon as the flow is on it, and its buttons once it is
      // drawn: the frames still showing the old screen's buttons are left out.
      const frames = (await stop()).filter((f) => f.screen === want &&
        f.buttons.map((b) => b.split(' ')[0]).join(' ') !== was);
      assert.ok(frames.length > 0, `no frame of ${want} seen`);
      const layouts = [...new Set(frames.map((f) => f.buttons.join('; ')))];
      assert.equal(layouts.length, 1, `${want}: the buttons moved while it was shown:\n${layouts.join('\n')}`);
    }
  });
});

test('keypad by touch: a card number and a phone number typed with taps open the member screen', { timeout: 60000 }, async () => {
  await withKiosk('keypad', {}, async (page) => {
    await h.waitForScreen(page, ['attract']);
    for (const typed of [cards['demo-boris'], '79160000002']) {
      await h.tap(page, 'keypad');
      await h.waitForState(page, (st) => st.screen === 'scan' && st.keypad_open, null, { what: 'the keypad' });
      if (typed === cards['demo-boris']) await shot(page, 'kiosk-keypad.png');
      for (const digit of typed) await h.tap(page, `key:${digit}`);
      await h.waitForState(page, (st, t) => st.keypad === t, typed, { what: `the keypad showing ${typed}` });
      await h.tap(page, 'key:ok');
      const s = await h.waitForScreen(page, ['member', 'error']);
      assert.equal(s.screen, 'member', `${typed}: ${JSON.stringify(s.error)}`);
      assert.equal(s.member.id, 'demo-boris');
      assert.equal(s.last_source, 'keypad');
      await h.tap(page, 'sign_out');
      await h.waitForScreen(page, ['attract']);
    }
  });
});

test('spin: the result shown is what the server logged; odds one tap away', { timeout: 60000 }, async () => {
  await withKiosk('spin', { query: '?lang=en' }, async (page) => {
    await scanToMember(page, 'demo-dace');
    const wheelBefore = (await admin('GET', '/v1/admin/wheels/demo-wheel')).body;
    const memberBefore = await memberOf('demo-dace');
    await h.tap(page, 'open_spin');
    await h.waitForScreen(page, ['spin']);
    await shot(page, 'kiosk-spin.png');
    // The commitment of the spin's seed is on screen before the spin.
    const shown = (await h.waitForState(page, (st) => st.member && st.member.spin_commitment,
      null, { what: 'the spin commitment' })).member.spin_commitment;
    assert.match(shown, /^[0-9a-f]{64}$/);
    const en0 = h.catalogue('en');
    const grouped = (hex, digits) => hex.slice(0, digits).match(/.{1,4}/g).join(' ');
    assert.ok((await h.mirrorText(page)).includes(en0['fair.code'].replace('{code}', grouped(shown, 16))));
    const [answered] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/kiosk/spin')),
      h.tap(page, 'spin'),
    ]);
    const answer = await answered.json();
    let s = await h.waitForState(page, (st) => st.spin && st.spin.phase === 'result', null, { what: 'the spin result' });
    const prize = s.spin.prize;
    await shot(page, 'kiosk-spin-result.png');
    // The kiosk checked the revealed seed against what it showed, and so does the CLI.
    assert.equal(answer.spin.commitment, shown);
    assert.equal(s.spin.commitment, shown);
    assert.equal(s.spin.fairness, 'verified');
    assert.ok(s.mirror.includes(en0['fair.verified']), s.mirror);
    const answerFile = path.join(h.artifactsDir, 'kiosk-spin-answer.json');
    fs.writeFileSync(answerFile, JSON.stringify(answer));
    const verified = spawnSync(h.cliBin, ['verify-spin', '--answer', answerFile, '--commitment', shown,
      '--format', 'json'], { encoding: 'utf8' });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.equal(JSON.parse(verified.stdout).prize, prize.index);

    const wheelAfter = (await admin('GET', '/v1/admin/wheels/demo-wheel')).body;
    assertLogged(wheelBefore, wheelAfter, prize);
    assert.equal(wheelAfter.odds.prizes[prize.index].id, prize.id, 'the wheel stopped on the segment of the prize');
    const memberAfter = await memberOf('demo-dace');
    assert.equal(memberAfter.spins_available, memberBefore.spins_available - 1);
    assert.equal(memberAfter.balance - memberBefore.balance, prize.kind === 'points' ? prize.points : 0);
    assert.equal(s.member.balance, memberAfter.balance, 'the kiosk shows the balance after the spin');
    if (prize.kind === 'coupon') {
      assert.match(s.spin.coupon, /^KC-/);
      assert.ok(s.qr_size >= 21, 'a coupon prize shows its QR code');
      const coupons = (await exportOf('demo-dace')).coupons;
      assert.ok(coupons.some((c) => c.code === s.spin.coupon), JSON.stringify(coupons));
    }

    await h.tap(page, 'odds');
    s = await h.waitForState(page, (st) => st.odds_open, null, { what: 'the odds' });
    const en = h.catalogue('en');
    assert.ok(s.mirror.includes(en['odds.title']), s.mirror);
    for (const p of wheelAfter.odds.prizes) {
      const percent = `${(Math.round(p.chance_ppm / 1000) / 10).toFixed(1)}%`;
      assert.ok(s.mirror.includes(`${p.label}: ${percent}`), `odds of ${p.label} (${percent}) in ${s.mirror}`);
    }
    const win = `${(Math.round(wheelAfter.odds.win_chance_ppm / 1000) / 10).toFixed(1)}%`;
    assert.ok(s.mirror.includes(en['odds.win'].replace('{percent}', win)), s.mirror);
    await shot(page, 'kiosk-odds.png');
  });
});

test('spin with ?motion=reduce: the result is shown without the wheel turning', { timeout: 40000 }, async () => {
  await withKiosk('spin-reduced', { query: '?motion=reduce' }, async (page) => {
    await scanToMember(page, 'demo-dace');
    await h.tap(page, 'open_spin');
    let s = await h.waitForScreen(page, ['spin']);
    assert.equal(s.reduced_motion, true);
    // Every phase the kiosk passes through, sampled every animation frame.
    await page.evaluate(() => {
      window.__phases = [];
      const look = () => {
        const st = window.kopilka.state();
        if (st.spin && window.__phases[window.__phases.length - 1] !== st.spin.phase) window.__phases.push(st.spin.phase);
        if (st.animating) window.__phases.push('animating');
        requestAnimationFrame(look);
      };
      look();
    });
    const wheelBefore = (await admin('GET', '/v1/admin/wheels/demo-wheel')).body;
    const balance = (await memberOf('demo-dace')).balance;
    await h.tap(page, 'spin');
    s = await h.waitForState(page, (st) => st.spin && st.spin.phase === 'result', null, { what: 'the spin result' });
    const phases = await page.evaluate(() => window.__phases);
    assert.ok(!phases.includes('turning') && !phases.includes('animating'), `phases: ${phases}`);
    assertLogged(wheelBefore, (await admin('GET', '/v1/admin/wheels/demo-wheel')).body, s.spin.prize);
    assert.equal((await memberOf('demo-dace')).balance - balance, s.spin.prize.kind === 'points' ? s.spin.prize.points : 0);
  });
});

test('redeem: rewards → coffee → confirm → coupon QR + code; the till redeems it once', { timeout: 60000 }, async () => {
  await withKiosk('redeem', { query: '?lang=en' }, async (page) => {
    await scanToMember(page, 'demo-anna');
    const before = await memberOf('demo-anna');
    await h.tap(page, 'rewards');
    await h.waitForScreen(page, ['rewards']);
    await shot(page, 'kiosk-rewards.png');
    await h.tap(page, 'reward', 'coffee');
    await h.waitForScreen(page, ['confirm']);
    await shot(page, 'kiosk-confirm.png');
    await h.tap(page, 'confirm');
    const s = await h.waitForScreen(page, ['coupon']);
    const code = s.coupon.code;
    assert.match(code, /^KC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
    assert.ok(s.mirror.includes(code), 'the code is on screen');
    assert.ok(s.qr_size >= 21, `the coupon screen draws a QR code (${s.qr_size} modules)`);
    await shot(page, 'kiosk-coupon.png');
    // What a till's scanner would read off the screen: the kiosk's own decoder on a screenshot.
    const screen = await h.screenPixels(page);
    assert.equal(await screen.decode(), code, 'the QR drawn on screen reads back as the coupon code');

    const after = await memberOf('demo-anna');
    assert.equal(before.balance - after.balance, 300, 'coffee reserves 300 points');
    assert.equal(s.member.balance, after.balance);
    const opA = 'e2e0000000000000000000000000000a';
    const first = await h.api(server.url, 'POST', '/v1/coupons/redeem', { key: server.tillKey, body: { operation_id: opA, code } });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const opB = 'e2e0000000000000000000000000000b';
    const second = await h.api(server.url, 'POST', '/v1/coupons/redeem', { key: server.tillKey, body: { operation_id: opB, code } });
    assert.equal(second.status, 409, JSON.stringify(second.body));
    assert.equal(second.body.error.code, 'coupon_used');
    assert.equal((await memberOf('demo-anna')).balance, after.balance, 'redeeming at the till posts the held points');
  });
});

test('offline → queue → online: a redemption confirmed without network lands exactly once', { timeout: 60000 }, async () => {
  await withKiosk('offline', { query: '?lang=en' }, async (page, context) => {
    await scanToMember(page, 'demo-dace');
    const before = await exportOf('demo-dace');
    await h.tap(page, 'rewards');
    await h.tap(page, 'reward', 'coffee');
    await h.waitForScreen(page, ['confirm']);
    await context.setOffline(true);
    await h.tap(page, 'confirm');
    const en = h.catalogue('en');
    let s = await h.waitForState(page, (st) => st.busy && !st.online, null, { what: 'the offline note' });
    s = await h.waitForState(page, (st, t) => st.mirror.includes(t), en['working.offline'], { what: 'the queued note in the mirror' });
    // It says the connection is gone, and not that rewards are unavailable: this one is queued.
    assert.ok(s.mirror.includes(en['offline.short']), `the screen says the connection is gone: ${s.mirror}`);
    assert.ok(!s.mirror.includes(en['offline.banner']), `no contradiction: ${s.mirror}`);
    assert.equal((await exportOf('demo-dace')).coupons.length, before.coupons.length, 'nothing reached the server');
    await shot(page, 'kiosk-offline.png');

    await context.setOffline(false);
    s = await h.waitForScreen(page, ['coupon']);
    const after = await exportOf('demo-dace');
    assert.equal(after.coupons.length, before.coupons.length + 1, 'exactly one coupon');
    assert.equal(reserves(after), reserves(before) + 1, 'exactly one reservation');
    assert.equal(before.balance.available - after.balance.available, 300);
    assert.ok(after.coupons.some((c) => c.code === s.coupon.code), 'the coupon shown is the one the server issued');
  });
});

test('reload with a pending outbox: the stored redemption is sent after the reload and lands once', { timeout: 60000 }, async () => {
  await withKiosk('reload', { query: '?lang=en' }, async (page, context) => {
    await scanToMember(page, 'demo-anna');
    const before = await exportOf('demo-anna');
    await h.tap(page, 'rewards');
    await h.tap(page, 'reward', 'coffee');
    await h.waitForScreen(page, ['confirm']);
    // Offline, and the redemption route refused at the browser's edge too: Chromium's offline
    // emulation has let a request of the old page through while the reload swaps documents.
    const refuse = (route) => route.abort('internetdisconnected');
    await context.route('**/v1/kiosk/redeem', refuse);
    await context.setOffline(true);
    await h.tap(page, 'confirm');
    await h.waitForState(page, (st) => st.busy && !st.online, null, { what: 'the failed request' });
    const stored = () => page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('kopilka', 1);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const r = open.result.transaction('outbox', 'readonly').objectStore('outbox').getAll();
        r.onsuccess = () => { resolve(r.result); open.result.close(); };
        r.onerror = () => reject(r.error);
      };
    }));
    const pending = await stored();
    assert.equal(pending.length, 1, JSON.stringify(pending));
    const op = pending[0];
    assert.equal(op.path, '/v1/kiosk/redeem');

    // Still offline: the page can't even load (no service worker); the outbox waits in IndexedDB.
    await page.reload({ timeout: 5000 }).catch(() => {});
    // Whether Chromium's offline emulation let the old page's request through during the
    // reload (on a loaded machine it sometimes does) doesn't matter here: either way the
    // stored operation is sent again below, and the server must end with exactly one coupon.
    await context.unroute('**/v1/kiosk/redeem', refuse);
    await context.setOffline(false);
    await h.openKiosk(page, server.url, { query: '?lang=en' });
    const s = await h.waitForScreen(page, ['attract']);
    assert.equal(s.member, null, 'the shopper who asked is gone: nothing of theirs is shown');
    await page.waitForFunction(() => new Promise((resolve) => {
      const open = indexedDB.open('kopilka', 1);
      open.onsuccess = () => {
        const r = open.result.transaction('outbox', 'readonly').objectStore('outbox').count();
        r.onsuccess = () => { resolve(r.result === 0); open.result.close(); };
      };
    }), null, { timeout: 15000, polling: 200 });
    const after = await exportOf('demo-anna');
    assert.equal(after.coupons.length, before.coupons.length + 1, 'exactly one coupon');
    assert.equal(reserves(after), reserves(before) + 1, 'exactly one reservation');
    // The same operation again is a replay, not a second coupon.
    const replay = await h.api(server.url, 'POST', op.path, { key: server.deviceToken, body: JSON.parse(op.body) });
    assert.equal(replay.status, 201, JSON.stringify(replay.body));
    assert.equal((await exportOf('demo-anna')).coupons.length, before.coupons.length + 1, 'the replay issued nothing');
  });
});

test('idle sign-out: back to attract with nothing of the member left; "I\'m still here" extends it', { timeout: 60000 }, async () => {
  await kioskSettings({ idle_seconds: 5 });
  try {
    await withKiosk('idle', { query: '?lang=en' }, async (page) => {
      await h.waitForState(page, (st) => st.config_version !== '', null, { what: 'the config' });
      let s = await scanToMember(page, 'demo-boris');
      const name = s.member.name;
      const first = s.idle_deadline_ms;
      assert.ok(s.mirror.includes(says('en', 'member.signout_in', 5)) || s.mirror.includes(says('en', 'member.signout_in', 4)),
        `the countdown is on screen: ${s.mirror}`);
      await page.waitForTimeout(3000);
      await h.tap(page, 'stay');
      s = await h.kioskState(page);
      assert.equal(s.screen, 'member');
      assert.ok(s.idle_deadline_ms > first, 'the deadline moved');
      // Past the first deadline the member is still there.
      await page.waitForTimeout(Math.max(0, first - Date.now()) + 700);
      assert.equal((await h.kioskState(page)).screen, 'member', '"I\'m still here" kept the session');
      s = await h.waitForScreen(page, ['attract'], { timeoutMs: 10000 });
      assert.equal(s.member, null);
      const all = JSON.stringify(s) + (await h.mirrorText(page));
      for (const secret of [name, cards['demo-boris'], 'demo-boris', says('en', 'member.balance', 120)]) {
        assert.ok(!all.includes(secret), `${secret} is still on the kiosk after sign-out`);
      }
    });
  } finally {
    await kioskSettings({ idle_seconds: 30 });
  }
});

test('each language: the member screen in ru, de, lv, en with the right plural forms', { timeout: 60000 }, async () => {
  await withKiosk('languages', {}, async (page) => {
    const s0 = await scanToMember(page, 'demo-boris');
    const m = s0.member;
    for (const locale of ['ru', 'de', 'lv', 'en']) {
      await h.tap(page, `lang:${locale}`);
      const s = await h.waitForState(page, (st, l) => st.locale === l, locale, { what: `locale ${locale}` });
      assert.equal(s.screen, 'member');
      const c = h.catalogue(locale);
      const expected = [
        c['member.greeting'].replace('{name}', m.name),
        says(locale, 'member.balance', m.balance),
        says(locale, 'member.spins', m.spins_available),
      ];
      const mirror = await h.mirrorText(page);
      for (const line of expected) assert.ok(mirror.includes(line), `${locale}: ${JSON.stringify(line)} in ${JSON.stringify(mirror)}`);
      assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
      await shot(page, `kiosk-member-${locale}.png`);
    }
  });
});

test('the second built-in theme: switching the kiosk settings to "night" redraws the kiosk with it', { timeout: 40000 }, async () => {
  const themes = (await admin('GET', '/v1/admin/themes')).body.themes;
  const night = themes.find((t) => t.id === 'night').theme;
  const day = themes.find((t) => t.id === 'daylight').theme;
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  await kioskSettings({ theme_id: 'night' });
  try {
    await withKiosk('night', {}, async (page) => {
      const s = await h.waitForState(page, (st, n) => st.theme === n, night.name, { what: 'the night theme' });
      assert.equal(s.screen, 'attract');
      await page.waitForTimeout(300);
      await shot(page, 'kiosk-night.png');
      const px = await (await h.screenPixels(page)).at(5, 790);
      const want = rgb(night.colors.background);
      assert.ok(px.every((v, i) => Math.abs(v - want[i]) <= 2), `background ${px} should be night's ${want} (day: ${rgb(day.colors.background)})`);
    });
  } finally {
    await kioskSettings({ theme_id: 'daylight' });
  }
});
