// SQLite storage adapter.
// Implemented: schema migrations (schema_migrations table; 4 and 5 are shared with PostgreSQL,
// see sql_store.hpp), WAL journal, merchants, programs, API keys, and the Sql executor the
// shared Store methods run on; member writes in one BEGIN IMMEDIATE transaction; unique
// violations reported as UniqueViolation. One connection serialised by a mutex.
// Missing: a connection pool for parallel reads; a per-member ledger checkpoint.
#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "codec/ledger_json.hpp"
#include "storage/sql_store.hpp"

namespace kopilka::server {

namespace {

// Each migration runs once, in order, inside a transaction; never edit a shipped one.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE merchants (
        merchant_id   TEXT NOT NULL PRIMARY KEY,
        code          TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        currency      TEXT NOT NULL,
        card_secret   TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    CREATE TABLE programs (
        merchant_id   TEXT NOT NULL,
        program_id    TEXT NOT NULL,
        version       INTEGER NOT NULL,
        document      TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, program_id, version)
    );
    CREATE TABLE members (
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        display_name  TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE TABLE cards (
        merchant_id   TEXT NOT NULL,
        number        TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, number)
    );
    CREATE TABLE ledger_entries (
        merchant_id   TEXT NOT NULL,
        entry_id      TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        reason        TEXT NOT NULL,
        rule          TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, entry_id)
    );
    CREATE INDEX ledger_entries_member ON ledger_entries (merchant_id, member_id, created_at_ms);
    CREATE TABLE ledger_postings (
        merchant_id   TEXT NOT NULL,
        entry_id      TEXT NOT NULL,
        account       TEXT NOT NULL,
        amount        INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, entry_id, account)
    );
    CREATE INDEX ledger_postings_account ON ledger_postings (merchant_id, account);
    )sql",
    // 2: the ledger moves to shared/core's entries (batches, pending, expiry, reservations),
    // stored per member in write order; operations and receipts for idempotent writes. The
    // first ledger tables held only demo data and are dropped.
    R"sql(
    DROP TABLE ledger_postings;
    DROP TABLE ledger_entries;
    CREATE TABLE member_entries (
        merchant_id   TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        entry_id      TEXT NOT NULL,
        reason        TEXT NOT NULL,
        at_ms         INTEGER NOT NULL,
        member_delta  INTEGER NOT NULL,
        body          TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id, seq)
    );
    CREATE UNIQUE INDEX member_entries_id ON member_entries (merchant_id, member_id, entry_id);
    CREATE TABLE member_counters (
        merchant_id      TEXT NOT NULL,
        member_id        TEXT NOT NULL,
        spend_total      INTEGER NOT NULL,
        last_purchase_ms INTEGER NOT NULL,
        tier_held        TEXT NOT NULL,
        window_start_ms  INTEGER NOT NULL,
        stamps           TEXT NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE TABLE operations (
        merchant_id   TEXT NOT NULL,
        op_id         TEXT NOT NULL,
        kind          TEXT NOT NULL,
        member_id     TEXT NOT NULL,
        request       TEXT NOT NULL,
        status        INTEGER NOT NULL,
        response      TEXT NOT NULL,
        at_ms         INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, op_id)
    );
    CREATE TABLE receipts (
        merchant_id     TEXT NOT NULL,
        receipt_id      TEXT NOT NULL,
        member_id       TEXT NOT NULL,
        op_id           TEXT NOT NULL,
        at_ms           INTEGER NOT NULL,
        paid            INTEGER NOT NULL,
        tier_qualifying INTEGER NOT NULL,
        receipt         TEXT NOT NULL,
        quote           TEXT NOT NULL,
        returned        TEXT NOT NULL,
        PRIMARY KEY (merchant_id, receipt_id)
    );
    CREATE INDEX receipts_member ON receipts (merchant_id, member_id, at_ms);
    )sql",
    // 3: merchant API keys (salted hashes; the key id is unique across merchants).
    R"sql(
    CREATE TABLE api_keys (
        merchant_id     TEXT NOT NULL,
        key_id          TEXT NOT NULL,
        role            TEXT NOT NULL,
        salt_hex        TEXT NOT NULL,
        secret_hash_hex TEXT NOT NULL,
        created_at_ms   INTEGER NOT NULL,
        revoked_at_ms   INTEGER NOT NULL,
        PRIMARY KEY (merchant_id, key_id)
    );
    CREATE UNIQUE INDEX api_keys_id ON api_keys (key_id);
    )sql",
    kMigration4,
    kMigration5,
};

class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    // $1, $2, … of the shared SQL are named parameters to SQLite.
    Statement& bind_all(const std::vector<SqlValue>& params) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at = sqlite3_bind_parameter_index(stmt_, ("$" + std::to_string(i + 1)).c_str());
            if (at == 0) continue;
            if (params[i].integer) bind(at, to_i64(params[i].text));
            else bind(at, params[i].text);
        }
        return *this;
    }
    int columns() { return sqlite3_column_count(stmt_); }
    bool step() {  // true: a row is ready
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        const std::string message = sqlite3_errmsg(db_);
        const int code = sqlite3_extended_errcode(db_);
        // The message names the key's columns: "UNIQUE constraint failed: cards.merchant_id, …".
        if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
            throw UniqueViolation("sqlite step: " + message, unique_field(message));
        throw std::runtime_error("sqlite step: " + message);
    }
    std::string text(int col) {
        const auto* p = sqlite3_column_text(stmt_, col);
        return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
    }
    std::int64_t int64(int col) { return sqlite3_column_int64(stmt_, col); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// The shared SQL on this connection (the caller holds the store's mutex).
class SqliteSql final : public Sql {
public:
    explicit SqliteSql(sqlite3* db) : db_(db) {}
    std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
        Statement s(db_, sql.c_str());
        s.bind_all(params);
        std::vector<SqlRow> out;
        while (s.step()) {
            SqlRow row;
            for (int c = 0; c < s.columns(); ++c) row.push_back(s.text(c));
            out.push_back(std::move(row));
        }
        return out;
    }
    std::int64_t exec(const std::string& sql, const std::vector<SqlValue>& params) override {
        Statement s(db_, sql.c_str());
        s.bind_all(params);
        while (s.step()) {
        }
        return sqlite3_changes(db_);
    }
    const char* for_update() const override { return ""; }

private:
    sqlite3* db_;
};

class SqliteStore final : public SqlStore {
public:
    SqliteStore(const std::string& path, bool create) {
        const int mode = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
        if (sqlite3_open_v2(path.c_str(), &db_, mode,
                            nullptr) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("cannot open database " + path + ": " + msg);
        }
        sqlite3_busy_timeout(db_, 5000);
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        migrate();
    }
    ~SqliteStore() override { sqlite3_close(db_); }

    std::optional<MerchantRecord> merchant_by_code(const std::string& code) override {
        return merchant_where("code = ?1", code);
    }
    std::optional<MerchantRecord> merchant_by_id(const std::string& id) override {
        return merchant_where("merchant_id = ?1", id);
    }

    std::optional<ProgramRecord> current_program(const std::string& merchant_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_,
                    "SELECT program_id, version, document FROM programs WHERE merchant_id = ?1 "
                    "ORDER BY created_at_ms DESC, version DESC LIMIT 1");
        s.bind(1, merchant_id);
        if (!s.step()) return std::nullopt;
        return ProgramRecord{merchant_id, s.text(0), s.int64(1), s.text(2)};
    }

    std::optional<std::string> receipt_member(const std::string& merchant_id, const std::string& receipt_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement q(db_, "SELECT member_id FROM receipts WHERE merchant_id = ?1 AND receipt_id = ?2");
        q.bind(1, merchant_id).bind(2, receipt_id);
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }

    void put_merchant(const MerchantRecord& m, std::int64_t now_ms) override {
        write([&] {
            Statement s(db_,
                        "INSERT INTO merchants (merchant_id, code, name, currency, card_secret, created_at_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            s.bind(1, m.merchant_id).bind(2, m.code).bind(3, m.name).bind(4, m.currency).bind(5, m.card_secret).bind(6, now_ms);
            s.step();
        });
    }

    void put_program(const ProgramRecord& p, std::int64_t now_ms) override {
        write([&] {
            Statement s(db_,
                        "INSERT INTO programs (merchant_id, program_id, version, document, created_at_ms) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)");
            s.bind(1, p.merchant_id).bind(2, p.program_id).bind(3, p.version).bind(4, p.document).bind(5, now_ms);
            s.step();
        });
    }

    bool with_member(const std::string& merchant_id, const std::string& member_id,
                     const std::function<bool(MemberTx&)>& fn) override {
        bool commit = false;
        // BEGIN IMMEDIATE takes SQLite's write lock at once: writes are serialised, so no
        // two transactions ever decide on the same member state.
        write([&] {
            Tx tx(*this, merchant_id, member_id);
            commit = fn(tx);
            if (!commit) throw Rollback{};
        });
        return commit;
    }

    // A deferred transaction: a read snapshot (WAL), no write lock.
    void read_member(const std::string& merchant_id, const std::string& member_id,
                     const std::function<void(MemberTx&)>& fn) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        exec("BEGIN DEFERRED");
        try {
            Tx tx(*this, merchant_id, member_id);
            fn(tx);
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }

    void put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) override {
        write([&] {
            Statement q(db_, "INSERT INTO api_keys (merchant_id, key_id, role, salt_hex, secret_hash_hex, created_at_ms, "
                             "revoked_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            q.bind(1, k.merchant_id).bind(2, k.key_id).bind(3, k.role).bind(4, k.salt_hex).bind(5, k.secret_hash_hex)
                .bind(6, now_ms).bind(7, k.revoked_at_ms);
            q.step();
        });
    }

    std::optional<ApiKeyRecord> api_key(const std::string& key_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement q(db_, "SELECT merchant_id, role, salt_hex, secret_hash_hex, revoked_at_ms FROM api_keys WHERE key_id = ?1");
        q.bind(1, key_id);
        if (!q.step()) return std::nullopt;
        return ApiKeyRecord{q.text(0), key_id, q.text(1), q.text(2), q.text(3), q.int64(4)};
    }

    std::vector<std::string> merchant_ids() override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_, "SELECT merchant_id FROM merchants ORDER BY merchant_id");
        std::vector<std::string> out;
        while (s.step()) out.push_back(s.text(0));
        return out;
    }

    bool empty() override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_, "SELECT COUNT(*) FROM merchants");
        s.step();
        return s.int64(0) == 0;
    }

private:
    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : "unknown error";
            sqlite3_free(err);
            throw std::runtime_error("sqlite: " + msg);
        }
    }

    // Runs fn inside BEGIN IMMEDIATE … COMMIT; rolls back if fn throws.
    struct Rollback {};  // thrown by with_member when its function declines to commit

    template <class Fn>
    void write(Fn&& fn) {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        exec("BEGIN IMMEDIATE");
        try {
            fn();
            exec("COMMIT");
        } catch (const Rollback&) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

    void transact(bool write_lock, const std::function<bool(Sql&)>& fn) override {
        SqliteSql sql(db_);
        if (!write_lock) {
            std::lock_guard<std::recursive_mutex> lock(mutex_);
            fn(sql);
            return;
        }
        write([&] {
            if (!fn(sql)) throw Rollback{};
        });
    }

    // The member's rows, inside the transaction with_member opened.
    class Tx final : public SqlMemberTx {
    public:
        Tx(SqliteStore& s, std::string merchant_id, std::string member_id)
            : SqlMemberTx(std::move(merchant_id), std::move(member_id)), sql_(s.db_) {}

    protected:
        Sql& sql() override { return sql_; }

    private:
        SqliteSql sql_;
    };

    void migrate() {
        exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
        std::int64_t current = 0;
        {
            Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
            s.step();
            current = s.int64(0);
        }
        const std::int64_t known = static_cast<std::int64_t>(sizeof(kMigrations) / sizeof(kMigrations[0]));
        if (current > known)
            throw std::runtime_error("the database schema (version " + std::to_string(current) +
                                     ") is newer than this server knows (" + std::to_string(known) + ")");
        for (std::int64_t v = current + 1; v <= known; ++v) {
            write([&] {
                exec(kMigrations[v - 1]);
                Statement s(db_, "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?1, strftime('%s','now') * 1000)");
                s.bind(1, v);
                s.step();
                SqliteSql sql(db_);
                report_migration(sql, v);
            });
        }
    }

    std::optional<MerchantRecord> merchant_where(const char* where, const std::string& value) {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_, (std::string("SELECT merchant_id, code, name, currency, card_secret FROM merchants WHERE ") + where).c_str());
        s.bind(1, value);
        if (!s.step()) return std::nullopt;
        return MerchantRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4)};
    }

    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing) {
    return std::make_unique<SqliteStore>(path, create_if_missing);
}

}  // namespace kopilka::server
