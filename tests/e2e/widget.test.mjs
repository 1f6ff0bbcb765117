// The website widget on the demo shop (web/demo-shop/server.mjs), a site on its own origin with a
// strict Content-Security-Policy, against a real kopilka-server: the stub costs one request until
// the visitor shows intent; a guest sees how to earn; a signed-in member sees the balance, redeems
// a reward to a code the till accepts once, spins; every view works from the keyboard, in every
// language, with no axe-core violation and no CSP violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, cli, launchChromium, makeTempDir, repo, startServer,
  watchPage,
} from './harness.mjs';

const axeSource = fs.readFileSync(path.join(repo, 'web/node_modules/axe-core/axe.min.js'), 'utf8');
const locales = ['en', 'ru', 'de', 'lv'];

async function startShop(tmp, server) {
  const minted = await cli(tmp, ['member-token', '--db', server.dbFile, '--merchant', 'demo',
    '--member', 'demo-anna']);
  const child = spawn(process.execPath, [path.join(repo, 'web/demo-shop/server.mjs'),
    '--port', '0', '--kopilka', server.url, '--merchant', 'demo',
    '--secret', minted.member_token_secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+?)\/? /.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the demo shop exited (${code}): ${out}`)));
  });
  return { url, stop: async () => { child.kill('SIGTERM'); await once(child, 'exit'); } };
}

async function allowOrigin(server, origin) {
  const got = await api(server.url, 'GET', '/v1/admin/widget-settings', { key: server.adminKey });
  assert.equal(got.status, 200, JSON.stringify(got.body));
  const settings = got.body.settings;
  settings.origins = [...new Set([...(settings.origins || []), origin])];
  const put = await api(server.url, 'PUT', '/v1/admin/widget-settings',
    { key: server.adminKey, body: settings });
  assert.equal(put.status, 200, JSON.stringify(put.body));
}

// The launcher and the dialog live in the widget's shadow root.
const launcher = (page) => page.locator('kopilka-widget').locator('button.launcher');
const dialog = (page) => page.locator('kopilka-widget').locator('dialog');

async function openPanel(page) {
  await launcher(page).click();
  await dialog(page).locator('h3').waitFor({ state: 'visible', timeout: 20000 });
}

async function waitText(page, text, timeout = 15000) {
  await dialog(page).getByText(text, { exact: false }).first().waitFor({ timeout });
}

async function csp(page) {
  return page.evaluate(() => window.__cspViolations || []);
}

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `widget-${name}.png`) });
}

describe('website widget', () => {
  let tmp, server, shop, browser;

  before(async () => {
    checkPrerequisites();
    tmp = makeTempDir();
    server = await startServer(tmp);
    shop = await startShop(tmp, server);
    await allowOrigin(server, shop.url);
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (shop) await shop.stop();
    if (server) await server.stop();
  });

  async function newPage({ signedIn = false, lang, at = '/' } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shop.url });
    const page = await context.newPage();
    const watch = watchPage(page);
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    if (signedIn) {
      await page.goto(shop.url + '/signin.html');
      await page.getByRole('button', { name: 'Sign in as Anna' }).click();
      await page.waitForURL(shop.url + '/');
    } else {
      await page.goto(shop.url + at);
    }
    // The stub builds its launcher in the first idle moment after the page is parsed.
    await launcher(page).waitFor();
    if (lang) await page.evaluate((l) => document.querySelector('kopilka-widget').setAttribute('lang', l), lang);
    return { page, context, requests, watch };
  }

  test('the stub alone loads until the visitor shows intent; one global, no layout shift', async () => {
    // A page without <kopilka-points> (those load the core as they scroll into view).
    const { page, context, requests, watch } = await newPage({ at: '/signin.html' });
    try {
      await page.waitForTimeout(500);
      const kopilka = requests.filter((u) => u.startsWith(server.url));
      assert.deepEqual(kopilka, [server.url + '/widget/v1/kopilka.js'], watch.dump());
      assert.equal(await page.evaluate(() => typeof window.Kopilka.setMemberToken), 'function');
      assert.equal(await launcher(page).getAttribute('aria-haspopup'), 'dialog');
      assert.equal(await page.evaluate(() => document.styleSheets.length), 1);  // the shop's own
      await launcher(page).hover();
      await page.waitForFunction((u) => performance.getEntriesByType('resource')
        .some((e) => e.name.startsWith(u + '/widget/v1/widget.') && e.name.endsWith('.wasm')),
      server.url, { timeout: 20000 });
      await openPanel(page);
      await waitText(page, 'Earn points at');
      assert.deepEqual(await csp(page), []);
      await screenshot(page, 'guest');
    } finally {
      await context.close();
    }
  });

  test('a signed-in member sees the balance, redeems a code the till accepts once', async () => {
    const { page, context, watch } = await newPage({ signedIn: true });
    try {
      await page.waitForFunction(() => document.querySelector('kopilka-widget')
        ?.shadowRoot?.querySelector('button.launcher'));
      await openPanel(page);
      await waitText(page, 'Hello, ').catch(async (e) => {
        e.message += '\n' + (await dialog(page).textContent()) + '\n' + watch.dump();
        throw e;
      });
      assert.match(await launcher(page).getAttribute('aria-label'), /Rewards: [\d,]+ points/);
      await screenshot(page, 'member');
      await dialog(page).getByRole('button', { name: 'Rewards', exact: true }).click();
      // The pictures the merchant uploaded for the coffee and the cake, from the server, under
      // the shop's Content-Security-Policy; decorative (each reward's name is beside it).
      const pictures = dialog(page).locator('li img');
      await pictures.first().waitFor();
      assert.equal(await pictures.count(), 2);
      await page.waitForFunction(() => [...document.querySelector('kopilka-widget').shadowRoot
        .querySelectorAll('li img')].every((i) => i.complete && i.naturalWidth > 0), null,
      { timeout: 10000 });
      assert.deepEqual(await pictures.evaluateAll((all) => all.map((i) => i.alt)), ['', '']);
      await screenshot(page, 'rewards');
      await dialog(page).getByRole('button', { name: 'Redeem' }).first().click();
      await dialog(page).getByRole('button', { name: 'Get my code' }).waitFor();
      assert.deepEqual(await axe(page), [], 'the confirm view');
      await dialog(page).getByRole('button', { name: 'Get my code' }).click();
      const code = (await dialog(page).locator('kbd').textContent({ timeout: 15000 })).trim();
      assert.match(code, /^KC-/);
      assert.deepEqual(await axe(page), [], 'the coupon view');
      await screenshot(page, 'coupon');
      const first = await api(server.url, 'POST', '/v1/coupons/redeem', { key: server.tillKey,
        body: { operation_id: '0123456789abcdef0123456789abcdef', code, receipt_id: 'R-w1' } });
      assert.ok(first.status === 200 || first.status === 201, JSON.stringify(first.body));
      const again = await api(server.url, 'POST', '/v1/coupons/redeem', { key: server.tillKey,
        body: { operation_id: '0123456789abcdef0123456789abcdee', code, receipt_id: 'R-w2' } });
      assert.equal(again.status, 409);
      assert.deepEqual(await csp(page), [], watch.dump());
    } finally {
      await context.close();
    }
  });

  test('<kopilka-points> shows what the till gives for the product, tier-aware once signed in', async () => {
    const { page, context, watch } = await newPage({ signedIn: true });
    try {
      const beans = page.locator('kopilka-points[sku="beans-1kg"]').first();
      await page.waitForFunction(() => document.querySelector('kopilka-points[sku="beans-1kg"]')
        ?.dataset.points !== undefined, null, { timeout: 20000 });
      // The member's tier is known once the session is open: the number may change then.
      await openPanel(page);
      await waitText(page, 'Hello, ');
      await page.waitForTimeout(300);
      const shown = Number(await beans.getAttribute('data-points'));
      assert.match(await beans.evaluate((e) => e.shadowRoot.textContent), /Earn [\d,]+ points?/);
      const receipt = await api(server.url, 'POST', '/v1/receipts', { key: server.tillKey, body: {
        operation_id: 'fedcba9876543210fedcba9876543210', member: { id: 'demo-anna' },
        receipt: { id: 'R-points-1', lines: [{ sku: 'beans-1kg', category: 'coffee',
          unit_price: 199000 }] } } });
      assert.equal(receipt.status, 201, JSON.stringify(receipt.body));
      assert.equal(shown, receipt.body.quote.points_earned, JSON.stringify(receipt.body.quote));
      assert.ok(shown > 0);
      assert.deepEqual(await csp(page), [], watch.dump());
    } finally {
      await context.close();
    }
  });

  test('a spin changes the balance by what the server says; the referral link copies', async () => {
    const { page, context, watch } = await newPage({ signedIn: true });
    try {
      await openPanel(page);
      await waitText(page, 'Hello, ');
      const balance = async () => Number((await launcher(page).getAttribute('aria-label'))
        .replace(/[^\d]/g, ''));
      const before = await balance();
      await dialog(page).getByRole('button', { name: 'Prize wheel', exact: true }).click();
      await dialog(page).getByRole('button', { name: 'Show odds' }).click();
      await waitText(page, 'Chance to win');
      const spin = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/v1/widget/spin')),
        dialog(page).getByRole('button', { name: 'Spin', exact: true }).click(),
      ]).then(([r]) => r.json());
      await dialog(page).locator('[role=status]').filter({ hasText: /You won|Not this time/ })
        .first().waitFor({ timeout: 15000 });
      assert.equal(await balance(), spin.member.balance, JSON.stringify(spin));
      // The widget recomputed the spin from the commitment it showed and the revealed seed.
      assert.match(spin.spin.seed, /^[0-9a-f]{64}$/);
      await waitText(page, 'Checked: the revealed key matches the fairness code');
      await waitText(page, spin.spin.seed.slice(0, 4) + ' ' + spin.spin.seed.slice(4, 8));
      assert.equal(spin.member.balance - before, spin.prize.kind === 'points' ? spin.prize.points : 0);
      await screenshot(page, 'spin');

      await dialog(page).getByRole('button', { name: 'Invite' }).click();
      const link = dialog(page).locator('input[readonly]');
      await link.waitFor({ timeout: 15000 });
      const url = await link.inputValue();
      assert.match(url, /signup\.html\?ref=[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await dialog(page).getByRole('button', { name: 'Copy' }).click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
      await screenshot(page, 'referral');

      await dialog(page).getByRole('button', { name: 'History' }).click();
      await dialog(page).locator('li').first().waitFor({ timeout: 15000 });
      assert.ok(await dialog(page).locator('li').count() >= 2);
      assert.deepEqual(await csp(page), [], watch.dump());
    } finally {
      await context.close();
    }
  });

  test('a merchant theme becomes the panel\'s colours; another origin reads nothing', async () => {
    const settings = (await api(server.url, 'GET', '/v1/admin/widget-settings',
      { key: server.adminKey })).body.settings;
    const night = await api(server.url, 'PUT', '/v1/admin/widget-settings',
      { key: server.adminKey, body: { ...settings, theme_id: 'night' } });
    assert.equal(night.status, 200, JSON.stringify(night.body));
    const { page, context } = await newPage({ at: '/signin.html' });
    try {
      await openPanel(page);
      const colours = await page.evaluate(() => {
        const host = document.querySelector('kopilka-widget');
        const dialogEl = host.shadowRoot.querySelector('dialog');
        return { accent: getComputedStyle(host).getPropertyValue('--kopilka-accent').trim(),
          background: getComputedStyle(dialogEl).backgroundColor };
      });
      assert.equal(colours.accent.toLowerCase(), '#3ddc97');
      assert.equal(colours.background, 'rgb(16, 22, 31)');  // #10161F
      await screenshot(page, 'night');
    } finally {
      await context.close();
      await api(server.url, 'PUT', '/v1/admin/widget-settings', { key: server.adminKey, body: settings });
    }

    // The same shop on an origin the merchant never listed: the browser gets no CORS headers,
    // so neither the config nor a session can be read from that page.
    const stranger = await startShop(tmp, server);
    const context2 = await browser.newContext();
    try {
      const page = await context2.newPage();
      await page.goto(stranger.url + '/signin.html');
      await page.getByRole('button', { name: 'Sign in as Anna' }).click();
      await page.waitForURL(stranger.url + '/');
      const read = await page.evaluate(async (u) => {
        const token = await (await fetch('/api/kopilka-token', { method: 'POST' })).json();
        const tries = {};
        for (const [name, init] of [['config', {}], ['session', { method: 'POST',
          headers: { Authorization: 'Bearer ' + token.token } }]]) {
          try {
            const r = await fetch(u + (name === 'config' ? '/v1/widget/config?merchant=demo'
              : '/v1/widget/session'), init);
            tries[name] = 'read ' + r.status;
          } catch (e) { tries[name] = 'blocked'; }
        }
        return tries;
      }, server.url);
      assert.deepEqual(read, { config: 'blocked', session: 'blocked' });
    } finally {
      await context2.close();
      await stranger.stop();
    }
  });

  test('tokens: a replayed, a forged and another merchant\'s token are refused and said so', async () => {
    const { page, context, watch } = await newPage({ signedIn: true });
    try {
      await openPanel(page);
      await waitText(page, 'Hello, ');
      const alert = dialog(page).locator('[role=alert]');
      const hand = (t) => page.evaluate((x) => window.Kopilka.setMemberToken(x), t);
      const token = await page.evaluate(async () =>
        (await (await fetch('/api/kopilka-token', { method: 'POST' })).json()).token);
      await hand(token);  // a fresh one: taken (the session is renewed)
      await page.waitForTimeout(500);
      assert.equal(await alert.count(), 0, await dialog(page).textContent());
      await hand(token);  // the same again: a replay
      await alert.filter({ hasText: 'already used' }).waitFor({ timeout: 10000 });
      const [body, mac] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url')),
        sub: 'demo-dace', nonce: 'forged-1' })).toString('base64url') + '.' + mac;
      await hand(forged);
      await alert.filter({ hasText: 'could not be checked' }).waitFor({ timeout: 10000 });
      const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url')),
        mid: 'another-shop', nonce: 'other-1' })).toString('base64url') + '.' + mac;
      await hand(other);
      await alert.filter({ hasText: 'could not be checked' }).waitFor({ timeout: 10000 });
      await waitText(page, 'Hello, ');  // a refused refresh keeps the session it would replace
      assert.deepEqual(await csp(page), [], watch.dump());
    } finally {
      await context.close();
    }
  });

  test('<kopilka-widget preview> shows launcher and guest panel inline, not modal, in its box',
    async () => {
      const { page, context } = await newPage({ at: '/signin.html' });
      try {
        await page.evaluate(() => {
          const box = document.createElement('div');
          box.id = 'preview-box';
          box.style.cssText = 'position:absolute;left:40px;top:60px;width:640px;height:560px';
          const w = document.createElement('kopilka-widget');
          w.setAttribute('merchant', 'demo');
          w.setAttribute('preview', '');
          w.setAttribute('lang', 'de');
          box.append(w);
          document.body.append(box);
        });
        const preview = page.locator('#preview-box kopilka-widget');
        const panel = preview.locator('dialog');
        await panel.locator('h3').waitFor({ state: 'visible', timeout: 20000 });
        const facts = await page.evaluate(() => {
          const host = document.querySelector('#preview-box kopilka-widget');
          const d = host.shadowRoot.querySelector('dialog');
          const box = document.getElementById('preview-box').getBoundingClientRect();
          const r = d.getBoundingClientRect();
          const l = host.shadowRoot.querySelector('button.launcher').getBoundingClientRect();
          const inside = (x) => x.left >= box.left && x.right <= box.right && x.top >= box.top &&
            x.bottom <= box.bottom;
          return { modal: d.matches(':modal'), focus: document.activeElement !== host,
            panelInside: inside(r), launcherInside: inside(l), overlap: r.bottom > l.top,
            lang: d.getAttribute('lang') };
        });
        assert.deepEqual(facts, { modal: false, focus: true, panelInside: true,
          launcherInside: true, overlap: false, lang: 'de' });
        await page.evaluate(() => window.Kopilka.previewTheme({ name: 'Draft',
          colors: { background: '#FFFDF8', surface: '#FFFFFF', text: '#1B1B1B',
            muted_text: '#555555', accent: '#0B6E4F', accent_text: '#FFFFFF', error: '#B00020' },
          corner_radius_px: 4, font_size_px: 20 }));
        await page.waitForFunction(() => getComputedStyle(document.querySelector(
          '#preview-box kopilka-widget').shadowRoot.querySelector('button.launcher'))
          .backgroundColor === 'rgb(11, 110, 79)', null, { timeout: 5000 });
        await screenshot(page, 'preview');
        assert.deepEqual(await csp(page), []);
      } finally {
        await context.close();
      }
    });

  test('a second page of the same visit opens with the config from the HTTP cache', async () => {
    const { page, context } = await newPage({ at: '/signin.html' });
    try {
      await openPanel(page);
      const second = await context.newPage();
      const cdp = await context.newCDPSession(second);
      await cdp.send('Network.enable');
      const urls = new Map();
      const cached = new Set();
      cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
      cdp.on('Network.responseReceived', (e) => {
        if (e.response.fromDiskCache || e.response.fromMemoryCache) cached.add(e.requestId);
      });
      await second.goto(shop.url + '/signin.html');
      await openPanel(second);
      await second.waitForFunction(() => document.querySelector('kopilka-widget').shadowRoot
        .querySelector('dialog').getAttribute('aria-busy') === 'false');
      const config = [...urls].filter(([, u]) => u.includes('/v1/widget/config'));
      assert.equal(config.length, 1, JSON.stringify([...urls.values()]));
      assert.ok(cached.has(config[0][0]), 'the config went to the server again');
    } finally {
      await context.close();
    }
  });

  test('Kopilka.previewTheme draws a draft theme at once (the console\'s live preview)', async () => {
    const { page, context } = await newPage({ at: '/signin.html' });
    try {
      await openPanel(page);
      await page.evaluate(() => window.Kopilka.previewTheme({ name: 'Draft',
        colors: { background: '#FFFDF8', surface: '#FFFFFF', text: '#1B1B1B', muted_text: '#555555',
          accent: '#7A1FA2', accent_text: '#FFFFFF', error: '#B00020' },
        corner_radius_px: 8, font_size_px: 20 }));
      await page.waitForFunction(() => getComputedStyle(document.querySelector('kopilka-widget'))
        .getPropertyValue('--kopilka-accent').trim().toLowerCase() === '#7a1fa2', null,
      { timeout: 5000 });
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('kopilka-widget'))
        .getPropertyValue('--kopilka-radius').trim()), '8px');
      await page.evaluate(() => window.Kopilka.previewTheme(null));
      await page.waitForFunction(() => getComputedStyle(document.querySelector('kopilka-widget'))
        .getPropertyValue('--kopilka-accent').trim().toLowerCase() !== '#7a1fa2', null,
      { timeout: 5000 });
    } finally {
      await context.close();
    }
  });

  test('the panel reflows at 320 px wide and at 200 % zoom, with nothing cut off', async () => {
    for (const viewport of [{ width: 320, height: 640, zoom: 1 }, { width: 1280, height: 800, zoom: 2 }]) {
      const { page, context } = await newPage({ signedIn: true });
      try {
        await page.setViewportSize({ width: viewport.width / viewport.zoom,
          height: viewport.height / viewport.zoom });
        await openPanel(page);
        await waitText(page, 'Hello, ');
        const box = await page.evaluate(() => {
          const d = document.querySelector('kopilka-widget').shadowRoot.querySelector('dialog');
          const body = d.querySelector('.body');
          const r = d.getBoundingClientRect();
          return { left: r.left, right: r.right, width: innerWidth,
            overflow: body.scrollWidth - body.clientWidth };
        });
        assert.ok(box.left >= 0 && box.right <= box.width, JSON.stringify(box));
        assert.ok(box.overflow <= 0, `horizontal overflow ${JSON.stringify(box)}`);
        if (viewport.width === 320) await screenshot(page, 'member-320');
      } finally {
        await context.close();
      }
    }
  });

  test('every view in every language: keyboard only, no axe violation', async () => {
    for (const lang of locales) {
      const { page, context, watch } = await newPage({ signedIn: true, lang });
      try {
        await launcher(page).focus();
        await page.keyboard.press('Enter');
        await dialog(page).locator('h3').waitFor({ timeout: 20000 });
        // Signed in (the shop hands the token over on its own time): the member's tabs are there.
        await page.waitForFunction(() => document.querySelector('kopilka-widget').shadowRoot
          .querySelectorAll('nav button').length >= 4, null, { timeout: 15000 });
        const tabs = await dialog(page).locator('nav button').count();
        assert.ok(tabs >= 4, `${lang}: ${tabs} tabs`);
        for (let i = 0; i < tabs; i++) {
          const tab = dialog(page).locator('nav button').nth(i);
          await tab.focus();
          await page.keyboard.press('Enter');
          await page.waitForTimeout(300);
          if (lang === 'en') await screenshot(page, 'tab-' + await tab.getAttribute('data-arg'));
          const violations = await axe(page);
          assert.deepEqual(violations, [], `${lang} tab ${i}: ${violations.join('\n')}`);
          const text = await dialog(page).textContent();
          assert.ok(!/widget\.|member\./.test(text), `${lang}: an untranslated key in ${text}`);
        }
        if (lang === 'ru') await screenshot(page, 'member-ru');
        await page.keyboard.press('Escape');
        assert.equal(await dialog(page).evaluate((d) => d.open), false);
        assert.equal(await page.evaluate(() => document.activeElement.tagName), 'KOPILKA-WIDGET');
        assert.deepEqual(await csp(page), [], watch.dump());
      } finally {
        await context.close();
      }
    }
  });
});
