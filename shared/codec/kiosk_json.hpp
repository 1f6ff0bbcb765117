// The kiosk's wire types ⇄ JSON, one encode/decode pair each, used by the server to answer
// and by the kiosk to read (member snapshots are codec/member_json.hpp, error bodies
// codec/decode.hpp's error_json with decode_error_json here):
//
//   POST /v1/devices/pair            → PairingAnswer
//   GET  /v1/kiosk/config            → KioskConfig (the kiosk's cache keeps the same shape)
//   POST /v1/kiosk/spin   request    ← SpinRequest;   answer → OperationAnswer (PrizeView, …)
//   POST /v1/kiosk/redeem request    ← RedeemRequest; answer → OperationAnswer (CouponView, …)
//   POST /v1/kiosk/operations        ← KioskOperation list; answer → OperationResult list
//   POST /v1/members/lookup, /v1/devices/pair request ← encode_code_request
//   GET/PUT /v1/admin/kiosk-settings ⇄ KioskSettings
//
// Decoding is tolerant of fields it doesn't know, so an older kiosk keeps working against
// a newer server; what it needs is checked, and errors name the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/decode.hpp"
#include "core/members/member_snapshot.hpp"
#include "core/money/money.hpp"
#include "core/program/program.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::codec {

// [SECTION] Config

struct WheelPrizeView {
    std::string id;
    std::string label;
    std::string kind;             // "points", "coupon", "nothing"
    std::int64_t chance_ppm = 0;  // published odds, millionths
    std::string colour;           // the segment's "#RRGGBB", "" for the theme's colours
};

struct WheelView {
    std::string id;
    std::vector<WheelPrizeView> prizes;  // segments, clockwise from the top
    std::int64_t win_chance_ppm = 0;
    bool nothing_left = false;
    std::int64_t version = 0;  // the wheel document's
};
// A prize as the published odds show it: {id, label, kind, chance_ppm, "colour" when set}
// (codec/wheel_json's encode_odds writes its prizes with it too).
Json encode_wheel_prize(const WheelPrizeView& p);
// The wheel in the kiosk's config: {id, version, prizes, "odds" (each prize's chance_ppm, in
// order), win_chance_ppm, nothing_left}. The server sends it; the kiosk caches it.
Json encode_kiosk_wheel(const WheelView& w);
// That wheel read back (the widget's config carries it too); the error names path.
Decoded<WheelView> decode_kiosk_wheel(const Json& j, std::string_view path = "wheel");

// The merchant's kiosk settings, as the console writes them (PUT /v1/admin/kiosk-settings) and
// the config repeats them: {"theme_id", "wheel_id" (null: none), "idle_seconds", "version"}.
constexpr std::int64_t idle_seconds_default = 30;
constexpr std::int64_t idle_seconds_min = 5;
constexpr std::int64_t idle_seconds_max = 600;
constexpr std::size_t theme_id_bytes_max = 64;  // what the console's theme routes accept

struct KioskSettings {
    std::string theme_id;  // "" when none is chosen
    std::string wheel_id;  // "" when the kiosk shows no wheel
    std::int64_t idle_seconds = idle_seconds_default;  // sign-out after this long without a touch
    std::int64_t version = 0;  // of the stored document; 0 when nothing is stored (the defaults)
};
Json encode_kiosk_settings(const KioskSettings& s);
// "version" is read (a console may send back what it got) but the server numbers versions.
// Unknown fields are errors when reject_unknown (the server), ignored otherwise (the kiosk).
Decoded<KioskSettings> decode_kiosk_settings(const Json& j, std::string_view path,
                                             bool reject_unknown);

class ObjectReader;
// What the kiosk's and the widget's configs begin with: "version" (the ETag without quotes)
// and "merchant": {"code" (required), "name", "currency"}.
void read_config_head(ObjectReader& r, std::string* version, std::string* merchant_code,
                      std::string* merchant_name, money::Currency* currency);

// GET /v1/kiosk/config, whole: the server encodes it, the kiosk decodes it and caches it (local
// storage) in the same shape.
struct KioskConfig {
    std::string version;  // the ETag without quotes: changes whenever anything below does
    std::string merchant_code;
    std::string merchant_name;
    money::Currency currency = money::Currency::RUB;
    std::string device_id;  // the paired kiosk the config was made for
    // What the console set for this kiosk ("device": {"id", "name", "wheel", "redeem", "sound"};
    // absent in configs of older servers: the defaults). The kiosk hides the prize wheel when
    // device_wheel is false (the server then sends no "wheel" either) and its redeem buttons
    // when device_redeem is false. A per-kiosk idle time arrives as settings.idle_seconds.
    std::string device_name;
    bool device_wheel = true;
    bool device_redeem = true;
    bool device_sound =
        false;  // a short sound on a read card and on a win (the screen flashes either way)
    // The published program as the program codec writes it (codec/program_json.hpp). The kiosk
    // carries it without decoding it: it draws nothing from it, and it stays a smaller download
    // without the program codec.
    Json program = Json::object();
    std::int64_t program_version = 0;
    std::vector<program::Reward> rewards;  // the catalogue, in the merchant's order
    bool has_theme = false;                // false: the built-in theme
    theme::Theme theme;
    std::optional<WheelView> wheel;
    KioskSettings settings;
};

Decoded<KioskConfig> decode_kiosk_config(const Json& j);
Json encode_kiosk_config(const KioskConfig& c);

// [SECTION] Answers to writes

struct CouponView {
    std::string code;  // "KC-…", typed or scanned at the till
    std::string reward_name;
    std::int64_t expires_at_ms = 0;
    std::vector<std::string>
        qr_modules;  // the code's QR, top row first, '1' dark; empty: text only
    // What the server says besides; the kiosk draws none of it.
    std::string reward_id;
    std::string source;       // "reward", "spin"
    std::int64_t points = 0;  // points held for it
    std::int64_t issued_at_ms = 0;
    std::int64_t redeemed_at_ms = 0;  // 0: not redeemed
    std::string receipt_id;           // the till's receipt it was redeemed with
};

// The coupon's JSON; `reward` is the reward as the program codec writes it (null: only
// reward_id and reward_name are sent).
Json encode_coupon(const CouponView& c, const Json& reward = nullptr);
Decoded<CouponView> decode_coupon(const Json& j, std::string_view path = "coupon");

// A QR code's module matrix as the server sends it ("qr_modules"): rows of '0'/'1', as many
// rows as columns, at most qr_modules_max a side, quiet zone excluded. The error names path.
constexpr std::size_t qr_modules_max = 177;  // version 40
Decoded<std::vector<std::string>> decode_qr_modules(const Json& j, const std::string& path);

struct PrizeView {
    int index = -1;  // the wheel segment
    std::string id;
    std::string label;
    std::string kind;
    std::int64_t points = 0;  // kind "points"
    std::string reward_id;    // kind "coupon"
};
Json encode_prize(const PrizeView& p);
Decoded<PrizeView> decode_prize(const Json& j, std::string_view path = "prize");

// What a spin's answer reveals so the shopper can check it (core/spins/fair.hpp):
// {"seed": 64 hex digits, "commitment": SHA-256 of it, "draw_seed": 16 hex digits, "ticket",
// "total_weight", "weights": the published weights the ticket was drawn over, one per prize}.
struct SpinProof {
    std::string seed;
    std::string commitment;
    std::string draw_seed;
    std::int64_t ticket = 0;
    std::int64_t total_weight = 0;
    std::vector<std::int64_t> weights;
};
Json encode_spin_proof(const SpinProof& p);
Decoded<SpinProof> decode_spin_proof(const Json& j, std::string_view path = "spin");

// POST /v1/kiosk/spin and /v1/kiosk/redeem answers (2xx).
struct OperationAnswer {
    std::string operation_id;          // as the server echoes it ("" when it does not)
    std::optional<PrizeView> prize;    // spins
    std::optional<SpinProof> spin;     // spins from servers that reveal their seed
    std::optional<CouponView> coupon;  // redemptions, and coupon prizes
    std::optional<members::MemberSnapshot> member;
};
Json encode_operation_answer(const OperationAnswer& a);
Decoded<OperationAnswer> decode_operation_answer(const Json& j);

// [SECTION] Requests

// Wheel ids: letters, digits, '-' and '_' that go into URLs and rule names.
constexpr std::size_t wheel_id_bytes_max = 32;

// Both requests: operation_id is 32 hex digits, not all zero (the server's idempotency key);
// member is {"id": …} and nothing else.
struct SpinRequest {
    std::string operation_id;  // 32 hex digits
    std::string member_id;
    std::string wheel_id;  // "": the kiosk's active wheel
};
Json encode_spin_request(const SpinRequest& r);
Decoded<SpinRequest> decode_spin_request(const Json& j);

struct RedeemRequest {
    std::string operation_id;
    std::string member_id;
    std::string reward_id;
};
Json encode_redeem_request(const RedeemRequest& r);
Decoded<RedeemRequest> decode_redeem_request(const Json& j);

// POST /v1/kiosk/operations: a kiosk's backlog of writes in one request, at most operations_max,
// applied in order, each exactly as its own route applies it (a replayed one answers its first
// answer). Each operation is {"type": "spin" | "redeem", …that route's request…}; the answer
// is {"results": [{"operation_id", "status", "body"}]}, one per operation, in order.
constexpr std::size_t operations_max = 50;
struct KioskOperation {
    std::string type;  // "spin", "redeem"
    Json request;      // that route's body (SpinRequest, RedeemRequest)
};
Json encode_operations_request(const std::vector<KioskOperation>& ops);
// Checks the list; each operation's own body is checked by its route, which answers in its
// result. A type that is neither is kept, and refused in its result.
Decoded<std::vector<KioskOperation>> decode_operations_request(const Json& j);

struct OperationResult {
    Json operation_id;  // as sent (null when it had none)
    int status = 0;     // what the operation's own route would have answered
    Json body;
};
Json encode_operations_answer(const std::vector<OperationResult>& results);
Decoded<std::vector<OperationResult>> decode_operations_answer(const Json& j);

// POST /v1/members/lookup and /v1/devices/pair: {"code": …} and nothing else. A card's code is
// taken as scanned, control characters and all (the card parser judges it); a pairing code is
// typed, so printable_only.
constexpr std::size_t card_code_bytes_max = 256;
Json encode_code_request(const std::string& code);
Decoded<std::string> decode_code_request(const Json& j, std::size_t bytes_max,
                                         bool printable_only);

// [SECTION] Pairing and errors

struct PairingAnswer {
    std::string device_id;
    std::string token;  // the device token, kdt_…
    std::string name;   // the kiosk's name, given in the console
    std::string merchant_code;
    std::string merchant_name;
};
Json encode_pairing_answer(const PairingAnswer& a);
Decoded<PairingAnswer> decode_pairing_answer(const Json& j);

// The error body error_json() writes, {"error": {code, message, field}}, read back.
Decoded<DecodeError> decode_error_json(const Json& j);

}  // namespace kopilka::codec
