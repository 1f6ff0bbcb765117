#include <doctest/doctest.h>

#include "core/cards/coupon_code.hpp"

using namespace kopilka::cards;

TEST_CASE("coupon codes: derived from secret and reservation, typed back forgivingly") {
    const std::string code = coupon_code("s3cret", "0123456789abcdef0123456789abcdef");
    CHECK(code.size() == std::string("KC-XXXX-XXXX-XXXX-CC").size());
    CHECK(code.rfind("KC-", 0) == 0);
    CHECK(code == coupon_code("s3cret", "0123456789abcdef0123456789abcdef"));
    CHECK(code != coupon_code("other", "0123456789abcdef0123456789abcdef"));
    CHECK(code != coupon_code("s3cret", "0123456789abcdef0123456789abcdee"));

    std::string canonical;
    REQUIRE(parse_coupon_code(code, &canonical) == CouponStatus::ok);
    CHECK(canonical == code);
    std::string sloppy;  // lower case, no dashes, spaces
    for (char c : code)
        if (c != '-') sloppy += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    sloppy.insert(4, " ");
    REQUIRE(parse_coupon_code(sloppy, &canonical) == CouponStatus::ok);
    CHECK(canonical == code);
}

TEST_CASE("coupon codes: any single mistyped character or swapped neighbours is caught") {
    // Every substitution, including 0 ↔ Z (values 0 and 31), in 200 different codes.
    for (int n = 0; n < 200; ++n) {
    const std::string code = coupon_code("k", "r" + std::to_string(n));
    const std::string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    std::string canonical;
    int caught = 0, tried = 0;
    for (std::size_t i = 3; i < code.size(); ++i) {
        if (code[i] == '-') continue;
        for (char c : alphabet) {
            if (c == code[i]) continue;
            std::string typo = code;
            typo[i] = c;
            ++tried;
            caught += parse_coupon_code(typo, &canonical) != CouponStatus::ok;
        }
        std::size_t j = i + 1;
        if (j < code.size() && code[j] == '-') ++j;
        if (j < code.size() && code[j] != code[i]) {
            std::string swapped = code;
            std::swap(swapped[i], swapped[j]);
            ++tried;
            caught += parse_coupon_code(swapped, &canonical) != CouponStatus::ok;
        }
    }
    REQUIRE(caught == tried);
    }
    std::string canonical;
    CHECK(parse_coupon_code("KC-1234", &canonical) == CouponStatus::bad_format);
    CHECK(parse_coupon_code("XX-0000-0000-0000-00", &canonical) == CouponStatus::bad_format);
    CHECK(parse_coupon_code("KC-UUUU-0000-0000-00", &canonical) == CouponStatus::bad_format);
}
