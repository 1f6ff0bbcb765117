#include "codec/json_text.hpp"

#include <algorithm>
#include <charconv>

#include "codec/decode.hpp"

namespace kopilka::codec {

JsonText::JsonText(std::size_t reserve, bool replace_invalid) : replace_invalid_(replace_invalid) {
    out_.reserve(reserve);
}

JsonText& JsonText::integer(std::int64_t n) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out_.append(digits, end);
    return *this;
}

// Printable ASCII without quotes or backslashes as it is; anything else through dump() itself.
JsonText& JsonText::string(std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
        return ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\';
    });
    if (plain) return name(s);
    return raw(Json(std::string(s))
                   .dump(-1, ' ', false,
                         replace_invalid_ ? Json::error_handler_t::replace
                                          : Json::error_handler_t::strict));
}

}  // namespace kopilka::codec
