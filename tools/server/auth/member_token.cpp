#include "auth/member_token.hpp"

#include "codec/decode.hpp"
#include "core/crypto/sha256.hpp"

namespace kopilka::server::auth {

namespace {
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::int64_t unix_s_max = 253402300799;  // 9999-12-31T23:59:59Z
constexpr std::size_t signature_bytes = 32;

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

bool is_printable_ascii(std::string_view s) {
    for (char c : s)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

bool check_id(std::string_view value, const char* key, std::size_t bytes_max, bool required,
              std::string* detail) {
    if (required && value.empty()) {
        *detail = std::string(key) + " must not be empty";
        return false;
    }
    if (value.size() > bytes_max) {
        *detail = std::string(key) + " is longer than " + std::to_string(bytes_max) + " bytes";
        return false;
    }
    if (!is_printable_ascii(value)) {
        *detail = std::string(key) + " must be printable ASCII without spaces";
        return false;
    }
    return true;
}

// The rules both mint and verify enforce, so a minted token always verifies.
bool check_claims(const MemberClaims& c, std::string* detail) {
    if (!check_id(c.member_id, "sub", member_id_bytes_max, true, detail)) return false;
    if (!check_id(c.merchant_id, "mid", merchant_id_bytes_max, true, detail)) return false;
    if (!check_id(c.nonce, "nonce", nonce_bytes_max, false, detail)) return false;
    if (c.issued_at_s < 0 || c.issued_at_s > unix_s_max || c.expires_at_s < 0 ||
        c.expires_at_s > unix_s_max) {
        *detail = "iat and exp must be Unix seconds between 0 and " + std::to_string(unix_s_max);
        return false;
    }
    if (c.expires_at_s <= c.issued_at_s) {
        *detail = "exp must be later than iat";
        return false;
    }
    return true;
}

// The claims as JSON: codec::parse_json, the one parser of every request, refuses repeated
// keys (parsers disagree on which one wins) and keys with control characters.
std::optional<codec::Json> parse_claims_json(std::string_view text, std::string* detail) {
    codec::DecodeError e;
    std::optional<codec::Json> j = codec::parse_json(text, &e);
    if (!j) {
        *detail = e.code == "duplicate_key"    ? "the claims repeat a key: " + e.field
                  : e.code == "malformed_json" ? std::string("the claims are not valid JSON")
                                               : e.message;
        return std::nullopt;
    }
    if (!j->is_object()) {
        *detail = "the claims must be a JSON object";
        return std::nullopt;
    }
    return j;
}

bool decode_claims(std::string_view text, MemberClaims* out, std::string* detail) {
    const std::optional<codec::Json> j = parse_claims_json(text, detail);
    if (!j) return false;
    for (const auto& item : j->items()) {
        const std::string& key = item.key();
        if (key != "sub" && key != "mid" && key != "iat" && key != "exp" && key != "nonce") {
            *detail = "unknown claim \"" + key.substr(0, 32) + "\"";
            return false;
        }
    }
    codec::DecodeError e;
    const bool read =
        codec::read_string(*j, "", "sub", &out->member_id, &e, member_id_bytes_max) &&
        codec::read_string(*j, "", "mid", &out->merchant_id, &e, merchant_id_bytes_max) &&
        codec::read_int(*j, "", "iat", &out->issued_at_s, &e, 0, unix_s_max) &&
        codec::read_int(*j, "", "exp", &out->expires_at_s, &e, 0, unix_s_max) &&
        codec::read_optional_string(*j, "", "nonce", &out->nonce, &e, nonce_bytes_max);
    if (!read) {
        *detail = e.message;
        return false;
    }
    return check_claims(*out, detail);
}

std::string signature_of(std::string_view secret, std::string_view claims_part) {
    const crypto::Digest d = crypto::hmac_sha256(secret, claims_part);
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

VerifiedMemberToken fail(VerifiedMemberToken out, MemberTokenStatus status, std::string detail) {
    out.status = status;
    out.detail = std::move(detail);
    return out;
}

// The checks that apply once the merchant is known to have signed the claims.
MemberTokenStatus check_signed_claims(const MemberClaims& c, std::int64_t now_s,
                                      const MemberTokenOptions& options, std::string* detail) {
    if (!options.expected_merchant_id.empty() && c.merchant_id != options.expected_merchant_id) {
        *detail = "the token is for merchant \"" + c.merchant_id + "\"";
        return MemberTokenStatus::wrong_merchant;
    }
    if (c.expires_at_s - c.issued_at_s > options.max_lifetime_s) {
        *detail = "exp - iat must be at most " + std::to_string(options.max_lifetime_s) + " s";
        return MemberTokenStatus::lifetime_too_long;
    }
    if (c.issued_at_s > now_s + options.clock_skew_s) {
        *detail = "iat is in the future";
        return MemberTokenStatus::not_yet_valid;
    }
    if (now_s >= c.expires_at_s + options.clock_skew_s) {
        *detail = "the token has expired";
        return MemberTokenStatus::expired;
    }
    return MemberTokenStatus::ok;
}
}  // namespace

const char* status_name(MemberTokenStatus s) {
    switch (s) {
        case MemberTokenStatus::ok:
            return "ok";
        case MemberTokenStatus::too_long:
            return "too_long";
        case MemberTokenStatus::malformed:
            return "malformed";
        case MemberTokenStatus::unknown_merchant:
            return "unknown_merchant";
        case MemberTokenStatus::bad_signature:
            return "bad_signature";
        case MemberTokenStatus::wrong_merchant:
            return "wrong_merchant";
        case MemberTokenStatus::lifetime_too_long:
            return "lifetime_too_long";
        case MemberTokenStatus::not_yet_valid:
            return "not_yet_valid";
        case MemberTokenStatus::expired:
            return "expired";
    }
    return "unknown";
}

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : bytes) {
        acc = (acc << 8) | static_cast<std::uint8_t>(ch);
        bits += 8;
        while (bits >= 6) {
            out += kBase64Url[(acc >> (bits - 6)) & 63];
            bits -= 6;
        }
    }
    if (bits > 0) out += kBase64Url[(acc << (6 - bits)) & 63];
    return out;
}

bool base64url_decode(std::string_view text, std::string* bytes) {
    if (text.size() % 4 == 1) return false;  // 6 bits can't end a byte
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const int v = base64url_value(c);
        if (v < 0) return false;
        acc = ((acc << 6) | static_cast<std::uint32_t>(v)) & 0xFFFF;
        bits += 6;
        if (bits >= 8) {
            out += static_cast<char>((acc >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) return false;  // non-zero unused bits: not canonical
    *bytes = std::move(out);
    return true;
}

MintedMemberToken mint_member_token(const MemberClaims& claims, std::string_view secret) {
    MintedMemberToken out;
    std::string detail;
    if (!check_claims(claims, &detail)) return out;
    if (secret.empty()) {
        out.status = MemberTokenStatus::unknown_merchant;
        return out;
    }
    // Printable ASCII only (checked above), so dump() can't meet invalid UTF-8 and throw.
    nlohmann::ordered_json j;
    j["sub"] = claims.member_id;
    j["mid"] = claims.merchant_id;
    j["iat"] = claims.issued_at_s;
    j["exp"] = claims.expires_at_s;
    if (!claims.nonce.empty()) j["nonce"] = claims.nonce;
    const std::string claims_part = base64url_encode(j.dump());
    out.token = claims_part + "." + base64url_encode(signature_of(secret, claims_part));
    out.status = MemberTokenStatus::ok;
    return out;
}

VerifiedMemberToken verify_member_token(std::string_view token,
                                        const MemberSecretLookup& secret_for, std::int64_t now_s,
                                        const MemberTokenOptions& options) {
    VerifiedMemberToken out;
    if (token.size() > member_token_bytes_max)
        return fail(
            out, MemberTokenStatus::too_long,
            "the token is longer than " + std::to_string(member_token_bytes_max) + " bytes");
    const std::size_t dot = token.find('.');
    if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos)
        return fail(out, MemberTokenStatus::malformed,
                    "a token is two base64url parts joined by one dot");
    const std::string_view claims_part = token.substr(0, dot);
    std::string claims_json, signature;
    if (!base64url_decode(claims_part, &claims_json))
        return fail(out, MemberTokenStatus::malformed, "the claims part is not base64url");
    if (!base64url_decode(token.substr(dot + 1), &signature) || signature.size() != signature_bytes)
        return fail(out, MemberTokenStatus::malformed,
                    "the signature part is not 32 bytes of base64url");

    MemberClaims claims;
    std::string detail;
    if (!decode_claims(claims_json, &claims, &detail))
        return fail(out, MemberTokenStatus::malformed, detail);
    const std::optional<std::string> secret = secret_for(claims.merchant_id);
    if (!secret || secret->empty())
        return fail(out, MemberTokenStatus::unknown_merchant,
                    "no merchant \"" + claims.merchant_id + "\"");
    if (!crypto::constant_time_equal(signature_of(*secret, claims_part), signature))
        return fail(out, MemberTokenStatus::bad_signature,
                    "the signature doesn't match the claims");

    // After this point the merchant signed these claims; what remains is whether they apply.
    out.claims = std::move(claims);
    out.status = check_signed_claims(out.claims, now_s, options, &out.detail);
    return out;
}

}  // namespace kopilka::server::auth
