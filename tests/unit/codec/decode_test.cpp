// The one JSON parser of every request body and the field readers: repeated keys at any
// depth, control characters in strings and keys, extreme numbers. Compiled to wasm too.
#include "codec/decode.hpp"

#include <doctest/doctest.h>

#include <climits>
#include <string>

#include "codec/object_reader.hpp"
#include "codec/quote_json.hpp"

using namespace kopilka;
using codec::Json;

namespace {
codec::DecodeError parse_error(const std::string& text) {
    codec::DecodeError e;
    const auto j = codec::parse_json(text, &e);
    CHECK_FALSE(j.has_value());
    return e;
}

// A receipt with one line, as the till sends it.
Json one_line(Json line) {
    return Json{{"id", "R-1"}, {"lines", Json::array({std::move(line)})}};
}
}  // namespace

TEST_CASE("parse_json refuses a repeated key at any depth, naming its path") {
    struct Case {
        const char* text;
        const char* field;
    };
    const Case cases[] = {
        {R"({"redeem_points":0,"receipt":{},"redeem_points":400})", "redeem_points"},
        {R"({"receipt":{"id":"a","lines":[],"id":"b"}})", "receipt.id"},
        {R"({"receipt":{"lines":[{"sku":"a"},{"sku":"b","unit_price":1,"unit_price":2}]}})",
         "receipt.lines[1].unit_price"},
        {R"({"a":[1,[2,{"x":1}],{"y":{"z":1,"z":2}}]})", "a[2].y.z"},
        {R"([{"k":1},{"k":1,"k":1}])", "[1].k"},
        {R"({"a":{"b":1,"c":[{}]},"c":2,"a":3})", "a"},  // after a whole nested object
        {R"({"x":{"y":1,"y":1,"y":1}})", "x.y"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const codec::DecodeError e = parse_error(c.text);
        CHECK(e.code == "duplicate_key");
        CHECK(e.field == c.field);
        CHECK(e.message.find(c.field) != std::string::npos);
    }
    // The same key in different objects is fine, and so is every other document.
    codec::DecodeError e;
    CHECK(codec::parse_json(R"({"id":1,"a":{"id":2},"b":[{"id":3},{"id":4}]})", &e).has_value());
    CHECK(codec::parse_json(R"([1,"x",null,{},[]])", &e).has_value());
    CHECK(codec::parse_json("7", &e).has_value());
    CHECK(parse_error(R"({"a":1,)").code == "malformed_json");
}

TEST_CASE("control characters: refused in every string a reader takes and in keys") {
    CHECK(codec::has_control_character(std::string("t-bad\0x", 7)));
    CHECK(codec::has_control_character("a\tb"));
    CHECK(codec::has_control_character("a\x7F"));
    CHECK(codec::has_control_character("a\xC2\x80"));       // U+0080
    CHECK(codec::has_control_character("\xC2\x9F"));        // U+009F
    CHECK_FALSE(codec::has_control_character("\xC2\xA0"));  // U+00A0, a no-break space
    CHECK_FALSE(codec::has_control_character("Анна Ōsaka €"));
    CHECK_FALSE(codec::has_control_character(""));

    // As a JSON escape, the way a request carries them.
    for (const char* escaped : {"\\u0000", "\\u001f", "\\n", "\\u007f", "\\u0085", "\\u009f"}) {
        CAPTURE(escaped);
        codec::DecodeError e;
        const auto j = codec::parse_json(std::string(R"({"id":"t-bad)") + escaped + R"(x"})", &e);
        REQUIRE(j.has_value());
        std::string id;
        codec::ObjectReader r(*j, "member", &e);
        r.text("id", &id);
        CHECK(e.code == "invalid_value");
        CHECK(e.field == "member.id");
        CHECK(id.empty());
        e = {};
        CHECK_FALSE(codec::read_text(*j, "", "id", &id, &e));
        CHECK(e.field == "id");
        // Raw input that a parser of its own checks (a scanned card code) keeps them.
        e = {};
        CHECK(codec::read_string(*j, "", "id", &id, &e));
        // In a key: refused by the parser itself.
        CHECK(
            parse_error(std::string(R"({"a":{"k)") + escaped + R"(":1}})").field.rfind("a.k", 0) ==
            0);
    }
    // Lists of words (categories, SKUs) too.
    codec::DecodeError e;
    const Json list = {{"skus", Json::array({"ok", std::string("b\0d", 3)})}};
    std::vector<std::string> skus;
    codec::ObjectReader r(list, "", &e);
    r.optional_texts("skus", &skus, 10);
    CHECK(e.field == "skus[1]");
}

TEST_CASE("receipts: NUL in ids and SKUs, and extreme numbers, are refused naming the field") {
    auto error_of = [](const Json& j) { return codec::decode_receipt(j).error; };
    Json r = one_line({{"sku", "coat"}, {"unit_price", 100}});
    REQUIRE(codec::decode_receipt(r).ok());
    r["id"] = std::string("R\0-1", 4);
    CHECK(error_of(r).field == "id");
    CHECK(error_of(one_line({{"sku", std::string("co\0at", 5)}, {"unit_price", 1}})).field ==
          "lines[0].sku");
    CHECK(error_of(one_line({{"sku", "c"}, {"category", "a\x1b"}, {"unit_price", 1}})).field ==
          "lines[0].category");

    const std::int64_t gross_max = quote::receipt_gross_max;
    CHECK(codec::decode_receipt(one_line({{"sku", "c"}, {"unit_price", gross_max}})).ok());
    CHECK(error_of(one_line({{"sku", "c"}, {"unit_price", gross_max + 1}})).field ==
          "lines[0].unit_price");
    CHECK(error_of(one_line({{"sku", "c"}, {"unit_price", INT64_MAX}})).field ==
          "lines[0].unit_price");
    CHECK(error_of(one_line({{"sku", "c"}, {"unit_price", UINT64_MAX}})).field ==
          "lines[0].unit_price");
    CHECK(error_of(one_line({{"sku", "c"}, {"unit_price", -1}})).field == "lines[0].unit_price");
    CHECK(error_of(one_line({{"sku", "c"}, {"unit_price", 1}, {"quantity", INT64_MAX}})).field ==
          "lines[0].quantity");
    codec::DecodeError e =
        error_of(one_line({{"sku", "c"}, {"unit_price", gross_max}, {"quantity", 2}}));
    CHECK(e.code == "out_of_range");
    CHECK(e.field == "lines[0].quantity");
    // Lines each within the limit whose sum is not: the line that takes it over is named.
    r = one_line({{"sku", "c"}, {"unit_price", gross_max}});
    r["lines"].push_back({{"sku", "d"}, {"unit_price", 1}});
    e = error_of(r);
    CHECK(e.field == "lines[1]");
    CHECK(e.message.find("receipt's gross") != std::string::npos);
}

TEST_CASE("quote_text writes what the quote's tree would, byte for byte") {
    program::Program p;
    p.id = "text";
    p.currency = money::Currency::EUR;
    quote::Quote q;
    CHECK(codec::quote_text(q, p) == codec::encode_quote(q, p).dump());  // nothing in it
    quote::LineResult line;
    line.gross = 25000;
    line.discount = 1250;
    line.discount_rule = "flat_discount";
    line.paid = 23750;
    line.points = -3;  // not a quote's, but any integer is written alike
    line.stamps = {{"coffee \"card\"", 2}, {"кофе", 1}};
    line.tier_qualifying = 23750;
    q.lines = {line, quote::LineResult{}};
    q.gross = 25000;
    q.paid = 23750;
    q.points_earned = 237;
    q.points_pending = true;
    q.points_available_at_ms = 1795000000000;
    q.points_expire_at_ms = INT64_MAX / 4;
    q.stamps = {{"coffee \"card\"", {3, 2, 0, 5}}, {"b\\slash", {9, 1, 1, 0}}};
    q.referral_invitee_bonus = 100;
    quote::Explanation e("bonus", "quote.bonus");
    e.args.push_back({"reward", quote::Explanation::ArgKind::text, 0, "Торт \"Наполеон\"\n"});
    e.args.push_back({"points", quote::Explanation::ArgKind::points, 237, ""});
    e.args.push_back({"points", quote::Explanation::ArgKind::count, 5, ""});  // the last counts
    q.explanations = {e, quote::Explanation("tiers", "quote.tier")};
    CHECK(codec::quote_text(q, p) == codec::encode_quote(q, p).dump());
    p.tiers = program::Tiers{};
    p.tiers->levels = {{"base", "Base"}, {"gold \"G\"", "Gold"}};
    q.tier_before = 0;
    q.tier_after = 1;
    q.tier_progress_after.next = -1;
    q.tier_progress_after.progress_permille = 1000;
    CHECK(codec::quote_text(q, p) == codec::encode_quote(q, p).dump());
    q.tier_after = 0;
    q.tier_progress_after = {0, 1, 500, 1500, 250};
    CHECK(codec::quote_text(q, p) == codec::encode_quote(q, p).dump());
    CHECK(Json::parse(codec::quote_text(q, p)) == codec::encode_quote(q, p));
    q.status = quote::QuoteStatus::invalid_receipt;  // refused: the error, as the tree writes it
    q.field = "lines[0].unit_price";
    CHECK(codec::quote_text(q, p) == codec::encode_quote(q, p).dump());
}
