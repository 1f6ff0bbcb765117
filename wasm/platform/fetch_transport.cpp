#include "platform/fetch_transport.hpp"

#include <emscripten.h>

#include <map>

#include <nlohmann/json.hpp>

#include "platform/browser.hpp"

namespace kopilka::wasm {

namespace {
std::map<int, std::function<void(client::TransportReply)>>& pending() {
    static std::map<int, std::function<void(client::TransportReply)>> p;
    return p;
}
int g_next_id = 1;

// clang-format off
EM_JS(void, js_fetch, (int id, const char* method, const char* url, const char* body, const char* token,
                       const char* etag, int timeout_ms), {
    const m = UTF8ToString(method);
    const headers = {};
    const t = UTF8ToString(token);
    const e = UTF8ToString(etag);
    if (t) headers['Authorization'] = 'Bearer ' + t;
    if (e) headers['If-None-Match'] = '"' + e + '"';
    const init = {method: m, headers, cache: 'no-store'};
    if (m !== 'GET') {
        headers['Content-Type'] = 'application/json';
        init.body = UTF8ToString(body);
    }
    const done = (status, text) => Module.ccall('kopilka_fetch_done', null, ['number', 'number', 'string'], [id, status, text]);
    const abort = new AbortController();
    init.signal = abort.signal;
    const timer = setTimeout(() => abort.abort(), timeout_ms);
    fetch(UTF8ToString(url), init)
        .then((r) => r.text().then((text) => { clearTimeout(timer); done(r.status, text); }))
        .catch((err) => { clearTimeout(timer); done(0, String(err)); });
});
// clang-format on
}  // namespace

FetchTransport::FetchTransport(std::string base_url, int timeout_ms) : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {}

void FetchTransport::request(const char* method, const std::string& path, const std::string& body, const std::string& etag,
                             std::function<void(client::TransportReply)> done) {
    const int id = g_next_id++;
    pending()[id] = std::move(done);
    js_fetch(id, method, (base_url_ + path).c_str(), body.c_str(), token_.c_str(), etag.c_str(), timeout_ms_);
}

void FetchTransport::lookup_member(const std::string& code, std::function<void(client::TransportReply)> done) {
    request("POST", "/v1/members/lookup", nlohmann::json{{"code", code}}.dump(), "", std::move(done));
}

void FetchTransport::pair(const std::string& code, std::function<void(client::TransportReply)> done) {
    request("POST", "/v1/devices/pair", nlohmann::json{{"code", code}}.dump(), "", std::move(done));
}

void FetchTransport::fetch_config(const std::string& version, std::function<void(client::TransportReply)> done) {
    request("GET", "/v1/kiosk/config", "", version, std::move(done));
}

void FetchTransport::send(const client::OutboxItem& item, std::function<void(client::TransportReply)> done) {
    request("POST", item.path, item.body, "", std::move(done));
}

void FetchTransport::deliver(int request_id, int status, const char* body) {
    activity();
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
