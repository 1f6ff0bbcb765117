// Stores for the storage tests: a fresh SQLite file, or a fresh database on the PostgreSQL
// cluster the test run has (KOPILKA_TEST_PG_URL, tools/test.sh), each with one merchant "m".
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/pg_store.hpp"
#include "storage/store.hpp"

namespace kopilka::server::test {

constexpr std::int64_t kNow = 1767225600000;  // 2026-01-01

// Runs one statement on url; false (with the error in *why) when it fails.
inline bool run_sql(const std::string& url, const std::string& sql, std::string* why) {
    PGconn* c = PQconnectdb(url.c_str());
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult* r = PQexec(c, sql.c_str());
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok) *why = PQerrorMessage(c);
    PQfinish(c);
    return ok;
}

// The cluster URL with its database name replaced.
inline std::string with_database(const std::string& url, const std::string& name) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return (slash == std::string::npos ? url : url.substr(0, slash)) + "/" + name;
}

// A store with one merchant "m": a fresh SQLite file, or a fresh database on the PostgreSQL
// cluster; both removed at the end.
struct TempStore {
    std::string dir, pg_url, pg_name;
    std::unique_ptr<Store> store;
    explicit TempStore(bool postgres) {
        if (postgres) {
            pg_url = std::getenv("KOPILKA_TEST_PG_URL");
            pg_name = "kopilka_tx_" + std::to_string(std::random_device{}());
            std::string why;
            REQUIRE_MESSAGE(run_sql(pg_url, "CREATE DATABASE " + pg_name, &why), why);
            store = open_pg_store(with_database(pg_url, pg_name));
        } else {
            char pattern[] = "/tmp/kopilka-tx.XXXXXX";
            REQUIRE(mkdtemp(pattern) != nullptr);
            dir = pattern;
            store = open_sqlite_store(dir + "/test.sqlite");
        }
        store->put_merchant({"m", "M", "Shop", "EUR", "secret"}, kNow);
    }
    ~TempStore() {
        store.reset();
        std::string why;
        if (!pg_name.empty()) run_sql(pg_url, "DROP DATABASE " + pg_name + " WITH (FORCE)", &why);
        if (!dir.empty()) std::system(("rm -rf '" + dir + "'").c_str());
    }
};

// SQLite always; PostgreSQL when the test run has a cluster.
inline std::vector<bool> databases() {
    const char* url = std::getenv("KOPILKA_TEST_PG_URL");
    if (url && *url) return {false, true};
    return {false};
}

// What the member has spent, as a read sees it.
inline std::int64_t spend_of(Store& s, const std::string& member) {
    std::int64_t spend = -1;
    s.read_member("m", member, [&](MemberTx& tx) { spend = tx.counters().spend_total; });
    return spend;
}

}  // namespace kopilka::server::test
