// MemberSnapshot ⇄ JSON: the body of the member lookup answer, cached by kiosks.
#pragma once

#include "codec/decode.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::codec {

Json encode_member(const members::MemberSnapshot& m);
Decoded<members::MemberSnapshot> decode_member(const Json& j, std::string_view path = "member");

}  // namespace kopilka::codec
