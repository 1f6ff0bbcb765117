// The website widget's wire types ⇄ JSON, one encode/decode pair each: the server answers with
// them, the widget's panel (wasm) reads them. Member snapshots are codec/member_json.hpp,
// coupons, prizes and operation answers codec/kiosk_json.hpp, errors decode.hpp's error_json.
//
//   GET  /v1/widget/config?merchant=CODE  → WidgetConfig (public; ETag, Cache-Control)
//   POST /v1/widget/session?merchant=CODE → WidgetSession (Authorization: Bearer <member token>;
//                                           another merchant's token is refused)
//   GET  /v1/widget/me                    → {"member": MemberSnapshot}
//   GET  /v1/widget/history?before=C&limit=N → HistoryPage
//   POST /v1/widget/redeem   ← WidgetRedeemRequest → OperationAnswer (coupon, member)
//   POST /v1/widget/spin     ← WidgetSpinRequest   → OperationAnswer (prize, member)
//   GET  /v1/widget/referral              → ReferralView
//   GET/PUT /v1/admin/widget-settings     ⇄ WidgetSettings
//
// Every /v1/widget/ route but config and session takes the session's token
// (Authorization: Bearer kws_…). A member token is single-use: its nonce is remembered until
// it expires, and a second exchange is refused. The merchant's site hands the widget a fresh
// one before the session ends (Kopilka.setMemberToken).
//
// Decoding on the panel's side is tolerant of fields it doesn't know (an older panel keeps
// working against a newer server); what the server reads from clients is strict.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/decode.hpp"
#include "codec/kiosk_json.hpp"
#include "core/members/member_snapshot.hpp"
#include "core/program/program.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::codec {

// [SECTION] Settings (the console's)

constexpr std::size_t widget_origins_max = 20;
constexpr std::size_t widget_url_bytes_max = 512;
constexpr std::size_t widget_origin_bytes_max = 256;

// Which of the panel's views are on. Rules, rewards and the balance are always on.
struct WidgetViews {
    bool history = true;
    bool redeem = true;     // online redemption to a coupon code
    bool referral = true;   // shown only when the program has a referral rule
    bool spin = false;      // online spins on spin_wheel_id
};

struct WidgetSettings {
    // Site origins allowed to call the widget's routes from a browser (CORS), exactly as
    // a browser sends Origin: "https://shop.example" or "http://localhost:8081"; no path,
    // no trailing slash. Other origins get no CORS headers.
    std::vector<std::string> origins;
    WidgetViews views;
    std::string spin_wheel_id;  // the wheel for online spins ("" with views.spin false)
    std::string theme_id;       // "" : the kiosk's theme (kiosk settings), else built-in
    std::string signup_url;     // the merchant's own pages, http(s)://…; "" hides the link
    std::string signin_url;
    // The referral link: the merchant's sign-up page with "{code}" where the member's
    // referral code goes ("https://shop.example/join?ref={code}"); "" : signup_url + "?ref=".
    std::string referral_url;
    std::int64_t version = 0;  // of the stored document, 0 when nothing is stored
};
Json encode_widget_settings(const WidgetSettings& s);
// Strict (the server): unknown fields, an origin that isn't scheme://host[:port], a URL that
// isn't http(s), views.spin without a wheel are errors naming the field. "version" is read
// back but never written.
Decoded<WidgetSettings> decode_widget_settings(const Json& j);

// True for the canonical form a browser sends in Origin: http or https, lower-case host, a
// port only when it isn't the scheme's default, no path ("https://Shop.example:443/": false).
bool widget_origin_valid(std::string_view origin);

// [SECTION] Public config

// What any visitor's panel needs before anyone signs in.
struct WidgetConfig {
    std::string version;  // the ETag without quotes
    std::string merchant_code;
    std::string merchant_name;
    money::Currency currency = money::Currency::RUB;
    program::Program program;  // the published program (without the coalition's clearing)
    std::int64_t program_version = 0;
    bool has_theme = false;  // false: the built-in theme
    theme::Theme theme;
    WidgetViews views;
    std::optional<WheelView> wheel;  // when views.spin: the wheel with its published odds
    std::string signup_url;
    std::string signin_url;
    // Reward id → where the panel loads the reward's picture: a picture uploaded in the console
    // from the server (widget_picture_path, named by its content's hash), else the merchant's
    // own https:// address. The program's rewards carry none (an upload may be 48 KiB, and most
    // visitors never open the list).
    std::map<std::string, std::string> pictures;
};
// GET this with merchant=, reward= and v= (the picture's hash): the picture as an image.
constexpr std::string_view widget_picture_path = "/v1/widget/picture?";
Json encode_widget_config(const WidgetConfig& c);
Decoded<WidgetConfig> decode_widget_config(const Json& j);

// [SECTION] Session

struct WidgetSession {
    std::string token;               // "kws_…", sent as Authorization: Bearer on member routes
    std::int64_t expires_at_ms = 0;  // the member token's exp: ask the site for a new one before
    members::MemberSnapshot member;
};
Json encode_widget_session(const WidgetSession& s);
Decoded<WidgetSession> decode_widget_session(const Json& j);

// [SECTION] Member routes

constexpr std::int64_t history_page_max = 50;

struct HistoryEntryView {
    std::string id;  // the ledger entry's id (hex)
    members::HistoryView entry;
};
struct HistoryPage {
    std::vector<HistoryEntryView> entries;  // newest first
    std::string next_before;                // pass as ?before= for older ones; "" : no more
};
Json encode_history_page(const HistoryPage& p);
Decoded<HistoryPage> decode_history_page(const Json& j);

// {"operation_id": 32 hex digits, "reward_id": …}; the member is the session's.
struct WidgetRedeemRequest {
    std::string operation_id;
    std::string reward_id;
};
Json encode_widget_redeem_request(const WidgetRedeemRequest& r);
Decoded<WidgetRedeemRequest> decode_widget_redeem_request(const Json& j);

// {"operation_id"}; the wheel is the widget settings' spin_wheel_id.
struct WidgetSpinRequest {
    std::string operation_id;
};
Json encode_widget_spin_request(const WidgetSpinRequest& r);
Decoded<WidgetSpinRequest> decode_widget_spin_request(const Json& j);

// The member's invitation: the code, the link made from the settings' referral_url, and what
// each side gets (program.referral), so the panel needs no second source.
struct ReferralView {
    std::string code;  // stable per member, Crockford base32, grouped "XXXX-XXXX"
    std::string link;
    std::int64_t inviter_points = 0;      // the member, when the friend's first receipt posts
    std::int64_t invitee_points = 0;      // the friend
    std::int64_t first_receipt_min = 0;   // minor units the friend's first receipt must reach
    std::int64_t invited_this_month = 0;  // friends whose first receipt counted this month
    std::int64_t per_month_max = 0;
};
Json encode_referral(const ReferralView& r);
Decoded<ReferralView> decode_referral(const Json& j);

}  // namespace kopilka::codec
