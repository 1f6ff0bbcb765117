// Member tokens: how a merchant's own site backend vouches for a signed-in customer to the
// loyalty widget. Short-lived claims signed with HMAC-SHA256 under the merchant's secret.
//
// Format (two base64url parts, no padding, joined by one dot):
//
//     token  = base64url(claims JSON) "." base64url(HMAC-SHA256(merchant secret, claims part))
//     claims = {"sub": member id, "mid": merchant id, "iat": issued at, "exp": expires at,
//               "nonce": optional}
//
// - The MAC covers the claims part exactly as sent (its base64url text), so any JSON
//   encoder works: key order and spacing are free.
// - sub, mid, nonce: strings of printable ASCII without spaces (0x21-0x7E); sub and nonce at
//   most 128 bytes, mid at most 64. iat, exp: integer Unix seconds, exp > iat.
// - exp - iat may be at most 3600 s; the server allows 60 s of clock skew each way.
// - No other keys, no duplicate keys, nothing after the JSON. There is no header and no
//   "alg": the algorithm is always HMAC-SHA256, so "alg":"none" and algorithm confusion have
//   nothing to work on. A JWT (three parts) is malformed.
// - The whole token is at most 2048 bytes.
//
// Worked example, pinned by a test:
//   secret  "kopilka-demo-secret-2024"
//   claims  {"sub":"member-1001","mid":"demo","iat":1700000000,"exp":1700000600,"nonce":"n-42"}
//   token   (one line; split here at the 100-column limit)
//     eyJzdWIiOiJtZW1iZXItMTAwMSIsIm1pZCI6ImRlbW8iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYw
//     MCwibm9uY2UiOiJuLTQyIn0.SUjuOIIE1Z1nEAvTqQXL71TQSDd1Yxz1yQn0HZfvLxg
//
// Node:
//   const b64url = (b) => Buffer.from(b).toString("base64url");
//   const body = b64url(JSON.stringify({sub, mid, iat, exp: iat + 600}));
//   const token = body + "." +
//       b64url(crypto.createHmac("sha256", secret).update(body).digest());
// PHP:
//   $b64url = fn($b) => rtrim(strtr(base64_encode($b), '+/', '-_'), '=');
//   $claims = ['sub' => $sub, 'mid' => $mid, 'iat' => $iat, 'exp' => $iat + 600];
//   $body = $b64url(json_encode($claims));
//   $token = $body . '.' . $b64url(hash_hmac('sha256', $body, $secret, true));
//
// Implemented: mint, verify (size, shape, strict base64url, claims, MAC, merchant, lifetime,
// skew). The server remembers nonces: POST /v1/widget/session takes only tokens with a nonce
// and stores it per merchant until exp (api/widget.hpp), so a second exchange of one token is
// refused (token_replayed), also across servers sharing one database. GET /v1/me does not
// remember nonces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kopilka::server::auth {

constexpr std::size_t member_token_bytes_max = 2048;
constexpr std::size_t member_id_bytes_max = 128;
constexpr std::size_t merchant_id_bytes_max = 64;
constexpr std::size_t nonce_bytes_max = 128;

// Ordered by precedence: the first check that fails names the status. Statuses after
// bad_signature are only reported for tokens the merchant really signed.
enum class MemberTokenStatus : std::uint8_t {
    ok,
    too_long,           // more than member_token_bytes_max
    malformed,          // shape, base64url, JSON or a claim's type, range or characters
    unknown_merchant,   // the secret lookup knows no secret for "mid"
    bad_signature,      // the MAC doesn't match: forged, altered or signed with another secret
    wrong_merchant,     // authentic, but "mid" is not options.expected_merchant_id
    lifetime_too_long,  // exp - iat exceeds options.max_lifetime_s
    not_yet_valid,      // iat is more than clock_skew_s in the future
    expired,            // exp is more than clock_skew_s in the past
};

const char* status_name(MemberTokenStatus s);  // "ok", "bad_signature", … for logs and errors

struct MemberClaims {
    std::string member_id;          // "sub"
    std::string merchant_id;        // "mid"
    std::int64_t issued_at_s = 0;   // "iat"
    std::int64_t expires_at_s = 0;  // "exp"
    std::string nonce;              // "nonce"; "" when absent
};

struct MemberTokenOptions {
    std::string expected_merchant_id;  // "" accepts any merchant the lookup knows
    std::int64_t max_lifetime_s = 3600;
    std::int64_t clock_skew_s = 60;
};

struct VerifiedMemberToken {
    MemberTokenStatus status = MemberTokenStatus::malformed;
    MemberClaims claims;  // filled from bad_signature's successors on; trust it only on ok
    std::string detail;   // a sentence for the merchant's developer, e.g. "exp must be an integer"
};

struct MintedMemberToken {
    MemberTokenStatus status = MemberTokenStatus::malformed;  // ok, malformed or unknown_merchant
    std::string token;
};

// Returns the merchant's secret, or nullopt when there is no such merchant.
using MemberSecretLookup = std::function<std::optional<std::string>(std::string_view merchant_id)>;

// What a merchant's backend does; here for tests, demos and our own tools. Claims must be
// valid as described above (malformed otherwise) and the secret non-empty (unknown_merchant).
MintedMemberToken mint_member_token(const MemberClaims& claims, std::string_view secret);

VerifiedMemberToken verify_member_token(std::string_view token,
                                        const MemberSecretLookup& secret_for, std::int64_t now_s,
                                        const MemberTokenOptions& options = {});

// RFC 4648 §5 without padding. Decoding is strict: no padding, no whitespace, and unused
// trailing bits must be zero, so every byte string has exactly one accepted encoding.
std::string base64url_encode(std::string_view bytes);
bool base64url_decode(std::string_view text, std::string* bytes);

}  // namespace kopilka::server::auth
