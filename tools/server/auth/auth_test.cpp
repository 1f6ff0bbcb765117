#include <doctest/doctest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "auth/credentials.hpp"
#include "auth/member_token.hpp"
#include "auth/password.hpp"
#include "core/crypto/sha256.hpp"

using namespace kopilka::server::auth;

namespace {
// A deterministic byte source (an LCG's high bytes): same seed, same credentials.
RandomBytes seeded_bytes(std::uint64_t seed) {
    auto state = std::make_shared<std::uint64_t>(seed);
    return [state](std::uint8_t* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
            out[i] = static_cast<std::uint8_t>(*state >> 56);
        }
    };
}

const std::string base32_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const std::string base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The same character position holding the next character of the alphabet.
std::string flip(std::string s, std::size_t i, const std::string& alphabet) {
    const std::size_t at = alphabet.find(s[i]);
    s[i] = alphabet[(at + 1) % alphabet.size()];
    return s;
}

bool all_of(const std::string& s, const std::string& alphabet) {
    return s.find_first_not_of(alphabet) == std::string::npos;
}

const std::string demo_secret = "kopilka-demo-secret-2024";
constexpr std::int64_t demo_iat_s = 1700000000;

MemberSecretLookup lookup_demo() {
    return [](std::string_view mid) -> std::optional<std::string> {
        if (mid == "demo") return demo_secret;
        if (mid == "other") return std::string("other-secret");
        if (mid == "blank") return std::string();
        return std::nullopt;
    };
}

MemberClaims demo_claims() {
    MemberClaims c;
    c.member_id = "member-1001";
    c.merchant_id = "demo";
    c.issued_at_s = demo_iat_s;
    c.expires_at_s = demo_iat_s + 600;
    c.nonce = "n-42";
    return c;
}

std::string mint(const MemberClaims& c, const std::string& secret = demo_secret) {
    const MintedMemberToken m = mint_member_token(c, secret);
    REQUIRE(m.status == MemberTokenStatus::ok);
    return m.token;
}

// Signs any claims text the way a merchant's backend would, valid claims or not.
std::string sign_raw(const std::string& claims_json, const std::string& secret = demo_secret) {
    const std::string claims_part = base64url_encode(claims_json);
    const kopilka::crypto::Digest d = kopilka::crypto::hmac_sha256(secret, claims_part);
    return claims_part + "." +
           base64url_encode(std::string(reinterpret_cast<const char*>(d.data()), d.size()));
}

VerifiedMemberToken verify_at(const std::string& token, std::int64_t now_s,
                              const MemberTokenOptions& options = {}) {
    return verify_member_token(token, lookup_demo(), now_s, options);
}

MemberTokenStatus status_at(const std::string& token, std::int64_t now_s,
                            const MemberTokenOptions& options = {}) {
    return verify_at(token, now_s, options).status;
}
}  // namespace

// [SECTION] API keys

TEST_CASE("api keys: kpk_<role>_<id>_<secret>, parsed back and verified") {
    const NewApiKey key = generate_api_key(Role::till, seeded_bytes(1));
    REQUIRE(key.text.size() == std::string("kpk_till_").size() + 8 + 1 + 32);
    CHECK(key.text.rfind("kpk_till_", 0) == 0);
    CHECK(key.text.substr(9, 8) == key.stored.key_id);
    CHECK(key.text[17] == '_');
    CHECK(all_of(key.text.substr(9, 8) + key.text.substr(18), base32_alphabet));
    CHECK(key.stored.role == Role::till);
    CHECK(key.stored.salt_hex.size() == 32);
    CHECK(key.stored.secret_hash_hex.size() == 64);
    CHECK(key.stored.secret_hash_hex.find(key.text.substr(18)) == std::string::npos);

    const ParsedApiKey parsed = parse_api_key(key.text);
    REQUIRE(parsed.status == CredentialStatus::ok);
    CHECK(parsed.role == Role::till);
    CHECK(parsed.key_id == key.stored.key_id);
    CHECK(parsed.secret == key.text.substr(18));
    CHECK(verify_api_key(key.stored, parsed) == CredentialStatus::ok);

    const NewApiKey admin = generate_api_key(Role::admin, seeded_bytes(2));
    CHECK(admin.text.rfind("kpk_admin_", 0) == 0);
    CHECK(parse_api_key(admin.text).role == Role::admin);
    CHECK(verify_api_key(admin.stored, parse_api_key(admin.text)) == CredentialStatus::ok);

    // Deterministic for a seed, different across seeds, salted per key.
    CHECK(generate_api_key(Role::till, seeded_bytes(1)).text == key.text);
    CHECK(generate_api_key(Role::till, seeded_bytes(3)).text != key.text);
    CHECK(admin.stored.salt_hex != key.stored.salt_hex);
}

TEST_CASE("api keys: a wrong secret, another key's record or an edited role is refused") {
    const NewApiKey key = generate_api_key(Role::till, seeded_bytes(10));
    const NewApiKey other = generate_api_key(Role::till, seeded_bytes(11));
    for (std::size_t i = 18; i < key.text.size(); ++i) {  // every secret character
        const ParsedApiKey forged = parse_api_key(flip(key.text, i, base32_alphabet));
        REQUIRE(forged.status == CredentialStatus::ok);
        REQUIRE(verify_api_key(key.stored, forged) == CredentialStatus::wrong_secret);
    }
    CHECK(verify_api_key(other.stored, parse_api_key(key.text)) == CredentialStatus::wrong_secret);

    // Same id and secret under another role: parses, but doesn't match the stored role.
    const std::string promoted = "kpk_admin_" + key.text.substr(9);
    REQUIRE(parse_api_key(promoted).status == CredentialStatus::ok);
    CHECK(verify_api_key(key.stored, parse_api_key(promoted)) == CredentialStatus::wrong_secret);

    // Same secret under another key id.
    const std::string moved = flip(key.text, 9, base32_alphabet);
    CHECK(verify_api_key(key.stored, parse_api_key(moved)) == CredentialStatus::wrong_secret);

    // A tampered stored hash refuses the genuine key.
    StoredApiKey tampered = key.stored;
    tampered.secret_hash_hex[0] = tampered.secret_hash_hex[0] == '0' ? '1' : '0';
    CHECK(verify_api_key(tampered, parse_api_key(key.text)) == CredentialStatus::wrong_secret);
}

TEST_CASE("api keys: malformed text and unknown roles") {
    const std::string key = generate_api_key(Role::till, seeded_bytes(20)).text;
    const std::string tail = key.substr(9);  // "<id>_<secret>"
    const std::vector<std::string> malformed = {
        "",
        "kpk_",
        "kpk_till",
        "kpk_till_",
        "kpk_till_" + tail.substr(1),                            // id one short
        key + "A",                                               // secret one long
        key.substr(0, key.size() - 1),                           // secret one short
        "kpk_till_" + tail.substr(0, 8) + "-" + tail.substr(9),  // wrong separator
        "kpk_till__" + tail,                                     // empty field
        "KPK_till_" + tail,                                      // prefix case
        "kpk_Till_" + tail,                                      // role case
        "kpk_till_" + std::string(tail).replace(10, 1, "u"),     // lower case secret
        "kpk_till_" + std::string(tail).replace(10, 1, "U"),     // U is not Crockford base32
        "kpk_till_" + std::string(tail).replace(10, 1, "O"),     // nor O (no forgiveness here)
        " " + key,
        key + "\n",
        "kdt_" + tail,                               // a device token
        "kpk_" + std::string(60, 'a') + "_" + tail,  // over the length limit
    };
    for (const std::string& text : malformed) {
        CAPTURE(text);
        const ParsedApiKey parsed = parse_api_key(text);
        CHECK(parsed.status == CredentialStatus::malformed);
        CHECK(parsed.secret.empty());
    }
    CHECK(parse_api_key("kpk_owner_" + tail).status == CredentialStatus::unknown_role);
    CHECK(parse_api_key("kpk_tills_" + tail).status == CredentialStatus::unknown_role);

    const NewApiKey real = generate_api_key(Role::till, seeded_bytes(20));
    CHECK(verify_api_key(real.stored, parse_api_key(key + "A")) == CredentialStatus::malformed);
    CHECK(verify_api_key(real.stored, parse_api_key("kpk_owner_" + tail)) ==
          CredentialStatus::unknown_role);
    CHECK(std::string(status_name(CredentialStatus::wrong_secret)) == "wrong_secret");
    CHECK(std::string(role_name(Role::admin)) == "admin");
}

TEST_CASE("random_device_bytes: fills every byte and doesn't repeat") {
    std::vector<std::uint8_t> a(33, 0), b(33, 0);
    random_device_bytes(a.data(), a.size());
    random_device_bytes(b.data(), b.size());
    CHECK(a != b);  // 264 bits colliding would mean a broken source
    const NewApiKey k1 = generate_api_key(Role::admin, random_device_bytes);
    const NewApiKey k2 = generate_api_key(Role::admin, random_device_bytes);
    CHECK(k1.text != k2.text);
    CHECK(verify_api_key(k1.stored, parse_api_key(k1.text)) == CredentialStatus::ok);
}

// [SECTION] Kiosk pairing codes

TEST_CASE("pairing codes: XXXX-XXXX, stored hashed, redeemed once") {
    const std::int64_t now_ms = 1700000000000;
    NewPairingCode p = generate_pairing_code(seeded_bytes(30), now_ms);
    REQUIRE(p.code.size() == 9);
    CHECK(p.code[4] == '-');
    CHECK(all_of(p.code.substr(0, 4) + p.code.substr(5), base32_alphabet));
    CHECK(p.stored.expires_ms == now_ms + pairing_code_ttl_s * 1000);
    CHECK(p.stored.code_hash_hex == hash_pairing_code(p.code));
    CHECK(p.stored.code_hash_hex.size() == 64);
    CHECK_FALSE(p.stored.used);
    CHECK(generate_pairing_code(seeded_bytes(30), now_ms).code == p.code);
    CHECK(generate_pairing_code(seeded_bytes(31), now_ms).code != p.code);

    CHECK(verify_pairing_code(p.stored, p.code, now_ms + 1000) == PairingStatus::ok);
    CHECK_FALSE(p.stored.used);  // verify changes nothing
    CHECK(redeem_pairing_code(&p.stored, p.code, now_ms + 1000) == PairingStatus::ok);
    CHECK(p.stored.used);
    CHECK(redeem_pairing_code(&p.stored, p.code, now_ms + 2000) == PairingStatus::already_used);
    CHECK(verify_pairing_code(p.stored, p.code, now_ms + 2000) == PairingStatus::already_used);
}

TEST_CASE("pairing codes: valid for pairing_code_ttl_s, then expired") {
    const std::int64_t now_ms = 5000;
    NewPairingCode p = generate_pairing_code(seeded_bytes(40), now_ms);
    const std::int64_t ttl_ms = pairing_code_ttl_s * 1000;
    CHECK(ttl_ms == 600000);
    CHECK(verify_pairing_code(p.stored, p.code, now_ms + ttl_ms - 1) == PairingStatus::ok);
    CHECK(verify_pairing_code(p.stored, p.code, now_ms + ttl_ms) == PairingStatus::expired);
    CHECK(redeem_pairing_code(&p.stored, p.code, now_ms + ttl_ms + 1) == PairingStatus::expired);
    CHECK_FALSE(p.stored.used);  // a failed redeem doesn't use the code up
    CHECK(std::string(status_name(PairingStatus::expired)) == "expired");
}

TEST_CASE("pairing codes: a wrong code and malformed input") {
    NewPairingCode p = generate_pairing_code(seeded_bytes(50), 0);
    for (std::size_t i = 0; i < p.code.size(); ++i) {
        if (i == 4) continue;
        CHECK(verify_pairing_code(p.stored, flip(p.code, i, base32_alphabet), 1) ==
              PairingStatus::wrong_code);
    }
    CHECK(verify_pairing_code(p.stored, generate_pairing_code(seeded_bytes(51), 0).code, 1) ==
          PairingStatus::wrong_code);
    CHECK(verify_pairing_code(p.stored, "", 1) == PairingStatus::malformed);
    CHECK(verify_pairing_code(p.stored, p.code.substr(1), 1) == PairingStatus::malformed);
    // A wrong code outranks used and expired: it says nothing about this pairing.
    p.stored.used = true;
    CHECK(verify_pairing_code(p.stored, flip(p.code, 0, base32_alphabet), 1 << 30) ==
          PairingStatus::wrong_code);
}

TEST_CASE("pairing codes: what a person types is normalised") {
    struct Case {
        const char* typed;
        const char* canonical;  // nullptr: malformed
    };
    const Case cases[] = {
        {"K7M2-9QXD", "K7M2-9QXD"},
        {"k7m2-9qxd", "K7M2-9QXD"},
        {"K7M29QXD", "K7M2-9QXD"},
        {" k7m2 9qxd ", "K7M2-9QXD"},
        {"K7-M2-9Q-XD", "K7M2-9QXD"},
        {"K7M2\t9QXD", "K7M2-9QXD"},
        {"OoIi-Ll01", "0011-1101"},  // O → 0, I and L → 1
        {"K7M2-9QX", nullptr},       // 7 characters
        {"K7M2-9QXDA", nullptr},     // 9 characters
        {"K7M2-9QXU", nullptr},      // U is not Crockford base32
        {"K7M2_9QXD", nullptr},
        {"K7M2.9QXD", nullptr},
        {"K7M2-9QX\xC3\x90", nullptr},
        {"", nullptr},
        {"--------", nullptr},
        {"                         K7M2-9QXD", nullptr},  // over pairing_code_typed_bytes_max
    };
    for (const Case& c : cases) {
        CAPTURE(c.typed);
        std::string canonical = "unchanged";
        const PairingStatus s = normalise_pairing_code(c.typed, &canonical);
        if (c.canonical) {
            CHECK(s == PairingStatus::ok);
            CHECK(canonical == c.canonical);
        } else {
            CHECK(s == PairingStatus::malformed);
            CHECK(canonical == "unchanged");
        }
    }
    // A sloppily typed code redeems the pending pairing it came from.
    NewPairingCode p = generate_pairing_code(seeded_bytes(60), 0);
    std::string sloppy;
    for (char c : p.code) {
        if (c == '-') continue;
        if (c == '0') c = 'o';
        if (c == '1') c = 'l';
        sloppy += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    CHECK(redeem_pairing_code(&p.stored, sloppy, 1) == PairingStatus::ok);
}

// [SECTION] Kiosk device tokens

TEST_CASE("device tokens: kdt_<id>_<secret>, parsed back, verified, forgeries refused") {
    const NewIdToken t = generate_device_token(seeded_bytes(70));
    REQUIRE(t.text.size() == 4 + 8 + 1 + 32);
    CHECK(t.text.rfind("kdt_", 0) == 0);
    CHECK(t.text.substr(4, 8) == t.stored.id);
    CHECK(t.stored.salt_hex.size() == 32);
    const ParsedIdToken parsed = parse_device_token(t.text);
    REQUIRE(parsed.status == CredentialStatus::ok);
    CHECK(parsed.id == t.stored.id);
    CHECK(verify_id_token(t.stored, parsed) == CredentialStatus::ok);

    for (std::size_t i = 4; i < t.text.size(); ++i) {
        if (i == 12) continue;
        REQUIRE(
            verify_id_token(t.stored, parse_device_token(flip(t.text, i, base32_alphabet))) ==
            CredentialStatus::wrong_secret);
    }
    const NewIdToken other = generate_device_token(seeded_bytes(71));
    CHECK(verify_id_token(other.stored, parsed) == CredentialStatus::wrong_secret);
    CHECK(parse_device_token(t.text.substr(0, 44)).status == CredentialStatus::malformed);
    CHECK(parse_device_token(t.text + "0").status == CredentialStatus::malformed);
    CHECK(parse_device_token("kpk_till_" + t.text.substr(4)).status == CredentialStatus::malformed);
    CHECK(parse_device_token("").status == CredentialStatus::malformed);
    CHECK(verify_id_token(t.stored, parse_device_token("kdt_")) == CredentialStatus::malformed);
}

// [SECTION] Console session tokens and staff passwords

TEST_CASE("session tokens: kcs_<id>_<secret>, verified; a device token is not one") {
    const NewIdToken t = generate_session_token(seeded_bytes(80));
    REQUIRE(t.text.size() == 4 + 8 + 1 + 32);
    CHECK(t.text.rfind("kcs_", 0) == 0);
    CHECK(t.text.substr(4, 8) == t.stored.id);
    const ParsedIdToken parsed = parse_session_token(t.text);
    REQUIRE(parsed.status == CredentialStatus::ok);
    CHECK(verify_id_token(t.stored, parsed) == CredentialStatus::ok);
    for (std::size_t i = 13; i < t.text.size(); ++i)
        REQUIRE(verify_id_token(t.stored,
                                     parse_session_token(flip(t.text, i, base32_alphabet))) ==
                CredentialStatus::wrong_secret);
    const NewIdToken other = generate_session_token(seeded_bytes(81));
    CHECK(verify_id_token(other.stored, parsed) == CredentialStatus::wrong_secret);
    CHECK(parse_session_token("kdt_" + t.text.substr(4)).status == CredentialStatus::malformed);
    CHECK(parse_device_token(t.text).status == CredentialStatus::malformed);
    CHECK(parse_session_token(t.text + "0").status == CredentialStatus::malformed);
}

TEST_CASE("staff passwords: argon2id, verified under either limits, length rules") {
    const std::string hash = hash_password("correct horse", PasswordLimits::minimum);
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(verify_password(hash, "correct horse"));
    CHECK_FALSE(verify_password(hash, "correct horsf"));
    CHECK_FALSE(verify_password("", "correct horse"));
    CHECK_FALSE(verify_password("$argon2id$garbage", "correct horse"));
    CHECK(hash_password("correct horse", PasswordLimits::minimum) != hash);  // salted
    CHECK(password_problem("short") != "");
    CHECK(password_problem("ąčęėįšųūžŽ") == "");  // ten characters, twenty bytes
    CHECK(password_problem(std::string(128, 'x')) == "");
    CHECK(password_problem(std::string(129, 'x')) != "");
}

// [SECTION] base64url

TEST_CASE("base64url: RFC 4648 vectors without padding, strict decoding") {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
    };
    for (const auto& [bytes, text] : vectors) {
        CHECK(base64url_encode(bytes) == text);
        std::string decoded = "x";
        REQUIRE(base64url_decode(text, &decoded));
        CHECK(decoded == bytes);
    }
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); n += 7) {
        std::string back;
        REQUIRE(base64url_decode(base64url_encode(all.substr(0, n)), &back));
        CHECK(back == all.substr(0, n));
    }
    std::string out = "unchanged";
    for (const char* bad : {"Zg==", "Zg=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", " Zg", "Zg\n",
                            "Zm9v.", "-_9"}) {
        CAPTURE(bad);
        CHECK_FALSE(base64url_decode(bad, &out));
    }
    CHECK(out == "unchanged");
}

// [SECTION] Member tokens

TEST_CASE("member tokens: the worked example in member_token.hpp") {
    const std::string golden =
        "eyJzdWIiOiJtZW1iZXItMTAwMSIsIm1pZCI6ImRlbW8iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYw"
        "MCwibm9uY2UiOiJuLTQyIn0.SUjuOIIE1Z1nEAvTqQXL71TQSDd1Yxz1yQn0HZfvLxg";
    const std::string token = mint(demo_claims());
    CHECK(token == golden);
    std::string json;
    REQUIRE(base64url_decode(token.substr(0, token.find('.')), &json));
    CHECK(json ==
          R"({"sub":"member-1001","mid":"demo","iat":1700000000,"exp":1700000600,"nonce":"n-42"})");

    const VerifiedMemberToken v = verify_at(golden, demo_iat_s + 10);
    REQUIRE(v.status == MemberTokenStatus::ok);
    CHECK(v.detail.empty());
    CHECK(v.claims.member_id == "member-1001");
    CHECK(v.claims.merchant_id == "demo");
    CHECK(v.claims.issued_at_s == demo_iat_s);
    CHECK(v.claims.expires_at_s == demo_iat_s + 600);
    CHECK(v.claims.nonce == "n-42");
}

TEST_CASE("member tokens: any JSON encoding of the claims verifies; nonce is optional") {
    // Another key order and spacing, as PHP's json_encode or JSON.stringify may produce.
    const std::string t = sign_raw(R"( { "exp" : 1700000600, "iat":1700000000, "mid":"demo",
                                         "sub":"m\/1"} )");
    const VerifiedMemberToken v = verify_at(t, demo_iat_s);
    REQUIRE(v.status == MemberTokenStatus::ok);
    CHECK(v.claims.member_id == "m/1");
    CHECK(v.claims.nonce.empty());

    MemberClaims no_nonce = demo_claims();
    no_nonce.nonce.clear();
    const std::string minted = mint(no_nonce);
    std::string json;
    REQUIRE(base64url_decode(minted.substr(0, minted.find('.')), &json));
    CHECK(json.find("nonce") == std::string::npos);
    CHECK(status_at(minted, demo_iat_s) == MemberTokenStatus::ok);
}

TEST_CASE("member tokens: one flipped character anywhere is refused") {
    const std::string token = mint(demo_claims());
    const std::size_t dot = token.find('.');
    int bad_signature = 0;
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (i == dot) continue;
        const MemberTokenStatus s = status_at(flip(token, i, base64url_alphabet), demo_iat_s);
        CAPTURE(i);
        REQUIRE(s != MemberTokenStatus::ok);
        if (i > dot) CHECK((s == MemberTokenStatus::bad_signature || i == token.size() - 1));
        bad_signature += s == MemberTokenStatus::bad_signature;
    }
    CHECK(bad_signature >= 42);
    // The last character carries 4 bits and 2 unused ones: setting an unused bit would decode
    // to the same MAC, so strict decoding must call it malformed.
    std::string unused_bit = token;
    unused_bit.back() = base64url_alphabet[base64url_alphabet.find(token.back()) ^ 1];
    CHECK(status_at(unused_bit, demo_iat_s) == MemberTokenStatus::malformed);

    // Altered claims under the original MAC, and claims signed with another secret.
    MemberClaims altered = demo_claims();
    altered.member_id = "member-1002";
    const std::string altered_claims = mint(altered).substr(0, mint(altered).find('.'));
    CHECK(status_at(altered_claims + token.substr(dot), demo_iat_s) ==
          MemberTokenStatus::bad_signature);
    CHECK(status_at(mint(demo_claims(), "guessed-secret"), demo_iat_s) ==
          MemberTokenStatus::bad_signature);
    const VerifiedMemberToken forged = verify_at(mint(altered, "guessed-secret"), demo_iat_s);
    CHECK(forged.status == MemberTokenStatus::bad_signature);
    CHECK(forged.claims.member_id.empty());  // claims of unauthenticated tokens aren't handed out
}

TEST_CASE("member tokens: expiry, not yet valid and lifetime, with clock skew") {
    const std::string token = mint(demo_claims());  // iat .. iat + 600
    const std::int64_t exp_s = demo_iat_s + 600;
    CHECK(status_at(token, exp_s + 59) == MemberTokenStatus::ok);
    CHECK(status_at(token, exp_s + 60) == MemberTokenStatus::expired);
    CHECK(status_at(token, exp_s + 100000) == MemberTokenStatus::expired);
    CHECK(status_at(token, demo_iat_s - 60) == MemberTokenStatus::ok);
    CHECK(status_at(token, demo_iat_s - 61) == MemberTokenStatus::not_yet_valid);

    MemberTokenOptions strict;
    strict.clock_skew_s = 0;
    CHECK(status_at(token, exp_s - 1, strict) == MemberTokenStatus::ok);
    CHECK(status_at(token, exp_s, strict) == MemberTokenStatus::expired);
    CHECK(status_at(token, demo_iat_s - 1, strict) == MemberTokenStatus::not_yet_valid);

    MemberClaims long_lived = demo_claims();
    long_lived.expires_at_s = demo_iat_s + 3600;
    CHECK(status_at(mint(long_lived), demo_iat_s) == MemberTokenStatus::ok);
    long_lived.expires_at_s = demo_iat_s + 3601;
    const VerifiedMemberToken v = verify_at(mint(long_lived), demo_iat_s);
    CHECK(v.status == MemberTokenStatus::lifetime_too_long);
    CHECK(v.claims.member_id == "member-1001");  // authentic, so the log may name the member
    MemberTokenOptions short_lived;
    short_lived.max_lifetime_s = 300;
    CHECK(status_at(token, demo_iat_s, short_lived) == MemberTokenStatus::lifetime_too_long);
    // Lifetime outranks time: a too-long token is refused whenever it arrives.
    CHECK(status_at(mint(long_lived), exp_s + 100000) == MemberTokenStatus::lifetime_too_long);
    CHECK(std::string(status_name(MemberTokenStatus::not_yet_valid)) == "not_yet_valid");
}

TEST_CASE("member tokens: wrong and unknown merchants") {
    const std::string token = mint(demo_claims());
    MemberTokenOptions for_other;
    for_other.expected_merchant_id = "other";
    const VerifiedMemberToken v = verify_at(token, demo_iat_s, for_other);
    CHECK(v.status == MemberTokenStatus::wrong_merchant);
    CHECK(v.claims.merchant_id == "demo");
    MemberTokenOptions for_demo;
    for_demo.expected_merchant_id = "demo";
    CHECK(status_at(token, demo_iat_s, for_demo) == MemberTokenStatus::ok);

    // "other" minting a token that claims to be from "demo" is just a bad signature.
    CHECK(status_at(mint(demo_claims(), "other-secret"), demo_iat_s) ==
          MemberTokenStatus::bad_signature);
    // "other"'s genuine token presented where "demo" is expected.
    MemberClaims from_other = demo_claims();
    from_other.merchant_id = "other";
    CHECK(status_at(mint(from_other, "other-secret"), demo_iat_s, for_demo) ==
          MemberTokenStatus::wrong_merchant);

    MemberClaims unknown = demo_claims();
    unknown.merchant_id = "nobody";
    CHECK(status_at(mint(unknown), demo_iat_s) == MemberTokenStatus::unknown_merchant);
    unknown.merchant_id = "blank";  // a lookup that answers an empty secret
    CHECK(status_at(mint(unknown), demo_iat_s) == MemberTokenStatus::unknown_merchant);
}

TEST_CASE("member tokens: malformed shapes, base64url and claims") {
    const std::string token = mint(demo_claims());
    const std::size_t dot = token.find('.');
    const std::string claims_part = token.substr(0, dot);
    const std::string signature_part = token.substr(dot + 1);
    const std::vector<std::string> shapes = {
        "",
        ".",
        claims_part,
        claims_part + ".",
        "." + signature_part,
        token + ".",
        token + "." + signature_part,
        "eyJhbGciOiJub25lIn0." + claims_part + ".",                    // a JWT with alg none
        "eyJhbGciOiJIUzI1NiJ9." + claims_part + "." + signature_part,  // a JWT
        claims_part + "=." + signature_part,                           // padding
        claims_part + "." + signature_part + "=",
        claims_part + " ." + signature_part,
        claims_part + "." + signature_part.substr(0, 42),  // 31 bytes
        claims_part + "." + signature_part + "AA",         // 33 bytes
        claims_part.substr(0, 1) + "+" + claims_part.substr(2) + "." + signature_part,
        token + "\n",
    };
    for (const std::string& t : shapes) {
        CAPTURE(t);
        const VerifiedMemberToken v = verify_at(t, demo_iat_s);
        CHECK(v.status == MemberTokenStatus::malformed);
        CHECK_FALSE(v.detail.empty());
    }

    // Correctly signed, but the claims are wrong: malformed, whatever the signature.
    const std::vector<std::string> claims = {
        "",
        "null",
        "[]",
        "\"demo\"",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600)",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600} x)",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600}{})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"alg":"none"})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"admin":true})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"sub":"n"})",
        R"({"sub":"m","mid":"demo","mid":"other","iat":1700000000,"exp":1700000600})",
        R"({"mid":"demo","iat":1700000000,"exp":1700000600})",
        R"({"sub":"m","iat":1700000000,"exp":1700000600})",
        R"({"sub":"m","mid":"demo","exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":1700000000})",
        R"({"sub":"","mid":"demo","iat":1700000000,"exp":1700000600})",
        R"({"sub":"m","mid":"","iat":1700000000,"exp":1700000600})",
        R"({"sub":"a b","mid":"demo","iat":1700000000,"exp":1700000600})",
        R"({"sub":"m\n","mid":"demo","iat":1700000000,"exp":1700000600})",
        "{\"sub\":\"m\xC3\xA9\",\"mid\":\"demo\",\"iat\":1700000000,\"exp\":1700000600}",
        "{\"sub\":\"m\xFF\",\"mid\":\"demo\",\"iat\":1700000000,\"exp\":1700000600}",
        R"({"sub":7,"mid":"demo","iat":1700000000,"exp":1700000600})",
        R"({"sub":["m"],"mid":"demo","iat":1700000000,"exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":"1700000000","exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":1700000000.0,"exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":1.7e9,"exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":-1,"exp":1700000600})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":99999999999999999999})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000000})",
        R"({"sub":"m","mid":"demo","iat":1700000600,"exp":1700000000})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"nonce":5})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"nonce":null})",
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,"nonce":"a b"})",
        "{\"sub\":\"" + std::string(129, 'm') +
            "\",\"mid\":\"demo\",\"iat\":1700000000,\"exp\":1700000600}",
        "{\"sub\":\"m\",\"mid\":\"" + std::string(65, 'd') +
            "\",\"iat\":1700000000,\"exp\":1700000600}",
    };
    for (const std::string& json : claims) {
        CAPTURE(json);
        const VerifiedMemberToken v = verify_at(sign_raw(json), demo_iat_s);
        CHECK(v.status == MemberTokenStatus::malformed);
        CHECK_FALSE(v.detail.empty());
        CHECK(v.claims.member_id.empty());
    }
    CHECK(verify_at(sign_raw(claims[8]), demo_iat_s).detail == "unknown claim \"admin\"");
    CHECK(verify_at(sign_raw(claims[9]), demo_iat_s).detail == "the claims repeat a key: sub");
    CHECK(verify_at(sign_raw(claims[10]), demo_iat_s).detail == "the claims repeat a key: mid");
    // Nested objects may repeat keys that appear at the top (a key repeated inside one nested
    // object is refused like any other: codec::parse_json checks every depth).
    CHECK(verify_at(sign_raw(R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600,)"
                             R"("nonce":{"sub":1}})"),
                    demo_iat_s)
              .detail == "nonce must be a string");
    CHECK(status_at(sign_raw(R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600} )"
                             "\n"),
                    demo_iat_s) == MemberTokenStatus::ok);  // trailing whitespace is still JSON
}

TEST_CASE("member tokens: longer than member_token_bytes_max is refused unread") {
    CHECK(status_at(std::string(member_token_bytes_max + 1, 'A'), demo_iat_s) ==
          MemberTokenStatus::too_long);
    CHECK(status_at(std::string(member_token_bytes_max, 'A'), demo_iat_s) ==
          MemberTokenStatus::malformed);
    // A genuinely signed token that is too long.
    const std::string padded =
        R"({"sub":"m","mid":"demo","iat":1700000000,"exp":1700000600})" + std::string(1600, ' ');
    const std::string token = sign_raw(padded);
    REQUIRE(token.size() > member_token_bytes_max);
    CHECK(status_at(token, demo_iat_s) == MemberTokenStatus::too_long);
    // The longest valid claims fit easily.
    MemberClaims biggest = demo_claims();
    biggest.member_id = std::string(member_id_bytes_max, 'm');
    biggest.merchant_id = "demo";
    biggest.nonce = std::string(nonce_bytes_max, 'n');
    CHECK(mint(biggest).size() < member_token_bytes_max / 2);
    CHECK(status_at(mint(biggest), demo_iat_s) == MemberTokenStatus::ok);
}

TEST_CASE("member tokens: mint refuses what verify would refuse") {
    MemberClaims c = demo_claims();
    CHECK(mint_member_token(c, "").status == MemberTokenStatus::unknown_merchant);
    c.member_id.clear();
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);
    CHECK(mint_member_token(c, demo_secret).token.empty());
    c = demo_claims();
    c.member_id = "caf\xC3\xA9";  // ASCII only, so dump() never meets invalid UTF-8
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);
    c.member_id = "m\xFF";
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);
    c = demo_claims();
    c.expires_at_s = c.issued_at_s;
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);
    c = demo_claims();
    c.issued_at_s = -5;
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);
    c = demo_claims();
    c.merchant_id = std::string(merchant_id_bytes_max + 1, 'd');
    CHECK(mint_member_token(c, demo_secret).status == MemberTokenStatus::malformed);

    // Every printable character survives the JSON round trip, quotes and backslashes included.
    std::string printable;
    for (char ch = 0x21; ch <= 0x7E; ++ch) printable += ch;
    c = demo_claims();
    c.member_id = printable;
    c.nonce = "\"\\/";
    const VerifiedMemberToken v = verify_at(mint(c), demo_iat_s);
    REQUIRE(v.status == MemberTokenStatus::ok);
    CHECK(v.claims.member_id == printable);
    CHECK(v.claims.nonce == "\"\\/");
}
