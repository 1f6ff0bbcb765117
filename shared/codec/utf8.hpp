// UTF-8 validation for bytes that come from outside (request paths, query strings, headers):
// JSON text must be valid UTF-8, so nothing reaches a JSON document before it passes here.
#pragma once

#include <cstddef>
#include <string_view>

namespace kopilka::codec {

// True when text is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). Otherwise false, with *bad_at (if given) the offset of the first byte of
// the first ill-formed sequence.
bool valid_utf8(std::string_view text, std::size_t* bad_at = nullptr);

// True when text holds a control character: U+0000–U+001F, U+007F or U+0080–U+009F (C1, in
// UTF-8 the bytes C2 80 to C2 9F). Identifiers and names never need one; a NUL in particular
// is cut short by some databases and C APIs, so "id\u0000x" could reach the row of "id".
bool has_control_character(std::string_view text);

}  // namespace kopilka::codec
