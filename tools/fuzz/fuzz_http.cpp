// libFuzzer target: raw request bytes (request line, headers, body) through kopilka-server's
// real request handling in-process — the same parser, limits, routes, handlers and SQLite
// store as a connection, without the socket (HttpServer::handle_raw).
// Findings: a crash or sanitizer report; an exception escaping; an answer that is not one
// HTTP/1.1 response; a 500 (the server's own fault, whatever the bytes); a JSON answer
// that is not valid JSON.
// Credentials: the placeholders @ADMIN@, @TILL@, @DEVICE@ and @MEMBER@ in an input are
// replaced by a real admin key, till key, paired kiosk's token and member token of the demo
// merchant, so the fuzzer gets past authentication and reaches every handler.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/member_lookup.hpp"
#include "auth/credentials.hpp"
#include "auth/member_token.hpp"
#include "http_server.hpp"
#include "storage/demo_data.hpp"
#include "storage/open_store.hpp"

using namespace kopilka::server;

namespace {
std::unique_ptr<Store> g_store;
std::unique_ptr<HttpServer> g_server;
std::vector<std::pair<std::string, std::string>> g_credentials;  // placeholder → credential
std::string g_db_path;

void remove_database() {
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((g_db_path + suffix).c_str());
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

[[noreturn]] void finding(const char* what, const std::string& answer) {
    std::fprintf(stderr, "fuzz_http: %s\n--- answer ---\n%s\n", what,
                 answer.substr(0, 2000).c_str());
    std::abort();
}

std::string api_key(const std::string& merchant, auth::Role role) {
    const auto key = auth::generate_api_key(role, auth::random_device_bytes);
    g_store->put_api_key({merchant, key.stored.key_id, auth::role_name(role), key.stored.salt_hex,
                          key.stored.secret_hash_hex, 0},
                         now_ms());
    return key.text;
}

// A kiosk paired the way a real one is: a code from the console, then POST /v1/devices/pair.
std::string device_token(const std::string& merchant) {
    const auto code = auth::generate_pairing_code(auth::random_device_bytes, now_ms());
    g_store->put_pairing({merchant, code.stored.code_hash_hex, "fuzz kiosk", now_ms(),
                          now_ms() + 3600 * 1000, 0, ""},
                         {});
    const std::string body = nlohmann::json{{"code", code.code}}.dump();
    const std::string answer =
        g_server->handle_raw("POST /v1/devices/pair HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body);
    const std::size_t start = answer.find("\r\n\r\n");
    const auto j = nlohmann::json::parse(answer.substr(start == std::string::npos ? 0 : start + 4),
                                         nullptr, false);
    if (!j.is_object() || !j.contains("token")) finding("pairing the fuzz kiosk failed", answer);
    return j["token"].get<std::string>();
}

std::string member_token(const std::string& merchant, const std::string& member) {
    const auto record = g_store->merchant_by_id(merchant);
    auth::MemberClaims claims;
    claims.member_id = member;
    claims.merchant_id = merchant;
    claims.issued_at_s = now_ms() / 1000;
    claims.expires_at_s = claims.issued_at_s + 3600;
    return auth::mint_member_token(claims, member_token_secret(record->card_secret)).token;
}

void replace_all(std::string* s, const std::string& from, const std::string& to) {
    for (std::size_t at = s->find(from); at != std::string::npos;
         at = s->find(from, at + to.size()))
        s->replace(at, from.size(), to);
}

void check_answer(const std::string& answer) {
    if (answer.empty()) return;  // the bytes ended mid-request: a connection would just close
    if (answer.compare(0, 9, "HTTP/1.1 ") != 0 || answer.size() < 12)
        finding("not an HTTP/1.1 response", answer);
    const int status = std::atoi(answer.substr(9, 3).c_str());
    if (status < 100 || status > 599) finding("no status code", answer);
    if (status >= 500 && status != 503) finding("a 5xx answer", answer);
    const std::size_t end = answer.find("\r\n\r\n");
    if (end == std::string::npos) finding("no end of the header", answer);
    const std::string head = answer.substr(0, end);
    if (head.find("application/json") != std::string::npos && end + 4 < answer.size() &&
        nlohmann::json::parse(answer.substr(end + 4), nullptr, false).is_discarded())
        finding("a JSON answer that is not JSON", answer);
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // The database lives in memory-backed storage when there is some: every request may write.
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    g_db_path = std::string(dir) + "/kopilka-fuzz-http-" + std::to_string(getpid()) + ".sqlite";
    std::atexit(remove_database);  // libFuzzer ends with exit()
    g_store = open_store(g_db_path);
    seed_demo(*g_store, now_ms());
    ServerOptions o;
    o.log_requests = false;
    o.rate_limits = false;  // the fuzzer would only meet 429s
    o.worker_threads = 1;
    o.io_threads = 1;
    g_server = std::make_unique<HttpServer>(*g_store, o);
    g_credentials = {{"@ADMIN@", api_key("demo", auth::Role::admin)},
                     {"@TILL@", api_key("demo", auth::Role::till)},
                     {"@DEVICE@", device_token("demo")},
                     {"@MEMBER@", member_token("demo", "demo-anna")}};
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    for (const auto& [placeholder, credential] : g_credentials)
        replace_all(&bytes, placeholder, credential);
    std::string answer;
    try {
        answer = g_server->handle_raw(bytes);
    } catch (const std::exception& e) {
        finding("an exception escaped handle_raw", e.what());
    }
    check_answer(answer);
    return 0;
}
