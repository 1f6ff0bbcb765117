// Card codes: what a shopper shows at a kiosk, in every form it can arrive in.
//   - EAN-13 plastic cards (13 digits, check digit verified);
//   - Code 128 plastic cards (4..32 characters of A-Z 0-9 and '-');
//   - phone QR cards "K1:<MERCHANT>:<NUMBER>:<MAC>", the MAC binding the number to the
//     merchant's secret so card numbers can't be guessed from a phone;
//   - a phone number typed on the keypad (7..15 digits, optional leading '+').
// Parsing is pure: it says what the text is and whether it is well formed; whether the
// card exists and the MAC is right is the server's business (it holds the secret).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kopilka::cards {

enum class CodeKind : std::uint8_t { ean13, code128, qr_card, phone };

struct CardCode {
    CodeKind kind = CodeKind::ean13;
    std::string merchant;  // qr_card only: the merchant's code, upper case
    std::string number;    // card number (or phone digits with '+' removed)
    std::string mac;       // qr_card only
};

enum class ParseStatus : std::uint8_t {
    ok,
    empty,           // nothing but white space
    too_long,        // longer than card_text_bytes_max
    bad_characters,  // characters no card code of ours contains
    bad_check_digit, // 13 digits whose EAN-13 check digit is wrong
    bad_qr_payload,  // starts like our QR card but is malformed
};

struct ParseResult {
    ParseStatus status = ParseStatus::empty;
    CardCode code;
};

constexpr std::size_t card_text_bytes_max = 128;

// Trims white space and control characters (scanners add CR/LF/TAB), then classifies.
ParseResult parse_card_text(std::string_view text);

std::string_view parse_status_name(ParseStatus s);  // "bad_check_digit", …

// EAN-13: the check digit for 12 digits, and whether 13 digits are valid.
char ean13_check_digit(std::string_view twelve_digits);
bool ean13_valid(std::string_view digits);

// The MAC of a QR card: the first 10 bytes of HMAC-SHA256(secret, "K1:<MERCHANT>:<NUMBER>")
// in Crockford base32 (16 characters).
std::string qr_card_mac(std::string_view merchant, std::string_view number,
                        std::string_view secret);
std::string qr_card_payload(std::string_view merchant, std::string_view number,
                            std::string_view secret);
bool qr_card_mac_valid(const CardCode& code, std::string_view secret);

// The canonical text of a code, as it is stored and looked up ("K1:…" payloads keep their MAC).
std::string canonical_text(const CardCode& code);

}  // namespace kopilka::cards
