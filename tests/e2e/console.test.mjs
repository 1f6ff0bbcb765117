// The merchant console against a real kopilka-server, tried as a new merchant would: sign in
// from the keyboard, change the accent colour and upload a logo → the kiosk preview's pixels
// change at once and the widget preview gets the draft theme, save; a wrong password is refused
// with the server's message; a support user sees no theme editor.
//
// How a test drives the console (web/console/app.js):
//   window.kopilkaConsole.ready / .state() → {signed_in, section, role, theme_id, dirty, version,
//     accent, devices, pairing_code, layout} / .layout() → {widget:{x,y,w,h}, logo:{…}, theme, …}
//     (CSS pixels; the kiosk preview's logo box and the widget preview's box) / .setLogo(File)
//   #console-logo (img over the kiosk preview), #console-widget > kopilka-widget[preview]
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, clickItem, cli, kioskState, launchChromium, makeTempDir,
  openKiosk, requireFile, screenPixels, siteDir, startServer, tapKey, waitForScreen, watchPage,
} from './harness.mjs';

// A 2×2 PNG (red, green, blue, white).
const LOGO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAE0lEQVR4nGP4z8DAsACIGf4DAQAclwWcT4AauwAAAABJRU5ErkJggg==';

async function signIn(page, url, email, password) {
  await page.goto(url + '/console/');
  await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready,
    null, { timeout: 30000 });
  await page.waitForTimeout(300);  // the shop code field takes the keyboard focus
  // Typed at once: the host holds text typed right after a Tab until ImGui has moved the focus.
  const tab = () => page.keyboard.press('Tab');
  await page.keyboard.type('demo');
  await tab();
  await page.keyboard.type(email);
  await tab();
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
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

// A failed test keeps a screenshot of the console and says what the page logged.
async function keepFailure(page, watch, err) {
  await page.screenshot({ path: path.join(artifactsDir, 'console-failure.png') }).catch(() => {});
  err.message += '\n' + watch.dump();
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
      await clickItem(page, '##hex.accent');
      await page.waitForTimeout(200);
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
    } finally {
      await page.close();
    }
  });

  test('the simulator: PRODUCT.md\'s discount and bonus, a price typed wrong is named at its ' +
    'field', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    const mirror = () => page.evaluate(() => document.getElementById('kopilka-mirror').textContent);
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
      await clickItem(page, '##sim.price');
      await page.waitForTimeout(200);  // the field takes the keyboard
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
      await page.evaluate(() => sessionStorage.clear()).catch(() => {});
      await signIn(page, server.url, 'owner@demo.example', owner.password);
      await page.waitForFunction(() => window.kopilkaConsole.state().section === 'themes', null,
        { timeout: 15000 });

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
});
