#include "core/cards/card_code.hpp"

#include "core/crypto/sha256.hpp"

namespace kopilka::cards {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z'); }
bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    auto junk = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; };
    while (!s.empty() && junk(s.front())) s.remove_prefix(1);
    while (!s.empty() && junk(s.back())) s.remove_suffix(1);
    return s;
}

ParseResult fail(ParseStatus s) { return ParseResult{s, {}}; }

ParseResult parse_qr(std::string_view s) {
    // K1:<MERCHANT>:<NUMBER>:<MAC>
    std::string_view parts[4];
    std::size_t n = 0;
    while (n < 4) {
        const std::size_t colon = s.find(':');
        parts[n++] = s.substr(0, colon);
        if (colon == std::string_view::npos) break;
        s.remove_prefix(colon + 1);
        if (n == 4) return fail(ParseStatus::bad_qr_payload);  // a fifth field
    }
    if (n != 4 || parts[0] != "K1") return fail(ParseStatus::bad_qr_payload);
    for (std::size_t i = 1; i < 4; ++i) {
        if (parts[i].empty() || parts[i].size() > 40) return fail(ParseStatus::bad_qr_payload);
        for (char c : parts[i])
            if (!is_upper_alnum(c) && !(i == 1 && c == '-'))
                return fail(ParseStatus::bad_qr_payload);
    }
    if (parts[3].size() != 16) return fail(ParseStatus::bad_qr_payload);
    ParseResult r{ParseStatus::ok, {}};
    r.code.kind = CodeKind::qr_card;
    r.code.merchant = std::string(parts[1]);
    r.code.number = std::string(parts[2]);
    r.code.mac = std::string(parts[3]);
    return r;
}
}  // namespace

char ean13_check_digit(std::string_view twelve) {
    int sum = 0;
    for (std::size_t i = 0; i < 12 && i < twelve.size(); ++i)
        sum += (twelve[i] - '0') * (i % 2 == 0 ? 1 : 3);
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool ean13_valid(std::string_view digits) {
    return digits.size() == 13 && all_digits(digits) && ean13_check_digit(digits) == digits[12];
}

ParseResult parse_card_text(std::string_view text) {
    if (text.size() > card_text_bytes_max) return fail(ParseStatus::too_long);
    const std::string_view s = trim(text);
    if (s.empty()) return fail(ParseStatus::empty);
    if (s.size() > 3 && s.substr(0, 3) == "K1:") return parse_qr(s);

    ParseResult r{ParseStatus::ok, {}};
    const bool plus = s.front() == '+';
    const std::string_view digits = plus ? s.substr(1) : s;
    if (all_digits(digits)) {
        if (!plus && digits.size() == 13) {
            if (!ean13_valid(digits)) return fail(ParseStatus::bad_check_digit);
            r.code.kind = CodeKind::ean13;
        } else if (digits.size() >= 7 && digits.size() <= 15) {
            r.code.kind = CodeKind::phone;
        } else {
            return fail(ParseStatus::bad_characters);
        }
        r.code.number = std::string(digits);
        return r;
    }
    if (s.size() < 4 || s.size() > 32) return fail(ParseStatus::bad_characters);
    for (char c : s)
        if (!is_upper_alnum(c) && c != '-') return fail(ParseStatus::bad_characters);
    r.code.kind = CodeKind::code128;
    r.code.number = std::string(s);
    return r;
}

std::string_view parse_status_name(ParseStatus s) {
    switch (s) {
        case ParseStatus::ok: return "ok";
        case ParseStatus::empty: return "empty";
        case ParseStatus::too_long: return "too_long";
        case ParseStatus::bad_characters: return "bad_characters";
        case ParseStatus::bad_check_digit: return "bad_check_digit";
        case ParseStatus::bad_qr_payload: return "bad_qr_payload";
    }
    return "unknown";
}

std::string qr_card_mac(std::string_view merchant, std::string_view number,
                        std::string_view secret) {
    std::string message = "K1:";
    message.append(merchant).append(":").append(number);
    const crypto::Digest d = crypto::hmac_sha256(secret, message);
    return crypto::to_base32(d.data(), 10);
}

std::string qr_card_payload(std::string_view merchant, std::string_view number,
                            std::string_view secret) {
    std::string out = "K1:";
    out.append(merchant).append(":").append(number).append(":");
    out += qr_card_mac(merchant, number, secret);
    return out;
}

bool qr_card_mac_valid(const CardCode& code, std::string_view secret) {
    return code.kind == CodeKind::qr_card &&
           crypto::constant_time_equal(code.mac, qr_card_mac(code.merchant, code.number, secret));
}

std::string canonical_text(const CardCode& code) {
    switch (code.kind) {
        case CodeKind::qr_card: return "K1:" + code.merchant + ":" + code.number + ":" + code.mac;
        case CodeKind::phone: return "+" + code.number;
        default: return code.number;
    }
}

}  // namespace kopilka::cards
