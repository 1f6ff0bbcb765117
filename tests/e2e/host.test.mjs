// The browser host's text input, clipboard, focus and default fonts (wasm/platform/host.hpp),
// which the kiosk does not use: host_probe (tests/e2e/host_probe/, a test-only app built into
// build/wasm/tests/e2e/host_probe/) in headless Chromium, served by a static server of its own.
// Run: node --test tests/e2e/host.test.mjs   (env: KOPILKA_BUILD, KOPILKA_ARTIFACTS)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as h from './harness.mjs';

const probeBuild = path.join(h.buildDir, 'wasm/tests/e2e/host_probe');
const probeSource = path.join(h.repo, 'tests/e2e/host_probe');
const GLFW_KEY_LEFT_SHIFT = 340;
const cyrillic = 'Привет';
const latvian = 'āčēģīķļņšūž';

let server;
let browser;

before(async () => {
  h.requireFile(path.join(probeBuild, 'host_probe.js'), 'build the wasm test apps (tools/build.sh)');
  h.requireFile(h.chromiumBin, 'apt-get install chromium (tools/bootstrap.sh)');
  server = await h.serveStatic([probeBuild, probeSource]);
  browser = await h.launchChromium();
}, { timeout: 45000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
}, { timeout: 15000 });

// Runs body(page) on a fresh probe page whose origin may read and write the clipboard; on
// failure saves a screenshot and prints the page's console.
async function withProbe(name, body) {
  const context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const watch = h.watchPage(page);
  try {
    await page.goto(`${server.url}/`, { waitUntil: 'load', timeout: 20000 });
    await page.waitForFunction(() => window.probeError || (window.probe && window.probe.state().frames > 2),
      null, { timeout: 20000, polling: 50 });
    assert.equal(await page.evaluate(() => window.probeError || null), null, 'the probe did not start');
    await body(page);
    assert.deepEqual(watch.pageErrors.map((e) => e.message), [], 'uncaught errors in the page');
  } catch (err) {
    const shot = await h.screenshot(page, `host-failure-${name}.png`).catch((e) => `(no screenshot: ${e.message})`);
    console.error(`\n=== ${name} failed; screenshot: ${shot}\n--- page:\n${watch.dump()}\n`);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

const probeState = (page) => page.evaluate(() => window.probe.state());

/** Waits until predicate(state, arg) holds; returns that state. */
async function waitForProbe(page, predicate, arg, what, timeoutMs = 5000) {
  try {
    const handle = await page.waitForFunction(
      ([src, a]) => { const s = window.probe.state(); return new Function('s', 'a', `return (${src})(s, a);`)(s, a) && s; },
      [predicate.toString(), arg ?? null], { timeout: timeoutMs, polling: 20 });
    return await handle.jsonValue();
  } catch {
    throw new Error(`${what} never held within ${timeoutMs} ms; last state: ${JSON.stringify(await probeState(page))}`);
  }
}

const centre = (b) => [b.x + b.w / 2, b.y + b.h / 2];

/** Clicks the text field and waits until ImGui edits it (the text sink has the focus). */
async function editField(page) {
  const s = await probeState(page);
  await page.mouse.click(...centre(s.field));
  await waitForProbe(page, (st) => st.editing, null, 'the field being edited');
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'TEXTAREA',
    null, { timeout: 5000, polling: 20 });
}

const textIs = (page, text, what) => waitForProbe(page, (s, t) => s.text === t, text, `${what}: the field shows ${JSON.stringify(text)}`);

test('Cyrillic and Latvian typed into a text field show in it, once each', { timeout: 40000 }, async () => {
  await withProbe('typing', async (page) => {
    await editField(page);
    await page.keyboard.type(cyrillic);  // not on a US layout: Playwright inserts the text
    await textIs(page, cyrillic, 'typed Cyrillic');
    await page.keyboard.type(` ${latvian}`);
    await textIs(page, `${cyrillic} ${latvian}`, 'typed Latvian');
    await page.keyboard.type(' abc');  // key events (keypress) and the input event: once
    await textIs(page, `${cyrillic} ${latvian} abc`, 'typed ASCII');
    await page.keyboard.press('Backspace');
    await textIs(page, `${cyrillic} ${latvian} ab`, 'Backspace');
    // Text the way an IME commits it (composition, then the result).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.imeSetComposition', { text: 'ё', selectionStart: 1, selectionEnd: 1 });
    await cdp.send('Input.insertText', { text: 'ё' });
    await textIs(page, `${cyrillic} ${latvian} abё`, 'an IME\'s committed text');
    await h.screenshot(page, 'host-typing.png');
  });
});

test('a paste inserts the pasted text at the cursor', { timeout: 40000 }, async () => {
  await withProbe('paste', async (page) => {
    await editField(page);
    await page.keyboard.type('a');
    await textIs(page, 'a', 'typed');
    // The browser's clipboard and the real shortcut.
    await page.evaluate((t) => navigator.clipboard.writeText(t), `${cyrillic} ${latvian}`);
    await page.keyboard.press('Control+V');
    await textIs(page, `a${cyrillic} ${latvian}`, 'Ctrl+V');
    // A paste event as another source (a context menu, a drop of text) sends it.
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'Ķekava');
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await textIs(page, `a${cyrillic} ${latvian}Ķekava`, 'a paste event');
    // ImGui's own paste would have doubled it: wait a few frames and look again.
    await page.waitForTimeout(300);
    assert.equal((await probeState(page)).text, `a${cyrillic} ${latvian}Ķekava`);
  });
});

test('Copy (the button, and Ctrl+C on a selection) puts the text on the browser\'s clipboard', { timeout: 40000 }, async () => {
  await withProbe('copy', async (page) => {
    await editField(page);
    await page.keyboard.type(`${latvian} ${cyrillic}`);
    await textIs(page, `${latvian} ${cyrillic}`, 'typed');
    // The browser's clipboard once it holds `text` (writeText answers a frame or two later).
    const clipboard = async (text) => {
      let c;
      for (let i = 0; i < 100; i++) {
        c = await page.evaluate(() => navigator.clipboard.readText());
        if (c === text) break;
        await page.waitForTimeout(50);
      }
      return c;
    };

    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await page.mouse.click(...centre((await probeState(page)).copy));
    await waitForProbe(page, (s) => s.copies === 1, null, 'the Copy button pressed');
    assert.equal(await clipboard(`${latvian} ${cyrillic}`), `${latvian} ${cyrillic}`, 'the Copy button');

    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    await editField(page);
    await page.keyboard.press('Control+A');  // ImGui selects the field's text
    await page.keyboard.press('Control+C');
    assert.equal(await clipboard(`${latvian} ${cyrillic}`), `${latvian} ${cyrillic}`, 'Ctrl+C on the selection');
    assert.equal((await probeState(page)).text, `${latvian} ${cyrillic}`, 'copying changed nothing');
  });
});

test('a window blur lets go of held keys and the held mouse button', { timeout: 40000 }, async () => {
  await withProbe('blur', async (page) => {
    await editField(page);
    const s = await probeState(page);
    await page.keyboard.down('Shift');
    await page.mouse.move(...centre(s.field));
    await page.mouse.down();
    await waitForProbe(page, (st, k) => st.keys_held.includes(k) && st.mouse_held, GLFW_KEY_LEFT_SHIFT,
      'Shift and the mouse button held');
    await page.evaluate(() => window.dispatchEvent(new FocusEvent('blur')));
    await waitForProbe(page, (st) => st.keys_held.length === 0 && !st.mouse_held, null,
      'nothing held after the blur');
    // Their releases happen elsewhere; back in the window, a key and the button work again.
    await page.keyboard.up('Shift');
    await page.mouse.up();
    await page.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
    await page.keyboard.down('Shift');
    await waitForProbe(page, (st, k) => st.keys_held.includes(k), GLFW_KEY_LEFT_SHIFT, 'Shift held again');
    await page.keyboard.up('Shift');
    await waitForProbe(page, (st) => st.keys_held.length === 0, null, 'Shift released');
    await page.mouse.click(...centre(s.copy));
    await waitForProbe(page, (st) => st.copies === 1 && !st.mouse_held, null, 'a click after the blur');
    // The page's own focus moving (the text sink losing it to the canvas) is not a blur: a
    // press held while it happens stays held.
    await page.mouse.move(...centre(s.field));
    await page.mouse.down();
    await waitForProbe(page, (st) => st.mouse_held, null, 'the button held on the field');
    await page.evaluate(() => document.activeElement.blur());
    await page.waitForTimeout(200);
    assert.equal((await probeState(page)).mouse_held, true, 'an element\'s blur released the button');
    await page.mouse.up();
    await waitForProbe(page, (st) => !st.mouse_held, null, 'the button released');
  });
});

test('the host\'s default font (font_file, glyph ranges) has every Latvian and Cyrillic glyph', { timeout: 40000 }, async () => {
  await withProbe('font', async (page) => {
    const s = await probeState(page);
    assert.match(s.font, /DejaVuSans\.ttf/, 'the default font is the font_file');
    const missing = (t) => page.evaluate((x) => window.probe.missingGlyphs(x), t);
    assert.equal(await missing(`${cyrillic} ${latvian} ĀČĒĢĪĶĻŅŠŪŽ Ёё € ₽`), 0);
    assert.equal(await missing('漢'), 1, 'a glyph outside the ranges counts as missing');
  });
});

test('a popup opened again is shown whole in its first frame: OK clicked as it appears counts', { timeout: 40000 }, async () => {
  await withProbe('popup', async (page) => {
    // ImGui hides a popup opening again for one frame while it fits its size; a frame shown
    // then lacks the popup, and a click in the next one found nothing under the pointer.
    for (let i = 1; i <= 3; i++) {
      await page.mouse.click(...centre((await probeState(page)).ask));
      const s = await waitForProbe(page, (st, n) => st.asks === n, i, `Ask pressed ${i}×`);
      await page.mouse.click(...centre(s.ok));
      await waitForProbe(page, (st, n) => st.oks === n, i, `OK pressed as the popup appeared, ${i}×`);
    }
    assert.equal((await probeState(page)).hidden_popup_frames, 0, 'frames shown with the popup hidden');
  });
});
