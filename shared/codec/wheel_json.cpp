#include "codec/wheel_json.hpp"

#include <cstdio>
#include <utility>

#include "core/assert.hpp"
#include "codec/theme_json.hpp"
#include "core/ledger/operation.hpp"

namespace kopilka::codec {

namespace {
constexpr std::int64_t kAmountMax = INT64_MAX / 4;  // far above any real budget or stock

DecodeError invalid(std::string field, std::string_view why) {
    return {"invalid_value", field, field + " " + std::string(why)};
}

// A whole number in [0, kAmountMax] or the string "unlimited" (std::nullopt).
bool read_limit(const Json& obj, std::string_view path, const char* key, spins::Limit* out,
                DecodeError* error) {
    const std::string field = join_path(path, key);
    if (obj.is_object() && obj.contains(key) && obj[key].is_string()) {
        if (obj[key] != "unlimited") {
            *error = {"wrong_type", field, field + " must be a whole number or \"unlimited\""};
            return false;
        }
        *out = std::nullopt;
        return true;
    }
    std::int64_t v = 0;
    if (!read_int(obj, path, key, &v, error, 0, kAmountMax)) return false;
    *out = v;
    return true;
}

Json encode_limit(const spins::Limit& l) {
    return l ? Json(*l) : Json("unlimited");
}

bool read_kind(const Json& obj, std::string_view path, spins::PrizeKind* out, DecodeError* e) {
    std::string kind;
    if (!read_text(obj, path, "kind", &kind, e, 16)) return false;
    for (const auto k :
         {spins::PrizeKind::nothing, spins::PrizeKind::points, spins::PrizeKind::coupon}) {
        if (spins::prize_kind_name(k) != kind) continue;
        *out = k;
        return true;
    }
    *e = invalid(join_path(path, "kind"), "must be \"nothing\", \"points\" or \"coupon\"");
    return false;
}

// An optional "#RRGGBB" (opaque: a segment is drawn solid).
bool read_colour(const Json& obj, std::string_view path, std::optional<theme::Rgba>* out,
                 DecodeError* e) {
    std::string text;
    if (!read_optional_string(obj, path, "colour", &text, e, 16)) return false;
    if (!obj.contains("colour")) return true;
    const auto c = text.size() == 7 ? parse_color(text) : std::nullopt;
    if (!c) {
        *e = invalid(join_path(path, "colour"), "must be a colour as \"#RRGGBB\"");
        return false;
    }
    *out = c;
    return true;
}

// An optional moment in ms since the epoch (UTC).
bool read_moment(const Json& obj, std::string_view path, const char* key,
                 std::optional<std::int64_t>* out, DecodeError* e) {
    if (!obj.is_object() || !obj.contains(key)) return true;
    std::int64_t v = 0;
    if (!read_int(obj, path, key, &v, e, 0, kAmountMax)) return false;
    *out = v;
    return true;
}

bool read_prize(const Json& j, const std::string& p, spins::Prize* prize, DecodeError* e) {
    if (!read_text(j, p, "id", &prize->id, e, 32) ||
        !read_text(j, p, "label", &prize->label, e, 64) || !read_kind(j, p, &prize->kind, e) ||
        !read_int(j, p, "weight", &prize->weight, e, 0, spins::prize_weight_max) ||
        !read_limit(j, p, "stock", &prize->stock, e) ||
        !read_int(j, p, "cost", &prize->cost, e, 0, kAmountMax) ||
        !read_colour(j, p, &prize->colour, e))
        return false;
    if (prize->kind == spins::PrizeKind::points)
        return read_int(j, p, "points", &prize->points, e, 1, ledger::points_max);  // one earning
    if (prize->kind == spins::PrizeKind::coupon)
        return read_text(j, p, "reward_id", &prize->reward_id, e, 64);
    return true;
}

bool read_wheel_fields(const Json& j, std::string_view path, spins::WheelConfig* c,
                       DecodeError* e) {
    std::string currency;
    if (!read_text(j, path, "currency", &currency, e, 8)) return false;
    const auto parsed = money::currency_from_code(currency);
    if (!parsed) {
        *e = invalid(join_path(path, "currency"), "is not a known currency");
        return false;
    }
    c->currency = *parsed;
    if (j.is_object() && j.contains("name") &&
        !read_text(j, path, "name", &c->name, e, spins::wheel_name_bytes_max))
        return false;
    return read_moment(j, path, "starts_at_ms", &c->starts_at_ms, e) &&
           read_moment(j, path, "ends_at_ms", &c->ends_at_ms, e) &&
           read_limit(j, path, "day_budget", &c->day_budget, e) &&
           read_limit(j, path, "campaign_budget", &c->campaign_budget, e) &&
           read_limit(j, path, "member_spins_per_day_max", &c->member_spins_per_day_max, e) &&
           read_limit(j, path, "member_wins_per_day_max", &c->member_wins_per_day_max, e) &&
           read_limit(j, path, "member_wins_per_campaign_max", &c->member_wins_per_campaign_max, e);
}

// validate_wheel's verdict as an error naming the field. Most negative values never get
// here: the field readers reject them first.
DecodeError wheel_error(const spins::WheelConfig& c, std::string_view path, spins::WheelStatus s,
                        std::size_t bad) {
    using spins::WheelStatus;
    const std::string prizes = join_path(path, "prizes");
    const std::string prize = index_path(prizes, bad);
    switch (s) {
        case WheelStatus::ok:
            break;
        case WheelStatus::no_prizes:
            return invalid(prizes, "needs at least one prize");
        case WheelStatus::too_many_prizes:
            return invalid(prizes, "has more prizes than a wheel can show");
        case WheelStatus::empty_id:
            return invalid(prize + ".id", "must not be empty");
        case WheelStatus::duplicate_id:
            return invalid(prize + ".id", "repeats an earlier prize's id");
        case WheelStatus::negative_weight:
        case WheelStatus::weight_too_large:
            return invalid(prize + ".weight", "is out of range");
        case WheelStatus::negative_stock:
            return invalid(prize + ".stock", "must not be negative");
        case WheelStatus::negative_cost:
            return invalid(prize + ".cost", "must not be negative");
        case WheelStatus::bad_points:
            return invalid(prize + ".points", "must be at least 1");
        case WheelStatus::missing_reward:
            return invalid(prize + ".reward_id", "must name the reward of the coupon");
        case WheelStatus::all_weights_zero:
            return invalid(prizes, "needs at least one prize with a weight above 0");
        case WheelStatus::translucent_colour:
            return invalid(prize + ".colour", "must be opaque");
        case WheelStatus::name_too_long:
            return invalid(join_path(path, "name"), "is too long");
        case WheelStatus::ends_before_start:
            return invalid(join_path(path, "ends_at_ms"), "must be after starts_at_ms");
        case WheelStatus::negative_budget:
        case WheelStatus::negative_member_limit:
            break;
    }
    // Wheel-wide limits: name the first negative one.
    const std::pair<const char*, const spins::Limit*> limits[] = {
        {"day_budget", &c.day_budget},
        {"campaign_budget", &c.campaign_budget},
        {"member_spins_per_day_max", &c.member_spins_per_day_max},
        {"member_wins_per_day_max", &c.member_wins_per_day_max},
        {"member_wins_per_campaign_max", &c.member_wins_per_campaign_max},
    };
    for (const auto& [key, limit] : limits)
        if (*limit && **limit < 0) return invalid(join_path(path, key), "must not be negative");
    return invalid(std::string(path), "is not a valid wheel");
}
}  // namespace

Decoded<spins::WheelConfig> decode_wheel(const Json& j, std::string_view path) {
    Decoded<spins::WheelConfig> out;
    spins::WheelConfig c;
    if (!read_wheel_fields(j, path, &c, &out.error)) return out;
    const std::string prizes = join_path(path, "prizes");
    if (!j.contains("prizes")) {
        out.error = {"missing_field", prizes, prizes + " is required"};
        return out;
    }
    const Json& a = j["prizes"];
    if (!a.is_array()) {
        out.error = {"wrong_type", prizes, prizes + " must be an array"};
        return out;
    }
    if (a.size() > spins::wheel_prizes_max) {
        out.error = {
            "out_of_range", prizes,
            prizes + " has more than " + std::to_string(spins::wheel_prizes_max) + " prizes"};
        return out;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        spins::Prize prize;
        if (!read_prize(a[i], index_path(prizes, i), &prize, &out.error)) return out;
        c.prizes.push_back(std::move(prize));
    }
    std::size_t bad = 0;
    const spins::WheelStatus s = spins::validate_wheel(c, &bad);
    if (s != spins::WheelStatus::ok) {
        out.error = wheel_error(c, path, s, bad);
        return out;
    }
    out.value = std::move(c);
    return out;
}

Json encode_wheel(const spins::WheelConfig& c) {
    Json prizes = Json::array();
    for (const auto& p : c.prizes) {
        Json o = {{"id", p.id},
                  {"label", p.label},
                  {"kind", spins::prize_kind_name(p.kind)},
                  {"weight", p.weight},
                  {"stock", encode_limit(p.stock)},
                  {"cost", p.cost}};
        if (p.kind == spins::PrizeKind::points) o["points"] = p.points;
        if (p.kind == spins::PrizeKind::coupon) o["reward_id"] = p.reward_id;
        if (p.colour) o["colour"] = color_text(*p.colour);
        prizes.push_back(std::move(o));
    }
    Json j{
        {"currency", money::currency_info(c.currency).code},
        {"day_budget", encode_limit(c.day_budget)},
        {"campaign_budget", encode_limit(c.campaign_budget)},
        {"member_spins_per_day_max", encode_limit(c.member_spins_per_day_max)},
        {"member_wins_per_day_max", encode_limit(c.member_wins_per_day_max)},
        {"member_wins_per_campaign_max", encode_limit(c.member_wins_per_campaign_max)},
        {"prizes", std::move(prizes)},
    };
    // Absent when unset, so wheels stored before these fields existed encode as they were.
    if (!c.name.empty()) j["name"] = c.name;
    if (c.starts_at_ms) j["starts_at_ms"] = *c.starts_at_ms;
    if (c.ends_at_ms) j["ends_at_ms"] = *c.ends_at_ms;
    return j;
}

Json encode_spin_outcome(const spins::WheelConfig& config, const spins::SpinOutcome& outcome) {
    Json j = {{"status", spins::spin_status_name(outcome.status)},
              {"seed", seed_hex(outcome.seed)}};
    if (outcome.status == spins::SpinStatus::member_limit_reached)
        j["limit"] = spins::member_limit_name(outcome.limit);
    if (outcome.status != spins::SpinStatus::ok) return j;
    KOPILKA_ASSERT(outcome.prize >= 0 &&
                   static_cast<std::size_t>(outcome.prize) < config.prizes.size());
    const spins::Prize& p = config.prizes[static_cast<std::size_t>(outcome.prize)];
    j["prize"] = outcome.prize;
    j["prize_id"] = p.id;
    j["label"] = p.label;
    j["kind"] = spins::prize_kind_name(p.kind);
    if (p.kind == spins::PrizeKind::points) j["points"] = p.points;
    if (p.kind == spins::PrizeKind::coupon) j["reward_id"] = p.reward_id;
    j["weights"] = outcome.weights;
    j["total_weight"] = outcome.total_weight;
    j["ticket"] = outcome.ticket;
    return j;
}

std::vector<WheelPrizeView> published_prizes(const spins::WheelConfig& config,
                                             const spins::WheelOdds& odds) {
    KOPILKA_ASSERT(odds.chance_ppm.size() == config.prizes.size());
    std::vector<WheelPrizeView> out;
    for (std::size_t i = 0; i < config.prizes.size(); ++i) {
        const spins::Prize& p = config.prizes[i];
        out.push_back({p.id, p.label, std::string(spins::prize_kind_name(p.kind)),
                       odds.chance_ppm[i], p.colour ? color_text(*p.colour) : ""});
    }
    return out;
}

Json encode_odds(const spins::WheelConfig& config, const spins::WheelOdds& odds) {
    Json prizes = Json::array();
    for (const auto& p : published_prizes(config, odds)) prizes.push_back(encode_wheel_prize(p));
    return Json{{"prizes", std::move(prizes)},
                {"win_chance_ppm", odds.win_chance_ppm},
                {"win_chance_ppm_min", spins::win_chance_ppm_min},
                {"low_win_chance", odds.low_win_chance},
                {"nothing_left", odds.nothing_left}};
}

std::string seed_hex(std::uint64_t seed) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seed));
    return buf;
}

}  // namespace kopilka::codec
