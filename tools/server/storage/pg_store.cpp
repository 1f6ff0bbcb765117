// PostgreSQL storage adapter (libpqxx 6.4): the connections and transactions under SqlStore
// (sql_store.hpp, where every query and the migrations are), for several server processes
// sharing one database.
//
// Implemented: the Sql executor (parameters sent as text of unspecified type, which
// PostgreSQL infers from where each is used; each statement prepared once per connection,
// unless KOPILKA_PG_PREPARED=off);
// TxMode::read as single statements outside a transaction (what READ COMMITTED would see,
// without BEGIN and COMMIT's round trips); TxMode::write as a READ COMMITTED transaction (a
// member's writers serialise on the row lock SqlStore::with_member takes),
// TxMode::snapshot as one REPEATABLE READ, READ ONLY snapshot without row locks, so lookups
// and exports never wait for writers; retry of whole transactions on
// pqxx::transaction_rollback (serialization failure, deadlock) with a short backoff, but
// never on a unique violation, which is reported as UniqueViolation (another writer took the
// key first); migrations under pg_advisory_xact_lock (two servers starting together never
// race); a connection pool of at most 16 (pqxx connections are not thread-safe: each one is
// used by one thread at a time).
#include "storage/pg_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

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

// Statements one connection prepares at most; any beyond run unnamed (parsed and planned each
// time), so SQL built from a request's filters can't grow a connection's memory without bound.
constexpr std::size_t kPreparedMax = 256;

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

// A connection and the statements prepared on it: each distinct SQL text is prepared the first
// time the connection runs it (libpqxx sends the PREPARE with that first use) and executed by
// name after that, so PostgreSQL parses and plans it once per connection, not once per call.
struct PgConnection {
    PgConnection(const std::string& url, bool prepare) : conn(url), prepare(prepare) {}
    pqxx::connection conn;
    bool prepare;  // false: every statement unnamed (KOPILKA_PG_PREPARED=off)
    std::unordered_map<std::string, std::string> prepared;  // SQL text → statement name
};

// The shared SQL inside one libpqxx transaction. Parameters go as text of unspecified type
// (PostgreSQL infers each from where it is used).
class PgSql final : public Sql {
public:
  PgSql(pqxx::transaction_base& w, PgConnection& c) : w_(w), c_(c) {}
  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
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
    void script(const std::string& sql) override {
        wrote_config_ = true;
        w_.exec(sql);
    }
    // Whether a statement that may write the configuration tables ran.
    bool wrote_config() const { return wrote_config_; }
    const SqlDialect& dialect() const override { return kPostgres; }

  private:
    pqxx::result run(const std::string& sql, const std::vector<SqlValue>& params) {
        wrote_config_ = wrote_config_ || may_write_config(sql);
        std::vector<std::string> texts;
        texts.reserve(params.size());
        for (const auto& p : params) texts.push_back(p.text);
        const auto params_of = [&] {
            return pqxx::prepare::make_dynamic_params(texts.begin(), texts.end());
        };
        try {
            const std::string* name = statement(sql);
            return name ? w_.exec_prepared(*name, params_of()) : w_.exec_params(sql, params_of());
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
    // The name sql is prepared under on this connection, or nullptr once kPreparedMax are.
    const std::string* statement(const std::string& sql) {
        const auto found = c_.prepared.find(sql);
        if (found != c_.prepared.end()) return &found->second;
        if (!c_.prepare || c_.prepared.size() >= kPreparedMax) return nullptr;
        std::string name = "k" + std::to_string(c_.prepared.size());
        c_.conn.prepare(name, sql);
        return &c_.prepared.emplace(sql, std::move(name)).first->second;
    }

    pqxx::transaction_base& w_;
    PgConnection& c_;
    bool wrote_config_ = false;
};

class PgStore final : public SqlStore {
public:
    explicit PgStore(std::string url) : url_(std::move(url)) {
        try {
            idle_.push_back(connect());
            migrate_schema();
            listener_ = std::thread([this] { listen_for_changes(); });
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

    ~PgStore() override {
        stopping_ = true;
        if (listener_.joinable()) listener_.join();
    }

private:
  std::unique_ptr<PgConnection> connect() { return std::make_unique<PgConnection>(url_, prepare_); }

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
            if (!conn_ || broken_ || !conn_->conn.is_open()) {
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
        PgConnection& conn() { return *conn_; }
        void discard() { broken_ = true; }

    private:
        PgStore& s_;
        std::unique_ptr<PgConnection> conn_;
        bool broken_ = false;
    };

    // Runs fn(tx, connection) in one transaction of type Tx and commits when it returns true
    // (rolls back when false). The whole transaction, commit included, is retried on
    // pqxx::transaction_rollback (serialization failure, deadlock) with a short randomised
    // backoff. A broken connection, or a commit whose outcome is unknown, is never retried:
    // the connection is dropped and the error propagates.
    template <class Tx, class Fn>
    void run(Fn&& fn) {
        thread_local std::minstd_rand jitter(std::random_device{}());
        for (int attempt = 1;; ++attempt) {
            Lease lease(*this);
            try {
                Tx w(lease.conn().conn);
                if (fn(w, lease.conn()))
                    w.commit();
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

    // read: statements without BEGIN and COMMIT, each seeing what is committed when it runs
    // (as READ COMMITTED would, one round trip each, as SQLite's autocommit); snapshot: one
    // BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, rolled back; write: READ COMMITTED.
    void transact(TxMode mode, const std::function<bool(Sql&)>& fn) override {
        bool wrote_config = false;
        const auto body = [&](pqxx::transaction_base& w, PgConnection& c) {
            PgSql sql(w, c);
            const bool commit = fn(sql) && mode == TxMode::write;
            wrote_config = sql.wrote_config();
            return commit;
        };
        // Once it has committed (or failed), a write of the configuration tables moves the
        // generation, so this process's next read sees it without waiting for the NOTIFY.
        struct Bump {
            PgStore& s;
            const bool& wrote;
            ~Bump() {
                if (wrote) ++s.config_generation_;
            }
        } bump{*this, wrote_config};
        switch (mode) {
            case TxMode::read:
                return run<pqxx::nontransaction>(body);
            case TxMode::snapshot:
                return run<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(body);
            case TxMode::write:
                return run<pqxx::work>(body);
        }
    }

    // A lookup's reads go in groups (SqlStore's ReadGroups): each statement's round trip, bind
    // and plan are shared by the group. KOPILKA_READS_TOGETHER=0 reads each alone (the
    // baseline tools/bench.sh server measures them against).
    bool reads_together() const override { return reads_together_; }

    std::optional<std::uint64_t> config_generation() override {
        if (!listening_) return std::nullopt;
        return config_generation_.load();
    }

    // Listens on kopilka_config (migration 14's triggers) on a connection of its own and moves
    // the generation on every notification; while it is not listening (before the first
    // LISTEN, after a lost connection until the next one), the cache is off. A connection that
    // stops answering is found by a probe every few seconds.
    void listen_for_changes() {
        class Receiver final : public pqxx::notification_receiver {
          public:
            Receiver(pqxx::connection_base& c, PgStore& s)
                : pqxx::notification_receiver(c, "kopilka_config"), s_(s) {}
            void operator()(const std::string&, int) override { ++s_.config_generation_; }

          private:
            PgStore& s_;
        };
        while (!stopping_) {
            try {
                pqxx::connection c(url_);
                Receiver receiver(c, *this);
                c.get_notifs();  // the LISTEN is in effect from here on
                ++config_generation_;
                listening_ = true;
                auto probed = std::chrono::steady_clock::now();
                while (!stopping_) {
                    c.await_notification(0, 200'000);
                    if (std::chrono::steady_clock::now() - probed > std::chrono::seconds(5)) {
                        pqxx::nontransaction(c).exec("SELECT 1");
                        probed = std::chrono::steady_clock::now();
                    }
                }
            } catch (const std::exception&) {
                // reconnect below; until then every read goes to the database
            }
            listening_ = false;
            ++config_generation_;
            for (int i = 0; i < 10 && !stopping_; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    std::string url_;
    // KOPILKA_PG_PREPARED=off: no statement is prepared, for a pooler in transaction mode that
    // can't keep them across server connections (pgbouncer before 1.21; SCALING.md).
    const bool prepare_ = [] {
        const char* v = std::getenv("KOPILKA_PG_PREPARED");
        return !(v && std::string(v) == "off");
    }();
    std::mutex pool_mutex_;
    std::condition_variable pool_changed_;
    std::vector<std::unique_ptr<PgConnection>> idle_;  // connections no thread is using
    std::size_t open_ = 1;  // idle or leased (the first opens in the constructor)

    std::atomic<std::uint64_t> config_generation_{0};
    std::atomic<bool> listening_{false};
    std::atomic<bool> stopping_{false};
    const bool reads_together_ = [] {
        const char* v = std::getenv("KOPILKA_READS_TOGETHER");
        return !(v && std::string(v) == "0");
    }();
    std::thread listener_;  // listen_for_changes(), started once the schema is up to date
};

}  // namespace

std::unique_ptr<Store> open_pg_store(const std::string& url) {
    return std::make_unique<PgStore>(url);
}

}  // namespace kopilka::server
