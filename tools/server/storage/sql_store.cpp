#include "storage/sql_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "codec/ledger_json.hpp"
#include "core/time.hpp"

namespace kopilka::server {

namespace {

// [SECTION] Schema: the migrations and the baseline
//
// Each migration runs once, in order, in the transaction that records it; never change what
// a shipped one runs. A table is written once below, as the migration that made it created
// it; the baseline (a fresh database, in one step) is the same tables as the migrations
// leave them, so the two can't drift apart. {int} is the dialect's integer type.

const std::string kMerchants = R"sql(
    CREATE TABLE merchants (
        merchant_id   TEXT NOT NULL PRIMARY KEY,
        code          TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        currency      TEXT NOT NULL,
        card_secret   TEXT NOT NULL,
        created_at_ms {int} NOT NULL
    );
    CREATE TABLE programs (
        merchant_id   TEXT NOT NULL,
        program_id    TEXT NOT NULL,
        version       {int} NOT NULL,
        document      TEXT NOT NULL,
        created_at_ms {int} NOT NULL,
        PRIMARY KEY (merchant_id, program_id, version)
    );
)sql";
// Members and member_counters as created; migration 4 adds columns at their ends.
const std::string kMembersColumns = R"sql(
    CREATE TABLE members (
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        display_name  TEXT NOT NULL,
        created_at_ms {int} NOT NULL,
)sql";
const std::string kMembersKey = R"sql(
        PRIMARY KEY (merchant_id, member_id)
    );
)sql";
const std::string kCards = R"sql(
    CREATE TABLE cards (
        merchant_id   TEXT NOT NULL,
        number        TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        created_at_ms {int} NOT NULL,
        PRIMARY KEY (merchant_id, number)
    );
)sql";
// 1's ledger tables held only demo data; 2 drops them.
const std::string kFirstLedger = R"sql(
    CREATE TABLE ledger_entries (
        merchant_id   TEXT NOT NULL,
        entry_id      TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        reason        TEXT NOT NULL,
        rule          TEXT NOT NULL,
        created_at_ms {int} NOT NULL,
        PRIMARY KEY (merchant_id, entry_id)
    );
    CREATE INDEX ledger_entries_member ON ledger_entries (merchant_id, member_id, created_at_ms);
    CREATE TABLE ledger_postings (
        merchant_id   TEXT NOT NULL,
        entry_id      TEXT NOT NULL,
        account       TEXT NOT NULL,
        amount        {int} NOT NULL,
        PRIMARY KEY (merchant_id, entry_id, account)
    );
    CREATE INDEX ledger_postings_account ON ledger_postings (merchant_id, account);
)sql";
const std::string kMemberEntries = R"sql(
    CREATE TABLE member_entries (
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        seq           {int} NOT NULL,
        entry_id      TEXT NOT NULL,
        reason        TEXT NOT NULL,
        at_ms         {int} NOT NULL,
        member_delta  {int} NOT NULL,
        body          TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id, seq)
    );
    CREATE UNIQUE INDEX member_entries_id ON member_entries (merchant_id, member_id, entry_id);
)sql";
const std::string kCountersColumns = R"sql(
    CREATE TABLE member_counters (
        merchant_id      TEXT NOT NULL,
        member_id        TEXT NOT NULL,
        spend_total      {int} NOT NULL,
        last_purchase_ms {int} NOT NULL,
        tier_held        TEXT NOT NULL,
        window_start_ms  {int} NOT NULL,
        stamps           TEXT NOT NULL,
)sql";
const std::string kOperationsReceipts = R"sql(
    CREATE TABLE operations (
        merchant_id   TEXT NOT NULL,
        op_id         TEXT NOT NULL,
        kind          TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        request       TEXT NOT NULL,
        status        {int} NOT NULL,
        response      TEXT NOT NULL,
        at_ms         {int} NOT NULL,
        PRIMARY KEY (merchant_id, op_id)
    );
    CREATE TABLE receipts (
        merchant_id     TEXT NOT NULL,
        receipt_id      TEXT NOT NULL,
        member_id       TEXT NOT NULL,
        op_id           TEXT NOT NULL,
        at_ms           {int} NOT NULL,
        paid            {int} NOT NULL,
        tier_qualifying {int} NOT NULL,
        receipt         TEXT NOT NULL,
        quote           TEXT NOT NULL,
        returned        TEXT NOT NULL,
        PRIMARY KEY (merchant_id, receipt_id)
    );
    CREATE INDEX receipts_member ON receipts (merchant_id, member_id, at_ms);
)sql";
// Merchant API keys (salted hashes; the key id is unique across merchants).
const std::string kApiKeys = R"sql(
    CREATE TABLE api_keys (
        merchant_id     TEXT NOT NULL,
        key_id          TEXT NOT NULL,
        role            TEXT NOT NULL,
        salt_hex        TEXT NOT NULL,
        secret_hash_hex TEXT NOT NULL,
        created_at_ms   {int} NOT NULL,
        revoked_at_ms   {int} NOT NULL,
        PRIMARY KEY (merchant_id, key_id)
    );
    CREATE UNIQUE INDEX api_keys_id ON api_keys (key_id);
)sql";
// Migration 4's columns, as the baseline writes them and as 4 adds them.
const std::string kMembersColumns4 = R"sql(
        phone         TEXT NOT NULL DEFAULT '',
        email         TEXT NOT NULL DEFAULT '',
        birthday      TEXT NOT NULL DEFAULT '',
        consent_at_ms BIGINT NOT NULL DEFAULT 0,
        erased_at_ms  BIGINT NOT NULL DEFAULT 0,
)sql";
const std::string kCountersColumns4 = R"sql(
        spins            TEXT NOT NULL DEFAULT '{}',
)sql";
// Migration 18's columns: the member's receipts from tier_sum_from_ms on sum to tier_sum (NULL:
// not kept yet, the tier window's sum walks her receipts; tier_sum_sql()).
const std::string kCountersColumns18 = R"sql(
        tier_sum         {int} NOT NULL DEFAULT 0,
        tier_sum_from_ms {int},
)sql";
const std::string kCountersKey = R"sql(
        PRIMARY KEY (merchant_id, member_id)
    );
)sql";
const std::string kAddColumns4 = R"sql(
    ALTER TABLE members ADD COLUMN phone TEXT NOT NULL DEFAULT '';
    ALTER TABLE members ADD COLUMN email TEXT NOT NULL DEFAULT '';
    ALTER TABLE members ADD COLUMN birthday TEXT NOT NULL DEFAULT '';
    ALTER TABLE members ADD COLUMN consent_at_ms BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE members ADD COLUMN erased_at_ms BIGINT NOT NULL DEFAULT 0;
    CREATE INDEX members_phone ON members (merchant_id, phone);
    ALTER TABLE member_counters ADD COLUMN spins TEXT NOT NULL DEFAULT '{}';
)sql";
const std::string kOperationsMember = R"sql(
    CREATE INDEX operations_member ON operations (merchant_id, member_id);
)sql";
const std::string kTables4 = R"sql(
    CREATE TABLE documents (
        merchant_id   TEXT NOT NULL,
        kind          TEXT NOT NULL,
        doc_id        TEXT NOT NULL,
        version       BIGINT NOT NULL,
        document      TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, kind, doc_id, version)
    );
    CREATE TABLE pairings (
        merchant_id   TEXT NOT NULL,
        code_hash     TEXT NOT NULL,
        device_name   TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        used_at_ms    BIGINT NOT NULL,
        device_id     TEXT NOT NULL,
        PRIMARY KEY (merchant_id, code_hash)
    );
    CREATE UNIQUE INDEX pairings_hash ON pairings (code_hash);
    CREATE TABLE devices (
        merchant_id     TEXT NOT NULL,
        device_id       TEXT NOT NULL,
        name            TEXT NOT NULL,
        salt_hex        TEXT NOT NULL,
        secret_hash_hex TEXT NOT NULL,
        paired_at_ms    BIGINT NOT NULL,
        revoked_at_ms   BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, device_id)
    );
    CREATE UNIQUE INDEX devices_id ON devices (device_id);
    CREATE TABLE coupons (
        merchant_id    TEXT NOT NULL,
        code           TEXT NOT NULL,
        member_id      TEXT NOT NULL,
        reward_id      TEXT NOT NULL,
        source         TEXT NOT NULL,
        reservation_id TEXT NOT NULL,
        points         BIGINT NOT NULL,
        op_id          TEXT NOT NULL,
        issued_at_ms   BIGINT NOT NULL,
        expires_at_ms  BIGINT NOT NULL,
        redeemed_at_ms BIGINT NOT NULL,
        redeemed_op    TEXT NOT NULL,
        receipt_id     TEXT NOT NULL,
        PRIMARY KEY (merchant_id, code)
    );
    CREATE INDEX coupons_member ON coupons (merchant_id, member_id);
    CREATE TABLE spins (
        merchant_id TEXT NOT NULL,
        op_id       TEXT NOT NULL,
        member_id   TEXT NOT NULL,
        wheel_id    TEXT NOT NULL,
        prize_id    TEXT NOT NULL,
        seed        TEXT NOT NULL,
        cost        BIGINT NOT NULL,
        at_ms       BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, op_id)
    );
    CREATE INDEX spins_time ON spins (merchant_id, at_ms);
    CREATE TABLE shared_state (
        merchant_id TEXT NOT NULL,
        kind        TEXT NOT NULL,
        state_id    TEXT NOT NULL,
        state       TEXT NOT NULL,
        PRIMARY KEY (merchant_id, kind, state_id)
    );
)sql";
// Migration 5's table and its index: a member's phone is unique per merchant (non-empty
// phones only).
const std::string kPhonesBlanked = R"sql(
    CREATE TABLE member_phones_blanked (
        merchant_id TEXT NOT NULL,
        member_id   TEXT NOT NULL,
        kept_by     TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
)sql";
const std::string kPhoneUnique = R"sql(
    CREATE UNIQUE INDEX members_phone_unique ON members (merchant_id, phone) WHERE phone <> '';
)sql";
// Databases from before migration 5 may hold members sharing a phone: enrolments raced past
// a check that ran outside the insert's transaction. The unique index can't be built over
// them, and the migration must not fail, so one member of each phone keeps it: the one phone
// lookups have been finding (the smallest member id; they ignored erased members, whose
// phones are blank anyway), so points keep going where they went. The others' phones are
// blanked, and each of them is listed in member_phones_blanked with the member that kept the
// phone (ids only: the number stays with that member), for the merchant to sort out;
// report_migration logs how many. Erased members have empty phones and never collide.
const std::string kBlankSharedPhones = R"sql(
    INSERT INTO member_phones_blanked (merchant_id, member_id, kept_by)
        SELECT m.merchant_id, m.member_id, MIN(k.member_id) FROM members m JOIN members k
            ON k.merchant_id = m.merchant_id AND k.phone = m.phone AND k.member_id < m.member_id
        WHERE m.phone <> '' GROUP BY m.merchant_id, m.member_id;
    UPDATE members SET phone = '' WHERE EXISTS (SELECT 1 FROM member_phones_blanked b
        WHERE b.merchant_id = members.merchant_id AND b.member_id = members.member_id);
    DROP INDEX members_phone;
)sql";

// Migration 6: the website widget's remembered nonces (a member token is exchanged once),
// its sessions (the token's hash only), members' referral codes and who referred whom.
const std::string kWidgetTables = R"sql(
    CREATE TABLE widget_nonces (
        merchant_id   TEXT NOT NULL,
        nonce         TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, nonce)
    );
    CREATE INDEX widget_nonces_expiry ON widget_nonces (merchant_id, expires_at_ms);
    CREATE TABLE widget_sessions (
        token_hash    TEXT NOT NULL PRIMARY KEY,
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL
    );
    CREATE INDEX widget_sessions_expiry ON widget_sessions (merchant_id, expires_at_ms);
    CREATE TABLE referral_codes (
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        code          TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE UNIQUE INDEX referral_codes_code ON referral_codes (merchant_id, code);
    CREATE TABLE referrals (
        merchant_id     TEXT NOT NULL,
        member_id       TEXT NOT NULL,
        inviter_id      TEXT NOT NULL,
        created_at_ms   BIGINT NOT NULL,
        qualified_at_ms BIGINT NOT NULL,
        qualified_op    TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE INDEX referrals_inviter ON referrals (merchant_id, inviter_id, qualified_at_ms);
)sql";

// Migration 7: the console's staff users and sessions, sign-in failures (counted in the
// database, so every server sees them), the audit log ({serial}: the dialect's
// self-numbering key; the dialect's triggers refuse UPDATE and DELETE on it), who saved each
// document version, what kiosks report and their own settings, and the versions of rows that
// have none of their own (members, devices) for If-Match.
const std::string kStaffTables = R"sql(
    CREATE TABLE staff_users (
        merchant_id   TEXT NOT NULL,
        user_id       TEXT NOT NULL,
        email         TEXT NOT NULL,
        name          TEXT NOT NULL,
        role          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled      BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        last_login_ms BIGINT NOT NULL,
        version       BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, user_id)
    );
    CREATE UNIQUE INDEX staff_users_email ON staff_users (merchant_id, email);
    CREATE TABLE staff_sessions (
        session_id      TEXT NOT NULL PRIMARY KEY,
        merchant_id     TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        salt_hex        TEXT NOT NULL,
        secret_hash_hex TEXT NOT NULL,
        created_at_ms   BIGINT NOT NULL,
        expires_at_ms   BIGINT NOT NULL,
        last_seen_ms    BIGINT NOT NULL,
        revoked_at_ms   BIGINT NOT NULL
    );
    CREATE INDEX staff_sessions_user ON staff_sessions (merchant_id, user_id);
    CREATE TABLE sign_in_failures (
        failure_key TEXT NOT NULL,
        at_ms       BIGINT NOT NULL
    );
    CREATE INDEX sign_in_failures_key ON sign_in_failures (failure_key, at_ms);
    CREATE TABLE audit_log (
        entry_id    {serial},
        merchant_id TEXT NOT NULL,
        at_ms       BIGINT NOT NULL,
        actor_kind  TEXT NOT NULL,
        actor_id    TEXT NOT NULL,
        actor_label TEXT NOT NULL,
        address     TEXT NOT NULL,
        action      TEXT NOT NULL,
        target      TEXT NOT NULL,
        before_json TEXT NOT NULL,
        after_json  TEXT NOT NULL
    );
    CREATE INDEX audit_log_merchant ON audit_log (merchant_id, entry_id);
    CREATE TABLE document_authors (
        merchant_id TEXT NOT NULL,
        kind        TEXT NOT NULL,
        doc_id      TEXT NOT NULL,
        version     BIGINT NOT NULL,
        actor_kind  TEXT NOT NULL,
        actor_id    TEXT NOT NULL,
        actor_label TEXT NOT NULL,
        PRIMARY KEY (merchant_id, kind, doc_id, version)
    );
    CREATE TABLE device_state (
        merchant_id  TEXT NOT NULL,
        device_id    TEXT NOT NULL,
        last_seen_ms BIGINT NOT NULL,
        app_version  TEXT NOT NULL,
        settings     TEXT NOT NULL,
        PRIMARY KEY (merchant_id, device_id)
    );
    CREATE TABLE row_versions (
        merchant_id TEXT NOT NULL,
        kind        TEXT NOT NULL,
        row_id      TEXT NOT NULL,
        version     BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, kind, row_id)
    );
)sql";

// Program versions take effect at a date (the one in force is found by it), and the draft
// simulation pages through a merchant's receipts by time. Versions stored before keep the
// moment they were saved.
const std::string kProgramVersions8 = R"sql(
    ALTER TABLE programs ADD COLUMN effective_from_ms BIGINT NOT NULL DEFAULT 0;
    UPDATE programs SET effective_from_ms = created_at_ms;
    CREATE INDEX programs_effective ON programs (merchant_id, effective_from_ms, version);
    CREATE INDEX receipts_at ON receipts (merchant_id, at_ms, receipt_id);
)sql";

// Migration 9: CSV import jobs (Store::claim_import_job): their progress and the lease of the
// runner working on each, and apart from them (so that writing the progress after each batch
// does not write the file again) the file, until its job ends.
const std::string kImportJobs = R"sql(
    CREATE TABLE import_jobs (
        merchant_id    TEXT NOT NULL,
        job_id         TEXT NOT NULL,
        kind           TEXT NOT NULL,
        status         TEXT NOT NULL,
        rows_total     BIGINT NOT NULL,
        rows_done      BIGINT NOT NULL,
        rows_bad       BIGINT NOT NULL,
        created        BIGINT NOT NULL,
        matched        BIGINT NOT NULL,
        errors         TEXT NOT NULL,
        failure        TEXT NOT NULL,
        runner         TEXT NOT NULL,
        lease_until_ms BIGINT NOT NULL,
        created_at_ms  BIGINT NOT NULL,
        updated_at_ms  BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, job_id)
    );
    CREATE INDEX import_jobs_running ON import_jobs (status, lease_until_ms);
    CREATE TABLE import_files (
        merchant_id TEXT NOT NULL,
        job_id      TEXT NOT NULL,
        body        TEXT NOT NULL,
        PRIMARY KEY (merchant_id, job_id)
    );
)sql";

// Migration 10: the reports' roll-up. report_days holds, per merchant and UTC day, the sums
// reports::Totals adds up (receipts, paid with and without a card, points by ledger reason,
// balance changes, members enrolled, spins and their cost), so a report reads a few
// thousand day rows instead of every row since the merchant began (liability, enrolled
// members and deferred revenue reach back to the start).
// Kept by triggers in the transaction of each insert into receipts, member_entries, members
// and spins ({report_triggers}: each database writes them its own way): exact at every
// commit, whoever writes (the server, the CLI, an import, a seeding script), and nothing to
// catch up at report time. Those four tables are append-only for what the sums read: receipts
// change only tier_qualifying and returned, entries never change, an erased member keeps
// created_at_ms, spins never change. On PostgreSQL a day has 8 rows (shard: a hash of the
// member) so that tills of one merchant do not all queue on one row lock. The indexes serve
// the distinct-member figures, read from the period's rows: active members, tier windows,
// cohorts. The migration fills the roll-up from the rows already stored.
const std::string kReportRollups = R"sql(
    CREATE TABLE report_days (
        merchant_id        TEXT NOT NULL,
        day                BIGINT NOT NULL,
        shard              BIGINT NOT NULL,
        receipts           BIGINT NOT NULL,
        receipts_with_card BIGINT NOT NULL,
        paid_member        BIGINT NOT NULL,
        paid_other         BIGINT NOT NULL,
        issued             BIGINT NOT NULL,
        redeemed           BIGINT NOT NULL,
        expired            BIGINT NOT NULL,
        adjusted           BIGINT NOT NULL,
        balance_delta      BIGINT NOT NULL,
        enrolled           BIGINT NOT NULL,
        spins              BIGINT NOT NULL,
        spin_cost          BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, day, shard)
    );
    CREATE INDEX receipts_at_member ON receipts (merchant_id, at_ms, member_id, paid);
    CREATE INDEX member_entries_at ON member_entries
        (merchant_id, at_ms, reason, member_id, member_delta);
    CREATE INDEX members_created ON members (merchant_id, created_at_ms);
)sql" "{report_triggers}";

const char* const kRollupColumns[] = {
    "receipts", "receipts_with_card", "paid_member", "paid_other", "issued", "redeemed",
    "expired",  "adjusted",           "balance_delta", "enrolled", "spins",  "spin_cost"};

// A table the roll-up sums: its time column and one value per kRollupColumns, in SQL over
// its row ({r} is "NEW." in a trigger, "" in the migration's backfill).
struct RollupSource {
    const char* table;
    const char* time;
    const char* shard_key;  // PostgreSQL's shard: a hash of this
    std::vector<std::string> values;
};

const std::vector<RollupSource>& rollup_sources() {
    static const std::vector<RollupSource> sources = {
        {"receipts", "at_ms",
         "CASE WHEN {r}member_id <> '' THEN {r}member_id ELSE {r}receipt_id END",
         {"1", "CASE WHEN {r}member_id <> '' THEN 1 ELSE 0 END",
          "CASE WHEN {r}member_id <> '' THEN {r}paid ELSE 0 END",
          "CASE WHEN {r}member_id = '' THEN {r}paid ELSE 0 END", "0", "0", "0", "0", "0", "0",
          "0", "0"}},
        {"member_entries", "at_ms", "{r}member_id",
         {"0", "0", "0", "0",
          "CASE WHEN {r}reason IN ('earn', 'bonus', 'clawback') THEN {r}member_delta ELSE 0 END",
          "CASE WHEN {r}reason IN ('redeem', 'reserve', 'release', 'refund') "
          "THEN -{r}member_delta ELSE 0 END",
          "CASE WHEN {r}reason = 'expire' THEN -{r}member_delta ELSE 0 END",
          "CASE WHEN {r}reason = 'adjust' THEN {r}member_delta ELSE 0 END", "{r}member_delta",
          "0", "0", "0"}},
        {"members", "created_at_ms", "{r}member_id",
         {"0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "0", "0"}},
        {"spins", "at_ms", "{r}member_id",
         {"0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "{r}cost"}},
    };
    return sources;
}

std::string with_row(std::string sql, const std::string& row) {
    for (auto at = sql.find("{r}"); at != std::string::npos; at = sql.find("{r}", at))
        sql.replace(at, 3, row);
    return sql;
}

// The UTC day of a time in ms, rounded down also before 1970.
std::string day_of(const std::string& ms) {
    return "((" + ms + " - ((" + ms + " % 86400000) + 86400000) % 86400000) / 86400000)";
}

std::string rollup_columns() {
    std::string out = "merchant_id, day, shard";
    for (const char* c : kRollupColumns) out += std::string(", ") + c;
    return out;
}

// The SQL of one source's row as a roll-up row: merchant_id, day, shard, the values (named
// as report_days' columns when `named`).
std::string rollup_values(const RollupSource& src, const std::string& row, bool sharded,
                          bool named) {
    const auto name = [named](const char* column) {
        return named ? std::string(" AS ") + column : std::string();
    };
    std::string out = row + "merchant_id, " + day_of(row + src.time) + name("day") + ", " +
                      (sharded ? "(hashtext(" + with_row(src.shard_key, row) + ") & 7)" : "0") +
                      name("shard");
    for (std::size_t i = 0; i < src.values.size(); ++i)
        out += ", " + with_row(src.values[i], row) + name(kRollupColumns[i]);
    return out;
}

// The triggers that keep report_days (see kReportRollups). PostgreSQL (the database with
// row locks) runs a trigger function per table and spreads a day over 8 shards.
std::string report_triggers(const SqlDialect& d) {
    std::string upsert = " ON CONFLICT (merchant_id, day, shard) DO UPDATE SET ";
    for (const char* c : kRollupColumns)
        upsert += std::string(c == kRollupColumns[0] ? "" : ", ") + c + " = report_days." + c +
                  " + excluded." + c;
    std::string out;
    for (const RollupSource& src : rollup_sources()) {
        const std::string insert = "INSERT INTO report_days (" + rollup_columns() +
                                   ") VALUES (" +
                                   rollup_values(src, "NEW.", d.row_locks, false) + ")" + upsert +
                                   ";";
        const std::string name = std::string("report_") + src.table;
        if (d.row_locks)
            out += "CREATE FUNCTION " + name + "_roll() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
                   "BEGIN " + insert + " RETURN NULL; END $fn$;\n CREATE TRIGGER " + name +
                   " AFTER INSERT ON " + src.table + " FOR EACH ROW EXECUTE FUNCTION " + name +
                   "_roll();\n";
        else
            out += "CREATE TRIGGER " + name + " AFTER INSERT ON " + src.table + " BEGIN " +
                   insert + " END;\n";
    }
    return out;
}

// Migration 10's backfill: the roll-up of the rows stored before it.
std::string report_backfill(const SqlDialect& d) {
    std::string rows;
    for (const RollupSource& src : rollup_sources())
        rows += std::string(rows.empty() ? "" : " UNION ALL ") + "SELECT " +
                rollup_values(src, "", d.row_locks, true) + " FROM " + src.table;
    std::string sums;
    for (const char* c : kRollupColumns) sums += std::string(", SUM(") + c + ")";
    return "INSERT INTO report_days (" + rollup_columns() + ") SELECT merchant_id, day, shard" +
           sums + " FROM (" + rows + ") x GROUP BY merchant_id, day, shard;\n";
}

// The UTC calendar month (reports::month_number: year × 12 + month − 1) of a time in ms.
std::string month_of(const std::string& ms, const SqlDialect& d) {
    const std::string at = "(" + day_of(ms) + " * 86400)";
    if (d.row_locks)
        return "CAST(EXTRACT(YEAR FROM to_timestamp(" + at + ") AT TIME ZONE 'UTC') * 12 + "
               "EXTRACT(MONTH FROM to_timestamp(" + at + ") AT TIME ZONE 'UTC') - 1 AS BIGINT)";
    return "(CAST(strftime('%Y', " + at + ", 'unixepoch') AS INTEGER) * 12 + "
           "CAST(strftime('%m', " + at + ", 'unixepoch') AS INTEGER) - 1)";
}

// Migration 12: the cohorts' roll-up. report_member_months holds, per merchant, member and
// UTC calendar month, how many receipts the member had in it (never 0), so the cohort
// table reads a member's months instead of each of their receipts and does not work out a
// receipt's month at report time. Kept like report_days: a trigger on each insert into
// receipts with a member, in its transaction (receipts never change their member or time;
// an erased member keeps their id in both). The migration fills it from the rows stored.
// On SQLite also a member's entries by time ({member_entries_by_member}): with many receipts
// a member, the tier counts sum each member's window through it, half the work of grouping
// the window's rows (on PostgreSQL, which always groups, it would only slow ledger writes).
const std::string kMemberMonths = R"sql(
    CREATE TABLE report_member_months (
        merchant_id TEXT NOT NULL,
        member_id   TEXT NOT NULL,
        month       BIGINT NOT NULL,
        receipts    BIGINT NOT NULL,
        PRIMARY KEY (merchant_id, member_id, month)
    );
)sql" "{member_month_triggers}{member_entries_by_member}";

const char* const kMemberEntriesByMember =
    "CREATE INDEX member_entries_member_at ON member_entries (merchant_id, member_id, at_ms, "
    "reason, member_delta);\n";

std::string member_month_triggers(const SqlDialect& d) {
    const std::string insert =
        "INSERT INTO report_member_months (merchant_id, member_id, month, receipts) VALUES "
        "(NEW.merchant_id, NEW.member_id, " + month_of("NEW.at_ms", d) + ", 1) "
        "ON CONFLICT (merchant_id, member_id, month) DO UPDATE SET "
        "receipts = report_member_months.receipts + 1;";
    if (d.row_locks)
        return "CREATE FUNCTION report_member_months_roll() RETURNS trigger LANGUAGE plpgsql "
               "AS $fn$ BEGIN IF NEW.member_id <> '' THEN " + insert + " END IF; RETURN NULL; "
               "END $fn$;\n CREATE TRIGGER report_member_months AFTER INSERT ON receipts FOR "
               "EACH ROW EXECUTE FUNCTION report_member_months_roll();\n";
    return "CREATE TRIGGER report_member_months AFTER INSERT ON receipts WHEN NEW.member_id <> "
           "'' BEGIN " + insert + " END;\n";
}

// Migration 12's backfill: the months of the receipts stored before it.
std::string member_month_backfill(const SqlDialect& d) {
    return "INSERT INTO report_member_months (merchant_id, member_id, month, receipts) SELECT "
           "merchant_id, member_id, month, COUNT(*) FROM (SELECT merchant_id, member_id, " +
           month_of("at_ms", d) + " AS month FROM receipts WHERE member_id <> '') x "
           "GROUP BY merchant_id, member_id, month;\n";
}

// Without it each row of the members list scans the merchant's cards for its card.
const std::string kCardsByMember = R"sql(
    CREATE INDEX cards_member ON cards (merchant_id, member_id);
)sql";

// Each member's ledger checkpoint (ledger::Checkpoint as codec JSON, `version` its format),
// covering the first `seq` entries; written in the transaction that appends them. On
// PostgreSQL also a member's entries by time, which SQLite has since migration 12.
const std::string kMemberState = R"sql(
    CREATE TABLE member_state (
        merchant_id  TEXT NOT NULL,
        member_id    TEXT NOT NULL,
        seq          {int} NOT NULL,
        version      {int} NOT NULL,
        body         TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    {member_entries_by_member_pg}
)sql";

// Each entry's place among the member's entries that changed the balance (1 for the first
// such; an entry that did not change it keeps its predecessor's number): the newest entry's
// number is the count a history page shows, and a page's position comes from its first row,
// so neither counts the history. The migration numbers the entries stored before it.
const std::string kEntryNumbers = R"sql(
    ALTER TABLE member_entries ADD COLUMN history_no {int} NOT NULL DEFAULT 0;
)sql";
const std::string kEntryNumbersBackfill = R"sql(
    UPDATE member_entries AS e SET history_no = x.n FROM (SELECT merchant_id, member_id, seq,
        SUM(CASE WHEN member_delta <> 0 THEN 1 ELSE 0 END) OVER (PARTITION BY merchant_id,
        member_id ORDER BY seq) AS n FROM member_entries) AS x
        WHERE e.merchant_id = x.merchant_id AND e.member_id = x.member_id AND e.seq = x.seq;
)sql";

// What a member's ledger shows (codec::encode_points) from points_from_ms until before
// points_until_ms, when nothing falls due (ledger::Ledger::next_change_ms): a lookup inside
// that window reads it instead of the checkpoint's batches. A row without one ('', a window
// that never holds) is read from the checkpoint as before; the next write stores it.
const std::string kMemberPoints = R"sql(
    ALTER TABLE member_state ADD COLUMN points TEXT NOT NULL DEFAULT '';
    ALTER TABLE member_state ADD COLUMN points_from_ms {int} NOT NULL DEFAULT 0;
    ALTER TABLE member_state ADD COLUMN points_until_ms {int} NOT NULL DEFAULT 0;
)sql";

// A member's receipts by time with what they count for her tier: the tier window's sum, read
// with every lookup and receipt (MemberTx::tier_qualifying_since), comes from the index alone
// instead of fetching each receipt's row (a year of daily receipts: 1 000 rows a read).
const std::string kReceiptsMemberQualifying = R"sql(
    DROP INDEX receipts_member;
    CREATE INDEX receipts_member ON receipts (merchant_id, member_id, at_ms, tier_qualifying);
)sql";

// A running sum of what a member's receipts count for her tier, from a time on (kept by every
// write that adds or changes a receipt, moved to the tier window's start by every write that
// saves the counters): the window's sum then walks only the receipts between that time and the
// window's start, not the whole window (tier_sum_sql()).
const std::string kTierSum = R"sql(
    ALTER TABLE member_counters ADD COLUMN tier_sum {int} NOT NULL DEFAULT 0;
    ALTER TABLE member_counters ADD COLUMN tier_sum_from_ms {int};
)sql";

// The revision of each member's checkpoint row: a fresh random positive number with every write
// of the row (0 for rows written before), the key of the servers' decoded copies
// (storage/checkpoint_cache.hpp).
const std::string kMemberStateRev = R"sql(
    ALTER TABLE member_state ADD COLUMN rev {int} NOT NULL DEFAULT 0;
)sql";

// Statement triggers on the tables the configuration cache keeps: any change, by any server
// or the CLI, tells every listening server (pg_store.cpp) at its commit.
const std::string kConfigNotifyPg = R"sql(
    CREATE FUNCTION config_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN PERFORM pg_notify('kopilka_config', TG_TABLE_NAME); RETURN NULL; END $fn$;
    CREATE TRIGGER merchants_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON merchants
        FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
    CREATE TRIGGER api_keys_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
        FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
    CREATE TRIGGER programs_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON programs
        FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
    CREATE TRIGGER documents_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON documents
        FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
    CREATE TRIGGER document_authors_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON document_authors FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
)sql";

const std::string kMigrations[] = {
    // 1: merchants, programs, members, cards, a first ledger.
    kMerchants + kMembersColumns + kMembersKey + kCards + kFirstLedger,
    // 2: the ledger moves to shared/core's entries (batches, pending, expiry, reservations),
    // stored per member in write order; operations and receipts for idempotent writes.
    "DROP TABLE ledger_postings; DROP TABLE ledger_entries;" + kMemberEntries + kCountersColumns +
        kCountersKey + kOperationsReceipts,
    // 3: merchant API keys.
    kApiKeys,
    // 4: members' personal data, documents (themes, wheels, kiosk settings), kiosk pairing and
    // devices, coupons, spins, shared state rows (a wheel's stock and budgets).
    kAddColumns4 + kOperationsMember + kTables4,
    // 5: a member's phone is unique per merchant.
    kPhonesBlanked + kBlankSharedPhones + kPhoneUnique,
    // 6: the website widget: nonces, sessions, referral codes, referrals.
    kWidgetTables,
    // 7: the console's staff, sessions, sign-in failures and the audit log.
    kStaffTables + "{audit_triggers}",
    // 8: program versions' effective dates; receipts by time.
    kProgramVersions8,
    // 9: CSV import jobs and their progress.
    kImportJobs,
    // 10: the reports' roll-up by day, its triggers and the rows stored before; indexes.
    kReportRollups + "{report_backfill}",
    // 11: a member's cards by member (the members list reads each row's card).
    kCardsByMember,
    // 12: the cohorts' roll-up by member and month, its trigger and the receipts stored before.
    kMemberMonths + "{member_month_backfill}",
    // 13: members' ledger checkpoints; a member without one is restored from its entries once.
    kMemberState,
    // 14: on PostgreSQL, a notification on channel kopilka_config whenever a configuration
    // table changes (the servers' caches of them, storage/config_cache.hpp); nothing on SQLite.
    "{config_notify}",
    // 15: entries numbered among those that changed the balance (history pages).
    kEntryNumbers + kEntryNumbersBackfill,
    // 16: beside each checkpoint, the snapshot it shows until its next change.
    kMemberPoints,
    // 17: receipts_member carries tier_qualifying (the tier window's sum from the index).
    kReceiptsMemberQualifying,
    // 18: member_counters keeps a running sum of the member's tier_qualifying (tier_sum_sql()).
    kTierSum,
    // 19: each checkpoint row's revision (the servers' decoded checkpoints).
    kMemberStateRev,
};
constexpr std::int64_t kMigrationsCount = sizeof(kMigrations) / sizeof(kMigrations[0]);

// Every migration in one step: the same tables, columns (in the order the migrations leave
// them: added columns last), types, defaults, keys and indexes.
const std::string kBaseline =
    kMerchants + kMembersColumns + kMembersColumns4 + kMembersKey + kPhoneUnique + kPhonesBlanked +
    kCards + kMemberEntries + kCountersColumns + kCountersColumns4 + kCountersColumns18 +
    kCountersKey + kOperationsReceipts + kOperationsMember + kApiKeys + kTables4 + kWidgetTables +
    kStaffTables + "{audit_triggers}" + kProgramVersions8 + kImportJobs + kReportRollups +
    kCardsByMember + kMemberMonths + kMemberState + "{config_notify}" + kEntryNumbers +
    kMemberPoints + kReceiptsMemberQualifying + kMemberStateRev;

// The SQL with {int}, {serial} and {audit_triggers} written in the dialect's words.
std::string render(const std::string& sql, const SqlDialect& d) {
    std::string out = sql;
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{"{int}", d.integer},
          {"{serial}", d.serial},
          {"{audit_triggers}", d.audit_triggers},
          {"{report_triggers}", report_triggers(d)},
          {"{report_backfill}", report_backfill(d)},
          {"{member_month_triggers}", member_month_triggers(d)},
          {"{member_month_backfill}", member_month_backfill(d)},
          {"{config_notify}", d.row_locks ? kConfigNotifyPg : ""},
          {"{member_entries_by_member}", d.row_locks ? "" : kMemberEntriesByMember},
          {"{member_entries_by_member_pg}", d.row_locks ? kMemberEntriesByMember : ""}})
        for (auto at = out.find(name); at != std::string::npos; at = out.find(name, at))
            out.replace(at, name.size(), text);
    return out;
}

// Logs what a migration changed in the data (the phones migration 5 blanked) as a JSON line
// on stderr.
void report_migration(Sql& s, std::int64_t version) {
    if (version != 5) return;
    const auto rows = s.query("SELECT merchant_id, member_id, kept_by FROM member_phones_blanked "
                              "ORDER BY merchant_id, member_id",
                              {});
    if (rows.empty()) return;
    codec::Json blanked = codec::Json::array();
    for (const auto& r : rows)
        blanked.push_back({{"merchant", r[0]}, {"member", r[1]}, {"kept_by", r[2]}});
    const codec::Json line = {
        {"level", "warning"},
        {"message", "migration 5: " + std::to_string(rows.size()) +
                        " members shared a phone with another member; their phones were blanked "
                        "(listed in member_phones_blanked)"},
        {"blanked", blanked}};
    std::fprintf(stderr, "%s\n", line.dump().c_str());
}

}  // namespace

void migrate(Sql& s, std::int64_t now_ms) {
    if (*s.dialect().migration_lock) s.query(s.dialect().migration_lock, {});
    s.script(
        render("CREATE TABLE IF NOT EXISTS schema_migrations (version {int} NOT NULL PRIMARY KEY, "
               "applied_at_ms {int} NOT NULL)",
               s.dialect()));
    const std::int64_t current = to_i64(s.query(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations", {})[0][0]);
    if (current > kMigrationsCount)
        throw std::runtime_error("the database schema (version " + std::to_string(current) +
                                 ") is newer than this server knows (" +
                                 std::to_string(kMigrationsCount) + ")");
    if (current == 0) s.script(render(kBaseline, s.dialect()));
    for (std::int64_t v = current + 1; v <= kMigrationsCount; ++v) {
        if (current != 0) s.script(render(kMigrations[v - 1], s.dialect()));
        s.exec("INSERT INTO schema_migrations (version, applied_at_ms) VALUES ($1, $2)",
               {v, now_ms});
        if (current != 0) report_migration(s, v);
    }
}

bool may_write_config(const std::string& sql) {
    if (sql.compare(0, 7, "SELECT ") == 0) return false;
    for (const char* table : {"merchants", "api_keys", "programs", "documents"})
        if (sql.find(table) != std::string::npos) return true;
    return false;
}

std::string unique_field(const std::string& key) {
    const auto has = [&](const char* name) { return key.find(name) != std::string::npos; };
    if (has("member_entries")) return "entry_id";
    if (has("staff_users")) return has("email") ? "email" : "";
    if (has("members_phone") || has("members.phone")) return "phone";
    if (has("cards")) return "card";
    if (has("receipts")) return "receipt.id";
    if (has("operations")) return "operation_id";
    if (has("members")) return "id";
    return "";
}

void log_change(Sql& s, const Change& change) {
    if (!change.audit) return;
    const AuditRecord& a = *change.audit;
    s.exec("INSERT INTO audit_log (merchant_id, at_ms, actor_kind, actor_id, actor_label, "
           "address, action, target, before_json, after_json) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
           {a.merchant_id, a.at_ms, a.actor_kind, a.actor_id, a.actor_label, a.address, a.action,
            a.target, a.before, a.after});
}

namespace {
// VersionConflict unless change.if_version (when given) is current (0: none stored yet).
void check_version(const Change& change, std::int64_t current) {
    if (change.if_version && *change.if_version != current) throw VersionConflict(current);
}

// The next version of a row whose table has no version of its own (row_versions: a member, a
// device; 1 until first changed), after check_version. The upsert locks the version row for
// the rest of the transaction on PostgreSQL, so two writers of one row take turns.
std::int64_t next_row_version(Sql& s, const std::string& merchant_id, const char* kind,
                              const std::string& row_id, const Change& change) {
    s.exec("INSERT INTO row_versions (merchant_id, kind, row_id, version) VALUES ($1, $2, $3, 1) "
           "ON CONFLICT (merchant_id, kind, row_id) DO UPDATE SET version = row_versions.version",
           {merchant_id, kind, row_id});
    const std::int64_t current = to_i64(
        s.query("SELECT version FROM row_versions WHERE merchant_id = $1 AND kind = $2 AND "
                "row_id = $3",
                {merchant_id, kind, row_id})[0][0]);
    check_version(change, current);
    s.exec("UPDATE row_versions SET version = $4 WHERE merchant_id = $1 AND kind = $2 AND "
           "row_id = $3",
           {merchant_id, kind, row_id, current + 1});
    return current + 1;
}
}  // namespace

std::int64_t to_i64(const std::string& text) {
    if (text.empty()) return 0;
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used != text.size()) throw std::runtime_error("not an integer in the database: " + text);
    return static_cast<std::int64_t>(v);
}

namespace {

// The columns every member query reads, in MemberRecord's order; m is members, the card is
// the member's first one.
const char* const kMemberColumns =
    "m.member_id, m.display_name, COALESCE((SELECT number FROM cards c WHERE c.merchant_id = "
    "m.merchant_id AND "
    "c.member_id = m.member_id ORDER BY c.created_at_ms, c.number LIMIT 1), ''), m.phone, m.email, "
    "m.birthday, "
    "m.consent_at_ms, m.created_at_ms, m.erased_at_ms, COALESCE((SELECT v.version FROM "
    "row_versions v WHERE v.merchant_id = m.merchant_id AND v.kind = 'member' AND "
    "v.row_id = m.member_id), 1)";

MemberRecord member_from(const std::string& merchant_id, const SqlRow& r) {
    return MemberRecord{merchant_id,  r[0],         r[1], r[2], r[3], r[4], r[5], to_i64(r[6]),
                        to_i64(r[7]), to_i64(r[8]), to_i64(r[9])};
}

std::optional<MemberRecord> one_member(Sql& s, const std::string& merchant_id,
                                       const std::string& where,
                                       const std::vector<SqlValue>& params) {
    const auto rows =
        s.query(std::string("SELECT ") + kMemberColumns + " FROM members m WHERE " + where, params);
    if (rows.empty()) return std::nullopt;
    return member_from(merchant_id, rows[0]);
}

const char* const kCouponColumns =
    "code, member_id, reward_id, source, reservation_id, points, op_id, issued_at_ms, "
    "expires_at_ms, redeemed_at_ms, "
    "redeemed_op, receipt_id";

CouponRecord coupon_from(const SqlRow& r) {
    return CouponRecord{r[0], r[1],         r[2],         r[3],         r[4],  to_i64(r[5]),
                        r[6], to_i64(r[7]), to_i64(r[8]), to_i64(r[9]), r[10], r[11]};
}

const char* const kReceiptColumns =
    "receipt_id, member_id, op_id, at_ms, paid, tier_qualifying, receipt, quote, returned";

ReceiptRecord receipt_from(const SqlRow& r) {
    return ReceiptRecord{r[0],         r[1], r[2], to_i64(r[3]), to_i64(r[4]),
                         to_i64(r[5]), r[6], r[7], r[8]};
}

const char* const kDeviceColumns =
    "merchant_id, device_id, name, salt_hex, secret_hash_hex, paired_at_ms, revoked_at_ms";

// kDeviceColumns and what device_state and row_versions add, for reading devices d.
const char* const kDeviceSelect =
    "d.merchant_id, d.device_id, d.name, d.salt_hex, d.secret_hash_hex, d.paired_at_ms, "
    "d.revoked_at_ms, COALESCE(s.last_seen_ms, 0), COALESCE(s.app_version, ''), "
    "COALESCE(s.settings, '{}'), COALESCE((SELECT v.version FROM row_versions v WHERE "
    "v.merchant_id = d.merchant_id AND v.kind = 'device' AND v.row_id = d.device_id), 1) "
    "FROM devices d LEFT JOIN device_state s ON s.merchant_id = d.merchant_id AND "
    "s.device_id = d.device_id ";

DeviceRecord device_from(const SqlRow& r) {
    return DeviceRecord{r[0], r[1], r[2],         r[3], r[4], to_i64(r[5]), to_i64(r[6]),
                        to_i64(r[7]), r[8], r[9], to_i64(r[10])};
}

DocumentRecord document_from(const std::string& merchant_id, const std::string& kind,
                             const SqlRow& r) {
    return DocumentRecord{merchant_id, kind, r[0], to_i64(r[1]), r[2], to_i64(r[3])};
}

// member_state.version: the format of member_state.body, 2 since batches are arrays
// (codec::encode_batch); 1 (batches as objects) is read too. Another version is not read (the
// member is restored from its entries and the next write stores this format).
constexpr std::int64_t kCheckpointVersion = 2;
bool checkpoint_readable(const std::string& version) {
    const std::int64_t v = to_i64(version);
    return v == 1 || v == kCheckpointVersion;
}

// A ledger entry as member_entries.body keeps it; unreadable means a damaged database.
ledger::Entry stored_entry(const std::string& body) {
    codec::DecodeError e;
    const auto j = codec::parse_json(body, &e);
    auto entry = j ? codec::decode_entry(*j) : codec::Decoded<ledger::Entry>{};
    if (!entry.ok())
        throw std::runtime_error("stored ledger entry unreadable: " + entry.error.message);
    return std::move(*entry.value);
}

// "%" + text with LIKE's wildcards escaped + "%", lower case.
std::string contains_pattern(const std::string& text) {
    std::string out = "%";
    for (char ch : text) {
        if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
        out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    }
    return out + "%";
}

}  // namespace

// [SECTION] Member transactions

namespace {
// SqlMemberTx's reads that will_read() can name ahead ($1 the merchant).
const char* const kOperationSelect =
    "SELECT kind, member_id, request, status, response, at_ms FROM operations "
    "WHERE merchant_id = $1 AND op_id = $2";
const std::string kReceiptSelect = std::string("SELECT ") + kReceiptColumns +
                                   " FROM receipts WHERE merchant_id = $1 AND receipt_id = $2";
const char* const kReferralSelect =
    "SELECT inviter_id, created_at_ms, qualified_at_ms, qualified_op FROM referrals "
    "WHERE merchant_id = $1 AND member_id = $2";
}  // namespace

std::optional<StoredOperation> SqlMemberTx::operation(const std::string& op_id) {
    const auto r = sql().query(kOperationSelect, {merchant_, op_id});
    if (r.empty()) return std::nullopt;
    return StoredOperation{
        op_id,   r[0][0],        r[0][1], r[0][2], static_cast<int>(to_i64(r[0][3])),
        r[0][4], to_i64(r[0][5])};
}

std::vector<ledger::Entry> SqlMemberTx::entries() {
    return entries_from(0);
}

// A range of the primary key (merchant_id, member_id, seq).
std::vector<ledger::Entry> SqlMemberTx::entries_from(std::size_t from) {
    if (after_checkpoint_ && after_checkpoint_->first == from) {
        std::vector<ledger::Entry> out = std::move(after_checkpoint_->second);
        after_checkpoint_.reset();
        seq_ = static_cast<std::int64_t>(from + out.size());
        return out;
    }
    const auto rows = sql().query(
        "SELECT body FROM member_entries WHERE merchant_id = $1 AND "
        "member_id = $2 AND seq >= $3 ORDER BY seq",
        {merchant_, member_, static_cast<std::int64_t>(from)});
    std::vector<ledger::Entry> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(stored_entry(row[0]));
    seq_ = static_cast<std::int64_t>(from + out.size());
    return out;
}

// A range of member_entries_member_at (merchant_id, member_id, at_ms, …); entries are written
// in time order, so seq orders them as the ledger did.
std::vector<ledger::Entry> SqlMemberTx::entries_since(std::int64_t since_ms) {
    const auto rows = sql().query(
        "SELECT body FROM member_entries WHERE merchant_id = $1 AND "
        "member_id = $2 AND at_ms >= $3 ORDER BY seq",
        {merchant_, member_, since_ms});
    std::vector<ledger::Entry> out;
    for (const auto& row : rows) out.push_back(stored_entry(row[0]));
    return out;
}

namespace {
// What a member's receipts from `since` on count for her tier (0 when since < 0), as an SQL
// expression: member and since are expressions, $1 the merchant, c her member_counters row
// (NULLs without one). From the running sum c.tier_sum kept from c.tier_sum_from_ms on, the
// receipts between that time and since are added (since before it) or taken away (after it):
// a walk of the receipts that left the window since her last write, not of the window; without
// a running sum, the window's receipts. The receipts are walked in at_ms order so that
// receipts_member (merchant, member, at_ms) is the one index that serves them: a generic plan
// made while the table was nearly empty otherwise took the primary key and read every receipt
// of the merchant, and kept doing so as they grew.
std::string tier_sum_sql(const std::string& member, const std::string& since) {
    const auto of_member = [&](const std::string& columns, const std::string& range) {
        return " FROM (SELECT " + columns +
               " FROM receipts r WHERE r.merchant_id = $1 AND r.member_id = " + member +
               " AND r.at_ms >= " + range + " ORDER BY r.at_ms) r)";
    };
    const std::string before = since + " < c.tier_sum_from_ms";
    return "CASE WHEN " + since +
           " < 0 THEN 0 WHEN c.tier_sum_from_ms IS NULL THEN (SELECT "
           "CAST(COALESCE(SUM(r.tier_qualifying), 0) AS BIGINT)" +
           of_member("r.tier_qualifying", since) +
           " ELSE c.tier_sum + (SELECT CAST(COALESCE(SUM(CASE WHEN r.at_ms >= " + since +
           " THEN r.tier_qualifying ELSE -r.tier_qualifying END), 0) AS BIGINT)" +
           of_member("r.at_ms, r.tier_qualifying",
                     "CASE WHEN " + before + " THEN " + since +
                         " ELSE c.tier_sum_from_ms END AND r.at_ms < CASE WHEN " + before +
                         " THEN c.tier_sum_from_ms ELSE " + since + " END") +
           " END";
}

// SqlMemberTx::state_rows()' statement ($1 merchant, $2 member, $3 the tier window's start or -1,
// $4 the time of points_at() or -1, $5 the revision of the checkpoint this process keeps or -1).
// The checkpoint's body is left out (NULL) when the stored snapshot holds at $4 (points_hold())
// or the row still has revision $5; the revision is the last column.
const std::string kCheckpointSelect =
    "SELECT 0, s.seq, s.version, CASE WHEN (s.points_from_ms <= CAST($4 AS BIGINT) AND "
    "CAST($4 AS BIGINT) < s.points_until_ms) OR s.rev = CAST($5 AS BIGINT) THEN NULL ELSE "
    "s.body END, c.spend_total, "
    "c.last_purchase_ms, c.tier_held, "
    "c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL THEN 0 ELSE 1 END, " +
    tier_sum_sql("$2", "CAST($3 AS BIGINT)") +
    ", s.points, s.points_from_ms, s.points_until_ms, s.rev "
    "FROM (SELECT 1 AS one) k "
    "LEFT JOIN member_state s ON s.merchant_id = $1 AND s.member_id = $2 "
    "LEFT JOIN member_counters c ON c.merchant_id = $1 AND c.member_id = $2 "
    "UNION ALL SELECT 1, e.seq, NULL, e.body, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL FROM (SELECT e.seq, e.body "
    "FROM member_entries e WHERE e.merchant_id = $1 AND e.member_id = $2 AND e.seq >= "
    "(SELECT x.seq FROM member_state x WHERE x.merchant_id = $1 AND x.member_id = $2) "
    "AND e.seq < (SELECT x.seq FROM member_state x WHERE x.merchant_id = $1 AND "
    "x.member_id = $2) + 4611686018427387904 ORDER BY e.seq) e ORDER BY 1, 2";

// Whether the state row's stored snapshot holds at at_ms (the statements' CASE on the body).
bool points_hold(const SqlRow& state, std::int64_t at_ms) {
    return !state[1].empty() && to_i64(state[13]) <= at_ms && at_ms < to_i64(state[14]);
}

// The state row's revision: kCheckpointSelect's last column; 0 (never kept) from the group
// reads' rows, which don't have it, and for a row written before revisions.
constexpr std::size_t kRevColumn = 15;
std::int64_t revision_of(const SqlRow& state) {
    return state.size() > kRevColumn ? to_i64(state[kRevColumn]) : 0;
}

// A new checkpoint row's revision: random, positive (0 is "none", -1 "nothing kept"); two rows of
// a member's life meet the same one with a chance of about 2^-63 each.
std::int64_t new_revision() {
    thread_local std::mt19937_64 generator = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    return static_cast<std::int64_t>(generator() >> 1) | 1;
}
}  // namespace

std::int64_t SqlMemberTx::known_rev() {
    if (!known_) {
        known_ = !checkpoints_ ? std::nullopt
                 : writes_     ? checkpoints_->take(merchant_, member_)
                               : checkpoints_->get(merchant_, member_);
    }
    return *known_ ? (*known_)->rev : -1;
}

// One statement, one round trip: the checkpoint row, the counters and the entries after the
// checkpoint (its seq on; the upper bound, always true, makes it a range to PostgreSQL's
// planner, whose guess for an open "seq >= (subquery)" is a third of the member's rows: for a
// member with most of the table's entries it then read the whole table, 15 ms at 100 000; the
// entries in seq order, so that the primary key is the only index that serves them: a generic
// plan made while the tables were nearly empty otherwise took member_entries_member_at, every
// entry of the member, and kept it as they grew — 6 ms a receipt at 20 entries), which
// entries_from() and counters() then answer from memory; the first row is there even when the
// member has neither (its columns NULL). With expect_tier_window(), the tier window's sum too ($3:
// its start; -1 reads no sum); after points_at(), the body only when the snapshot does not hold.
const std::vector<SqlRow>& SqlMemberTx::state_rows() {
    if (state_rows_) return *state_rows_;
    const StateAsk ask{tier_since_.value_or(-1), points_at_.value_or(-1)};
    if (checkpoint_read_) {
        if (statements_++ > 0) throw NeedsSnapshot{};
        state_rows_ = checkpoint_read_(ask);
    } else {
        state_rows_ = sql().query(kCheckpointSelect,
                                  {merchant_, member_, ask.tier_since, ask.points_at, known_rev()});
    }
    const SqlRow& r = state_rows_->at(0);
    counters_ = to_i64(r[10]) == 0
                    ? MemberCounters{}
                    : MemberCounters{to_i64(r[4]), to_i64(r[5]), r[6], to_i64(r[7]), r[8], r[9]};
    if (tier_since_ && *tier_since_ >= 0 && !tier_sum_)
        tier_sum_ = TierSum{*tier_since_, to_i64(r[11])};
    return *state_rows_;
}

void SqlMemberTx::will_read(const MemberReads& reads) {
    if (!sql_) return;
    if (!reads.operation.empty()) sql_->prefetch(kOperationSelect, {merchant_, reads.operation});
    if (reads.checkpoint) {
        if (reads.tier_since >= 0) expect_tier_window(reads.tier_since);
        sql_->prefetch(kCheckpointSelect, {merchant_, member_, tier_since_.value_or(-1),
                                           points_at_.value_or(-1), known_rev()});
    }
    if (!reads.receipt.empty()) sql_->prefetch(kReceiptSelect, {merchant_, reads.receipt});
    if (reads.referral) sql_->prefetch(kReferralSelect, {merchant_, member_});
}

// The stored snapshot when it holds at now_ms and no entry follows the checkpoint.
std::optional<ledger::Snapshot> SqlMemberTx::points_at(std::int64_t now_ms) {
    points_at_ = now_ms;
    const std::vector<SqlRow>& rows = state_rows();
    const SqlRow& r = rows.at(0);
    if (rows.size() > 1 || !points_hold(r, now_ms) || !checkpoint_readable(r[2]))
        return std::nullopt;
    auto points = stored_points();
    if (!points || !points->points) return std::nullopt;
    points->points->as_of_ms = now_ms;
    return std::move(points->points);
}

std::optional<StoredPoints> SqlMemberTx::stored_points() {
    const SqlRow& r = state_rows().at(0);
    if (r[1].empty() || r[12].empty()) return std::nullopt;
    StoredPoints out;
    out.from_ms = to_i64(r[13]);
    out.until_ms = to_i64(r[14]);
    if (auto points = codec::points_from_text(r[12]); points.ok())
        out.points = std::move(points.value);
    return out;
}

// The kept checkpoint when the row still has its revision (the statement then left the body
// out): a write moves the one it took unless a reader shares it, a read copies it; else the body
// decoded, and kept by a read.
std::optional<ledger::Checkpoint> SqlMemberTx::checkpoint() {
    const std::vector<SqlRow>& rows = state_rows();
    const SqlRow& r = rows.at(0);
    if (r[1].empty() || !checkpoint_readable(r[2])) return std::nullopt;
    const std::int64_t rev = revision_of(r);
    std::optional<ledger::Checkpoint> c;
    const bool left_out_for_rev = rev > 0 && rev == known_rev();
    if (left_out_for_rev && (*known_)->checkpoint) {
        std::shared_ptr<ledger::Checkpoint>& kept = (*known_)->checkpoint;
        if (writes_ && kept.use_count() == 1) {
            // Taken, and shared with no reader: the last one's reads happened before it let go
            // (its count's release), which this fence orders before the move.
            std::atomic_thread_fence(std::memory_order_acquire);
            c = std::move(*kept);
        } else {
            c = *kept;
        }
        kept.reset();
        checkpoints_->count(true);
    } else {
        // The body, when the statement left it out for points_at() or for a copy already used
        // (a second call in the transaction).
        std::string left_out;
        if ((points_at_ && points_hold(r, *points_at_)) || left_out_for_rev) {
            const auto body = sql().query(
                "SELECT body FROM member_state WHERE merchant_id = $1 AND member_id = $2 AND "
                "seq = $3",
                {merchant_, member_, to_i64(r[1])});
            if (body.empty()) return std::nullopt;
            left_out = body[0][0];
        }
        auto decoded = codec::checkpoint_from_text(left_out.empty() ? r[3] : left_out);
        if (!decoded.ok()) return std::nullopt;
        c = std::move(decoded.value);
        if (checkpoints_) {
            checkpoints_->count(false);
            if (rev > 0 && !writes_)
                checkpoints_->put(merchant_, member_,
                                  {rev, std::make_shared<ledger::Checkpoint>(*c)});
        }
    }
    if (static_cast<std::int64_t>(c->entries) != to_i64(r[1])) return std::nullopt;
    std::vector<ledger::Entry> after;
    for (std::size_t i = 1; i < rows.size(); ++i) after.push_back(stored_entry(rows[i][3]));
    after_checkpoint_.emplace(c->entries, std::move(after));
    return c;
}

void SqlMemberTx::save_checkpoint(const ledger::Ledger& l) {
    ledger::Checkpoint c = l.checkpoint();
    const std::int64_t rev = new_revision();
    // Moved in, not listed in braces: an initializer list's values are copied, and the
    // checkpoint's text of a member with thousands of batches is hundreds of kilobytes.
    std::vector<SqlValue> params;
    params.reserve(9);
    params.emplace_back(merchant_);
    params.emplace_back(member_);
    params.emplace_back(static_cast<std::int64_t>(c.entries));
    params.emplace_back(kCheckpointVersion);
    params.emplace_back(codec::checkpoint_text(c));
    params.emplace_back(codec::points_text(l.snapshot()));
    params.emplace_back(l.clock_ms());
    params.emplace_back(l.next_change_ms());
    params.emplace_back(rev);
    sql().write(
        "INSERT INTO member_state (merchant_id, member_id, seq, version, body, points, "
        "points_from_ms, points_until_ms, rev) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (merchant_id, member_id) DO UPDATE SET seq = excluded.seq, "
        "version = excluded.version, body = excluded.body, points = excluded.points, "
        "points_from_ms = excluded.points_from_ms, points_until_ms = excluded.points_until_ms, "
        "rev = excluded.rev",
        std::move(params));
    if (checkpoints_)
        saved_ = CheckpointCache::Entry{rev, std::make_shared<ledger::Checkpoint>(std::move(c))};
}

MemberCounters SqlMemberTx::counters() {
    if (counters_) return *counters_;
    const auto r = sql().query(
        "SELECT spend_total, last_purchase_ms, tier_held, window_start_ms, stamps, spins "
        "FROM member_counters WHERE merchant_id = $1 AND member_id = $2",
        {merchant_, member_});
    if (r.empty()) return {};
    return MemberCounters{to_i64(r[0][0]), to_i64(r[0][1]), r[0][2],
                          to_i64(r[0][3]), r[0][4],         r[0][5]};
}

std::optional<ReceiptRecord> SqlMemberTx::receipt(const std::string& receipt_id) {
    const auto r = sql().query(kReceiptSelect, {merchant_, receipt_id});
    if (r.empty()) return std::nullopt;
    ReceiptRecord out = receipt_from(r[0]);
    receipts_qualifying_[out.receipt_id] = out.tier_qualifying;
    return out;
}

// Read with the checkpoint when expect_tier_window() said so, else by itself; either way from
// the running sum (tier_sum_sql()). A write's first ask is kept, with its own receipts added
// (tier_change()).
std::int64_t SqlMemberTx::tier_qualifying_since(std::int64_t since_ms) {
    if (tier_sum_ && tier_sum_->since == since_ms) return tier_sum_->sum;
    finish();  // another window: summed from the stored running sum, which must be up to date
    static const std::string statement =
        "SELECT " + tier_sum_sql("$2", "CAST($3 AS BIGINT)") +
        " FROM (SELECT 1 AS one) k LEFT JOIN member_counters c ON c.merchant_id = $1 AND "
        "c.member_id = $2";
    const std::int64_t sum = to_i64(sql().query(statement, {merchant_, member_, since_ms})[0][0]);
    if (!tier_sum_) tier_sum_ = TierSum{since_ms, sum};
    return sum;
}

// A receipt of the member's dated at_ms now counts delta more for her tier: the sum known in
// this transaction takes it in and is stored later (save_counters(), finish()), with its start
// as the running sum's; without one, the stored running sum takes it in now if it covers at_ms.
void SqlMemberTx::tier_change(std::int64_t at_ms, std::int64_t delta) {
    if (delta == 0 || member_.empty()) return;
    if (tier_sum_) {
        if (at_ms >= tier_sum_->since) tier_sum_->sum += delta;
        tier_sum_unsaved_ = true;
        return;
    }
    sql().write(
        "UPDATE member_counters SET tier_sum = tier_sum + $3 WHERE merchant_id = $1 AND "
        "member_id = $2 AND tier_sum_from_ms <= $4",
        {merchant_, member_, delta, at_ms});
}

void SqlMemberTx::finish() {
    if (!tier_sum_unsaved_) return;
    // No counters row yet (SQLite's first write of a member): nothing to update, and without
    // a running sum the window's sum walks her receipts.
    sql().write(
        "UPDATE member_counters SET tier_sum = $3, tier_sum_from_ms = $4 "
        "WHERE merchant_id = $1 AND member_id = $2",
        {merchant_, member_, tier_sum_->sum, tier_sum_->since});
    tier_sum_unsaved_ = false;
}

std::optional<StoredTierSum> SqlMemberTx::stored_tier_sum() {
    const auto r = sql().query(
        "SELECT c.tier_sum_from_ms, c.tier_sum, (SELECT CAST(COALESCE(SUM(r.tier_qualifying), 0) "
        "AS BIGINT) FROM receipts r WHERE r.merchant_id = $1 AND r.member_id = $2 AND r.at_ms >= "
        "c.tier_sum_from_ms) FROM member_counters c WHERE c.merchant_id = $1 AND c.member_id = $2 "
        "AND c.tier_sum_from_ms IS NOT NULL",
        {merchant_, member_});
    if (r.empty()) return std::nullopt;
    return StoredTierSum{to_i64(r[0][0]), to_i64(r[0][1]), to_i64(r[0][2])};
}

// Both reads walk the primary key (merchant_id, member_id, seq) of this member backwards from
// one end: the newest entry's history_no is the count, the page's first row's says how many
// are newer than the page (all of them when the page is empty). "seq >= 0" makes the page a
// range to PostgreSQL's planner (see checkpoint()).
HistoryPage SqlMemberTx::history_page(std::int64_t before_seq, std::size_t limit) {
    const std::int64_t before = before_seq < 0 ? std::numeric_limits<std::int64_t>::max()
                                               : before_seq;
    HistoryPage page;
    const auto last = sql().query(
        "SELECT history_no FROM member_entries WHERE merchant_id = $1 AND member_id = $2 "
        "ORDER BY seq DESC LIMIT 1",
        {merchant_, member_});
    page.total = last.empty() ? 0 : to_i64(last[0][0]);
    page.newer = page.total;
    if (limit == 0 || page.total == 0) return page;
    const auto rows = sql().query(
        "SELECT seq, body, history_no FROM member_entries WHERE merchant_id = $1 AND "
        "member_id = $2 AND member_delta <> 0 AND seq >= 0 AND seq < $3 ORDER BY seq DESC "
        "LIMIT $4",
        {merchant_, member_, before, static_cast<std::int64_t>(limit)});
    if (!rows.empty()) page.newer = page.total - to_i64(rows[0][2]);
    for (const auto& row : rows) page.entries.emplace_back(to_i64(row[0]), stored_entry(row[1]));
    return page;
}

std::optional<std::int64_t> SqlMemberTx::entry_seq(const std::string& entry_id) {
    const auto r = sql().query(
        "SELECT seq FROM member_entries WHERE merchant_id = $1 AND "
        "member_id = $2 AND entry_id = $3",
        {merchant_, member_, entry_id});
    if (r.empty()) return std::nullopt;
    return to_i64(r[0][0]);
}

std::vector<std::int64_t> SqlMemberTx::history_numbers() {
    std::vector<std::int64_t> out;
    for (const auto& row : sql().query("SELECT history_no FROM member_entries WHERE "
                                       "merchant_id = $1 AND member_id = $2 ORDER BY seq",
                                       {merchant_, member_}))
        out.push_back(to_i64(row[0]));
    return out;
}

void SqlMemberTx::append_entries(const std::vector<ledger::Entry>& entries) {
    after_checkpoint_.reset();
    state_rows_.reset();
    // The end of the primary key's range, not a count of the history.
    if (seq_ < 0)
        seq_ =
            to_i64(sql().query("SELECT CAST(COALESCE(MAX(seq) + 1, 0) AS BIGINT) FROM "
                               "member_entries WHERE merchant_id = $1 AND member_id = $2",
                               {merchant_, member_})[0][0]);
    // history_no: the previous entry's (one primary key probe) and 1 if this one changes the
    // balance.
    for (const auto& e : entries) {
        const std::int64_t delta = ledger::member_delta(e);
        sql().write(
            "INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, at_ms, "
            "member_delta, body, history_no) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS BIGINT) + COALESCE((SELECT "
            "p.history_no FROM member_entries p WHERE p.merchant_id = $1 AND p.member_id = $2 "
            "AND p.seq = CAST($3 AS BIGINT) - 1), 0))",
            {merchant_, member_, seq_++, ledger::to_hex(e.id),
             std::string(ledger::reason_name(e.reason)), e.at_ms, delta, codec::entry_text(e),
             std::int64_t{delta != 0 ? 1 : 0}});
    }
}

// With a tier sum known in this transaction, the running sum moves to its start: the next
// reads walk only the receipts that leave the window after now.
void SqlMemberTx::save_counters(const MemberCounters& c) {
    counters_ = c;
    static const std::string upsert =
        "INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, "
        "tier_held, window_start_ms, stamps, spins";
    static const std::string update =
        " ON CONFLICT (merchant_id, member_id) DO UPDATE SET spend_total = excluded.spend_total, "
        "last_purchase_ms = excluded.last_purchase_ms, tier_held = excluded.tier_held, "
        "window_start_ms = excluded.window_start_ms, stamps = excluded.stamps, spins = "
        "excluded.spins";
    static const std::string without_sum =
        upsert + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)" + update;
    static const std::string with_sum =
        upsert + ", tier_sum, tier_sum_from_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" +
        update + ", tier_sum = excluded.tier_sum, tier_sum_from_ms = excluded.tier_sum_from_ms";
    if (!tier_sum_) {
        sql().write(without_sum, {merchant_, member_, c.spend_total, c.last_purchase_ms,
                                  c.tier_held, c.window_start_ms, c.stamps, c.spins});
        return;
    }
    sql().write(with_sum, {merchant_, member_, c.spend_total, c.last_purchase_ms, c.tier_held,
                           c.window_start_ms, c.stamps, c.spins, tier_sum_->sum, tier_sum_->since});
    tier_sum_unsaved_ = false;
}

// Insert-or-fail on the receipts' key, never an update of another writer's row. DO NOTHING
// (rather than catching the unique violation) leaves the transaction usable to roll back
// cleanly; on PostgreSQL it still waits for a concurrent inserter of the id to end first.
bool SqlMemberTx::insert_receipt(const ReceiptRecord& r) {
    const auto inserted =
        sql().exec("INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, paid, "
                   "tier_qualifying, receipt, quote, returned) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                   "ON CONFLICT (merchant_id, receipt_id) DO NOTHING",
                   {merchant_, r.receipt_id, member_, r.op_id, r.at_ms, r.paid, r.tier_qualifying,
                    r.receipt, r.quote, r.returned});
    if (inserted != 1) return false;
    tier_change(r.at_ms, r.tier_qualifying);
    return true;
}

// A plain insert: a concurrent writer of the same id makes it fail (on PostgreSQL once that
// writer commits), which rolls this transaction back.
void SqlMemberTx::add_receipt(const ReceiptRecord& r) {
    sql().write(
        "INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, paid, "
        "tier_qualifying, receipt, quote, returned) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {merchant_, r.receipt_id, member_, r.op_id, r.at_ms, r.paid, r.tier_qualifying, r.receipt,
         r.quote, r.returned});
    tier_change(r.at_ms, r.tier_qualifying);
}

void SqlMemberTx::save_receipt(const ReceiptRecord& r) {
    auto before = receipts_qualifying_.find(r.receipt_id);
    if (before == receipts_qualifying_.end()) {
        const auto row = sql().query(
            "SELECT tier_qualifying FROM receipts WHERE merchant_id = $1 AND receipt_id = $2 AND "
            "member_id = $3",
            {merchant_, r.receipt_id, member_});
        if (row.empty())
            throw std::runtime_error("receipt " + r.receipt_id + " is not this member's");
        before = receipts_qualifying_.emplace(r.receipt_id, to_i64(row[0][0])).first;
    }
    const auto changed =
        sql().exec("UPDATE receipts SET tier_qualifying = $4, returned = $5 "
                   "WHERE merchant_id = $1 AND receipt_id = $2 AND member_id = $3",
                   {merchant_, r.receipt_id, member_, r.tier_qualifying, r.returned});
    if (changed != 1) throw std::runtime_error("receipt " + r.receipt_id + " is not this member's");
    tier_change(r.at_ms, r.tier_qualifying - before->second);
    before->second = r.tier_qualifying;
}

void SqlMemberTx::save_operation(const StoredOperation& op) {
    sql().write(
        "INSERT INTO operations (merchant_id, op_id, kind, member_id, request, status, response, "
        "at_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {merchant_, op.op_id, op.kind, member_, op.request, op.status, op.response, op.at_ms});
}

// The row is created empty if missing, then read with a row lock (PostgreSQL): the lock is
// held to the end of the member's transaction, after the member's own lock.
std::string SqlMemberTx::shared_state(const std::string& kind, const std::string& id) {
    sql().exec(
        "INSERT INTO shared_state (merchant_id, kind, state_id, state) VALUES ($1, $2, $3, '') "
        "ON CONFLICT (merchant_id, kind, state_id) DO NOTHING",
        {merchant_, kind, id});
    const auto r = sql().query(std::string("SELECT state FROM shared_state WHERE merchant_id = $1 "
                                           "AND kind = $2 AND state_id = $3") +
                                   sql().dialect().for_update(),
                               {merchant_, kind, id});
    return r.empty() ? std::string() : r[0][0];
}

void SqlMemberTx::save_shared_state(const std::string& kind, const std::string& id,
                                    const std::string& state) {
    sql().write(
        "INSERT INTO shared_state (merchant_id, kind, state_id, state) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (merchant_id, kind, state_id) DO UPDATE SET state = excluded.state",
        {merchant_, kind, id, state});
}

std::optional<CouponRecord> SqlMemberTx::coupon(const std::string& code) {
    const auto r = sql().query(std::string("SELECT ") + kCouponColumns +
                                   " FROM coupons WHERE merchant_id = $1 AND code = $2",
                               {merchant_, code});
    if (r.empty()) return std::nullopt;
    return coupon_from(r[0]);
}

// A coupon's code derives from the operation that issued it, so two members' coupons share a
// code only when one operation id was sent for both at once; the update is limited to this
// member's coupon so that the other's is never overwritten, and the write is refused.
void SqlMemberTx::save_coupon(const CouponRecord& c) {
    const auto changed = sql().exec(
        "INSERT INTO coupons (merchant_id, code, member_id, reward_id, source, reservation_id, "
        "points, op_id, issued_at_ms, expires_at_ms, redeemed_at_ms, redeemed_op, receipt_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
        "ON CONFLICT (merchant_id, code) DO UPDATE SET "
        "redeemed_at_ms = excluded.redeemed_at_ms, redeemed_op = excluded.redeemed_op, "
        "receipt_id = excluded.receipt_id, expires_at_ms = excluded.expires_at_ms "
        "WHERE coupons.member_id = excluded.member_id",
        {merchant_, c.code, member_, c.reward_id, c.source, c.reservation_id, c.points, c.op_id,
         c.issued_at_ms, c.expires_at_ms, c.redeemed_at_ms, c.redeemed_op, c.receipt_id});
    if (changed != 1)
        throw UniqueViolation("coupon " + c.code + " is another member's", "operation_id");
}

void SqlMemberTx::save_spin(const SpinRecord& s) {
    sql().write(
        "INSERT INTO spins (merchant_id, op_id, member_id, wheel_id, prize_id, seed, cost, at_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {merchant_, s.op_id, member_, s.wheel_id, s.prize_id, s.seed, s.cost, s.at_ms});
}

std::optional<ReferralRecord> SqlMemberTx::referral() {
    const auto r = sql().query(kReferralSelect, {merchant_, member_});
    if (r.empty()) return std::nullopt;
    return ReferralRecord{merchant_, member_, r[0][0], to_i64(r[0][1]), to_i64(r[0][2]), r[0][3]};
}

void SqlMemberTx::save_referral(const ReferralRecord& r) {
    sql().write(
        "UPDATE referrals SET qualified_at_ms = $3, qualified_op = $4 "
        "WHERE merchant_id = $1 AND member_id = $2",
        {merchant_, member_, r.qualified_at_ms, r.qualified_op});
}

void SqlMemberTx::append_audit(const AuditRecord& a) {
    log_change(sql(), Change{std::nullopt, a});
}

std::int64_t SqlMemberTx::referrals_qualified_since(const std::string& inviter_id,
                                                    std::int64_t since_ms) {
    return to_i64(sql().query("SELECT COUNT(*) FROM referrals WHERE merchant_id = $1 AND "
                              "inviter_id = $2 AND qualified_at_ms >= $3 AND qualified_at_ms > 0",
                              {merchant_, inviter_id, since_ms})[0][0]);
}

// [SECTION] Merchants, programs, API keys, member transactions

void SqlStore::migrate_schema() {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    transact(TxMode::write, [&](Sql& s) {
        migrate(s, static_cast<std::int64_t>(now_ms));
        return true;
    });
}

namespace {

std::optional<MerchantRecord> merchant_where(Sql& s, const char* where, const std::string& value) {
    const auto r = s.query(
        std::string("SELECT merchant_id, code, name, currency, card_secret FROM merchants WHERE ") +
            where,
        {value});
    if (r.empty()) return std::nullopt;
    return MerchantRecord{r[0][0], r[0][1], r[0][2], r[0][3], r[0][4]};
}

}  // namespace

std::optional<MerchantRecord> SqlStore::merchant_by_code(const std::string& code) {
    return cached<std::optional<MerchantRecord>>("merchant code\n" + code, [&] {
        return read<std::optional<MerchantRecord>>(
            [&](Sql& s) { return merchant_where(s, "code = $1", code); });
    });
}

std::optional<MerchantRecord> SqlStore::merchant_by_id(const std::string& merchant_id) {
    return cached<std::optional<MerchantRecord>>("merchant\n" + merchant_id, [&] {
        return read<std::optional<MerchantRecord>>(
            [&](Sql& s) { return merchant_where(s, "merchant_id = $1", merchant_id); });
    });
}

namespace {
// The columns a program version is read with, p the programs and a its document_authors row.
const char* const kProgramSelect =
    "SELECT p.program_id, p.version, p.document, p.effective_from_ms, p.created_at_ms, "
    "COALESCE(a.actor_kind, ''), COALESCE(a.actor_id, ''), COALESCE(a.actor_label, '') "
    "FROM programs p LEFT JOIN document_authors a ON a.merchant_id = p.merchant_id AND "
    "a.kind = 'program' AND a.doc_id = 'program' AND a.version = p.version "
    "WHERE p.merchant_id = $1 ";

ProgramRecord program_from(const std::string& merchant_id, const SqlRow& r) {
    return ProgramRecord{merchant_id,  r[0], to_i64(r[1]), r[2], to_i64(r[3]),
                         to_i64(r[4]), r[5], r[6],         r[7]};
}
}  // namespace

namespace {
// The program in effect at a time, and the times it is the answer for: from its own
// effective_from_ms (or from the start of time, the first version before it took effect) up to
// the next version's effective_from_ms.
struct ProgramInEffect {
    std::shared_ptr<const ProgramRecord> program;
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
    std::int64_t until_ms = std::numeric_limits<std::int64_t>::max();
};
}  // namespace

std::shared_ptr<const ProgramRecord> SqlStore::current_program(const std::string& merchant_id,
                                                               std::int64_t at_ms) {
    // Where nothing is cached, the next version's time is not needed.
    const bool kept = config_generation().has_value();
    const auto load = [&] {
        return read<ProgramInEffect>([&](Sql& s) {
            ProgramInEffect out;
            auto r = s.query(std::string(kProgramSelect) +
                                 "AND p.effective_from_ms <= $2 "
                                 "ORDER BY p.effective_from_ms DESC, p.version DESC LIMIT 1",
                             {merchant_id, at_ms});
            if (!r.empty()) out.from_ms = to_i64(r[0][3]);
            if (r.empty())  // before the first version took effect: the first one
                r = s.query(
                    std::string(kProgramSelect) + "ORDER BY p.effective_from_ms, p.version LIMIT 1",
                    {merchant_id});
            if (r.empty()) return out;
            out.program = std::make_shared<const ProgramRecord>(program_from(merchant_id, r[0]));
            if (!kept) return out;
            const auto next = s.query(
                "SELECT MIN(effective_from_ms) FROM programs WHERE "
                "merchant_id = $1 AND effective_from_ms > $2",
                {merchant_id, at_ms});
            if (!next.empty() && !next[0][0].empty()) out.until_ms = to_i64(next[0][0]);
            return out;
        });
    };
    return cached<ProgramInEffect>(
               "program\n" + merchant_id, load,
               [&](const ProgramInEffect& p) { return at_ms >= p.from_ms && at_ms < p.until_ms; })
        .program;
}

std::vector<ProgramRecord> SqlStore::program_versions(const std::string& merchant_id,
                                                      std::int64_t before_version,
                                                      std::size_t limit) {
    return read<std::vector<ProgramRecord>>([&](Sql& s) {
        std::vector<ProgramRecord> out;
        for (const auto& r :
             s.query(std::string(kProgramSelect) +
                         "AND ($2 = 0 OR p.version < $2) ORDER BY p.version DESC LIMIT $3",
                     {merchant_id, before_version, static_cast<std::int64_t>(limit)}))
            out.push_back(program_from(merchant_id, r));
        return out;
    });
}

std::vector<ReceiptRecord> SqlStore::receipts_page(const std::string& merchant_id,
                                                   std::int64_t from_ms, std::int64_t to_ms,
                                                   std::int64_t after_at_ms,
                                                   const std::string& after_id,
                                                   std::size_t limit) {
    return read<std::vector<ReceiptRecord>>([&](Sql& s) {
        std::vector<ReceiptRecord> out;
        for (const auto& r : s.query(
                 std::string("SELECT ") + kReceiptColumns +
                     " FROM receipts WHERE merchant_id = $1 AND at_ms >= $2 AND at_ms < $3 AND "
                     "(at_ms > $4 OR (at_ms = $4 AND receipt_id > $5)) "
                     "ORDER BY at_ms, receipt_id LIMIT $6",
                 {merchant_id, from_ms, to_ms, after_at_ms, after_id,
                  static_cast<std::int64_t>(limit)}))
            out.push_back(receipt_from(r));
        return out;
    });
}

std::optional<std::string> SqlStore::receipt_member(const std::string& merchant_id,
                                                    const std::string& receipt_id) {
    return read<std::optional<std::string>>([&](Sql& s) -> std::optional<std::string> {
        const auto r =
            s.query("SELECT member_id FROM receipts WHERE merchant_id = $1 AND receipt_id = $2",
                    {merchant_id, receipt_id});
        if (r.empty()) return std::nullopt;
        return r[0][0];
    });
}

void SqlStore::put_merchant(const MerchantRecord& m, std::int64_t now_ms) {
    write([&](Sql& s) {
        s.exec(
            "INSERT INTO merchants (merchant_id, code, name, currency, card_secret, created_at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {m.merchant_id, m.code, m.name, m.currency, m.card_secret, now_ms});
        return true;
    });
}

// The versions' order is the order of their transactions: on PostgreSQL the first statement
// locks the merchant's row, so two publishers take turns and never pick the same number.
std::int64_t SqlStore::put_program(const ProgramRecord& p, std::int64_t now_ms,
                                   const Change& change) {
    std::int64_t version = 0;
    write([&](Sql& s) {
        s.query("SELECT merchant_id FROM merchants WHERE merchant_id = $1" +
                    std::string(s.dialect().for_update()),
                {p.merchant_id});
        version = to_i64(s.query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM programs "
                                 "WHERE merchant_id = $1",
                                 {p.merchant_id})[0][0]);
        check_version(change, version);
        ++version;
        log_change(s, change);
        if (change.audit)
            s.exec("INSERT INTO document_authors (merchant_id, kind, doc_id, version, actor_kind, "
                   "actor_id, actor_label) VALUES ($1, 'program', 'program', $2, $3, $4, $5)",
                   {p.merchant_id, version, change.audit->actor_kind, change.audit->actor_id,
                    change.audit->actor_label});
        s.exec("INSERT INTO programs (merchant_id, program_id, version, document, created_at_ms, "
               "effective_from_ms) VALUES ($1, $2, $3, $4, $5, $6)",
               {p.merchant_id, p.program_id, version, p.document, now_ms,
                p.effective_from_ms ? p.effective_from_ms : now_ms});
        return true;
    });
    return version;
}

void SqlStore::put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) {
    write([&](Sql& s) {
        s.exec(
            "INSERT INTO api_keys (merchant_id, key_id, role, salt_hex, secret_hash_hex, "
            "created_at_ms, "
            "revoked_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {k.merchant_id, k.key_id, k.role, k.salt_hex, k.secret_hash_hex, now_ms,
             k.revoked_at_ms});
        return true;
    });
}

std::optional<ApiKeyRecord> SqlStore::api_key(const std::string& key_id) {
    return cached<std::optional<ApiKeyRecord>>("api key\n" + key_id, [&] {
        return read<std::optional<ApiKeyRecord>>([&](Sql& s) -> std::optional<ApiKeyRecord> {
            const auto r = s.query(
                "SELECT merchant_id, role, salt_hex, secret_hash_hex, revoked_at_ms FROM api_keys "
                "WHERE key_id = $1",
                {key_id});
            if (r.empty()) return std::nullopt;
            return ApiKeyRecord{r[0][0], key_id, r[0][1], r[0][2], r[0][3], to_i64(r[0][4])};
        });
    });
}

std::vector<std::string> SqlStore::merchant_ids() {
    return read<std::vector<std::string>>([&](Sql& s) {
        std::vector<std::string> out;
        for (const auto& r : s.query("SELECT merchant_id FROM merchants ORDER BY merchant_id", {}))
            out.push_back(r[0]);
        return out;
    });
}

bool SqlStore::empty() {
    return read<bool>(
        [&](Sql& s) { return to_i64(s.query("SELECT COUNT(*) FROM merchants", {})[0][0]) == 0; });
}

// With row locks (PostgreSQL) the transaction's first statements take the member's write
// lock: the member's member_counters row is locked FOR UPDATE — created first if missing (ON
// CONFLICT DO NOTHING waits for a concurrent inserter and then does nothing; the lock is then
// taken again), one statement for a member who has one — so a second writer
// for the same member — another thread or another server process — blocks there until the
// first commits or rolls back. Every later statement in READ COMMITTED takes a fresh
// snapshot, so once the lock is held the transaction reads the member's rows as the previous
// holder committed them, and nobody else can change them until it ends: the
// read-decide-write of a receipt can't interleave with another one, which is what SQLite's
// BEGIN IMMEDIATE gives. The placeholder counters row holds the same values counters()
// returns for a member without one (MemberCounters{}).
// A write for no member (member_id "", a receipt without a card) locks nothing: such writes
// touch no member's rows, and the database's unique keys (receipt id, operation id) decide
// between two at once, so they don't queue behind one another.
//
// What reads names goes to PostgreSQL behind the lock (Sql::prefetch: one round trip for the
// lock and the reads, each read's snapshot taken once the lock is held); when the placeholder
// row had to be inserted first, its write drops those answers and each is read again.
bool SqlStore::with_member(const std::string& merchant_id, const std::string& member_id,
                           const MemberReads& reads, const std::function<bool(MemberTx&)>& fn) {
    std::optional<CheckpointCache::Entry> saved;  // the checkpoint written, kept once committed
    const bool done = write([&](Sql& s) {
        saved.reset();
        const char* const lock =
            "SELECT 1 FROM member_counters WHERE merchant_id = $1 AND member_id = $2 FOR UPDATE";
        const bool locks = s.dialect().row_locks && !member_id.empty();
        if (locks) s.prefetch(lock, {merchant_id, member_id});
        SqlMemberTx tx(s, merchant_id, member_id);
        tx.use_checkpoints(&checkpoints_, true);
        tx.will_read(reads);
        if (locks && s.query(lock, {merchant_id, member_id}).empty()) {
            s.exec(
                "INSERT INTO member_counters (merchant_id, member_id, spend_total, "
                "last_purchase_ms, tier_held, "
                "window_start_ms, stamps) VALUES ($1, $2, 0, 0, '', 0, '{}') "
                "ON CONFLICT (merchant_id, member_id) DO NOTHING",
                {merchant_id, member_id});
            s.query(lock, {merchant_id, member_id});
        }
        if (!fn(tx)) return false;
        tx.finish();
        saved = tx.take_saved();
        return true;
    });
    if (done && saved) checkpoints_.put(merchant_id, member_id, std::move(*saved));
    return done;
}

namespace {
// SqlStore::member_by_card_ahead()'s read for read_member(): the rows read_checkpoints() gives
// the member for ask (its tier window and points_at time).
struct SqlReadAhead : MemberReadAhead {
    std::string merchant_id, member_id;
    SqlMemberTx::StateAsk ask;
    std::vector<SqlRow> rows;
};
}  // namespace

// one_statement_first: first as one statement outside a transaction (a lookup's checkpoint,
// counters, entries and tier sum come in one, which sees one snapshot by itself); a reader
// that needs a second statement starts again inside a read-only snapshot.
void SqlStore::read_member(const std::string& merchant_id, const std::string& member_id,
                           const std::function<void(MemberTx&)>& fn, bool one_statement_first,
                           MemberReadAhead* ahead) {
    if (one_statement_first && reads_together()) {
        auto* read = dynamic_cast<SqlReadAhead*>(ahead);
        try {
            SqlMemberTx tx(
                [&](const SqlMemberTx::StateAsk& ask) {
                    if (read && !read->rows.empty() && read->merchant_id == merchant_id &&
                        read->member_id == member_id && read->ask.tier_since == ask.tier_since &&
                        read->ask.points_at == ask.points_at)
                        return std::move(read->rows);  // once: a run again reads afresh
                    return checkpoint_reads_.read(
                        CheckpointRead{merchant_id, member_id, ask},
                        [this](std::vector<CheckpointReads::Slot*>& g) { read_checkpoints(g); });
                },
                merchant_id, member_id);
            fn(tx);
            return;
        } catch (const SqlMemberTx::NeedsSnapshot&) {
        }
    } else if (one_statement_first) {
        try {
            transact(TxMode::read, [&](Sql& s) {
                SqlMemberTx tx(s, merchant_id, member_id, true);
                tx.use_checkpoints(&checkpoints_);
                fn(tx);
                return false;
            });
            return;
        } catch (const SqlMemberTx::NeedsSnapshot&) {
        }
    }
    transact(TxMode::snapshot, [&](Sql& s) {
        SqlMemberTx tx(s, merchant_id, member_id);
        tx.use_checkpoints(&checkpoints_);
        fn(tx);
        return false;
    });
}

// [SECTION] Members

std::optional<MemberRecord> SqlStore::member_by_card(const std::string& merchant_id,
                                                     const std::string& number) {
    if (reads_together())
        return card_reads_
            .read(CardRead{merchant_id, number},
                  [this](std::vector<CardReads::Slot*>& g) { read_cards(g); })
            .member;
    return read<std::optional<MemberRecord>>([&](Sql& s) {
        auto m = one_member(s, merchant_id,
                            "m.merchant_id = $1 AND m.member_id = (SELECT c.member_id FROM cards c "
                            "WHERE c.merchant_id = $1 AND c.number = $2)",
                            {merchant_id, number});
        if (m) m->card_number = number;  // the card presented, not necessarily the first
        return m;
    });
}

std::optional<MemberRecord> SqlStore::member_by_card_ahead(
    const std::string& merchant_id, const std::string& number, std::int64_t tier_since,
    std::int64_t points_at, std::unique_ptr<MemberReadAhead>* ahead) {
    ahead->reset();
    if (!reads_together()) return member_by_card(merchant_id, number);
    const std::int64_t since = std::max<std::int64_t>(tier_since, -1);  // never kMemberOnly
    CardAnswer answer =
        card_reads_.read(CardRead{merchant_id, number, since, points_at},
                         [this](std::vector<CardReads::Slot*>& g) { read_cards(g); });
    return card_answer(merchant_id, std::move(answer), since, points_at, ahead);
}

void SqlStore::member_by_card_later(const std::string& merchant_id, const std::string& number,
                                    std::int64_t tier_since, std::int64_t points_at,
                                    CardThen then) {
    if (!reads_together())
        return Store::member_by_card_later(merchant_id, number, tier_since, points_at,
                                           std::move(then));
    const std::int64_t since = std::max<std::int64_t>(tier_since, -1);  // never kMemberOnly
    card_queue_.submit(
        CardRead{merchant_id, number, since, points_at},
        [then = std::move(then)](CardQueue::Slot& read) {
            std::unique_ptr<MemberReadAhead> ahead;
            std::optional<MemberRecord> member;
            if (!read.error)
                member = card_answer(read.request.merchant_id, std::move(read.answer),
                                     read.request.tier_since, read.request.points_at, &ahead);
            then(std::move(member), std::move(ahead), read.error);
        },
        [this](std::vector<CardQueue::Slot*>& g) { read_cards(g); });
}

std::optional<MemberRecord> SqlStore::card_answer(const std::string& merchant_id, CardAnswer answer,
                                                  std::int64_t since, std::int64_t points_at,
                                                  std::unique_ptr<MemberReadAhead>* ahead) {
    if (answer.member && !answer.state.empty()) {
        auto read = std::make_unique<SqlReadAhead>();
        read->merchant_id = merchant_id;
        read->member_id = answer.member->member_id;
        read->ask = {since, points_at};
        read->rows = std::move(answer.state);
        *ahead = std::move(read);
    }
    return std::move(answer.member);
}

// [SECTION] Lookups read together (PostgreSQL)

namespace {

// A PostgreSQL array literal of texts: {"a","b"}, quotes and backslashes escaped.
std::string pg_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const std::string& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char ch : item) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

// The slots of a group by merchant: each merchant's reads are one statement.
template <class Slot>
std::map<std::string, std::vector<Slot*>> by_merchant(const std::vector<Slot*>& group) {
    std::map<std::string, std::vector<Slot*>> out;
    for (Slot* slot : group) out[slot->request.merchant_id].push_back(slot);
    return out;
}

// The i-th (from 1) read of a group a row of a group statement answers (its first column).
template <class Slot>
Slot& slot_of(const std::vector<Slot*>& slots, const SqlRow& row) {
    const std::int64_t i = to_i64(row.at(0));
    if (i < 1 || i > static_cast<std::int64_t>(slots.size()))
        throw std::runtime_error("a grouped read answered a read it was not asked");
    return *slots[static_cast<std::size_t>(i - 1)];
}

// A group's arrays as PostgreSQL array literals: key(request) of each read, and each read's
// StateAsk (ask(request)): the tier windows' starts and the points_at times.
struct GroupArrays {
    std::string keys, since, points_at;
};
template <class Slot, class Key, class Ask>
GroupArrays group_arrays(const std::vector<Slot*>& slots, Key key, Ask ask) {
    std::vector<std::string> keys;
    std::string since = "{", at = "{";
    for (const Slot* slot : slots) {
        keys.push_back(key(slot->request));
        const SqlMemberTx::StateAsk a = ask(slot->request);
        if (since.size() > 1) since += ',', at += ',';
        since += std::to_string(a.tier_since);
        at += std::to_string(a.points_at);
    }
    return {pg_array(keys), since + "}", at + "}"};
}

}  // namespace

std::size_t SqlStore::read_runners() {
    return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 2, 4);
}

// member_by_card() for each read of the group ($2 the cards: one member each at most, cards'
// key is (merchant_id, number)) and, for the reads that ask for it (their tier window's start
// in $3, kMemberOnly for none), the member's rows read_checkpoints() would read, in the same
// statement: a row for each member found (its columns, then the checkpoint's, the counters'
// and the tier window's sum, as kCheckpointSelect's first row), then its entries after the
// checkpoint (NULL in the member's columns).
void SqlStore::read_cards(std::vector<CardReads::Slot*>& group) {
    static const std::string statement =
        std::string(
            "WITH k AS (SELECT k.i, k.since, k.at, x.member_id FROM unnest((SELECT CAST($2 AS "
            "TEXT[])), (SELECT CAST($3 AS BIGINT[])), (SELECT CAST($4 AS BIGINT[]))) WITH "
            "ORDINALITY AS k(number, since, at, i) "
            "JOIN LATERAL (SELECT x.member_id FROM cards x WHERE x.merchant_id = $1 AND "
            "x.number = k.number OFFSET 0) x ON TRUE) "
            "SELECT k.i, 0, ") +
        kMemberColumns +
        ", s.seq, s.version, CASE WHEN s.points_from_ms <= k.at AND k.at < s.points_until_ms "
        "THEN NULL ELSE s.body END, c.spend_total, c.last_purchase_ms, c.tier_held, "
        "c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL THEN 0 ELSE 1 "
        "END, " +
        tier_sum_sql("k.member_id", "k.since") +
        ", s.points, s.points_from_ms, s.points_until_ms FROM k "
        "JOIN LATERAL (SELECT * FROM members m WHERE m.merchant_id = $1 AND m.member_id = "
        "k.member_id OFFSET 0) m ON TRUE "
        "LEFT JOIN LATERAL (SELECT * FROM member_state s WHERE k.since <> " +
        std::to_string(kMemberOnly) +
        " AND s.merchant_id = $1 AND s.member_id = k.member_id OFFSET 0) s ON TRUE "
        "LEFT JOIN LATERAL (SELECT * FROM member_counters c WHERE k.since <> " +
        std::to_string(kMemberOnly) +
        " AND c.merchant_id = $1 AND c.member_id = k.member_id OFFSET 0) c ON TRUE "
        "UNION ALL SELECT k.i, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "e.seq, NULL, e.body, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
        "FROM k JOIN LATERAL (SELECT x.seq FROM member_state x WHERE k.since <> " +
        std::to_string(kMemberOnly) +
        " AND x.merchant_id = $1 AND x.member_id = k.member_id OFFSET 0) x ON TRUE "
        "JOIN LATERAL (SELECT e.seq, e.body FROM member_entries e WHERE e.merchant_id = $1 AND "
        "e.member_id = k.member_id AND e.seq >= x.seq AND e.seq < x.seq + 4611686018427387904 "
        "ORDER BY e.seq OFFSET 0) e ON TRUE ORDER BY 1, 2, 13";
    constexpr std::size_t kMember = 2, kState = kMember + 10;  // first columns of each
    for (auto& [merchant_id, slots] : by_merchant(group)) {
        const GroupArrays arrays = group_arrays(
            slots, [](const CardRead& r) -> const std::string& { return r.number; },
            [](const CardRead& r) {
                return SqlMemberTx::StateAsk{r.tier_since, r.points_at};
            });
        const auto rows = read<std::vector<SqlRow>>([&, &merchant = merchant_id](Sql& s) {
            return s.query(statement, {merchant, arrays.keys, arrays.since, arrays.points_at});
        });
        for (auto* slot : slots) slot->answer = {};
        for (const SqlRow& row : rows) {
            auto& slot = slot_of(slots, row);
            const bool entry = row.at(1) == "1";
            if (!entry) {
                slot.answer.member =
                    member_from(merchant_id, SqlRow(row.begin() + kMember, row.begin() + kState));
                slot.answer.member->card_number = slot.request.number;  // as member_by_card()
            }
            if (slot.request.tier_since == kMemberOnly) continue;
            SqlRow state{row[1]};
            state.insert(state.end(), row.begin() + kState, row.end());
            slot.answer.state.push_back(std::move(state));
        }
    }
}

// kCheckpointSelect for each read of the group, each row led by the read's number: $2 the
// members, $3 their tier windows' starts, $4 their points_at times.
void SqlStore::read_checkpoints(std::vector<CheckpointReads::Slot*>& group) {
    static const std::string statement =
        "SELECT k.i, 0, s.seq, s.version, CASE WHEN s.points_from_ms <= k.at AND "
        "k.at < s.points_until_ms THEN NULL ELSE s.body END, c.spend_total, c.last_purchase_ms, "
        "c.tier_held, c.window_start_ms, c.stamps, c.spins, CASE WHEN c.member_id IS NULL "
        "THEN 0 ELSE 1 END, " +
        tier_sum_sql("k.id", "k.since") +
        ", s.points, s.points_from_ms, s.points_until_ms "
        "FROM unnest((SELECT CAST($2 AS TEXT[])), (SELECT CAST($3 AS BIGINT[])), "
        "(SELECT CAST($4 AS BIGINT[]))) WITH ORDINALITY AS k(id, since, at, i) "
        "LEFT JOIN LATERAL (SELECT * FROM member_state s WHERE s.merchant_id = $1 AND "
        "s.member_id = k.id OFFSET 0) s ON TRUE "
        "LEFT JOIN LATERAL (SELECT * FROM member_counters c WHERE c.merchant_id = $1 AND "
        "c.member_id = k.id OFFSET 0) c ON TRUE "
        "UNION ALL SELECT k.i, 1, e.seq, NULL, e.body, NULL, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, NULL FROM unnest((SELECT CAST($2 AS TEXT[]))) WITH "
        "ORDINALITY AS k(id, i) "
        "JOIN LATERAL (SELECT x.seq FROM member_state x WHERE x.merchant_id = $1 AND "
        "x.member_id = k.id OFFSET 0) x ON TRUE "
        "JOIN LATERAL (SELECT e.seq, e.body FROM member_entries e WHERE e.merchant_id = $1 "
        "AND e.member_id = k.id AND e.seq >= x.seq AND e.seq < x.seq + "
        "4611686018427387904 ORDER BY e.seq OFFSET 0) e ON TRUE ORDER BY 1, 2, 3";
    for (auto& [merchant_id, slots] : by_merchant(group)) {
        const GroupArrays arrays = group_arrays(
            slots, [](const CheckpointRead& r) -> const std::string& { return r.member_id; },
            [](const CheckpointRead& r) { return r.ask; });
        const auto rows = read<std::vector<SqlRow>>([&, &merchant = merchant_id](Sql& s) {
            return s.query(statement, {merchant, arrays.keys, arrays.since, arrays.points_at});
        });
        for (auto* slot : slots) slot->answer.clear();
        for (const SqlRow& row : rows)
            slot_of(slots, row).answer.emplace_back(row.begin() + 1, row.end());
    }
}

std::optional<MemberRecord> SqlStore::member_by_id(const std::string& merchant_id,
                                                   const std::string& member_id) {
    return read<std::optional<MemberRecord>>([&](Sql& s) {
        return one_member(s, merchant_id, "m.merchant_id = $1 AND m.member_id = $2",
                          {merchant_id, member_id});
    });
}

std::optional<MemberRecord> SqlStore::member_by_phone(const std::string& merchant_id,
                                                      const std::string& phone) {
    if (phone.empty()) return std::nullopt;
    // "phone <> ''" repeats the unique index's condition: SQLite uses a partial index only
    // for queries that state it. The phone is unique per merchant, so no ORDER BY is needed.
    return read<std::optional<MemberRecord>>([&](Sql& s) {
        return one_member(s, merchant_id,
                          "m.merchant_id = $1 AND m.phone = $2 AND m.phone <> '' AND "
                          "m.erased_at_ms = 0",
                          {merchant_id, phone});
    });
}

void SqlStore::put_member(const MemberRecord& m, std::int64_t now_ms, const Change& change) {
    transact(TxMode::write, [&](Sql& s) {
        log_change(s, change);
        s.exec(
            "INSERT INTO members (merchant_id, member_id, display_name, created_at_ms, phone, "
            "email, birthday, consent_at_ms, "
            "erased_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
            {m.merchant_id, m.member_id, m.display_name, now_ms, m.phone, m.email, m.birthday,
             m.consent_at_ms});
        if (!m.card_number.empty())
            s.exec(
                "INSERT INTO cards (merchant_id, number, member_id, created_at_ms) VALUES ($1, $2, "
                "$3, $4)",
                {m.merchant_id, m.card_number, m.member_id, now_ms});
        return true;
    });
}

std::vector<MemberRecord> SqlStore::members(const std::string& merchant_id) {
    return search_members(merchant_id, "", "", static_cast<std::size_t>(-1) >> 1);
}

std::vector<MemberRecord> SqlStore::search_members(const std::string& merchant_id,
                                                   const std::string& query,
                                                   const std::string& after_member_id,
                                                   std::size_t limit) {
    return read<std::vector<MemberRecord>>([&](Sql& s) {
        std::vector<SqlValue> params{merchant_id, after_member_id};
        std::string where = "m.merchant_id = $1 AND m.member_id > $2";
        if (!query.empty()) {
            params.emplace_back(contains_pattern(query));
            where +=
                " AND (lower(m.member_id) LIKE $3 ESCAPE '\\' OR lower(m.display_name) LIKE $3 "
                "ESCAPE '\\' OR "
                "m.phone LIKE $3 ESCAPE '\\' OR lower(m.email) LIKE $3 ESCAPE '\\' OR EXISTS "
                "(SELECT 1 FROM cards c "
                "WHERE c.merchant_id = m.merchant_id AND c.member_id = m.member_id AND c.number "
                "LIKE $3 ESCAPE '\\'))";
        }
        params.emplace_back(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30)));
        const std::string limit_param = "$" + std::to_string(params.size());
        std::vector<MemberRecord> out;
        for (const auto& row :
             s.query(std::string("SELECT ") + kMemberColumns + " FROM members m WHERE " + where +
                         " ORDER BY m.member_id LIMIT " + limit_param,
                     params))
            out.push_back(member_from(merchant_id, row));
        return out;
    });
}

bool SqlStore::update_member(const MemberRecord& m, const Change& change, std::int64_t now_ms) {
    bool found = false;
    transact(TxMode::write, [&](Sql& s) {
        next_row_version(s, m.merchant_id, "member", m.member_id, change);
        log_change(s, change);
        found = s.exec(
                    "UPDATE members SET display_name = $3, phone = $4, email = $5, birthday = $6, "
                    "consent_at_ms = $7 "
                    "WHERE merchant_id = $1 AND member_id = $2 AND erased_at_ms = 0",
                    {m.merchant_id, m.member_id, m.display_name, m.phone, m.email, m.birthday,
                     m.consent_at_ms}) == 1;
        // A card the member holds already changes nothing; any other replaces theirs.
        if (found && !m.card_number.empty() &&
            s.query("SELECT 1 FROM cards WHERE merchant_id = $1 AND member_id = $2 AND "
                    "number = $3",
                    {m.merchant_id, m.member_id, m.card_number})
                .empty()) {
            s.exec("DELETE FROM cards WHERE merchant_id = $1 AND member_id = $2",
                   {m.merchant_id, m.member_id});
            s.exec("INSERT INTO cards (merchant_id, number, member_id, created_at_ms) "
                   "VALUES ($1, $2, $3, $4)",
                   {m.merchant_id, m.card_number, m.member_id, now_ms});
        }
        return found;
    });
    return found;
}

bool SqlStore::erase_member(const std::string& merchant_id, const std::string& member_id,
                            std::int64_t now_ms, const Change& change) {
    bool found = false;
    transact(TxMode::write, [&](Sql& s) {
        next_row_version(s, merchant_id, "member", member_id, change);
        log_change(s, change);
        found = s.exec(
                    "UPDATE members SET display_name = '', phone = '', email = '', birthday = '', "
                    "erased_at_ms = $3 "
                    "WHERE merchant_id = $1 AND member_id = $2",
                    {merchant_id, member_id, now_ms}) == 1;
        if (!found) return false;
        s.exec("DELETE FROM cards WHERE merchant_id = $1 AND member_id = $2",
               {merchant_id, member_id});
        // Receipts keep their amounts for the totals; their lines and the requests of past
        // operations could name the member, so they are blanked too.
        s.exec("UPDATE operations SET request = '{}' WHERE merchant_id = $1 AND member_id = $2",
               {merchant_id, member_id});
        return true;
    });
    return found;
}

// [SECTION] Documents

// On PostgreSQL two writers may read the same latest version at the same instant; the second
// one's insert then breaks the documents' (…, version) key. With If-Match that is a version
// conflict like any other; without, the write goes again on top of the other one.
std::int64_t SqlStore::put_document(const DocumentRecord& d, std::int64_t now_ms,
                                    const Change& change) {
    for (int attempt = 1;; ++attempt) {
        try {
            return put_document_once(d, now_ms, change);
        } catch (const UniqueViolation&) {
            if (change.if_version) {
                const auto latest = document(d.merchant_id, d.kind, d.doc_id);
                throw VersionConflict(latest ? latest->version : 0);
            }
            if (attempt == 3) throw;
        }
    }
}

std::int64_t SqlStore::put_document_once(const DocumentRecord& d, std::int64_t now_ms,
                                         const Change& change) {
    std::int64_t version = 0;
    transact(TxMode::write, [&](Sql& s) {
        version = to_i64(s.query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM documents "
                                 "WHERE merchant_id = $1 AND kind = $2 AND doc_id = $3",
                                 {d.merchant_id, d.kind, d.doc_id})[0][0]);
        check_version(change, version);
        ++version;
        log_change(s, change);
        if (change.audit)
            s.exec("INSERT INTO document_authors (merchant_id, kind, doc_id, version, actor_kind, "
                   "actor_id, actor_label) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   {d.merchant_id, d.kind, d.doc_id, version, change.audit->actor_kind,
                    change.audit->actor_id, change.audit->actor_label});
        s.exec(
            "INSERT INTO documents (merchant_id, kind, doc_id, version, document, updated_at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {d.merchant_id, d.kind, d.doc_id, version, d.document, now_ms});
        return true;
    });
    return version;
}

std::optional<DocumentRecord> SqlStore::document(const std::string& merchant_id,
                                                 const std::string& kind,
                                                 const std::string& doc_id) {
    return cached<std::optional<DocumentRecord>>(
        "document\n" + merchant_id + "\n" + kind + "\n" + doc_id, [&] {
            return read<std::optional<DocumentRecord>>(
                [&](Sql& s) -> std::optional<DocumentRecord> {
                    const auto r = s.query(
                        "SELECT doc_id, version, document, updated_at_ms FROM documents WHERE "
                        "merchant_id = $1 AND kind = $2 AND doc_id = $3 "
                        "ORDER BY version DESC LIMIT 1",
                        {merchant_id, kind, doc_id});
                    if (r.empty()) return std::nullopt;
                    return document_from(merchant_id, kind, r[0]);
                });
        });
}

std::vector<DocumentRecord> SqlStore::documents(const std::string& merchant_id,
                                                const std::string& kind) {
    return read<std::vector<DocumentRecord>>([&](Sql& s) {
        std::vector<DocumentRecord> out;
        for (const auto& row : s.query(
                 "SELECT d.doc_id, d.version, d.document, d.updated_at_ms FROM documents d WHERE "
                 "d.merchant_id = $1 AND d.kind = $2 AND d.version = (SELECT MAX(x.version) FROM "
                 "documents x WHERE x.merchant_id = d.merchant_id AND x.kind = d.kind AND "
                 "x.doc_id = d.doc_id) ORDER BY d.doc_id",
                 {merchant_id, kind}))
            out.push_back(document_from(merchant_id, kind, row));
        return out;
    });
}

std::vector<DocumentRecord> SqlStore::document_versions(const std::string& merchant_id,
                                                        const std::string& kind,
                                                        const std::string& doc_id,
                                                        std::int64_t version) {
    return read<std::vector<DocumentRecord>>([&](Sql& s) {
        std::vector<DocumentRecord> out;
        for (const auto& r : s.query(
                 "SELECT d.doc_id, d.version, d.document, d.updated_at_ms, "
                 "COALESCE(a.actor_kind, ''), COALESCE(a.actor_id, ''), "
                 "COALESCE(a.actor_label, '') FROM documents d LEFT JOIN document_authors a ON "
                 "a.merchant_id = d.merchant_id AND a.kind = d.kind AND a.doc_id = d.doc_id AND "
                 "a.version = d.version WHERE d.merchant_id = $1 AND d.kind = $2 AND "
                 "d.doc_id = $3 AND ($4 = 0 OR d.version = $4) ORDER BY d.version DESC",
                 {merchant_id, kind, doc_id, version})) {
            DocumentRecord d = document_from(merchant_id, kind, r);
            d.by_kind = r[4];
            d.by_id = r[5];
            d.by_label = r[6];
            out.push_back(std::move(d));
        }
        return out;
    });
}

bool SqlStore::delete_document(const std::string& merchant_id, const std::string& kind,
                               const std::string& doc_id, const Change& change) {
    bool found = false;
    transact(TxMode::write, [&](Sql& s) {
        check_version(change, to_i64(s.query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) "
                                             "FROM documents WHERE merchant_id = $1 AND "
                                             "kind = $2 AND doc_id = $3",
                                             {merchant_id, kind, doc_id})[0][0]));
        log_change(s, change);
        found = s.exec("DELETE FROM documents WHERE merchant_id = $1 AND kind = $2 AND doc_id = $3",
                       {merchant_id, kind, doc_id}) > 0;
        s.exec("DELETE FROM document_authors WHERE merchant_id = $1 AND kind = $2 AND doc_id = $3",
               {merchant_id, kind, doc_id});
        return found;
    });
    return found;
}

// [SECTION] Pairing and devices

void SqlStore::put_pairing(const PairingRecord& p, const Change& change) {
    transact(TxMode::write, [&](Sql& s) {
        log_change(s, change);
        s.exec(
            "INSERT INTO pairings (merchant_id, code_hash, device_name, created_at_ms, "
            "expires_at_ms, used_at_ms, device_id) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {p.merchant_id, p.code_hash_hex, p.device_name, p.created_at_ms, p.expires_at_ms,
             p.used_at_ms, p.device_id});
        return true;
    });
}

std::optional<PairingRecord> SqlStore::pairing(const std::string& code_hash_hex) {
    return read<std::optional<PairingRecord>>([&](Sql& s) -> std::optional<PairingRecord> {
        const auto r = s.query(
            "SELECT merchant_id, device_name, created_at_ms, expires_at_ms, used_at_ms, device_id "
            "FROM pairings "
            "WHERE code_hash = $1",
            {code_hash_hex});
        if (r.empty()) return std::nullopt;
        return PairingRecord{r[0][0],         code_hash_hex,   r[0][1], to_i64(r[0][2]),
                             to_i64(r[0][3]), to_i64(r[0][4]), r[0][5]};
    });
}

// The conditional UPDATE is the race's referee: of two kiosks presenting one code, only
// the first to update the row changes it (the second, on PostgreSQL, waits for the first's
// commit, re-reads the row and finds it used).
bool SqlStore::complete_pairing(const std::string& code_hash_hex, const DeviceRecord& d,
                                std::int64_t now_ms) {
    bool done = false;
    transact(TxMode::write, [&](Sql& s) {
        done = s.exec(
                   "UPDATE pairings SET used_at_ms = $3, device_id = $4 WHERE merchant_id = $1 AND "
                   "code_hash = $2 AND "
                   "used_at_ms = 0 AND expires_at_ms > $3",
                   {d.merchant_id, code_hash_hex, now_ms, d.device_id}) == 1;
        if (!done) return false;
        s.exec(std::string("INSERT INTO devices (") + kDeviceColumns +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
               {d.merchant_id, d.device_id, d.name, d.salt_hex, d.secret_hash_hex, d.paired_at_ms,
                d.revoked_at_ms});
        return true;
    });
    return done;
}

std::optional<DeviceRecord> SqlStore::device(const std::string& device_id) {
    return read<std::optional<DeviceRecord>>([&](Sql& s) -> std::optional<DeviceRecord> {
        const auto r =
            s.query(std::string("SELECT ") + kDeviceSelect + "WHERE d.device_id = $1",
                    {device_id});
        if (r.empty()) return std::nullopt;
        return device_from(r[0]);
    });
}

std::vector<DeviceRecord> SqlStore::devices(const std::string& merchant_id) {
    return read<std::vector<DeviceRecord>>([&](Sql& s) {
        std::vector<DeviceRecord> out;
        for (const auto& row : s.query(std::string("SELECT ") + kDeviceSelect +
                                           "WHERE d.merchant_id = $1 ORDER BY "
                                           "d.paired_at_ms, d.device_id",
                                       {merchant_id}))
            out.push_back(device_from(row));
        return out;
    });
}

bool SqlStore::revoke_device(const std::string& merchant_id, const std::string& device_id,
                             std::int64_t now_ms, const Change& change) {
    bool found = false;
    transact(TxMode::write, [&](Sql& s) {
        log_change(s, change);
        found = s.exec(
                    "UPDATE devices SET revoked_at_ms = CASE WHEN revoked_at_ms = 0 THEN $3 ELSE "
                    "revoked_at_ms END "
                    "WHERE merchant_id = $1 AND device_id = $2",
                    {merchant_id, device_id, now_ms}) == 1;
        return found;
    });
    return found;
}

bool SqlStore::update_device(const DeviceRecord& d, const Change& change) {
    return write([&](Sql& s) {
        next_row_version(s, d.merchant_id, "device", d.device_id, change);
        if (s.exec("UPDATE devices SET name = $3 WHERE merchant_id = $1 AND device_id = $2",
                   {d.merchant_id, d.device_id, d.name}) != 1)
            return false;
        s.exec("INSERT INTO device_state (merchant_id, device_id, last_seen_ms, app_version, "
               "settings) VALUES ($1, $2, 0, '', $3) ON CONFLICT (merchant_id, device_id) "
               "DO UPDATE SET settings = excluded.settings",
               {d.merchant_id, d.device_id, d.settings});
        log_change(s, change);
        return true;
    });
}

void SqlStore::device_seen(const std::string& merchant_id, const std::string& device_id,
                           std::int64_t now_ms, const std::string& app_version) {
    write([&](Sql& s) {
        s.exec("INSERT INTO device_state (merchant_id, device_id, last_seen_ms, app_version, "
               "settings) VALUES ($1, $2, $3, $4, '{}') ON CONFLICT (merchant_id, device_id) "
               "DO UPDATE SET last_seen_ms = excluded.last_seen_ms, "
               "app_version = excluded.app_version",
               {merchant_id, device_id, now_ms, app_version});
        return true;
    });
}

// [SECTION] Coupons, operations, reports

std::string SqlStore::shared_state(const std::string& merchant_id, const std::string& kind,
                                   const std::string& id) {
    return read<std::string>([&](Sql& s) {
        const auto r = s.query(
            "SELECT state FROM shared_state WHERE merchant_id = $1 AND kind = $2 AND state_id = $3",
            {merchant_id, kind, id});
        return r.empty() ? std::string() : r[0][0];
    });
}

std::optional<std::string> SqlStore::coupon_member(const std::string& merchant_id,
                                                   const std::string& code) {
    return read<std::optional<std::string>>([&](Sql& s) -> std::optional<std::string> {
        const auto r = s.query("SELECT member_id FROM coupons WHERE merchant_id = $1 AND code = $2",
                               {merchant_id, code});
        if (r.empty()) return std::nullopt;
        return r[0][0];
    });
}

std::optional<StoredOperation> SqlStore::operation(const std::string& merchant_id,
                                                   const std::string& op_id) {
    return read<std::optional<StoredOperation>>([&](Sql& s) -> std::optional<StoredOperation> {
        const auto r = s.query(
            "SELECT kind, member_id, request, status, response, at_ms FROM operations "
            "WHERE merchant_id = $1 AND op_id = $2",
            {merchant_id, op_id});
        if (r.empty()) return std::nullopt;
        return StoredOperation{
            op_id,   r[0][0],        r[0][1], r[0][2], static_cast<int>(to_i64(r[0][3])),
            r[0][4], to_i64(r[0][5])};
    });
}

ReportRows SqlStore::report_rows(const std::string& merchant_id) {
    return read<ReportRows>([&](Sql& s) {
        ReportRows out;
        for (const auto& r : s.query("SELECT member_id, at_ms, paid FROM receipts WHERE "
                                     "merchant_id = $1 ORDER BY at_ms",
                                     {merchant_id}))
            out.receipts.push_back({r[0], to_i64(r[1]), to_i64(r[2])});
        for (const auto& r : s.query("SELECT member_id, reason, at_ms, member_delta FROM "
                                     "member_entries WHERE merchant_id = $1 "
                                     "ORDER BY at_ms, member_id, seq",
                                     {merchant_id}))
            out.entries.push_back({r[0], r[1], to_i64(r[2]), to_i64(r[3])});
        for (const auto& r : s.query("SELECT member_id, created_at_ms FROM members WHERE "
                                     "merchant_id = $1 ORDER BY member_id",
                                     {merchant_id}))
            out.members.push_back({r[0], to_i64(r[1])});
        for (const auto& r : s.query(
                 "SELECT prize_id, at_ms, cost FROM spins WHERE merchant_id = $1 ORDER BY at_ms",
                 {merchant_id}))
            out.spins.push_back({r[0], to_i64(r[1]), to_i64(r[2])});
        return out;
    });
}

namespace {
std::int64_t floor_day(std::int64_t ms) {
    const std::int64_t r = ((ms % day_ms) + day_ms) % day_ms;
    return (ms - r) / day_ms;
}

// The raw rows of [from, to) into *out, as report_rows reads them.
void rows_between(Sql& s, const std::string& merchant_id, std::int64_t from, std::int64_t to,
                  ReportRows* out) {
    const std::vector<SqlValue> p{merchant_id, from, to};
    for (const auto& r : s.query("SELECT member_id, at_ms, paid FROM receipts WHERE "
                                 "merchant_id = $1 AND at_ms >= $2 AND at_ms < $3",
                                 p))
        out->receipts.push_back({r[0], to_i64(r[1]), to_i64(r[2])});
    for (const auto& r : s.query("SELECT member_id, reason, at_ms, member_delta FROM "
                                 "member_entries WHERE merchant_id = $1 AND at_ms >= $2 AND "
                                 "at_ms < $3",
                                 p))
        out->entries.push_back({r[0], r[1], to_i64(r[2]), to_i64(r[3])});
    for (const auto& r : s.query("SELECT member_id, created_at_ms FROM members WHERE "
                                 "merchant_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3",
                                 p))
        out->members.push_back({r[0], to_i64(r[1])});
    for (const auto& r : s.query("SELECT prize_id, at_ms, cost FROM spins WHERE merchant_id = $1 "
                                 "AND at_ms >= $2 AND at_ms < $3",
                                 p))
        out->spins.push_back({r[0], to_i64(r[1]), to_i64(r[2])});
}
}  // namespace

// The sums by day come from report_days (migration 10), but for the days a cut falls inside,
// whose rows are read as they are; the distinct-member figures are counted by the database
// (one aggregate query each: active and churn, tier levels, cohorts through
// report_member_months of migration 12), so only counts leave it. One snapshot, so the
// parts agree with each other.
ReportInputs SqlStore::report_inputs(const std::string& merchant_id, const ReportAsk& ask) {
    ReportInputs out;
    transact(TxMode::snapshot, [&](Sql& s) {
        out = ReportInputs{};
        if (ask.cuts.empty()) return true;
        const std::int64_t last = *std::max_element(ask.cuts.begin(), ask.cuts.end());
        std::set<std::int64_t> cut_days;
        for (const std::int64_t c : ask.cuts)
            if (c % day_ms != 0 && c <= last) cut_days.insert(floor_day(c));
        std::string sums;
        for (const char* c : kRollupColumns) sums += std::string(", SUM(") + c + ")";
        for (const auto& r : s.query("SELECT day" + sums + " FROM report_days WHERE merchant_id "
                                     "= $1 AND day < $2 GROUP BY day ORDER BY day",
                                     {merchant_id, floor_day(last)})) {
            ReportDay d;
            d.day = to_i64(r[0]);
            if (cut_days.count(d.day)) continue;
            std::int64_t* fields[] = {&d.receipts, &d.receipts_with_card, &d.paid_member,
                                      &d.paid_other, &d.issued, &d.redeemed, &d.expired,
                                      &d.adjusted, &d.balance_delta, &d.enrolled, &d.spins,
                                      &d.spin_cost};
            for (std::size_t i = 0; i < 12; ++i) *fields[i] = to_i64(r[i + 1]);
            out.days.push_back(d);
        }
        for (const std::int64_t d : cut_days)
            rows_between(s, merchant_id, d * day_ms, std::min(last, (d + 1) * day_ms),
                         &out.near_cuts);
        // Distinct members come from grouping a range's rows by member, or from seeking each
        // member's rows (two index seeks a member, whatever the range's length). SQLite seeks
        // when the range holds more than twice as many member receipts as there are members
        // (the day roll-up says, near enough): 6 times less work at 10^6 receipts, more at
        // 10^4. PostgreSQL always groups (it hashes the rows faster than it seeks).
        std::int64_t members = 0;
        for (const ReportDay& d : out.days) members += d.enrolled;
        const auto seek_members = [&](std::int64_t from, std::int64_t to) {
            std::int64_t rows = 0;
            for (const ReportDay& d : out.days)
                if (d.day * day_ms >= from && d.day * day_ms < to) rows += d.receipts_with_card;
            return !s.dialect().row_locks && rows > 2 * members;
        };
        // Members with a receipt in [from, to), in the equal period before it, and churned.
        const auto count_active = [&](std::int64_t from, std::int64_t to,
                                      reports::MemberCounts* c) {
            // x per member: 2 when they bought in the period, + 1 when in the one before.
            const std::string bought =
                "CASE WHEN EXISTS (SELECT 1 FROM receipts r WHERE r.merchant_id = $1 AND "
                "r.member_id = m.member_id AND r.at_ms >= ";
            const std::string sql =
                !seek_members(from - (to - from), to)
                    ? "SELECT x, COUNT(*) FROM (SELECT MAX(CASE WHEN at_ms >= $2 THEN 2 ELSE 0 "
                      "END) + MAX(CASE WHEN at_ms < $2 THEN 1 ELSE 0 END) AS x FROM receipts "
                      "WHERE merchant_id = $1 AND at_ms >= $4 AND at_ms < $3 AND member_id <> '' "
                      "GROUP BY member_id) y GROUP BY x"
                    : "SELECT x, COUNT(*) FROM (SELECT " + bought + "$2 AND r.at_ms < $3) THEN 2 "
                      "ELSE 0 END + " + bought + "$4 AND r.at_ms < $2) THEN 1 ELSE 0 END AS x "
                      "FROM members m WHERE m.merchant_id = $1) y GROUP BY x";
            for (const auto& r : s.query(sql, {merchant_id, from, to, from - (to - from)})) {
                const std::int64_t x = to_i64(r[0]), n = to_i64(r[1]);
                if (x >= 2) c->active += n;
                if (x % 2 == 1) c->active_before += n;
                if (x == 1) c->churned += n;
            }
        };
        if (ask.active) count_active(ask.active->first, ask.active->second, &out.members);
        for (const auto& [from, to] : ask.active_counts)
            count_active(from, to, &out.active_counts.emplace_back());
        if (ask.tier_window && !ask.tier_thresholds.empty()) {
            const auto [from, to] = *ask.tier_window;
            // Summed per member, then counted by threshold; the members enrolled at or after
            // the window's end (usually none) are left out.
            std::string reached;
            std::vector<SqlValue> p{merchant_id, from, to};
            for (const std::int64_t t : ask.tier_thresholds) {
                p.push_back(t);
                reached += std::string(reached.empty() ? "" : ", ") +
                           "COALESCE(SUM(CASE WHEN q >= $" + std::to_string(p.size()) +
                           " THEN 1 ELSE 0 END), 0)";
            }
            // Seeking, each member's window is summed through member_entries_member_at (or
            // receipts_member).
            const std::string amount = ask.tier_spend ? "paid" : "member_delta";
            const std::string rows =
                ask.tier_spend ? " FROM receipts WHERE merchant_id = $1 AND at_ms >= $2 AND "
                                 "at_ms < $3 AND member_id <> ''"
                               : " FROM member_entries WHERE merchant_id = $1 AND at_ms >= $2 AND "
                                 "at_ms < $3 AND reason IN ('earn', 'clawback')";
            const std::string sums =
                !seek_members(from, to)
                    ? "(SELECT member_id, SUM(" + amount + ") AS q" + rows +
                          " GROUP BY member_id) x WHERE member_id NOT IN (SELECT member_id FROM "
                          "members WHERE merchant_id = $1 AND created_at_ms >= $3)"
                    : "(SELECT (SELECT SUM(" + amount + ")" + rows +
                          " AND member_id = m.member_id) AS q FROM members m WHERE "
                          "m.merchant_id = $1 AND m.created_at_ms < $3) x";
            const auto r = s.query("SELECT " + reached + " FROM " + sums, p);
            for (const std::string& n : r[0]) out.members.tier_reached.push_back(to_i64(n));
        }
        if (ask.cohorts) {
            // The cohorts' months from report_member_months (migration 12), but for the month
            // of to_ms - 1, which counts the receipts before to_ms only. CROSS JOIN keeps
            // SQLite's order: the period's members first, then each one's rows by key.
            const auto [from, to] = *ask.cohorts;
            const int last = reports::month_number(to - 1);
            // The period's members with their enrolment month, found by comparing the time
            // with the period's month starts (cheaper than dates), worked out once a member
            // (MATERIALIZED: PostgreSQL would otherwise redo it for each joined row). Three
            // queries: as one, SQLite builds Bloom filters over both whole tables joined.
            std::string enrolled;
            for (int m = reports::month_number(from); m < last; ++m)
                enrolled += " WHEN created_at_ms < " +
                            std::to_string(reports::month_start_ms(m + 1)) + " THEN " +
                            std::to_string(m);
            enrolled = enrolled.empty() ? std::to_string(last)
                                        : "CASE" + enrolled + " ELSE " + std::to_string(last) +
                                              " END";
            const std::string with =
                "WITH c AS MATERIALIZED (SELECT member_id, " + enrolled + " AS enrolled FROM "
                "members WHERE merchant_id = $1 AND created_at_ms >= $2 AND created_at_ms < $3) ";
            for (const auto& r : s.query(with + "SELECT enrolled, COUNT(*) FROM c GROUP BY "
                                                "enrolled ORDER BY enrolled",
                                         {merchant_id, from, to}))
                out.members.enrolled_by_month.emplace_back(to_i64(r[0]), to_i64(r[1]));
            for (const auto& r : s.query(
                     with + "SELECT enrolled, month, COUNT(*) FROM c CROSS JOIN "
                            "report_member_months m WHERE m.merchant_id = $1 AND m.member_id = "
                            "c.member_id AND m.month >= c.enrolled AND m.month < $4 GROUP BY "
                            "enrolled, month",
                     {merchant_id, from, to, std::int64_t{last}}))
                out.members.active_by_month.push_back({static_cast<int>(to_i64(r[0])),
                                                       static_cast<int>(to_i64(r[1])),
                                                       to_i64(r[2])});
            for (const auto& r : s.query(
                     with + "SELECT enrolled, COUNT(DISTINCT c.member_id) FROM c CROSS JOIN "
                            "receipts r WHERE r.merchant_id = $1 AND r.member_id = c.member_id "
                            "AND r.at_ms >= $4 AND r.at_ms < $3 GROUP BY enrolled",
                     {merchant_id, from, to, reports::month_start_ms(last)}))
                out.members.active_by_month.push_back(
                    {static_cast<int>(to_i64(r[0])), last, to_i64(r[1])});
        }
        for (const auto& r : s.query("SELECT prize_id, at_ms, cost FROM spins WHERE merchant_id "
                                     "= $1 AND at_ms >= $2 AND at_ms < $3",
                                     {merchant_id, ask.spins.first, ask.spins.second}))
            out.spins.push_back({r[0], to_i64(r[1]), to_i64(r[2])});
        return true;
    });
    return out;
}

std::vector<ReceiptRecord> SqlStore::member_receipts(const std::string& merchant_id,
                                                     const std::string& member_id) {
    return read<std::vector<ReceiptRecord>>([&](Sql& s) {
        std::vector<ReceiptRecord> out;
        for (const auto& r : s.query(std::string("SELECT ") + kReceiptColumns +
                                         " FROM receipts WHERE merchant_id = $1 AND "
                                         "member_id = $2 ORDER BY at_ms, receipt_id",
                                     {merchant_id, member_id}))
            out.push_back(receipt_from(r));
        return out;
    });
}

std::vector<CouponRecord> SqlStore::member_coupons(const std::string& merchant_id,
                                                   const std::string& member_id) {
    return read<std::vector<CouponRecord>>([&](Sql& s) {
        std::vector<CouponRecord> out;
        for (const auto& r : s.query(std::string("SELECT ") + kCouponColumns +
                                         " FROM coupons WHERE merchant_id = $1 AND "
                                         "member_id = $2 ORDER BY issued_at_ms, code",
                                     {merchant_id, member_id}))
            out.push_back(coupon_from(r));
        return out;
    });
}

// [SECTION] Website widget

// ON CONFLICT DO NOTHING is the referee: of two exchanges of one nonce only the first inserts
// its row (on PostgreSQL the second waits for the first to commit, then inserts nothing).
bool SqlStore::open_widget_session(const std::string& nonce, const WidgetSessionRecord& w,
                                   std::int64_t now_ms) {
    return write([&](Sql& s) {
        s.exec("DELETE FROM widget_nonces WHERE merchant_id = $1 AND expires_at_ms < $2",
               {w.merchant_id, now_ms});
        s.exec("DELETE FROM widget_sessions WHERE merchant_id = $1 AND expires_at_ms < $2",
               {w.merchant_id, now_ms});
        if (s.exec("INSERT INTO widget_nonces (merchant_id, nonce, expires_at_ms) "
                   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                   {w.merchant_id, nonce, w.expires_at_ms}) != 1)
            return false;
        s.exec("INSERT INTO widget_sessions (token_hash, merchant_id, member_id, expires_at_ms) "
               "VALUES ($1, $2, $3, $4)",
               {w.token_hash_hex, w.merchant_id, w.member_id, w.expires_at_ms});
        return true;
    });
}

std::optional<WidgetSessionRecord> SqlStore::widget_session(const std::string& token_hash_hex) {
    return read<std::optional<WidgetSessionRecord>>(
        [&](Sql& s) -> std::optional<WidgetSessionRecord> {
            const auto r = s.query(
                "SELECT merchant_id, member_id, expires_at_ms FROM widget_sessions "
                "WHERE token_hash = $1",
                {token_hash_hex});
            if (r.empty()) return std::nullopt;
            return WidgetSessionRecord{token_hash_hex, r[0][0], r[0][1], to_i64(r[0][2])};
        });
}

std::string SqlStore::referral_code(const std::string& merchant_id, const std::string& member_id,
                                    const std::string& candidate, std::int64_t now_ms) {
    std::string code;
    write([&](Sql& s) {
        s.exec("INSERT INTO referral_codes (merchant_id, member_id, code, created_at_ms) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
               {merchant_id, member_id, candidate, now_ms});
        const auto r = s.query(
            "SELECT code FROM referral_codes WHERE merchant_id = $1 AND member_id = $2",
            {merchant_id, member_id});
        code = r.empty() ? std::string() : r[0][0];
        return true;
    });
    return code;
}

std::optional<std::string> SqlStore::referral_code_member(const std::string& merchant_id,
                                                         const std::string& code) {
    return read<std::optional<std::string>>([&](Sql& s) -> std::optional<std::string> {
        const auto r =
            s.query("SELECT member_id FROM referral_codes WHERE merchant_id = $1 AND code = $2",
                    {merchant_id, code});
        if (r.empty()) return std::nullopt;
        return r[0][0];
    });
}

bool SqlStore::put_referral(const ReferralRecord& r) {
    return write([&](Sql& s) {
        return s.exec("INSERT INTO referrals (merchant_id, member_id, inviter_id, created_at_ms, "
                      "qualified_at_ms, qualified_op) VALUES ($1, $2, $3, $4, 0, '') "
                      "ON CONFLICT DO NOTHING",
                      {r.merchant_id, r.member_id, r.inviter_id, r.created_at_ms}) == 1;
    });
}

// [SECTION] Console staff and sessions

namespace {
const char* const kStaffColumns =
    "merchant_id, user_id, email, name, role, password_hash, disabled, created_at_ms, "
    "last_login_ms, version";

StaffUserRecord staff_from(const SqlRow& r) {
    return StaffUserRecord{r[0], r[1], r[2], r[3], r[4], r[5], to_i64(r[6]) != 0,
                           to_i64(r[7]), to_i64(r[8]), to_i64(r[9])};
}

std::vector<StaffUserRecord> staff_where(Sql& s, const std::string& where,
                                         const std::vector<SqlValue>& params) {
    std::vector<StaffUserRecord> out;
    for (const auto& r : s.query(std::string("SELECT ") + kStaffColumns +
                                     " FROM staff_users WHERE " + where + " ORDER BY user_id",
                                 params))
        out.push_back(staff_from(r));
    return out;
}

std::int64_t revoke_sessions(Sql& s, const std::string& merchant_id, const std::string& user_id,
                             const std::string& session_id, std::int64_t now_ms) {
    return s.exec("UPDATE staff_sessions SET revoked_at_ms = $4 WHERE merchant_id = $1 AND "
                  "user_id = $2 AND ($3 = '' OR session_id = $3) AND revoked_at_ms = 0",
                  {merchant_id, user_id, session_id, now_ms});
}
}  // namespace

std::vector<StaffUserRecord> SqlStore::staff_users(const std::string& merchant_id) {
    return read<std::vector<StaffUserRecord>>(
        [&](Sql& s) { return staff_where(s, "merchant_id = $1", {merchant_id}); });
}

std::optional<StaffUserRecord> SqlStore::staff_user(const std::string& merchant_id,
                                                    const std::string& user_id) {
    return read<std::optional<StaffUserRecord>>([&](Sql& s) -> std::optional<StaffUserRecord> {
        auto rows = staff_where(s, "merchant_id = $1 AND user_id = $2", {merchant_id, user_id});
        if (rows.empty()) return std::nullopt;
        return rows[0];
    });
}

std::optional<StaffUserRecord> SqlStore::staff_user_by_email(const std::string& merchant_id,
                                                             const std::string& email) {
    return read<std::optional<StaffUserRecord>>([&](Sql& s) -> std::optional<StaffUserRecord> {
        auto rows = staff_where(s, "merchant_id = $1 AND email = $2", {merchant_id, email});
        if (rows.empty()) return std::nullopt;
        return rows[0];
    });
}

void SqlStore::insert_staff_user(const StaffUserRecord& u, const Change& change) {
    write([&](Sql& s) {
        log_change(s, change);
        s.exec(std::string("INSERT INTO staff_users (") + kStaffColumns +
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
               {u.merchant_id, u.user_id, u.email, u.name, u.role, u.password_hash,
                std::int64_t{u.disabled}, u.created_at_ms, u.last_login_ms});
        return true;
    });
}

// The merchant's enabled owners are locked first (FOR UPDATE on PostgreSQL; SQLite's write
// lock serialises writers anyway): of two transactions demoting the merchant's last two
// owners, the second waits for the first and then counts what it left.
bool SqlStore::update_staff_user(const StaffUserRecord& u, bool revoke, std::int64_t now_ms,
                                 const Change& change, bool* last_owner) {
    *last_owner = false;
    return write([&](Sql& s) {
        *last_owner = false;
        s.query("SELECT user_id FROM staff_users WHERE merchant_id = $1 AND role = 'owner' AND "
                "disabled = 0" + std::string(s.dialect().for_update()),
                {u.merchant_id});
        const auto current = staff_where(s, "merchant_id = $1 AND user_id = $2",
                                         {u.merchant_id, u.user_id});
        if (current.empty()) return false;
        check_version(change, current[0].version);
        s.exec("UPDATE staff_users SET name = $3, role = $4, disabled = $5, password_hash = $6, "
               "version = version + 1 WHERE merchant_id = $1 AND user_id = $2",
               {u.merchant_id, u.user_id, u.name, u.role, std::int64_t{u.disabled},
                u.password_hash});
        const auto owners = s.query("SELECT COUNT(*) FROM staff_users WHERE merchant_id = $1 AND "
                                    "role = 'owner' AND disabled = 0",
                                    {u.merchant_id});
        const bool had_owner = current[0].role == "owner" && !current[0].disabled;
        if (had_owner && to_i64(owners[0][0]) == 0) {
            *last_owner = true;
            return false;
        }
        if (revoke) revoke_sessions(s, u.merchant_id, u.user_id, "", now_ms);
        log_change(s, change);
        return true;
    });
}

void SqlStore::open_staff_session(const StaffSessionRecord& x, const std::string& account_key,
                                  const Change& change) {
    write([&](Sql& s) {
        s.exec("INSERT INTO staff_sessions (session_id, merchant_id, user_id, salt_hex, "
               "secret_hash_hex, created_at_ms, expires_at_ms, last_seen_ms, revoked_at_ms) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
               {x.session_id, x.merchant_id, x.user_id, x.salt_hex, x.secret_hash_hex,
                x.created_at_ms, x.expires_at_ms, x.last_seen_ms});
        s.exec("UPDATE staff_users SET last_login_ms = $3 WHERE merchant_id = $1 AND user_id = $2",
               {x.merchant_id, x.user_id, x.created_at_ms});
        s.exec("DELETE FROM sign_in_failures WHERE failure_key = $1", {account_key});
        // Sessions that can no longer be used are dropped on the way.
        s.exec("DELETE FROM staff_sessions WHERE merchant_id = $1 AND expires_at_ms < $2",
               {x.merchant_id, x.created_at_ms});
        log_change(s, change);
        return true;
    });
}

std::optional<StaffSessionRecord> SqlStore::staff_session(const std::string& session_id) {
    return read<std::optional<StaffSessionRecord>>(
        [&](Sql& s) -> std::optional<StaffSessionRecord> {
            const auto r = s.query(
                "SELECT merchant_id, user_id, salt_hex, secret_hash_hex, created_at_ms, "
                "expires_at_ms, last_seen_ms, revoked_at_ms FROM staff_sessions "
                "WHERE session_id = $1",
                {session_id});
            if (r.empty()) return std::nullopt;
            return StaffSessionRecord{session_id,      r[0][0],         r[0][1],
                                      r[0][2],         r[0][3],         to_i64(r[0][4]),
                                      to_i64(r[0][5]), to_i64(r[0][6]), to_i64(r[0][7])};
        });
}

void SqlStore::touch_staff_session(const std::string& session_id, std::int64_t now_ms) {
    write([&](Sql& s) {
        s.exec("UPDATE staff_sessions SET last_seen_ms = $2 WHERE session_id = $1 AND "
               "last_seen_ms < $2",
               {session_id, now_ms});
        return true;
    });
}

std::int64_t SqlStore::revoke_staff_sessions(const std::string& merchant_id,
                                             const std::string& user_id,
                                             const std::string& session_id, std::int64_t now_ms,
                                             const Change& change) {
    std::int64_t revoked = 0;
    write([&](Sql& s) {
        revoked = revoke_sessions(s, merchant_id, user_id, session_id, now_ms);
        log_change(s, change);
        return true;
    });
    return revoked;
}

std::vector<std::int64_t> SqlStore::sign_in_failures(const std::string& key,
                                                     std::int64_t since_ms) {
    return read<std::vector<std::int64_t>>([&](Sql& s) {
        std::vector<std::int64_t> out;
        for (const auto& r : s.query("SELECT at_ms FROM sign_in_failures WHERE failure_key = $1 "
                                     "AND at_ms >= $2 ORDER BY at_ms",
                                     {key, since_ms}))
            out.push_back(to_i64(r[0]));
        return out;
    });
}

void SqlStore::record_sign_in_failure(const std::vector<std::string>& keys, std::int64_t now_ms,
                                      std::int64_t forget_ms) {
    write([&](Sql& s) {
        for (const std::string& key : keys) {
            s.exec("DELETE FROM sign_in_failures WHERE failure_key = $1 AND at_ms < $2",
                   {key, forget_ms});
            s.exec("INSERT INTO sign_in_failures (failure_key, at_ms) VALUES ($1, $2)",
                   {key, now_ms});
        }
        return true;
    });
}

// [SECTION] The audit log

void SqlStore::append_audit(const AuditRecord& a) {
    write([&](Sql& s) {
        log_change(s, Change{std::nullopt, a});
        return true;
    });
}

std::vector<AuditRecord> SqlStore::audit_log(const std::string& merchant_id,
                                             const AuditQuery& q) {
    return read<std::vector<AuditRecord>>([&](Sql& s) {
        std::vector<SqlValue> params{merchant_id};
        std::string where = "merchant_id = $1";
        const auto add = [&](const char* condition, SqlValue v) {
            params.push_back(std::move(v));
            where += std::string(" AND ") + condition + " $" + std::to_string(params.size());
        };
        if (!q.actor_id.empty()) add("actor_id =", q.actor_id);
        if (!q.action.empty()) add("action =", q.action);
        if (!q.target.empty()) add("target =", q.target);
        if (q.from_ms) add("at_ms >=", q.from_ms);
        if (q.to_ms) add("at_ms <", q.to_ms);
        if (q.before_id) add("entry_id <", q.before_id);
        params.emplace_back(static_cast<std::int64_t>(q.limit));
        std::vector<AuditRecord> out;
        for (const auto& r : s.query("SELECT entry_id, at_ms, actor_kind, actor_id, actor_label, "
                                     "address, action, target, before_json, after_json "
                                     "FROM audit_log WHERE " + where +
                                         " ORDER BY entry_id DESC LIMIT $" +
                                         std::to_string(params.size()),
                                     params))
            out.push_back(AuditRecord{to_i64(r[0]), merchant_id, to_i64(r[1]), r[2], r[3], r[4],
                                      r[5], r[6], r[7], r[8], r[9]});
        return out;
    });
}

// [SECTION] Import jobs

namespace {
const char* const kImportJobColumns =
    "merchant_id, job_id, kind, status, rows_total, rows_done, rows_bad, created, matched, "
    "errors, failure, created_at_ms, updated_at_ms";

ImportJobRecord import_job_from(const SqlRow& r) {
    return ImportJobRecord{r[0],          r[1],          r[2],          r[3],
                           "",            to_i64(r[4]),  to_i64(r[5]),  to_i64(r[6]),
                           to_i64(r[7]),  to_i64(r[8]),  r[9],          r[10],
                           to_i64(r[11]), to_i64(r[12])};
}

// The member of the merchant that m's key names, "" when none.
std::string import_match(Sql& s, const ImportMember& m) {
    const std::string& merchant = m.member.merchant_id;
    std::vector<SqlRow> rows;
    if (m.key == ImportMember::Key::id)
        rows = s.query("SELECT member_id FROM members WHERE merchant_id = $1 AND member_id = $2",
                       {merchant, m.member.member_id});
    else if (m.key == ImportMember::Key::card)
        rows = s.query("SELECT member_id FROM cards WHERE merchant_id = $1 AND number = $2",
                       {merchant, m.member.card_number});
    else
        rows = s.query("SELECT member_id FROM members WHERE merchant_id = $1 AND phone = $2",
                       {merchant, m.member.phone});
    return rows.empty() ? "" : rows[0][0];
}
}  // namespace

void SqlStore::put_import_job(const ImportJobRecord& j, const Change& change) {
    write([&](Sql& s) {
        log_change(s, change);
        s.exec(std::string("INSERT INTO import_jobs (") + kImportJobColumns +
                   ", runner, lease_until_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                   "$11, $12, $13, '', 0)",
               {j.merchant_id, j.job_id, j.kind, j.status, j.rows_total, j.rows_done, j.rows_bad,
                j.created, j.matched, j.errors, j.failure, j.created_at_ms, j.updated_at_ms});
        s.exec("INSERT INTO import_files (merchant_id, job_id, body) VALUES ($1, $2, $3)",
               {j.merchant_id, j.job_id, j.body});
        return true;
    });
}

std::optional<ImportJobRecord> SqlStore::import_job(const std::string& merchant_id,
                                                    const std::string& job_id) {
    return read<std::optional<ImportJobRecord>>([&](Sql& s) -> std::optional<ImportJobRecord> {
        const auto rows = s.query(std::string("SELECT ") + kImportJobColumns +
                                      " FROM import_jobs WHERE merchant_id = $1 AND job_id = $2",
                                  {merchant_id, job_id});
        if (rows.empty()) return std::nullopt;
        return import_job_from(rows[0]);
    });
}

std::optional<ImportJobRecord> SqlStore::claim_import_job(const std::string& runner,
                                                          std::int64_t now_ms,
                                                          std::int64_t lease_ms,
                                                          const std::string& merchant_id,
                                                          const std::string& job_id) {
    std::optional<ImportJobRecord> out;
    write([&](Sql& s) {
        out.reset();
        const auto rows = s.query(std::string("SELECT ") + kImportJobColumns +
                                      " FROM import_jobs WHERE status = 'running' AND "
                                      "lease_until_ms <= $1 AND ($2 = '' OR (merchant_id = $3 "
                                      "AND job_id = $2)) ORDER BY created_at_ms LIMIT 1" +
                                      s.dialect().for_update(),
                                  {now_ms, job_id, merchant_id});
        if (rows.empty()) return false;
        out = import_job_from(rows[0]);
        const auto file = s.query(
            "SELECT body FROM import_files WHERE merchant_id = $1 AND job_id = $2",
            {out->merchant_id, out->job_id});
        if (!file.empty()) out->body = file[0][0];
        s.exec("UPDATE import_jobs SET runner = $3, lease_until_ms = $4 "
               "WHERE merchant_id = $1 AND job_id = $2",
               {out->merchant_id, out->job_id, runner, now_ms + lease_ms});
        return true;
    });
    return out;
}

bool SqlStore::import_members(const ImportJobRecord& j, const std::vector<ImportMember>& rows,
                              const std::string& runner, std::int64_t now_ms,
                              std::int64_t lease_ms, std::int64_t* created,
                              std::int64_t* matched) {
    return write([&](Sql& s) {
        *created = *matched = 0;
        // The lease first: a runner that lost it (it stalled past the lease) writes nothing.
        const auto held = s.query(std::string("SELECT runner FROM import_jobs WHERE merchant_id "
                                              "= $1 AND job_id = $2") +
                                      s.dialect().for_update(),
                                  {j.merchant_id, j.job_id});
        if (held.empty() || held[0][0] != runner) return false;
        for (const ImportMember& m : rows) {
            if (!import_match(s, m).empty()) {
                ++*matched;
                continue;
            }
            const MemberRecord& r = m.member;
            s.exec("INSERT INTO members (merchant_id, member_id, display_name, created_at_ms, "
                   "phone, email, birthday, consent_at_ms, erased_at_ms) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
                   {r.merchant_id, r.member_id, r.display_name, now_ms, r.phone, r.email,
                    r.birthday, r.consent_at_ms});
            if (!r.card_number.empty())
                s.exec("INSERT INTO cards (merchant_id, number, member_id, created_at_ms) "
                       "VALUES ($1, $2, $3, $4)",
                       {r.merchant_id, r.card_number, r.member_id, now_ms});
            SqlMemberTx(s, r.merchant_id, r.member_id).append_entries(m.opening);
            ++*created;
        }
        const bool running = j.status == "running";
        s.exec("UPDATE import_jobs SET status = $3, rows_done = $4, rows_bad = $5, "
               "created = created + $6, matched = matched + $7, errors = $8, failure = $9, "
               "updated_at_ms = $10, lease_until_ms = $11 WHERE merchant_id = $1 AND job_id = $2",
               {j.merchant_id, j.job_id, j.status, j.rows_done, j.rows_bad, *created, *matched,
                j.errors, j.failure, now_ms, running ? now_ms + lease_ms : std::int64_t{0}});
        // The file is kept while the job runs (a resumed job reads it again), dropped at its end.
        if (!running)
            s.exec("DELETE FROM import_files WHERE merchant_id = $1 AND job_id = $2",
                   {j.merchant_id, j.job_id});
        return true;
    });
}

}  // namespace kopilka::server
