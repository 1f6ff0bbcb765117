// Merchant API keys (roles admin and till), kiosk pairing codes and kiosk device tokens.
// Each secret is shown once and stored only as a hash. Randomness comes in as a parameter,
// so tests are deterministic; the server passes random_device_bytes.
//
// Formats (Crockford base32: 0-9 A-Z without I L O U, upper case):
//   API key        kpk_<role>_<key id: 8>_<secret: 32>   role admin or till; 40 + 160 random bits
//   device token   kdt_<device id: 8>_<secret: 32>       40 + 160 random bits
//   session token  kcs_<session id: 8>_<secret: 32>      40 + 160 random bits (console staff)
//   pairing code   XXXX-XXXX                             40 random bits, typed on the kiosk
//
// Implemented: generate, parse, hash for storage, constant-time verify, pairing code
// normalisation, expiry and single use.
// Missing (the server's job): looking records up by id or hash, marking a pairing code used in
// the same transaction that stores the device token, rate-limiting failed attempts, revocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kopilka::server::auth {

// Fills out[0..n) with unpredictable bytes.
using RandomBytes = std::function<void(std::uint8_t* out, std::size_t n)>;

// std::random_device: getrandom() or /dev/urandom with libstdc++ and libc++ on Linux.
void random_device_bytes(std::uint8_t* out, std::size_t n);

// [SECTION] Status

// Ordered by precedence: a text that is malformed and names an unknown role is malformed.
enum class CredentialStatus : std::uint8_t {
    ok,
    malformed,     // not kpk_<role>_<id>_<secret> or kdt_<id>_<secret> in base32
    unknown_role,  // well formed, but the role is neither admin nor till
    wrong_secret,  // the id, role or secret differs from the stored record
};

const char* status_name(CredentialStatus s);  // "ok", "malformed", … for logs and error codes

// [SECTION] API keys

enum class Role : std::uint8_t { admin, till };

const char* role_name(Role r);  // "admin", "till"

// What the server stores: never the secret itself.
struct StoredApiKey {
    std::string key_id;           // 8 base32 characters; the lookup key, not secret
    Role role = Role::till;       // the role the key was issued for
    std::string salt_hex;         // 16 random bytes as hex, per key
    std::string secret_hash_hex;  // hex(SHA-256(salt_hex ‖ secret))
};

struct NewApiKey {
    std::string text;  // shown to the merchant once
    StoredApiKey stored;
};

struct ParsedApiKey {
    CredentialStatus status = CredentialStatus::malformed;
    Role role = Role::till;
    std::string key_id;
    std::string secret;
};

NewApiKey generate_api_key(Role role, const RandomBytes& random);
ParsedApiKey parse_api_key(std::string_view text);  // strict: exact case, no spaces
// ok only for a parsed key whose id, role and secret all match; the secret in constant time.
CredentialStatus verify_api_key(const StoredApiKey& stored, const ParsedApiKey& presented);

// [SECTION] Kiosk pairing codes

constexpr std::int64_t pairing_code_ttl_s = 600;
constexpr std::size_t pairing_code_typed_bytes_max = 32;  // longer input is malformed, unread

enum class PairingStatus : std::uint8_t {
    ok,
    malformed,     // not 8 base32 characters after normalisation
    wrong_code,    // well formed, but not this pending pairing
    already_used,  // single use: this code has paired a device already
    expired,       // now_ms is at or past expires_ms
};

const char* status_name(PairingStatus s);

// What the server stores for a code the console is showing.
struct PendingPairing {
    std::string code_hash_hex;  // hash_pairing_code(code); look the record up by it
    std::int64_t expires_ms = 0;
    bool used = false;
};

struct NewPairingCode {
    std::string code;  // "XXXX-XXXX", shown in the console
    PendingPairing stored;
};

NewPairingCode generate_pairing_code(const RandomBytes& random, std::int64_t now_ms);
// Upper-cases, drops spaces and dashes, reads O as 0 and I, L as 1. On ok, *canonical is
// "XXXX-XXXX" as generate_pairing_code prints it.
PairingStatus normalise_pairing_code(std::string_view typed, std::string* canonical);
std::string hash_pairing_code(std::string_view canonical);  // lowercase hex
// Checks without changing anything: malformed, wrong_code, already_used, expired, in that order.
PairingStatus verify_pairing_code(const PendingPairing& pending, std::string_view typed,
                                  std::int64_t now_ms);
// verify_pairing_code, then marks the pairing used on ok.
PairingStatus redeem_pairing_code(PendingPairing* pending, std::string_view typed,
                                  std::int64_t now_ms);

// [SECTION] Kiosk device tokens (what a redeemed pairing code is exchanged for) and console
// session tokens (what a staff member's sign-in is exchanged for; the password itself is
// checked by auth/password.hpp). Both are <prefix><id: 8>_<secret: 32>.

struct StoredIdToken {
    std::string id;               // 8 base32 characters: the device or session id, the lookup
                                  // key, not secret
    std::string salt_hex;         // 16 random bytes as hex, per token
    std::string secret_hash_hex;  // hex(SHA-256(salt_hex ‖ secret))
};

struct NewIdToken {
    std::string text;  // handed to the kiosk or console once
    StoredIdToken stored;
};

struct ParsedIdToken {
    CredentialStatus status = CredentialStatus::malformed;
    std::string id;
    std::string secret;
};

NewIdToken generate_device_token(const RandomBytes& random);  // kdt_…
ParsedIdToken parse_device_token(std::string_view text);
NewIdToken generate_session_token(const RandomBytes& random);  // kcs_…
ParsedIdToken parse_session_token(std::string_view text);
// ok only for a token parsed by the matching parse_… whose id and secret match stored.
CredentialStatus verify_id_token(const StoredIdToken& stored, const ParsedIdToken& presented);

}  // namespace kopilka::server::auth
