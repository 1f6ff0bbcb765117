// Admin API: themes, stored as the merchant's documents of kind "theme".
// Implemented: GET /v1/admin/themes, GET/PUT/DELETE /v1/admin/themes/{id}. A theme is
// checked by shared/codec/theme_json and stored in its canonical form (every field), so the
// kiosk and widget never meet a theme they can't read.
// Missing: choosing which theme a kiosk or the widget uses (kiosk settings documents).
#include "api/admin.hpp"

#include "api/member_write.hpp"
#include "api/staff.hpp"
#include "codec/theme_json.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr const char* kKind = "theme";
constexpr std::size_t kThemeIdBytesMax = 64;

// Theme ids go into URLs and file names: lower-case letters, digits, '-' and '_'.
bool theme_id_valid(const std::string& id) {
    if (id.empty() || id.size() > kThemeIdBytesMax) return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

Json theme_answer(const DocumentRecord& d) {
    return Json{{"id", d.doc_id}, {"version", d.version}, {"updated_at_ms", d.updated_at_ms},
                {"theme", Json::parse(d.document)}};
}

ApiResult not_found(const std::string& id) {
    return api_error(404, "not_found", "no theme \"" + id + "\"", "id");
}
}  // namespace

ApiResult admin_list_themes(Store& store, const Caller& caller) {
    Json themes = Json::array();
    for (const DocumentRecord& d : store.documents(caller.merchant_id, kKind))
        themes.push_back(theme_answer(d));
    return {200, Json{{"themes", themes}}, caller.merchant_id};
}

ApiResult admin_get_theme(Store& store, const Caller& caller, const std::string& theme_id) {
    const auto d = theme_id_valid(theme_id) ? store.document(caller.merchant_id, kKind, theme_id)
                                            : std::nullopt;
    if (!d) return not_found(theme_id);
    return {200, theme_answer(*d), caller.merchant_id};
}

ApiResult admin_put_theme(Store& store, const Caller& caller, const std::string& theme_id,
                          const std::string& body, std::optional<std::int64_t> if_version,
                          std::int64_t now_ms) {
    if (!theme_id_valid(theme_id))
        return api_error(400, "invalid_value", "id must be 1 to 64 of a-z, 0-9, '-' and '_'", "id");
    ApiResult unreadable;
    const auto j = parse_body(body, &unreadable);
    if (!j) return unreadable;
    const auto t = codec::decode_theme(*j);
    if (!t.ok()) return {400, codec::error_json(t.error), caller.merchant_id};
    DocumentRecord d;
    d.merchant_id = caller.merchant_id;
    d.kind = kKind;
    d.doc_id = theme_id;
    const Json after = codec::encode_theme(*t.value);
    d.document = after.dump();
    std::int64_t version = 0;
    try {
        version = store.put_document(
            d, now_ms,
            audited(caller, "theme.save", theme_id,
                    stored_document(store, caller.merchant_id, kKind, theme_id), after, now_ms,
                    if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200, Json{{"id", theme_id}, {"version", version}}, caller.merchant_id};
}

ApiResult admin_delete_theme(Store& store, const Caller& caller, const std::string& theme_id,
                             std::optional<std::int64_t> if_version, std::int64_t now_ms) {
    try {
        if (!theme_id_valid(theme_id) ||
            !store.delete_document(caller.merchant_id, kKind, theme_id,
                                   audited(caller, "theme.delete", theme_id,
                                           stored_document(store, caller.merchant_id, kKind,
                                                           theme_id),
                                           nullptr, now_ms, if_version)))
            return not_found(theme_id);
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200, Json{{"id", theme_id}, {"deleted", true}}, caller.merchant_id};
}

}  // namespace kopilka::server
