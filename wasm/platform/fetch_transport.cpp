#include "platform/fetch_transport.hpp"

#include <emscripten.h>

#include <map>

#include "platform/browser.hpp"

namespace kopilka::wasm {

namespace {
std::map<int, std::function<void(client::TransportReply)>>& pending() {
    static std::map<int, std::function<void(client::TransportReply)>> p;
    return p;
}
int g_next_id = 1;

// clang-format off
EM_JS(void, js_fetch, (int id, const char* method, const char* url, const char* body,
                       const char* authorization, const char* etag, const char* if_match,
                       const char* app_version, const char* content_type, int timeout_ms), {
    const m = UTF8ToString(method);
    const headers = {};
    const a = UTF8ToString(authorization);
    const e = UTF8ToString(etag);
    if (a) headers['Authorization'] = a;
    if (e) headers['If-None-Match'] = '"' + e + '"';
    const im = UTF8ToString(if_match);
    if (im) headers['If-Match'] = '"' + im + '"';
    const v = UTF8ToString(app_version);
    if (v) headers['Kopilka-App-Version'] = v;
    // Only an anonymous, unconditional GET (the widget's public config) may come from the
    // browser's HTTP cache, for as long as the server's Cache-Control allows; anything with a
    // credential or an ETag of ours always goes to the server.
    const init = {method: m, headers, cache: m === 'GET' && !a && !e ? 'default' : 'no-store'};
    if (m !== 'GET') {
        headers['Content-Type'] = UTF8ToString(content_type) || 'application/json';
        init.body = UTF8ToString(body);
    }
    const done = (status, text, tag) => Module.ccall('kopilka_fetch_done', null,
        ['number', 'number', 'string', 'string'], [id, status, text, tag || '']);
    const abort = new AbortController();
    init.signal = abort.signal;
    const timer = setTimeout(() => abort.abort(), timeout_ms);
    fetch(UTF8ToString(url), init)
        .then((r) => r.text().then((text) => {
            clearTimeout(timer);
            let tag = r.headers.get('ETag') || '';
            if (tag.startsWith('W/')) tag = tag.slice(2);
            done(r.status, text, tag.split('"').join(''));
        }))
        .catch((err) => { clearTimeout(timer); done(0, String(err)); });
});
// clang-format on
}  // namespace

FetchTransport::FetchTransport(std::string base_url, int timeout_ms)
    : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {}

void FetchTransport::request(const client::Request& r,
                             std::function<void(client::TransportReply)> done) {
    const int id = g_next_id++;
    pending()[id] = std::move(done);
    js_fetch(id, r.method.c_str(), (base_url_ + r.path).c_str(), r.body.c_str(),
             client::authorization_header(r.credential).c_str(), r.if_none_match.c_str(),
             r.if_match.c_str(), app_version_.c_str(), r.content_type.c_str(), timeout_ms_);
}

void FetchTransport::deliver(int request_id, int status, const char* body, const char* etag) {
    activity();
    auto it = pending().find(request_id);
    if (it == pending().end()) return;
    auto done = std::move(it->second);
    pending().erase(it);
    client::TransportReply reply;
    reply.delivered = status != 0;
    reply.status = status;
    if (reply.delivered && body) reply.body = body;
    if (reply.delivered && etag) reply.etag = etag;
    done(std::move(reply));
}

}  // namespace kopilka::wasm

extern "C" EMSCRIPTEN_KEEPALIVE void kopilka_fetch_done(int request_id, int status,
                                                        const char* body, const char* etag) {
    kopilka::wasm::FetchTransport::deliver(request_id, status, body, etag);
}
