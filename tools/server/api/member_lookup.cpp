#include "api/member_lookup.hpp"

#include "codec/member_json.hpp"
#include "codec/tiers_json.hpp"
#include "core/cards/card_code.hpp"
#include "core/tiers/tier_ladder.hpp"

namespace kopilka::server {

namespace {
ApiResult error(int status, const char* code, const std::string& message, const char* field = "code") {
    return {status, codec::error_json(code, message, field), {}};
}

struct TierRules {
    std::vector<tiers::Tier> ladder;
    std::string basis = "points";
    std::int64_t window_days = 365;
};

// The program's tier rules; a program that does not decode is the server's fault (500).
bool decode_tier_rules(const std::string& document, TierRules* out, std::string* why) {
    codec::DecodeError e;
    const auto j = codec::parse_json(document, &e);
    if (!j) {
        *why = e.message;
        return false;
    }
    auto ladder = codec::decode_tier_ladder(j->value("tiers", codec::Json()));
    if (!ladder.ok()) {
        *why = ladder.error.message;
        return false;
    }
    out->ladder = std::move(*ladder.value);
    out->basis = j->value("tier_basis", "points");
    out->window_days = j->value("tier_window_days", 365);
    return true;
}
}  // namespace

ApiResult lookup_member(Store& store, const std::string& code_text, std::int64_t now_ms) {
    const cards::ParseResult parsed = cards::parse_card_text(code_text);
    if (parsed.status != cards::ParseStatus::ok)
        return error(400, std::string(cards::parse_status_name(parsed.status)).c_str(),
                     "code is not a card code: " + std::string(cards::parse_status_name(parsed.status)));
    if (parsed.code.kind != cards::CodeKind::qr_card)
        return error(401, "device_required", "card and phone numbers are accepted only from a paired kiosk");

    const auto merchant = store.merchant_by_code(parsed.code.merchant);
    if (!merchant) return error(404, "not_found", "no member has this card");
    if (!cards::qr_card_mac_valid(parsed.code, merchant->card_secret))
        return error(403, "bad_mac", "code carries a MAC that does not match this card");
    const auto member = store.member_by_card(merchant->merchant_id, parsed.code.number);
    if (!member) return error(404, "not_found", "no member has this card");

    const auto program = store.current_program(merchant->merchant_id);
    TierRules rules;
    std::string why = "the merchant has no program";
    if (!program || !decode_tier_rules(program->document, &rules, &why))
        return {500, codec::error_json("program_invalid", "the merchant's program can't be used: " + why), merchant->merchant_id};

    members::MemberSnapshot snap;
    snap.id = member->member_id;
    snap.name = member->display_name;
    snap.merchant = merchant->code;
    snap.currency = money::currency_from_code(merchant->currency).value_or(money::Currency::RUB);
    snap.balance = store.member_balance(merchant->merchant_id, member->member_id);
    snap.tier_basis = rules.basis;
    const std::int64_t since = now_ms - rules.window_days * 86400000;
    const auto progress = tiers::tier_progress(rules.ladder, store.member_earned_since(merchant->merchant_id, member->member_id, since));
    const auto& current = rules.ladder[static_cast<std::size_t>(progress.current)];
    snap.tier.id = current.id;
    snap.tier.name = current.name;
    if (progress.next >= 0) snap.tier.next_name = rules.ladder[static_cast<std::size_t>(progress.next)].name;
    snap.tier.gap = progress.gap;
    snap.tier.progress_permille = progress.progress_permille;
    snap.as_of_ms = now_ms;
    return {200, codec::Json{{"member", codec::encode_member(snap)}}, merchant->merchant_id};
}

}  // namespace kopilka::server
