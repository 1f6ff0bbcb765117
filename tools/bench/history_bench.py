#!/usr/bin/env python3
"""Member lookup latency against the length of the member's history (SQLite).

For each history length it seeds a fresh demo database, appends earn + expire pairs
(the expiries are automatic, so they don't count against operations_max) to one member's
entries directly in SQL, posts one receipt (whose write stores the member's checkpoint),
then times POST /v1/members/lookup: with the checkpoint, and after deleting member_state,
which is the path without checkpoints (every entry restored on each request, as before).
Printed, not written to the README.

  tools/bench/history_bench.py BUILD_DIR [N ...]     (default N: 10 1000 100000)
"""
import http.client, json, os, sqlite3, statistics, subprocess, sys, tempfile, time

build = sys.argv[1] if len(sys.argv) > 1 else "build/native"
sizes = [int(n) for n in sys.argv[2:]] or [10, 1000, 100000]
server_bin = os.path.join(build, "bin", "kopilka-server")
cli_bin = os.path.join(build, "bin", "kopilka")
MEMBER = "demo-anna"
LOOKUPS = 30


def entry(i, reason, at_ms, batch):
    earn = reason == "earn"
    return {"id": "%032x" % (0xBE0000000000 + i), "reason": reason, "automatic": not earn,
            "rule": "bench" if earn else "", "at_ms": at_ms, "amount": 1, "receipt_id": "",
            "note": "", "available_at_ms": 0, "expires_at_ms": at_ms + 1 if earn else 0,
            "hold_until_ms": 0,
            "postings": [{"account": "member", "amount": 1 if earn else -1},
                         {"account": "issued" if earn else "expired",
                          "amount": -1 if earn else 1}],
            "lots": [{"batch": batch, "free": 1 if earn else -1, "held": 0}]}


def seed(db, n):
    subprocess.run([cli_bin, "seed-demo", "--db", db], check=True, capture_output=True)
    c = sqlite3.connect(db)
    seq, last = c.execute("SELECT MAX(seq) + 1, MAX(at_ms) FROM member_entries WHERE "
                          "merchant_id = 'demo' AND member_id = ?", (MEMBER,)).fetchone()
    at = last + 1
    rows = []
    for k in range(n // 2):
        e = entry(2 * k, "earn", at, None)
        e["lots"][0]["batch"] = e["id"]
        x = entry(2 * k + 1, "expire", at + 1, e["id"])
        for item in (e, x):
            rows.append(("demo", MEMBER, seq, item["id"], item["reason"], item["at_ms"],
                         item["postings"][0]["amount"], json.dumps(item, separators=(",", ":"))))
            seq += 1
        at += 2
    c.executemany("INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, "
                  "at_ms, member_delta, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    c.commit()
    c.close()


def request(conn, method, path, body, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request(method, path, json.dumps(body), h)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:300]))
    return json.loads(data)


def timed_lookups(conn, qr):
    times = []
    for _ in range(LOOKUPS):
        t = time.perf_counter()
        request(conn, "POST", "/v1/members/lookup", {"code": qr})
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(n):
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "bench.sqlite")
        seed(db, n)
        cards = [json.loads(l) for l in subprocess.run([cli_bin, "cards", "--db", db], check=True,
                 capture_output=True, text=True).stdout.splitlines()]
        card = next(c for c in cards if c["member"] == MEMBER)
        key = json.loads(subprocess.run([cli_bin, "api-key", "--db", db, "--merchant", "demo",
                                         "--role", "till"], check=True, capture_output=True,
                                        text=True).stdout.splitlines()[0])["key"]
        server = subprocess.Popen([server_bin, "--db", db, "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline()
            port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            request(conn, "POST", "/v1/receipts",
                    {"operation_id": "%032x" % 0xB1, "member": {"card": card["card"]},
                     "redeem_points": 0, "receipt": {"id": "BENCH-1", "lines": [
                         {"sku": "coat", "category": "clothes", "unit_price": 5000}]}},
                    {"Authorization": "Bearer " + key})
            c = sqlite3.connect(db)
            entries = c.execute("SELECT COUNT(*) FROM member_entries WHERE member_id = ?",
                                (MEMBER,)).fetchone()[0]
            covered = c.execute("SELECT seq FROM member_state WHERE member_id = ?",
                                (MEMBER,)).fetchone()[0]
            with_checkpoint = timed_lookups(conn, card["qr"])
            c.execute("DELETE FROM member_state")
            c.commit()
            c.close()
            without = timed_lookups(conn, card["qr"])
            print("%8d entries (checkpoint covers %d): lookup p50 %8.2f ms with checkpoint, "
                  "%9.2f ms restoring every entry" % (entries, covered, with_checkpoint, without),
                  flush=True)
        finally:
            server.terminate()
            server.wait()


for n in sizes:
    run(n)
