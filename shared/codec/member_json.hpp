// MemberSnapshot ⇄ JSON: the body of the member lookup answer, cached by kiosks.
#pragma once

#include "codec/decode.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::codec {

Json encode_member(const members::MemberSnapshot& m);
// The answer's text: encode_member(m).dump() as an answer is written (bad UTF-8 replaced),
// byte for byte, without the tree (a lookup built, wrote and freed it: a sixth of its CPU).
std::string member_text(const members::MemberSnapshot& m);
Decoded<members::MemberSnapshot> decode_member(const Json& j, std::string_view path = "member");

}  // namespace kopilka::codec
