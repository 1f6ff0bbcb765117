// The codec tests' round trip: decodes what encode wrote and checks that encoding it again
// gives the same JSON; returns the decoded value for further checks.
#pragma once

#include <utility>

#include <doctest/doctest.h>

#include "codec/decode.hpp"

template <class T, class Encode, class Decode>
T round_trip(const T& value, Encode encode, Decode decode) {
    const kopilka::codec::Json first = encode(value);
    auto back = decode(first);
    REQUIRE(back.ok());
    CHECK(encode(*back.value) == first);
    return std::move(*back.value);
}
