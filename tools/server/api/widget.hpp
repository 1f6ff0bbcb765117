// The website widget's server side (codec/widget_json.hpp has the wire types and the routes):
// the merchant's widget settings (a document of kind "widget", id "settings"), the public
// config, the exchange of a member token for a session, and the member routes, which act
// through the kiosk's code paths (a redemption is post_kiosk_redeem's, a spin post_spin's).
//
// Sessions: POST /v1/widget/session verifies the member token (auth/member_token.hpp), which
// must carry a nonce; the nonce is remembered per merchant until the token's exp and a second
// exchange of it is refused (token_replayed). The session token, "kws_" + 43 base64url
// characters, is stored as its SHA-256 with the member, the merchant and the member token's
// exp. Expired nonces and sessions are deleted by the next exchange of the merchant's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "codec/widget_json.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

using codec::WidgetSettings;

WidgetSettings load_widget_settings(Store& store, const std::string& merchant_id);

// GET and PUT /v1/admin/widget-settings. PUT checks that the wheel and theme exist.
ApiResult get_widget_settings(Store& store, const Caller& caller);
ApiResult put_widget_settings(Store& store, const Caller& caller, const codec::Json& body,
                              std::optional<std::int64_t> if_version,
                              std::int64_t now_ms);

// The merchant a widget names (data-merchant): by code, case-insensitively, else by id.
std::optional<MerchantRecord> widget_merchant(Store& store, const std::string& name);
// The same for a public route's ?merchant=; none: *refused says why (400 missing, 404 unknown).
std::optional<MerchantRecord> widget_merchant(Store& store, const std::string& name,
                                              ApiResult* refused);

// GET /v1/widget/config: the body; *etag is its strong entity tag.
ApiResult widget_config(Store& store, const MerchantRecord& merchant, std::int64_t now_ms,
                        std::string* etag);

// GET /v1/widget/picture: a reward's picture uploaded in the console, as the image's bytes
// (decoded once per program version, shared); null with the refusal in *error (no such
// reward, or no uploaded picture).
struct WidgetPicture {
    std::string content_type;  // "image/png", …
    std::string bytes;
    std::string tag;  // its hash: the v= of the config's address, and its ETag
};
std::shared_ptr<const WidgetPicture> widget_picture(Store& store, const MerchantRecord& merchant,
                                                    const std::string& reward_id,
                                                    std::int64_t now_ms, ApiResult* error);

// POST /v1/widget/session with the member token. expected: the merchant the widget is for
// (nullptr: the token's own), so another merchant's token is refused (token_wrong_merchant).
ApiResult open_session(Store& store, const std::string& member_token,
                       const MerchantRecord* expected, std::int64_t now_ms);

// The member behind a session token, with the merchant's settings.
struct WidgetMember {
    MerchantRecord merchant;
    MemberRecord member;
    WidgetSettings settings;
};
// nullopt with the 401 (session_unknown, session_expired), 404 or 410 in *err. *merchant_id
// is the session's merchant whenever the session is known, even when it expired.
std::optional<WidgetMember> session_member(Store& store, const std::string& session_token,
                                           std::int64_t now_ms, ApiResult* err,
                                           std::string* merchant_id);

// The member routes: GET me, GET history, POST redeem, POST spin (the referral is
// api/referral.hpp's). before and limit are the query's, "" when absent.
ApiResult widget_me(Store& store, const WidgetMember& w, std::int64_t now_ms);
ApiResult widget_history(Store& store, const WidgetMember& w, const std::string& before,
                         const std::string& limit, std::int64_t now_ms);
ApiResult widget_redeem(Store& store, const WidgetMember& w, const codec::Json& body,
                        std::int64_t now_ms);
ApiResult widget_spin(Store& store, const WidgetMember& w, const codec::Json& body,
                      std::int64_t now_ms);

// 404 not_enabled naming the view, for a view the merchant turned off.
ApiResult not_enabled(const WidgetMember& w, const char* view);

}  // namespace kopilka::server
