// PostgreSQL storage adapter (libpq, pipeline mode): the connections and transactions under
// SqlStore (sql_store.hpp, where every query and the migrations are), for several server
// processes sharing one database.
//
// Implemented: the Sql executor (parameters sent as text of unspecified type, which
// PostgreSQL infers from where each is used; each statement prepared once per connection,
// unless KOPILKA_PG_PREPARED=off), which sends the statements of a transaction in batches:
// the writes nobody counts and the reads named ahead (Sql::write, Sql::prefetch) wait for the
// next statement whose answer is needed, BEGIN for the first and COMMIT goes with the last
// writes, each batch one pipeline and one round trip, run by PostgreSQL exactly as if sent one
// by one; TxMode::read as single statements outside a transaction (what READ COMMITTED would
// see, without BEGIN and COMMIT); TxMode::write as a READ COMMITTED transaction (a member's
// writers serialise on the row lock SqlStore::with_member takes), TxMode::snapshot as one
// REPEATABLE READ, READ ONLY snapshot without row locks, so lookups and exports never wait for
// writers; retry of whole transactions on a serialization failure or deadlock (SQLSTATE class
// 40) with a short backoff, but never on a unique violation, which is reported as
// UniqueViolation (another writer took the key first); migrations under pg_advisory_xact_lock
// (two servers starting together never race); a connection pool of at most 16 (each
// connection used by one thread at a time).
#include "storage/pg_store.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "codec/ledger_json.hpp"
#include "storage/on_loop.hpp"
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

// Connections one server process keeps open at most, unless KOPILKA_PG_CONNECTIONS says. A
// few per core of the database: on 2 cores receipts went 15 % faster (the median of 17 pairs of
// runs side by side) with 8 than with 16, whose transactions waited for one another's locks and
// for a core inside PostgreSQL; lookups (read in groups by a few connections) were no different.
constexpr std::size_t kConnectionsDefault = 8;
constexpr std::size_t kConnectionsLimit = 1000;

// KOPILKA_PG_CONNECTIONS: how many connections this server may keep (N servers share
// PostgreSQL's max_connections; SCALING.md). A value that is not a whole number from 1 to
// kConnectionsLimit stops the server at start, naming the setting.
std::size_t connections_max_from_env() {
    const char* v = std::getenv("KOPILKA_PG_CONNECTIONS");
    if (!v || !*v) return kConnectionsDefault;
    const std::string text(v);
    const bool digits = text.size() <= 4 && std::all_of(text.begin(), text.end(), [](char c) {
                            return c >= '0' && c <= '9';
                        });
    const std::size_t n = digits ? std::stoul(text) : 0;
    if (n < 1 || n > kConnectionsLimit)
        throw std::runtime_error("KOPILKA_PG_CONNECTIONS must be a whole number from 1 to " +
                                 std::to_string(kConnectionsLimit) + " (connections to " +
                                 "PostgreSQL this server may keep open), not '" + text + "'");
    return n;
}

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

// Errors the transaction loop (PgStore::run) tells apart; any other failed statement throws
// PgError (or UniqueViolation), which rolls back and propagates.
struct PgError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct PgRetry : std::runtime_error {  // class 40: a serialization failure, a deadlock
    using std::runtime_error::runtime_error;
};
struct PgBroken : std::runtime_error {  // the connection is lost (or a sent COMMIT's outcome)
    using std::runtime_error::runtime_error;
};

// One statement of a pipeline and what its answer is for.
struct PgStatement {
    enum class Kind {
        answer,    // query() or exec(): the caller waits for its rows or count
        write,     // Sql::write(): only its error matters
        prefetch,  // Sql::prefetch(): kept for the query() that asks for it
    };
    std::string sql;
    std::vector<std::string> params;
    Kind kind = Kind::answer;
};

struct PgAnswer {
    std::vector<SqlRow> rows;
    std::int64_t changed = 0;
};

// A libpq connection in pipeline mode and the statements prepared on it. Statements go in
// batches, each one pipeline ending in a sync: one round trip for all of them, which run one
// after another as if sent one by one (each its own snapshot under READ COMMITTED). Each
// distinct SQL text is prepared the first time the connection sends it (its Parse goes in the
// same batch) and executed by name after that, so PostgreSQL parses and plans it once per
// connection. Used by one thread at a time.
class PgConnection {
  public:
    PgConnection(const std::string& url, bool prepare)
        : conn_(PQconnectdb(url.c_str())), prepare_(prepare) {
        if (PQstatus(conn_) != CONNECTION_OK) {
            const std::string why = first_line(PQerrorMessage(conn_));
            PQfinish(conn_);
            throw PgBroken(why);
        }
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
        if (PQsetnonblocking(conn_, 1) != 0 || PQenterPipelineMode(conn_) != 1) {
            const std::string why = first_line(PQerrorMessage(conn_));
            PQfinish(conn_);
            throw PgBroken(why);
        }
    }
    ~PgConnection() { PQfinish(conn_); }
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    bool usable() const { return PQstatus(conn_) == CONNECTION_OK; }

    // Sends batch as one pipeline and returns an answer per statement, in order. The first
    // statement that fails throws (UniqueViolation, PgRetry, PgError) once the sync is read;
    // the statements after it did not run. A lost connection throws PgBroken.
    std::vector<PgAnswer> run(const std::vector<PgStatement>& batch) {
        std::vector<bool> parsed(batch.size());  // a Parse goes before the statement
        std::vector<std::string> names(batch.size());
        std::vector<const char*> values;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const PgStatement& st = batch[i];
            bool parse = false;
            names[i] = statement_name(batch, i, names, &parse);
            parsed[i] = parse;
            if (parsed[i] && !PQsendPrepare(conn_, names[i].c_str(), st.sql.c_str(), 0, nullptr))
                lost();
            values.clear();
            for (const auto& p : st.params) values.push_back(p.c_str());
            const int n = static_cast<int>(values.size());
            const int sent = names[i].empty()
                                 ? PQsendQueryParams(conn_, st.sql.c_str(), n, nullptr,
                                                     values.data(), nullptr, nullptr, 0)
                                 : PQsendQueryPrepared(conn_, names[i].c_str(), n, values.data(),
                                                       nullptr, nullptr, 0);
            if (!sent) lost();
        }
        if (!PQpipelineSync(conn_)) lost();
        flush();
        std::vector<PgAnswer> out(batch.size());
        std::optional<std::string> error;  // the first failure's message
        std::string sqlstate, constraint;
        const auto take = [&](PgAnswer* answer) {
            PGresult* r = PQgetResult(conn_);
            if (!r) lost();
            const ExecStatusType status = PQresultStatus(r);
            if (status == PGRES_TUPLES_OK && answer) {
                const int rows = PQntuples(r), cols = PQnfields(r);
                answer->rows.reserve(static_cast<std::size_t>(rows));
                for (int row = 0; row < rows; ++row) {
                    SqlRow cells;
                    cells.reserve(static_cast<std::size_t>(cols));
                    for (int col = 0; col < cols; ++col)
                        cells.emplace_back(PQgetvalue(r, row, col),
                                           static_cast<std::size_t>(PQgetlength(r, row, col)));
                    answer->rows.push_back(std::move(cells));
                }
            } else if (status == PGRES_COMMAND_OK && answer) {
                const char* n = PQcmdTuples(r);
                answer->changed = *n ? std::strtoll(n, nullptr, 10) : 0;
            } else if (status == PGRES_FATAL_ERROR && !error) {
                const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                const char* key = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
                sqlstate = state ? state : "";
                constraint = key ? key : "";
                error = PQresultErrorMessage(r);
            }
            const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
            PQclear(r);
            if (PQgetResult(conn_) != nullptr) lost();  // one result per statement, then null
            return ok;
        };
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (parsed[i] && take(nullptr)) prepared_.emplace(batch[i].sql, names[i]);
            take(&out[i]);
        }
        PGresult* sync = PQgetResult(conn_);
        if (!sync) lost();
        const bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        PQclear(sync);
        if (!synced) lost();
        if (!usable()) lost();
        if (error) fail(*error, sqlstate, constraint);
        return out;
    }

    // Several statements without parameters (the migrations' scripts), outside the pipeline.
    void script(const std::string& sql) {
        if (PQexitPipelineMode(conn_) != 1) lost();
        PQsetnonblocking(conn_, 0);
        PGresult* r = PQexec(conn_, sql.c_str());
        const ExecStatusType status = PQresultStatus(r);
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const std::string sqlstate = state ? state : "", message = PQresultErrorMessage(r);
        PQclear(r);
        if (!usable() || PQsetnonblocking(conn_, 1) != 0 || PQenterPipelineMode(conn_) != 1) lost();
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(message, sqlstate, "");
    }

  private:
    // The name batch[i] is prepared under, given names[j] of the statements before it in the
    // batch ("" once kPreparedMax are: sent unnamed, parsed each time); *parse: its Parse goes
    // before it, the first time the connection sends this text.
    std::string statement_name(const std::vector<PgStatement>& batch, std::size_t i,
                               const std::vector<std::string>& names, bool* parse) {
        *parse = false;
        if (!prepare_) return "";
        const std::string& sql = batch[i].sql;
        const auto found = prepared_.find(sql);
        if (found != prepared_.end()) return found->second;
        for (std::size_t j = 0; j < i; ++j)
            if (batch[j].sql == sql) return names[j];  // parsed earlier in this batch
        if (prepared_.size() >= kPreparedMax) return "";
        *parse = true;
        return "k" + std::to_string(next_name_++);
    }

    // Sends what libpq holds, reading answers meanwhile so neither side waits on a full buffer.
    void flush() {
        for (;;) {
            const int left = PQflush(conn_);
            if (left == 0) return;
            if (left < 0) lost();
            pollfd p{PQsocket(conn_), POLLIN | POLLOUT, 0};
            if (poll(&p, 1, -1) < 0 && errno != EINTR) lost();
            if ((p.revents & POLLIN) && !PQconsumeInput(conn_)) lost();
        }
    }

    [[noreturn]] void lost() { throw PgBroken(first_line(PQerrorMessage(conn_))); }

    [[noreturn]] static void fail(const std::string& message, const std::string& sqlstate,
                                  const std::string& constraint) {
        if (sqlstate == "23505")
            throw UniqueViolation(first_line(message), unique_field(constraint));
        // Class 40 but 40003, statement_completion_unknown: the transaction again.
        if (sqlstate.rfind("40", 0) == 0 && sqlstate != "40003") throw PgRetry(first_line(message));
        std::string what = message;
        while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
        throw PgError(what);
    }

    PGconn* conn_;
    bool prepare_;  // false: every statement unnamed (KOPILKA_PG_PREPARED=off)
    std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
    std::uint64_t next_name_ = 0;
};

// The shared SQL inside one transaction on one connection. Statements wait in a batch until
// one needs an answer (query(), exec()) or the transaction ends: writes (Sql::write) and reads
// named ahead (Sql::prefetch) go with it in one round trip, BEGIN with the first statement,
// COMMIT with the last writes. Parameters go as text of unspecified type (PostgreSQL infers
// each from where it is used).
class PgSql final : public Sql {
  public:
    PgSql(PgConnection& c, const char* begin) : c_(c) {
        if (begin) pending_.push_back({begin, {}, PgStatement::Kind::write});
    }
    std::vector<SqlRow> query(const std::string& sql,
                              const std::vector<SqlValue>& params) override {
        std::vector<std::string> texts = texts_of(params);
        if (auto rows = fetched(sql, texts)) return std::move(*rows);
        const bool asked_ahead =
            std::any_of(pending_.begin(), pending_.end(), [&](const PgStatement& st) {
                return st.kind == PgStatement::Kind::prefetch && st.sql == sql &&
                       st.params == texts;
            });
        if (asked_ahead) {
            send();
            if (auto rows = fetched(sql, texts)) return std::move(*rows);
        }
        return answer(sql, std::move(texts)).rows;
    }
    std::int64_t exec(const std::string& sql, const std::vector<SqlValue>& params) override {
        drop_prefetched();
        return answer(sql, texts_of(params)).changed;
    }
    void write(const std::string& sql, std::vector<SqlValue> params) override {
        drop_prefetched();
        note(sql);
        pending_.push_back({sql, texts_of(std::move(params)), PgStatement::Kind::write});
    }
    void prefetch(const std::string& sql, const std::vector<SqlValue>& params) override {
        pending_.push_back({sql, texts_of(params), PgStatement::Kind::prefetch});
    }
    void script(const std::string& sql) override {
        send();
        wrote_config_ = true;
        c_.script(sql);
    }
    const SqlDialect& dialect() const override { return kPostgres; }

    // Sends the writes that wait (not the reads named ahead: nobody asked for them), with
    // `last` (COMMIT or ROLLBACK) after them if given.
    void finish(const char* last) {
        drop_prefetched();
        if (last) pending_.push_back({last, {}, PgStatement::Kind::write});
        send();
    }
    // Leaves the connection out of any transaction after a failure (ROLLBACK alone).
    void abandon() {
        pending_.clear();
        fetched_.clear();
        c_.run({{"ROLLBACK", {}, PgStatement::Kind::write}});
    }
    // Whether a statement that may write the configuration tables ran.
    bool wrote_config() const { return wrote_config_; }

  private:
    // params moved in give up their texts without a copy (write(): a checkpoint's long text).
    static std::vector<std::string> texts_of(std::vector<SqlValue> params) {
        std::vector<std::string> texts;
        texts.reserve(params.size());
        for (auto& p : params) texts.push_back(std::move(p.text));
        return texts;
    }
    void note(const std::string& sql) { wrote_config_ = wrote_config_ || may_write_config(sql); }

    PgAnswer answer(const std::string& sql, std::vector<std::string> texts) {
        note(sql);
        pending_.push_back({sql, std::move(texts), PgStatement::Kind::answer});
        return send();
    }

    // Sends the batch; keeps the prefetched answers, returns the last statement's.
    PgAnswer send() {
        if (pending_.empty()) return {};
        std::vector<PgStatement> batch;
        batch.swap(pending_);
        std::vector<PgAnswer> answers;
        try {
            answers = c_.run(batch);
        } catch (...) {
            fetched_.clear();
            throw;
        }
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (batch[i].kind == PgStatement::Kind::prefetch)
                fetched_.push_back({std::move(batch[i]), std::move(answers[i].rows)});
        return batch.back().kind == PgStatement::Kind::answer ? std::move(answers.back())
                                                              : PgAnswer{};
    }

    std::optional<std::vector<SqlRow>> fetched(const std::string& sql,
                                               const std::vector<std::string>& texts) {
        for (auto it = fetched_.begin(); it != fetched_.end(); ++it) {
            if (it->first.sql != sql || it->first.params != texts) continue;
            std::vector<SqlRow> rows = std::move(it->second);
            fetched_.erase(it);
            return rows;
        }
        return std::nullopt;
    }

    // A write makes what was read ahead stale: those reads run again when asked.
    void drop_prefetched() {
        fetched_.clear();
        pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                      [](const PgStatement& st) {
                                          return st.kind == PgStatement::Kind::prefetch;
                                      }),
                       pending_.end());
    }

    PgConnection& c_;
    std::vector<PgStatement> pending_;
    std::vector<std::pair<PgStatement, std::vector<SqlRow>>> fetched_;
    bool wrote_config_ = false;
};

class PgStore final : public SqlStore {
public:
    explicit PgStore(std::string url)
        : url_(std::move(url)), connections_max_(connections_max_from_env()) {
        try {
            idle_.push_back(connect());
            migrate_schema();
            listener_ = std::thread([this] { listen_for_changes(); });
        } catch (const PgBroken& e) {
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
  // most connections_max_ are open: PostgreSQL's connection limit is shared by every server
  // process (100 by default), and more connections than cores only queue inside it.
  class Lease {
    public:
        explicit Lease(PgStore& s) : s_(s) {
            OnLoop::refuse_waiting();  // an event loop never waits for a connection
            std::unique_lock<std::mutex> lock(s_.pool_mutex_);
            s_.pool_changed_.wait(
                lock, [this] { return !s_.idle_.empty() || s_.open_ < s_.connections_max_; });
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
            if (!conn_ || broken_ || !conn_->usable()) {
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

    // Runs fn in one transaction begun by `begin` (nullptr: statements outside a transaction)
    // and commits when it returns true (rolls back when false). The whole transaction, commit
    // included, is retried on a serialization failure or deadlock (PgRetry) with a short
    // randomised backoff. A broken connection, or a commit whose outcome is unknown, is never
    // retried: the connection is dropped and the error propagates.
    void run(const char* begin, const std::function<bool(PgSql&)>& fn) {
        thread_local std::minstd_rand jitter(std::random_device{}());
        for (int attempt = 1;; ++attempt) {
            Lease lease(*this);
            try {
                PgSql sql(lease.conn(), begin);
                try {
                    const bool commit = fn(sql);
                    sql.finish(begin ? (commit ? "COMMIT" : "ROLLBACK") : nullptr);
                    return;
                } catch (const PgBroken&) {
                    throw;
                } catch (...) {
                    if (begin) sql.abandon();
                    throw;
                }
            } catch (const PgRetry&) {
                if (attempt >= kAttempts) throw;
            } catch (const PgBroken&) {
                lease.discard();
                throw;
            }
            const int base_ms = 2 << std::min(attempt, 6);  // 4, 8, … 128 ms
            std::this_thread::sleep_for(
                std::chrono::milliseconds(base_ms / 2 + static_cast<int>(jitter() % base_ms)));
        }
    }

    // read: statements without BEGIN and COMMIT, each seeing what is committed when it runs
    // (as READ COMMITTED would, as SQLite's autocommit); snapshot: one BEGIN ISOLATION LEVEL
    // REPEATABLE READ READ ONLY, rolled back; write: READ COMMITTED.
    void transact(TxMode mode, const std::function<bool(Sql&)>& fn) override {
        bool wrote_config = false;
        const auto body = [&](PgSql& sql) {
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
                return run(nullptr, body);
            case TxMode::snapshot:
                return run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body);
            case TxMode::write:
                return run("BEGIN ISOLATION LEVEL READ COMMITTED", body);
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
        const auto command_ok = [](PGconn* c, const char* sql) {
            PGresult* r = PQexec(c, sql);
            const ExecStatusType status = PQresultStatus(r);
            PQclear(r);
            return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        };
        while (!stopping_) {
            PGconn* c = PQconnectdb(url_.c_str());
            // PQexec returns once the LISTEN is in effect
            if (PQstatus(c) == CONNECTION_OK && command_ok(c, "LISTEN kopilka_config")) {
                ++config_generation_;
                listening_ = true;
                auto probed = std::chrono::steady_clock::now();
                while (!stopping_ && PQstatus(c) == CONNECTION_OK) {
                    pollfd p{PQsocket(c), POLLIN, 0};
                    if (poll(&p, 1, 200) < 0 && errno != EINTR) break;
                    if (!PQconsumeInput(c)) break;
                    while (PGnotify* n = PQnotifies(c)) {
                        ++config_generation_;
                        PQfreemem(n);
                    }
                    if (std::chrono::steady_clock::now() - probed > std::chrono::seconds(5)) {
                        if (!command_ok(c, "SELECT 1")) break;
                        probed = std::chrono::steady_clock::now();
                    }
                }
            }
            PQfinish(c);
            // until the next LISTEN every read goes to the database
            listening_ = false;
            ++config_generation_;
            for (int i = 0; i < 10 && !stopping_; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    std::string url_;
    const std::size_t connections_max_;  // KOPILKA_PG_CONNECTIONS, 8 by default
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
