// Runs the table-driven scenario files in tests/scenarios/*.json: each file holds a program
// and cases (member + receipt → expected quote, optionally a return → expected clawback),
// or programs that must be refused with the named field. Expected values were worked out
// by hand; the expectation is a subset of the actual JSON (objects compared key by key).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "codec/catalogue_json.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"
#include "../unit/test_assets.hpp"

using namespace kopilka;
using codec::Json;

namespace {

const char* const kFiles[] = {
    "flat_discount", "discount_ladder", "bonus_points", "stamps", "tiers", "vip", "cashback",
    "referral", "segments", "returns", "invalid_programs",
};

Json load(const std::string& name) {
    std::ifstream in(std::string(KOPILKA_SCENARIOS_DIR) + "/" + name + ".json", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return Json::parse(s.str(), nullptr, false);
}

// Every key of `want` must be in `got` with an equal value (recursively for objects).
void expect_subset(const Json& want, const Json& got, const std::string& path) {
    if (want.is_object()) {
        REQUIRE_MESSAGE(got.is_object(), path << " is not an object in " << got.dump());
        for (const auto& [k, v] : want.items()) {
            const std::string p = path + "." + k;
            CHECK_MESSAGE(got.contains(k), p << " is missing");
            if (got.contains(k)) expect_subset(v, got[k], p);
        }
        return;
    }
    if (want.is_array() && got.is_array() && want.size() == got.size()) {
        for (std::size_t i = 0; i < want.size(); ++i)
            expect_subset(want[i], got[i], path + "[" + std::to_string(i) + "]");
        return;
    }
    CHECK_MESSAGE(want == got, path << ": expected " << want.dump() << ", got " << got.dump());
}

const i18n::Catalogues& catalogues() {
    static const i18n::Catalogues c = *codec::decode_catalogues(testing::catalogue_texts()).value;
    return c;
}

void run_case(const program::Program& program, const Json& c) {
    const std::string name = c.value("name", "?");
    INFO("case: " << name);
    auto member = codec::decode_member_context(c.value("member", Json::object()));
    REQUIRE_MESSAGE(member.ok(), member.error.message);
    auto receipt = codec::decode_receipt(c.at("receipt"));
    REQUIRE_MESSAGE(receipt.ok(), receipt.error.message);
    quote::QuoteOptions options;
    options.redeem_points = c.value("redeem_points", 0);
    const quote::Quote q = quote::quote_receipt(program, *member.value, *receipt.value, options);
    const Json got = codec::encode_quote(q, program, &catalogues(), i18n::Locale::en);
    expect_subset(c.at("expect"), got, "quote");
    // The text a receipt stores and answers, byte for byte the tree's (no catalogues).
    CHECK(codec::quote_text(q, program) == codec::encode_quote(q, program).dump());
    if (c.contains("texts")) {  // explanation texts that must appear, per locale
        for (const auto& item : c["texts"].items()) {
            const std::string tag = item.key();
            const Json& texts = item.value();
            const Json localised =
                codec::encode_quote(q, program, &catalogues(), *i18n::locale_from_tag(tag));
            for (const auto& t : texts) {
                bool found = false;
                for (const auto& e : localised["explanations"]) found = found || e["text"] == t;
                CHECK_MESSAGE(found, tag << ": no explanation reads " << t.dump() << " in "
                                         << localised["explanations"].dump());
            }
        }
    }
    if (c.contains("returns")) {
        std::vector<std::int64_t> already(receipt.value->lines.size(), 0);
        for (const auto& r : c["returns"]) {
            const auto returned = r.at("returned").get<std::vector<std::int64_t>>();
            const auto result = quote::quote_return(*receipt.value, q, returned, already);
            expect_subset(r.at("expect"), codec::encode_return(result), "return");
            for (std::size_t i = 0; i < already.size() && i < returned.size(); ++i)
                already[i] += returned[i];
        }
    }
}

}  // namespace

TEST_CASE("scenario files: every mechanic, worked by hand") {
    for (const char* file : kFiles) {
        INFO("scenario file: " << std::string(file) << ".json");
        const Json doc = load(file);
        REQUIRE_MESSAGE(!doc.is_discarded(), "cannot read or parse " << file << ".json");
        if (doc.contains("invalid_programs")) {
            for (const auto& bad : doc["invalid_programs"]) {
                INFO("invalid program: " << bad.value("name", "?"));
                const auto p = codec::decode_program(bad.at("program"));
                CHECK_FALSE(p.ok());
                CHECK(p.error.field == bad.at("field").get<std::string>());
                CHECK(p.error.code == bad.at("code").get<std::string>());
                CHECK(p.error.message.find(p.error.field) != std::string::npos);
            }
            continue;
        }
        // A file holds one program with its cases, or "suites" of them.
        const Json suites = doc.contains("suites") ? doc["suites"] : Json::array({doc});
        for (const auto& suite : suites) {
            const auto program = codec::decode_program(suite.at("program"));
            REQUIRE_MESSAGE(program.ok(), program.error.message);
            const auto round_trip = codec::decode_program(codec::encode_program(*program.value));
            CHECK(round_trip.ok());
            for (const auto& c : suite.at("cases")) run_case(*program.value, c);
        }
    }
}
