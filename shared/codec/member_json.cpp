#include "codec/member_json.hpp"

#include "codec/json_text.hpp"
#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {
constexpr std::int64_t kAmountMax = INT64_MAX / 4;  // far above any real balance
constexpr std::size_t kListMax = 64;

Json reward_json(const members::RewardView& r) {
    return {{"id", r.id}, {"name", r.name}, {"cost_points", r.cost_points}};
}
Json rewards_json(const std::vector<members::RewardView>& rs) {
    Json a = Json::array();
    for (const auto& r : rs) a.push_back(reward_json(r));
    return a;
}
void read_reward(ObjectReader& e, members::RewardView* r) {
    e.text("id", &r->id, 64);
    e.text("name", &r->name, 128);
    e.integer("cost_points", &r->cost_points, 0, kAmountMax);
}

// The parts of a snapshot older servers may not send: absent means empty.
void read_details(const Json& j, std::string_view path, members::MemberSnapshot* m,
                  DecodeError* e) {
    ObjectReader o(j, std::string(path), e);
    o.optional_integer("available", &m->available, -kAmountMax, kAmountMax);
    o.optional_integer("pending", &m->pending, 0, kAmountMax);
    o.optional_integer("spins_available", &m->spins_available, 0, kAmountMax);
    o.optional_text("spin_commitment", &m->spin_commitment, 64);
    o.optional_array("expiring", kListMax, [&](ObjectReader& x, std::size_t) {
        members::ExpiringView v;
        x.integer("points", &v.points, 0, kAmountMax);
        x.integer("expires_at_ms", &v.expires_at_ms, 0, kAmountMax);
        m->expiring.push_back(v);
    });
    o.optional_array("rewards_affordable", kListMax, [&](ObjectReader& x, std::size_t) {
        members::RewardView r;
        read_reward(x, &r);
        m->rewards_affordable.push_back(r);
    });
    if (o.has("reward_next") && !j.at("reward_next").is_null()) {
        ObjectReader x = o.child("reward_next");
        members::RewardView r;
        read_reward(x, &r);
        m->reward_next = r;
    }
    o.optional_array("history", kListMax, [&](ObjectReader& x, std::size_t) {
        members::HistoryView h;
        x.text("reason", &h.reason, 32);
        x.optional_text("rule", &h.rule, 128);
        x.integer("at_ms", &h.at_ms, 0, kAmountMax);
        x.integer("points", &h.points, -kAmountMax, kAmountMax);
        m->history.push_back(h);
    });
}
}

Json encode_member(const members::MemberSnapshot& m) {
    Json expiring = Json::array(), history = Json::array();
    for (const auto& e : m.expiring)
        expiring.push_back({{"points", e.points}, {"expires_at_ms", e.expires_at_ms}});
    for (const auto& h : m.history)
        history.push_back(
            {{"reason", h.reason}, {"rule", h.rule}, {"at_ms", h.at_ms}, {"points", h.points}});
    Json j{
        {"id", m.id},
        {"name", m.name},
        {"merchant", m.merchant},
        {"balance", m.balance},
        {"currency", money::currency_info(m.currency).code},
        {"tier", m.tier.name},
        {"tier_detail",
         {{"id", m.tier.id},
          {"name", m.tier.name},
          {"next", m.tier.next_name},
          {"gap", m.tier.gap},
          {"basis", m.tier_basis},
          {"progress_permille", m.tier.progress_permille}}},
        {"as_of_ms", m.as_of_ms},
        {"available", m.available},
        {"pending", m.pending},
        {"expiring", expiring},
        {"rewards_affordable", rewards_json(m.rewards_affordable)},
        {"reward_next", m.reward_next ? reward_json(*m.reward_next) : Json(nullptr)},
        {"spins_available", m.spins_available},
        {"history", history},
    };
    if (!m.spin_commitment.empty()) j["spin_commitment"] = m.spin_commitment;
    return j;
}

std::string member_text(const members::MemberSnapshot& m) {
    JsonText t(768 + m.history.size() * 96 + m.rewards_affordable.size() * 80, true);
    const auto reward = [&t](const members::RewardView& r) {
        t.raw("{\"cost_points\":").integer(r.cost_points).raw(",\"id\":").string(r.id);
        t.raw(",\"name\":").string(r.name).raw("}");
    };
    t.raw("{\"as_of_ms\":").integer(m.as_of_ms).raw(",\"available\":").integer(m.available);
    t.raw(",\"balance\":").integer(m.balance);
    t.raw(",\"currency\":").name(money::currency_info(m.currency).code);
    t.raw(",\"expiring\":").list(m.expiring, [&t](const members::ExpiringView& e) {
        t.raw("{\"expires_at_ms\":").integer(e.expires_at_ms);
        t.raw(",\"points\":").integer(e.points).raw("}");
    });
    t.raw(",\"history\":").list(m.history, [&t](const members::HistoryView& h) {
        t.raw("{\"at_ms\":").integer(h.at_ms).raw(",\"points\":").integer(h.points);
        t.raw(",\"reason\":").string(h.reason).raw(",\"rule\":").string(h.rule).raw("}");
    });
    t.raw(",\"id\":").string(m.id).raw(",\"merchant\":").string(m.merchant);
    t.raw(",\"name\":").string(m.name).raw(",\"pending\":").integer(m.pending);
    t.raw(",\"reward_next\":");
    if (m.reward_next)
        reward(*m.reward_next);
    else
        t.raw("null");
    t.raw(",\"rewards_affordable\":").list(m.rewards_affordable, reward);
    if (!m.spin_commitment.empty()) t.raw(",\"spin_commitment\":").string(m.spin_commitment);
    t.raw(",\"spins_available\":").integer(m.spins_available);
    t.raw(",\"tier\":").string(m.tier.name).raw(",\"tier_detail\":{\"basis\":");
    t.string(m.tier_basis).raw(",\"gap\":").integer(m.tier.gap);
    t.raw(",\"id\":").string(m.tier.id).raw(",\"name\":").string(m.tier.name);
    t.raw(",\"next\":").string(m.tier.next_name);
    return t.raw(",\"progress_permille\":").integer(m.tier.progress_permille).raw("}}").take();
}

Decoded<members::MemberSnapshot> decode_member(const Json& j, std::string_view path) {
    Decoded<members::MemberSnapshot> out;
    members::MemberSnapshot m;
    DecodeError& e = out.error;
    std::string currency;
    if (!read_text(j, path, "id", &m.id, &e, 64) || !read_text(j, path, "name", &m.name, &e, 128) ||
        !read_text(j, path, "merchant", &m.merchant, &e, 64) ||
        !read_int(j, path, "balance", &m.balance, &e, -kAmountMax, kAmountMax) ||
        !read_text(j, path, "currency", &currency, &e, 8) ||
        !read_int(j, path, "as_of_ms", &m.as_of_ms, &e, 0, kAmountMax))
        return out;
    const auto c = money::currency_from_code(currency);
    if (!c) {
        e = {"invalid_value", join_path(path, "currency"),
             join_path(path, "currency") + " is not a known currency"};
        return out;
    }
    m.currency = *c;
    const std::string tpath = join_path(path, "tier_detail");
    if (!j.contains("tier_detail")) {
        e = {"missing_field", tpath, tpath + " is required"};
        return out;
    }
    const Json& t = j["tier_detail"];
    std::int64_t permille = 0;
    if (!read_text(t, tpath, "id", &m.tier.id, &e, 64) ||
        !read_text(t, tpath, "name", &m.tier.name, &e, 64) ||
        !read_text(t, tpath, "next", &m.tier.next_name, &e, 64) ||
        !read_int(t, tpath, "gap", &m.tier.gap, &e, 0, kAmountMax) ||
        !read_text(t, tpath, "basis", &m.tier_basis, &e, 16) ||
        !read_int(t, tpath, "progress_permille", &permille, &e, 0, 1000))
        return out;
    if (m.tier_basis != "points" && m.tier_basis != "spend") {
        e = {"invalid_value", join_path(tpath, "basis"),
             join_path(tpath, "basis") + " must be \"points\" or \"spend\""};
        return out;
    }
    m.tier.progress_permille = static_cast<int>(permille);
    read_details(j, path, &m, &e);
    if (!e.code.empty()) return out;
    out.value = std::move(m);
    return out;
}

}  // namespace kopilka::codec
