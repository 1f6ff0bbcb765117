// Typed calls for the kiosk's routes on top of Transport::request: each names its method,
// path and body once, so a new route is a new function here, not a new virtual. Reads go
// straight through the Transport; writes (spin, redeem) are outbox items, stored before
// they are sent (client/outbox.hpp). Answers are decoded by the codec (codec/kiosk_json.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "client/outbox.hpp"
#include "client/transport.hpp"

namespace kopilka::client {

class Api {
  public:
    using Done = std::function<void(TransportReply)>;

    explicit Api(Transport& transport) : transport_(transport) {}

    // The credential every call but pair() carries from now on.
    void set_credential(Credential c) { credential_ = std::move(c); }
    const Credential& credential() const { return credential_; }

    void pair(const std::string& code, Done done);           // POST /v1/devices/pair {"code"}
    void lookup_member(const std::string& code, Done done);  // POST /v1/members/lookup {"code"}
    // GET /v1/kiosk/config, If-None-Match: version unless it is "" (304: unchanged).
    void fetch_config(const std::string& version, Done done);
    void me(Done done);  // GET /v1/me (a member token)

    // The website widget's routes (codec/widget_json.hpp); all but the first two carry the
    // widget session's token as the member credential.
    void widget_config(const std::string& merchant, const std::string& version, Done done);
    // merchant: the one the page's widget is for, so another merchant's token is refused.
    void widget_session(const std::string& member_token, const std::string& merchant, Done done);
    void widget_me(Done done);
    void widget_history(const std::string& before, std::int64_t limit, Done done);
    void widget_referral(Done done);

  private:
    void call(Request r, Done done);
    Transport& transport_;
    Credential credential_;
};

// The kiosk's writes as outbox items, sent with the device token. op_id: 32 hex digits.
OutboxItem spin_item(const std::string& op_id, const std::string& member_id,
                     const std::string& wheel_id);
OutboxItem redeem_item(const std::string& op_id, const std::string& member_id,
                       const std::string& reward_id);
// The widget's writes, sent with the session's token (CredentialKind::member).
OutboxItem widget_redeem_item(const std::string& op_id, const std::string& reward_id);
OutboxItem widget_spin_item(const std::string& op_id);

// How the outbox sends a backlog of the kiosk's writes: POST /v1/kiosk/operations, up to
// codec::operations_max at a time, each item's reply read from the answer's results.
Batch kiosk_batch();

}  // namespace kopilka::client
