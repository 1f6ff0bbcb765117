// Helpers for the console's tests: staff users made with `kopilka user add` (libsodium's
// minimum hashing limits, so the suite stays fast), signing in, JSON requests with a bearer
// credential, and a merchant of its own with a program and a member.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "receipt_helpers.hpp"
#include "server_process.hpp"

namespace kopilka::test {

// The flag that makes a test server hash the passwords it sets under the minimum limits.
inline const char* password_hash_min() { return "--password-hash-min"; }

struct StaffUser {
    std::string id, email, password, role;
};

// A user of the merchant made with the CLI (a generated password).
inline StaffUser add_staff_user(const std::string& db, const std::string& role,
                                const std::string& email, const std::string& merchant = "demo") {
    const RunResult r =
        run_program({cli_binary(), "user", "add", "--db", db, "--merchant", merchant, "--email",
                     email, "--name", role + " user", "--role", role, "--password-hash", "min"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const Json j = json_lines(r.out).at(0);
    return {j["user"]["id"], j["user"]["email"], j["password"], role};
}

struct Reply {
    int status = 0;
    Json body;
    std::string etag;
    std::string retry_after;
};

inline Reply reply(const httplib::Result& res) {
    REQUIRE(res);
    Reply r{res->status, Json::parse(res->body, nullptr, false), res->get_header_value("ETag"),
            res->get_header_value("Retry-After")};
    if (r.status >= 400) CHECK_MESSAGE(error_shape_problem(r.body) == "", res->body);
    return r;
}

inline std::string code_of(const Reply& r) {
    return r.body.is_object() && r.body.contains("error") ? r.body["error"].value("code", "") : "";
}

inline Reply sign_in(httplib::Client& c, const std::string& email, const std::string& password,
                     const std::string& merchant = "demo") {
    return reply(c.Post("/v1/console/session",
                        Json{{"merchant", merchant}, {"email", email}, {"password", password}}
                            .dump(),
                        "application/json"));
}

// A session token for the user (the sign-in must succeed).
inline std::string session_of(httplib::Client& c, const StaffUser& u) {
    const Reply r = sign_in(c, u.email, u.password);
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    return r.body["token"].get<std::string>();
}

// One request with a bearer credential and optional extra headers; body "" sends none.
inline Reply call(httplib::Client& c, const std::string& method, const std::string& path,
                  const std::string& credential, const Json& body = nullptr,
                  const httplib::Headers& extra = {}) {
    httplib::Headers h = bearer(credential);
    h.insert(extra.begin(), extra.end());
    const std::string text = body.is_null() ? "" : body.dump();
    if (method == "GET") return reply(c.Get(path.c_str(), h));
    if (method == "DELETE") return reply(c.Delete(path.c_str(), h, text, "application/json"));
    if (method == "PUT") return reply(c.Put(path.c_str(), h, text, "application/json"));
    return reply(c.Post(path.c_str(), h, text, "application/json"));
}

// A merchant of its own (no demo data) with this id and code, made with the CLI: its admin and
// till keys, `program` published and one member enrolled through c.
struct OwnMerchant {
    std::string admin, till, member;
    std::int64_t program_version = 0;  // what publishing `program` answered
};

inline OwnMerchant own_merchant(const std::string& db, httplib::Client& c, const std::string& id,
                                const std::string& code, const Json& program) {
    const RunResult r = run_program({cli_binary(), "merchant", "--db", db, "--id", id, "--code",
                                     code, "--name", code + " shop"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    OwnMerchant m{api_key(db, "admin", id), api_key(db, "till", id), ""};
    const Reply put = call(c, "PUT", "/v1/admin/program", m.admin, program);
    REQUIRE_MESSAGE(put.status == 200, put.body.dump());
    m.program_version = put.body["version"].get<std::int64_t>();
    const Reply enrol = call(c, "POST", "/v1/admin/members", m.admin,
                             {{"name", code + " member"}, {"consent", true}});
    REQUIRE_MESSAGE(enrol.status == 201, enrol.body.dump());
    m.member = enrol.body["profile"]["id"].get<std::string>();
    return m;
}

// A demo server (rate limits off: these tests make many requests) with a user of `role`
// made and signed in: session token t.
struct SignedIn {
    explicit SignedIn(const std::string& role) {
        REQUIRE_MESSAGE(s.ok, s.why);
        c = s.server->client();
        user = add_staff_user(s.db, role, role + "@demo.example");
        t = session_of(*c, user);
    }
    DemoServer s{{password_hash_min(), "--no-rate-limits"}};
    std::unique_ptr<httplib::Client> c;
    StaffUser user;
    std::string t;
};

}  // namespace kopilka::test
