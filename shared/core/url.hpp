// A query parameter's value, percent-encoded as RFC 3986 asks: unreserved characters (letters,
// digits, "-", "_", ".", "~") are kept, every other byte becomes %XX.
#pragma once

#include <string>
#include <string_view>

namespace kopilka {

inline std::string url_component(std::string_view value) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : value) {
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace kopilka
