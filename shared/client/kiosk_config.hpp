// What the kiosk reads from the server besides member snapshots: its configuration
// (GET /v1/kiosk/config: merchant, theme, rewards, wheel, idle time) and the answers to a
// spin or a redemption. Decoding is tolerant of fields it doesn't know, so an older kiosk
// keeps working against a newer server; what it needs is checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/decode.hpp"
#include "core/members/member_snapshot.hpp"
#include "core/money/money.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::client {

struct WheelPrizeView {
    std::string id;
    std::string label;
    std::string kind;              // "points", "coupon", "nothing"
    std::int64_t chance_ppm = 0;   // published odds, millionths
};

struct WheelView {
    std::string id;
    std::vector<WheelPrizeView> prizes;  // segments, clockwise from the top
    std::int64_t win_chance_ppm = 0;
    bool nothing_left = false;
};

struct KioskConfig {
    std::string version;           // changes whenever anything below does
    std::string merchant_code;
    std::string merchant_name;
    money::Currency currency = money::Currency::RUB;
    bool has_theme = false;        // false: the built-in theme
    theme::Theme theme;
    std::vector<members::RewardView> rewards;  // the catalogue, in the merchant's order
    std::optional<WheelView> wheel;
    std::int64_t idle_seconds = 30;
};

codec::Decoded<KioskConfig> decode_kiosk_config(const codec::Json& j);
codec::Json encode_kiosk_config(const KioskConfig& c);  // the kiosk's cache (local storage)

struct CouponView {
    std::string code;              // "KC-…", typed or scanned at the till
    std::string reward_name;
    std::int64_t expires_at_ms = 0;
    std::vector<std::string> qr_modules;  // the code's QR, top row first, '1' dark; empty: show the text only
};

// A QR code's module matrix as the server sends it ("qr_modules"): rows of '0'/'1', as many
// rows as columns, at most qr_modules_max a side, quiet zone excluded. The error names path.
constexpr std::size_t qr_modules_max = 177;  // version 40
codec::Decoded<std::vector<std::string>> decode_qr_modules(const codec::Json& j, const std::string& path);

struct PrizeView {
    int index = -1;                // the wheel segment
    std::string id;
    std::string label;
    std::string kind;
    std::int64_t points = 0;
};

// POST /v1/kiosk/spin and /v1/kiosk/redeem answers (2xx).
struct OperationAnswer {
    std::optional<PrizeView> prize;      // spins
    std::optional<CouponView> coupon;    // redemptions, and coupon prizes
    std::optional<members::MemberSnapshot> member;
};
codec::Decoded<OperationAnswer> decode_operation_answer(const codec::Json& j);

}  // namespace kopilka::client
