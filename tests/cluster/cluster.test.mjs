// Scale-out under failure: three kopilka-server processes on one PostgreSQL behind nginx
// (tools/cluster.sh), loaded through nginx by plain HTTP clients.
// (a) Till clients post receipts, each retried with its operation id on any error or 5xx until
//     acknowledged; one server is killed with SIGKILL mid-load. Afterwards every acknowledged
//     operation is stored exactly once (one receipt, one operation, ledger entries that add up
//     to what its quote earned) and every member's balance as the API reports it equals the
//     sum of their ledger entries.
// (b) Under a steady load of receipts and lookups that are NOT retried by the clients, each
//     server in turn is drained (SIGTERM), waited for, started again and waited healthy:
//     no client sees a failed request (nginx's retries on another server are all there is).
// Needs KOPILKA_TEST_PG_URL (tools/test.sh starts PostgreSQL for this layer) and the native
// build (build/native/bin, or $KOPILKA_BIN). The cluster's state and logs stay in
// build/test-logs/cluster/ for a look after a failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.KOPILKA_BIN || path.join(root, 'build/native/bin');
const state = path.join(root, 'build/test-logs/cluster');
const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const clusterEnv = {
  ...process.env,
  KOPILKA_CLUSTER_DIR: state,
  KOPILKA_BIN: bin,
  KOPILKA_QUIET: '1',          // no request log lines: the machine's two cores go to the load
  KOPILKA_RATE_LIMITS: 'off',  // one till key posts far more than a till would
};

const cluster = (...args) =>
  run(path.join(root, 'tools/cluster.sh'), args, { env: clusterEnv, cwd: root });

// One value (or rows, `|`-separated) from psql on the cluster's database. The query goes on
// stdin: a list of every acknowledged operation is longer than one argument may be.
let dbUrl = '';
function sql(query) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', dbUrl, '-f', '-'],
    { encoding: 'utf8', input: query.trimEnd().endsWith(';') ? query : query + ';' }).trim();
}

let base = '';
let till = '';
let cards = [];  // {member, card, qr}
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

// One HTTP request through nginx: {status, headers, body}; rejects on a network error or after
// timeoutMs.
function request(method, pathname, { body, headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(pathname, base);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, {
      method, agent, timeout: timeoutMs,
      headers: { ...headers, ...(data ? { 'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

const opId = () => crypto.randomBytes(16).toString('hex');
const pick = (list) => list[crypto.randomInt(list.length)];

// A one-line receipt; `tag` starts its receipt id, so each test finds its own receipts.
function receiptBody(tag, op, card, price) {
  return {
    operation_id: op,
    member: { card },
    receipt: { id: `${tag}-${op}`, lines: [{ sku: 'tea', category: 'food', unit_price: price }] },
  };
}

const postReceipt = (body) => request('POST', '/v1/receipts',
  { body, headers: { Authorization: `Bearer ${till}` } });

const serverPid = (i) => Number(fs.readFileSync(path.join(state, `server-${i}.pid`), 'utf8'));

// A JSON line per card from the CLI.
function cli(...args) {
  return execFileSync(path.join(bin, 'kopilka'), args, { encoding: 'utf8' });
}

before(async () => {
  const pgUrl = process.env.KOPILKA_TEST_PG_URL;
  assert.ok(pgUrl, 'KOPILKA_TEST_PG_URL is not set (tools/test.sh starts PostgreSQL for this layer)');
  // A database of its own on the test cluster.
  const name = `kopilka_cluster_${process.pid}`;
  execFileSync('psql', ['-X', '-q', pgUrl, '-c', `DROP DATABASE IF EXISTS ${name}`], { stdio: 'pipe' });
  execFileSync('psql', ['-X', '-q', pgUrl, '-c', `CREATE DATABASE ${name}`]);
  dbUrl = pgUrl.replace(/\/[^/]*$/, `/${name}`);
  await cluster('down');  // what an interrupted run left running
  fs.rmSync(state, { recursive: true, force: true });
  base = (await cluster('up', '3', '--pg', dbUrl, '--port', '0')).stdout.trim();
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  till = JSON.parse(cli('api-key', '--db', dbUrl, '--merchant', 'demo', '--role', 'till')).key;
  const admin = JSON.parse(cli('api-key', '--db', dbUrl, '--merchant', 'demo', '--role', 'admin')).key;
  // 40 more members, so receipts spread as in a shop (one member's receipts serialise on its lock).
  for (let i = 0; i < 40; i++) {
    const res = await request('POST', '/v1/admin/members', {
      headers: { Authorization: `Bearer ${admin}` },
      body: { id: `cluster-${i}`, name: `Cluster ${i}`, consent: true },
    });
    assert.equal(res.status, 201, res.body);
  }
  cards = cli('cards', '--db', dbUrl).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(cards.length >= 43, `${cards.length} cards`);
});

after(async () => {
  agent.destroy();
  await cluster('down').catch((e) => console.error(`cluster down: ${e.message}`));
});

test('(a) SIGKILL of one of three servers under a retried receipt load: each acknowledged ' +
     'operation once, balances equal the ledger', async () => {
  const clients = 8;
  const loadMs = 10000;
  const killAtMs = 3000;
  const acked = new Map();  // op → {member, at}
  let retries = 0;
  let replays = 0;  // answers of a retry (by nginx or a client) to a receipt already stored
  let stop = false;
  let killedAt = 0;

  // Posts one receipt until it is acknowledged, always with the same operation id and body.
  async function until_acknowledged(op, card) {
    const body = receiptBody('A', op, card.card, 1000 + crypto.randomInt(50000));
    for (let attempt = 0; attempt < 100; attempt++) {
      let res;
      try {
        res = await postReceipt(body);
      } catch {
        res = null;  // reset, refused, timed out: the answer may be lost, so ask again
      }
      if (res && res.status === 201) {
        if (res.headers['idempotent-replayed'] === 'true') replays++;
        acked.set(op, { member: card.member, at: Date.now() });
        return;
      }
      if (res && res.status < 500) throw new Error(`receipt ${op}: ${res.status} ${res.body}`);
      retries++;
      await sleep(100);
    }
    throw new Error(`receipt ${op} not acknowledged after 100 attempts`);
  }

  const load = Array.from({ length: clients }, async () => {
    while (!stop) await until_acknowledged(opId(), pick(cards));
  });
  await sleep(killAtMs);
  const victim = serverPid(2);
  process.kill(victim, 'SIGKILL');
  killedAt = Date.now();
  await sleep(loadMs - killAtMs);
  stop = true;
  await Promise.all(load);

  const ops = [...acked.keys()];
  const before = ops.filter((op) => acked.get(op).at < killedAt).length;
  console.log(`# (a) ${ops.length} receipts acknowledged (${before} before the kill), ` +
              `${retries} retried by the clients, ${replays} answered as replays`);
  assert.ok(before > 0 && ops.length > before, 'the load ran before and after the kill');

  // Exactly once: one receipt and one operation per acknowledged id, and nothing else.
  const list = ops.map((op) => `'${op}'`).join(',');
  assert.equal(sql(`SELECT count(*) FROM receipts WHERE merchant_id = 'demo' AND op_id IN (${list})`),
    String(ops.length));
  assert.equal(sql(`SELECT count(DISTINCT op_id) FROM receipts WHERE merchant_id = 'demo' ` +
                   `AND receipt_id LIKE 'A-%'`), String(ops.length));
  assert.equal(sql(`SELECT count(*) FROM receipts WHERE merchant_id = 'demo' AND receipt_id LIKE 'A-%'`),
    String(ops.length));
  assert.equal(sql(`SELECT count(*) FROM operations WHERE merchant_id = 'demo' AND op_id IN (${list})`),
    String(ops.length));

  // Each receipt's ledger entries add up to the points its quote earned: an entry written twice
  // would double them.
  assert.equal(sql(
    `SELECT count(*) FROM receipts r WHERE r.merchant_id = 'demo' AND r.receipt_id LIKE 'A-%' ` +
    `AND (r.quote::jsonb->>'points_earned')::bigint <> (SELECT COALESCE(SUM(e.member_delta), 0) ` +
    `FROM member_entries e WHERE e.merchant_id = r.merchant_id AND e.member_id = r.member_id ` +
    `AND e.body::jsonb->>'receipt_id' = r.receipt_id)`), '0');
  assert.notEqual(sql(`SELECT COALESCE(SUM((quote::jsonb->>'points_earned')::bigint), 0) ` +
    `FROM receipts WHERE merchant_id = 'demo' AND receipt_id LIKE 'A-%'`), '0');

  // Each member's balance (the API's snapshot) equals their ledger: the member account's
  // postings in the stored entries, and the member_delta column kept beside them.
  const ledger = new Map(sql(
    `SELECT e.member_id, COALESCE(SUM((p->>'amount')::bigint), 0) FROM member_entries e, ` +
    `jsonb_array_elements(e.body::jsonb -> 'postings') p WHERE e.merchant_id = 'demo' ` +
    `AND p->>'account' = 'member' GROUP BY e.member_id`).split('\n').filter(Boolean)
    .map((l) => l.split('|')).map(([m, v]) => [m, Number(v)]));
  const deltas = new Map(sql(
    `SELECT member_id, SUM(member_delta) FROM member_entries WHERE merchant_id = 'demo' ` +
    `GROUP BY member_id`).split('\n').filter(Boolean).map((l) => l.split('|'))
    .map(([m, v]) => [m, Number(v)]));
  const earners = new Set(ops.map((op) => acked.get(op).member));
  for (const card of cards.filter((c) => earners.has(c.member))) {
    const res = await request('POST', '/v1/members/lookup', { body: { code: card.qr } });
    assert.equal(res.status, 200, res.body);
    const balance = JSON.parse(res.body).member.balance;
    assert.equal(balance, ledger.get(card.member) ?? 0, `${card.member}: balance vs postings`);
    assert.equal(balance, deltas.get(card.member) ?? 0, `${card.member}: balance vs member_delta`);
  }
  await cluster('restart', '2');  // back to three for (b)
});

test('(b) a rolling restart of all three servers under load: no failed request', async () => {
  const clients = 6;
  const failures = [];
  let done = 0;
  let stop = false;
  const load = Array.from({ length: clients }, async (_, c) => {
    while (!stop) {
      const card = pick(cards);
      let res;
      try {
        res = c % 2 === 0
          ? await postReceipt(receiptBody('B', opId(), card.card, 1000 + crypto.randomInt(50000)))
          : await request('POST', '/v1/members/lookup', { body: { code: card.qr } });
      } catch (e) {
        failures.push(`${c % 2 === 0 ? 'receipt' : 'lookup'}: ${e.message}`);
        continue;
      }
      if (res.status !== (c % 2 === 0 ? 201 : 200)) {
        failures.push(`${res.status} ${res.headers['x-request-id'] ?? ''} ${res.body.slice(0, 200)}`);
      }
      done++;
    }
  });
  await sleep(1000);
  const restarted = [];
  for (const i of [1, 2, 3]) {
    const old = serverPid(i);
    const t0 = Date.now();
    await cluster('restart', String(i));
    assert.notEqual(serverPid(i), old, `server ${i} runs as a new process`);
    restarted.push(`${i}: ${Date.now() - t0} ms`);
    // nginx leaves a server out for fail_timeout (2 s) after it failed a request; the next
    // drain waits for that, so two servers are never out at once.
    await sleep(2500);
  }
  await sleep(1000);
  stop = true;
  await Promise.all(load);
  console.log(`# (b) ${done} requests during the restarts (${restarted.join(', ')}), ` +
              `${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.ok(done > 100, `only ${done} requests ran`);
});
