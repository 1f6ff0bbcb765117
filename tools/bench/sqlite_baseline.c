/* The SQLite ceiling for receipts: the database work of one POST /v1/receipts, run by a minimal
 * C program against SQLite directly, so that tools/bench.sh can say what share of it
 * kopilka-server reaches (as pgbench_receipt.sql does for PostgreSQL). Prints one JSON line.
 *   sqlite_baseline --db FILE [--seconds S] [--threads N] [--keep-copy]
 * (defaults: 8 s, 1 thread; --keep-copy leaves FILE.baseline to look at). "transactions" in
 * the output counts receipts (each the 7 transactions below), "per_second" receipts a second.
 * Build (kept out of the product build):
 *   cc -O2 tools/bench/sqlite_baseline.c -lsqlite3 -o build/native/bin/sqlite_baseline
 *
 * FILE is a database kopilka-server created and seeded (--seed-demo, the bench's members). It
 * is never written: the program copies it (sqlite3_backup) to FILE.baseline next to it, runs
 * there and removes the copy, so the rows it writes (stored texts of the right size, not
 * ledger entries the server could restore) never reach the server's database.
 *
 * Mirrors, statement for statement (same SQL text, same literals, same transactions), what
 * kopilka-server runs for one receipt with a member's card (tools/server/api/receipts.cpp
 * post_receipt; Store methods in tools/server/storage/sql_store.cpp; transactions in
 * sqlite_store.cpp: TxMode::read = autocommit statements, TxMode::write = BEGIN IMMEDIATE …
 * COMMIT, TxMode::snapshot = BEGIN DEFERRED … ROLLBACK):
 *   1 api_keys                    auth: the till key            (SqlStore::api_key)
 *   2 merchants                   merchant_by_id
 *   3 members by card             member_by_card (one statement)
 *   4 programs                    current_program (the first version too, if none is due)
 *   5 documents kiosk/settings    active_wheel: load_kiosk_settings
 *   6 documents wheel/<wheel_id>  active_wheel: load_wheel (only when the kiosk has a wheel)
 *   7 BEGIN IMMEDIATE             member_write (with_member; no row locks on SQLite)
 *       operations by op_id, member_state with member_counters, the tier window's sum (from
 *       the counters' running sum) and the entries from the checkpoint's seq (one statement;
 *       without a checkpoint, every entry in a second), receipts by id, referrals,
 *       receipts insert, member_counters upsert (with the running sum if the program has
 *       tiers), member_entries insert (one earn entry), member_state upsert, operations insert
 *     COMMIT
 * (credit_inviter reads the member's referral again only after a receipt that qualified one,
 * which the bench's members never have; snapshot_after adds this receipt to the tier sum).
 * Verified by tracing both (sqlite3_trace_v2) for one receipt. When the server's path changes,
 * change the table above and kSql below with it.
 * Differences on purpose: statements are prepared once per connection (the server prepares
 * each one per call), and with --threads N each thread has its own connection (the server
 * serialises one connection behind a mutex). The stored texts: the request and the receipt in
 * the server's exact format; the entry and the checkpoint (member_state.body, which grows by
 * one batch per receipt; its history keeps 10 lines) and the snapshot beside it
 * (member_state.points: the sums, the soonest expiry and the same history) in the ledger
 * codec's format; the quote and the response copied from the newest receipt the server
 * answered in this database, or filler of the sizes the server stores (697 and 2040 bytes) if
 * it has answered none. Like the server, which keeps each member's decoded checkpoint under
 * the row's revision and reads the row without its body while the revision is the one it
 * wrote, this keeps each member's checkpoint text and revision. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strdup */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    API_KEY, MERCHANT, MEMBER, PROGRAM, PROGRAM_FIRST, DOCUMENT, BEGIN_IMMEDIATE, OPERATION,
    STATE, ENTRIES_FROM, RECEIPT, REFERRAL, SAVE_COUNTERS, SAVE_COUNTERS_SUM, INSERT_RECEIPT,
    INSERT_ENTRY, SAVE_STATE, INSERT_OPERATION, COMMIT, STATEMENTS
};

#define PROGRAM_SELECT                                                                         \
    "SELECT p.program_id, p.version, p.document, p.effective_from_ms, p.created_at_ms, "       \
    "COALESCE(a.actor_kind, ''), COALESCE(a.actor_id, ''), COALESCE(a.actor_label, '') "       \
    "FROM programs p LEFT JOIN document_authors a ON a.merchant_id = p.merchant_id AND "       \
    "a.kind = 'program' AND a.doc_id = 'program' AND a.version = p.version "                   \
    "WHERE p.merchant_id = $1 "

/* The server's SQL text, byte for byte (so the same plans). */
static const char* const kSql[STATEMENTS] = {
    [API_KEY] = "SELECT merchant_id, role, salt_hex, secret_hash_hex, revoked_at_ms FROM "
                "api_keys WHERE key_id = $1",
    [MERCHANT] = "SELECT merchant_id, code, name, currency, card_secret FROM merchants WHERE "
                 "merchant_id = $1",
    [MEMBER] = "SELECT m.member_id, m.display_name, COALESCE((SELECT number FROM cards c WHERE "
               "c.merchant_id = m.merchant_id AND c.member_id = m.member_id ORDER BY "
               "c.created_at_ms, c.number LIMIT 1), ''), m.phone, m.email, m.birthday, "
               "m.consent_at_ms, m.created_at_ms, m.erased_at_ms, COALESCE((SELECT v.version "
               "FROM row_versions v WHERE v.merchant_id = m.merchant_id AND v.kind = 'member' AND "
               "v.row_id = m.member_id), 1) FROM members m WHERE m.merchant_id = $1 AND "
               "m.member_id = (SELECT c.member_id FROM cards c WHERE c.merchant_id = $1 AND "
               "c.number = $2)",
    [PROGRAM] = PROGRAM_SELECT "AND p.effective_from_ms <= $2 "
                               "ORDER BY p.effective_from_ms DESC, p.version DESC LIMIT 1",
    [PROGRAM_FIRST] = PROGRAM_SELECT "ORDER BY p.effective_from_ms, p.version LIMIT 1",
    [DOCUMENT] = "SELECT doc_id, version, document, updated_at_ms FROM documents WHERE "
                 "merchant_id = $1 AND kind = $2 AND doc_id = $3 ORDER BY version DESC LIMIT 1",
    [BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [OPERATION] = "SELECT kind, member_id, request, status, response, at_ms FROM operations "
                  "WHERE merchant_id = $1 AND op_id = $2",
    [STATE] = "SELECT 0, s.seq, s.version, CASE WHEN (s.points_from_ms <= CAST($4 AS BIGINT) "
              "AND CAST($4 AS BIGINT) < s.points_until_ms) OR s.rev = CAST($5 AS BIGINT) THEN "
              "NULL ELSE s.body END, "
              "c.spend_total, c.last_purchase_ms, "
              "c.tier_held, c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL "
              "THEN 0 ELSE 1 END, CASE WHEN CAST($3 AS BIGINT) < 0 THEN 0 WHEN "
              "c.tier_sum_from_ms IS NULL THEN (SELECT CAST(COALESCE(SUM(r.tier_qualifying), 0) "
              "AS BIGINT) FROM (SELECT r.tier_qualifying FROM receipts r WHERE r.merchant_id = "
              "$1 AND r.member_id = $2 AND r.at_ms >= CAST($3 AS BIGINT) ORDER BY r.at_ms) r) "
              "ELSE c.tier_sum + (SELECT "
              "CAST(COALESCE(SUM(CASE WHEN r.at_ms >= CAST($3 AS BIGINT) THEN r.tier_qualifying "
              "ELSE -r.tier_qualifying END), 0) AS BIGINT) FROM (SELECT r.at_ms, "
              "r.tier_qualifying FROM receipts r WHERE r.merchant_id = "
              "$1 AND r.member_id = $2 AND r.at_ms >= CASE WHEN CAST($3 AS BIGINT) < "
              "c.tier_sum_from_ms THEN CAST($3 AS BIGINT) ELSE c.tier_sum_from_ms END AND "
              "r.at_ms < CASE WHEN CAST($3 AS BIGINT) < c.tier_sum_from_ms THEN "
              "c.tier_sum_from_ms ELSE CAST($3 AS BIGINT) END ORDER BY r.at_ms) r) END, "
              "s.points, s.points_from_ms, s.points_until_ms, s.rev "
              "FROM (SELECT 1 AS one) k LEFT JOIN member_state s ON s.merchant_id = $1 AND "
              "s.member_id = $2 LEFT JOIN member_counters c ON c.merchant_id = $1 AND "
              "c.member_id = $2 UNION ALL SELECT 1, e.seq, NULL, e.body, NULL, NULL, NULL, NULL, "
              "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (SELECT e.seq, e.body FROM "
              "member_entries e WHERE e.merchant_id = $1 AND "
              "e.member_id = $2 AND e.seq >= (SELECT x.seq FROM member_state x WHERE "
              "x.merchant_id = $1 AND x.member_id = $2) AND e.seq < (SELECT x.seq FROM "
              "member_state x WHERE x.merchant_id = $1 AND x.member_id = $2) + "
              "4611686018427387904 ORDER BY e.seq) e ORDER BY 1, 2",
    [ENTRIES_FROM] = "SELECT body FROM member_entries WHERE merchant_id = $1 AND member_id = $2 "
                     "AND seq >= $3 ORDER BY seq",
    [RECEIPT] = "SELECT receipt_id, member_id, op_id, at_ms, paid, tier_qualifying, receipt, "
                "quote, returned FROM receipts WHERE merchant_id = $1 AND receipt_id = $2",
    [REFERRAL] = "SELECT inviter_id, created_at_ms, qualified_at_ms, qualified_op FROM "
                 "referrals WHERE merchant_id = $1 AND member_id = $2",
    [SAVE_COUNTERS] =
        "INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, "
        "tier_held, window_start_ms, stamps, spins) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (merchant_id, member_id) DO UPDATE SET spend_total = excluded.spend_total, "
        "last_purchase_ms = excluded.last_purchase_ms, tier_held = excluded.tier_held, "
        "window_start_ms = excluded.window_start_ms, stamps = excluded.stamps, spins = "
        "excluded.spins",
    [SAVE_COUNTERS_SUM] =
        "INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, "
        "tier_held, window_start_ms, stamps, spins, tier_sum, tier_sum_from_ms) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (merchant_id, member_id) DO UPDATE SET "
        "spend_total = excluded.spend_total, last_purchase_ms = excluded.last_purchase_ms, "
        "tier_held = excluded.tier_held, window_start_ms = excluded.window_start_ms, stamps = "
        "excluded.stamps, spins = excluded.spins, tier_sum = excluded.tier_sum, "
        "tier_sum_from_ms = excluded.tier_sum_from_ms",
    [INSERT_RECEIPT] = "INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, "
                       "paid, tier_qualifying, receipt, quote, returned) VALUES ($1, $2, $3, $4, "
                       "$5, $6, $7, $8, $9, $10)",
    [INSERT_ENTRY] = "INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, "
                     "at_ms, member_delta, body, history_no) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                     "$8, CAST($9 AS BIGINT) + COALESCE((SELECT p.history_no FROM member_entries "
                     "p WHERE p.merchant_id = $1 AND p.member_id = $2 AND p.seq = CAST($3 AS "
                     "BIGINT) - 1), 0))",
    [SAVE_STATE] = "INSERT INTO member_state (merchant_id, member_id, seq, version, body, "
                   "points, points_from_ms, points_until_ms, rev) VALUES ($1, $2, $3, $4, $5, "
                   "$6, $7, $8, $9) ON CONFLICT (merchant_id, member_id) DO UPDATE SET seq = "
                   "excluded.seq, version = excluded.version, body = excluded.body, points = "
                   "excluded.points, points_from_ms = excluded.points_from_ms, points_until_ms = "
                   "excluded.points_until_ms, rev = excluded.rev",
    [INSERT_OPERATION] = "INSERT INTO operations (merchant_id, op_id, kind, member_id, request, "
                         "status, response, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    [COMMIT] = "COMMIT",
};

static const int64_t day_ms = 86400000;
static const int64_t paid = 25000;  /* receipt.lua's one line */
static const int64_t points = 12;   /* what the demo program gives for it */
static const int history_max = 10;  /* ledger::checkpoint_history_max */
/* A member's first checkpoint, in the ledger codec's format, before its batch and line. */
static const char* const kFirstState =
    "{\"balances\":{\"adjustments\":0,\"clawed_back\":0,\"expired\":0,\"issued\":-12,"
    "\"member\":12,\"redeemed\":0,\"refunded\":0,\"reserved\":0},\"batches\":[],"
    "\"entries\":1,\"history\":[],\"last_at_ms\":1796443813022,\"operations\":1,"
    "\"reservations\":[]}";

/* What every thread shares, read once from the database. */
struct Setup {
    char copy[4096];
    char key_id[64], merchant[64], wheel_id[128];
    int64_t window_days; /* 0: the program has no tiers */
    char** cards;        /* one card per member, round robin */
    char** members;
    int n_members;
    /* Each member's checkpoint text as last written and its revision (0: none), as the server
     * keeps the decoded checkpoints (checkpoint_cache.hpp): the read leaves the body out when
     * the row still has that revision. Under kept_lock. */
    char** kept_body;
    int64_t* kept_rev;
    pthread_mutex_t kept_lock;
    char* quote;
    char* response;
    int threads, keep_copy;
    double seconds;
    int64_t start_ms;
};
static struct Setup g;
static int64_t next_member; /* atomic */

static void die(sqlite3* db, const char* what) {
    fprintf(stderr, "sqlite_baseline: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(1);
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static double mono_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static char* dup_text(const unsigned char* p) { return strdup(p ? (const char*)p : ""); }

static void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(db, sql);
}

/* The first column of the first row of sql (bound with text parameters), or NULL. */
static char* query_text(sqlite3* db, const char* sql, const char* p1, const char* p2) {
    sqlite3_stmt* s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) die(db, sql);
    if (p1) sqlite3_bind_text(s, 1, p1, -1, SQLITE_TRANSIENT);
    if (p2) sqlite3_bind_text(s, 2, p2, -1, SQLITE_TRANSIENT);
    char* out = NULL;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) out = dup_text(sqlite3_column_text(s, 0));
    else if (rc != SQLITE_DONE) die(db, sql);
    sqlite3_finalize(s);
    return out;
}

/* A JSON object {"filler":"x…x"}, its string all x, exactly `bytes` bytes long (bytes >= 13). */
static char* filler(size_t bytes) {
    char* out = malloc(bytes + 1);
    memset(out, 'x', bytes);
    memcpy(out, "{\"filler\":\"", 11);
    memcpy(out + bytes - 2, "\"}", 3);
    return out;
}

/* The server's database copied to g.copy, so that it is never written. */
static void copy_database(const char* path) {
    snprintf(g.copy, sizeof g.copy, "%s.baseline", path);
    char extra[4200];
    unlink(g.copy);
    snprintf(extra, sizeof extra, "%s-wal", g.copy), unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", g.copy), unlink(extra);
    sqlite3 *from, *to;
    if (sqlite3_open_v2(path, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die(from, path);
    if (sqlite3_open(g.copy, &to) != SQLITE_OK) die(to, g.copy);
    sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) die(to, "copying the database");
    sqlite3_backup_finish(b);
    sqlite3_close(from);
    sqlite3_close(to);
}

static void remove_copy(void) {
    char extra[4200];
    unlink(g.copy);
    snprintf(extra, sizeof extra, "%s-wal", g.copy), unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", g.copy), unlink(extra);
}

/* The number after "key": in json, or fallback. */
static int64_t json_number(const char* json, const char* key, int64_t fallback) {
    const char* at = json ? strstr(json, key) : NULL;
    if (!at) return fallback;
    at += strlen(key);
    while (*at == ' ' || *at == ':') ++at;
    return strtoll(at, NULL, 10);
}

/* The string after "key": in json into out ("" if none). */
static void json_string(const char* json, const char* key, char* out, size_t size) {
    out[0] = 0;
    const char* at = json ? strstr(json, key) : NULL;
    if (!at) return;
    at = strchr(at + strlen(key), '"');
    if (!at) return;
    const char* end = strchr(at + 1, '"');
    if (!end || (size_t)(end - at) > size) return;
    memcpy(out, at + 1, (size_t)(end - at - 1));
    out[end - at - 1] = 0;
}

static void read_setup(void) {
    sqlite3* db;
    if (sqlite3_open(g.copy, &db) != SQLITE_OK) die(db, g.copy);
    char* key = query_text(db, "SELECT key_id FROM api_keys WHERE role = 'till' AND "
                               "revoked_at_ms = 0 ORDER BY created_at_ms LIMIT 1", NULL, NULL);
    if (!key) die(NULL, "no till API key (kopilka api-key --role till)");
    snprintf(g.key_id, sizeof g.key_id, "%s", key);
    char* merchant = query_text(db, "SELECT merchant_id FROM api_keys WHERE key_id = $1", key,
                                NULL);
    snprintf(g.merchant, sizeof g.merchant, "%s", merchant);
    char* kiosk = query_text(db, "SELECT document FROM documents WHERE merchant_id = $1 AND "
                                 "kind = 'kiosk' AND doc_id = 'settings' ORDER BY version DESC",
                             merchant, NULL);
    json_string(kiosk, "\"wheel_id\"", g.wheel_id, sizeof g.wheel_id);
    char* program = query_text(db, "SELECT document FROM programs WHERE merchant_id = $1 "
                                   "ORDER BY effective_from_ms DESC, version DESC", merchant, NULL);
    if (program && strstr(program, "\"tiers\""))
        g.window_days = json_number(program, "\"window_days\"", 365);
    /* The newest receipt the server answered: its quote and its operation's response. */
    char* op = query_text(db, "SELECT op_id FROM operations WHERE merchant_id = $1 AND "
                              "kind = 'receipt' AND status = 201 ORDER BY at_ms DESC", merchant,
                          NULL);
    if (op) {
        g.quote = query_text(db, "SELECT quote FROM receipts WHERE merchant_id = $1 AND "
                                 "op_id = $2", merchant, op);
        g.response = query_text(db, "SELECT response FROM operations WHERE merchant_id = $1 AND "
                                    "op_id = $2", merchant, op);
    }
    if (!g.quote) g.quote = filler(697);
    if (!g.response) g.response = filler(2040);
    sqlite3_stmt* s;
    const char* sql = "SELECT MIN(c.number), c.member_id FROM cards c JOIN members m ON "
                      "m.merchant_id = c.merchant_id AND m.member_id = c.member_id WHERE "
                      "c.merchant_id = $1 AND m.erased_at_ms = 0 GROUP BY c.member_id "
                      "ORDER BY c.member_id";
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) die(db, sql);
    sqlite3_bind_text(s, 1, merchant, -1, SQLITE_TRANSIENT);
    int cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (g.n_members == cap) {
            cap = cap ? cap * 2 : 64;
            g.cards = realloc(g.cards, sizeof(char*) * (size_t)cap);
            g.members = realloc(g.members, sizeof(char*) * (size_t)cap);
        }
        g.cards[g.n_members] = dup_text(sqlite3_column_text(s, 0));
        g.members[g.n_members++] = dup_text(sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
    if (g.n_members == 0) die(NULL, "no member with a card");
    g.kept_body = calloc((size_t)g.n_members, sizeof(char*));
    g.kept_rev = calloc((size_t)g.n_members, sizeof(int64_t));
    if (!g.kept_body || !g.kept_rev) die(NULL, "out of memory");
    pthread_mutex_init(&g.kept_lock, NULL);
    free(key), free(merchant), free(kiosk), free(program), free(op);
    sqlite3_close(db);
}

/* [SECTION] The checkpoint's growth: one batch per receipt, history up to history_max lines */

/* Where the array "key":[ … ] of body starts (after '[') and ends (at ']'); items hold no
 * arrays. */
static int array_span(const char* body, const char* key, size_t* from, size_t* to) {
    const char* at = strstr(body, key);
    if (!at) return 0;
    const char* open = strchr(at, '[');
    const char* close = open ? strchr(open, ']') : NULL;
    if (!close) return 0;
    *from = (size_t)(open + 1 - body);
    *to = (size_t)(close - body);
    return 1;
}

/* body with item put first in the array key (and, with keep_max > 0, the array cut to
 * keep_max items; with replace, instead of its items). */
static char* with_item(const char* body, const char* key, const char* item, int keep_max,
                       int replace) {
    size_t from, to;
    if (!array_span(body, key, &from, &to)) return strdup(body);
    size_t tail = to; /* the kept items end here */
    int items = 0;
    for (size_t i = from; i < to; ++i) items += body[i] == '{';
    if (replace) tail = from;
    else if (keep_max > 0 && items >= keep_max) { /* drop the last item and its comma */
        while (tail > from && body[tail] != '{') --tail;
        if (tail > from) --tail;
    }
    const size_t n = strlen(body), add = strlen(item);
    char* out = malloc(n + add + 2);
    memcpy(out, body, from);
    size_t at = from;
    memcpy(out + at, item, add), at += add;
    if (tail > from) out[at++] = ',';
    memcpy(out + at, body + from, tail - from), at += tail - from;
    memcpy(out + at, body + to, n - to + 1);
    return out;
}

/* [SECTION] One receipt */

struct Thread {
    int no;
    sqlite3* db;
    sqlite3_stmt* st[STATEMENTS];
    int64_t receipts;
    char* body;   /* member_state.body being built */
    uint64_t rng; /* xorshift64 state for the checkpoints' revisions */
};

static void bind_text(sqlite3_stmt* s, int at, const char* text) {
    sqlite3_bind_text(s, at, text, -1, SQLITE_STATIC);
}

/* Runs statement `which` (bound already), reset afterwards; returns its rows. With row, the
 * first row's columns stay readable until the next call on it: it is reset on entry. */
static int run(struct Thread* t, int which) {
    sqlite3_stmt* s = t->st[which];
    int rows = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) ++rows;
    if (rc != SQLITE_DONE) die(t->db, kSql[which]);
    sqlite3_reset(s);
    return rows;
}

/* Like run, but leaves the statement on its first row (the caller reads it, then resets). */
static int first_row(struct Thread* t, int which) {
    const int rc = sqlite3_step(t->st[which]);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) die(t->db, kSql[which]);
    return rc == SQLITE_ROW;
}

static void read_only(struct Thread* t, const char* card, int64_t now) {
    sqlite3_stmt** st = t->st;
    bind_text(st[API_KEY], 1, g.key_id), run(t, API_KEY);
    bind_text(st[MERCHANT], 1, g.merchant), run(t, MERCHANT);
    bind_text(st[MEMBER], 1, g.merchant), bind_text(st[MEMBER], 2, card), run(t, MEMBER);
    bind_text(st[PROGRAM], 1, g.merchant), sqlite3_bind_int64(st[PROGRAM], 2, now);
    if (run(t, PROGRAM) == 0) bind_text(st[PROGRAM_FIRST], 1, g.merchant), run(t, PROGRAM_FIRST);
    bind_text(st[DOCUMENT], 1, g.merchant), bind_text(st[DOCUMENT], 2, "kiosk");
    bind_text(st[DOCUMENT], 3, "settings"), run(t, DOCUMENT);
    if (g.wheel_id[0]) {
        bind_text(st[DOCUMENT], 2, "wheel"), bind_text(st[DOCUMENT], 3, g.wheel_id);
        run(t, DOCUMENT);
    }
}

/* The member write: transaction 7. */
static void member_write(struct Thread* t, int64_t k, int64_t now) {
    const char *member = g.members[k], *card = g.cards[k];
    sqlite3_stmt** st = t->st;
    char op[33], entry_id[33], receipt_id[40], receipt[256], request[512], batch[320],
        line[256], entry[640];
    snprintf(op, sizeof op, "%04x%012llx%016llx", t->no, (unsigned long long)g.start_ms,
             (unsigned long long)t->receipts);
    snprintf(entry_id, sizeof entry_id, "%04x%012llx%016llx", t->no | 0x8000,
             (unsigned long long)g.start_ms, (unsigned long long)t->receipts);
    snprintf(receipt_id, sizeof receipt_id, "B-%s", op);
    const int64_t expires = now + 365 * day_ms;
    run(t, BEGIN_IMMEDIATE);
    bind_text(st[OPERATION], 1, g.merchant), bind_text(st[OPERATION], 2, op);
    run(t, OPERATION);
    /* The checkpoint with the counters (read and written back with this receipt counted),
     * and the entries after it, in one statement. */
    sqlite3_stmt* c = st[STATE];
    const int64_t window_from = g.window_days ? now - g.window_days * day_ms : -1;
    bind_text(c, 1, g.merchant), bind_text(c, 2, member), sqlite3_bind_int64(c, 3, window_from);
    sqlite3_bind_int64(c, 4, -1);
    pthread_mutex_lock(&g.kept_lock);
    const int64_t kept_rev = g.kept_rev[k];
    char* kept_body = kept_rev ? strdup(g.kept_body[k]) : NULL;
    pthread_mutex_unlock(&g.kept_lock);
    sqlite3_bind_int64(c, 5, kept_rev ? kept_rev : -1);
    int64_t seq = 0, spend = 0, last = 0, window_start = 0;
    char tier[64] = "", stamps[256] = "{}", spins[256] = "{}";
    free(t->body);
    t->body = NULL;
    if (!first_row(t, STATE)) die(t->db, kSql[STATE]);
    if (sqlite3_column_type(c, 1) != SQLITE_NULL) {
        seq = sqlite3_column_int64(c, 1);
        const int kept = sqlite3_column_type(c, 3) == SQLITE_NULL && kept_rev &&
                         sqlite3_column_int64(c, 15) == kept_rev;
        t->body = kept ? kept_body : dup_text(sqlite3_column_text(c, 3));
        if (kept) kept_body = NULL;
    }
    free(kept_body);
    if (sqlite3_column_int64(c, 10) != 0) {
        spend = sqlite3_column_int64(c, 4), last = sqlite3_column_int64(c, 5);
        snprintf(tier, sizeof tier, "%s", (const char*)sqlite3_column_text(c, 6));
        window_start = sqlite3_column_int64(c, 7);
        snprintf(stamps, sizeof stamps, "%s", (const char*)sqlite3_column_text(c, 8));
        snprintf(spins, sizeof spins, "%s", (const char*)sqlite3_column_text(c, 9));
    }
    const int64_t tier_sum = sqlite3_column_int64(c, 11);
    const int checkpointed = t->body != NULL;
    int rc;
    while ((rc = sqlite3_step(c)) == SQLITE_ROW) ++seq;
    if (rc != SQLITE_DONE) die(t->db, kSql[STATE]);
    sqlite3_reset(c);
    if (!checkpointed) { /* no checkpoint yet: the server restores from every entry */
        bind_text(st[ENTRIES_FROM], 1, g.merchant), bind_text(st[ENTRIES_FROM], 2, member);
        sqlite3_bind_int64(st[ENTRIES_FROM], 3, 0);
        seq = run(t, ENTRIES_FROM);
    }
    bind_text(st[RECEIPT], 1, g.merchant), bind_text(st[RECEIPT], 2, receipt_id);
    run(t, RECEIPT);
    bind_text(st[REFERRAL], 1, g.merchant), bind_text(st[REFERRAL], 2, member);
    run(t, REFERRAL);
    /* The receipt, as the server stores receipt.lua's body. */
    snprintf(receipt, sizeof receipt,
             "{\"at_ms\":%lld,\"id\":\"%s\",\"lines\":[{\"category\":\"food\",\"discounted\":"
             "false,\"quantity\":1,\"sku\":\"tea\",\"unit_price\":25000}]}",
             (long long)now, receipt_id);
    sqlite3_stmt* s = st[INSERT_RECEIPT];
    bind_text(s, 1, g.merchant), bind_text(s, 2, receipt_id), bind_text(s, 3, member);
    bind_text(s, 4, op), sqlite3_bind_int64(s, 5, now), sqlite3_bind_int64(s, 6, paid);
    sqlite3_bind_int64(s, 7, points), bind_text(s, 8, receipt), bind_text(s, 9, g.quote);
    bind_text(s, 10, "[]");
    run(t, INSERT_RECEIPT);
    /* The counters after it, with the tier's running sum when the program has tiers. */
    s = st[g.window_days ? SAVE_COUNTERS_SUM : SAVE_COUNTERS];
    bind_text(s, 1, g.merchant), bind_text(s, 2, member);
    sqlite3_bind_int64(s, 3, spend + paid), sqlite3_bind_int64(s, 4, now > last ? now : last);
    bind_text(s, 5, tier[0] ? tier : "base"), sqlite3_bind_int64(s, 6, window_start);
    bind_text(s, 7, stamps), bind_text(s, 8, spins);
    if (g.window_days)
        sqlite3_bind_int64(s, 9, tier_sum + points), sqlite3_bind_int64(s, 10, window_from);
    run(t, g.window_days ? SAVE_COUNTERS_SUM : SAVE_COUNTERS);
    /* One earn entry, in the ledger codec's format. */
    snprintf(entry, sizeof entry,
             "{\"amount\":%lld,\"at_ms\":%lld,\"automatic\":false,\"available_at_ms\":0,"
             "\"expires_at_ms\":%lld,\"hold_until_ms\":0,\"id\":\"%s\",\"lots\":[{\"batch\":"
             "\"%s\",\"free\":%lld,\"held\":0}],\"note\":\"\",\"postings\":[{\"account\":"
             "\"member\",\"amount\":%lld},{\"account\":\"issued\",\"amount\":-%lld}],"
             "\"reason\":\"earn\",\"receipt_id\":\"%s\",\"rule\":\"bonus\"}",
             (long long)points, (long long)now, (long long)expires, entry_id, entry_id,
             (long long)points, (long long)points, (long long)points, receipt_id);
    s = st[INSERT_ENTRY];
    bind_text(s, 1, g.merchant), bind_text(s, 2, member), sqlite3_bind_int64(s, 3, seq);
    bind_text(s, 4, entry_id), bind_text(s, 5, "earn"), sqlite3_bind_int64(s, 6, now);
    sqlite3_bind_int64(s, 7, points), bind_text(s, 8, entry), sqlite3_bind_int64(s, 9, 1);
    run(t, INSERT_ENTRY);
    /* The checkpoint after it: one batch more, the entry first in the history. */
    snprintf(batch, sizeof batch, "[\"%s\",\"earn\",\"%s\",%lld,%lld,0,%lld,%lld,false]",
             entry_id, receipt_id, (long long)points, (long long)points, (long long)now,
             (long long)expires);
    snprintf(line, sizeof line,
             "{\"at_ms\":%lld,\"automatic\":false,\"balance_delta\":%lld,\"id\":\"%s\","
             "\"points\":%lld,\"reason\":\"earn\",\"rule\":\"bonus\"}",
             (long long)now, (long long)points, entry_id, (long long)points);
    const int fresh = t->body == NULL;
    char* grown = with_item(fresh ? kFirstState : t->body, "\"batches\"", batch, 0, fresh);
    char* body = with_item(grown, "\"history\"", line, history_max, fresh);
    free(grown);
    /* The snapshot stored beside it: the sums, the soonest expiry and the same history. */
    const char* history = strstr(body, "\"history\":");
    const char* history_end = history ? strchr(history, ']') : NULL;
    if (!history_end) die(t->db, "the checkpoint has no history");
    char* points_text = malloc((size_t)(history_end - history) + 512);
    if (!points_text) die(t->db, "out of memory");
    sprintf(points_text,
            "{\"available\":%lld,\"balance\":%lld,\"debt\":0,\"earned_lifetime\":%lld,"
            "\"expired_lifetime\":0,\"expiring\":[{\"expires_at_ms\":%lld,\"pending\":false,"
            "\"points\":%lld}],%.*s],\"pending\":0,\"redeemed_lifetime\":0,\"reserved\":0}",
            (long long)(spend / 100), (long long)(spend / 100), (long long)(spend / 100),
            (long long)expires, (long long)points, (int)(history_end - history), history);
    s = st[SAVE_STATE];
    bind_text(s, 1, g.merchant), bind_text(s, 2, member), sqlite3_bind_int64(s, 3, seq + 1);
    sqlite3_bind_int64(s, 4, 1), bind_text(s, 5, body), bind_text(s, 6, points_text);
    sqlite3_bind_int64(s, 7, now), sqlite3_bind_int64(s, 8, expires);
    /* A fresh random positive revision, as SqlMemberTx::save_checkpoint writes. */
    t->rng ^= t->rng << 13, t->rng ^= t->rng >> 7, t->rng ^= t->rng << 17;
    const int64_t rev = (int64_t)(t->rng >> 1) | 1;
    sqlite3_bind_int64(s, 9, rev);
    run(t, SAVE_STATE);
    free(points_text);
    /* The operation, with the request as the server stores it and the answer. */
    snprintf(request, sizeof request,
             "{\"member\":{\"card\":\"%s\"},\"operation_id\":\"%s\",\"receipt\":{\"id\":\"%s\","
             "\"lines\":[{\"category\":\"food\",\"sku\":\"tea\",\"unit_price\":25000}]}}",
             card, op, receipt_id);
    s = st[INSERT_OPERATION];
    bind_text(s, 1, g.merchant), bind_text(s, 2, op), bind_text(s, 3, "receipt");
    bind_text(s, 4, member), bind_text(s, 5, request), sqlite3_bind_int64(s, 6, 201);
    bind_text(s, 7, g.response), sqlite3_bind_int64(s, 8, now);
    run(t, INSERT_OPERATION);
    run(t, COMMIT);
    pthread_mutex_lock(&g.kept_lock);
    free(g.kept_body[k]);
    g.kept_body[k] = body, g.kept_rev[k] = rev;
    pthread_mutex_unlock(&g.kept_lock);
}

static void one_receipt(struct Thread* t) {
    const int64_t k = __atomic_fetch_add(&next_member, 1, __ATOMIC_RELAXED) % g.n_members;
    const int64_t now = now_ms();
    read_only(t, g.cards[k], now);
    member_write(t, k, now);
    ++t->receipts;
}

/* A connection as sqlite_store.cpp opens it. */
static void open_connection(struct Thread* t) {
    const int mode = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(g.copy, &t->db, mode, NULL) != SQLITE_OK) die(t->db, g.copy);
    sqlite3_busy_timeout(t->db, 5000);
    exec(t->db, "PRAGMA journal_mode=WAL");
    exec(t->db, "PRAGMA synchronous=FULL");
    exec(t->db, "PRAGMA foreign_keys=ON");
    for (int i = 0; i < STATEMENTS; ++i)
        if (sqlite3_prepare_v3(t->db, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &t->st[i], NULL) !=
            SQLITE_OK)
            die(t->db, kSql[i]);
}

static double deadline;

static void* thread_main(void* arg) {
    struct Thread* t = arg;
    while (mono_s() < deadline) one_receipt(t);
    return NULL;
}

int main(int argc, char** argv) {
    const char* path = NULL;
    g.threads = 1;
    g.seconds = 8;
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--keep-copy")) g.keep_copy = 1, --i;
        else if (i + 1 == argc) path = NULL;
        else if (!strcmp(argv[i], "--db")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds")) g.seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) g.threads = atoi(argv[i + 1]);
        else path = NULL, i = argc;
    }
    if (!path || g.threads < 1 || g.seconds <= 0) {
        fprintf(stderr, "usage: sqlite_baseline --db FILE [--seconds S] [--threads N] "
                        "[--keep-copy]\n");
        return 2;
    }
    g.start_ms = now_ms();
    copy_database(path);
    read_setup();
    struct Thread* threads = calloc((size_t)g.threads, sizeof *threads);
    for (int i = 0; i < g.threads; ++i) {
        threads[i].no = i;
        threads[i].rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(g.start_ms + i + 1);
        open_connection(&threads[i]);
    }
    pthread_t* ids = calloc((size_t)g.threads, sizeof *ids);
    const double start = mono_s();
    deadline = start + g.seconds;
    for (int i = 0; i < g.threads; ++i) pthread_create(&ids[i], NULL, thread_main, &threads[i]);
    int64_t total = 0;
    for (int i = 0; i < g.threads; ++i) pthread_join(ids[i], NULL), total += threads[i].receipts;
    const double elapsed = mono_s() - start;
    for (int i = 0; i < g.threads; ++i) {
        for (int k = 0; k < STATEMENTS; ++k) sqlite3_finalize(threads[i].st[k]);
        sqlite3_close(threads[i].db);
    }
    if (!g.keep_copy) remove_copy();
    printf("{\"per_second\":%.1f,\"transactions\":%lld,\"seconds\":%.3f}\n", total / elapsed,
           (long long)total, elapsed);
    return 0;
}
