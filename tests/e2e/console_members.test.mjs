// The console's members section against a real kopilka-server, tried as shop staff would:
// search a demo member by phone as it is written on paper, open the page, add 50 points with a
// reason → the audit log has the reason and a kiosk that scans the member's card shows the new
// balance; a member's history walked with Older and PageUp; a phone and card edited in the console
// (refused at its field while wrong; saved over a concurrent change only after a reload, which
// keeps that change) finds the member at a kiosk; an enrolment without consent is refused at
// the consent field; the member's data downloads as a file; erasing asks first and then the
// page says the member is gone. With
// 100 000 members in the database the table fetches page by page as it scrolls, keeps a few
// pages, and the frame times while scrolling are measured (build/artifacts/
// console-members-scroll.json).
//
// How a test drives the section: window.kopilkaConsole.state().members → {rows, more, loading,
// cached_pages, fetches, shown_first, first_id, page_id, page_loaded, balance, erased,
// confirm_erase, done, adjust_error_field, enrol_open, enrol_error_field, history_first,
// history_shown, history_total, history_older, history_loading, edit_open, edit_conflict,
// edit_error_field}; controls by their
// ImGui ids (state().items): ##members_q, ##members_search, ##members_enrol, ##row_<id>,
// ##adjust_points, ##adjust_reason, ##adjust_submit, ##member_export, ##member_erase,
// ##erase_confirm, ##erase_cancel, ##enrol_name, ##enrol_consent, ##enrol_submit,
// ##history_older, ##history_newer, ##member_edit, ##edit_phone, ##edit_card, ##edit_save,
// ##edit_reload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, clickItem, cli, focusField, launchChromium, makeTempDir,
  mirrorText, onPage, openKiosk, requireFile, seedMembers, siteDir, startServer, waitForScreen,
  wedgeScan,
} from './harness.mjs';

const SEEDED = 100000;

// Signs in through the API and hands the page the session as the console keeps it (the tab's
// session storage), so the console starts signed in; console.test.mjs types the form.
async function signIn(page, url, email, password) {
  const res = await api(url, 'POST', '/v1/console/session',
    { body: { merchant: 'demo', email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await page.addInitScript((session) => {
    sessionStorage.setItem('kopilka.console.session', session);
  }, JSON.stringify(res.body));
  await page.goto(url + '/console/');
  await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready &&
    window.kopilkaConsole.state().signed_in && window.kopilkaConsole.state().role !== '',
  null, { timeout: 30000 });
}

const members = (page) => page.evaluate(() => window.kopilkaConsole.state().members);
const mirror = mirrorText;

// Waits until predicate(state().members) holds; says what the section was like if not.
async function waitMembers(page, predicate, what, timeout = 15000) {
  try {
    await page.waitForFunction((src) => new Function('m', `return (${src})(m);`)(
      window.kopilkaConsole.state().members), predicate.toString(), { timeout, polling: 50 });
  } catch (err) {
    throw new Error(`${what}: ${JSON.stringify(await members(page))}`);
  }
}

// Types into the field `id` over what it holds.
async function typeInto(page, id, text) {
  await focusField(page, id);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

async function openMembers(page) {
  await clickItem(page, 'Members');
  await waitMembers(page, (m) => m.rows > 0 && !m.loading, 'the list never loaded');
}


describe('console members', () => {
  let tmp, server, browser, owner;
  const admin = (method, route, body) => api(server.url, method, route,
    { key: server.adminKey, body });
  before(async () => {
    checkPrerequisites();
    requireFile(path.join(siteDir, 'console/console.js'), 'build the wasm console (tools/build.sh)');
    fs.mkdirSync(artifactsDir, { recursive: true });
    tmp = makeTempDir();
    [server, browser] = await Promise.all([startServer(tmp), launchChromium()]);
    owner = await cli(tmp, ['user', 'add', '--db', server.dbFile, '--merchant', 'demo',
      '--email', 'owner@demo.example', '--name', 'Olga', '--role', 'owner']);
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  // A 1280×800 console page signed in as the owner; a failure keeps a screenshot and says
  // what the page logged and what its text mirror said.
  const asOwner = (name, body) => onPage(browser, `console-members-failure-${name}.png`,
    async (page) => {
      await signIn(page, server.url, 'owner@demo.example', owner.password);
      await body(page);
    }, { acceptDownloads: true });

  // A kiosk (without a camera) that is given `code` as a USB scanner types it: the member
  // screen's state.
  async function kioskScan(code) {
    const kiosk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await kiosk.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('no camera in this test', 'NotAllowedError'));
      });
      await openKiosk(kiosk, server.url);
      await waitForScreen(kiosk, ['attract'], { timeoutMs: 15000 });
      await wedgeScan(kiosk, code);
      const s = await waitForScreen(kiosk, ['member', 'error'], { timeoutMs: 15000 });
      assert.equal(s.screen, 'member', JSON.stringify(s.error));
      return s;
    } finally {
      await kiosk.close();
    }
  }

  test('search by phone, adjust +50 with a reason: the audit log and a kiosk show it', async () => {
    await asOwner('adjust', async (page) => {
      await openMembers(page);
      await typeInto(page, '##members_q', '+7 916 000-00-01');
      await page.keyboard.press('Enter');
      await waitMembers(page, (m) => !m.loading && m.rows === 1 && m.first_id === 'demo-anna',
        'the phone did not find Anna');
      await clickItem(page, '##row_demo-anna');
      await waitMembers(page, (m) => m.page_loaded && m.balance >= 0, 'the page never loaded');
      const before = (await members(page)).balance;

      await typeInto(page, '##adjust_points', '+50');
      await typeInto(page, '##adjust_reason', 'Goodwill for a late order');
      await clickItem(page, '##adjust_submit');
      await waitMembers(page, (m) => m.done === 'adjusted', 'the adjustment was not done');
      await page.waitForFunction((b) => window.kopilkaConsole.state().members.balance === b,
        before + 50, { timeout: 10000 });
      // The text mirror reads the new balance (whatever digit grouping the language uses).
      assert.ok((await mirror(page)).replace(/\D/g, '').includes(String(before + 50)));
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(artifactsDir, 'console-member-page.png') });

      // The reason is in the audit log, with the points.
      const audit = await admin('GET', '/v1/admin/audit?action=member.adjust');
      assert.equal(audit.status, 200);
      const line = audit.body.entries.find((e) => e.target === 'demo-anna');
      assert.ok(line, JSON.stringify(audit.body));
      assert.deepEqual(line.after, { points: 50, reason: 'Goodwill for a late order' });

      // A kiosk scanning Anna's card shows the new balance.
      const card = (await admin('GET', '/v1/admin/members/demo-anna')).body.profile.card;
      const s = await kioskScan(card);
      assert.equal(s.member.balance, before + 50);
    });
  });

  test('enrolment without consent is refused at its field; export downloads; erase asks first',
    async () => {
      await asOwner('enrol', async (page) => {
        await openMembers(page);
        await clickItem(page, '##members_enrol');
        await waitMembers(page, (m) => m.enrol_open, 'the form did not open');
        await typeInto(page, '##enrol_name', 'Eriks Ozols');
        await clickItem(page, '##enrol_submit');
        await waitMembers(page, (m) => m.enrol_error_field === 'consent',
          'no refusal at the consent field');
        assert.match(await mirror(page), /consent|agree/i);
        await clickItem(page, '##enrol_consent');
        await clickItem(page, '##enrol_submit');
        await waitMembers(page, (m) => !m.enrol_open && m.page_loaded && m.done === 'enrolled',
          'the member was not enrolled');
        const id = (await members(page)).page_id;
        assert.equal((await admin('GET', `/v1/admin/members/${id}`)).body.profile.name,
          'Eriks Ozols');

        // The export arrives as a downloaded file with the member's data.
        const download = page.waitForEvent('download', { timeout: 10000 });
        await clickItem(page, '##member_export');
        const file = await download;
        assert.equal(file.suggestedFilename(), `kopilka-member-${id}.json`);
        const saved = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
        assert.equal(saved.format, 'kopilka.member-export.v1');
        assert.equal(saved.profile.name, 'Eriks Ozols');

        // Erase: a confirmation first; Cancel keeps the member.
        await clickItem(page, '##member_erase');
        await waitMembers(page, (m) => m.confirm_erase, 'no confirmation');
        await clickItem(page, '##erase_cancel');
        await waitMembers(page, (m) => !m.confirm_erase && !m.erased, 'cancel did not cancel');
        assert.equal((await admin('GET', `/v1/admin/members/${id}`)).status, 200);
        await clickItem(page, '##member_erase');
        await clickItem(page, '##erase_confirm');
        await waitMembers(page, (m) => m.erased && m.done === 'erased', 'not erased');
        assert.match(await mirror(page), /erased/i);
        assert.equal((await admin('GET', `/v1/admin/members/${id}`)).status, 410);
        // The ledger stays, without the person: the export still has the entries.
        const left = (await admin('GET', `/v1/admin/members/${id}/export`)).body;
        assert.equal(left.profile.name, '');
        assert.ok(Array.isArray(left.ledger));
      });
    });

  test('history pages by Older and PageUp; an edited phone finds the member at a kiosk',
    { timeout: 180000 }, async () => {
      // 25 adjustments: Boris's history spans two pages of 20.
      for (let i = 1; i <= 25; i++) {
        const op = (0xe2e00000 + i).toString(16).padStart(32, '0');
        const r = await admin('POST', '/v1/admin/members/demo-boris/adjust',
          { operation_id: op, points: i, reason: `e2e ${i}` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      await asOwner('history-edit', async (page) => {
        await openMembers(page);
        await typeInto(page, '##members_q', 'demo-boris');
        await page.keyboard.press('Enter');
        await waitMembers(page, (m) => !m.loading && m.rows === 1,
          'the search did not find Boris');
        await clickItem(page, '##row_demo-boris');
        await waitMembers(page, (m) => m.page_loaded && m.history_shown === 20 &&
          m.history_first === 1 && m.history_older, 'the first history page never came');
        const total = (await members(page)).history_total;
        assert.ok(total > 25, `total ${total}`);
        assert.match(await mirror(page), new RegExp(`Entries 1–20 of ${total}`));
        assert.match(await mirror(page), /Adjusted by staff: e2e 25 \+25/);

        await clickItem(page, '##history_older');
        await waitMembers(page, (m) => m.history_first === 21 && !m.history_loading,
          'Older did not show entries 21–');
        const last = Math.min(40, total);
        assert.match(await mirror(page), new RegExp(`Entries 21–${last} of ${total}`));
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(artifactsDir, 'console-member-history.png') });
        // The keyboard: PageUp while the history has focus goes back to the newest.
        await page.keyboard.press('PageUp');
        await waitMembers(page, (m) => m.history_first === 1 && !m.history_loading,
          'PageUp did not go back to the newest page');

        // A bad phone is refused at its field; a good one is saved.
        await clickItem(page, '##member_edit');
        await waitMembers(page, (m) => m.edit_open, 'the edit did not open');
        await typeInto(page, '##edit_phone', '12ab');
        await clickItem(page, '##edit_save');
        await waitMembers(page, (m) => m.edit_error_field === 'phone', 'no error at the phone');
        assert.match(await mirror(page),
          /Phone with country code: Type the number with its country code/);
        await page.waitForTimeout(200);
        await page.screenshot({ path: path.join(artifactsDir, 'console-member-edit.png') });

        // Someone else renames Boris meanwhile: the save is refused, the typing kept; after a
        // reload the same edit goes through.
        const other = await admin('PUT', '/v1/admin/members/demo-boris', { email: 'b@example.lv' });
        assert.equal(other.status, 200, JSON.stringify(other.body));
        await typeInto(page, '##edit_phone', '+371 2655 5123');
        await clickItem(page, '##edit_save');
        await waitMembers(page, (m) => m.edit_conflict && m.edit_open, 'no conflict shown');
        assert.match(await mirror(page), /Someone else changed this member/);
        await clickItem(page, '##edit_reload');
        await waitMembers(page, (m) => m.edit_open && !m.edit_conflict && m.page_loaded &&
          !m.history_loading, 'the reload did not come');
        // Boris lost his card: the new one replaces it in the same save.
        await typeInto(page, '##edit_card', '2000000000992');
        await clickItem(page, '##edit_save');
        await waitMembers(page, (m) => !m.edit_open && m.done === 'edited',
          'the edit was not saved');
        const profile = (await admin('GET', '/v1/admin/members/demo-boris')).body.profile;
        assert.equal(profile.phone, '37126555123');
        assert.equal(profile.email, 'b@example.lv');
        assert.equal(profile.card, '2000000000992');
        const audit = await admin('GET', '/v1/admin/audit?action=member.update');
        assert.ok(audit.body.entries.some((e) => e.target === 'demo-boris'));
      });

      // A kiosk finds Boris by the new phone typed as a scanner would.
      const s = await kioskScan('+37126555123');
      assert.equal(s.member.id, 'demo-boris');
      // … and by the new card, while the lost one finds no one.
      assert.equal((await kioskScan('2000000000992')).member.id, 'demo-boris');
    });

  test('100 000 members: pages fetched as the table scrolls, a bounded cache, frame times',
    { timeout: 300000 }, async () => {
      await seedMembers(server.dbFile, SEEDED);
      await asOwner('scroll', async (page) => {
        await openMembers(page);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(artifactsDir, 'console-members.png') });
        const first = await members(page);
        assert.equal(first.rows, 100);
        assert.ok(first.more);

        // Scroll for 3 s with the wheel over the table, recording the browser's frame deltas.
        const table = await clickItem(page, '##row_demo-anna', { click: false });
        await page.mouse.move(table.x + 200, table.y + 200);
        // The same second without input first: what the browser's frames cost on this machine.
        const idle = await page.evaluate(() => new Promise((resolve) => {
          const deltas = [];
          let last = performance.now();
          const tick = (t) => {
            deltas.push(t - last);
            last = t;
            if (deltas.reduce((a, b) => a + b) < 1000) requestAnimationFrame(tick);
            else resolve(deltas.slice(1));
          };
          requestAnimationFrame(tick);
        }));
        await page.evaluate(() => {
          window.frameDeltas = [];
          let last = performance.now();
          const tick = (t) => {
            window.frameDeltas.push(t - last);
            last = t;
            if (window.frameDeltas.length < 100000 && !window.stopFrames) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
        const started = Date.now();
        // 20 notches a turn (Emscripten's GLFW counts 100 px a notch): a fast flick down.
        while (Date.now() - started < 3000) {
          await page.mouse.wheel(0, 2000);
          await page.waitForTimeout(16);
        }
        const deltas = await page.evaluate(() => { window.stopFrames = true; return window.frameDeltas; });
        const after = await members(page);
        const sorted = deltas.slice(1).sort((a, b) => a - b);
        const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
        const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
        const report = {
          members_in_db: SEEDED + 3,
          idle_mean_ms: +(idle.reduce((a, b) => a + b, 0) / idle.length).toFixed(2),
          frames: sorted.length,
          mean_ms: +mean.toFixed(2),
          p50_ms: +pick(0.5).toFixed(2),
          p95_ms: +pick(0.95).toFixed(2),
          max_ms: +sorted[sorted.length - 1].toFixed(2),
          rows_loaded: after.rows,
          first_row_shown: after.shown_first,
          fetches: after.fetches,
          cached_pages: after.cached_pages,
        };
        fs.writeFileSync(path.join(artifactsDir, 'console-members-scroll.json'),
          JSON.stringify(report, null, 2) + '\n');
        console.log('members scroll:', JSON.stringify(report));
        assert.ok(after.rows > 100, 'scrolling fetched no further page');
        assert.ok(after.shown_first > 50, 'the table did not scroll');
        assert.ok(after.cached_pages <= 9, `the cache grew to ${after.cached_pages} pages`);
        assert.ok(after.rows < SEEDED, 'the whole list was loaded');

        // The table in Russian.
        await clickItem(page, 'RU##lang');
        await page.waitForFunction(() => /Участник/.test(
          document.getElementById('kopilka-mirror').textContent), null, { timeout: 5000 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(artifactsDir, 'console-members-ru.png') });
      });
    });
});
