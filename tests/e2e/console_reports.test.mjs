// The console's Reports section against a real kopilka-server, as a shop owner would use it:
// receipts posted at the till first (with and without a card), then sign in, open Reports —
// every chart card is there with the server's figures (in the text mirror that screen readers
// read), change the range by a preset, by typed dates and the bucket, download a CSV and check
// its header; a viewer lands on the reports. Screenshots: build/artifacts/console-reports.png
// (1280×800), console-reports-1920.png, console-reports-de.png.
//
// window.kopilkaConsole.state().reports → {opened, busy, preset, bucket, from_ms, to_ms,
//   from_text, to_text, range_error, error, series_error, summary_loaded, series_loaded,
//   series_points, receipts, receipts_with_card, revenue, deferred}; .downloads → [{file, …}]
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
  api, artifactsDir, checkPrerequisites, clickItem, cli, consoleSignIn, focusField, launchChromium,
  makeTempDir, mirrorText, onPage as harnessOnPage, requireFile, siteDir, startServer,
} from './harness.mjs';

const CARDS = ['card_share', 'average', 'points', 'liability_points', 'liability', 'members',
  'tiers', 'churn', 'cohorts', 'spins', 'cost'];
const DAY = 86400000;
// The section's own English texts (assets/console/i18n/reports).
const TEXTS = JSON.parse(fs.readFileSync(new URL('../../assets/console/i18n/reports/en.json',
  import.meta.url), 'utf8')).messages;

// The console signed in by keyboard as `email`, in `lang`.
async function signIn(page, url, email, password, lang = 'en') {
  await consoleSignIn(page, url, email, password, { lang });
  await page.waitForFunction(() => window.kopilkaConsole.state().signed_in, null,
    { timeout: 15000 });
}

const reports = (page) => page.evaluate(() => window.kopilkaConsole.state().reports);

// Waits until the range asked for last has both answers.
async function loaded(page, what = 'the reports') {
  try {
    await page.waitForFunction(() => {
      const r = window.kopilkaConsole.state().reports;
      return r.opened && !r.busy && r.summary_loaded;
    }, null, { timeout: 15000 });
  } catch (err) {
    err.message += `\n${what}: ${JSON.stringify(await reports(page))}`;
    throw err;
  }
  return reports(page);
}

// A page of `width`×`height` for body(page); a failure keeps a screenshot and the mirror.
const onPage = (browser, size, body) =>
  harnessOnPage(browser, 'console-reports-failure.png', body, { viewport: size, acceptDownloads: true });

describe('console reports', () => {
  let tmp, server, browser, owner, viewer;
  before(async () => {
    checkPrerequisites();
    requireFile(path.join(siteDir, 'console/console.js'), 'build the wasm console (tools/build.sh)');
    tmp = makeTempDir();
    server = await startServer(tmp);
    const addUser = (role, email, name) => cli(tmp, ['user', 'add', '--db', server.dbFile,
      '--merchant', 'demo', '--email', email, '--name', name, '--role', role]);
    owner = await addUser('owner', 'owner@demo.example', 'Olga');
    viewer = await addUser('viewer', 'view@demo.example', 'Vera');
    // Six receipts at the till today: four with Boris's card, two without.
    for (let i = 0; i < 6; i += 1) {
      const res = await api(server.url, 'POST', '/v1/receipts', { key: server.tillKey, body: {
        operation_id: `0123456789abcdef0123456789ab${String(i).padStart(4, '0')}`,
        ...(i < 4 ? { member: { id: 'demo-boris' } } : {}),
        receipt: { id: `R-reports-${i}`, lines: [{ sku: 'item-1', category: 'coffee',
          unit_price: 50000 + 10000 * i }] } } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    browser = await launchChromium();
  });
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  test('the owner opens every report, changes the range and downloads a CSV', async () => {
    await onPage(browser, { width: 1280, height: 800 }, async (page) => {
      await signIn(page, server.url, 'owner@demo.example', owner.password);
      await clickItem(page, 'Reports');
      let r = await loaded(page);
      assert.equal(r.preset, 'last_30');
      assert.equal(r.bucket, 'day');
      assert.equal(r.to_ms - r.from_ms, 30 * DAY);
      assert.ok(r.receipts >= 6, JSON.stringify(r));
      assert.ok(r.receipts_with_card >= 4, JSON.stringify(r));
      assert.ok(r.series_loaded, `no series: ${r.series_error}`);
      assert.equal(r.series_points, 30);
      // Every card, its figures and its chart's data in the mirror.
      await page.waitForFunction(() => document.getElementById('kopilka-mirror').textContent
        .includes('Share of receipts with a card'), null, { timeout: 5000 });
      const mirror = await mirrorText(page);
      const en = TEXTS;
      for (const card of CARDS) {
        const title = en[`reports.card.${card}`];
        assert.ok(title && mirror.includes(title), `no card ${card} (${title}) in:\n${mirror}`);
      }
      assert.ok(mirror.includes('Revenue: '), mirror);
      assert.ok(/: With a card \d/.test(mirror), 'no card share series in the mirror');
      assert.ok(mirror.includes('Method: IFRS 15') || mirror.includes(en['reports.ifrs.missing']));
      // The first row of cards is drawn, each with its chart and CSV button.
      for (const card of CARDS.slice(0, 2)) {
        await clickItem(page, `##reports.chart.${card}`, { click: false });
        await clickItem(page, `##reports.csv.${card}`, { click: false });
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifactsDir, 'console-reports.png') });

      // A preset: the last 7 days by day.
      await clickItem(page, '##reports.preset.last_7');
      await page.waitForFunction(() => window.kopilkaConsole.state().reports.preset === 'last_7',
        null, { timeout: 5000 });
      r = await loaded(page, 'last 7 days');
      assert.equal(r.to_ms - r.from_ms, 7 * DAY);
      assert.equal(r.series_points, 7);

      // Typed dates (ISO works in every language): the 90 days before tomorrow, by week.
      const from = new Date(r.to_ms - 90 * DAY).toISOString().slice(0, 10);
      await focusField(page, '##reports.from');
      await page.keyboard.type(from);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => window.kopilkaConsole.state().reports.preset === 'custom',
        null, { timeout: 5000 });
      r = await loaded(page, 'typed dates');
      assert.equal(r.to_ms - r.from_ms, 90 * DAY);
      assert.equal(r.bucket, 'week');
      // An impossible day is refused at its field; nothing else changes.
      await focusField(page, '##reports.to');
      await page.keyboard.type('31.02.2026');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => window.kopilkaConsole.state().reports.range_error === 'date_invalid', null,
        { timeout: 5000 });
      assert.equal((await reports(page)).from_ms, r.from_ms);
      // The bucket chosen by hand.
      await clickItem(page, '##reports.bucket.month');
      await page.waitForFunction(() => window.kopilkaConsole.state().reports.bucket === 'month',
        null, { timeout: 5000 });
      r = await loaded(page, 'by month');

      // The summary's CSV, downloaded as a file.
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 15000 }),
        clickItem(page, '##reports.csv.all'),
      ]);
      const file = path.join(tmp, 'summary.csv');
      await download.saveAs(file);
      const csv = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      assert.match(csv.split(/\r?\n/)[0], /^name,value$/);
      assert.match(download.suggestedFilename(), /\.csv$/);
      const downloads = await page.evaluate(() => window.kopilkaConsole.downloads);
      assert.equal(downloads.at(-1).status, 200);
      assert.match(downloads.at(-1).type, /^text\/csv/);
    });
  });

  test('at 1920 pixels the cards take three columns; in German the dates and money follow',
    async () => {
      await onPage(browser, { width: 1920, height: 1080 }, async (page) => {
        await signIn(page, server.url, 'owner@demo.example', owner.password);
        await clickItem(page, 'Reports');
        await loaded(page);
        const xs = new Set();
        for (const card of CARDS.slice(0, 3))
          xs.add((await clickItem(page, `##reports.chart.${card}`, { click: false })).x);
        assert.equal(xs.size, 3);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(artifactsDir, 'console-reports-1920.png') });
      });
      await onPage(browser, { width: 1280, height: 800 }, async (page) => {
        await signIn(page, server.url, 'owner@demo.example', owner.password, 'de');
        await clickItem(page, 'Berichte');
        const r = await loaded(page);
        assert.match(r.from_text, /^\d\d\.\d\d\.\d{4}$/);
        // The mirror follows on the next frame drawn.
        await page.waitForFunction(() => document.getElementById('kopilka-mirror').textContent
          .includes('Anteil der Bons mit Karte'), null, { timeout: 5000 });
        const mirror = await mirrorText(page);
        assert.ok(mirror.includes('\u20BD'), 'no rouble amounts (the demo shop\'s) in German');
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(artifactsDir, 'console-reports-de.png') });
      });
    });

  test('a viewer lands on the reports', async () => {
    await onPage(browser, { width: 1280, height: 800 }, async (page) => {
      await signIn(page, server.url, 'view@demo.example', viewer.password);
      await page.waitForFunction(() => window.kopilkaConsole.state().section === 'reports',
        null, { timeout: 15000 });
      const r = await loaded(page);
      assert.equal((await page.evaluate(() => window.kopilkaConsole.state().role)), 'viewer');
      assert.ok(r.receipts >= 6, JSON.stringify(r));
    });
  });
});
