#include "auth/credentials.hpp"

#include <array>
#include <random>

#include "core/crypto/sha256.hpp"

namespace kopilka::server::auth {

namespace {
constexpr std::size_t id_bytes = 5;       // 8 base32 characters, no partial character
constexpr std::size_t secret_bytes = 20;  // 32 base32 characters, 160 bits
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t id_chars = 8;
constexpr std::size_t secret_chars = 32;
constexpr std::size_t pairing_code_chars = 8;
constexpr std::size_t credential_bytes_max = 64;  // longer text is malformed, unread
constexpr std::string_view api_key_prefix = "kpk_";
constexpr std::string_view device_token_prefix = "kdt_";
constexpr std::string_view session_token_prefix = "kcs_";

bool is_base32(std::string_view s) {
    for (char c : s)
        if (crypto::base32_value(c) < 0) return false;
    return true;
}

std::string random_base32(const RandomBytes& random, std::size_t n) {
    std::array<std::uint8_t, 32> bytes{};
    random(bytes.data(), n);
    return crypto::to_base32(bytes.data(), n);
}

std::string random_hex(const RandomBytes& random, std::size_t n) {
    std::array<std::uint8_t, 32> bytes{};
    random(bytes.data(), n);
    return crypto::to_hex(bytes.data(), n);
}

// Why SHA-256 and not bcrypt or Argon2: a slow KDF protects guessable passwords, but these
// secrets are 160 random bits, so guessing is hopeless at any hash speed, and a fast hash keeps
// every authenticated request cheap. Why hash at all: a leaked database, backup or query log
// then holds nothing that authenticates. Why a salt: cheap insurance that equal secrets (a
// broken random source) don't show up as equal hashes and that precomputed tables don't apply.
std::string secret_hash_hex(std::string_view salt_hex, std::string_view secret) {
    crypto::Sha256 h;
    h.update(salt_hex);
    h.update(secret);
    const crypto::Digest d = h.finish();
    return crypto::to_hex(d.data(), d.size());
}

// "<id: 8>_<secret: 32>", the common tail of API keys and device tokens.
bool split_id_secret(std::string_view tail, std::string* id, std::string* secret) {
    if (tail.size() != id_chars + 1 + secret_chars || tail[id_chars] != '_') return false;
    const std::string_view id_part = tail.substr(0, id_chars);
    const std::string_view secret_part = tail.substr(id_chars + 1);
    if (!is_base32(id_part) || !is_base32(secret_part)) return false;
    *id = std::string(id_part);
    *secret = std::string(secret_part);
    return true;
}

bool role_from_name(std::string_view name, Role* role) {
    if (name != "admin" && name != "till") return false;
    *role = name == "admin" ? Role::admin : Role::till;
    return true;
}

bool is_role_shaped(std::string_view name) {
    if (name.empty() || name.size() > 16) return false;
    for (char c : name)
        if (c < 'a' || c > 'z') return false;
    return true;
}

std::string format_pairing_code(std::string_view chars) {
    return std::string(chars.substr(0, 4)) + "-" + std::string(chars.substr(4));
}
}  // namespace

void random_device_bytes(std::uint8_t* out, std::size_t n) {
    std::random_device device;
    for (std::size_t i = 0; i < n; i += 4) {
        const std::uint32_t word = device();
        for (std::size_t k = 0; k < 4 && i + k < n; ++k)
            out[i + k] = static_cast<std::uint8_t>(word >> (8 * k));
    }
}

const char* status_name(CredentialStatus s) {
    switch (s) {
        case CredentialStatus::ok:
            return "ok";
        case CredentialStatus::malformed:
            return "malformed";
        case CredentialStatus::unknown_role:
            return "unknown_role";
        case CredentialStatus::wrong_secret:
            return "wrong_secret";
    }
    return "unknown";
}

const char* status_name(PairingStatus s) {
    switch (s) {
        case PairingStatus::ok:
            return "ok";
        case PairingStatus::malformed:
            return "malformed";
        case PairingStatus::wrong_code:
            return "wrong_code";
        case PairingStatus::already_used:
            return "already_used";
        case PairingStatus::expired:
            return "expired";
    }
    return "unknown";
}

const char* role_name(Role r) {
    return r == Role::admin ? "admin" : "till";
}

// [SECTION] API keys

NewApiKey generate_api_key(Role role, const RandomBytes& random) {
    NewApiKey key;
    key.stored.role = role;
    key.stored.key_id = random_base32(random, id_bytes);
    const std::string secret = random_base32(random, secret_bytes);
    key.stored.salt_hex = random_hex(random, salt_bytes);
    key.stored.secret_hash_hex = secret_hash_hex(key.stored.salt_hex, secret);
    key.text =
        std::string(api_key_prefix) + role_name(role) + "_" + key.stored.key_id + "_" + secret;
    return key;
}

ParsedApiKey parse_api_key(std::string_view text) {
    ParsedApiKey out;
    if (text.size() > credential_bytes_max || text.substr(0, 4) != api_key_prefix) return out;
    const std::string_view rest = text.substr(api_key_prefix.size());
    const std::size_t role_end = rest.find('_');
    if (role_end == std::string_view::npos) return out;
    const std::string_view role = rest.substr(0, role_end);
    if (!is_role_shaped(role) ||
        !split_id_secret(rest.substr(role_end + 1), &out.key_id, &out.secret))
        return out;
    out.status =
        role_from_name(role, &out.role) ? CredentialStatus::ok : CredentialStatus::unknown_role;
    return out;
}

CredentialStatus verify_api_key(const StoredApiKey& stored, const ParsedApiKey& presented) {
    if (presented.status != CredentialStatus::ok) return presented.status;
    const bool hash_ok = crypto::constant_time_equal(
        secret_hash_hex(stored.salt_hex, presented.secret), stored.secret_hash_hex);
    const bool id_ok = presented.key_id == stored.key_id && presented.role == stored.role;
    return hash_ok && id_ok ? CredentialStatus::ok : CredentialStatus::wrong_secret;
}

// [SECTION] Kiosk pairing codes

NewPairingCode generate_pairing_code(const RandomBytes& random, std::int64_t now_ms) {
    NewPairingCode out;
    out.code = format_pairing_code(random_base32(random, id_bytes));
    out.stored.code_hash_hex = hash_pairing_code(out.code);
    out.stored.expires_ms = now_ms + pairing_code_ttl_s * 1000;
    return out;
}

PairingStatus normalise_pairing_code(std::string_view typed, std::string* canonical) {
    if (typed.size() > pairing_code_typed_bytes_max) return PairingStatus::malformed;
    const std::string chars = crypto::fold_typed_base32(typed);
    if (chars.size() != pairing_code_chars || !is_base32(chars)) return PairingStatus::malformed;
    *canonical = format_pairing_code(chars);
    return PairingStatus::ok;
}

// No salt, unlike API keys: the kiosk presents only the code, so the server must find the
// record by its hash. 40 bits could be brute-forced from a leaked hash, but only within the
// ten minutes the code lives and only once; the hash keeps the code out of logs and backups.
std::string hash_pairing_code(std::string_view canonical) {
    const crypto::Digest d = crypto::sha256(std::string("kopilka-pairing-code:").append(canonical));
    return crypto::to_hex(d.data(), d.size());
}

PairingStatus verify_pairing_code(const PendingPairing& pending, std::string_view typed,
                                  std::int64_t now_ms) {
    std::string canonical;
    if (normalise_pairing_code(typed, &canonical) != PairingStatus::ok)
        return PairingStatus::malformed;
    if (!crypto::constant_time_equal(hash_pairing_code(canonical), pending.code_hash_hex))
        return PairingStatus::wrong_code;
    if (pending.used) return PairingStatus::already_used;
    if (now_ms >= pending.expires_ms) return PairingStatus::expired;
    return PairingStatus::ok;
}

PairingStatus redeem_pairing_code(PendingPairing* pending, std::string_view typed,
                                  std::int64_t now_ms) {
    const PairingStatus s = verify_pairing_code(*pending, typed, now_ms);
    if (s == PairingStatus::ok) pending->used = true;
    return s;
}

// [SECTION] Kiosk device tokens and console session tokens: <prefix><id: 8>_<secret: 32>

namespace {
NewIdToken generate_id_token(std::string_view prefix, const RandomBytes& random) {
    NewIdToken t;
    t.stored.id = random_base32(random, id_bytes);
    const std::string secret = random_base32(random, secret_bytes);
    t.stored.salt_hex = random_hex(random, salt_bytes);
    t.stored.secret_hash_hex = secret_hash_hex(t.stored.salt_hex, secret);
    t.text = std::string(prefix) + t.stored.id + "_" + secret;
    return t;
}

ParsedIdToken parse_id_token(std::string_view prefix, std::string_view text) {
    ParsedIdToken out;
    if (text.size() <= credential_bytes_max && text.substr(0, prefix.size()) == prefix &&
        split_id_secret(text.substr(prefix.size()), &out.id, &out.secret))
        out.status = CredentialStatus::ok;
    return out;
}
}  // namespace

NewIdToken generate_device_token(const RandomBytes& random) {
    return generate_id_token(device_token_prefix, random);
}
ParsedIdToken parse_device_token(std::string_view text) {
    return parse_id_token(device_token_prefix, text);
}
NewIdToken generate_session_token(const RandomBytes& random) {
    return generate_id_token(session_token_prefix, random);
}
ParsedIdToken parse_session_token(std::string_view text) {
    return parse_id_token(session_token_prefix, text);
}

// The secret in constant time; the id is the lookup key, so comparing it leaks nothing.
CredentialStatus verify_id_token(const StoredIdToken& stored, const ParsedIdToken& presented) {
    if (presented.status != CredentialStatus::ok) return presented.status;
    const bool hash_ok = crypto::constant_time_equal(
        secret_hash_hex(stored.salt_hex, presented.secret), stored.secret_hash_hex);
    const bool id_ok = presented.id == stored.id;
    return hash_ok && id_ok ? CredentialStatus::ok : CredentialStatus::wrong_secret;
}

}  // namespace kopilka::server::auth
