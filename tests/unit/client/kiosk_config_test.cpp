#include <doctest/doctest.h>

#include "client/kiosk_config.hpp"
#include "client/kiosk_view.hpp"

using namespace kopilka;
using namespace kopilka::client;

namespace {
using codec::Json;

// A square of n rows of '0'/'1' (a checkerboard), as the server's "qr_modules".
Json square(std::size_t n) {
    Json rows = Json::array();
    for (std::size_t y = 0; y < n; ++y) {
        std::string row;
        for (std::size_t x = 0; x < n; ++x) row += (x + y) % 2 ? '1' : '0';
        rows.push_back(row);
    }
    return rows;
}

Json coupon_answer(Json qr_modules) {
    return {{"operation_id", std::string(32, 'a')},
            {"coupon",
             {{"code", "KC-AAAA-BBBB-CCCC-DD"},
              {"qr", "KC-AAAA-BBBB-CCCC-DD"},
              {"qr_modules", std::move(qr_modules)},
              {"reward", {{"name", "Coffee"}}},
              {"expires_at_ms", 1}}}};
}
}  // namespace

TEST_CASE("qr_modules: a square of 0 and 1 up to 177 rows decodes row by row") {
    auto d = decode_qr_modules(square(21), "coupon.qr_modules");
    REQUIRE(d.ok());
    REQUIRE(d.value->size() == 21);
    CHECK((*d.value)[0] == "010101010101010101010");
    CHECK((*d.value)[1] == "101010101010101010101");
    CHECK(decode_qr_modules(square(177), "q").ok());
    CHECK(decode_qr_modules(Json::array(), "q").ok());  // nothing drawn, the code's text remains
}

TEST_CASE(
    "qr_modules: not square, too big, other characters or types are refused, naming the row") {
    auto d = decode_qr_modules(square(178), "coupon.qr_modules");
    CHECK(d.error.code == "out_of_range");
    CHECK(d.error.field == "coupon.qr_modules");

    Json rows = square(21);
    rows[3] = rows[3].get<std::string>().substr(1);  // 20 modules in a 21-row code
    d = decode_qr_modules(rows, "coupon.qr_modules");
    CHECK(d.error.code == "invalid_value");
    CHECK(d.error.field == "coupon.qr_modules[3]");

    rows = square(21);
    rows.push_back(rows[0]);  // 22 rows of 21
    CHECK(decode_qr_modules(rows, "q").error.field == "q[0]");

    rows = square(21);
    std::string row = rows[5].get<std::string>();
    row[7] = '#';
    rows[5] = row;
    d = decode_qr_modules(rows, "q");
    CHECK(d.error.code == "invalid_value");
    CHECK(d.error.field == "q[5]");
    CHECK(d.error.message.find("only 0 and 1") != std::string::npos);

    rows = square(21);
    rows[2] = 7;
    CHECK(decode_qr_modules(rows, "q").error.code == "wrong_type");
    CHECK(decode_qr_modules("0101", "q").error.code == "wrong_type");
    CHECK_FALSE(decode_qr_modules(square(21), "q").value->empty());
}

TEST_CASE("a coupon answer carries its QR; a malformed matrix is dropped but the coupon stays") {
    auto a = decode_operation_answer(coupon_answer(square(25)));
    REQUIRE(a.ok());
    REQUIRE(a.value->coupon);
    CHECK(a.value->coupon->code == "KC-AAAA-BBBB-CCCC-DD");
    CHECK(a.value->coupon->qr_modules.size() == 25);

    Json bad = square(25);
    bad[0] = "0120";
    a = decode_operation_answer(coupon_answer(bad));
    REQUIRE(a.ok());
    REQUIRE(a.value->coupon);
    CHECK(a.value->coupon->code == "KC-AAAA-BBBB-CCCC-DD");
    CHECK(a.value->coupon->qr_modules.empty());

    Json old = coupon_answer(square(21));
    old["coupon"].erase("qr_modules");  // an older server
    a = decode_operation_answer(old);
    REQUIRE(a.ok());
    CHECK(a.value->coupon->qr_modules.empty());
}

TEST_CASE("the coupon screen and a coupon prize hand the QR to the drawing") {
    KioskState s;
    s.screen = Screen::coupon;
    s.coupon = CouponView{"KC-AAAA-BBBB-CCCC-DD", "Coffee", 0, {"111", "101", "111"}};
    KioskView v = compose_kiosk_view(s, {}, {});
    CHECK(v.code == "KC-AAAA-BBBB-CCCC-DD");
    CHECK(v.qr_modules == std::vector<std::string>{"111", "101", "111"});

    s.screen = Screen::spin;
    s.coupon.reset();
    s.spin = SpinView{};
    s.spin->phase = SpinView::Phase::result;
    s.spin->prize = PrizeView{1, "cake", "Cake", "coupon", 0};
    s.spin->coupon = CouponView{"KC-EEEE-FFFF-GGGG-HH", "Cake", 0, {"1"}};
    v = compose_kiosk_view(s, {}, {});
    CHECK(v.code == "KC-EEEE-FFFF-GGGG-HH");
    CHECK(v.qr_modules == std::vector<std::string>{"1"});
    s.spin->phase = SpinView::Phase::turning;  // not before the wheel stops
    CHECK(compose_kiosk_view(s, {}, {}).qr_modules.empty());
}
