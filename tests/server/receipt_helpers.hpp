// Helpers for tests that post receipts: a merchant API key from the CLI, operation ids, a
// one-line receipt body, the Authorization header, a member's lookup and balance, a counter
// from the server's /metrics.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "server_process.hpp"

namespace kopilka::test {

inline std::string api_key(const std::string& db, const std::string& role,
                           const std::string& merchant = "demo") {
    const RunResult r =
        run_program({cli_binary(), "api-key", "--db", db, "--merchant", merchant, "--role", role});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json_lines(r.out).at(0).at("key").get<std::string>();
}

// The n-th operation id: 32 hex digits, never all zero.
inline std::string op_id(int n) {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%032x", n + 1);
    return buf;
}

// A receipt with one coat at `price` for the member with this card, asking to redeem points.
inline Json receipt_body(int n, const std::string& card, std::int64_t price, std::int64_t redeem) {
    return Json{{"operation_id", op_id(n)},
                {"member", {{"card", card}}},
                {"redeem_points", redeem},
                {"receipt",
                 {{"id", "R-" + std::to_string(n)},
                  {"lines", {{{"sku", "coat"}, {"category", "clothes"}, {"unit_price", price}}}}}}};
}

inline httplib::Headers bearer(const std::string& key) {
    return {{"Authorization", "Bearer " + key}};
}

// The member lookup answer for a card QR (must be 200).
inline Json lookup(httplib::Client& c, const std::string& qr) {
    const auto res = c.Post("/v1/members/lookup", Json{{"code", qr}}.dump(), "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    return Json::parse(res->body);
}

// Posts a receipt that must be taken (201); its answer.
inline Json post_receipt(httplib::Client& c, const std::string& till, const std::string& body) {
    const auto res = c.Post("/v1/receipts", bearer(till), body, "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    return Json::parse(res->body);
}

// Posts the same receipt again: 201, marked as a replay, and otherwise the first answer.
inline void check_receipt_replayed(httplib::Client& c, const std::string& till,
                                   const std::string& body, const Json& first) {
    const auto res = c.Post("/v1/receipts", bearer(till), body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(res->get_header_value("Idempotent-Replayed") == "true");
    Json again = Json::parse(res->body);
    again.erase("replayed");
    CHECK(again == first);
}

inline std::int64_t balance_of(httplib::Client& c, const std::string& qr) {
    return lookup(c, qr)["member"]["balance"].get<std::int64_t>();
}

// A counter's value from the server's /metrics: name{result="result"}.
inline std::int64_t metric(httplib::Client& c, const std::string& name, const std::string& result) {
    const auto res = c.Get("/metrics");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const std::string series = name + "{result=\"" + result + "\"} ";
    const auto at = res->body.find(series);
    REQUIRE_MESSAGE(at != std::string::npos, res->body);
    return std::stoll(res->body.substr(at + series.size()));
}

}  // namespace kopilka::test
