#include "codec/widget_json.hpp"

#include "codec/ledger_json.hpp"
#include "codec/member_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "codec/theme_json.hpp"

namespace kopilka::codec {

namespace {
constexpr std::size_t id_bytes_max = 64;
constexpr std::size_t token_bytes_max = 256;
constexpr std::int64_t amount_max = INT64_MAX / 4;

template <class T>
Decoded<T> result(T value, const DecodeError& e) {
    if (!e.code.empty()) return {std::nullopt, e};
    return {std::move(value), {}};
}

Json text_or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

// A text that may be null or absent ("" then).
void read_nullable_text(ObjectReader& r, const char* key, std::string* out,
                        std::size_t bytes_max) {
    if (r.has(key) && !r.at(key).is_null()) r.optional_text(key, out, bytes_max);
}

Json encode_views(const WidgetViews& v) {
    return {{"history", v.history},
            {"redeem", v.redeem},
            {"referral", v.referral},
            {"spin", v.spin}};
}

void read_views(ObjectReader& r, WidgetViews* v, bool strict) {
    if (!r.has("views")) return;
    ObjectReader views = r.child("views");
    views.optional_flag("history", &v->history);
    views.optional_flag("redeem", &v->redeem);
    views.optional_flag("referral", &v->referral);
    views.optional_flag("spin", &v->spin);
    if (strict) views.reject_unknown({"history", "redeem", "referral", "spin"});
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "http" or "https" and what follows "://", or false.
bool split_scheme(std::string_view url, std::string_view* scheme, std::string_view* rest) {
    for (std::string_view s : {"http", "https"}) {
        if (url.size() > s.size() + 3 && url.substr(0, s.size()) == s &&
            url.substr(s.size(), 3) == "://") {
            *scheme = s;
            *rest = url.substr(s.size() + 3);
            return true;
        }
    }
    return false;
}

// A host as browsers serialise it: lower-case letters, digits, '-' and '.', or an IPv6
// address in brackets.
bool host_valid(std::string_view host) {
    if (host.empty()) return false;
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return false;
        for (char c : host.substr(1, host.size() - 2))
            if (!(is_digit(c) || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) return false;
        return true;
    }
    if (host.front() == '.' || host.back() == '.' || host.front() == '-') return false;
    for (char c : host)
        if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '.')) return false;
    return true;
}

// A URL the widget links to: http(s)://host… without spaces or control characters.
bool url_valid(std::string_view url) {
    std::string_view scheme, rest;
    if (!split_scheme(url, &scheme, &rest)) return false;
    for (char c : url)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    const std::size_t end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, end);
    return !authority.empty() && authority.find('@') == std::string_view::npos;
}

// "operation_id" as 32 lower-case hex digits.
void read_operation_hex(ObjectReader& r, std::string* out) {
    ledger::EntryId op;
    read_operation_id(r, &op);
    if (r.ok()) *out = ledger::to_hex(op);
}

void read_url(ObjectReader& r, const char* key, std::string* out) {
    read_nullable_text(r, key, out, widget_url_bytes_max);
    if (r.ok() && !out->empty() && !url_valid(*out))
        r.fail("invalid_value", r.field(key), "must be an http:// or https:// URL");
}
}  // namespace

// [SECTION] Settings

bool widget_origin_valid(std::string_view origin) {
    if (origin.size() > widget_origin_bytes_max) return false;
    std::string_view scheme, rest;
    if (!split_scheme(origin, &scheme, &rest)) return false;
    std::string_view host = rest;
    const std::size_t bracket = rest.rfind(']');
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = rest.substr(0, colon);
        const std::string_view port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.front() == '0') return false;
        std::int64_t n = 0;
        for (char c : port) {
            if (!is_digit(c)) return false;
            n = n * 10 + (c - '0');
        }
        if (n > 65535) return false;
        if ((scheme == "http" && n == 80) || (scheme == "https" && n == 443)) return false;
    }
    return host_valid(host);
}

Json encode_widget_settings(const WidgetSettings& s) {
    return {{"origins", s.origins},
            {"views", encode_views(s.views)},
            {"spin_wheel_id", text_or_null(s.spin_wheel_id)},
            {"theme_id", text_or_null(s.theme_id)},
            {"signup_url", s.signup_url},
            {"signin_url", s.signin_url},
            {"referral_url", s.referral_url},
            {"version", s.version}};
}

Decoded<WidgetSettings> decode_widget_settings(const Json& j) {
    WidgetSettings s;
    DecodeError e;
    ObjectReader r(j, "", &e);
    r.optional_texts("origins", &s.origins, widget_origins_max);
    for (std::size_t i = 0; r.ok() && i < s.origins.size(); ++i) {
        if (!widget_origin_valid(s.origins[i]))
            r.fail("invalid_value", index_path("origins", i),
                   "must be an origin as a browser sends it: http(s)://host[:port], lower case, "
                   "no path, no default port");
        for (std::size_t k = 0; r.ok() && k < i; ++k)
            if (s.origins[k] == s.origins[i])
                r.fail("invalid_value", index_path("origins", i), "is listed twice");
    }
    read_views(r, &s.views, true);
    read_nullable_text(r, "spin_wheel_id", &s.spin_wheel_id, wheel_id_bytes_max);
    read_nullable_text(r, "theme_id", &s.theme_id, theme_id_bytes_max);
    read_url(r, "signup_url", &s.signup_url);
    read_url(r, "signin_url", &s.signin_url);
    read_url(r, "referral_url", &s.referral_url);
    if (r.ok() && !s.referral_url.empty() && s.referral_url.find("{code}") == std::string::npos)
        r.fail("invalid_value", "referral_url", "must hold {code} where the member's code goes");
    r.optional_integer("version", &s.version, 0, INT64_MAX);
    if (r.ok() && s.views.spin && s.spin_wheel_id.empty())
        r.fail("missing_field", "spin_wheel_id", "is required when views.spin is true");
    r.reject_unknown({"origins", "views", "spin_wheel_id", "theme_id", "signup_url", "signin_url",
                      "referral_url", "version"});
    return result(std::move(s), e);
}

// [SECTION] Public config

Json encode_widget_config(const WidgetConfig& c) {
    const std::string currency(money::currency_info(c.currency).code);
    return {{"version", c.version},
            {"merchant",
             {{"code", c.merchant_code}, {"name", c.merchant_name}, {"currency", currency}}},
            {"program", encode_program(c.program)},
            {"program_version", c.program_version},
            {"theme", c.has_theme ? encode_theme(c.theme) : Json(nullptr)},
            {"views", encode_views(c.views)},
            {"wheel", c.wheel ? encode_kiosk_wheel(*c.wheel) : Json(nullptr)},
            {"signup_url", c.signup_url},
            {"signin_url", c.signin_url},
            {"pictures", c.pictures}};
}

Decoded<WidgetConfig> decode_widget_config(const Json& j) {
    WidgetConfig c;
    DecodeError e;
    ObjectReader r(j, "", &e);
    read_config_head(r, &c.version, &c.merchant_code, &c.merchant_name, &c.currency);
    if (r.ok() && !r.has("program")) r.fail("missing_field", "program", "is required");
    r.optional_integer("program_version", &c.program_version, 0, INT64_MAX);
    read_views(r, &c.views, false);
    r.optional_text("signup_url", &c.signup_url, widget_url_bytes_max);
    r.optional_text("signin_url", &c.signin_url, widget_url_bytes_max);
    if (r.has("pictures") && !r.at("pictures").is_null()) {
        const Json& p = r.at("pictures");
        if (!p.is_object()) r.fail("wrong_type", "pictures", "must be an object");
        for (auto it = p.begin(); r.ok() && p.is_object() && it != p.end(); ++it) {
            const std::string* url = it->get_ptr<const std::string*>();
            if (!url || url->size() > widget_url_bytes_max ||
                (url->compare(0, widget_picture_path.size(), widget_picture_path) != 0 &&
                 url->compare(0, 8, "https://") != 0))
                r.fail(
                    "invalid_value", "pictures." + it.key(),
                    "must be a " + std::string(widget_picture_path) + "… path or an https:// URL");
            else
                c.pictures[it.key()] = *url;
        }
    }
    // Each nested document decodes with its own codec; its error's field is put under ours.
    const auto nested = [&](const char* key, auto decode, auto on_value) {
        if (!r.ok() || !r.has(key) || r.at(key).is_null()) return;
        auto d = decode(r.at(key));
        if (d.ok()) return on_value(std::move(*d.value));
        e = d.error;
        e.field = e.field.empty() ? std::string(key) : join_path(key, e.field);
    };
    nested(
        "program", [](const Json& p) { return decode_program(p); },
        [&](program::Program p) { c.program = std::move(p); });
    nested(
        "theme", [](const Json& t) { return decode_theme(t); },
        [&](theme::Theme t) {
            c.theme = std::move(t);
            c.has_theme = true;
        });
    nested(
        "wheel", [](const Json& w) { return decode_kiosk_wheel(w, ""); },
        [&](WheelView w) { c.wheel = std::move(w); });
    if (e.code.empty() && !c.has_theme && !c.merchant_name.empty()) c.theme.name = c.merchant_name;
    return result(std::move(c), e);
}

// [SECTION] Session

Json encode_widget_session(const WidgetSession& s) {
    return {{"token", s.token},
            {"expires_at_ms", s.expires_at_ms},
            {"member", encode_member(s.member)}};
}

Decoded<WidgetSession> decode_widget_session(const Json& j) {
    WidgetSession s;
    DecodeError e;
    ObjectReader r(j, "", &e);
    r.text("token", &s.token, token_bytes_max);
    r.integer("expires_at_ms", &s.expires_at_ms, 0, INT64_MAX);
    if (r.ok() && !r.has("member")) r.fail("missing_field", "member", "is required");
    if (r.ok()) {
        auto m = decode_member(r.at("member"));
        if (m.ok()) s.member = std::move(*m.value);
        else e = m.error;
    }
    return result(std::move(s), e);
}

// [SECTION] Member routes

Json encode_history_page(const HistoryPage& p) {
    Json entries = Json::array();
    for (const auto& x : p.entries)
        entries.push_back({{"id", x.id},
                           {"reason", x.entry.reason},
                           {"rule", x.entry.rule},
                           {"at_ms", x.entry.at_ms},
                           {"points", x.entry.points}});
    return {{"entries", entries}, {"next_before", text_or_null(p.next_before)}};
}

Decoded<HistoryPage> decode_history_page(const Json& j) {
    HistoryPage p;
    DecodeError e;
    ObjectReader r(j, "", &e);
    if (r.ok() && !r.has("entries")) r.fail("missing_field", "entries", "is required");
    r.optional_array("entries", static_cast<std::size_t>(history_page_max),
                     [&](ObjectReader& x, std::size_t) {
                         HistoryEntryView v;
                         x.text("id", &v.id, id_bytes_max);
                         x.text("reason", &v.entry.reason, 32);
                         x.optional_text("rule", &v.entry.rule, 128);
                         x.integer("at_ms", &v.entry.at_ms, 0, amount_max);
                         x.integer("points", &v.entry.points, -amount_max, amount_max);
                         p.entries.push_back(std::move(v));
                     });
    read_nullable_text(r, "next_before", &p.next_before, 128);
    return result(std::move(p), e);
}

Json encode_widget_redeem_request(const WidgetRedeemRequest& r) {
    return {{"operation_id", r.operation_id}, {"reward_id", r.reward_id}};
}

Decoded<WidgetRedeemRequest> decode_widget_redeem_request(const Json& j) {
    WidgetRedeemRequest w;
    DecodeError e;
    ObjectReader r(j, "", &e);
    read_operation_hex(r, &w.operation_id);
    r.text("reward_id", &w.reward_id, id_bytes_max);
    r.reject_unknown({"operation_id", "reward_id"});
    return result(std::move(w), e);
}

Json encode_widget_spin_request(const WidgetSpinRequest& r) {
    return {{"operation_id", r.operation_id}};
}

Decoded<WidgetSpinRequest> decode_widget_spin_request(const Json& j) {
    WidgetSpinRequest w;
    DecodeError e;
    ObjectReader r(j, "", &e);
    read_operation_hex(r, &w.operation_id);
    r.reject_unknown({"operation_id"});
    return result(std::move(w), e);
}

Json encode_referral(const ReferralView& r) {
    return {{"code", r.code},
            {"link", r.link},
            {"inviter_points", r.inviter_points},
            {"invitee_points", r.invitee_points},
            {"first_receipt_min", r.first_receipt_min},
            {"invited_this_month", r.invited_this_month},
            {"per_month_max", r.per_month_max}};
}

Decoded<ReferralView> decode_referral(const Json& j) {
    ReferralView v;
    DecodeError e;
    ObjectReader r(j, "", &e);
    r.text("code", &v.code, 32);
    r.optional_text("link", &v.link, widget_url_bytes_max + 32);
    r.optional_integer("inviter_points", &v.inviter_points, 0, amount_max);
    r.optional_integer("invitee_points", &v.invitee_points, 0, amount_max);
    r.optional_integer("first_receipt_min", &v.first_receipt_min, 0, amount_max);
    r.optional_integer("invited_this_month", &v.invited_this_month, 0, amount_max);
    r.optional_integer("per_month_max", &v.per_month_max, 0, amount_max);
    return result(std::move(v), e);
}

}  // namespace kopilka::codec
