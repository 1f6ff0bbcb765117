// A throwaway PostgreSQL database per test on the cluster named by KOPILKA_TEST_PG_URL
// (tools/test.sh, or tools/pg.sh start DIR), and kopilka-server processes on it.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "server_process.hpp"

namespace kopilka::test {

inline const char* cluster_url() {
    const char* url = std::getenv("KOPILKA_TEST_PG_URL");
    return url && *url ? url : nullptr;
}

// The cluster URL with its database name replaced.
inline std::string with_database(const std::string& url, const std::string& name) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const auto query = url.find('?');
    const std::string base =
        slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
    return base + "/" + name + (query == std::string::npos ? "" : url.substr(query));
}

// A fresh database on the test cluster, dropped (with any connections left) on destruction.
struct PgDatabase {
    std::string admin_url;
    std::string name;
    std::string url;
    std::string why;  // empty when created

    PgDatabase() {
        const char* cluster = cluster_url();
        if (!cluster) {
            why =
                "KOPILKA_TEST_PG_URL is not set: run tools/test.sh, or tools/pg.sh start DIR and "
                "export it";
            return;
        }
        admin_url = cluster;
        std::random_device rd;
        char buf[17];
        std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
        name = std::string("kt_") + buf;
        url = with_database(admin_url, name);
        try {
            pqxx::connection c(admin_url);
            pqxx::nontransaction n(c);
            n.exec("CREATE DATABASE " + n.quote_name(name));
        } catch (const std::exception& e) {
            why = std::string("cannot create database ") + name + " on " + admin_url + ": " +
                  e.what();
            name.clear();
        }
    }
    ~PgDatabase() {
        if (name.empty()) return;
        try {
            pqxx::connection c(admin_url);
            pqxx::nontransaction n(c);
            n.exec("DROP DATABASE IF EXISTS " + n.quote_name(name) + " WITH (FORCE)");
        } catch (const std::exception&) {
        }
    }

    std::int64_t scalar(const std::string& sql) const {
        pqxx::connection c(url);
        pqxx::work w(c);
        const auto r = w.exec1(sql);
        return r[0].is_null() ? 0 : r[0].as<long long>();
    }
    // The member's balance summed from the stored entries' postings, INT64_MIN if the
    // member_delta column disagrees with them.
    std::int64_t derived_balance(const std::string& merchant_id,
                                 const std::string& member_id) const {
        pqxx::connection c(url);
        pqxx::work w(c);
        const auto from_postings =
            w.exec_params1(
                 "SELECT COALESCE(SUM((p->>'amount')::bigint), 0)::bigint FROM member_entries e, "
                 "jsonb_array_elements(e.body::jsonb -> 'postings') p WHERE e.merchant_id = $1 AND "
                 "e.member_id = $2 "
                 "AND p->>'account' = 'member'",
                 merchant_id, member_id)[0]
                .as<long long>();
        const auto from_column = w.exec_params1(
                                      "SELECT COALESCE(SUM(member_delta), 0)::bigint FROM "
                                      "member_entries WHERE merchant_id = $1 AND member_id = $2",
                                      merchant_id, member_id)[0]
                                     .as<long long>();
        return from_postings == from_column ? from_postings : INT64_MIN;
    }
};

// env: "NAME=value" for the server's environment.
inline std::unique_ptr<ServerProcess> start_server(const std::string& url,
                                                   std::vector<std::string> extra,
                                                   std::vector<std::string> env = {}) {
    std::vector<std::string> args = {"--db", url, "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = std::make_unique<ServerProcess>(std::move(args), std::move(env));
    std::string why;
    const bool ok = s->start(&why, std::chrono::seconds(15));
    REQUIRE_MESSAGE(ok, why);
    return s;
}

}  // namespace kopilka::test
