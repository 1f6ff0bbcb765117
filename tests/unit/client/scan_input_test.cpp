#include <doctest/doctest.h>

#include "client/scan_input.hpp"

using namespace kopilka::client;

namespace {
// Types text with a fixed gap between keys, starting at t.
std::int64_t type(WedgeDetector& w, const std::string& text, std::int64_t t, std::int64_t gap) {
    for (char c : text) {
        w.key(c, t);
        t += gap;
    }
    return t;
}
}  // namespace

TEST_CASE("a scanner's fast burst ending in Enter is a scan") {
    WedgeDetector w;
    const std::int64_t t = type(w, "4006381333931", 1000, 8);
    const auto text = w.enter(t);
    REQUIRE(text.has_value());
    CHECK(*text == "4006381333931");
    CHECK_FALSE(w.in_burst());
}

TEST_CASE("a person typing is not a scan") {
    WedgeDetector w;
    const std::int64_t t = type(w, "4006381333931", 1000, 180);
    CHECK_FALSE(w.enter(t).has_value());
}

TEST_CASE("keys typed by hand before a burst do not pollute it") {
    WedgeDetector w;
    std::int64_t t = type(w, "ab", 0, 300);
    t = type(w, "KP-0042-77", t + 400, 10);
    const auto text = w.enter(t);
    REQUIRE(text.has_value());
    CHECK(*text == "KP-0042-77");
}

TEST_CASE("a slow Enter after a fast burst, and short bursts, are refused") {
    WedgeDetector w;
    std::int64_t t = type(w, "4006381333931", 0, 5);
    CHECK_FALSE(w.enter(t + 500).has_value());
    t = type(w, "12", 2000, 5);
    CHECK_FALSE(w.enter(t).has_value());
}

TEST_CASE("a burst without Enter ends by silence") {
    WedgeDetector w;
    const std::int64_t t = type(w, "4006381333931", 0, 5);
    CHECK_FALSE(w.poll(t + 10).has_value());
    const auto text = w.poll(t + 200);
    REQUIRE(text.has_value());
    CHECK(*text == "4006381333931");
}

TEST_CASE("the keypad takes digits and a leading plus only") {
    KeypadBuffer k;
    CHECK(k.press('+'));
    CHECK(k.press('3'));
    CHECK_FALSE(k.press('+'));
    CHECK_FALSE(k.press('a'));
    k.backspace();
    CHECK(k.text == "+");
    for (int i = 0; i < 30; ++i) k.press('1');
    CHECK(k.text.size() == KeypadBuffer::digits_max);
    CHECK(scan_source_from_name("wedge") == ScanSource::wedge);
    CHECK_FALSE(scan_source_from_name("nfc").has_value());
}

TEST_CASE(
    "a scanner's burst survives one key held back by a busy page, not a person's steady typing") {
    WedgeDetector w;
    std::int64_t t = type(w, "200000", 1000, 5);
    t = type(w, "0000039", t + 70, 5);  // one gap of 75 ms: the page was drawing a frame
    auto text = w.enter(t);
    REQUIRE(text.has_value());
    CHECK(*text == "2000000000039");

    t = type(w, "2000000000039", 5000, 60);  // a very fast typist: every gap is slow
    CHECK_FALSE(w.enter(t).has_value());

    t = type(w, "2000", 9000, 5);  // three held-back keys in one short burst are too many
    t = type(w, "00", t + 80, 5);
    t = type(w, "000", t + 80, 5);
    t = type(w, "0039", t + 80, 5);
    CHECK_FALSE(w.enter(t).has_value());
}
