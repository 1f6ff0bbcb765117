// The merchant console against a real kopilka-server, tried as a new merchant would: sign in
// from the keyboard, change the accent colour and upload a logo → the kiosk preview's pixels
// change at once and the widget preview gets the draft theme, save; a wrong password is refused
// with the server's message; a support user sees no theme editor; the program editor's new
// points rate changes the test receipt before saving and a till receipt after, and a wrong tier
// threshold is shown at its field with nothing saved.
//
// How a test drives the console (web/console/app.js):
//   window.kopilkaConsole.ready / .state() → {signed_in, section, role, theme_id, dirty, version,
//     accent, devices, pairing_code, program: {loaded, version, dirty, can_save, earn_bp,
//     problem_field, error_field, done, draft_points, published_points}, layout} / .layout() →
//     {widget:{x,y,w,h}, logo:{…}, theme, …} (CSS pixels; the kiosk preview's logo box and the
//     widget preview's box) / .setLogo(File)
//   #console-logo (img over the kiosk preview), #console-widget > kopilka-widget[preview]
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, clickItem, cli, consoleSignIn, focusField, kioskState,
  launchChromium, makeTempDir, mirrorText, openKiosk, requireFile, screenPixels, siteDir,
  startServer, tapKey, waitForScreen, watchPage,
} from './harness.mjs';

// A 2×2 PNG (red, green, blue, white).
const LOGO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAE0lEQVR4nGP4z8DAsACIGf4DAQAclwWcT4AauwAAAABJRU5ErkJggg==';

async function signIn(page, url, email, password) {
  await consoleSignIn(page, url, email, password);
}

// Signed in afresh as the shop's owner, who lands on the theme editor.
async function signInAsOwner(page, url, password) {
  await page.evaluate(() => sessionStorage.clear()).catch(() => {});
  await signIn(page, url, 'owner@demo.example', password);
  await page.waitForFunction(() => window.kopilkaConsole.state().section === 'themes', null,
    { timeout: 15000 });
}

const state = (page) => page.evaluate(() => window.kopilkaConsole.state());

// The logo above, chosen as a file would be (the page checks it and hands it to the draft).
async function uploadLogo(page) {
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    await window.kopilkaConsole.setLogo(new File([bytes], 'logo.png', { type: 'image/png' }));
  }, LOGO_PNG);
}

// Save, and wait until the server took the draft.
async function saveTheme(page) {
  await clickItem(page, '##save');
  await page.waitForFunction(() => !window.kopilkaConsole.state().dirty, null, { timeout: 10000 });
}

// Scrolls the window under (x, y) with the mouse wheel, a notch at a time (100 px, as Chromium
// reports one), until the control `id` shows: a turn down moves the content up.
async function scrollToItem(page, id, x, y) {
  await page.mouse.move(x, y);
  for (let i = 0; i < 80; i += 1) {
    const items = await page.evaluate(() => window.kopilkaConsole.state().items || []);
    const item = items.find((it) => it.id.endsWith(id));
    if (item && item.visible && item.y > 120 && item.y + item.h < page.viewportSize().height - 20)
      return item;
    await page.mouse.wheel(0, item && item.y < 120 ? -100 : 100);
    await page.waitForTimeout(100);
  }
  throw new Error(`no ${id} came into view`);
}

// A 1280×800 console page for body(page); its errors fail the test, and a failure keeps a
// screenshot and the page's log.
async function onConsolePage(browser, body) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const watch = watchPage(page);
  try {
    await body(page);
    assert.deepEqual(watch.pageErrors, []);
  } catch (err) {
    throw await keepFailure(page, watch, err);
  } finally {
    await page.close();
  }
}

// The published program as the server has it.
const publishedProgram = async (server) =>
  (await api(server.url, 'GET', '/v1/admin/program', { key: server.adminKey })).body;

// A failed test keeps a screenshot of the console and says what the page logged and what the
// console's text mirror said.
async function keepFailure(page, watch, err) {
  await page.screenshot({ path: path.join(artifactsDir, 'console-failure.png') }).catch(() => {});
  const mirror = await page.evaluate(() => {
    const m = document.getElementById('kopilka-mirror');
    return m ? m.textContent : '';
  }).catch(() => '');
  err.message += '\n' + watch.dump() + '\nthe console said: ' + mirror;
  return err;
}

describe('console', () => {
  let tmp, server, browser, owner;
  before(async () => {
    checkPrerequisites();
    requireFile(path.join(siteDir, 'console/console.js'), 'build the wasm console (tools/build.sh)');
    tmp = makeTempDir();
    server = await startServer(tmp);
    owner = await cli(tmp, ['user', 'add', '--db', server.dbFile, '--merchant', 'demo',
      '--email', 'owner@demo.example', '--name', 'Olga', '--role', 'owner']);
    browser = await launchChromium();
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('sign in, change the accent and the logo: the previews change at once', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    try {
      await signIn(page, server.url, 'owner@demo.example', owner.password);
      await page.waitForFunction(() => {
        const s = window.kopilkaConsole.state();
        return s.signed_in && s.section === 'themes' && s.theme_id !== '';
      }, null, { timeout: 15000 });
      const layout = await page.evaluate(() => window.kopilkaConsole.layout());
      assert.ok(layout.widget && layout.widget.w >= 300, JSON.stringify(layout.widget));
      await page.locator('#console-widget kopilka-widget[preview]').waitFor({ timeout: 15000 });

      // The kiosk preview: right of the controls, above the widget's box.
      const clip = { x: layout.widget.x, y: 140, width: 540, height: layout.widget.y - 160 };
      const before = await page.screenshot({ clip });
      const s0 = await state(page);
      assert.equal(s0.dirty, false);
      // The accent's hex field (clicking selects its text, so the colour typed replaces it).
      await focusField(page, '##hex.accent');
      await page.keyboard.type('#0055AA');
      await page.waitForFunction(() => window.kopilkaConsole.state().accent === '#0055AA',
        null, { timeout: 5000 });
      await page.waitForTimeout(200);
      const after1 = await page.screenshot({ clip });
      assert.ok(!before.equals(after1), 'the kiosk preview did not change with the accent');
      assert.notEqual(s0.accent, '#0055AA');
      const widgetTheme = await page.evaluate(() => window.kopilkaConsole.layout().theme);
      assert.equal(widgetTheme.colors.accent, '#0055AA');

      await uploadLogo(page);
      await page.locator('#console-logo:not([hidden])').waitFor({ timeout: 5000 });
      const after2 = await page.screenshot({ clip });
      assert.ok(!after1.equals(after2), 'the kiosk preview did not change with the logo');

      // Save: the server has the new accent.
      assert.equal((await state(page)).dirty, true);
      await saveTheme(page);
      await page.screenshot({ path: path.join(artifactsDir, 'console-theme.png') });
      // A file that is not an image is refused before it reaches the draft.
      const logoSrc = (await page.evaluate(() => window.kopilkaConsole.layout())).logo_src;
      await page.evaluate(() => window.kopilkaConsole.setLogo(
        new File(['<svg/>'], 'x.svg', { type: 'image/svg+xml' })));
      await page.waitForTimeout(300);
      assert.equal((await page.evaluate(() => window.kopilkaConsole.layout())).logo_src, logoSrc);
      assert.equal((await state(page)).dirty, false);
      assert.deepEqual(watch.pageErrors, []);
    } catch (err) {
      throw await keepFailure(page, watch, err);
    } finally {
      await page.close();
    }
  });

  test('a wrong password is refused and a support user has no theme editor', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    try {
      await signIn(page, server.url, 'owner@demo.example', 'not the password');
      await page.waitForFunction(
        () => /wrong/.test(document.getElementById('kopilka-mirror').textContent), null,
        { timeout: 10000 });
      assert.equal((await state(page)).signed_in, false);

      const support = await cli(tmp, ['user', 'add', '--db', server.dbFile, '--merchant', 'demo',
        '--email', 'help@demo.example', '--name', 'Sam', '--role', 'support']);
      await page.evaluate(() => sessionStorage.clear());
      await signIn(page, server.url, 'help@demo.example', support.password);
      await page.waitForFunction(() => window.kopilkaConsole.state().signed_in, null,
        { timeout: 10000 });
      const s = await state(page);
      assert.equal(s.role, 'support');
      assert.equal(s.section, 'overview');
      assert.equal(s.layout.widget, null);
      assert.ok(!s.items.some((i) => i.label === 'Theme'), 'a support user sees the theme editor');
      // The server refuses the support user's theme write whatever the page shows.
      const token = (await api(server.url, 'POST', '/v1/console/session', {
        body: { merchant: 'demo', email: 'help@demo.example', password: support.password },
      })).body.token;
      const write = await api(server.url, 'PUT', '/v1/admin/themes/sneaky', {
        key: token, body: { name: 'Sneaky', colors: { accent: '#000000' } },
      });
      assert.equal(write.status, 403, JSON.stringify(write.body));
      assert.equal(write.body.error.code, 'forbidden');
    } catch (err) {
      throw await keepFailure(page, watch, err);
    } finally {
      await page.close();
    }
  });

  test('the sign-in typed at full speed, as a password manager fills it (shop, Tab, e-mail, ' +
    'Tab, password, Enter without waiting), puts each text in its field and signs in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    try {
      await page.goto(`${server.url}/console/`);
      await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready, null,
        { timeout: 30000 });
      await page.waitForFunction(() => document.activeElement &&
        document.activeElement.tagName === 'TEXTAREA', null, { timeout: 10000 });
      for (let i = 0; i < 3; i += 1) {  // the text before each Tab stays in its own field
        await page.evaluate(() => sessionStorage.clear());
        if (i > 0) {
          await page.reload();
          await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready &&
            document.activeElement && document.activeElement.tagName === 'TEXTAREA', null, { timeout: 30000 });
        }
        await page.keyboard.type('demo');
        await page.keyboard.press('Tab');
        await page.keyboard.type('owner@demo.example');
        await page.keyboard.press('Tab');
        await page.keyboard.type(owner.password);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => window.kopilkaConsole.state().signed_in, null, { timeout: 15000 })
          .catch(async (err) => {
            throw new Error(`${err.message}; the form: ${JSON.stringify((await state(page)).sign_in)}`);
          });
      }
    } catch (err) {
      throw await keepFailure(page, watch, err);
    } finally {
      await page.close();
    }
  });

  test('the simulator: PRODUCT.md\'s discount and bonus, a price typed wrong is named at its ' +
    'field', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    const mirror = () => mirrorText(page);
    try {
      await signIn(page, server.url, 'owner@demo.example', owner.password);
      await page.waitForFunction(() => window.kopilkaConsole.state().signed_in, null,
        { timeout: 10000 });
      await clickItem(page, 'Simulator');
      await page.waitForFunction(() => /The bonus earns you/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 10000 });
      const text = await mirror();
      assert.match(text, /Share of the margin given away: Discount 16\.67%, Bonus 8\.33%/);
      await clickItem(page, '##sim.chart.profit', { click: false });
      await clickItem(page, '##sim.chart.share', { click: false });
      await page.screenshot({ path: path.join(artifactsDir, 'console-simulator.png') });

      // A comma is a decimal separator (9 000.50 ₽: 5 % of it is 450.025, 450.02 half to even,
      // once per customer with the bonus); a letter is not a number, and is named at the price.
      await focusField(page, '##sim.price');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('9000,5');
      await page.waitForFunction(() => /The bonus earns you ₽450,020 more/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });
      await page.keyboard.type('x');
      await page.waitForFunction(() => /Price of one sale, RUB: Digits/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });
      assert.doesNotMatch(await mirror(), /earns you/);
      assert.deepEqual(watch.pageErrors, []);
    } catch (err) {
      throw await keepFailure(page, watch, err);
    } finally {
      await page.close();
    }
  });

  test('pair a kiosk from the console, publish a new accent and logo: the kiosk shows them ' +
    'after its next config fetch; revoke it: it goes back to pairing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    const kioskContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const kiosk = await kioskContext.newPage();
    try {
      await signInAsOwner(page, server.url, owner.password);

      // Pair: a name, "Pair a kiosk", the code the console shows, typed into a new kiosk.
      await clickItem(page, 'Kiosks');
      await clickItem(page, '##pair_name');
      await page.keyboard.type('Till 2');
      await clickItem(page, 'Pair a kiosk');
      const code = (await page.waitForFunction(() => window.kopilkaConsole.state().pairing_code,
        null, { timeout: 10000 })).jsonValue();
      await openKiosk(kiosk, server.url, { query: `?pair=${await code}`, token: '' });
      await waitForScreen(kiosk, ['attract']);
      await clickItem(page, 'Done');
      await page.waitForFunction(() => window.kopilkaConsole.state().devices >= 2, null,
        { timeout: 10000 });  // the demo kiosk and this one

      // Publish a new accent and a logo.
      await clickItem(page, 'Theme');
      await clickItem(page, '##hex.accent');
      await page.keyboard.type('#0055AA');
      await uploadLogo(page);
      await page.waitForFunction(() => window.kopilkaConsole.state().dirty);
      await saveTheme(page);
      const saved = (await state(page)).version;
      await clickItem(page, '##publish');
      let published = null;
      for (let i = 0; i < 50 && (!published || published.version !== saved); i += 1) {
        await page.waitForTimeout(100);
        published = (await api(server.url, 'GET', '/v1/admin/themes/published',
          { key: server.adminKey })).body;
      }
      assert.equal(published.version, saved, JSON.stringify(published));

      // The kiosk's next config fetch (here: it starts again) brings the published theme.
      await openKiosk(kiosk, server.url, { token: '' });
      await waitForScreen(kiosk, ['attract']);
      await kiosk.waitForFunction(() => {
        const img = document.getElementById('kopilka-logo');
        return img && !img.hidden && img.src.startsWith('data:image/png');
      }, null, { timeout: 10000 });
      const start = (await kioskState(kiosk)).buttons.find((b) => b.name === 'start');
      assert.ok(start, 'the kiosk drew no start button');
      const shot = await screenPixels(kiosk);
      const [r, g, b] = await shot.at(Math.round(start.x + 6), Math.round(start.y + start.h / 2));
      assert.ok(Math.abs(r - 0x00) < 12 && Math.abs(g - 0x55) < 12 && Math.abs(b - 0xAA) < 12,
        `the kiosk's start button is rgb(${r}, ${g}, ${b}), not the published #0055AA`);

      // Revoke it: its next request finds the device token refused, and it shows pairing.
      await clickItem(page, 'Kiosks');
      const devices = (await api(server.url, 'GET', '/v1/admin/devices',
        { key: server.adminKey })).body.devices;
      const till = devices.find((d) => d.name === 'Till 2');
      assert.ok(till && till.online, JSON.stringify(devices));
      // A quick tap of Escape closes the confirmation without revoking.
      await clickItem(page, `##revoke.${till.id}`);
      await clickItem(page, 'Revoke the kiosk', { click: false });
      await tapKey(page, 'Escape', 27);
      await page.waitForFunction(() => !window.kopilkaConsole.state().items
        .some((i) => i.label === 'Revoke the kiosk'), null, { timeout: 5000 });
      await clickItem(page, `##revoke.${till.id}`);
      await clickItem(page, 'Revoke the kiosk');
      let revoked = false;
      for (let i = 0; i < 50 && !revoked; i += 1) {
        await page.waitForTimeout(100);
        revoked = (await api(server.url, 'GET', '/v1/admin/devices', { key: server.adminKey }))
          .body.devices.some((d) => d.id === till.id && d.revoked);
      }
      assert.ok(revoked, 'the console did not revoke the kiosk');
      await openKiosk(kiosk, server.url, { token: '' });
      await waitForScreen(kiosk, ['pairing']);

      // Who did it, in the audit log.
      const audit = (await api(server.url, 'GET', '/v1/admin/audit', { key: server.adminKey }))
        .body.entries;
      for (const action of ['theme.save', 'theme.publish', 'device.pair_code', 'device.revoke']) {
        const e = audit.find((x) => x.action === action);
        assert.ok(e, `no ${action} in the audit log`);
        assert.equal(e.actor.kind, 'user');
      }
      await page.screenshot({ path: path.join(artifactsDir, 'console-kiosks.png') });
      assert.deepEqual(watch.pageErrors, []);
    } catch (err) {
      throw await keepFailure(page, watch, err);
    } finally {
      await kioskContext.close();
      await page.close();
    }
  });

  test('program editor: a new points rate changes the test receipt before saving, then the ' +
    'till; a wrong tier threshold is shown at its field and nothing is saved', () =>
    onConsolePage(browser, async (page) => {
      await signInAsOwner(page, server.url, owner.password);
      await clickItem(page, 'Program');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.loaded, null,
        { timeout: 10000 });
      const before = await publishedProgram(server);
      const p0 = (await state(page)).program;
      assert.equal(p0.version, before.version);
      assert.equal(p0.earn_bp, before.program.bonus.earn_bp);
      // The test receipt (1 000 ₽ of coffee, a Base member): 5 % → 50 points, draft and live.
      assert.equal(p0.draft_points, 50);
      assert.equal(p0.published_points, 50);
      assert.equal(p0.can_save, false);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program.png') });

      // 10 %: the receipt earns 100 before anything is saved; the server still has 5 %.
      await focusField(page, '##bonus.earn_bp');
      await page.keyboard.type('10');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.earn_bp === 1000,
        null, { timeout: 5000 });
      const p1 = (await state(page)).program;
      assert.equal(p1.draft_points, 100);
      assert.equal(p1.published_points, 50);
      assert.equal(p1.dirty, true);
      assert.match(await mirrorText(page), /50 → 100 points/);
      assert.equal((await publishedProgram(server)).version, before.version);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-what-if.png') });

      // Save: a new version with 10 %; a receipt at the till earns at the new rate.
      await clickItem(page, '##program_save');
      await page.waitForFunction(() => {
        const p = window.kopilkaConsole.state().program;
        return p.done === 'saved' && !p.dirty;
      }, null, { timeout: 10000 });
      const saved = await publishedProgram(server);
      assert.equal(saved.version, before.version + 1);
      assert.equal(saved.program.bonus.earn_bp, 1000);
      const receipt = await api(server.url, 'POST', '/v1/receipts', { key: server.tillKey, body: {
        operation_id: '0123456789abcdef0123456789abcd01', member: { id: 'demo-boris' },
        receipt: { id: 'R-program-1', lines: [{ sku: 'item-1', category: 'coffee',
          unit_price: 100000 }] } } });
      assert.equal(receipt.status, 201, JSON.stringify(receipt.body));
      assert.equal(receipt.body.quote.points_earned, 100, JSON.stringify(receipt.body.quote));

      // Gold's threshold below Silver's: shown at Gold's threshold field, Save stays off.
      const field = '##tiers.levels[2].threshold';
      await scrollToItem(page, field, 300, 500);
      await focusField(page, field);
      await page.keyboard.type('900');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.problem_field ===
        'tiers.levels[2].threshold', null, { timeout: 5000 });
      assert.equal((await state(page)).program.can_save, false);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-error.png') });
      await clickItem(page, '##program_save');  // disabled: nothing is sent
      await page.waitForTimeout(500);
      const after = await publishedProgram(server);
      assert.equal(after.version, saved.version);
      assert.equal(after.program.tiers.levels[2].threshold, 5000);
      assert.match(await mirrorText(page),
        /tiers\.levels\[2\]\.threshold/);

      // The same screen at 1920×1080.
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-1920.png') });
      // In Russian: the form, the words and the what-if follow the language.
      await clickItem(page, 'RU');
      await page.waitForFunction(() => /Программа лояльности/.test(
        document.getElementById('kopilka-mirror').textContent) || /Исправьте/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-ru.png') });
    }));
  test('program editor: the draft runs over the shop\'s receipts, survives a reload, is ' +
    'scheduled for later; the history reverts a version', () =>
    onConsolePage(browser, async (page) => {
      // Three receipts of Boris's at the till: what the simulation prices again.
      for (let i = 0; i < 3; i += 1) {
        const r = await api(server.url, 'POST', '/v1/receipts', { key: server.tillKey, body: {
          operation_id: `0123456789abcdef0123456789ab${String(i).padStart(4, '0')}`,
          member: { id: 'demo-boris' },
          receipt: { id: `R-sim-${i}`, lines: [{ sku: 'item-1', category: 'coffee',
            unit_price: 200000 }] } } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      await signInAsOwner(page, server.url, owner.password);
      await clickItem(page, 'Program');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.loaded, null,
        { timeout: 10000 });
      const before = await publishedProgram(server);
      const rate = before.program.bonus.earn_bp;
      await focusField(page, '##bonus.earn_bp');
      await page.keyboard.type(String(rate / 100 * 2));
      await page.waitForFunction((bp) => window.kopilkaConsole.state().program.earn_bp === bp,
        rate * 2, { timeout: 5000 });

      // Had the draft been live over the last 30 days: twice the points on the same receipts.
      await clickItem(page, 'Your receipts');
      await clickItem(page, '##sim_run');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.simulated, null,
        { timeout: 15000 });
      const sim = (await state(page)).program;
      assert.ok(sim.sim_receipts >= 3, JSON.stringify(sim));
      assert.ok(sim.sim_points > sim.sim_published_points, JSON.stringify(sim));
      assert.match(await mirrorText(page), /Had this draft been live/);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-simulate.png') });
      assert.equal((await publishedProgram(server)).version, before.version);  // nothing written

      // A reload keeps the unsaved draft.
      await page.reload();
      await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready &&
        window.kopilkaConsole.state().signed_in, null, { timeout: 30000 });
      await clickItem(page, 'Program');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.loaded, null,
        { timeout: 10000 });
      const restored = (await state(page)).program;
      assert.equal(restored.restored, true);
      assert.equal(restored.dirty, true);
      assert.equal(restored.earn_bp, rate * 2);

      // Scheduled for 2030: the server keeps the version waiting, the live one stays.
      await focusField(page, '##publish_at');
      await page.keyboard.type('2030-01-01 00:00');
      await page.waitForTimeout(300);
      await clickItem(page, '##program_save');
      await page.waitForFunction(() => {
        const p = window.kopilkaConsole.state().program;
        return p.done === 'scheduled' && p.scheduled === 1;
      }, null, { timeout: 10000 });
      const scheduled = await publishedProgram(server);
      assert.equal(scheduled.version, before.version);
      assert.equal(scheduled.scheduled.length, 1);
      assert.equal(scheduled.scheduled[0].effective_from_ms, Date.UTC(2030, 0, 1));
      assert.match(await mirrorText(page),
        /waits: it takes effect 2030-01-01 00:00/);

      // The history: revert to the version before the live one, after a confirmation.
      await clickItem(page, 'History');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.history >= 2, null,
        { timeout: 10000 });
      // The version before the live one (or, run alone on a fresh demo, the waiting one).
      const older = before.version > 1 ? before.version - 1 : before.version + 1;
      await clickItem(page, `##revert.${older}`);
      await page.waitForFunction((v) => window.kopilkaConsole.state().program.confirm_revert === v,
        older, { timeout: 5000 });
      assert.equal((await publishedProgram(server)).version, before.version);  // not yet
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-history.png') });
      await clickItem(page, '##revert_yes');
      await page.waitForFunction(() => window.kopilkaConsole.state().program.reverted_to > 0,
        null, { timeout: 10000 });
      const reverted = await publishedProgram(server);
      const old = (await api(server.url, 'GET', `/v1/admin/program/versions/${older}`,
        { key: server.adminKey })).body;
      assert.equal(reverted.version, (await state(page)).program.reverted_to);
      assert.deepEqual(reverted.program, old.program);
      if (older < before.version) assert.equal(reverted.scheduled.length, 1);  // 2030 waits
    }));
  test('import and export: a CSV with one bad line is checked, imported with a progress bar ' +
    'that survives a reload, the same file again changes nothing; members.csv downloads', () =>
    onConsolePage(browser, async (page) => {
      // As Excel writes it in Latvia: a BOM, semicolons, a quoted name with a semicolon.
      const csv = '\ufeffcard;name;phone;consent;opening_points\r\n' +
        'LV-CARD-0001;"Liepa; Anna";+371 2611 1111;jā;150\r\n' +
        '12;Bad Card;+371 2000 0002;yes;10\r\n' +
        'LV-CARD-0003;Jānis Ozols;+371 2622 2222;2026-01-05;0\r\n';
      const setCsv = (text) => page.evaluate((t) => window.kopilkaConsole.setCsv(
        new File([t], 'members-lv.csv', { type: 'text/csv' })), text);
      const imp = async () => (await state(page)).import;
      await signInAsOwner(page, server.url, owner.password);
      await clickItem(page, 'Import & export');
      await setCsv(csv);
      await page.waitForFunction(() => window.kopilkaConsole.state().import.checked, null,
        { timeout: 10000 });
      let s = await imp();
      assert.equal(s.rows_total, 3);
      assert.equal(s.rows_bad, 1);
      assert.deepEqual(s.bad_lines, [3]);
      assert.match(await mirrorText(page), /Line 3: card/);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-import.png') });

      await clickItem(page, '##import_go');
      await page.waitForFunction(() => window.kopilkaConsole.state().import.job_status === 'done',
        null, { timeout: 20000 });
      s = await imp();
      assert.equal(s.job_created, 2, JSON.stringify(s));
      assert.equal(s.job_bad, 1);
      const found = await api(server.url, 'GET', '/v1/admin/members?q=Liepa',
        { key: server.adminKey });
      assert.equal(found.status, 200);
      assert.ok(JSON.stringify(found.body).includes('Liepa; Anna'), JSON.stringify(found.body));

      // A reload shows the same report (the job's id is kept in the browser).
      await page.reload();
      await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready &&
        window.kopilkaConsole.state().signed_in, null, { timeout: 30000 });
      await clickItem(page, 'Import & export');
      await page.waitForFunction(() => window.kopilkaConsole.state().import.job_status === 'done',
        null, { timeout: 10000 });
      assert.equal((await imp()).job_created, 2);
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-import-done.png') });

      // The same file again: both members matched, no one created, no points given twice.
      await clickItem(page, '##import_dismiss');
      await setCsv(csv);
      await page.waitForFunction(() => window.kopilkaConsole.state().import.can_import, null,
        { timeout: 10000 });
      await clickItem(page, '##import_go');
      await page.waitForFunction(() => {
        const i = window.kopilkaConsole.state().import;
        return i.job_status === 'done' && i.job_matched === 2;
      }, null, { timeout: 20000 });
      assert.equal((await imp()).job_created, 0);

      // members.csv through the page's download, with the session's token.
      await clickItem(page, '##export_members');
      await page.waitForFunction(() => window.kopilkaConsole.downloads.length > 0 &&
        window.kopilkaConsole.downloads[0].done, null, { timeout: 10000 });
      const d = await page.evaluate(() => window.kopilkaConsole.downloads[0]);
      assert.equal(d.file, 'members.csv');
      assert.ok(d.size > 100, JSON.stringify(d));
      assert.equal((await imp()).download_error, '');
    }));
});
