// The server's own request and response: what a route handler reads and writes. The HTTP
// layer (http_server.cpp) fills a Request only with bytes it has checked — the path, the
// query and every header value are valid UTF-8 — so a handler can put any of them into JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kopilka::server::http {

struct Header {
    std::string name;
    std::string value;
};

struct Request {
    std::string method;                                       // "GET", "POST", …
    std::string raw_path;                                     // as sent, for matching routes
    std::string path;                                         // percent-decoded, valid UTF-8
    std::vector<std::pair<std::string, std::string>> params;  // the query, decoded, valid UTF-8
    std::vector<std::string> path_params;                     // each {name} of the route, decoded
    std::string route;                                        // the route's template, once matched
    std::vector<Header> headers;                              // values valid UTF-8
    std::string body;                                         // as received: decoders check it
    std::string remote_addr;

    bool has_header(std::string_view name) const;
    std::string get_header_value(std::string_view name) const;  // "" when absent
    bool has_param(std::string_view name) const;
    std::string get_param_value(std::string_view name) const;   // the first one, "" when absent
};

struct Response {
    int status = 200;
    std::vector<Header> headers;
    std::string body;
    std::string merchant_id;  // not sent: the caller's merchant, for the request log
    // A body too large to hold (an export): when set, `body` is its first piece, and the rest
    // is sent chunked, piece by piece. next_piece appends the next piece to *out and returns
    // false with the last one; a worker calls it, one call at a time, never again after false
    // or a throw (which cuts the answer short: the client sees an unfinished chunked body).
    std::function<bool(std::string* out)> next_piece;
    // An answer made later, on another thread (a member lookup whose read runs in a group): the
    // handler leaves the answer's status and body and sets `later` instead, to start the work.
    // The server calls it once, at once, with `answer`; the work calls answer once, on any
    // thread, with what writes the answer into a response that holds the handler's headers so
    // far (a throw there answers 500, as from a handler). What later throws before it hands
    // the work on is a handler's throw.
    using Writer = std::function<void(Response&)>;
    using Answer = std::function<void(const Writer& write)>;
    std::function<void(Answer answer)> later;

    void set_header(std::string name, std::string value);  // replaces one of the same name
    bool has_header(std::string_view name) const;
    std::string get_header_value(std::string_view name) const;
    void set_content(std::string content, std::string content_type);
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace kopilka::server::http
