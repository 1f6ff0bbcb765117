#include <doctest/doctest.h>

#include "codec/ledger_json.hpp"
#include "core/ledger/ledger.hpp"

using namespace kopilka;

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
        back.push_back(*d.value);
    }
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
