#include <doctest/doctest.h>

#include "core/cards/card_code.hpp"

using namespace kopilka::cards;

TEST_CASE("EAN-13 check digits") {
    CHECK(ean13_check_digit("400638133393") == '1');
    CHECK(ean13_valid("4006381333931"));
    CHECK_FALSE(ean13_valid("4006381333932"));
    CHECK_FALSE(ean13_valid("400638133393"));
    CHECK(ean13_check_digit("200000000001") == '5');
}

TEST_CASE("scanner junk around a code is trimmed; every kind is recognised") {
    auto r = parse_card_text("  4006381333931\r\n");
    REQUIRE(r.status == ParseStatus::ok);
    CHECK(r.code.kind == CodeKind::ean13);
    CHECK(r.code.number == "4006381333931");

    r = parse_card_text("KP-0042");
    REQUIRE(r.status == ParseStatus::ok);
    CHECK(r.code.kind == CodeKind::code128);

    r = parse_card_text("+371 2000000");  // spaces inside a phone are not allowed
    CHECK(r.status == ParseStatus::bad_characters);
    r = parse_card_text("+37120000000");
    REQUIRE(r.status == ParseStatus::ok);
    CHECK(r.code.kind == CodeKind::phone);
    CHECK(canonical_text(r.code) == "+37120000000");
}

TEST_CASE("bad codes get a precise status") {
    CHECK(parse_card_text("").status == ParseStatus::empty);
    CHECK(parse_card_text(" \t\n").status == ParseStatus::empty);
    CHECK(parse_card_text("4006381333932").status == ParseStatus::bad_check_digit);
    CHECK(parse_card_text("hello world").status == ParseStatus::bad_characters);
    CHECK(parse_card_text("123").status == ParseStatus::bad_characters);
    CHECK(parse_card_text(std::string(200, '1')).status == ParseStatus::too_long);
    CHECK(parse_card_text("K1:DEMO:123").status == ParseStatus::bad_qr_payload);
    CHECK(parse_card_text("K1:DEMO:123:SHORT").status == ParseStatus::bad_qr_payload);
    CHECK(parse_card_text("K1:DEMO:123:0123456789ABCDEF:X").status == ParseStatus::bad_qr_payload);
    CHECK(parse_card_text("K1:demo:123:0123456789ABCDEF").status == ParseStatus::bad_qr_payload);
    CHECK(parse_status_name(ParseStatus::bad_check_digit) == "bad_check_digit");
}

TEST_CASE("QR card payloads carry a MAC bound to merchant, number and secret") {
    const std::string payload = qr_card_payload("DEMO", "2000000000015", "s3cret");
    auto r = parse_card_text(payload);
    REQUIRE(r.status == ParseStatus::ok);
    CHECK(r.code.kind == CodeKind::qr_card);
    CHECK(r.code.merchant == "DEMO");
    CHECK(r.code.number == "2000000000015");
    CHECK(r.code.mac.size() == 16);
    CHECK(canonical_text(r.code) == payload);
    CHECK(qr_card_mac_valid(r.code, "s3cret"));
    CHECK_FALSE(qr_card_mac_valid(r.code, "other"));

    CardCode forged = r.code;
    forged.number = "2000000000022";  // the next card: a guessed number fails the MAC
    CHECK_FALSE(qr_card_mac_valid(forged, "s3cret"));
    // fits a QR code's alphanumeric mode: upper case, digits and ':' only
    for (char c : payload) CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ':'));
}
