// SQLite storage adapter: the connection and its transactions under SqlStore (sql_store.hpp,
// where every query and the migrations are).
// Implemented: WAL journal; the Sql executor; TxMode::write as BEGIN IMMEDIATE (the
// database's write lock: writers are serialised, so no two decide on the same member state),
// TxMode::snapshot as a deferred transaction (a WAL read snapshot) rolled back at the end,
// TxMode::read as autocommit statements; unique violations reported as UniqueViolation; each
// statement compiled once per connection.
// Writes on one connection, committed in groups; reads on a pool of read-only connections
// beside it.
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/on_loop.hpp"
#include "storage/sql_store.hpp"

namespace kopilka::server {

namespace {

constexpr SqlDialect kSqlite{false, "INTEGER", "", "INTEGER PRIMARY KEY AUTOINCREMENT", R"sql(
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"};

// Statements prepared on the connection, by SQL text: each is compiled once and reset after
// every use. Beyond kPreparedMax (SQL built from a request's filters), statements are
// compiled for one use. One per connection, used by the thread using the connection.
class StatementCache {
  public:
    static constexpr std::size_t kPreparedMax = 256;
    ~StatementCache() { clear(); }
    // The prepared statement for sql, and whether the caller finalises it after one use.
    sqlite3_stmt* get(sqlite3* db, const std::string& sql, bool* once) {
        const auto found = kept_.find(sql);
        *once = false;
        if (found != kept_.end()) return found->second;
        *once = kept_.size() >= kPreparedMax;
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db, sql.c_str(), -1, *once ? 0 : SQLITE_PREPARE_PERSISTENT, &stmt,
                               nullptr) != SQLITE_OK) {
            sqlite3_finalize(stmt);
            throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
        }
        if (!*once) kept_.emplace(sql, stmt);
        return stmt;
    }
    void clear() {
        for (auto& [sql, stmt] : kept_) sqlite3_finalize(stmt);
        kept_.clear();
    }

  private:
    std::unordered_map<std::string, sqlite3_stmt*> kept_;
};

class Statement {
  public:
    Statement(sqlite3* db, StatementCache& cache, const std::string& sql)
        : db_(db), stmt_(cache.get(db, sql, &once_)) {}
    ~Statement() {
        if (once_) {
            sqlite3_finalize(stmt_);
            return;
        }
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // $1, $2, … of the shared SQL are named parameters to SQLite.
    void bind_all(const std::vector<SqlValue>& params) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int at =
                sqlite3_bind_parameter_index(stmt_, ("$" + std::to_string(i + 1)).c_str());
            if (at == 0) continue;
            const std::string& v = params[i].text;
            if (params[i].integer)
                sqlite3_bind_int64(stmt_, at, to_i64(v));
            else
                sqlite3_bind_text(stmt_, at, v.data(), static_cast<int>(v.size()),
                                  SQLITE_TRANSIENT);
        }
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
        return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col))
                 : std::string();
    }

private:
    sqlite3* db_;
    bool once_ = false;
    sqlite3_stmt* stmt_ = nullptr;
};

void exec_script(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: " + msg);
    }
}

// The shared SQL on a connection (its thread's until the transaction ends).
class SqliteSql final : public Sql {
public:
  SqliteSql(sqlite3* db, StatementCache& cache) : db_(db), cache_(cache) {}
  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
      Statement s(db_, cache_, sql);
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
        Statement s(db_, cache_, sql);
        s.bind_all(params);
        while (s.step()) {
        }
        return sqlite3_changes(db_);
    }
    void script(const std::string& sql) override { exec_script(db_, sql.c_str()); }
    const SqlDialect& dialect() const override { return kSqlite; }

  private:
    sqlite3* db_;
    StatementCache& cache_;
};

sqlite3* open_connection(const std::string& path, int flags) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw std::runtime_error("cannot open database " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

// A connection and the statements compiled on it; one thread uses it at a time.
struct Connection {
    explicit Connection(sqlite3* opened) : db(opened) {}
    ~Connection() {
        statements.clear();
        sqlite3_close(db);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    sqlite3* db;
    StatementCache statements;
};

// Runs fn in a transaction of `mode` on c (write: BEGIN IMMEDIATE, committed when fn says so;
// snapshot: a deferred read transaction rolled back; read: autocommit statements).
void run_transaction(Connection& c, TxMode mode, const std::function<bool(Sql&)>& fn) {
    SqliteSql sql(c.db, c.statements);
    if (mode == TxMode::read) {
        fn(sql);
        return;
    }
    exec_script(c.db, mode == TxMode::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    try {
        const bool commit = fn(sql) && mode == TxMode::write;
        exec_script(c.db, commit ? "COMMIT" : "ROLLBACK");
    } catch (...) {
        sqlite3_exec(c.db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

// Writes go to one connection, in groups (SQLite has one writer at a time anyway). Reads
// go to read-only connections of a pool beside it, so a request's reads do not wait for a
// write transaction's work and fsync; WAL gives each the database as last committed. A
// thread inside a transaction of the writer's reads through it (its own uncommitted rows).
class SqliteStore final : public SqlStore {
  public:
    SqliteStore(const std::string& path, bool create) : path_(path) {
        writer_ = std::make_unique<Connection>(open_connection(
            path,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0)));
        exec_script(writer_->db, "PRAGMA journal_mode=WAL");
        exec_script(writer_->db, "PRAGMA synchronous=FULL");
        exec_script(writer_->db, "PRAGMA foreign_keys=ON");
        migrate_schema();
    }
    ~SqliteStore() override {
        readers_.clear();
        writer_.reset();
    }

  private:
    static constexpr std::size_t kReadersMax = 8;

    void transact(TxMode mode, const std::function<bool(Sql&)>& fn) override {
        OnLoop::refuse_waiting();  // an event loop never waits for the file
        if (mode != TxMode::write && in_writer_ != this) {
            std::unique_ptr<Connection> reader = take_reader();
            struct GiveBack {
                SqliteStore& store;
                std::unique_ptr<Connection>& c;
                ~GiveBack() { store.give_back(std::move(c)); }
            } give_back{*this, reader};
            run_transaction(*reader, mode, fn);
            return;
        }
        if (in_writer_ == this) {  // inside a write's fn: its own transaction
            run_transaction(*writer_, mode, fn);
            return;
        }
        write_in_group(fn);
    }

    // Group commit. A write joins the queue; the first writer to find no group running runs
    // every queued write (up to kGroupMax) in one transaction, each inside a savepoint (a
    // write that returns false or throws is rolled back alone, its exception rethrown to its
    // caller), then commits once: one fsync for the group. Each writer returns when its group
    // has committed, so an acknowledged write is on disk. The writes still run one after
    // another on the writer, each seeing the ones before it, as they would one by one.
    struct QueuedWrite {
        const std::function<bool(Sql&)>* fn;
        std::exception_ptr error;
        bool done = false;
    };
    static constexpr std::size_t kGroupMax = 32;

    void write_in_group(const std::function<bool(Sql&)>& fn) {
        QueuedWrite me{&fn, nullptr, false};
        std::unique_lock<std::mutex> lock(group_mutex_);
        queued_.push_back(&me);
        while (!me.done) {
            if (group_running_) {
                group_done_.wait(lock);
                continue;
            }
            group_running_ = true;
            const std::size_t n = std::min(queued_.size(), kGroupMax);
            std::vector<QueuedWrite*> group(queued_.begin(), queued_.begin() + n);
            queued_.erase(queued_.begin(), queued_.begin() + n);
            lock.unlock();
            run_group(group);
            lock.lock();
            for (QueuedWrite* w : group) w->done = true;
            group_running_ = false;
            group_done_.notify_all();
        }
        lock.unlock();
        if (me.error) std::rethrow_exception(me.error);
    }

    // Only the thread running the group uses the writer.
    void run_group(const std::vector<QueuedWrite*>& group) {
        struct Enter {  // another store's write may be running this one's
            const SqliteStore* outer = in_writer_;
            explicit Enter(const SqliteStore* store) { in_writer_ = store; }
            ~Enter() { in_writer_ = outer; }
        } enter{this};
        sqlite3* db = writer_->db;
        const auto fail = [&](const std::vector<QueuedWrite*>& writes) {
            for (QueuedWrite* w : writes)
                if (!w->error) w->error = std::current_exception();
        };
        try {
            exec_script(db, "BEGIN IMMEDIATE");
        } catch (...) {
            fail(group);
            return;
        }
        SqliteSql sql(db, writer_->statements);
        std::vector<QueuedWrite*> kept;
        for (QueuedWrite* w : group) {
            bool keep = false;
            try {
                exec_script(db, "SAVEPOINT one_write");
                keep = (*w->fn)(sql);
            } catch (...) {
                w->error = std::current_exception();
            }
            try {
                // An I/O error or a full disk can roll back the whole transaction: then
                // nothing of the group is written.
                if (sqlite3_get_autocommit(db))
                    throw std::runtime_error("sqlite: the transaction was rolled back");
                exec_script(
                    db, keep ? "RELEASE one_write" : "ROLLBACK TO one_write; RELEASE one_write");
            } catch (...) {
                sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
                fail(group);
                return;
            }
            if (keep) kept.push_back(w);
        }
        try {
            exec_script(db, "COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            fail(kept);
        }
    }

    // An idle reader, a new one while fewer than kReadersMax are open, else the next one
    // given back.
    std::unique_ptr<Connection> take_reader() {
        std::unique_lock<std::mutex> lock(pool_mutex_);
        pool_changed_.wait(lock, [&] { return !readers_.empty() || readers_open_ < kReadersMax; });
        if (!readers_.empty()) {
            std::unique_ptr<Connection> c = std::move(readers_.back());
            readers_.pop_back();
            return c;
        }
        ++readers_open_;
        lock.unlock();
        try {
            return std::make_unique<Connection>(
                open_connection(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX));
        } catch (...) {
            lock.lock();
            --readers_open_;
            pool_changed_.notify_one();
            throw;
        }
    }
    void give_back(std::unique_ptr<Connection> c) {
        {
            std::lock_guard<std::mutex> lock(pool_mutex_);
            readers_.push_back(std::move(c));
        }
        pool_changed_.notify_one();
    }

    const std::string path_;
    std::unique_ptr<Connection> writer_;
    // The store whose writer this thread is inside a transaction of, if any.
    static thread_local const SqliteStore* in_writer_;
    std::mutex group_mutex_;
    std::condition_variable group_done_;
    std::vector<QueuedWrite*> queued_;
    bool group_running_ = false;
    std::mutex pool_mutex_;
    std::condition_variable pool_changed_;
    std::vector<std::unique_ptr<Connection>> readers_;  // idle
    std::size_t readers_open_ = 0;
};

thread_local const SqliteStore* SqliteStore::in_writer_ = nullptr;

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing) {
    return std::make_unique<SqliteStore>(path, create_if_missing);
}

}  // namespace kopilka::server
