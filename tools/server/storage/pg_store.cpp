// PostgreSQL storage adapter (libpqxx 6.4): the same schema and behaviour as sqlite_store.cpp,
// for several server processes sharing one database.
//
// Implemented: the SQLite migrations 1–3 in PostgreSQL types (bigint, text) and the shared
// migrations 4 and 5 (sql_store.hpp), applied once at
// open in one transaction under pg_advisory_xact_lock (two servers starting together never
// race); every Store method; with_member as one transaction that first locks the member's
// member_counters row (so writers for one member serialize across threads and processes);
// retry of whole transactions on pqxx::transaction_rollback (serialization failure,
// deadlock) with a short backoff, but never on a unique violation, which is reported as
// UniqueViolation (another writer took the key first); the Sql executor the shared Store
// methods run on; a connection pool of at most 16 (pqxx connections are not thread-safe:
// each one is used by one thread at a time).
// Every query filters by merchant_id, except the lookups the interface defines across
// merchants (API keys, devices and pairing codes by their globally unique ids, merchants).
#include "storage/pg_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "codec/ledger_json.hpp"
#include "storage/sql_store.hpp"

namespace kopilka::server {

namespace {

// Each migration runs once, in order; never edit a shipped one. Same tables, keys and
// indexes as SQLite's kMigrations; INTEGER is bigint here.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE merchants (
        merchant_id   text NOT NULL PRIMARY KEY,
        code          text NOT NULL UNIQUE,
        name          text NOT NULL,
        currency      text NOT NULL,
        card_secret   text NOT NULL,
        created_at_ms bigint NOT NULL
    );
    CREATE TABLE programs (
        merchant_id   text NOT NULL,
        program_id    text NOT NULL,
        version       bigint NOT NULL,
        document      text NOT NULL,
        created_at_ms bigint NOT NULL,
        PRIMARY KEY (merchant_id, program_id, version)
    );
    CREATE TABLE members (
        merchant_id   text NOT NULL,
        member_id     text NOT NULL,
        display_name  text NOT NULL,
        created_at_ms bigint NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE TABLE cards (
        merchant_id   text NOT NULL,
        number        text NOT NULL,
        member_id     text NOT NULL,
        created_at_ms bigint NOT NULL,
        PRIMARY KEY (merchant_id, number)
    );
    CREATE TABLE ledger_entries (
        merchant_id   text NOT NULL,
        entry_id      text NOT NULL,
        member_id     text NOT NULL,
        reason        text NOT NULL,
        rule          text NOT NULL,
        created_at_ms bigint NOT NULL,
        PRIMARY KEY (merchant_id, entry_id)
    );
    CREATE INDEX ledger_entries_member ON ledger_entries (merchant_id, member_id, created_at_ms);
    CREATE TABLE ledger_postings (
        merchant_id   text NOT NULL,
        entry_id      text NOT NULL,
        account       text NOT NULL,
        amount        bigint NOT NULL,
        PRIMARY KEY (merchant_id, entry_id, account)
    );
    CREATE INDEX ledger_postings_account ON ledger_postings (merchant_id, account);
    )sql",
    // 2: shared/core's ledger entries per member in write order; operations and receipts.
    R"sql(
    DROP TABLE ledger_postings;
    DROP TABLE ledger_entries;
    CREATE TABLE member_entries (
        merchant_id   text NOT NULL,
        member_id     text NOT NULL,
        seq           bigint NOT NULL,
        entry_id      text NOT NULL,
        reason        text NOT NULL,
        at_ms         bigint NOT NULL,
        member_delta  bigint NOT NULL,
        body          text NOT NULL,
        PRIMARY KEY (merchant_id, member_id, seq)
    );
    CREATE UNIQUE INDEX member_entries_id ON member_entries (merchant_id, member_id, entry_id);
    CREATE TABLE member_counters (
        merchant_id      text NOT NULL,
        member_id        text NOT NULL,
        spend_total      bigint NOT NULL,
        last_purchase_ms bigint NOT NULL,
        tier_held        text NOT NULL,
        window_start_ms  bigint NOT NULL,
        stamps           text NOT NULL,
        PRIMARY KEY (merchant_id, member_id)
    );
    CREATE TABLE operations (
        merchant_id   text NOT NULL,
        op_id         text NOT NULL,
        kind          text NOT NULL,
        member_id     text NOT NULL,
        request       text NOT NULL,
        status        bigint NOT NULL,
        response      text NOT NULL,
        at_ms         bigint NOT NULL,
        PRIMARY KEY (merchant_id, op_id)
    );
    CREATE TABLE receipts (
        merchant_id     text NOT NULL,
        receipt_id      text NOT NULL,
        member_id       text NOT NULL,
        op_id           text NOT NULL,
        at_ms           bigint NOT NULL,
        paid            bigint NOT NULL,
        tier_qualifying bigint NOT NULL,
        receipt         text NOT NULL,
        quote           text NOT NULL,
        returned        text NOT NULL,
        PRIMARY KEY (merchant_id, receipt_id)
    );
    CREATE INDEX receipts_member ON receipts (merchant_id, member_id, at_ms);
    )sql",
    // 3: merchant API keys (salted hashes; the key id is unique across merchants).
    R"sql(
    CREATE TABLE api_keys (
        merchant_id     text NOT NULL,
        key_id          text NOT NULL,
        role            text NOT NULL,
        salt_hex        text NOT NULL,
        secret_hash_hex text NOT NULL,
        created_at_ms   bigint NOT NULL,
        revoked_at_ms   bigint NOT NULL,
        PRIMARY KEY (merchant_id, key_id)
    );
    CREATE UNIQUE INDEX api_keys_id ON api_keys (key_id);
    )sql",
    kMigration4,
    kMigration5,
};

// pg_advisory_xact_lock key for schema migrations ("kopilka" in ASCII).
constexpr long long kMigrationLockKey = 0x6b6f70696c6b61LL;

// Connections one server process keeps open at most.
constexpr std::size_t kConnectionsMax = 16;

// Whole transactions are retried this often on serialization failures and deadlocks.
constexpr int kAttempts = 8;

// The URL without its password, for messages.
std::string redact(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    const auto at = url.find('@', scheme + 3);
    const auto slash = url.find('/', scheme + 3);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
    const auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string first_line(const std::string& s) {
    std::string out = s.substr(0, s.find('\n'));
    while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string str(const pqxx::field& f) { return f.as<std::string>(); }
std::int64_t i64(const pqxx::field& f) { return static_cast<std::int64_t>(f.as<long long>()); }
long long ll(std::int64_t v) { return static_cast<long long>(v); }

// The shared SQL inside one libpqxx transaction. Parameters go as text of unspecified type
// (PostgreSQL infers each from where it is used).
class PgSql final : public Sql {
public:
    explicit PgSql(pqxx::work& w) : w_(w) {}
    std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
        const pqxx::result r = run(sql, params);
        std::vector<SqlRow> out;
        out.reserve(r.size());
        for (const auto& row : r) {
            SqlRow cells;
            cells.reserve(row.size());
            for (const auto& f : row) cells.push_back(f.is_null() ? std::string() : f.as<std::string>());
            out.push_back(std::move(cells));
        }
        return out;
    }
    std::int64_t exec(const std::string& sql, const std::vector<SqlValue>& params) override {
        return static_cast<std::int64_t>(run(sql, params).affected_rows());
    }
    const char* for_update() const override { return " FOR UPDATE"; }

private:
    pqxx::result run(const std::string& sql, const std::vector<SqlValue>& params) {
        std::vector<std::string> texts;
        texts.reserve(params.size());
        for (const auto& p : params) texts.push_back(p.text);
        try {
            return w_.exec_params(sql,
                                  pqxx::prepare::make_dynamic_params(texts.begin(), texts.end()));
        } catch (const pqxx::unique_violation& e) {
            // SQLSTATE 23505; the message names the constraint: … unique constraint "cards_pkey".
            const std::string what = e.what();
            const auto open = what.find('"');
            const auto close = open == std::string::npos ? open : what.find('"', open + 1);
            const std::string key =
                close == std::string::npos ? what : what.substr(open + 1, close - open - 1);
            throw UniqueViolation(first_line(what), unique_field(key));
        }
    }
    pqxx::work& w_;
};

class PgStore final : public SqlStore {
public:
    explicit PgStore(std::string url) : url_(std::move(url)) {
        try {
            idle_.push_back(connect());
            migrate();
        } catch (const pqxx::broken_connection& e) {
            throw std::runtime_error("cannot connect to PostgreSQL at " + redact(url_) + ": " + first_line(e.what()));
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            if (what.rfind("PostgreSQL", 0) == 0 || what.rfind("the database schema", 0) == 0) throw;
            throw std::runtime_error("PostgreSQL at " + redact(url_) + " is not usable: " + first_line(what));
        }
    }

    std::optional<MerchantRecord> merchant_by_code(const std::string& code) override {
        return merchant_where("code = $1", code);
    }
    std::optional<MerchantRecord> merchant_by_id(const std::string& id) override {
        return merchant_where("merchant_id = $1", id);
    }

    std::optional<ProgramRecord> current_program(const std::string& merchant_id) override {
        std::optional<ProgramRecord> out;
        run([&](pqxx::work& w) {
            out.reset();
            const auto r = w.exec_params(
                "SELECT program_id, version, document FROM programs WHERE merchant_id = $1 "
                "ORDER BY created_at_ms DESC, version DESC LIMIT 1",
                merchant_id);
            if (!r.empty()) out = ProgramRecord{merchant_id, str(r[0][0]), i64(r[0][1]), str(r[0][2])};
            return true;
        });
        return out;
    }

    std::optional<std::string> receipt_member(const std::string& merchant_id, const std::string& receipt_id) override {
        std::optional<std::string> out;
        run([&](pqxx::work& w) {
            out.reset();
            const auto r = w.exec_params("SELECT member_id FROM receipts WHERE merchant_id = $1 AND receipt_id = $2",
                                         merchant_id, receipt_id);
            if (!r.empty()) out = str(r[0][0]);
            return true;
        });
        return out;
    }

    void put_merchant(const MerchantRecord& m, std::int64_t now_ms) override {
        run([&](pqxx::work& w) {
            w.exec_params("INSERT INTO merchants (merchant_id, code, name, currency, card_secret, created_at_ms) "
                          "VALUES ($1, $2, $3, $4, $5, $6)",
                          m.merchant_id, m.code, m.name, m.currency, m.card_secret, ll(now_ms));
            return true;
        });
    }

    void put_program(const ProgramRecord& p, std::int64_t now_ms) override {
        run([&](pqxx::work& w) {
            w.exec_params("INSERT INTO programs (merchant_id, program_id, version, document, created_at_ms) "
                          "VALUES ($1, $2, $3, $4, $5)",
                          p.merchant_id, p.program_id, ll(p.version), p.document, ll(now_ms));
            return true;
        });
    }

    // One READ COMMITTED transaction per attempt. Its first statements take the member's
    // write lock: the member's member_counters row is created if missing (ON CONFLICT DO
    // NOTHING waits for a concurrent inserter and then does nothing) and locked FOR UPDATE,
    // so a second writer for the same member — another thread or another server process —
    // blocks there until the first commits or rolls back. Every later statement in READ
    // COMMITTED takes a fresh snapshot, so once the lock is held the transaction reads the
    // member's rows as the previous holder committed them, and nobody else can change them
    // until it ends: the read-decide-write of a receipt can't interleave with another one,
    // which is what SQLite's BEGIN IMMEDIATE gives. SERIALIZABLE isn't needed (and would
    // only add retries). The placeholder counters row holds the same values counters()
    // returns for a member without one (MemberCounters{}).
    // On a serialization failure or deadlock the whole transaction, fn included, runs again.
    bool with_member(const std::string& merchant_id, const std::string& member_id,
                     const std::function<bool(MemberTx&)>& fn) override {
        bool commit = false;
        run([&](pqxx::work& w) {
            w.exec_params("INSERT INTO member_counters (merchant_id, member_id, spend_total, last_purchase_ms, tier_held, "
                          "window_start_ms, stamps) VALUES ($1, $2, 0, 0, '', 0, '{}') "
                          "ON CONFLICT (merchant_id, member_id) DO NOTHING",
                          merchant_id, member_id);
            w.exec_params("SELECT 1 FROM member_counters WHERE merchant_id = $1 AND member_id = $2 FOR UPDATE",
                          merchant_id, member_id);
            Tx tx(w, merchant_id, member_id);
            commit = fn(tx);
            return commit;
        });
        return commit;
    }

    // One REPEATABLE READ snapshot, no row locks: readers never wait for writers.
    void read_member(const std::string& merchant_id, const std::string& member_id,
                     const std::function<void(MemberTx&)>& fn) override {
        run([&](pqxx::work& w) {
            w.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            Tx tx(w, merchant_id, member_id);
            fn(tx);
            return false;
        });
    }

    void put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) override {
        run([&](pqxx::work& w) {
            w.exec_params("INSERT INTO api_keys (merchant_id, key_id, role, salt_hex, secret_hash_hex, created_at_ms, "
                          "revoked_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                          k.merchant_id, k.key_id, k.role, k.salt_hex, k.secret_hash_hex, ll(now_ms), ll(k.revoked_at_ms));
            return true;
        });
    }

    std::optional<ApiKeyRecord> api_key(const std::string& key_id) override {
        std::optional<ApiKeyRecord> out;
        run([&](pqxx::work& w) {
            out.reset();
            const auto r = w.exec_params(
                "SELECT merchant_id, role, salt_hex, secret_hash_hex, revoked_at_ms FROM api_keys WHERE key_id = $1", key_id);
            if (!r.empty())
                out = ApiKeyRecord{str(r[0][0]), key_id, str(r[0][1]), str(r[0][2]), str(r[0][3]), i64(r[0][4])};
            return true;
        });
        return out;
    }

    std::vector<std::string> merchant_ids() override {
        std::vector<std::string> out;
        run([&](pqxx::work& w) {
            out.clear();
            for (const auto& row : w.exec("SELECT merchant_id FROM merchants ORDER BY merchant_id")) out.push_back(str(row[0]));
            return true;
        });
        return out;
    }

    bool empty() override {
        bool out = true;
        run([&](pqxx::work& w) {
            out = i64(w.exec1("SELECT COUNT(*) FROM merchants")[0]) == 0;
            return true;
        });
        return out;
    }

private:
    std::unique_ptr<pqxx::connection> connect() { return std::make_unique<pqxx::connection>(url_); }

    // A connection borrowed from the pool for one transaction; returned unless it broke. At
    // most kConnectionsMax are open: PostgreSQL's connection limit is shared by every server
    // process (100 by default), and more connections than cores only queue inside it.
    class Lease {
    public:
        explicit Lease(PgStore& s) : s_(s) {
            std::unique_lock<std::mutex> lock(s_.pool_mutex_);
            s_.pool_changed_.wait(lock, [this] { return !s_.idle_.empty() || s_.open_ < kConnectionsMax; });
            if (!s_.idle_.empty()) {
                conn_ = std::move(s_.idle_.back());
                s_.idle_.pop_back();
                return;
            }
            ++s_.open_;
            lock.unlock();
            try {
                conn_ = s_.connect();
            } catch (...) {
                release_slot();
                throw;
            }
        }
        ~Lease() {
            if (!conn_ || broken_ || !conn_->is_open()) {
                conn_.reset();
                release_slot();
                return;
            }
            {
                std::lock_guard<std::mutex> lock(s_.pool_mutex_);
                s_.idle_.push_back(std::move(conn_));
            }
            s_.pool_changed_.notify_one();
        }
        void release_slot() {
            {
                std::lock_guard<std::mutex> lock(s_.pool_mutex_);
                --s_.open_;
            }
            s_.pool_changed_.notify_one();
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        pqxx::connection& conn() { return *conn_; }
        void discard() { broken_ = true; }

    private:
        PgStore& s_;
        std::unique_ptr<pqxx::connection> conn_;
        bool broken_ = false;
    };

    // Runs fn(work) in one READ COMMITTED transaction and commits when it returns true (rolls
    // back when false). The whole transaction, commit included, is retried on
    // pqxx::transaction_rollback (serialization failure, deadlock) with a short randomised
    // backoff. A broken connection, or a commit whose outcome is unknown, is never retried:
    // the connection is dropped and the error propagates.
    template <class Fn>
    void run(Fn&& fn) {
        thread_local std::minstd_rand jitter(std::random_device{}());
        for (int attempt = 1;; ++attempt) {
            Lease lease(*this);
            try {
                pqxx::work w(lease.conn());
                if (fn(w)) w.commit();
                else w.abort();
                return;
            } catch (const pqxx::transaction_rollback&) {
                if (attempt >= kAttempts) throw;
            } catch (const pqxx::broken_connection&) {
                lease.discard();
                throw;
            } catch (const pqxx::in_doubt_error&) {
                lease.discard();
                throw;
            }
            const int base_ms = 2 << std::min(attempt, 6);  // 4, 8, … 128 ms
            std::this_thread::sleep_for(std::chrono::milliseconds(base_ms / 2 + static_cast<int>(jitter() % base_ms)));
        }
    }

    void transact(bool, const std::function<bool(Sql&)>& fn) override {
        run([&](pqxx::work& w) {
            PgSql sql(w);
            return fn(sql);
        });
    }

    // The member's rows, inside the transaction with_member opened (and locked).
    class Tx final : public SqlMemberTx {
    public:
        Tx(pqxx::work& w, std::string merchant_id, std::string member_id)
            : SqlMemberTx(std::move(merchant_id), std::move(member_id)), sql_(w) {}

    protected:
        Sql& sql() override { return sql_; }

    private:
        PgSql sql_;
    };

    // All pending migrations in one transaction, under a transaction-scoped advisory lock:
    // a second server starting at the same moment waits, then finds them applied.
    void migrate() {
        const std::int64_t known = static_cast<std::int64_t>(sizeof(kMigrations) / sizeof(kMigrations[0]));
        run([&](pqxx::work& w) {
            w.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
            w.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, "
                   "applied_at_ms bigint NOT NULL)");
            const std::int64_t current = i64(w.exec1("SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations")[0]);
            if (current > known)
                throw std::runtime_error("the database schema (version " + std::to_string(current) +
                                         ") is newer than this server knows (" + std::to_string(known) + ")");
            for (std::int64_t v = current + 1; v <= known; ++v) {
                w.exec(kMigrations[v - 1]);
                w.exec_params("INSERT INTO schema_migrations (version, applied_at_ms) "
                              "VALUES ($1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                              ll(v));
                PgSql sql(w);
                report_migration(sql, v);
            }
            return true;
        });
    }

    std::optional<MerchantRecord> merchant_where(const char* where, const std::string& value) {
        std::optional<MerchantRecord> out;
        run([&](pqxx::work& w) {
            out.reset();
            const auto r = w.exec_params(
                std::string("SELECT merchant_id, code, name, currency, card_secret FROM merchants WHERE ") + where, value);
            if (!r.empty()) out = MerchantRecord{str(r[0][0]), str(r[0][1]), str(r[0][2]), str(r[0][3]), str(r[0][4])};
            return true;
        });
        return out;
    }

    std::string url_;
    std::mutex pool_mutex_;
    std::condition_variable pool_changed_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;  // connections no thread is using
    std::size_t open_ = 1;                                  // idle or leased (the first opens in the constructor)
};

}  // namespace

std::unique_ptr<Store> open_pg_store(const std::string& url) { return std::make_unique<PgStore>(url); }

}  // namespace kopilka::server
