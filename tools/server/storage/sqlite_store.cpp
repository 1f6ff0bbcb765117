// SQLite storage adapter.
// Implemented: schema migrations (schema_migrations table), WAL journal, merchants,
// programs (versioned JSON documents), members and cards, double-entry ledger with derived
// balances, idempotent entry append. One connection serialised by a mutex; every write is
// one transaction.
// Missing: connection pool for parallel reads; PostgreSQL adapter (same interface).
#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "storage/store.hpp"

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
    bool step() {  // true: a row is ready
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
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

class SqliteStore final : public Store {
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

    std::optional<MemberRecord> member_by_card(const std::string& merchant_id, const std::string& number) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_,
                    "SELECT m.member_id, m.display_name, c.number FROM cards c JOIN members m "
                    "ON m.merchant_id = c.merchant_id AND m.member_id = c.member_id "
                    "WHERE c.merchant_id = ?1 AND c.number = ?2");
        s.bind(1, merchant_id).bind(2, number);
        if (!s.step()) return std::nullopt;
        return MemberRecord{merchant_id, s.text(0), s.text(1), s.text(2)};
    }

    std::optional<MemberRecord> member_by_id(const std::string& merchant_id, const std::string& member_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_,
                    "SELECT m.member_id, m.display_name, COALESCE((SELECT number FROM cards c WHERE "
                    "c.merchant_id = m.merchant_id AND c.member_id = m.member_id ORDER BY created_at_ms LIMIT 1), '') "
                    "FROM members m WHERE m.merchant_id = ?1 AND m.member_id = ?2");
        s.bind(1, merchant_id).bind(2, member_id);
        if (!s.step()) return std::nullopt;
        return MemberRecord{merchant_id, s.text(0), s.text(1), s.text(2)};
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

    std::int64_t member_balance(const std::string& merchant_id, const std::string& member_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_, "SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE merchant_id = ?1 AND account = ?2");
        s.bind(1, merchant_id).bind(2, "member:" + member_id);
        s.step();
        return s.int64(0);
    }

    std::int64_t member_earned_since(const std::string& merchant_id, const std::string& member_id,
                                     std::int64_t since_ms) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_,
                    "SELECT COALESCE(SUM(p.amount), 0) FROM ledger_entries e JOIN ledger_postings p "
                    "ON p.merchant_id = e.merchant_id AND p.entry_id = e.entry_id "
                    "WHERE e.merchant_id = ?1 AND e.member_id = ?2 AND e.reason = 'earn' "
                    "AND e.created_at_ms >= ?3 AND p.account = ?4");
        s.bind(1, merchant_id).bind(2, member_id).bind(3, since_ms).bind(4, "member:" + member_id);
        s.step();
        return s.int64(0);
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

    void put_member(const MemberRecord& m, std::int64_t now_ms) override {
        write([&] {
            Statement a(db_, "INSERT INTO members (merchant_id, member_id, display_name, created_at_ms) VALUES (?1, ?2, ?3, ?4)");
            a.bind(1, m.merchant_id).bind(2, m.member_id).bind(3, m.display_name).bind(4, now_ms);
            a.step();
            Statement b(db_, "INSERT INTO cards (merchant_id, number, member_id, created_at_ms) VALUES (?1, ?2, ?3, ?4)");
            b.bind(1, m.merchant_id).bind(2, m.card_number).bind(3, m.member_id).bind(4, now_ms);
            b.step();
        });
    }

    WriteStatus append_entry(const std::string& merchant_id, const LedgerEntry& e) override {
        std::int64_t sum = 0;
        for (const auto& p : e.postings)
            if (__builtin_add_overflow(sum, p.amount, &sum)) return WriteStatus::invalid;
        if (e.postings.size() < 2 || sum != 0) return WriteStatus::invalid;
        WriteStatus status = WriteStatus::ok;
        write([&] {
            Statement existing(db_,
                               "SELECT member_id, reason, rule, created_at_ms FROM ledger_entries "
                               "WHERE merchant_id = ?1 AND entry_id = ?2");
            existing.bind(1, merchant_id).bind(2, e.entry_id);
            if (existing.step()) {
                const bool same = existing.text(0) == e.member_id && existing.text(1) == e.reason &&
                                  existing.text(2) == e.rule && same_postings(merchant_id, e);
                status = same ? WriteStatus::exists : WriteStatus::conflict;
                return;
            }
            Statement ins(db_,
                          "INSERT INTO ledger_entries (merchant_id, entry_id, member_id, reason, rule, created_at_ms) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            ins.bind(1, merchant_id).bind(2, e.entry_id).bind(3, e.member_id).bind(4, e.reason).bind(5, e.rule).bind(6, e.created_at_ms);
            ins.step();
            for (const auto& p : e.postings) {
                Statement post(db_, "INSERT INTO ledger_postings (merchant_id, entry_id, account, amount) VALUES (?1, ?2, ?3, ?4)");
                post.bind(1, merchant_id).bind(2, e.entry_id).bind(3, p.account).bind(4, p.amount);
                post.step();
            }
        });
        return status;
    }

    std::vector<std::string> merchant_ids() override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_, "SELECT merchant_id FROM merchants ORDER BY merchant_id");
        std::vector<std::string> out;
        while (s.step()) out.push_back(s.text(0));
        return out;
    }

    std::vector<MemberRecord> members(const std::string& merchant_id) override {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        Statement s(db_,
                    "SELECT m.member_id, m.display_name, COALESCE(MIN(c.number), '') FROM members m LEFT JOIN cards c "
                    "ON c.merchant_id = m.merchant_id AND c.member_id = m.member_id WHERE m.merchant_id = ?1 "
                    "GROUP BY m.member_id, m.display_name ORDER BY m.member_id");
        s.bind(1, merchant_id);
        std::vector<MemberRecord> out;
        while (s.step()) out.push_back({merchant_id, s.text(0), s.text(1), s.text(2)});
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
    template <class Fn>
    void write(Fn&& fn) {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        exec("BEGIN IMMEDIATE");
        try {
            fn();
            exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

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

    bool same_postings(const std::string& merchant_id, const LedgerEntry& e) {
        Statement s(db_, "SELECT account, amount FROM ledger_postings WHERE merchant_id = ?1 AND entry_id = ?2 ORDER BY account");
        s.bind(1, merchant_id).bind(2, e.entry_id);
        std::vector<Posting> stored;
        while (s.step()) stored.push_back({s.text(0), s.int64(1)});
        std::vector<Posting> given = e.postings;
        std::sort(given.begin(), given.end(), [](const Posting& a, const Posting& b) { return a.account < b.account; });
        if (stored.size() != given.size()) return false;
        for (std::size_t i = 0; i < stored.size(); ++i)
            if (stored[i].account != given[i].account || stored[i].amount != given[i].amount) return false;
        return true;
    }

    sqlite3* db_ = nullptr;
    std::recursive_mutex mutex_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing) {
    return std::make_unique<SqliteStore>(path, create_if_missing);
}

}  // namespace kopilka::server
