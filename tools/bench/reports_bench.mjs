// Report latency and import speed (tools/bench.sh reports): kopilka-server on SQLite and on
// PostgreSQL (the cluster in KOPILKA_PG_URL) with 10^4, 10^5 and 10^6 receipts of 50 000
// members over the last two years, seeded by SQL straight into the tables the server writes
// (receipts, member_entries, members; the database's triggers keep the reports' roll-up as
// they do for the server's own writes). For each size: GET /v1/admin/reports and
// /v1/admin/reports/series over the last 30 and 365 days, cold (the first request after the
// server restarted) and warm (median of 5 more). Then the import of a 100 000-row members
// file (POST /v1/admin/imports until its job is done), rows per second.
// Prints the README block; every number goes into build/bench/reports.json.
// KOPILKA_BENCH_DIR=DIR keeps the SQLite file (DIR/bench.sqlite) and reuses what an earlier
// run seeded there or in KOPILKA_PG_URL's database: receipts already seeded are not seeded
// again (seeding 10^6 takes about 12 minutes a database). KOPILKA_BENCH_IMPORT=0 skips the
// import. KOPILKA_BENCH_DBS=SQLite (or PostgreSQL) runs one database only.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const build = process.env.KOPILKA_BUILD || path.resolve("build");
const server = path.join(build, "native/bin/kopilka-server");
const cli = path.join(build, "native/bin/kopilka");
const pgUrl = process.env.KOPILKA_PG_URL;
const sizes = (process.env.KOPILKA_BENCH_SIZES || "10000,100000,1000000").split(",").map(Number);
const members = 50000;
const day = 86400000;
const now = Date.now();
const start = now - 730 * day;
const span = 730 * day;
const started = Date.now();

function log(...a) { console.error("[bench reports]", ...a); }

// Runs SQL on the database: sqlite3 on a file (niced: seeding is minutes of CPU on a shared
// machine; the server under test is not), psql on a URL.
function sql(db, text) {
  if (db.startsWith("postgres")) execFileSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", db], { input: text });
  else execFileSync("nice", ["-n", "10", "sqlite3", db], { input: ".timeout 60000\n" + text });
}

// The integers [a, b) as a row source s(i), in the database's words.
function series(db, a, b) {
  return db.startsWith("postgres")
    ? `generate_series(${a}::bigint, ${b - 1}) AS s(i)`
    : `(WITH RECURSIVE g(i) AS (SELECT ${a} UNION ALL SELECT i + 1 FROM g WHERE i + 1 < ${b}) SELECT i FROM g) s`;
}

// How many rows a query counts, as a number (sqlite3 and psql print it alone).
function count(db, text) {
  const out = db.startsWith("postgres")
    ? execFileSync("psql", ["-qAt", "-v", "ON_ERROR_STOP=1", db, "-c", text])
    : execFileSync("sqlite3", [db, text]);
  return Number(out.toString().trim());
}

// The bench's receipts already stored (an earlier run's, with KOPILKA_BENCH_DIR).
const seeded = (db) =>
  count(db, "SELECT COUNT(*) FROM receipts WHERE merchant_id = 'demo' AND receipt_id LIKE 'b%'");

function seedMembers(db) {
  if (count(db, "SELECT COUNT(*) FROM members WHERE merchant_id = 'demo' AND member_id = 'bm-0'"))
    return;
  sql(db, `INSERT INTO members (merchant_id, member_id, display_name, created_at_ms)
    SELECT 'demo', 'bm-' || i, 'Bench ' || i, ${start} + (i * 1234567) % ${span} FROM ${series(db, 0, members)};`);
}

// Receipts [a, b): 60 % with a card; their points earned, and some redeemed, expired,
// clawed back by a return. Times spread over the two years by a multiplicative hash.
function seedReceipts(db, a, b) {
  const at = `(${start} + (i * 2654435761) % ${span})`;
  const paid = `(500 + (i * 104729) % 20000)`;
  const member = `'bm-' || ((i * 7919) % ${members})`;
  sql(db, `BEGIN;
    INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, paid, tier_qualifying, receipt, quote, returned)
      SELECT 'demo', 'b' || i, CASE WHEN i % 10 < 6 THEN ${member} ELSE '' END, 'b' || i, ${at}, ${paid}, 0, '{}', '{}', '[]'
      FROM ${series(db, a, b)};
    INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, at_ms, member_delta, body)
      SELECT 'demo', ${member}, i * 4 + k, 'be' || i || '-' || k,
        CASE k WHEN 0 THEN 'earn' WHEN 1 THEN 'redeem' WHEN 2 THEN 'expire' ELSE 'clawback' END,
        ${at} + CASE k WHEN 0 THEN 0 WHEN 1 THEN 1000 WHEN 2 THEN ${90 * day} ELSE ${2 * day} END,
        CASE k WHEN 0 THEN ${paid} / 100 WHEN 1 THEN -10 WHEN 2 THEN -3 ELSE -(${paid} / 200) END, '{}'
      FROM ${series(db, a, b)} CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) kk
      WHERE i % 10 < 6 AND (k = 0 OR (k = 1 AND i % 5 = 0) OR (k = 2 AND i % 50 = 1) OR (k = 3 AND i % 30 = 2));
    COMMIT;`);
}

async function startServer(db, logFile) {
  const out = fs.openSync(logFile, "a");
  const p = spawn(server, ["--db", db, "--port", "0", "--seed-demo", "--quiet", "--no-rate-limits"],
                  { stdio: ["ignore", out, out] });
  for (let i = 0; i < 300; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    const m = fs.readFileSync(logFile, "utf8").match(/listening on (\S+)/g);
    if (m && m.length > (startServer.seen[logFile] || 0)) {
      startServer.seen[logFile] = m.length;
      return { p, url: m[m.length - 1].replace("listening on ", "") };
    }
    if (p.exitCode !== null) break;
  }
  throw new Error("kopilka-server did not start: " + fs.readFileSync(logFile, "utf8"));
}
startServer.seen = {};

async function stopServer(s) {
  const done = new Promise((r) => s.p.once("exit", r));
  s.p.kill("SIGTERM");
  await done;
}

function key(db, role) {
  return JSON.parse(execFileSync(cli, ["api-key", "--db", db, "--merchant", "demo", "--role", role]).toString()).key;
}

async function timed(url, admin) {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { Authorization: "Bearer " + admin } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(url + ": " + res.status + " " + body);
  return ms;
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function measure(db, logFile, admin) {
  const out = {};
  for (const days of [30, 365])
    for (const route of ["reports", "reports/series"]) {
      const s = await startServer(db, logFile);
      const url = `${s.url}/v1/admin/${route}?from_ms=${now - days * day}&to_ms=${now}`;
      const cold = await timed(url, admin);
      const warm = [];
      for (let i = 0; i < 5; ++i) warm.push(await timed(url, admin));
      await stopServer(s);
      out[`${route.replace("/", "_")}_${days}d`] = { cold_ms: +cold.toFixed(1), warm_ms: +median(warm).toFixed(1) };
      log(db.startsWith("postgres") ? "PostgreSQL" : "SQLite", route, days + "d", out[`${route.replace("/", "_")}_${days}d`]);
    }
  return out;
}

async function importRate(db, logFile, admin) {
  let csv = "external_id,name,phone,consent\n";
  for (let i = 0; i < 100000; ++i) csv += `imp-${i},Imported ${i},+7${String(9000000000 + i)},yes\n`;
  const s = await startServer(db, logFile);
  const t0 = performance.now();
  const res = await fetch(s.url + "/v1/admin/imports", {
    method: "POST", headers: { Authorization: "Bearer " + admin, "Content-Type": "text/csv" }, body: csv });
  const job = await res.json();
  if (res.status !== 202) throw new Error("import: " + res.status + " " + JSON.stringify(job));
  let status;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    status = await (await fetch(s.url + "/v1/admin/imports/" + job.job_id,
                                { headers: { Authorization: "Bearer " + admin } })).json();
    if (status.status !== "running" && status.status !== "queued") break;
  }
  const seconds = (performance.now() - t0) / 1000;
  await stopServer(s);
  if (status.status !== "done" || status.rows_done !== 100000)
    throw new Error("import ended as " + JSON.stringify(status).slice(0, 400));
  return { rows: 100000, seconds: +seconds.toFixed(2), rows_per_second: Math.round(100000 / seconds),
           created: status.created };
}

async function one(name, db, tmp) {
  const logFile = path.join(tmp, `server-${name}.log`);
  fs.writeFileSync(logFile, "");
  const s = await startServer(db, logFile);  // creates the schema and the demo merchant
  await stopServer(s);
  const admin = key(db, "admin");
  const result = { sizes: {} };
  let t0 = performance.now();
  seedMembers(db);
  let done = seeded(db);
  if (done) log(name, `reusing ${done} receipts seeded before`);
  for (const n of sizes) {
    if (done > n) throw new Error(`${done} receipts are seeded already, more than ${n}`);
    t0 = performance.now();
    if (done < n) seedReceipts(db, done, n);
    const seedS = (performance.now() - t0) / 1000;
    log(name, `seeded ${n} receipts (${(n - done)} more in ${seedS.toFixed(1)} s)`);
    done = n;
    if (db.startsWith("postgres")) sql(db, "VACUUM ANALYZE;");
    else sql(db, "ANALYZE;");
    result.sizes[n] = { seed_seconds: +seedS.toFixed(1), ...(await measure(db, logFile, admin)) };
  }
  if (process.env.KOPILKA_BENCH_IMPORT !== "0") {
    result.import = await importRate(db, logFile, admin);
    log(name, "import", result.import);
  }
  return result;
}

const keep = process.env.KOPILKA_BENCH_DIR;
if (keep) fs.mkdirSync(keep, { recursive: true });
const tmp = keep || fs.mkdtempSync(path.join(os.tmpdir(), "kopilka-reports-bench."));
const results = { date: new Date().toISOString().slice(0, 10), cores: os.cpus().length,
                  cpu: os.cpus()[0].model, members, days: 730 };
const only = process.env.KOPILKA_BENCH_DBS || "SQLite,PostgreSQL";  // which databases to run
if (only.includes("SQLite")) results.SQLite = await one("SQLite", path.join(tmp, "bench.sqlite"), tmp);
if (pgUrl && only.includes("PostgreSQL")) results.PostgreSQL = await one("PostgreSQL", pgUrl, tmp);
results.seconds = Math.round((Date.now() - started) / 1000);
fs.mkdirSync(path.join(build, "bench"), { recursive: true });
fs.writeFileSync(path.join(build, "bench/reports.json"), JSON.stringify(results, null, 2));
if (!keep) fs.rmSync(tmp, { recursive: true, force: true });

const dbs = ["SQLite", "PostgreSQL"].filter((d) => results[d]);
const cell = (x) => `${Math.round(x.cold_ms)} / ${Math.round(x.warm_ms)}`;
let table = "| database | receipts | report 30 d | report 365 d | series 30 d (days) | series 365 d (weeks) |\n|---|---:|---:|---:|---:|---:|\n";
for (const d of dbs)
  for (const n of sizes) {
    const r = results[d].sizes[n];
    table += `| ${d} | ${n.toLocaleString("en").replace(/,/g, " ")} | ${cell(r.reports_30d)} | ${cell(r.reports_365d)} | ${cell(r.reports_series_30d)} | ${cell(r.reports_series_365d)} |\n`;
  }
table += "\nms, cold / warm: cold is the first request after kopilka-server restarted (the operating system's file cache stays warm), warm the median of 5 more.\n\n";
table += "| database | import of 100 000 members (CSV) | rows per second |\n|---|---:|---:|\n";
for (const d of dbs.filter((d) => results[d].import))
  table += `| ${d} | ${results[d].import.seconds} s | **${results[d].import.rows_per_second}** |\n`;
table += `\n${members.toLocaleString("en").replace(/,/g, " ")} members, receipts over the last ${results.days} days (60 % with a card; points earned on each, some redeemed, expired, clawed back), seeded by SQL into the server's tables; PostgreSQL 15 (test cluster, fsync off), SQLite with WAL; ${results.cpu}, ${results.cores} cores, ${results.date}; the benchmark took ${results.seconds} s.`;
console.log(table);
