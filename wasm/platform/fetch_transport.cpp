#include "platform/fetch_transport.hpp"

#include <emscripten.h>

#include <nlohmann/json.hpp>

namespace kopilka::wasm {

namespace {
std::map<int, std::function<void(client::TransportReply)>>& pending() {
    static std::map<int, std::function<void(client::TransportReply)>> p;
    return p;
}
int g_next_id = 1;

// clang-format off
EM_JS(void, js_fetch_post, (int id, const char* url, const char* body, int timeout_ms), {
    const u = UTF8ToString(url);
    const b = UTF8ToString(body);
    const done = (status, text) => Module.ccall('kopilka_fetch_done', null, ['number', 'number', 'string'], [id, status, text]);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout_ms);
    fetch(u, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: b, signal: abort.signal})
        .then((r) => r.text().then((t) => { clearTimeout(timer); done(r.status, t); }))
        .catch((e) => { clearTimeout(timer); done(0, String(e)); });
});
// clang-format on
}  // namespace

FetchTransport::FetchTransport(std::string base_url, int timeout_ms) : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {}
FetchTransport::~FetchTransport() = default;

void FetchTransport::post(const std::string& path, const std::string& body, std::function<void(client::TransportReply)> done) {
    const int id = g_next_id++;
    pending()[id] = std::move(done);
    js_fetch_post(id, (base_url_ + path).c_str(), body.c_str(), timeout_ms_);
}

void FetchTransport::lookup_member(const std::string& code, std::function<void(client::TransportReply)> done) {
    post("/v1/members/lookup", nlohmann::json{{"code", code}}.dump(), std::move(done));
}

void FetchTransport::deliver(int request_id, int status, const char* body) {
    auto it = pending().find(request_id);
    if (it == pending().end()) return;
    auto done = std::move(it->second);
    pending().erase(it);
    client::TransportReply reply;
    reply.delivered = status != 0;
    reply.status = status;
    if (reply.delivered && body) reply.body = body;
    done(std::move(reply));
}

}  // namespace kopilka::wasm

extern "C" EMSCRIPTEN_KEEPALIVE void kopilka_fetch_done(int request_id, int status, const char* body) {
    kopilka::wasm::FetchTransport::deliver(request_id, status, body);
}
