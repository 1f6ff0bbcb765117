#include "codec/ledger_json.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/ledger/ledger.hpp"

using namespace kopilka;

namespace {
// Each swap (from → to) made once in text: read_text refuses the result and names the field
// the DOM's decode names (when the text still parses). The swap from `dom_decides` leaves a
// text the DOM may accept: read_text then answers as the DOM does.
template <class ReadText, class DecodeDom>
void check_swaps(const std::string& text,
                 const std::vector<std::pair<std::string, std::string>>& swaps, ReadText read_text,
                 DecodeDom decode_dom, const std::string& dom_decides = "") {
    for (const auto& swap : swaps) {  // no structured binding: clang 14 can't capture one
        const std::string &from = swap.first, &to = swap.second;
        CAPTURE(from);
        std::string bad = text;
        REQUIRE(bad.find(from) != std::string::npos);
        bad.replace(bad.find(from), from.size(), to);
        const auto read = read_text(bad);
        codec::DecodeError e;
        const auto dom = codec::parse_json(bad, &e);
        if (from == dom_decides) {
            CHECK(read.ok() == (dom && decode_dom(*dom).ok()));
            continue;
        }
        CHECK_FALSE(read.ok());
        if (dom) CHECK(read.error.field == decode_dom(*dom).error.field);
    }
}
}  // namespace

TEST_CASE("ledger entries survive JSON exactly: a restored ledger equals the original") {
    ledger::Ledger l;
    auto id = [](std::uint64_t n) { return ledger::EntryId{0, n}; };
    const std::int64_t t = 1767225600000;
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Earn{id(1), 500, 0, t + 1000000, ledger::Reason::earn, "bonus", "r1"}, t)
            .status));
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Reserve{id(2), 300, t + 5000, "reward:coffee"}, t + 1).status));
    REQUIRE(
        ledger::status_succeeded(l.apply(ledger::Redeem{id(3), 100, "bonus", "r2"}, t + 2).status));
    l.advance(t + 10000);  // the hold runs out: an automatic release
    std::vector<ledger::Entry> back;
    for (const auto& e : l.entries()) {
        const auto d = codec::decode_entry(codec::encode_entry(e));
        REQUIRE_MESSAGE(d.ok(), d.error.message);
        CHECK(codec::encode_entry(*d.value) == codec::encode_entry(e));
        CHECK(codec::entry_text(e) == codec::encode_entry(e).dump());
        ledger::Entry noted = e;  // what a merchant types, as the DOM escapes it
        noted.note = "Чек \"№5\" \\ 100 €";
        CHECK(codec::entry_text(noted) == codec::encode_entry(noted).dump());
        back.push_back(*d.value);
    }
    CHECK(std::any_of(l.entries().begin(), l.entries().end(),
                      [](const ledger::Entry& e) { return !e.reservation.is_zero(); }));
    CHECK(l.entries().size() == 4);
    const auto restored = ledger::restore(back);
    REQUIRE(restored.status == ledger::EntryStatus::ok);
    CHECK(restored.ledger.snapshot().available == l.snapshot().available);
}

TEST_CASE("bad stored entries are refused with the field") {
    auto j = codec::encode_entry(ledger::Entry{});
    j["id"] = "xyz";
    CHECK(codec::decode_entry(j).error.field == "entry.id");
    j = codec::encode_entry(ledger::Entry{});
    j["reason"] = "gift";
    CHECK(codec::decode_entry(j).error.field == "entry.reason");
}

TEST_CASE("checkpoints keep batches as arrays, read those stored as objects, refuse bad rows") {
    ledger::Ledger l;
    const std::int64_t t = 1767225600000;
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Earn{ledger::EntryId{0, 1}, 500, t + 60000, t + 1000000,
                             ledger::Reason::bonus, "welcome", "r1"},
                t)
            .status));
    const ledger::Checkpoint c = l.checkpoint();
    const codec::Json j = codec::encode_checkpoint(c);
    REQUIRE(j["batches"].size() == 1);
    CHECK(j["batches"][0] == codec::Json::parse(R"(["00000000000000000000000000000001", "bonus",
        "r1", 500, 500, 0, 1767225660000, 1767226600000, false])"));
    const auto same = codec::decode_checkpoint(j);
    REQUIRE_MESSAGE(same.ok(), same.error.message);
    CHECK(codec::encode_checkpoint(*same.value) == j);

    // As a server before arrays stored it (format 1): the same checkpoint.
    codec::Json old = j;
    old["batches"][0] = {{"id", "00000000000000000000000000000001"},
                         {"reason", "bonus"},
                         {"receipt_id", "r1"},
                         {"points", 500},
                         {"free", 500},
                         {"held", 0},
                         {"available_at_ms", t + 60000},
                         {"expires_at_ms", t + 1000000},
                         {"expired", false}};
    const auto from_old = codec::decode_checkpoint(old);
    REQUIRE_MESSAGE(from_old.ok(), from_old.error.message);
    CHECK(codec::encode_checkpoint(*from_old.value) == j);

    for (const char* bad : {R"(["00000000000000000000000000000001", "bonus", "r1", 500, 500, 0,
                                1767225660000, 1767226600000])",
                            R"(["xyz", "bonus", "r1", 500, 500, 0, 1, 2, false])",
                            R"(["00000000000000000000000000000001", "gift", "r1", 5, 5, 0, 1, 2,
                                false])",
                            R"(["00000000000000000000000000000001", "bonus", "r1", -5, 5, 0, 1,
                                2, false])"}) {
        codec::Json broken = j;
        broken["batches"][0] = codec::Json::parse(bad);
        const auto d = codec::decode_checkpoint(broken);
        CHECK(d.error.field == "checkpoint.batches[0]");
        CHECK(d.error.message.find("[id, reason, receipt_id, points") != std::string::npos);
    }
}

TEST_CASE("checkpoint_text writes what the DOM would, whatever the receipt ids hold") {
    ledger::Ledger l;
    const std::int64_t t = 1767225600000;
    const std::string ids[] = {
        "", "R-1", "quote \" and back\\slash", "tab\tnewline\n\x01", "Чек №5 — 100 €", "del\x7f"};
    std::uint64_t n = 0;
    for (const std::string& receipt : ids) {
        ++n;
        REQUIRE(ledger::status_succeeded(
            l.apply(ledger::Earn{ledger::EntryId{0, n}, 100 + static_cast<std::int64_t>(n),
                                 n % 2 ? 0 : t + 60000, t + 1000000, ledger::Reason::earn, "bonus",
                                 receipt},
                    t)
                .status));
    }
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Reserve{ledger::EntryId{0, 99}, 50, t + 5000, "reward:coffee"}, t + 1)
            .status));
    const ledger::Checkpoint c = l.checkpoint();
    REQUIRE(c.batches.size() == std::size(ids));
    const std::string text = codec::checkpoint_text(c);
    CHECK(text == codec::encode_checkpoint(c).dump());
    CHECK(codec::checkpoint_text(ledger::Checkpoint{}) ==
          codec::encode_checkpoint(ledger::Checkpoint{}).dump());

    // Read back: straight from the text, or through the DOM when it is not as written (ids with
    // escapes, spaces, objects of format 1), the same checkpoint; a bad row the same error.
    const auto read = codec::checkpoint_from_text(text);
    REQUIRE_MESSAGE(read.ok(), read.error.message);
    CHECK(codec::checkpoint_text(*read.value) == text);
    const auto spaced = codec::checkpoint_from_text(codec::encode_checkpoint(c).dump(2));
    REQUIRE_MESSAGE(spaced.ok(), spaced.error.message);
    CHECK(codec::checkpoint_text(*spaced.value) == text);
    ledger::Checkpoint plain = c;
    plain.batches.erase(plain.batches.begin() + 2, plain.batches.begin() + 4);  // the escapes
    const std::string plain_text = codec::checkpoint_text(plain);
    const auto fast = codec::checkpoint_from_text(plain_text);
    REQUIRE_MESSAGE(fast.ok(), fast.error.message);
    CHECK(codec::checkpoint_text(*fast.value) == plain_text);
    check_swaps(
        plain_text,
        {{",105,105,", ",-105,105,"},
         {",105,105,", ",0105,105,"},
         {"\"earn\"", "\"gift\""},
         {",false]", ",0]"},
         {"[\"00000000", "[\"x0000000"},
         {"\"entries\":", "\"entries\":-"},
         {"\"reason\":\"earn\"", "\"reason\":\"gift\""},
         {"\"state\":\"open\"", "\"state\":\"opem\""},
         {"\"held\":", "\"held\":-"},
         {"\"operations\":", "\"operations\":\"1\","}},
        [](const std::string& t) { return codec::checkpoint_from_text(t); },
        [](const codec::Json& j) { return codec::decode_checkpoint(j); });
    CHECK(codec::checkpoint_from_text("{\"balances\":{").error.code == "malformed_json");

    // Rules, negative balances and reservations beside the batches: the same text as the DOM
    // writes, read back the same whether the rest needs escapes (through the DOM) or not.
    for (const std::string rule : {"Приветственный \"бонус\"", "a\\b", "welcome"}) {
        CAPTURE(rule);
        ledger::Checkpoint other = plain;
        for (auto& h : other.history) h.rule = rule;
        for (auto& v : other.reservations) v.rule = rule;
        other.balances[0] = -42;
        const std::string other_text = codec::checkpoint_text(other);
        CHECK(other_text == codec::encode_checkpoint(other).dump());
        const auto back = codec::checkpoint_from_text(other_text);
        REQUIRE_MESSAGE(back.ok(), back.error.message);
        CHECK(codec::encode_checkpoint(*back.value) == codec::encode_checkpoint(other));
    }
}

TEST_CASE("points_from_text reads the stored snapshot straight from the text, as the DOM would") {
    ledger::Ledger l;
    const std::int64_t t = 1767225600000;
    REQUIRE(
        ledger::status_succeeded(l.apply(ledger::Earn{ledger::EntryId{0, 1}, 500, 0, t + 1000000,
                                                      ledger::Reason::earn, "bonus", "r1"},
                                         t)
                                     .status));
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Earn{ledger::EntryId{0, 2}, 70, t + 60000, t + 2000000,
                             ledger::Reason::bonus, "Приветственный \"бонус\"", "r2"},
                t)
            .status));
    REQUIRE(ledger::status_succeeded(
        l.apply(ledger::Redeem{ledger::EntryId{0, 3}, 300, "bonus", "r3"}, t + 1).status));
    const ledger::Snapshot s = l.snapshot();
    REQUIRE(s.debt == 0);
    const auto same = [](const ledger::Snapshot& a, const ledger::Snapshot& b) {
        return codec::encode_points(a) == codec::encode_points(b);
    };
    // The rule with quotes needs escapes: through the DOM; without them, straight.
    for (const std::string rule : {"Приветственный \"бонус\"", "welcome"}) {
        ledger::Snapshot with = s;
        for (auto& h : with.history)
            if (h.reason == ledger::Reason::bonus) h.rule = rule;
        const std::string text = codec::encode_points(with).dump();
        CHECK(codec::points_text(with) == text);
        const auto read = codec::points_from_text(text);
        REQUIRE_MESSAGE(read.ok(), read.error.message);
        CHECK(same(*read.value, with));
        const auto spaced = codec::points_from_text(codec::encode_points(with).dump(1));
        REQUIRE_MESSAGE(spaced.ok(), spaced.error.message);
        CHECK(same(*spaced.value, with));
    }
    ledger::Snapshot plain = s;
    for (auto& h : plain.history) h.rule = "welcome";
    const std::string text = codec::encode_points(plain).dump();
    // "available":-…: still a number, read through the DOM, which decides.
    check_swaps(
        text,
        {{"\"available\":", "\"available\":-"},
         {"\"reason\":\"redeem\"", "\"reason\":\"gift\""},
         {"\"pending\":false", "\"pending\":0"},
         {"\"reserved\":0", "\"reserved\":00"},
         {"\"id\":\"0", "\"id\":\"x"}},
        [](const std::string& t) { return codec::points_from_text(t); },
        [](const codec::Json& j) { return codec::decode_points(j); }, "\"available\":");
}
