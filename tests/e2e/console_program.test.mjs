// The program editor's segment rules, action bonuses and redemption blackouts against a real
// kopilka-server, as a shop owner would use them: add an action bonus and a blackout from the
// keyboard and the mouse, publish, and GET /v1/admin/program holds them; a blackout whose end
// is before its start is shown at its field and nothing is saved; a segment rule added and
// edited changes the program in plain words at once, and the test receipt's discount when the
// test member holds the rule's segment. Screenshots: build/artifacts/
// console-program-segments.png (1280×800), console-program-segments-1920.png and
// console-program-segments-ru.png.
//
// window.kopilkaConsole.state().program → {loaded, dirty, can_save, problem_field, done,
//   draft_discount, segments, action_bonuses, blackouts, …}; .items → the controls drawn last.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, clickItem, cli, consoleSignIn, focusField, launchChromium,
  makeTempDir, mirrorText, requireFile, siteDir, startServer, watchPage,
} from './harness.mjs';

const program = (page) => page.evaluate(() => window.kopilkaConsole.state().program);

// Waits until the editor's state passes check(state.program), or says what it was.
async function until(page, what, check) {
  try {
    await page.waitForFunction(`(${check.toString()})(window.kopilkaConsole.state().program)`,
      null, { timeout: 10000 });
  } catch (err) {
    err.message += `\nwaiting for ${what}: ${JSON.stringify(await program(page))}`;
    throw err;
  }
}

// The owner signed in from the keyboard (shop code, e-mail, password, Enter), on the editor.
async function openEditor(page, url, password) {
  await consoleSignIn(page, url, 'owner@demo.example', password, { lang: 'en' });
  await clickItem(page, 'Program', { timeoutMs: 15000 });
  await until(page, 'the program', (p) => p.loaded);
}

// The form column scrolled with the mouse wheel until control `id` is well inside the window,
// then clicked (unless click is false).
async function reach(page, id, click = true) {
  await page.mouse.move(300, 500);
  const find = (name) => (window.kopilkaConsole.state().items || [])
    .find((it) => it.id === name || it.id.endsWith(name)) || null;
  for (let turn = 0; turn < 100; turn += 1) {
    const item = await page.evaluate(find, id);
    const low = item && item.y + item.h > page.viewportSize().height - 30;
    if (item && item.visible && item.y > 130 && !low) return clickItem(page, id, { click });
    await page.mouse.wheel(0, item && !low ? -100 : 100);
    await page.waitForTimeout(80);
  }
  throw new Error(`the form never showed ${id}`);
}

// Clicks a field and types over what it holds (number and date fields select all on focus).
async function typeInto(page, id, text) {
  await reach(page, id, false);
  await focusField(page, id);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.waitForTimeout(150);
}

const published = async (server) =>
  (await api(server.url, 'GET', '/v1/admin/program', { key: server.adminKey })).body;

// What a failed test leaves: a screenshot, the page's log and what the console's mirror said.
async function explain(page, watch, err) {
  const shot = path.join(artifactsDir, 'console-program-failure.png');
  const said = await mirrorText(page).catch(() => '');
  await page.screenshot({ path: shot }).catch(() => {});
  err.message += `\n${watch.dump()}\nthe console said: ${said}\nscreenshot: ${shot}`;
  return err;
}

describe('console program editor: segments, action bonuses, blackouts', () => {
  const run = {};  // the server, the browser and the owner's password, for every test
  before(async () => {
    checkPrerequisites();
    requireFile(path.join(siteDir, 'console/console.js'),
      'build the wasm console (tools/build.sh)');
    const tmp = makeTempDir();
    [run.server, run.browser] = await Promise.all([startServer(tmp), launchChromium()]);
    run.password = (await cli(tmp, ['user', 'add', '--db', run.server.dbFile, '--merchant',
      'demo', '--email', 'owner@demo.example', '--name', 'Olga', '--role', 'owner'])).password;
  });
  after(async () => {
    await run.browser?.close();
    await run.server?.stop();
  });

  // The editor on a 1280×800 page for body(page, server); the page's errors fail the test.
  async function onPage(body) {
    const page = await run.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const watch = watchPage(page);
    const steps = async () => {
      await openEditor(page, run.server.url, run.password);
      await body(page, run.server);
      assert.deepEqual(watch.pageErrors, []);
    };
    await steps()
      .catch(async (err) => { throw await explain(page, watch, err); })
      .finally(() => page.close());
  }

  test('an action bonus and a blackout are published; a blackout ending before it starts is ' +
    'shown at its field and nothing is saved', () => onPage(async (page, server) => {
    const before = await published(server);
    // Add: the first action the rules name (completing the profile), 50 points; typed over
    // with 75.
    await reach(page, '##add.bonus.action_bonuses');
    await until(page, 'an action bonus row', (p) => p.action_bonuses === 1 && p.can_save);
    await typeInto(page, '##bonus.action_bonuses.profile', '75');
    await page.screenshot({ path: path.join(artifactsDir, 'console-program-actions.png') });
    // A blackout over Christmas, typed as dates (UTC).
    await reach(page, '##add.bonus.redeem_blackouts');
    await until(page, 'a blackout', (p) => p.blackouts === 1);
    await typeInto(page, '##bonus.redeem_blackouts[0].from_ms', '2026-12-24');
    await typeInto(page, '##bonus.redeem_blackouts[0].to_ms', '2026-12-27 06:00');
    await until(page, 'a program to save', (p) => p.can_save && p.problem_field === '');
    const words = await mirrorText(page);
    assert.match(words, /75 points for completing your profile/);
    assert.match(words, /Points can't be spent from/);

    await clickItem(page, '##program_save');
    await until(page, 'the save', (p) => p.done === 'saved' && !p.dirty);
    const saved = await published(server);
    assert.equal(saved.version, before.version + 1);
    assert.deepEqual(saved.program.bonus.action_bonuses, { profile: 75 });
    assert.deepEqual(saved.program.bonus.redeem_blackouts,
      [{ from_ms: Date.UTC(2026, 11, 24), to_ms: Date.UTC(2026, 11, 27, 6) }]);

    // The end moved before the start: named at the end's field, Save stays off.
    await typeInto(page, '##bonus.redeem_blackouts[0].to_ms', '2026-12-20');
    await until(page, 'the problem at the end',
      (p) => p.problem_field === 'bonus.redeem_blackouts[0].to_ms' && !p.can_save);
    assert.match(await mirrorText(page), /bonus\.redeem_blackouts\[0\]\.to_ms/);
    await page.screenshot({ path: path.join(artifactsDir, 'console-program-blackout.png') });
    await clickItem(page, '##program_save');  // disabled: nothing is sent
    await page.waitForTimeout(500);
    const after = await published(server);
    assert.equal(after.version, saved.version);
    assert.deepEqual(after.program.bonus.redeem_blackouts, saved.program.bonus.redeem_blackouts);
    await clickItem(page, '##program_discard');
    await until(page, 'the published program again', (p) => !p.dirty && p.blackouts === 1);
  }));

  test('a segment rule edit changes the rules text and the test member\'s receipt', () =>
    onPage(async (page, server) => {
      await reach(page, 'Segment rules##sec.segments');
      await reach(page, '##add.segments');
      // A new rule has no value yet: named at its field.
      await until(page, 'the new rule\'s problem',
        (p) => p.segments === 1 && p.problem_field === 'segments[0].value');
      await typeInto(page, '##segments[0].value', 'student');
      await until(page, 'a valid rule', (p) => p.problem_field === '');
      assert.match(await mirrorText(page), /status “student”: 5 ?% off everything/);
      await typeInto(page, '##segments[0].discount_bp', '12.5');
      await page.waitForFunction(() => /status “student”: 12[.,]5 ?% off/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });

      // The test member becomes a student: the receipt of 1 000 ₽ gets 12.5 % off.
      assert.equal((await program(page)).draft_discount, 0);
      await clickItem(page, 'status “student”');
      await until(page, 'the student\'s discount', (p) => p.draft_discount === 12500);
      await typeInto(page, '##segments[0].discount_bp', '20');
      await until(page, 'the edited rule\'s discount', (p) => p.draft_discount === 20000);
      assert.match(await mirrorText(page), /Test member's segment: status “student”/);

      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-segments.png') });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-segments-1920.png') });
      await clickItem(page, 'RU');
      await page.waitForFunction(() => /Сегмент тестового участника/.test(
        document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-segments-ru.png') });
    }));

  test('a reward\'s picture is uploaded and published; one is removed', () =>
    onPage(async (page, server) => {
      const before = await published(server);
      assert.equal(before.program.rewards[2].image, undefined, 'the demo\'s third reward has no picture');
      assert.match(before.program.rewards[0].image, /^data:image\/png;base64,/);
      // The coffee's picture removed (the form is reached top down).
      await reach(page, '##rewards[0].image_remove');
      await until(page, 'an edit to save', (p) => p.dirty && p.can_save);
      // "Upload a picture…" under the third reward opens the page's file picker; the file is
      // handed over as the picker would (the page checks it, as the logo's).
      await page.evaluate(() => {
        window.__picked = 0;
        window.kopilkaConsole.module.kopilkaPickLogo = () => { window.__picked += 1; };
      });
      await reach(page, '##rewards[2].image');
      await page.waitForFunction(() => window.__picked === 1, null, { timeout: 5000 });
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      await page.evaluate(async (b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        await window.kopilkaConsole.setLogo(new File([bytes], 'voucher.png', { type: 'image/png' }));
      }, png);
      await page.waitForTimeout(300);
      await clickItem(page, '##program_save');
      await until(page, 'the save', (p) => p.done === 'saved' && !p.dirty);
      const saved = await published(server);
      assert.equal(saved.version, before.version + 1);
      assert.equal(saved.program.rewards[2].image, `data:image/png;base64,${png}`);
      assert.equal(saved.program.rewards[0].image, undefined);
      assert.equal(saved.program.rewards[1].image, before.program.rewards[1].image);
      await page.screenshot({ path: path.join(artifactsDir, 'console-program-reward-picture.png') });
    }));
});
