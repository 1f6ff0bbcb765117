// PostgreSQL storage adapter (libpqxx 6.4): the connections and transactions under SqlStore
// (sql_store.hpp, where every query and the migrations are), for several server processes
// sharing one database.
//
// Implemented: the Sql executor (parameters sent as text of unspecified type, which
// PostgreSQL infers from where each is used); TxMode::read and write as READ COMMITTED
// transactions (a member's writers serialise on the row lock SqlStore::with_member takes),
// TxMode::snapshot as one REPEATABLE READ, READ ONLY snapshot without row locks, so lookups
// and exports never wait for writers; retry of whole transactions on
// pqxx::transaction_rollback (serialization failure, deadlock) with a short backoff, but
// never on a unique violation, which is reported as UniqueViolation (another writer took the
// key first); migrations under pg_advisory_xact_lock (two servers starting together never
// race); a connection pool of at most 16 (pqxx connections are not thread-safe: each one is
// used by one thread at a time).
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

// The migrations' advisory lock key is "kopilka" in ASCII (0x6b6f70696c6b61).
// The audit log's triggers refuse row changes and TRUNCATE (which row triggers don't see).
constexpr SqlDialect kPostgres{true, "bigint", "SELECT pg_advisory_xact_lock(30240351103773537)",
                               "BIGSERIAL PRIMARY KEY", R"sql(
    CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $fn$;
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
)sql"};

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

// The shared SQL inside one libpqxx transaction. Parameters go as text of unspecified type
// (PostgreSQL infers each from where it is used).
class PgSql final : public Sql {
public:
    explicit PgSql(pqxx::work& w) : w_(w) {}
    std::vector<SqlRow> query(const std::string& sql,
                              const std::vector<SqlValue>& params) override {
        const pqxx::result r = run(sql, params);
        std::vector<SqlRow> out;
        out.reserve(r.size());
        for (const auto& row : r) {
            SqlRow cells;
            cells.reserve(row.size());
            for (const auto& f : row)
                cells.push_back(f.is_null() ? std::string() : f.as<std::string>());
            out.push_back(std::move(cells));
        }
        return out;
    }
    std::int64_t exec(const std::string& sql, const std::vector<SqlValue>& params) override {
        return static_cast<std::int64_t>(run(sql, params).affected_rows());
    }
    void script(const std::string& sql) override { w_.exec(sql); }
    const SqlDialect& dialect() const override { return kPostgres; }

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
            migrate_schema();
        } catch (const pqxx::broken_connection& e) {
            throw std::runtime_error("cannot connect to PostgreSQL at " + redact(url_) + ": " +
                                     first_line(e.what()));
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            if (what.rfind("PostgreSQL", 0) == 0 || what.rfind("the database schema", 0) == 0)
                throw;
            throw std::runtime_error("PostgreSQL at " + redact(url_) +
                                     " is not usable: " + first_line(what));
        }
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
            s_.pool_changed_.wait(
                lock, [this] { return !s_.idle_.empty() || s_.open_ < kConnectionsMax; });
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
            std::this_thread::sleep_for(
                std::chrono::milliseconds(base_ms / 2 + static_cast<int>(jitter() % base_ms)));
        }
    }

    void transact(TxMode mode, const std::function<bool(Sql&)>& fn) override {
        run([&](pqxx::work& w) {
            if (mode == TxMode::snapshot)
                w.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            PgSql sql(w);
            return fn(sql) && mode != TxMode::snapshot;
        });
    }

    std::string url_;
    std::mutex pool_mutex_;
    std::condition_variable pool_changed_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;  // connections no thread is using
    std::size_t open_ = 1;  // idle or leased (the first opens in the constructor)
};

}  // namespace

std::unique_ptr<Store> open_pg_store(const std::string& url) {
    return std::make_unique<PgStore>(url);
}

}  // namespace kopilka::server
