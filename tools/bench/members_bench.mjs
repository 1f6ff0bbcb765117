// Members table benchmark: the console's members table with 100 000 members (straight into the
// server's SQLite file, as tests/e2e/console_members.test.mjs seeds them) scrolled in Debian's
// headless Chromium (WebGL through SwiftShader), beside a baseline in the same run. Run by
// `tools/bench.sh members`; prints a Markdown block on stdout, progress on stderr, every raw
// number in build/bench/members.json.
//
// Each window lasts WINDOW_MS and records, per animation frame: the time between frames (the
// frame rate the person sees) and the time spent in the frame's callbacks (what the console's
// frame costs on the main thread: building the ImGui frame and issuing its WebGL calls). The
// console draws only when something changes, so every window keeps it drawing:
//   baseline — the Overview section while the mouse circles over it (a screen with no table);
//   wheel    — the members table scrolled with the mouse wheel (pages fetched as rows show);
//   keys     — the same table scrolled with PageDown held over it.
// Long frames are those over 50 ms (under 20 fps). Numbers depend on the machine's load: the
// block says the load average before and after.
import * as h from '../../tests/e2e/harness.mjs';
import { ms, quantile, runBench, sleep } from './browser_bench.mjs';

const SEEDED = 100000;
const WINDOW_MS = 4000;
const LONG_FRAME_MS = 50;
const log = (...args) => console.error('[bench members]', ...args);

// Before the page's scripts: every animation frame's callbacks timed.
function instrumentPage() {
  const b = { recording: false, frames: [] };
  window.__membersBench = b;
  const raf = window.requestAnimationFrame.bind(window);
  let last = 0;
  window.requestAnimationFrame = (callback) => raf((time) => {
    const start = performance.now();
    callback(time);
    const work = performance.now() - start;
    if (b.recording) b.frames.push({ delta: last ? time - last : 0, work });
    last = time;
  });
}

async function record(page, drive) {
  await page.evaluate(() => {
    window.__membersBench.frames = [];
    window.__membersBench.recording = true;
  });
  const until = Date.now() + WINDOW_MS;
  await drive(until);
  const frames = await page.evaluate(() => {
    const b = window.__membersBench;
    b.recording = false;
    return b.frames;
  });
  const deltas = frames.slice(1).map((f) => f.delta);
  const work = frames.map((f) => f.work);
  return {
    frames: frames.length,
    fps: frames.length / (WINDOW_MS / 1000),
    delta_p50_ms: quantile(deltas, 0.5),
    delta_p95_ms: quantile(deltas, 0.95),
    work_p50_ms: quantile(work, 0.5),
    work_p95_ms: quantile(work, 0.95),
    long_frames: deltas.filter((d) => d > LONG_FRAME_MS).length,
  };
}

async function signIn(page, url, owner) {
  const res = await h.api(url, 'POST', '/v1/console/session',
    { body: { merchant: 'demo', email: owner.email, password: owner.password } });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
  await page.addInitScript((session) => {
    sessionStorage.setItem('kopilka.console.session', session);
  }, JSON.stringify(res.body));
  await page.goto(url + '/console/');
  await page.waitForFunction(() => window.kopilkaConsole && window.kopilkaConsole.ready &&
    window.kopilkaConsole.state().signed_in, null, { timeout: 30000 });
}

async function work(run) {
  log('seeding', SEEDED, 'members');
  await h.seedMembers(run.server.dbFile, SEEDED);
  const owner = await h.cli(run.tmp, ['user', 'add', '--db', run.server.dbFile, '--merchant',
    'demo', '--email', 'owner@demo.example', '--name', 'Olga', '--role', 'owner']);
  owner.email = 'owner@demo.example';
  run.browser = await h.launchChromium();
  const page = await run.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(instrumentPage);
  await signIn(page, run.server.url, owner);

  log('baseline: the overview with the mouse circling');
  await h.clickItem(page, 'Overview');
  await sleep(1000);
  const baseline = await record(page, async (until) => {
    for (let a = 0; Date.now() < until; a += 0.3) {
      await page.mouse.move(700 + 200 * Math.cos(a), 400 + 150 * Math.sin(a));
      await sleep(16);
    }
  });

  log('wheel: the members table');
  await h.clickItem(page, 'Members');
  await page.waitForFunction(() => window.kopilkaConsole.state().members.rows > 0, null,
    { timeout: 30000 });
  const firstId = await page.evaluate(() => window.kopilkaConsole.state().members.first_id);
  const firstRow = await h.clickItem(page, `##row_${firstId}`, { click: false });
  await page.mouse.move(firstRow.x + 300, firstRow.y + 300);
  const wheel = await record(page, async (until) => {
    while (Date.now() < until) {
      await page.mouse.wheel(0, 600);
      await sleep(16);
    }
  });
  const afterWheel = await page.evaluate(() => window.kopilkaConsole.state().members);

  log('keys: PageDown over the table');
  // A click on the table's header row gives the table the keyboard (a row would open).
  await page.mouse.click(firstRow.x + 300, firstRow.y - firstRow.h * 0.6);
  await sleep(200);
  const keys = await record(page, async (until) => {
    while (Date.now() < until) {
      await page.keyboard.press('PageDown');
      await sleep(16);
    }
  });
  const afterKeys = await page.evaluate(() => window.kopilkaConsole.state().members);
  return {
    members: SEEDED + 3, window_ms: WINDOW_MS, baseline, wheel, keys,
    rows_loaded: afterKeys.rows, fetches: afterKeys.fetches, cached_pages: afterKeys.cached_pages,
    first_row_after_wheel: afterWheel.shown_first, first_row_after_keys: afterKeys.shown_first,
  };
}

function markdown(r) {
  const row = (name, w) => `| ${name} | ${w.fps.toFixed(1)} | ${ms(w.delta_p50_ms)} | ` +
    `${ms(w.delta_p95_ms)} | ${w.long_frames} | ${ms(w.work_p50_ms)} | ${ms(w.work_p95_ms)} |`;
  return [
    `Members table, ${r.members.toLocaleString('en')} members, headless Chromium + SwiftShader, ` +
      `${r.machine.cores} cores, load ${r.load.toFixed(1)} → ${r.loadAfter.toFixed(1)} ` +
      `(${r.date}); ${r.window_ms / 1000} s a line:`,
    '',
    '| window | frames/s | frame p50 ms | frame p95 ms | frames > 50 ms | work p50 ms ' +
      '| work p95 ms |',
    '|---|---|---|---|---|---|---|',
    row('baseline: overview, mouse moving', r.baseline),
    row('members table, wheel', r.wheel),
    row('members table, PageDown', r.keys),
    '',
    `"work" is the time in the frame's callbacks (the console's frame: ImGui and its WebGL ` +
      `calls); the rest of a frame is the browser's. After scrolling: ${r.rows_loaded} rows ` +
      `loaded in ${r.fetches} fetches, ${r.cached_pages} pages kept, first row shown ` +
      `${r.first_row_after_keys}.`,
  ].join('\n');
}

runBench('members', work, markdown);
