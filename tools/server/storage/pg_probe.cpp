// pg_probe: proves libpqxx 6.4 builds, links and talks to PostgreSQL 15, and shows what a
// SERIALIZABLE conflict looks like from C++ (the exception the PostgreSQL store will catch
// and retry). Not part of the server.
//
//   url=$(tools/pg.sh start /tmp/kopilka-pg)
//   build/native/bin/pg_probe "$url"      # one JSON line on stdout; exit 0 = all as expected
//   tools/pg.sh stop /tmp/kopilka-pg
//
// CMake (tools/CMakeLists.txt, native build only — tools/ is not added under Emscripten):
//
//   pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)   # Debian libpqxx-dev 6.4.5
//   add_executable(pg_probe server/storage/pg_probe.cpp)
//   target_link_libraries(pg_probe PRIVATE PkgConfig::PQXX)
//   set_target_properties(pg_probe PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
//
// (find_package(PkgConfig REQUIRED) is already there.) pkg-config name `libpqxx`; it gives
// `-I/usr/include/postgresql` and `-lpqxx`; libpq.so.5 comes in as libpqxx.so's dependency,
// no -lpq needed. Must be compiled as C++17 (Debian built libpqxx 6.4 with C++17; its
// std::string_view overloads are missing at link time under older standards). By hand:
//
//   g++ -std=c++17 -O2 -Wall -Wextra tools/server/storage/pg_probe.cpp $(pkg-config --cflags --libs
//   libpqxx) -o /tmp/pg_probe
//
// What it found with libpqxx 6.4.5 / PostgreSQL 15 (both conflicts deterministic):
//   * A SERIALIZABLE conflict throws pqxx::serialization_failure, which derives from
//     pqxx::transaction_rollback -> pqxx::failure -> std::runtime_error, and NOT from
//     pqxx::sql_error: in 6.4 there is no sqlstate() on it. Catch it by type. (The probe reads
//     SQLSTATE 40001 from the message text after set_verbosity(verbose), only to show it.)
//   * Concurrent update of one row: thrown by the second UPDATE statement.
//     Write skew (SSI): thrown by the second transaction's commit(). The retry loop must
//     therefore wrap the whole transaction including commit().
//   * Other class-40 errors a retry loop should also take: pqxx::deadlock_detected (40P01,
//     also a transaction_rollback). Not retryable: pqxx::in_doubt_error (commit outcome
//     unknown) and pqxx::broken_connection.
#include <cxxabi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <typeinfo>

#include <pqxx/pqxx>

namespace {

using Serializable = pqxx::transaction<pqxx::serializable>;

std::string json_str(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string type_name(const std::exception& e) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> d(
        abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
    return status == 0 && d ? d.get() : typeid(e).name();
}

// With verbose error messages libpq writes "ERROR:  40001: could not serialize …".
std::string sqlstate_from_message(const std::string& what) {
    static const std::regex re(R"((?:ERROR|FATAL):\s+([0-9A-Z]{5}):)");
    std::smatch m;
    return std::regex_search(what, m, re) ? m[1].str() : "";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// What one conflict scenario saw.
struct Conflict {
    std::string exception_type;
    std::string sqlstate;          // from the message; "" if not found
    std::string sqlstate_member;   // from sql_error::sqlstate() if the exception is one
    bool derives_from_sql_error = false;
    bool derives_from_transaction_rollback = false;
    std::string thrown_by;         // which step of the losing transaction threw
    std::string message;
    int attempts = 0;              // of the losing transaction, including the successful retry
    bool ok = false;

    std::string json() const {
        std::ostringstream o;
        o << "{\"exception\":" << json_str(exception_type) << ",\"sqlstate\":" << json_str(sqlstate)
          << ",\"is_sql_error\":" << (derives_from_sql_error ? "true" : "false")
          << ",\"sql_error_sqlstate\":" << json_str(sqlstate_member)
          << ",\"is_transaction_rollback\":"
          << (derives_from_transaction_rollback ? "true" : "false")
          << ",\"thrown_by\":" << json_str(thrown_by) << ",\"attempts\":" << attempts
          << ",\"message\":" << json_str(message);
        return o.str();   // caller closes the object
    }
};

void record(Conflict& c, const pqxx::serialization_failure& e, const std::string& step) {
    c.exception_type = type_name(e);
    c.message = first_line(e.what());
    c.sqlstate = sqlstate_from_message(e.what());
    const auto* se = dynamic_cast<const pqxx::sql_error*>(static_cast<const std::exception*>(&e));
    c.derives_from_sql_error = se != nullptr;
    if (se) c.sqlstate_member = se->sqlstate();
    c.derives_from_transaction_rollback = dynamic_cast<const pqxx::transaction_rollback*>(
                                              static_cast<const std::exception*>(&e)) != nullptr;
    c.thrown_by = step;
}

// Two points awards on one balance, both SERIALIZABLE. The loser read the row before the
// winner committed, so its UPDATE fails with 40001; the retry sees the new balance.
Conflict update_conflict(pqxx::connection& c1, pqxx::connection& c2, long long& final_balance) {
    Conflict r;
    {
        pqxx::work w(c1);
        w.exec("INSERT INTO probe(id, merchant_id, balance) VALUES ('acct-1', 'demo', 100) "
               "ON CONFLICT (id) DO UPDATE SET balance = 100");
        w.commit();
    }
    for (int attempt = 1; attempt <= 5; ++attempt) {
        r.attempts = attempt;
        std::string step = "SELECT";
        try {
            Serializable loser(c2, "loser");
            loser.exec1("SELECT balance FROM probe WHERE id = 'acct-1'");   // snapshot taken here
            if (attempt == 1) {   // the winner commits in between
                Serializable winner(c1, "winner");
                winner.exec("UPDATE probe SET balance = balance + 10 WHERE id = 'acct-1'");
                winner.commit();
            }
            step = "UPDATE";
            loser.exec("UPDATE probe SET balance = balance + 5 WHERE id = 'acct-1'");
            step = "COMMIT";
            loser.commit();
            r.ok = true;
            break;
        } catch (const pqxx::serialization_failure& e) {
            if (r.exception_type.empty()) record(r, e, step);
        }
    }
    pqxx::work w(c1);
    final_balance = w.exec1("SELECT balance FROM probe WHERE id = 'acct-1'")[0].as<long long>();
    w.commit();
    r.ok = r.ok && r.attempts == 2 && !r.exception_type.empty() && final_balance == 115;
    return r;
}

// Write skew, which only SERIALIZABLE (SSI) catches: two cashiers each close "their" till
// after checking that at least one other stays open. Both read, both write, first commit
// wins, the second commit fails with 40001. The retry sees only one open till and keeps it.
Conflict write_skew(pqxx::connection& c1, pqxx::connection& c2, long long& open_after) {
    Conflict r;
    {
        pqxx::work w(c1);
        w.exec(
            "CREATE TABLE IF NOT EXISTS probe_till(till text PRIMARY KEY, open boolean NOT NULL)");
        w.exec("INSERT INTO probe_till VALUES ('a', true), ('b', true) "
               "ON CONFLICT (till) DO UPDATE SET open = true");
        w.commit();
    }
    auto close_if_other_open = [](pqxx::transaction_base& t, const char* mine) {
        const auto others = t.exec1("SELECT count(*) FROM probe_till WHERE open AND till <> " +
                                    t.quote(mine))[0].as<long long>();
        if (others > 0) t.exec("UPDATE probe_till SET open = false WHERE till = " + t.quote(mine));
    };
    for (int attempt = 1; attempt <= 5; ++attempt) {
        r.attempts = attempt;
        std::string step = "SELECT";
        try {
            Serializable loser(c2, "loser");
            if (attempt == 1) {
                Serializable winner(c1, "winner");
                winner.exec1("SELECT count(*) FROM probe_till WHERE open AND till <> 'a'");
                loser.exec1("SELECT count(*) FROM probe_till WHERE open AND till <> 'b'");
                winner.exec("UPDATE probe_till SET open = false WHERE till = 'a'");
                step = "UPDATE";
                loser.exec("UPDATE probe_till SET open = false WHERE till = 'b'");
                step = "the other transaction's COMMIT";
                winner.commit();
            } else {
                close_if_other_open(loser, "b");
            }
            step = "COMMIT";
            loser.commit();
            r.ok = true;
            break;
        } catch (const pqxx::serialization_failure& e) {
            if (r.exception_type.empty()) record(r, e, step);
        }
    }
    pqxx::work w(c1);
    open_after = w.exec1("SELECT count(*) FROM probe_till WHERE open")[0].as<long long>();
    w.commit();
    r.ok = r.ok && r.attempts == 2 && !r.exception_type.empty() && open_after == 1;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: pg_probe postgresql://user@host:port/db\n");
        return 2;
    }
    const std::string url = argv[1];
    try {
        const auto t0 = std::chrono::steady_clock::now();
        pqxx::connection c1(url);
        const auto connect_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - t0)
                                    .count();
        pqxx::connection c2(url);
        c1.set_verbosity(pqxx::connection_base::verbose);
        c2.set_verbosity(pqxx::connection_base::verbose);

        // Plain transaction: BEGIN; CREATE TABLE IF NOT EXISTS; INSERT; SELECT; COMMIT.
        long long inserted = 0, selected = 0;
        {
            pqxx::work w(c1, "basic");
            w.exec(
                "CREATE TABLE IF NOT EXISTS probe(id text PRIMARY KEY, merchant_id text NOT NULL, "
                "balance bigint NOT NULL)");
            const auto ins = w.exec("INSERT INTO probe(id, merchant_id, balance) VALUES "
                                    "('basic-1', 'demo', 7), ('basic-2', 'demo', 35) "
                                    "ON CONFLICT (id) DO UPDATE SET balance = EXCLUDED.balance");
            inserted = static_cast<long long>(ins.affected_rows());
            selected =
                w.exec1(
                     "SELECT sum(balance) FROM probe WHERE id LIKE 'basic-%' AND merchant_id = " +
                     w.quote("demo"))[0]
                    .as<long long>();
            w.commit();
        }
        const bool basic_ok = inserted == 2 && selected == 42;

        long long final_balance = 0, open_after = 0;
        const Conflict upd = update_conflict(c1, c2, final_balance);
        const Conflict skew = write_skew(c1, c2, open_after);
        const bool ok = basic_ok && upd.ok && skew.ok;

        std::printf(
            "{\"ok\":%s,\"libpqxx\":%s,\"server_version\":%d,\"connect_us\":%lld,"
            "\"basic\":{\"ok\":%s,\"inserted\":%lld,\"sum\":%lld},"
            "\"update_conflict\":%s,\"final_balance\":%lld,\"ok\":%s},"
            "\"write_skew\":%s,\"open_after\":%lld,\"ok\":%s}}\n",
            ok ? "true" : "false", json_str(PQXX_VERSION).c_str(), c1.server_version(),
            static_cast<long long>(connect_us), basic_ok ? "true" : "false", inserted, selected,
            upd.json().c_str(), final_balance, upd.ok ? "true" : "false", skew.json().c_str(),
            open_after, skew.ok ? "true" : "false");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::printf("{\"ok\":false,\"error\":%s,\"exception\":%s}\n",
                    json_str(first_line(e.what())).c_str(), json_str(type_name(e)).c_str());
        return 1;
    }
}
