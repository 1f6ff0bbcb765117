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
  artifactsDir, checkPrerequisites, clickItem, cli, launchChromium, makeTempDir, siteDir, requireFile,
  startServer, watchPage,
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

      await page.evaluate(async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        await window.kopilkaConsole.setLogo(new File([bytes], 'logo.png', { type: 'image/png' }));
      }, LOGO_PNG);
      await page.locator('#console-logo:not([hidden])').waitFor({ timeout: 5000 });
      const after2 = await page.screenshot({ clip });
      assert.ok(!after1.equals(after2), 'the kiosk preview did not change with the logo');
      // A file that is not an image is refused before it reaches the draft.
      await page.evaluate(() => window.kopilkaConsole.setLogo(
        new File(['<svg/>'], 'x.svg', { type: 'image/svg+xml' })));

      // Save: the server has the new accent.
      assert.equal((await state(page)).dirty, true);
      await clickItem(page, '##save');
      await page.waitForFunction(() => !window.kopilkaConsole.state().dirty, null,
        { timeout: 10000 });
      await page.screenshot({ path: path.join(artifactsDir, 'console-theme.png') });
      assert.deepEqual(watch.pageErrors, []);
    } catch (err) {
      await page.screenshot({ path: path.join(artifactsDir, 'console-failure.png') })
        .catch(() => {});
      err.message += '\n' + watch.dump();
      throw err;
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
    } finally {
      await page.close();
    }
  });
});
