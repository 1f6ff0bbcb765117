#include "client/kiosk_config.hpp"

#include "codec/member_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/theme_json.hpp"

namespace kopilka::client {

namespace {
using codec::Json;
using codec::ObjectReader;

constexpr std::size_t kRewardsMax = 64;
constexpr std::size_t kPrizesMax = 32;

void read_rewards(ObjectReader& r, std::vector<members::RewardView>* out) {
    r.optional_array("rewards", kRewardsMax, [&](ObjectReader& e, std::size_t) {
        members::RewardView v;
        e.text("id", &v.id, 64);
        e.optional_text("name", &v.name, 200);
        e.integer("cost_points", &v.cost_points, 0, INT64_MAX);
        out->push_back(std::move(v));
    });
}

void read_wheel(const Json& j, const std::string& path, WheelView* w, codec::DecodeError* e) {
    ObjectReader r(j, path, e);
    r.text("id", &w->id, 64);
    r.optional_flag("nothing_left", &w->nothing_left);
    r.optional_integer("win_chance_ppm", &w->win_chance_ppm, 0, 1000000);
    if (r.ok() && !r.has("prizes")) r.fail("missing_field", r.field("prizes"), "is required");
    r.optional_array("prizes", kPrizesMax, [&](ObjectReader& p, std::size_t) {
        WheelPrizeView v;
        p.text("id", &v.id, 64);
        p.optional_text("label", &v.label, 100);
        p.text("kind", &v.kind, 16);
        p.optional_integer("chance_ppm", &v.chance_ppm, 0, 1000000);
        w->prizes.push_back(std::move(v));
    });
}

// A malformed QR matrix is dropped rather than failing the answer: the coupon exists and
// its code text is enough for the till.
void read_coupon(const Json& j, CouponView* c, codec::DecodeError* e) {
    ObjectReader r(j, "coupon", e);
    r.text("code", &c->code, 64);
    r.optional_integer("expires_at_ms", &c->expires_at_ms, 0, INT64_MAX);
    if (r.has("reward") && r.at("reward").is_object()) {
        ObjectReader reward = r.child("reward");
        reward.optional_text("name", &c->reward_name, 200);
    }
    if (r.has("qr_modules")) {
        auto rows = decode_qr_modules(r.at("qr_modules"), r.field("qr_modules"));
        if (rows.ok()) c->qr_modules = std::move(*rows.value);
    }
}
}  // namespace

codec::Decoded<std::vector<std::string>> decode_qr_modules(const Json& j, const std::string& path) {
    const auto fail = [](const std::string& field, const char* code, std::string why) {
        return codec::Decoded<std::vector<std::string>>{std::nullopt, {code, field, field + " " + why}};
    };
    if (!j.is_array()) return fail(path, "wrong_type", "must be an array of strings");
    if (j.size() > qr_modules_max) return fail(path, "out_of_range", "has more than " + std::to_string(qr_modules_max) + " rows");
    std::vector<std::string> rows;
    rows.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string field = codec::index_path(path, i);
        if (!j[i].is_string()) return fail(field, "wrong_type", "must be a string of 0 and 1");
        const std::string& row = j[i].get_ref<const std::string&>();
        if (row.size() != j.size()) return fail(field, "invalid_value", "must have as many modules as there are rows (a square)");
        if (row.find_first_not_of("01") != std::string::npos) return fail(field, "invalid_value", "must hold only 0 and 1");
        rows.push_back(row);
    }
    return {std::move(rows), {}};
}

codec::Decoded<KioskConfig> decode_kiosk_config(const Json& j) {
    KioskConfig c;
    codec::DecodeError e;
    ObjectReader r(j, "", &e);
    r.optional_text("version", &c.version, 128);
    if (r.ok() && !r.has("merchant")) r.fail("missing_field", "merchant", "is required");
    if (r.ok()) {
        ObjectReader m = r.child("merchant");
        m.text("code", &c.merchant_code, 64);
        m.optional_text("name", &c.merchant_name, 200);
        m.optional_currency("currency", &c.currency);
    }
    read_rewards(r, &c.rewards);
    if (r.has("settings") && r.at("settings").is_object()) {
        ObjectReader s = r.child("settings");
        s.optional_integer("idle_seconds", &c.idle_seconds, 5, 600);
    }
    if (r.has("wheel") && !r.at("wheel").is_null()) {
        WheelView w;
        read_wheel(r.at("wheel"), "wheel", &w, &e);
        if (e.code.empty()) c.wheel = std::move(w);
    }
    if (e.code.empty() && r.has("theme") && !r.at("theme").is_null()) {
        auto t = codec::decode_theme(r.at("theme"));
        if (!t.ok()) {
            e = t.error;
            e.field = codec::join_path("theme", e.field);
        } else {
            c.theme = std::move(*t.value);
            c.has_theme = true;
        }
    }
    if (!e.code.empty()) return {std::nullopt, e};
    if (!c.has_theme) c.theme.name = c.merchant_name.empty() ? c.theme.name : c.merchant_name;
    return {std::move(c), {}};
}

Json encode_kiosk_config(const KioskConfig& c) {
    Json rewards = Json::array();
    for (const auto& r : c.rewards) rewards.push_back({{"id", r.id}, {"name", r.name}, {"cost_points", r.cost_points}});
    Json j = {{"version", c.version},
              {"merchant", {{"code", c.merchant_code}, {"name", c.merchant_name}, {"currency", std::string(money::currency_info(c.currency).code)}}},
              {"rewards", rewards},
              {"settings", {{"idle_seconds", c.idle_seconds}}},
              {"theme", c.has_theme ? codec::encode_theme(c.theme) : Json(nullptr)},
              {"wheel", nullptr}};
    if (c.wheel) {
        Json prizes = Json::array();
        for (const auto& p : c.wheel->prizes)
            prizes.push_back({{"id", p.id}, {"label", p.label}, {"kind", p.kind}, {"chance_ppm", p.chance_ppm}});
        j["wheel"] = {{"id", c.wheel->id}, {"prizes", prizes}, {"win_chance_ppm", c.wheel->win_chance_ppm},
                      {"nothing_left", c.wheel->nothing_left}};
    }
    return j;
}

codec::Decoded<OperationAnswer> decode_operation_answer(const Json& j) {
    OperationAnswer a;
    codec::DecodeError e;
    if (!j.is_object()) return {std::nullopt, {"wrong_type", "", "the answer is not an object"}};
    if (j.contains("prize") && j["prize"].is_object()) {
        PrizeView p;
        ObjectReader r(j["prize"], "prize", &e);
        std::int64_t index = -1;
        r.integer("index", &index, 0, static_cast<std::int64_t>(kPrizesMax) - 1);
        r.text("id", &p.id, 64);
        r.optional_text("label", &p.label, 100);
        r.text("kind", &p.kind, 16);
        r.optional_integer("points", &p.points, 0, INT64_MAX);
        p.index = static_cast<int>(index);
        if (e.code.empty()) a.prize = std::move(p);
    }
    if (e.code.empty() && j.contains("coupon") && j["coupon"].is_object()) {
        CouponView c;
        read_coupon(j["coupon"], &c, &e);
        if (e.code.empty()) a.coupon = std::move(c);
    }
    if (e.code.empty() && j.contains("member") && j["member"].is_object()) {
        auto m = codec::decode_member(j["member"]);
        if (!m.ok()) e = m.error;
        else a.member = std::move(*m.value);
    }
    if (!e.code.empty()) return {std::nullopt, e};
    return {std::move(a), {}};
}

}  // namespace kopilka::client
