#include "api/widget.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "api/coupons.hpp"
#include "api/decoded_documents.hpp"
#include "api/kiosk_config.hpp"
#include "api/member_write.hpp"
#include "api/spins.hpp"
#include "api/staff.hpp"
#include "api/wheel_state.hpp"
#include "auth/credentials.hpp"
#include "auth/member_token.hpp"
#include "core/crypto/sha256.hpp"
#include "core/url.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr std::size_t session_random_bytes = 32;
constexpr std::size_t session_token_bytes_max = 64;
constexpr std::int64_t history_page_default = 20;

ApiResult refused(int status, const std::string& code, const std::string& message,
                  const std::string& field, const std::string& merchant_id) {
    ApiResult r = api_error(status, code, message, field);
    r.merchant_id = merchant_id;
    return r;
}

std::string sha256_hex(const std::string& text) {
    const crypto::Digest d = crypto::sha256(text);
    return crypto::to_hex(d.data(), d.size());
}

std::string new_session_token() {
    std::uint8_t bytes[session_random_bytes];
    auth::random_device_bytes(bytes, sizeof bytes);
    return "kws_" + auth::base64url_encode(
                        std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// The wheel whose spins the widget's snapshots count: the online one, else the kiosk's.
std::string online_wheel(const WidgetSettings& s) {
    return s.views.spin ? s.spin_wheel_id : "";
}

// A limit from the query: 1..history_page_max, the default when absent.
std::optional<std::int64_t> page_limit(const std::string& text) {
    if (text.empty()) return history_page_default;
    if (text.size() > 2 || !std::all_of(text.begin(), text.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; }))
        return std::nullopt;
    const std::int64_t n = std::stoll(text);
    if (n < 1 || n > codec::history_page_max) return std::nullopt;
    return n;
}
}  // namespace

// [SECTION] Settings

WidgetSettings load_widget_settings(Store& store, const std::string& merchant_id) {
    const auto d = store.document(merchant_id, "widget", "settings");
    if (!d) return WidgetSettings{};
    const auto s = decode_document<WidgetSettings>(*d, codec::decode_widget_settings);
    if (!s) return WidgetSettings{};  // written by us: never happens
    WidgetSettings out = *s;
    out.version = d->version;
    return out;
}

ApiResult get_widget_settings(Store& store, const Caller& caller) {
    return {200,
            Json{{"settings",
                  codec::encode_widget_settings(load_widget_settings(store, caller.merchant_id))}},
            caller.merchant_id};
}

ApiResult put_widget_settings(Store& store, const Caller& caller, const Json& body,
                              std::optional<std::int64_t> if_version,
                              std::int64_t now_ms) {
    const auto decoded = codec::decode_widget_settings(body);
    if (!decoded.ok()) return bad_request(decoded.error);
    WidgetSettings s = *decoded.value;
    const std::string& merchant = caller.merchant_id;
    if (!s.theme_id.empty() && !store.document(merchant, "theme", s.theme_id))
        return refused(400, "invalid_value", "theme_id names no theme of this merchant",
                       "theme_id", merchant);
    if (!s.spin_wheel_id.empty() && !load_wheel(store, merchant, s.spin_wheel_id))
        return refused(400, "invalid_value", "spin_wheel_id names no wheel of this merchant",
                       "spin_wheel_id", merchant);
    Json stored = codec::encode_widget_settings(s);
    stored.erase("version");  // the store numbers versions
    try {
        s.version = store.put_document(
            {merchant, "widget", "settings", 0, stored.dump(), now_ms}, now_ms,
            audited(caller, "widget_settings.save", "settings",
                    stored_document(store, merchant, "widget", "settings"), stored, now_ms,
                    if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200, Json{{"settings", codec::encode_widget_settings(s)}}, merchant};
}

// [SECTION] Config

namespace {
constexpr std::string_view kDataImage = "data:image/";

// The rewards' pictures uploaded in the console ("data:image/png;base64,…": the program codec
// checked the type and the base64), by reward id, with their bytes and tags (the first 16 hex
// digits of the data URL's SHA-256: the v= of the address and the ETag).
using RewardPictures = std::map<std::string, WidgetPicture>;

RewardPictures decode_pictures(const program::Program& program) {
    RewardPictures out;
    for (const program::Reward& r : program.rewards) {
        if (r.image.compare(0, kDataImage.size(), kDataImage) != 0) continue;  // https:// or none
        const std::size_t comma = r.image.find(";base64,");
        if (comma == std::string::npos) continue;
        std::string b64 = r.image.substr(comma + 8);
        while (!b64.empty() && b64.back() == '=') b64.pop_back();
        for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
        WidgetPicture p;
        if (b64.empty() || !auth::base64url_decode(b64, &p.bytes)) continue;
        p.content_type = r.image.substr(5, comma - 5);
        const crypto::Digest d = crypto::sha256(r.image);
        p.tag = crypto::to_hex(d.data(), 8);
        out.emplace(r.id, std::move(p));
    }
    return out;
}

// The uploaded pictures of the program in force: decoded and hashed once per program version
// (the decoded cache, against the version's stored text), not on every config or picture
// request; empty when the merchant has no program.
std::shared_ptr<const RewardPictures> reward_pictures(Store& store, const std::string& merchant_id,
                                                      std::int64_t now_ms) {
    const auto record = store.current_program(merchant_id, now_ms);
    if (!record) return std::make_shared<const RewardPictures>();
    return decoded_cache().get<RewardPictures>(
        {merchant_id, "reward_pictures", "", record->version}, record->document,
        [&]() -> std::shared_ptr<const RewardPictures> {
            const auto program = decoded_program(*record);
            return std::make_shared<const RewardPictures>(program ? decode_pictures(*program)
                                                                  : RewardPictures{});
        });
}

// Where a visitor's panel loads the reward's picture (WidgetConfig::pictures): the server's
// address for an uploaded one, the merchant's own https:// URL, "" when there is none.
std::string picture_address(const MerchantRecord& merchant, const program::Reward& r,
                            const RewardPictures& pictures) {
    if (r.image.compare(0, kDataImage.size(), kDataImage) != 0) return r.image;
    const auto p = pictures.find(r.id);
    if (p == pictures.end()) return "";  // published a moment ago: in the next config
    return std::string(codec::widget_picture_path) + "merchant=" + url_component(merchant.code) +
           "&reward=" + url_component(r.id) + "&v=" + p->second.tag;
}
}  // namespace

std::optional<MerchantRecord> widget_merchant(Store& store, const std::string& name) {
    if (name.empty() || name.size() > 64) return std::nullopt;
    std::string code = name;
    for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (auto m = store.merchant_by_code(code)) return m;
    return store.merchant_by_id(name);
}

std::optional<MerchantRecord> widget_merchant(Store& store, const std::string& name,
                                              ApiResult* refused) {
    auto merchant = widget_merchant(store, name);
    if (!merchant)
        *refused = name.empty()
                       ? api_error(400, "missing_field", "merchant is required", "merchant")
                       : api_error(404, "not_found", "no merchant has this code", "merchant");
    return merchant;
}

ApiResult widget_config(Store& store, const MerchantRecord& merchant, std::int64_t now_ms,
                        std::string* etag) {
    const std::string& id = merchant.merchant_id;
    ApiResult no_program;
    std::int64_t program_version = 0;
    const auto program = usable_program(store, id, now_ms, &no_program, &program_version);
    if (!program) return no_program;
    const WidgetSettings settings = load_widget_settings(store, id);
    codec::WidgetConfig c;
    c.merchant_code = merchant.code;
    c.merchant_name = merchant.name;
    c.currency = program->currency;
    c.program = *program;
    c.program.coalition.reset();  // the coalition's clearing is between merchants
    // Every visitor who opens the widget downloads this: the rewards' pictures are addresses
    // the panel loads when it shows them.
    const auto pictures = reward_pictures(store, id, now_ms);
    for (auto& r : c.program.rewards) {
        if (std::string address = picture_address(merchant, r, *pictures); !address.empty())
            c.pictures[r.id] = std::move(address);
        r.image.clear();
    }
    c.program_version = program_version;
    const std::string theme_id =
        settings.theme_id.empty() ? load_kiosk_settings(store, id).theme_id : settings.theme_id;
    if (const auto theme = live_theme(store, id, theme_id)) {
        c.theme = *theme;
        c.has_theme = true;
    }
    c.views = settings.views;
    if (settings.views.spin)
        if (const auto w = load_wheel(store, id, settings.spin_wheel_id))
            c.wheel = kiosk_wheel_view(
                *w,
                wheel_state(w->config, decode_wheel_ledger(store.shared_state(id, "wheel", w->id)),
                            now_ms));
    c.signup_url = settings.signup_url;
    c.signin_url = settings.signin_url;
    Json body = codec::encode_widget_config(c);
    *etag = stamp_version(&body);
    return {200, std::move(body), id};
}

std::shared_ptr<const WidgetPicture> widget_picture(Store& store, const MerchantRecord& merchant,
                                                    const std::string& reward_id,
                                                    std::int64_t now_ms, ApiResult* error) {
    const auto program = usable_program(store, merchant.merchant_id, now_ms, error, nullptr);
    if (!program) return nullptr;
    const auto& rs = program->rewards;
    if (std::none_of(rs.begin(), rs.end(),
                     [&](const program::Reward& w) { return w.id == reward_id; })) {
        *error = api_error(404, "not_found", "the program has no reward with this id", "reward");
        return nullptr;
    }
    const auto pictures = reward_pictures(store, merchant.merchant_id, now_ms);
    const auto p = pictures->find(reward_id);
    if (p == pictures->end()) {
        *error = api_error(404, "not_found",
                           "the reward has no uploaded picture (an https:// one is loaded from "
                           "its own address)",
                           "reward");
        return nullptr;
    }
    return std::shared_ptr<const WidgetPicture>(pictures, &p->second);
}

// [SECTION] Sessions

ApiResult open_session(Store& store, const std::string& member_token,
                       const MerchantRecord* expected, std::int64_t now_ms) {
    auth::MemberTokenOptions options;
    if (expected) options.expected_merchant_id = expected->merchant_id;
    const auto verified = auth::verify_member_token(
        member_token,
        [&store](std::string_view merchant_id) -> std::optional<std::string> {
            const auto m = store.merchant_by_id(std::string(merchant_id));
            if (!m) return std::nullopt;
            return member_token_secret(m->card_secret);
        },
        now_ms / 1000, options);
    const std::string expected_id = expected ? expected->merchant_id : "";
    if (verified.status != auth::MemberTokenStatus::ok)
        return refused(401, std::string("token_") + auth::status_name(verified.status),
                       std::string("the member token is not valid: ") +
                           auth::status_name(verified.status) +
                           (verified.detail.empty() ? "" : " (" + verified.detail + ")"),
                       "Authorization", expected_id);
    const auth::MemberClaims& claims = verified.claims;
    if (claims.nonce.empty())
        return refused(401, "token_without_nonce",
                       "the member token has no nonce: the widget takes only single-use tokens "
                       "(\"nonce\": a random string, new for every token)",
                       "Authorization", claims.merchant_id);
    const auto merchant = store.merchant_by_id(claims.merchant_id);
    const auto member = merchant ? store.member_by_id(claims.merchant_id, claims.member_id)
                                 : std::nullopt;
    if (!member)
        return refused(404, "not_found", "the token's member does not exist", "Authorization",
                       claims.merchant_id);
    if (auto erased = refuse_erased(*member, "Authorization")) {
        erased->merchant_id = claims.merchant_id;
        return *erased;
    }
    const std::string token = new_session_token();
    const WidgetSessionRecord session{sha256_hex(token), claims.merchant_id, claims.member_id,
                                      claims.expires_at_s * 1000};
    if (!store.open_widget_session(claims.nonce, session, now_ms))
        return refused(401, "token_replayed",
                       "this member token was exchanged before; ask the site for a new one",
                       "Authorization", claims.merchant_id);
    const std::string wheel = online_wheel(load_widget_settings(store, merchant->merchant_id));
    ApiResult answer = member_answer(store, *merchant, *member, now_ms, wheel);
    if (answer.status != 200) return answer;
    // encode_widget_session's shape, with the snapshot as member_answer encoded it
    answer.status = 201;
    answer.body = Json{{"token", token},
                       {"expires_at_ms", session.expires_at_ms},
                       {"member", std::move(answer.body["member"])}};
    return answer;
}

std::optional<WidgetMember> session_member(Store& store, const std::string& session_token,
                                           std::int64_t now_ms, ApiResult* err,
                                           std::string* merchant_id) {
    const auto record = session_token.rfind("kws_", 0) == 0 &&
                                session_token.size() <= session_token_bytes_max
                            ? store.widget_session(sha256_hex(session_token))
                            : std::nullopt;
    if (!record) {
        *err = refused(401, "session_unknown",
                       "the widget session is not known; open one with POST /v1/widget/session",
                       "Authorization", "");
        return std::nullopt;
    }
    *merchant_id = record->merchant_id;
    if (record->expires_at_ms <= now_ms) {
        *err = refused(401, "session_expired",
                       "the widget session expired; open a new one with a new member token",
                       "Authorization", record->merchant_id);
        return std::nullopt;
    }
    auto merchant = store.merchant_by_id(record->merchant_id);
    auto member = merchant ? store.member_by_id(record->merchant_id, record->member_id)
                           : std::nullopt;
    if (!member) {
        *err = refused(404, "not_found", "the session's member does not exist", "Authorization",
                       record->merchant_id);
        return std::nullopt;
    }
    if (auto erased = refuse_erased(*member, "Authorization")) {
        *err = *erased;
        err->merchant_id = record->merchant_id;
        return std::nullopt;
    }
    return WidgetMember{std::move(*merchant), std::move(*member),
                        load_widget_settings(store, record->merchant_id)};
}

// [SECTION] Member routes

ApiResult not_enabled(const WidgetMember& w, const char* view) {
    return refused(404, "not_enabled",
                   std::string("the merchant has not turned on the widget's ") + view + " view",
                   std::string("views.") + view, w.merchant.merchant_id);
}

ApiResult widget_me(Store& store, const WidgetMember& w, std::int64_t now_ms) {
    return member_answer(store, w.merchant, w.member, now_ms, online_wheel(w.settings));
}

ApiResult widget_history(Store& store, const WidgetMember& w, const std::string& before,
                         const std::string& limit_text, std::int64_t now_ms) {
    const std::string& merchant = w.merchant.merchant_id;
    if (!w.settings.views.history) return not_enabled(w, "history");
    const auto limit = page_limit(limit_text);
    if (!limit)
        return refused(400, "out_of_range",
                       "limit must be a whole number from 1 to " +
                           std::to_string(codec::history_page_max),
                       "limit", merchant);
    // Newest first: the expiries that fell due since the member's last write (applied on read
    // as every answer does, not stored yet), then a keyset page of the stored entries that
    // changed the balance. `before` is the last line's id, of either kind.
    codec::HistoryPage page;
    bool cursor_known = true;
    store.read_member(merchant, w.member.member_id, [&](MemberTx& tx) {
        page = {};
        const auto add = [&](const ledger::Entry& e) {
            page.entries.push_back({ledger::to_hex(e.id),
                                    {std::string(ledger::reason_name(e.reason)), e.rule, e.at_ms,
                                     ledger::member_delta(e)}});
        };
        std::size_t stored = 0;
        const ledger::Ledger l = load_ledger(tx, now_ms, &stored);
        std::vector<const ledger::Entry*> due;
        for (std::size_t k = l.entries().size(); k > stored; --k)
            if (ledger::member_delta(l.entries()[k - 1]) != 0) due.push_back(&l.entries()[k - 1]);
        std::size_t from = 0;
        std::int64_t before_seq = -1;
        if (!before.empty()) {
            const auto at = std::find_if(due.begin(), due.end(), [&](const ledger::Entry* e) {
                return ledger::to_hex(e->id) == before;
            });
            if (at != due.end()) {
                from = static_cast<std::size_t>(at - due.begin()) + 1;
            } else if (const auto seq = tx.entry_seq(before)) {
                from = due.size();
                before_seq = *seq;
            } else {
                cursor_known = false;
                return;
            }
        }
        const auto wanted = static_cast<std::size_t>(*limit);
        for (std::size_t k = from; k < due.size() && page.entries.size() < wanted; ++k)
            add(*due[k]);
        bool older = from + page.entries.size() < due.size();
        if (!older) {
            // A full page of due lines asks only whether stored ones follow (limit 0).
            const std::size_t rest = wanted - page.entries.size();
            const HistoryPage stored_page = tx.history_page(before_seq, rest);
            for (const auto& [seq, e] : stored_page.entries) add(e);
            older = rest == 0 ? stored_page.total > 0
                              : stored_page.newer +
                                        static_cast<std::int64_t>(stored_page.entries.size()) <
                                    stored_page.total;
        }
        if (older && !page.entries.empty()) page.next_before = page.entries.back().id;
    });
    if (!cursor_known)
        return refused(400, "invalid_value",
                       "before is not a cursor of this member's history (next_before)", "before",
                       merchant);
    return {200, codec::encode_history_page(page), merchant};
}

// Both writes go through the kiosk's own route code with the session's member: one path for
// a redemption or a spin, wherever it comes from.
ApiResult widget_redeem(Store& store, const WidgetMember& w, const Json& body,
                        std::int64_t now_ms) {
    if (!w.settings.views.redeem) return not_enabled(w, "redeem");
    const auto request = codec::decode_widget_redeem_request(body);
    if (!request.ok()) return bad_request(request.error);
    const codec::RedeemRequest kiosk{request.value->operation_id, w.member.member_id,
                                     request.value->reward_id};
    return post_kiosk_redeem(store, {w.merchant.merchant_id, "widget", ""},
                             codec::encode_redeem_request(kiosk), now_ms);
}

ApiResult widget_spin(Store& store, const WidgetMember& w, const Json& body, std::int64_t now_ms) {
    if (!w.settings.views.spin || w.settings.spin_wheel_id.empty()) return not_enabled(w, "spin");
    const auto request = codec::decode_widget_spin_request(body);
    if (!request.ok()) return bad_request(request.error);
    const codec::SpinRequest kiosk{request.value->operation_id, w.member.member_id,
                                   w.settings.spin_wheel_id};
    return post_spin(store, {w.merchant.merchant_id, "widget", ""},
                     codec::encode_spin_request(kiosk), now_ms);
}

}  // namespace kopilka::server
