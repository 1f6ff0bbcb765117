#include "codec/utf8.hpp"

namespace kopilka::codec {

namespace {
// The length of the well-formed sequence starting at text[i], or 0 if there is none
// (Unicode 15, table 3-7: the second byte's range depends on the first byte).
std::size_t sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
    else if (b0 == 0xE0) n = 3, lo = 0xA0;
    else if (b0 == 0xED) n = 3, hi = 0x9F;  // no surrogates
    else if (b0 >= 0xE1 && b0 <= 0xEF) n = 3;
    else if (b0 == 0xF0) n = 4, lo = 0x90;
    else if (b0 == 0xF4) n = 4, hi = 0x8F;  // nothing above U+10FFFF
    else if (b0 >= 0xF1 && b0 <= 0xF3) n = 4;
    else return 0;
    if (text.size() - i < n) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}
}  // namespace

bool valid_utf8(std::string_view text, std::size_t* bad_at) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = sequence_length(text, i);
        if (n == 0) {
            if (bad_at) *bad_at = i;
            return false;
        }
        i += n;
    }
    return true;
}

bool has_control_character(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x20 || b == 0x7F) return true;
        // U+0080–U+009F are encoded C2 80 … C2 9F.
        if (b == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F &&
            static_cast<unsigned char>(text[i + 1]) >= 0x80)
            return true;
    }
    return false;
}

}  // namespace kopilka::codec
