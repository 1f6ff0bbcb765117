#include "codec/kiosk_json.hpp"

#include "codec/member_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "codec/theme_json.hpp"
#include "codec/ledger_json.hpp"

namespace kopilka::codec {

namespace {
constexpr std::size_t rewards_max = 64;
constexpr std::size_t prizes_max = 32;
constexpr std::size_t id_bytes_max = 64;
constexpr std::size_t name_bytes_max = 200;

template <class T>
Decoded<T> result(T value, const DecodeError& e) {
    if (!e.code.empty()) return {std::nullopt, e};
    return {std::move(value), {}};
}

void read_rewards(ObjectReader& r, std::vector<program::Reward>* out) {
    r.optional_array("rewards", rewards_max, [&](ObjectReader& e, std::size_t) {
        program::Reward w;
        read_reward(e, &w);
        out->push_back(std::move(w));
    });
}

void read_wheel(const Json& j, const std::string& path, WheelView* w, DecodeError* e) {
    ObjectReader r(j, path, e);
    r.text("id", &w->id, id_bytes_max);
    r.optional_flag("nothing_left", &w->nothing_left);
    r.optional_integer("win_chance_ppm", &w->win_chance_ppm, 0, 1000000);
    r.optional_integer("version", &w->version, 0, INT64_MAX);
    if (r.ok() && !r.has("prizes")) r.fail("missing_field", r.field("prizes"), "is required");
    r.optional_array("prizes", prizes_max, [&](ObjectReader& p, std::size_t) {
        WheelPrizeView v;
        p.text("id", &v.id, id_bytes_max);
        p.optional_text("label", &v.label, 100);
        p.text("kind", &v.kind, 16);
        p.optional_integer("chance_ppm", &v.chance_ppm, 0, 1000000);
        p.optional_text("colour", &v.colour, 16);
        w->prizes.push_back(std::move(v));
    });
}

// {key: {id_key: …, "name": …}}, both optional: a reward or a merchant named in an answer.
void read_named(ObjectReader& r, const char* key, const char* id_key, std::string* id,
                std::string* name) {
    if (!r.has(key) || !r.at(key).is_object()) return;
    ObjectReader named = r.child(key);
    named.optional_text(id_key, id, id_bytes_max);
    named.optional_text("name", name, name_bytes_max);
}

// {"member": {"id": …}} as the kiosk's write requests name their member.
void read_member_id(ObjectReader& r, std::string* id) {
    if (r.ok() && !r.has("member"))
        r.fail("missing_field", r.field("member"), "is required: {\"id\": …}");
    if (!r.ok()) return;
    ObjectReader m = r.child("member");
    m.text("id", id, id_bytes_max);
    m.reject_unknown({"id"});
}
}  // namespace

// [SECTION] Config

namespace {
Json id_or_null(const std::string& id) {
    return id.empty() ? Json(nullptr) : Json(id);
}
}  // namespace

Json encode_kiosk_settings(const KioskSettings& s) {
    return {{"theme_id", id_or_null(s.theme_id)},
            {"wheel_id", id_or_null(s.wheel_id)},
            {"idle_seconds", s.idle_seconds},
            {"version", s.version}};
}

Decoded<KioskSettings> decode_kiosk_settings(const Json& j, std::string_view path,
                                             bool reject_unknown) {
    KioskSettings s;
    DecodeError e;
    ObjectReader r(j, std::string(path), &e);
    // null means "none", the same as leaving the key out
    if (r.has("theme_id") && !r.at("theme_id").is_null())
        r.optional_text("theme_id", &s.theme_id, theme_id_bytes_max);
    if (r.has("wheel_id") && !r.at("wheel_id").is_null())
        r.optional_text("wheel_id", &s.wheel_id, wheel_id_bytes_max);
    r.optional_integer("idle_seconds", &s.idle_seconds, idle_seconds_min, idle_seconds_max);
    r.optional_integer("version", &s.version, 0, INT64_MAX);
    if (reject_unknown) r.reject_unknown({"theme_id", "wheel_id", "idle_seconds", "version"});
    return result(std::move(s), e);
}

void read_config_head(ObjectReader& r, std::string* version, std::string* merchant_code,
                      std::string* merchant_name, money::Currency* currency) {
    r.optional_text("version", version, 128);
    if (r.ok() && !r.has("merchant")) r.fail("missing_field", "merchant", "is required");
    if (!r.ok()) return;
    ObjectReader m = r.child("merchant");
    m.text("code", merchant_code, id_bytes_max);
    m.optional_text("name", merchant_name, name_bytes_max);
    m.optional_currency("currency", currency);
}

Decoded<KioskConfig> decode_kiosk_config(const Json& j) {
    KioskConfig c;
    DecodeError e;
    ObjectReader r(j, "", &e);
    read_config_head(r, &c.version, &c.merchant_code, &c.merchant_name, &c.currency);
    if (r.has("device") && r.at("device").is_object()) {
        ObjectReader d = r.child("device");
        d.optional_text("id", &c.device_id, id_bytes_max);
        d.optional_text("name", &c.device_name, name_bytes_max);
        d.optional_flag("wheel", &c.device_wheel);
        d.optional_flag("redeem", &c.device_redeem);
        d.optional_flag("sound", &c.device_sound);
    }
    if (r.has("program") && r.at("program").is_object()) c.program = r.at("program");
    r.optional_integer("program_version", &c.program_version, 0, INT64_MAX);
    read_rewards(r, &c.rewards);
    if (r.has("settings") && r.at("settings").is_object()) {
        auto settings = decode_kiosk_settings(r.at("settings"), "settings", false);
        if (settings.ok()) c.settings = std::move(*settings.value);
        else e = settings.error;
    }
    if (r.has("wheel") && !r.at("wheel").is_null()) {
        WheelView w;
        read_wheel(r.at("wheel"), "wheel", &w, &e);
        if (e.code.empty()) c.wheel = std::move(w);
    }
    if (e.code.empty() && r.has("theme") && !r.at("theme").is_null()) {
        auto t = decode_theme(r.at("theme"));
        if (!t.ok()) {
            e = t.error;
            e.field = join_path("theme", e.field);
        } else {
            c.theme = std::move(*t.value);
            c.has_theme = true;
        }
    }
    if (e.code.empty() && !c.has_theme && !c.merchant_name.empty()) c.theme.name = c.merchant_name;
    return result(std::move(c), e);
}

Json encode_kiosk_config(const KioskConfig& c) {
    Json rewards = Json::array();
    for (const auto& w : c.rewards) rewards.push_back(encode_reward(w));
    const std::string currency(money::currency_info(c.currency).code);
    return {{"version", c.version},
            {"merchant",
             {{"code", c.merchant_code}, {"name", c.merchant_name}, {"currency", currency}}},
            {"device",
             {{"id", c.device_id},
              {"name", c.device_name},
              {"wheel", c.device_wheel},
              {"redeem", c.device_redeem},
              {"sound", c.device_sound}}},
            {"program", c.program},
            {"program_version", c.program_version},
            {"rewards", rewards},
            {"settings", encode_kiosk_settings(c.settings)},
            {"theme", c.has_theme ? encode_theme(c.theme) : Json(nullptr)},
            {"wheel", c.wheel ? encode_kiosk_wheel(*c.wheel) : Json(nullptr)}};
}

Json encode_wheel_prize(const WheelPrizeView& p) {
    Json j = {{"id", p.id}, {"label", p.label}, {"kind", p.kind}, {"chance_ppm", p.chance_ppm}};
    if (!p.colour.empty()) j["colour"] = p.colour;
    return j;
}

Json encode_kiosk_wheel(const WheelView& w) {
    Json prizes = Json::array();
    Json odds = Json::array();
    for (const auto& p : w.prizes) {
        prizes.push_back(encode_wheel_prize(p));
        odds.push_back(p.chance_ppm);
    }
    return {{"id", w.id},
            {"version", w.version},
            {"prizes", prizes},
            {"odds", odds},
            {"win_chance_ppm", w.win_chance_ppm},
            {"nothing_left", w.nothing_left}};
}

Decoded<WheelView> decode_kiosk_wheel(const Json& j, std::string_view path) {
    WheelView w;
    DecodeError e;
    read_wheel(j, std::string(path), &w, &e);
    return result(std::move(w), e);
}

// [SECTION] Answers to writes

Decoded<std::vector<std::string>> decode_qr_modules(const Json& j, const std::string& path) {
    const auto fail = [](const std::string& field, const char* code, std::string why) {
        return Decoded<std::vector<std::string>>{std::nullopt, {code, field, field + " " + why}};
    };
    if (!j.is_array()) return fail(path, "wrong_type", "must be an array of strings");
    if (j.size() > qr_modules_max)
        return fail(path, "out_of_range",
                    "has more than " + std::to_string(qr_modules_max) + " rows");
    std::vector<std::string> rows;
    rows.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string field = index_path(path, i);
        if (!j[i].is_string()) return fail(field, "wrong_type", "must be a string of 0 and 1");
        const std::string& row = j[i].get_ref<const std::string&>();
        if (row.size() != j.size())
            return fail(field, "invalid_value",
                        "must have as many modules as there are rows (a square)");
        if (row.find_first_not_of("01") != std::string::npos)
            return fail(field, "invalid_value", "must hold only 0 and 1");
        rows.push_back(row);
    }
    return {std::move(rows), {}};
}

Json encode_coupon(const CouponView& c, const Json& reward) {
    Json j = {{"code", c.code},
              {"qr", c.code},
              {"qr_modules", c.qr_modules},
              {"reward",
               reward.is_object() ? reward : Json{{"id", c.reward_id}, {"name", c.reward_name}}},
              {"source", c.source},
              {"points", c.points},
              {"issued_at_ms", c.issued_at_ms},
              {"expires_at_ms", c.expires_at_ms}};
    if (c.redeemed_at_ms != 0) j["redeemed_at_ms"] = c.redeemed_at_ms;
    if (!c.receipt_id.empty()) j["receipt_id"] = c.receipt_id;
    return j;
}

// A malformed QR matrix is dropped rather than failing the answer: the coupon exists and
// its code text is enough for the till.
Decoded<CouponView> decode_coupon(const Json& j, std::string_view path) {
    CouponView c;
    DecodeError e;
    ObjectReader r(j, std::string(path), &e);
    r.text("code", &c.code, id_bytes_max);
    r.optional_integer("expires_at_ms", &c.expires_at_ms, 0, INT64_MAX);
    r.optional_integer("issued_at_ms", &c.issued_at_ms, 0, INT64_MAX);
    r.optional_integer("redeemed_at_ms", &c.redeemed_at_ms, 0, INT64_MAX);
    r.optional_integer("points", &c.points, 0, INT64_MAX);
    r.optional_text("source", &c.source, 16);
    r.optional_text("receipt_id", &c.receipt_id, id_bytes_max);
    read_named(r, "reward", "id", &c.reward_id, &c.reward_name);
    if (r.has("qr_modules")) {
        auto rows = decode_qr_modules(r.at("qr_modules"), r.field("qr_modules"));
        if (rows.ok()) c.qr_modules = std::move(*rows.value);
    }
    return result(std::move(c), e);
}

Json encode_prize(const PrizeView& p) {
    Json j = {{"index", p.index}, {"id", p.id}, {"label", p.label}, {"kind", p.kind}};
    if (p.kind == "points") j["points"] = p.points;
    if (p.kind == "coupon") j["reward_id"] = p.reward_id;
    return j;
}

Decoded<PrizeView> decode_prize(const Json& j, std::string_view path) {
    PrizeView p;
    DecodeError e;
    ObjectReader r(j, std::string(path), &e);
    std::int64_t index = -1;
    r.integer("index", &index, 0, static_cast<std::int64_t>(prizes_max) - 1);
    r.text("id", &p.id, id_bytes_max);
    r.optional_text("label", &p.label, 100);
    r.text("kind", &p.kind, 16);
    r.optional_integer("points", &p.points, 0, INT64_MAX);
    r.optional_text("reward_id", &p.reward_id, id_bytes_max);
    p.index = static_cast<int>(index);
    return result(std::move(p), e);
}

Json encode_spin_proof(const SpinProof& p) {
    return {{"seed", p.seed},     {"commitment", p.commitment},     {"draw_seed", p.draw_seed},
            {"ticket", p.ticket}, {"total_weight", p.total_weight}, {"weights", p.weights}};
}

Decoded<SpinProof> decode_spin_proof(const Json& j, std::string_view path) {
    SpinProof p;
    DecodeError e;
    ObjectReader r(j, std::string(path), &e);
    r.text("seed", &p.seed, 64);
    r.text("commitment", &p.commitment, 64);
    r.optional_text("draw_seed", &p.draw_seed, 16);
    r.integer("ticket", &p.ticket, 0, INT64_MAX);
    r.integer("total_weight", &p.total_weight, 0, INT64_MAX);
    if (r.ok() && !r.has("weights")) r.fail("missing", r.field("weights"), "is required");
    if (r.has("weights")) {
        const Json& w = r.at("weights");
        if (!w.is_array() || w.size() > prizes_max)
            r.fail("wrong_type", r.field("weights"),
                   "must be an array of at most " + std::to_string(prizes_max) + " integers");
        for (std::size_t i = 0; r.ok() && i < w.size(); ++i) {
            if (!w[i].is_number_integer() || w[i].get<std::int64_t>() < 0)
                r.fail("wrong_type", index_path(r.field("weights"), i),
                       "must be a whole number, 0 or more");
            else
                p.weights.push_back(w[i].get<std::int64_t>());
        }
    }
    return result(std::move(p), e);
}

Json encode_operation_answer(const OperationAnswer& a) {
    Json j = Json::object();
    if (!a.operation_id.empty()) j["operation_id"] = a.operation_id;
    if (a.prize) j["prize"] = encode_prize(*a.prize);
    if (a.spin) j["spin"] = encode_spin_proof(*a.spin);
    if (a.coupon) j["coupon"] = encode_coupon(*a.coupon);
    if (a.member) j["member"] = encode_member(*a.member);
    return j;
}

Decoded<OperationAnswer> decode_operation_answer(const Json& j) {
    OperationAnswer a;
    DecodeError e;
    if (!j.is_object()) return {std::nullopt, {"wrong_type", "", "the answer is not an object"}};
    // Each part that is there decodes into *out, or stops the answer with its error.
    const auto part = [&](const char* key, auto decode, auto* out) {
        if (!e.code.empty() || !j.contains(key) || !j[key].is_object()) return;
        auto d = decode(j[key]);
        if (d.ok()) *out = std::move(d.value);
        e = d.error;
    };
    if (j.contains("operation_id") && j["operation_id"].is_string())
        a.operation_id = j["operation_id"].get<std::string>();
    part(
        "prize", [](const Json& p) { return decode_prize(p); }, &a.prize);
    // An older server's spin revealed a seed it had not committed to: nothing to check.
    if (j.contains("spin") && j["spin"].is_object() && j["spin"].contains("commitment"))
        part(
            "spin", [](const Json& p) { return decode_spin_proof(p); }, &a.spin);
    part(
        "coupon", [](const Json& c) { return decode_coupon(c); }, &a.coupon);
    part(
        "member", [](const Json& m) { return decode_member(m); }, &a.member);
    return result(std::move(a), e);
}

// [SECTION] Requests: {"operation_id", "member": {"id"}, and the write's own key}

namespace {
Json write_request(const std::string& op, const std::string& member, const char* key,
                   const std::string& value) {
    Json j = {{"operation_id", op}, {"member", {{"id", member}}}};
    if (!value.empty()) j[key] = value;
    return j;
}

// T is SpinRequest or RedeemRequest; `own` is the field the key fills.
template <class T>
Decoded<T> decode_write_request(const Json& j, const char* key, bool required,
                                std::string T::*own, std::size_t own_bytes_max) {
    T t;
    DecodeError e;
    ObjectReader r(j, "", &e);
    ledger::EntryId op;
    read_operation_id(r, &op);
    if (r.ok()) t.operation_id = ledger::to_hex(op);
    read_member_id(r, &t.member_id);
    if (required)
        r.text(key, &(t.*own), own_bytes_max);
    else
        r.optional_text(key, &(t.*own), own_bytes_max);
    r.reject_unknown({"operation_id", "member", key});
    return result(std::move(t), e);
}
}  // namespace

Json encode_spin_request(const SpinRequest& r) {
    return write_request(r.operation_id, r.member_id, "wheel_id", r.wheel_id);
}

Decoded<SpinRequest> decode_spin_request(const Json& j) {
    return decode_write_request(j, "wheel_id", false, &SpinRequest::wheel_id,
                                wheel_id_bytes_max);
}

Json encode_redeem_request(const RedeemRequest& r) {
    return write_request(r.operation_id, r.member_id, "reward_id", r.reward_id);
}

Decoded<RedeemRequest> decode_redeem_request(const Json& j) {
    return decode_write_request(j, "reward_id", true, &RedeemRequest::reward_id, id_bytes_max);
}

Json encode_operations_request(const std::vector<KioskOperation>& ops) {
    Json list = Json::array();
    for (const auto& op : ops) {
        Json one = op.request.is_object() ? op.request : Json::object();
        one["type"] = op.type;
        list.push_back(std::move(one));
    }
    return {{"operations", list}};
}

Decoded<std::vector<KioskOperation>> decode_operations_request(const Json& j) {
    std::vector<KioskOperation> ops;
    DecodeError e;
    ObjectReader r(j, "", &e);
    if (r.ok() && (!r.has("operations") || !r.at("operations").is_array()))
        r.fail("missing_field", "operations",
               "is required: an array of {\"type\": \"spin\" | \"redeem\", …}");
    if (r.ok() && r.at("operations").size() > operations_max)
        r.fail("out_of_range", "operations",
               "has more than " + std::to_string(operations_max) + " entries; send the rest next");
    r.reject_unknown({"operations"});
    if (!r.ok()) return {std::nullopt, e};
    for (const Json& op : j["operations"]) {
        KioskOperation o;
        o.request = op.is_object() ? op : Json::object();
        if (op.is_object() && op.contains("type") && op["type"].is_string())
            o.type = op["type"].get<std::string>();
        o.request.erase("type");
        ops.push_back(std::move(o));
    }
    return {std::move(ops), {}};
}

Json encode_operations_answer(const std::vector<OperationResult>& results) {
    Json list = Json::array();
    for (const auto& x : results)
        list.push_back({{"operation_id", x.operation_id}, {"status", x.status}, {"body", x.body}});
    return {{"results", list}};
}

Decoded<std::vector<OperationResult>> decode_operations_answer(const Json& j) {
    std::vector<OperationResult> results;
    DecodeError e;
    ObjectReader r(j, "", &e);
    if (r.ok() && !r.has("results")) r.fail("missing_field", "results", "is required");
    r.optional_array("results", operations_max, [&](ObjectReader& x, std::size_t) {
        OperationResult one;
        std::int64_t status = 0;
        x.integer("status", &status, 100, 599);
        one.status = static_cast<int>(status);
        if (x.has("operation_id")) one.operation_id = x.at("operation_id");
        if (x.has("body")) one.body = x.at("body");
        if (x.ok() && !one.body.is_object())
            x.fail("wrong_type", x.field("body"), "must be an object");
        results.push_back(std::move(one));
    });
    return result(std::move(results), e);
}

Json encode_code_request(const std::string& code) {
    return {{"code", code}};
}

Decoded<std::string> decode_code_request(const Json& j, std::size_t bytes_max,
                                         bool printable_only) {
    std::string code;
    DecodeError e;
    ObjectReader r(j, "", &e);
    if (printable_only)
        r.text("code", &code, bytes_max);
    else if (r.ok() && !r.has("code"))
        r.fail("missing_field", "code", "is required");
    else if (r.ok())
        read_string(j, "", "code", &code, &e, bytes_max);
    r.reject_unknown({"code"});
    return result(std::move(code), e);
}

// [SECTION] Pairing and errors

Json encode_pairing_answer(const PairingAnswer& a) {
    return {{"device_id", a.device_id},
            {"token", a.token},
            {"name", a.name},
            {"merchant", {{"code", a.merchant_code}, {"name", a.merchant_name}}}};
}

Decoded<PairingAnswer> decode_pairing_answer(const Json& j) {
    PairingAnswer a;
    DecodeError e;
    ObjectReader r(j, "", &e);
    r.optional_text("device_id", &a.device_id, id_bytes_max);
    r.text("token", &a.token, 256);
    r.optional_text("name", &a.name, name_bytes_max);
    read_named(r, "merchant", "code", &a.merchant_code, &a.merchant_name);
    return result(std::move(a), e);
}

Decoded<DecodeError> decode_error_json(const Json& j) {
    DecodeError body;
    DecodeError e;
    ObjectReader r(j, "", &e);
    if (r.ok() && (!r.has("error") || !r.at("error").is_object()))
        r.fail("missing_field", "error", "is required: an object with code and message");
    if (r.ok()) {
        ObjectReader err = r.child("error");
        err.text("code", &body.code, id_bytes_max);
        read_optional_string(r.at("error"), "error", "message", &body.message, &e, 4096);
        err.optional_text("field", &body.field, 256);
    }
    return result(std::move(body), e);
}

}  // namespace kopilka::codec
