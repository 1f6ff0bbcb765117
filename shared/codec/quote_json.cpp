#include "codec/quote_json.hpp"

#include <algorithm>
#include <vector>

#include "codec/json_text.hpp"
#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {
constexpr std::int64_t kTimeMax = INT64_MAX / 4;

std::string percent_text(i18n::Locale l, std::int64_t bp) {
    // 1250 bp → "12.5" (en) / "12,5" (ru, de, lv); whole percents without decimals.
    std::string s = i18n::format_integer(l, bp / 100);
    std::int64_t frac = bp % 100;
    if (frac < 0) frac = -frac;
    if (frac != 0) {
        std::string f = std::to_string(frac);
        if (f.size() < 2) f.insert(0, "0");
        if (f.back() == '0') f.pop_back();
        s += (l == i18n::Locale::en ? "." : ",") + f;
    }
    return s + "\u00A0%";
}
}  // namespace

Decoded<quote::Receipt> decode_receipt(const Json& j) {
    Decoded<quote::Receipt> out;
    quote::Receipt r;
    ObjectReader o(j, "", &out.error);
    o.optional_text("id", &r.id, 64);
    o.optional_integer("at_ms", &r.at_ms, 0, kTimeMax);
    if (o.ok() && !o.has("lines")) o.fail("missing_field", "lines", "is required");
    o.optional_array("lines", quote::receipt_lines_max, [&](ObjectReader& e, std::size_t) {
        quote::ReceiptLine l;
        e.text("sku", &l.sku, 64);
        e.optional_text("category", &l.category, 64);
        e.integer("unit_price", &l.unit_price, 0, quote::receipt_gross_max);
        e.optional_integer("quantity", &l.quantity, 1, quote::line_quantity_max);
        e.optional_flag("discounted", &l.discounted);
        e.reject_unknown({"sku", "category", "unit_price", "quantity", "discounted"});
        r.lines.push_back(l);
    });
    if (o.ok() && r.lines.empty()) o.fail("invalid_value", "lines", "needs at least one line");
    o.reject_unknown({"id", "at_ms", "lines"});
    // Grosses above the limit, so that no receipt we accept can overflow a quote.
    if (const quote::ReceiptProblem bad =
            o.ok() ? quote::receipt_problem(r) : quote::ReceiptProblem{};
        !bad.field.empty())
        o.fail("out_of_range", bad.field, bad.why);
    if (o.ok()) out.value = std::move(r);
    return out;
}

Json encode_receipt(const quote::Receipt& r) {
    Json lines = Json::array();
    for (const auto& l : r.lines)
        lines.push_back({{"sku", l.sku},
                         {"category", l.category},
                         {"unit_price", l.unit_price},
                         {"quantity", l.quantity},
                         {"discounted", l.discounted}});
    return {{"id", r.id}, {"at_ms", r.at_ms}, {"lines", lines}};
}

Decoded<quote::MemberContext> decode_member_context(const Json& j) {
    Decoded<quote::MemberContext> out;
    quote::MemberContext m;
    ObjectReader o(j, "", &out.error);
    o.optional_integer("points_available", &m.points_available, 0, program::amount_max);
    o.optional_integer("spend_before", &m.spend_before, 0, program::amount_max);
    o.optional_integer("last_purchase_ms", &m.last_purchase_ms, 0, kTimeMax);
    o.optional_integer("tier_qualifying", &m.tier_qualifying, 0, program::amount_max);
    o.optional_text("vip_plan", &m.vip_plan, 64);
    o.optional_text("tier_held", &m.tier_held, 64);
    if (o.has("attributes")) {
        ObjectReader a = o.child("attributes");
        for (const auto& item : j.at("attributes").items())
            a.optional_text(item.key().c_str(), &m.attributes[item.key()], 128);
    }
    if (o.has("stamps")) {
        ObjectReader s = o.child("stamps");
        for (const auto& item : j.at("stamps").items())
            s.integer(item.key().c_str(), &m.stamps[item.key()], 0, 1'000'000);
    }
    o.optional_flag("referred", &m.referred);
    o.optional_integer("inviter_referrals_this_month", &m.inviter_referrals_this_month, 0,
                       1'000'000);
    o.reject_unknown({"points_available", "spend_before", "last_purchase_ms", "tier_qualifying",
                      "tier_held", "vip_plan", "attributes", "stamps", "referred",
                      "inviter_referrals_this_month"});
    if (o.ok()) out.value = std::move(m);
    return out;
}

std::string explanation_text(const quote::Explanation& e, const program::Program& p,
                             const i18n::Catalogues& c, i18n::Locale locale) {
    i18n::Args args;
    for (const auto& a : e.args) {
        using K = quote::Explanation::ArgKind;
        switch (a.kind) {
            case K::count:
                if (a.name == "n") args.count = a.value;
                else args.named.emplace_back(a.name, i18n::format_integer(locale, a.value));
                break;
            case K::points:
                args.named.emplace_back(a.name, i18n::format_integer(locale, a.value));
                break;
            case K::money:
                args.named.emplace_back(a.name, i18n::format_money(locale, {a.value, p.currency}));
                break;
            case K::percent_bp:
                args.named.emplace_back(a.name, percent_text(locale, a.value));
                break;
            case K::text: {
                // Rule names are translated ("rule.flat_discount"); other text stays as given.
                const std::string key = "rule." + a.text;
                const std::string t = a.name == "rule" ? i18n::translate(c, locale, key) : a.text;
                args.named.emplace_back(a.name, t == key ? a.text : t);
                break;
            }
        }
    }
    return i18n::translate(c, locale, e.key, args);
}

Json encode_quote(const quote::Quote& q, const program::Program& p, const i18n::Catalogues* c,
                  i18n::Locale locale) {
    if (q.status != quote::QuoteStatus::ok)
        return error_json(q.status == quote::QuoteStatus::overflow ? "overflow" : "invalid_receipt",
                          q.field + " is not acceptable in this receipt", q.field);
    Json lines = Json::array();
    for (const auto& l : q.lines)
        lines.push_back({{"gross", l.gross},
                         {"discount", l.discount},
                         {"discount_rule", l.discount_rule},
                         {"redeemed_points", l.redeemed_points},
                         {"redeemed_money", l.redeemed_money},
                         {"paid", l.paid},
                         {"points", l.points},
                         {"cashback", l.cashback},
                         {"stamps", l.stamps},
                         {"tier_qualifying", l.tier_qualifying}});
    Json stamps = Json::object();
    for (const auto& [card, s] : q.stamps)
        stamps[card] = {{"before", s.before},
                        {"earned", s.earned},
                        {"cards_filled", s.cards_filled},
                        {"after", s.after}};
    Json explanations = Json::array();
    for (const auto& e : q.explanations) {
        Json x = {{"rule", e.rule}, {"key", e.key}};
        Json args = Json::object();
        for (const auto& a : e.args) {
            if (a.kind == quote::Explanation::ArgKind::text) args[a.name] = a.text;
            else args[a.name] = a.value;
        }
        x["args"] = args;
        if (c) x["text"] = explanation_text(e, p, *c, locale);
        explanations.push_back(x);
    }
    Json j = {{"currency", money::currency_info(p.currency).code},
              {"gross", q.gross},
              {"discount", q.discount},
              {"redeemed_points", q.redeemed_points},
              {"redeemed_money", q.redeemed_money},
              {"paid", q.paid},
              {"points_earned", q.points_earned},
              {"points_pending", q.points_pending},
              {"points_available_at_ms", q.points_available_at_ms},
              {"points_expire_at_ms", q.points_expire_at_ms},
              {"cashback", q.cashback},
              {"stamps", stamps},
              {"referral",
               {{"inviter_bonus", q.referral_inviter_bonus},
                {"invitee_bonus", q.referral_invitee_bonus}}},
              {"lines", lines},
              {"explanations", explanations}};
    if (p.tiers) {
        const auto& levels = p.tiers->levels;
        const auto& after = q.tier_progress_after;
        j["tier"] = {
            {"before", levels[static_cast<std::size_t>(q.tier_before)].id},
            {"after", levels[static_cast<std::size_t>(q.tier_after)].id},
            {"next", after.next >= 0 ? Json(levels[static_cast<std::size_t>(after.next)].id)
                                     : Json(nullptr)},
            {"gap", after.gap},
            {"progress_permille", after.progress_permille}};
    }
    return j;
}

std::string quote_text(const quote::Quote& q, const program::Program& p) {
    if (q.status != quote::QuoteStatus::ok) return encode_quote(q, p).dump();
    JsonText t(512 + 256 * q.lines.size() + 128 * q.explanations.size());
    // Keys in dump()'s order: sorted.
    const auto counts = [&t](const std::map<std::string, std::int64_t>& m) {
        t.raw("{");
        bool first = true;
        for (const auto& [key, n] : m) {
            t.raw(first ? "" : ",").string(key).raw(":").integer(n);
            first = false;
        }
        t.raw("}");
    };
    t.raw("{\"cashback\":").integer(q.cashback);
    t.raw(",\"currency\":").string(money::currency_info(p.currency).code);
    t.raw(",\"discount\":").integer(q.discount);
    t.raw(",\"explanations\":").list(q.explanations, [&t](const quote::Explanation& e) {
        // A name given twice keeps its last value, as the tree's assignment does.
        std::vector<const quote::Explanation::Arg*> args;
        for (const auto& a : e.args) args.push_back(&a);
        std::stable_sort(args.begin(), args.end(),
                         [](const auto* a, const auto* b) { return a->name < b->name; });
        t.raw("{\"args\":{");
        bool first = true;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (i + 1 < args.size() && args[i + 1]->name == args[i]->name) continue;
            t.raw(first ? "" : ",").string(args[i]->name).raw(":");
            if (args[i]->kind == quote::Explanation::ArgKind::text)
                t.string(args[i]->text);
            else
                t.integer(args[i]->value);
            first = false;
        }
        t.raw("},\"key\":").string(e.key).raw(",\"rule\":").string(e.rule).raw("}");
    });
    t.raw(",\"gross\":").integer(q.gross);
    t.raw(",\"lines\":").list(q.lines, [&](const quote::LineResult& l) {
        t.raw("{\"cashback\":").integer(l.cashback);
        t.raw(",\"discount\":").integer(l.discount);
        t.raw(",\"discount_rule\":").string(l.discount_rule);
        t.raw(",\"gross\":").integer(l.gross);
        t.raw(",\"paid\":").integer(l.paid);
        t.raw(",\"points\":").integer(l.points);
        t.raw(",\"redeemed_money\":").integer(l.redeemed_money);
        t.raw(",\"redeemed_points\":").integer(l.redeemed_points);
        t.raw(",\"stamps\":");
        counts(l.stamps);
        t.raw(",\"tier_qualifying\":").integer(l.tier_qualifying).raw("}");
    });
    t.raw(",\"paid\":").integer(q.paid);
    t.raw(",\"points_available_at_ms\":").integer(q.points_available_at_ms);
    t.raw(",\"points_earned\":").integer(q.points_earned);
    t.raw(",\"points_expire_at_ms\":").integer(q.points_expire_at_ms);
    t.raw(",\"points_pending\":").flag(q.points_pending);
    t.raw(",\"redeemed_money\":").integer(q.redeemed_money);
    t.raw(",\"redeemed_points\":").integer(q.redeemed_points);
    t.raw(",\"referral\":{\"invitee_bonus\":").integer(q.referral_invitee_bonus);
    t.raw(",\"inviter_bonus\":").integer(q.referral_inviter_bonus).raw("}");
    t.raw(",\"stamps\":{");
    bool first = true;
    for (const auto& [card, s] : q.stamps) {
        t.raw(first ? "" : ",").string(card).raw(":{\"after\":").integer(s.after);
        t.raw(",\"before\":").integer(s.before).raw(",\"cards_filled\":").integer(s.cards_filled);
        t.raw(",\"earned\":").integer(s.earned).raw("}");
        first = false;
    }
    t.raw("}");
    if (p.tiers) {
        const auto& levels = p.tiers->levels;
        const auto& after = q.tier_progress_after;
        t.raw(",\"tier\":{\"after\":").string(levels[static_cast<std::size_t>(q.tier_after)].id);
        t.raw(",\"before\":").string(levels[static_cast<std::size_t>(q.tier_before)].id);
        t.raw(",\"gap\":").integer(after.gap).raw(",\"next\":");
        if (after.next >= 0)
            t.string(levels[static_cast<std::size_t>(after.next)].id);
        else
            t.raw("null");
        t.raw(",\"progress_permille\":").integer(after.progress_permille).raw("}");
    }
    t.raw("}");
    return t.take();
}

Decoded<quote::Quote> decode_quote_lines(const Json& j) {
    Decoded<quote::Quote> out;
    quote::Quote q;
    ObjectReader o(j, "", &out.error);
    if (o.ok() && !o.has("lines")) o.fail("missing_field", "lines", "is required");
    o.optional_array("lines", quote::receipt_lines_max, [&](ObjectReader& e, std::size_t) {
        quote::LineResult l;
        e.integer("gross", &l.gross, 0, program::amount_max);
        e.integer("discount", &l.discount, 0, program::amount_max);
        e.integer("redeemed_points", &l.redeemed_points, 0, program::amount_max);
        e.integer("redeemed_money", &l.redeemed_money, 0, program::amount_max);
        e.integer("paid", &l.paid, 0, program::amount_max);
        e.integer("points", &l.points, 0, program::amount_max);
        e.integer("cashback", &l.cashback, 0, program::amount_max);
        e.integer("tier_qualifying", &l.tier_qualifying, 0, program::amount_max);
        if (e.has("stamps")) {
            ObjectReader st = e.child("stamps");
            for (const auto& item : e.at("stamps").items())
                st.integer(item.key().c_str(), &l.stamps[item.key()], 0, program::amount_max);
        }
        q.lines.push_back(l);
    });
    if (o.ok()) out.value = std::move(q);
    return out;
}

Json encode_return(const quote::ReturnResult& r) {
    if (r.status != quote::QuoteStatus::ok)
        return error_json("invalid_return", r.field + " is not a valid return", r.field);
    return {{"money_refund", r.money_refund},
            {"points_refund", r.points_refund},
            {"points_clawback", r.points_clawback},
            {"cashback_clawback", r.cashback_clawback},
            {"tier_qualifying_clawback", r.tier_qualifying_clawback},
            {"stamps_clawback", r.stamps_clawback}};
}

}  // namespace kopilka::codec
