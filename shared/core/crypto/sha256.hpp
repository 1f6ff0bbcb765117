// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) in portable C++, so that card QR MACs are
// computed identically on the server, in the CLI and in the browser core.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kopilka::crypto {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    void update(std::string_view bytes);
    Digest finish();  // the object must not be updated afterwards

private:
    void compress(const std::uint8_t* block);
    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::uint64_t length_bytes_ = 0;
    std::size_t buffered_ = 0;
};

Digest sha256(std::string_view bytes);
Digest hmac_sha256(std::string_view key, std::string_view message);

std::string to_hex(const std::uint8_t* bytes, std::size_t n);  // lowercase
// 0–15 for 0-9, a-f, A-F; -1 for anything else. Inline: the ledger's codec reads 32 of these
// for every batch of a member's checkpoint.
inline int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    const char lower = static_cast<char>(c | 0x20);  // 'A'–'F' to 'a'–'f', nothing else into them
    if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
    return -1;
}
// Crockford base32 (0-9 A-Z without I L O U): upper case, fits a QR code's alphanumeric mode.
constexpr char base32_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
std::string to_base32(const std::uint8_t* bytes, std::size_t n);
int base32_value(char c);  // 0–31 for a character of base32_alphabet; -1 for anything else
// A code as a person typed it, read the way Crockford base32 means: upper case, spaces, tabs
// and dashes dropped, O read as 0 and I, L as 1. Other characters stay for the caller to refuse.
std::string fold_typed_base32(std::string_view typed);
// Compares two strings in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace kopilka::crypto
