#!/usr/bin/env python3
"""Lookup and receipt latency against a member's history, her live batches, her receipts and
the members.

On SQLite and on PostgreSQL, each size on a fresh database seeded with the demo merchant
(`kopilka seed-demo`), bulk rows added in SQL, then kopilka-server started on it:
  history  one member (demo-anna) with N ledger entries: earn + expire pairs (the expiries
           are automatic, so they don't count against operations_max) appended in SQL; one
           receipt through the API stores the member's checkpoint (member_state) before the
           timing, as every write does. Then lookups by the member's card QR and receipts for
           the member (each receipt adds its entries: the history grows by a few while timed).
  batches  one member (demo-anna) with N batches still holding points: N earn entries whose
           points expire in ten years, appended in SQL, and one receipt through the API (as for
           history), so her checkpoint carries N batches (each timed receipt adds one more).
  receipts one member (demo-anna) with N receipts in her tier window (the last 365 days), rows
           of the receipts table as long as the server's, appended in SQL, and her tier
           window's running sum dropped (the warm-up receipt keeps a new one): every lookup
           and receipt shows her progress to the next tier from them (each timed receipt adds
           one more).
  members  N members of the demo merchant, each with an EAN-13 card and a counters row
           (what an import writes, plus the counters a first receipt would); lookups and
           receipts each of a different random member among them.
Bulk rows go in CHUNK to a transaction; PostgreSQL is then vacuumed and analysed (what
autovacuum would do meanwhile, competing with the timing). Requests are sequential from one
client on a kept-alive connection per server, after one of each to warm up; the sizes of a
dimension are served at once and take turns of ROUND requests, so that the machine's other
work falls on all of them alike. p50 and p99 by nearest rank. Python 3's standard library
and the psql CLI only.

  tools/bench/scale_bench.py [--bin DIR] [--pg URL] [--out FILE] [--requests N]
                             [--history N,…] [--batches N,…] [--receipts N,…]
                             [--members N,…]
                             [--only sqlite|pg]
--pg: a PostgreSQL server (a database per size is created on it and dropped after);
without it a throwaway one is started with tools/pg.sh and stopped at the end.
Prints a Markdown table and a note; the raw numbers go to --out (build/bench/scale.json).
"""
import argparse, hashlib, hmac, http.client, json, math, os, random, sqlite3, statistics
import subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MERCHANT, MERCHANT_CODE, MEMBER = "demo", "DEMO", "demo-anna"
DAY_MS = 86400000
# Bulk rows are written this many to a transaction. The roll-up triggers update one
# report_days row per day (and shard) for each row inserted; on PostgreSQL every update of a
# row in one transaction leaves a version the next one walks past (the unique index's
# conflict check), so a single transaction of N rows on one day costs O(N²).
CHUNK = 2000
ROUND = 10  # requests of each kind a size gets in its turn
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def log(text):
    print("[scale] " + text, file=sys.stderr, flush=True)


# [SECTION] Databases: one SQLite file or one PostgreSQL database per size

class SqliteDb:
    name = "SQLite"

    def __init__(self, work, tag):
        self.url = os.path.join(work, tag + ".sqlite")

    def query(self, sql):
        with sqlite3.connect(self.url) as c:
            return c.execute(sql).fetchall()

    def bulk(self, statements, table=None, columns=(), rows=()):
        """Each statement, then the rows into table CHUNK at a time, in a transaction each."""
        c = sqlite3.connect(self.url)
        c.execute("PRAGMA cache_size = -400000")  # 400 MB: a million members' indexes
        c.execute("PRAGMA synchronous = OFF")  # a throwaway database; the server sets its own
        insert = "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(columns),
                                                       ", ".join("?" * len(columns)))
        for sql in statements:
            with c:
                c.execute(sql)
        for lo in range(0, len(rows), CHUNK):
            with c:
                c.executemany(insert, rows[lo:lo + CHUNK])
        c.close()

    def drop(self):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.url + suffix):
                os.remove(self.url + suffix)


class PgDb:
    name = "PostgreSQL"

    def __init__(self, server_url, tag):
        self.admin = server_url
        self.db = "kopilka_scale_" + tag
        self.url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(server_url)._replace(path="/" + self.db))
        psql(self.admin, "DROP DATABASE IF EXISTS %s" % self.db)
        psql(self.admin, "CREATE DATABASE %s" % self.db)

    def query(self, sql):
        return [tuple(line.split("\t")) for line in psql(self.url, sql).splitlines() if line]

    def bulk(self, statements, table=None, columns=(), rows=()):
        """Each statement, then the rows into table CHUNK at a time (COPY from psql's stdin),
        in a transaction each; then VACUUM ANALYZE, what autovacuum does shortly after."""
        script = list(statements)
        for lo in range(0, len(rows), CHUNK):
            script.append("COPY %s (%s) FROM STDIN;" % (table, ", ".join(columns)))
            script.extend("\t".join(str(v) for v in row) for row in rows[lo:lo + CHUNK])
            script.append("\\.")
        script.append("VACUUM ANALYZE;")
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-f", "-"],
                       input="\n".join(script) + "\n", text=True, check=True,
                       stdout=subprocess.DEVNULL)

    def drop(self):
        psql(self.admin, "DROP DATABASE IF EXISTS %s" % self.db)


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                           url, "-c", sql], check=True, capture_output=True, text=True).stdout


# [SECTION] Bulk rows

TEN_YEARS_MS = 3650 * DAY_MS


def entry_body(entry_id, reason, at_ms, batch, lasts_ms=1):
    """A ledger entry as the codec writes it: 1 point earned (expiring lasts_ms later) or
    expired."""
    earn = reason == "earn"
    return {"id": entry_id, "reason": reason, "automatic": not earn,
            "rule": "bench" if earn else "", "at_ms": at_ms, "amount": 1, "receipt_id": "",
            "note": "", "available_at_ms": 0, "expires_at_ms": at_ms + lasts_ms if earn else 0,
            "hold_until_ms": 0,
            "postings": [{"account": "member", "amount": 1 if earn else -1},
                         {"account": "issued" if earn else "expired",
                          "amount": -1 if earn else 1}],
            "lots": [{"batch": batch, "free": 1 if earn else -1, "held": 0}]}


def history_rows(db, length):
    """member_entries rows that bring demo-anna's history to `length` entries (at least its
    demo ones): earn + expire pairs, a ms apart, after its last entry."""
    seq, count, last = [int(v) for v in db.query(
        "SELECT MAX(seq) + 1, COUNT(*), MAX(at_ms) FROM member_entries WHERE merchant_id = "
        "'%s' AND member_id = '%s'" % (MERCHANT, MEMBER))[0]]
    at = last + 1
    for k in range(max(0, length - count) // 2):
        earn_id, expire_id = "%032x" % (0xBE0000000000 + 2 * k), "%032x" % (0xBE0000000001 + 2 * k)
        for entry_id, reason, batch in ((earn_id, "earn", earn_id), (expire_id, "expire", earn_id)):
            body = entry_body(entry_id, reason, at, batch)
            yield (MERCHANT, MEMBER, seq, entry_id, reason, at, body["postings"][0]["amount"],
                   json.dumps(body, separators=(",", ":")))
            seq += 1
            at += 1


def batch_rows(db, count):
    """member_entries rows that bring demo-anna's batches holding points to about `count`:
    earn entries of a point each, a ms apart, after her last entry, lasting ten years."""
    seq, last = [int(v) for v in db.query(
        "SELECT MAX(seq) + 1, MAX(at_ms) FROM member_entries WHERE merchant_id = '%s' AND "
        "member_id = '%s'" % (MERCHANT, MEMBER))[0]]
    for k in range(count):
        entry_id = "%032x" % (0xBA0000000000 + k)
        body = entry_body(entry_id, "earn", last + 1 + k, entry_id, TEN_YEARS_MS)
        yield (MERCHANT, MEMBER, seq + k, entry_id, "earn", last + 1 + k, 1,
               json.dumps(body, separators=(",", ":")))


def receipt_rows(count, now_ms):
    """receipts rows of demo-anna spread over the last 300 days, with texts as long as the
    server stores (a one-line receipt 158 bytes, its quote about 700)."""
    for k in range(count):
        receipt_id = "S-%08d" % k
        yield (MERCHANT, receipt_id, MEMBER, "op-" + receipt_id,
               now_ms - 300 * DAY_MS + k * (300 * DAY_MS // max(count, 1)), 25000, 12,
               json.dumps({"id": receipt_id, "lines": [{"sku": "tea", "unit_price": 25000}],
                           "filler": "x" * 90}), json.dumps({"filler": "x" * 680}), "[]")


RECEIPT_COLUMNS = ("merchant_id", "receipt_id", "member_id", "op_id", "at_ms", "paid",
                   "tier_qualifying", "receipt", "quote", "returned")


ENTRY_COLUMNS = ("merchant_id", "member_id", "seq", "entry_id", "reason", "at_ms",
                 "member_delta", "body")


# The bulk members: member i has the id bench-<10000000 + i> and the EAN-13 card 3<i in 11
# digits><check digit> (prefix 3: apart from the demo's and generated cards' prefix 2). The
# same SQL on both databases: numbers from a recursive CTE, the check digit in arithmetic.
CARD_TWELVE = "(300000000000 + i)"


def ean13(twelve):
    total = sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def bench_card(i):
    return ean13(str(300000000000 + i))


def card_sql():
    weighted = " + ".join("((%s / %d) %% 10) * %d" % (CARD_TWELVE, 10 ** (11 - k),
                                                       1 if k % 2 == 0 else 3) for k in range(12))
    return "CAST(%s AS TEXT) || CAST((10 - (%s) %% 10) %% 10 AS TEXT)" % (CARD_TWELVE, weighted)


def members_sql(count, now_ms):
    """members, cards and member_counters of `count` members enrolled over two years: what an
    import writes, plus the counters row a first receipt writes. A statement per table and
    CHUNK members (see CHUNK)."""
    member_id = "'bench-' || CAST(10000000 + i AS TEXT)"
    created = "%d - (i %% 730) * %d" % (now_ms, DAY_MS)
    out = []
    for lo in range(0, count, CHUNK):
        numbers = ("WITH RECURSIVE n(i) AS (SELECT CAST(%d AS BIGINT) UNION ALL SELECT i + 1 "
                   "FROM n WHERE i < %d) " % (lo, min(count, lo + CHUNK) - 1))
        out += [
            "INSERT INTO members (merchant_id, member_id, display_name, created_at_ms, "
            "consent_at_ms) %s SELECT '%s', %s, 'Member ' || CAST(i AS TEXT), %s, 0 FROM n;"
            % (numbers, MERCHANT, member_id, created),
            "INSERT INTO cards (merchant_id, number, member_id, created_at_ms) %s SELECT '%s', "
            "%s, %s, %s FROM n;" % (numbers, MERCHANT, card_sql(), member_id, created),
            "INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, "
            "tier_held, window_start_ms, stamps, spins) %s SELECT '%s', %s, 0, 0, '', 0, '{}', "
            "'{}' FROM n;" % (numbers, MERCHANT, member_id)]
    return out


def qr_payload(number, secret):
    """K1:<MERCHANT>:<NUMBER>:<MAC>, as shared/core/cards/card_code.cpp writes it."""
    message = "K1:%s:%s" % (MERCHANT_CODE, number)
    mac = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()[:10]
    bits = int.from_bytes(mac, "big")
    return message + ":" + "".join(CROCKFORD[(bits >> (75 - 5 * k)) & 31] for k in range(16))


# [SECTION] The server and the timed requests

class Server:
    def __init__(self, bin_dir, db_url):
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "kopilka-server"), "--db", db_url, "--port", "0",
             "--seed-demo", "--quiet", "--no-rate-limits"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError("kopilka-server did not start: %r" % line)
        url = urllib.parse.urlsplit(line.split()[-1])
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)

    def post(self, path, body, key=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = "Bearer " + key
        self.conn.request("POST", path, json.dumps(body), headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError("POST %s: %d %s" % (path, r.status, data[:300]))
        return data

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def lookup(server, qr):
    server.post("/v1/members/lookup", {"code": qr})


def receipt(server, key, card):
    op = os.urandom(16).hex()
    server.post("/v1/receipts", {"operation_id": op, "member": {"card": card}, "receipt": {
        "id": "B-" + op, "lines": [{"sku": "tea", "category": "food", "unit_price": 25000}]}},
        key)


def timed(calls):
    """Milliseconds of each call, in order."""
    times = []
    for call in calls:
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    return times


def percentile(times, p):
    ranked = sorted(times)
    return ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)]


def summary(times):
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3),
            "n": len(times)}


# [SECTION] One dimension: seed every size, serve each, time them in turns

def cli(bin_dir, *args):
    out = subprocess.run([os.path.join(bin_dir, "kopilka")] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])


class Target:
    """One size of a dimension: its database seeded, a server on it, the cards to use."""

    def __init__(self, args, db, dimension, size):
        self.db, self.dimension, self.size = db, dimension, size
        t0 = time.perf_counter()
        subprocess.run([os.path.join(args.bin, "kopilka"), "seed-demo", "--db", db.url],
                       check=True, capture_output=True)
        secret = db.query("SELECT card_secret FROM merchants WHERE merchant_id = '%s'"
                          % MERCHANT)[0][0]
        self.key = cli(args.bin, "api-key", "--db", db.url, "--merchant", MERCHANT, "--role",
                       "till")["key"]
        n = args.requests + 1  # one of each to warm up
        if dimension in ("history", "batches", "receipts"):
            if dimension == "receipts":
                db.bulk([], "receipts", RECEIPT_COLUMNS,
                        list(receipt_rows(size, int(time.time() * 1000))))
                # Receipts written behind the server's back: her tier window's running sum no
                # longer holds, so it is dropped (as in a database from before it); the warm-up
                # receipt keeps a new one.
                db.bulk(["UPDATE member_counters SET tier_sum = 0, tier_sum_from_ms = NULL "
                         "WHERE merchant_id = '%s' AND member_id = '%s';" % (MERCHANT, MEMBER)])
            else:
                rows = history_rows(db, size) if dimension == "history" else batch_rows(db, size)
                db.bulk([], "member_entries", ENTRY_COLUMNS, list(rows))
            card = db.query("SELECT number FROM cards WHERE merchant_id = '%s' AND member_id = "
                            "'%s'" % (MERCHANT, MEMBER))[0][0]
            self.lookups, self.receipts = [card] * n, [card] * n
        else:
            db.bulk(members_sql(size, int(time.time() * 1000)))
            picked = [bench_card(i) for i in random.Random(size).sample(range(size), 2 * n)]
            self.lookups, self.receipts = picked[:n], picked[n:]
        self.codes = [qr_payload(c, secret) for c in self.lookups]
        self.seed_s = time.perf_counter() - t0
        self.server, self.facts, self.lookup_ms, self.receipt_ms = None, {}, [], []

    def start(self, bin_dir):
        """The server, and one receipt and one lookup to warm it up; for history, the receipt
        is the write that stores the member's checkpoint."""
        self.server = Server(bin_dir, self.db.url)
        receipt(self.server, self.key, self.receipts.pop(0))
        lookup(self.server, self.codes.pop(0))
        if self.dimension in ("history", "batches"):
            self.facts = history_facts(self.db)

    def run(self, count):
        """The next `count` lookups, then as many receipts."""
        codes, self.codes = self.codes[:count], self.codes[count:]
        cards, self.receipts = self.receipts[:count], self.receipts[count:]
        self.lookup_ms += timed([lambda q=q: lookup(self.server, q) for q in codes])
        self.receipt_ms += timed([lambda c=c: receipt(self.server, self.key, c) for c in cards])

    def row(self):
        row = {"database": self.db.name, "dimension": self.dimension, "size": self.size,
               "seed_s": round(self.seed_s, 1), "lookup": summary(self.lookup_ms),
               "receipt": summary(self.receipt_ms), "lookup_ms": self.lookup_ms,
               "receipt_ms": self.receipt_ms}
        row.update(self.facts)
        return row


def measure(args, make_db, dimension, sizes):
    """Rows of one database and dimension. Every size is seeded and served first (servers
    started after the seeding: an idle kept-alive connection is closed after a few seconds);
    then the sizes take turns, ROUND requests each, so that what else the machine does
    meanwhile falls on all of them alike."""
    targets = []
    try:
        for size in sizes:
            targets.append(Target(args, make_db("%s_%d" % (dimension, size)), dimension, size))
            log("%s %s %d: seeded in %.1f s" % (targets[-1].db.name, dimension, size,
                                                targets[-1].seed_s))
        for t in targets:
            t.start(args.bin)
        for _ in range(0, args.requests, ROUND):
            for t in targets:
                t.run(ROUND)
        return [t.row() for t in targets]
    finally:
        for t in targets:
            if t.server:
                t.server.stop()
            t.db.drop()


def history_facts(db):
    """How many entries demo-anna has and how many her checkpoint covers (all, after a write)."""
    where = "merchant_id = '%s' AND member_id = '%s'" % (MERCHANT, MEMBER)
    entries = int(db.query("SELECT COUNT(*) FROM member_entries WHERE " + where)[0][0])
    covered = int(db.query("SELECT seq FROM member_state WHERE " + where)[0][0])
    return {"entries": entries, "checkpoint_seq": covered}


# [SECTION] The table, the note, the JSON

def ratio(row, smallest, what):
    return row[what]["p50_ms"] / smallest[what]["p50_ms"]


def table(rows):
    out = ["| database | dimension | size | lookup p50 ms | lookup p99 ms | lookup vs smallest "
           "| receipt p50 ms | receipt p99 ms | receipt vs smallest |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        smallest = next(r for r in rows if r["database"] == row["database"] and
                        r["dimension"] == row["dimension"])
        label = "%d %s" % (row["size"], {"history": "entries", "batches": "live batches",
                                         "receipts": "receipts in the tier window",
                                         "members": "members"}[row["dimension"]])
        out.append("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            row["database"], row["dimension"], label, row["lookup"]["p50_ms"],
            row["lookup"]["p99_ms"], ratio(row, smallest, "lookup"), row["receipt"]["p50_ms"],
            row["receipt"]["p99_ms"], ratio(row, smallest, "receipt")))
    return "\n".join(out)


def pg_memory(url):
    """How the PostgreSQL server holds its buffers: their size, and on what pages (huge_pages
    "on" fails to start without them, so "on" means they are used)."""
    size, huge = psql(url, "SHOW shared_buffers").strip(), psql(url, "SHOW huge_pages").strip()
    return "%s shared_buffers%s" % (size, " on 2 MB huge pages" if huge == "on" else "")


def note(args):
    load = os.getloadavg()[0]
    return (
        "Each size on a fresh database seeded with the demo merchant, then bulk rows in SQL: "
        "for *history*, one member's ledger brought to N entries (earn + expire pairs), then "
        "one receipt through the API so that her checkpoint covers them all; for *batches*, the"
        " same member given N earn entries whose points last ten years (so N batches that still"
        " hold points in her checkpoint, one more with each timed receipt); for *receipts*, the "
        "same member given N receipts in her tier window (rows as long as the server's, spread "
        "over 300 days, her tier's running sum kept anew by the warm-up receipt: every request "
        "shows her tier progress from them); for *members*, N members with "
        "an EAN-13 card and a counters row each. kopilka-server (--no-rate-limits)"
        " on each; %d member lookups (POST /v1/members/lookup with the card's QR) then %d "
        "receipts (POST /v1/receipts with a till key, a fresh operation id each), one at a time"
        " from one client on a kept-alive connection, after one of each to warm up, the sizes "
        "of a dimension served at once and taking turns of %d: for history, batches and "
        "receipts all of one member (her receipts add a few entries while timed), for members "
        "each of a different random member. p99 by nearest rank of %d; \"vs smallest\": p50 "
        "against the smallest size's on the same database. PostgreSQL 15 (tools/pg.sh: fsync "
        "off, %s; VACUUM ANALYZE after the bulk load), SQLite with "
        "WAL and synchronous=FULL; %d cores, load average %.1f at the end: differences of a "
        "millisecond are noise." % (args.requests, args.requests, ROUND, args.requests,
                                     args.pg_memory, os.cpu_count(), load))


def sizes(text):
    return [int(n) for n in text.split(",") if n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "native", "bin"))
    ap.add_argument("--pg", help="postgresql:// URL (default: a throwaway tools/pg.sh cluster)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "scale.json"))
    ap.add_argument("--requests", type=int, default=200, help="lookups and receipts per size")
    ap.add_argument("--history", type=sizes, default=[10, 1000, 100000])
    # batches: at most ledger::batches_open_max (4 096) with the timed receipts' own
    ap.add_argument("--batches", type=sizes, default=[10, 1000, 3000])
    ap.add_argument("--receipts", type=sizes, default=[10, 1000, 3000])
    ap.add_argument("--members", type=sizes, default=[1000, 100000, 1000000])
    ap.add_argument("--only", choices=["sqlite", "pg"])
    args = ap.parse_args()

    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kopilka-scale.") as work:
        pg_dir = None
        if args.only != "sqlite" and not args.pg:
            pg_dir = tempfile.mkdtemp(prefix="kopilka-pg.", dir="/tmp")
            args.pg = subprocess.run([os.path.join(ROOT, "tools", "pg.sh"), "start", pg_dir],
                                     check=True, capture_output=True, text=True).stdout.split()[-1]
        try:
            for kind in [k for k in ("sqlite", "pg") if args.only in (None, k)]:
                make_db = (lambda tag: SqliteDb(work, tag)) if kind == "sqlite" else \
                    (lambda tag: PgDb(args.pg, tag))
                rows += measure(args, make_db, "history", args.history)
                rows += measure(args, make_db, "batches", args.batches)
                rows += measure(args, make_db, "receipts", args.receipts)
                rows += measure(args, make_db, "members", args.members)
            args.pg_memory = pg_memory(args.pg) if args.pg else "not measured"
        finally:
            if pg_dir:
                subprocess.run([os.path.join(ROOT, "tools", "pg.sh"), "stop", pg_dir], check=False)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"requests": args.requests, "cores": os.cpu_count(),
                   "load_average": os.getloadavg()[0],
                   "seconds": round(time.perf_counter() - started, 1), "rows": rows}, f, indent=1)
    print(table(rows))
    print()
    print(note(args))


if __name__ == "__main__":
    main()
