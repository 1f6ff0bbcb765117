// What the browser benchmarks (tools/bench/kiosk_bench.mjs, console_bench.mjs) share: running one
// against a seeded server, statistics and number formats, the requests of a load with their sizes
// by kind, the CPU time of every Chromium process from /proc, and the machine's description.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as h from '../../tests/e2e/harness.mjs';

export const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

// ---- statistics ---------------------------------------------------------------------------

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
export const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
export const ms = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '–');
export const kb = (bytes) => (bytes / 1024).toFixed(1);

// ---- requests and bytes -------------------------------------------------------------------

// Every request the context finishes from now on, with its sizes; the function returned resolves
// to them.
export function recordRequests(context) {
  const done = [];
  context.on('requestfinished', (request) => {
    done.push((async () => {
      const response = await request.response();
      const sizes = await request.sizes();
      const headers = response ? await response.allHeaders() : {};
      // Chromium reports 0 for a worker's own script; the header has the body's length.
      const body = Math.max(sizes.responseBodySize, Number(headers['content-length'] || 0));
      return { url: request.url(), status: response && response.status(), body,
        headers: sizes.responseHeadersSize, encoding: headers['content-encoding'] || null };
    })().catch((err) => ({ url: request.url(), error: err.message })));
  });
  return () => Promise.all(done);
}

// The staged site's file behind a path (index.html for a directory); null when none.
export function siteFile(pathname) {
  const rel = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
  const file = path.join(h.siteDir, decodeURIComponent(rel));
  return fs.existsSync(file) ? file : null;
}

export function bytesByKind(requests, kindOf) {
  const kinds = new Map();
  for (const r of requests) {
    if (r.error) throw new Error(`no sizes for ${r.url}: ${r.error}`);
    const { pathname } = new URL(r.url);
    const file = siteFile(pathname);
    const content = file ? fs.readFileSync(file) : null;
    const k = kinds.get(kindOf(pathname)) || { files: [], raw: 0, wire: 0, gzip: 0, encodings: new Set() };
    k.files.push(pathname.endsWith('/') ? 'index.html' : path.basename(pathname));
    k.raw += content ? content.length : r.body;
    k.wire += r.body;
    k.gzip += content ? zlib.gzipSync(content, { level: 9 }).length : r.body;
    k.encodings.add(r.encoding || 'none');
    kinds.set(kindOf(pathname), k);
  }
  return [...kinds.entries()].sort((a, b) => b[1].raw - a[1].raw)
    .map(([kind, k]) => ({ kind, ...k, encodings: [...k.encodings].join(', ') }));
}

// ---- CPU of Chromium's processes ----------------------------------------------------------

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function processGroup(argv) {
  const type = (argv.find((a) => a.startsWith('--type=')) || '--type=browser').slice(7);
  const sub = (argv.find((a) => a.startsWith('--utility-sub-type=')) || '').slice(19);
  if (type === 'browser' || type === 'renderer') return type;
  if (type === 'gpu-process') return 'GPU';
  if (sub.startsWith('video_capture')) return 'video capture';
  return 'other';  // zygotes, network and storage services
}
export const PROCESS_GROUPS = ['browser', 'renderer', 'GPU', 'video capture', 'other'];

// Chromium's processes are descendants of this node process (playwright-core spawns it).
function chromiumProcesses() {
  const parent = new Map();
  const stat = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');  // fields from "state" on
      parent.set(Number(name), Number(f[1]));
      stat.set(Number(name), Number(f[11]) + Number(f[12]));  // utime + stime, in ticks
    } catch { /* exited meanwhile */ }
  }
  const isOurs = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out = [];
  for (const [pid, ticks] of stat) {
    if (pid === process.pid || !isOurs(pid)) continue;
    // Chromium rewrites its children's titles: their cmdline is one string with spaces.
    let argv;
    try { argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); } catch { continue; }
    if (!/chrom/.test(argv[0])) continue;
    out.push({ pid, ticks, group: processGroup(argv) });
  }
  return out;
}

// CPU over windowMs with no input: % of one core of every Chromium process (utime + stime, by
// group), the renderer main thread's TaskDuration (CDP, `cdp` has Performance enabled) and how
// much each of the page's counters (a function run in the page returning numbers) grew.
export async function cpuWindow(page, cdp, windowMs, counters) {
  const metric = async () => (await cdp.send('Performance.getMetrics')).metrics
    .find((m) => m.name === 'TaskDuration').value;
  const look = async () => ({ procs: chromiumProcesses(), task: await metric(),
    c: await page.evaluate(counters), t: performance.now() });
  const before = await look();
  await sleep(windowMs);
  const after = await look();
  const seconds = (after.t - before.t) / 1000;
  const groups = {};
  for (const p of after.procs) {
    const was = before.procs.find((q) => q.pid === p.pid);
    const ticks = p.ticks - (was ? was.ticks : 0);
    groups[p.group] = (groups[p.group] || 0) + (100 * ticks) / clockTicks / seconds;
  }
  const counted = Object.fromEntries(Object.keys(after.c).map((k) => [k, after.c[k] - before.c[k]]));
  return {
    seconds, groups, total: Object.values(groups).reduce((a, b) => a + b, 0),
    mainThread: (100 * (after.task - before.task)) / seconds, counted,
  };
}

export function machine() {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.arch();
  return { cpu: cpu.trim(), cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) };
}

// Runs the benchmark NAME: work(run) gets { tmp, server } (a temp dir and kopilka-server
// --seed-demo on it) and keeps the browser it launches in run.browser (closed at the end, also on
// failure); the raw result it returns is written to build/bench/NAME.json with the run's length
// and machine, and markdown(result) printed on stdout. A failure prints the server's last logs.
export function runBench(name, work, markdown) {
  const started = performance.now();
  const main = async () => {
    h.checkPrerequisites();
    const run = { tmp: h.makeTempDir(), server: null, browser: null };
    try {
      run.server = await h.startServer(run.tmp);
      const load = os.loadavg()[0];
      if (load > 1) console.error(`[bench ${name}] load average ${load.toFixed(1)}: noisy numbers`);
      const result = {
        date: new Date().toISOString().slice(0, 10), machine: machine(), load,
        ...await work(run),
      };
      result.loadAfter = os.loadavg()[0];
      result.seconds = (performance.now() - started) / 1000;
      const out = path.join(h.buildDir, 'bench');
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(result, null, 2));
      process.stdout.write(markdown(result) + '\n');
    } catch (err) {
      if (run.server) err.message += `\n${run.server.logs().split('\n').slice(-30).join('\n')}`;
      throw err;
    } finally {
      await run.browser?.close().catch(() => {});
      await run.server?.stop().catch(() => {});
      fs.rmSync(run.tmp, { recursive: true, force: true });
    }
  };
  main().catch((err) => {
    console.error(`[bench ${name}] failed:`, err.stack || err.message);
    process.exit(1);
  });
}
