// SQLite storage adapter: the connection and its transactions under SqlStore (sql_store.hpp,
// where every query and the migrations are).
// Implemented: WAL journal; the Sql executor; TxMode::write as BEGIN IMMEDIATE (the
// database's write lock: writers are serialised, so no two decide on the same member state),
// TxMode::snapshot as a deferred transaction (a WAL read snapshot) rolled back at the end,
// TxMode::read as autocommit statements; unique violations reported as UniqueViolation; each
// statement compiled once per connection.
// Missing: one connection serialised by a mutex, so a read waits for the statement or write
// transaction in progress; a connection pool would let reads run beside a writer.
#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

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
// compiled for one use. Used under the store's mutex only.
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

// The shared SQL on this connection (the caller holds the store's mutex).
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

class SqliteStore final : public SqlStore {
public:
    SqliteStore(const std::string& path, bool create) {
        const int mode =
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
        if (sqlite3_open_v2(path.c_str(), &db_, mode, nullptr) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error("cannot open database " + path + ": " + msg);
        }
        sqlite3_busy_timeout(db_, 5000);
        exec_script(db_, "PRAGMA journal_mode=WAL");
        exec_script(db_, "PRAGMA synchronous=FULL");
        exec_script(db_, "PRAGMA foreign_keys=ON");
        migrate_schema();
    }
    ~SqliteStore() override {
        statements_.clear();
        sqlite3_close(db_);
    }

private:
  void transact(TxMode mode, const std::function<bool(Sql&)>& fn) override {
      std::lock_guard<std::recursive_mutex> lock(mutex_);
      SqliteSql sql(db_, statements_);
      if (mode == TxMode::read) {
          fn(sql);
          return;
      }
      exec_script(db_, mode == TxMode::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
      try {
          const bool commit = fn(sql) && mode == TxMode::write;
          exec_script(db_, commit ? "COMMIT" : "ROLLBACK");
      } catch (...) {
          sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
          throw;
      }
  }

    sqlite3* db_ = nullptr;
    StatementCache statements_;
    std::recursive_mutex mutex_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing) {
    return std::make_unique<SqliteStore>(path, create_if_missing);
}

}  // namespace kopilka::server
