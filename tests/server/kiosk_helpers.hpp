// Helpers for the kiosk tests (kiosk_test, spin_test, coupon_test): JSON requests with their
// answers, pairing a kiosk, members enrolled through the console API, prize wheels, and the
// concurrent spins and redemptions run against one or two servers.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "receipt_helpers.hpp"
#include "server_process.hpp"

namespace kopilka::test {

struct Answer {
    int status = 0;  // 0: no response
    Json body;
    std::string etag;
    bool replayed = false;  // the Idempotent-Replayed header
    std::string error;      // no response: why
};

inline Answer answer_of(const httplib::Result& res) {
    Answer a;
    if (!res) {
        a.error = httplib::to_string(res.error());
        return a;
    }
    a.status = res->status;
    a.body = res->body.empty() ? Json() : Json::parse(res->body, nullptr, false);
    a.etag = res->get_header_value("ETag");
    a.replayed = res->get_header_value("Idempotent-Replayed") == "true";
    return a;
}

inline Answer post(httplib::Client& c, const std::string& path, const std::string& credential,
                   const Json& body) {
    return answer_of(credential.empty() ? c.Post(path.c_str(), body.dump(), "application/json")
                                        : c.Post(path.c_str(), bearer(credential), body.dump(),
                                                 "application/json"));
}

inline Answer put(httplib::Client& c, const std::string& path, const std::string& credential,
                  const Json& body) {
    return answer_of(c.Put(path.c_str(), bearer(credential), body.dump(), "application/json"));
}

inline Answer get(httplib::Client& c, const std::string& path, const std::string& credential,
                  httplib::Headers extra = {}) {
    if (!credential.empty()) extra.emplace("Authorization", "Bearer " + credential);
    return answer_of(c.Get(path.c_str(), extra));
}

// A pairing code from the console, exchanged for a device token (REQUIREd to work).
inline std::string pair_kiosk(httplib::Client& c, const std::string& admin,
                              const std::string& name) {
    const Answer code = post(c, "/v1/admin/devices/pairing-codes", admin, {{"name", name}});
    REQUIRE_MESSAGE(code.status == 201, code.body.dump());
    const Answer paired = post(c, "/v1/devices/pair", "", {{"code", code.body["code"]}});
    REQUIRE_MESSAGE(paired.status == 201, paired.body.dump());
    return paired.body["token"].get<std::string>();
}

// Enrols n members through the console ("kt-0", "kt-1", …), each with the program's welcome bonus.
inline std::vector<std::string> enrol_members(httplib::Client& c, const std::string& admin, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
        const std::string id = "kt-" + std::to_string(i);
        const Answer a =
            post(c, "/v1/admin/members", admin,
                 {{"id", id}, {"name", "Tester " + std::to_string(i)}, {"consent", true}});
        REQUIRE_MESSAGE(a.status == 201, a.body.dump());
        ids.push_back(id);
    }
    return ids;
}

// A wheel without member limits: a coupon for the demo's coffee (stock `coffee_stock`, cost
// 100), 10 points (unlimited, cost 10) and nothing, with a day budget.
inline Json contest_wheel(std::int64_t coffee_stock, std::int64_t day_budget) {
    Json w = Json::parse(
        R"({"currency": "RUB", "campaign_budget": "unlimited",
        "member_spins_per_day_max": "unlimited", "member_wins_per_day_max": "unlimited",
        "member_wins_per_campaign_max": "unlimited", "prizes": [
        {"id": "coffee", "label": "Coffee", "kind": "coupon", "reward_id": "coffee", "weight": 40,
         "cost": 100},
        {"id": "p10", "label": "10 points", "kind": "points", "points": 10, "weight": 40,
         "stock": "unlimited", "cost": 10},
        {"id": "nothing", "label": "Next time", "kind": "nothing", "weight": 20,
         "stock": "unlimited", "cost": 0}]})");
    w["prizes"][0]["stock"] = coffee_stock;
    w["day_budget"] = day_budget;
    return w;
}

inline Json spin_body(const std::string& op, const std::string& member,
                      const std::string& wheel = "") {
    Json b = {{"operation_id", op}, {"member", {{"id", member}}}};
    if (!wheel.empty()) b["wheel_id"] = wheel;
    return b;
}

inline Json redeem_body(const std::string& op, const std::string& member,
                        const std::string& reward) {
    return {{"operation_id", op}, {"member", {{"id", member}}}, {"reward_id", reward}};
}

// What many concurrent kiosk writes got back.
struct Outcomes {
    std::mutex mutex;
    std::map<int, int> statuses;                 // HTTP status → count
    std::map<std::string, int> prizes;           // prize id → wins (spins)
    std::map<std::string, std::int64_t> points;  // member → points won (spins)
    std::vector<std::string> coupons;            // codes issued
    int resent = 0;                              // writes sent again after no answer
    std::string first_unexpected;
};

// n writes (spins or redemptions, body(i) for i in [0, n)) from `threads` client threads;
// write i goes to servers[i % servers.size()] with tokens[i % tokens.size()].
template <class Body>
void concurrent_writes(const std::vector<const ServerProcess*>& servers,
                       const std::vector<std::string>& tokens, const std::string& path, int n,
                       int threads, Body body, Outcomes& out) {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            std::vector<std::unique_ptr<httplib::Client>> clients;
            for (const auto* s : servers) {
                clients.push_back(s->client());
                clients.back()->set_read_timeout(30, 0);
            }
            for (int i = next++; i < n; i = next++) {
                auto& client = *clients[static_cast<std::size_t>(i) % clients.size()];
                const std::string& token = tokens[static_cast<std::size_t>(i) % tokens.size()];
                // A kiosk that got no answer sends the same operation again: it is applied once.
                Answer a = post(client, path, token, body(i));
                for (int retry = 0; retry < 3 && a.status == 0; ++retry) {
                    a = post(client, path, token, body(i));
                    std::lock_guard<std::mutex> lock(out.mutex);
                    ++out.resent;
                }
                std::lock_guard<std::mutex> lock(out.mutex);
                ++out.statuses[a.status];
                if (a.status == 201 && a.body.contains("prize")) {
                    ++out.prizes[a.body["prize"]["id"].get<std::string>()];
                    if (a.body["prize"]["kind"] == "points")
                        out.points[a.body["member"]["id"].get<std::string>()] +=
                            a.body["prize"]["points"].get<std::int64_t>();
                }
                if (a.status == 201 && a.body.contains("coupon"))
                    out.coupons.push_back(a.body["coupon"]["code"].get<std::string>());
                if (a.status != 201 && a.status != 409 && out.first_unexpected.empty())
                    out.first_unexpected = std::to_string(a.status) + " " + a.body.dump() + a.error;
            }
        });
    for (auto& t : pool) t.join();
}

}  // namespace kopilka::test
