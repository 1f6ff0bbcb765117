// Transport: how front-end logic reaches the server, one request at a time. The browser's
// adapter wraps fetch() (wasm/platform/fetch_transport.cpp); tests use in-memory fakes.
// Routes are typed calls on top (client/api.hpp), so a new route needs no new virtual.
// Replies may arrive later (browser) or before the call returns (tests): callers must
// handle both. Writes go through the outbox (client/outbox.hpp), which sends through a
// Transport too.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kopilka::client {

// Who the caller is. Every kind goes as "Authorization: Bearer <secret>": the server tells
// them apart by the secret's prefix (kdt_ device token, kpk_ API key, a member token's
// claims, a staff session).
enum class CredentialKind : std::uint8_t { none, device, member, staff, api_key };
std::string_view credential_kind_name(CredentialKind k);
std::optional<CredentialKind> credential_kind_from_name(std::string_view name);

struct Credential {
    CredentialKind kind = CredentialKind::none;
    std::string secret;  // the token or key; "" sends no credential
};

// The Authorization header's value for c, "" when none is sent.
std::string authorization_header(const Credential& c);

struct Request {
    std::string method = "GET";
    std::string path;           // "/v1/kiosk/config", appended to the adapter's base URL
    std::string body;           // JSON; sent (with its Content-Type) unless the method is GET
    std::string if_none_match;  // an ETag without quotes; "" sends none (304: unchanged)
    Credential credential;
    std::string if_match;  // a version without quotes; "" sends none (412: changed meanwhile)
    std::string content_type;  // the body's; "" is application/json
};

struct TransportReply {
    bool delivered = false;  // false: no answer (offline, timeout, CORS, …)
    int status = 0;          // HTTP status when delivered
    std::string body;        // response body when delivered
    std::string etag;        // the ETag header without quotes, "" when absent
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual void request(const Request& r, std::function<void(TransportReply)> done) = 0;
};

}  // namespace kopilka::client
