#include "api/wheel_state.hpp"

#include <algorithm>

#include "api/decoded_documents.hpp"
#include "api/kiosk_config.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/wheel_json.hpp"
#include "core/crypto/sha256.hpp"
#include "core/spins/fair.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

std::int64_t civil_day(std::int64_t now_ms) {
    return now_ms >= 0 ? now_ms / day_ms : (now_ms - day_ms + 1) / day_ms;
}

Json parse_object(const std::string& text) {
    Json j = Json::parse(text.empty() ? "{}" : text, nullptr, false);
    return j.is_object() ? j : Json::object();
}

std::int64_t number(const Json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
// The member's spins on the wheel whose seed was revealed (counters.spins[wheel_id].draws).
std::int64_t member_draws(const Json& all, const std::string& wheel_id) {
    const auto it = all.find(wheel_id);
    return it != all.end() && it->is_object() ? number(*it, "draws") : 0;
}
}  // namespace

bool valid_document_id(const std::string& id) {
    if (id.empty() || id.size() > wheel_id_bytes_max) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

std::optional<StoredWheel> stored_wheel(const DocumentRecord& d) {
    const auto config = decode_document<spins::WheelConfig>(
        d, [](const codec::Json& j) { return codec::decode_wheel(j); });
    if (!config) return std::nullopt;
    return StoredWheel{d.doc_id, d.version, d.updated_at_ms, *config};
}

std::optional<StoredWheel> load_wheel(Store& store, const std::string& merchant_id,
                                      const std::string& wheel_id) {
    if (!valid_document_id(wheel_id)) return std::nullopt;
    const auto doc = store.document(merchant_id, "wheel", wheel_id);
    return doc ? stored_wheel(*doc) : std::nullopt;
}

std::optional<StoredWheel> active_wheel(Store& store, const std::string& merchant_id) {
    const KioskSettings s = load_kiosk_settings(store, merchant_id);
    if (s.wheel_id.empty()) return std::nullopt;
    return load_wheel(store, merchant_id, s.wheel_id);
}

// [SECTION] Shared state

WheelLedger decode_wheel_ledger(const std::string& stored) {
    const Json j = parse_object(stored);
    WheelLedger w;
    w.day = number(j, "day");
    w.spent_today = number(j, "spent_today");
    w.spent_campaign = number(j, "spent_campaign");
    if (j.contains("used") && j["used"].is_object())
        for (const auto& item : j["used"].items())
            if (item.value().is_number_integer())
                w.used[item.key()] = item.value().get<std::int64_t>();
    return w;
}

std::string encode_wheel_ledger(const WheelLedger& w) {
    return Json{{"day", w.day},
                {"spent_today", w.spent_today},
                {"spent_campaign", w.spent_campaign},
                {"used", w.used}}
        .dump();
}

spins::WheelState wheel_state(const spins::WheelConfig& config, const WheelLedger& w,
                              std::int64_t now_ms) {
    spins::WheelState s = spins::initial_wheel_state(config);
    for (std::size_t i = 0; i < config.prizes.size(); ++i) {
        const auto used = w.used.find(config.prizes[i].id);
        if (used != w.used.end())
            s.stock_left[i] = std::max<std::int64_t>(0, s.stock_left[i] - used->second);
    }
    s.spent_today = w.day == civil_day(now_ms) ? w.spent_today : 0;
    s.spent_campaign = w.spent_campaign;
    return s;
}

WheelLedger record_state(const spins::WheelConfig& config, WheelLedger w,
                         const spins::WheelState& before, const spins::WheelState& after,
                         std::int64_t now_ms) {
    for (std::size_t i = 0; i < config.prizes.size(); ++i)
        if (config.prizes[i].stock && before.stock_left[i] != after.stock_left[i])
            w.used[config.prizes[i].id] += before.stock_left[i] - after.stock_left[i];
    w.day = civil_day(now_ms);
    w.spent_today = after.spent_today;
    w.spent_campaign = after.spent_campaign;
    return w;
}

// [SECTION] A member's counters

spins::MemberSpinState member_spin_state(const std::string& spins_json, const std::string& wheel_id,
                                         std::int64_t now_ms) {
    const Json all = parse_object(spins_json);
    spins::MemberSpinState s;
    if (!all.contains(wheel_id) || !all[wheel_id].is_object()) return s;
    const Json& mine = all[wheel_id];
    if (number(mine, "day") == civil_day(now_ms)) {
        s.spins_today = number(mine, "spins_today");
        s.wins_today = number(mine, "wins_today");
    }
    s.wins_campaign = number(mine, "wins_campaign");
    return s;
}

std::string record_member_spin_state(const std::string& spins_json, const std::string& wheel_id,
                                     const spins::MemberSpinState& s, std::int64_t now_ms) {
    Json all = parse_object(spins_json);
    const std::int64_t draws = member_draws(all, wheel_id);
    all[wheel_id] = {{"day", civil_day(now_ms)},
                     {"spins_today", s.spins_today},
                     {"wins_today", s.wins_today},
                     {"wins_campaign", s.wins_campaign},
                     {"draws", draws + 1}};
    return all.dump();
}

std::string spin_seed(const MerchantRecord& merchant, const std::string& member_id,
                      const std::string& wheel_id, const std::string& spins_json) {
    const Json all = parse_object(spins_json);
    const std::int64_t draws = member_draws(all, wheel_id);
    const crypto::Digest key = crypto::hmac_sha256(merchant.card_secret, "kopilka spin seed v1");
    const crypto::Digest seed = crypto::hmac_sha256(
        std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
        merchant.merchant_id + "\n" + member_id + "\n" + wheel_id + "\n" + std::to_string(draws));
    return crypto::to_hex(seed.data(), seed.size());
}

SpinOffer spin_offer(const MerchantRecord& merchant, const std::string& member_id,
                     const std::optional<StoredWheel>& wheel, const std::string& spins_json,
                     std::int64_t now_ms) {
    if (!wheel) return {};
    return {spins_available(wheel, spins_json, now_ms),
            spins::seed_commitment(spin_seed(merchant, member_id, wheel->id, spins_json))};
}

std::int64_t spins_available(const spins::WheelConfig& config, const spins::MemberSpinState& s) {
    // decide_spin refuses a member over a limit before it draws; on a full wheel it tells us
    // whether the member may spin without our repeating its rules.
    const auto probe = spins::decide_spin(config, spins::initial_wheel_state(config), s, 0);
    if (probe.status == spins::SpinStatus::member_limit_reached) return 0;
    if (!config.member_spins_per_day_max) return 1;
    return std::max<std::int64_t>(0, *config.member_spins_per_day_max - s.spins_today);
}

std::int64_t spins_available(const std::optional<StoredWheel>& wheel, const std::string& spins_json,
                             std::int64_t now_ms) {
    if (!wheel || spins::wheel_phase(wheel->config, now_ms) != spins::WheelPhase::running)
        return 0;
    return spins_available(wheel->config, member_spin_state(spins_json, wheel->id, now_ms));
}

// [SECTION] JSON for answers

Json wheel_state_json(const spins::WheelConfig& config, const WheelLedger& w, std::int64_t now_ms) {
    const spins::WheelState s = wheel_state(config, w, now_ms);
    Json left = Json::object(), used = Json::object();
    for (std::size_t i = 0; i < config.prizes.size(); ++i) {
        const spins::Prize& p = config.prizes[i];
        left[p.id] = p.stock ? Json(s.stock_left[i]) : Json("unlimited");
        const auto u = w.used.find(p.id);
        used[p.id] = u == w.used.end() ? 0 : u->second;
    }
    return Json{{"stock_left", left},
                {"used", used},
                {"spent_today", s.spent_today},
                {"spent_campaign", s.spent_campaign},
                {"day", civil_day(now_ms)}};
}

codec::WheelView kiosk_wheel_view(const StoredWheel& wheel, const spins::WheelState& state) {
    const spins::WheelOdds odds = spins::wheel_odds(wheel.config, state);
    return {wheel.id, codec::published_prizes(wheel.config, odds), odds.win_chance_ppm,
            odds.nothing_left, wheel.version};
}

}  // namespace kopilka::server
