// Admin API: themes, stored as the merchant's documents of kind "theme", every saved version
// kept; the published one is a document of kind "publication", id "theme" ({"theme_id",
// "version"}), which kiosks and the widget show (api/kiosk_config.hpp, live_theme).
// Implemented: GET /v1/admin/themes, GET/PUT/DELETE /v1/admin/themes/{id} (If-Match
// versions), GET …/{id}/versions and …/versions/{version} (who saved each), POST
// …/{id}/publish (WCAG AA checked by core/theme/contrast; a failing version needs
// confirm_low_contrast), GET /v1/admin/themes/published. A theme is checked by
// shared/codec/theme_json and stored in its canonical form (every field), so the kiosk and
// widget never meet a theme they can't read. The published theme can't be deleted.
// Missing: publishing per kiosk (every kiosk and the widget show the one published theme).
#include "api/admin.hpp"

#include "api/member_write.hpp"
#include "api/staff.hpp"
#include "api/kiosk_config.hpp"
#include "codec/object_reader.hpp"
#include "codec/theme_json.hpp"
#include "core/theme/contrast.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr const char* kKind = "theme";
constexpr std::size_t kThemeIdBytesMax = 64;

// Theme ids go into URLs and file names: lower-case letters, digits, '-' and '_'; "published"
// names the publication's route.
bool theme_id_valid(const std::string& id) {
    if (id.empty() || id.size() > kThemeIdBytesMax || id == "published") return false;
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

Json author_json(const DocumentRecord& d) {
    if (d.by_kind.empty()) return nullptr;
    return Json{{"kind", d.by_kind}, {"id", d.by_id}, {"label", d.by_label}};
}

// The WCAG AA failures of a stored theme version, as the console lists them.
Json contrast_failures(const theme::Theme& t) {
    Json out = Json::array();
    for (const theme::ContrastPair& p : theme::contrast_pairs(t))
        if (!p.passes_aa)
            out.push_back({{"pair", p.text + "/" + p.background},
                           {"ratio_x100", static_cast<std::int64_t>(p.ratio * 100)}});
    return out;
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
    if (const auto p = published_theme(store, caller.merchant_id);
        p && (*p)["theme_id"] == theme_id)
        return api_error(409, "theme_published",
                         "kiosks and the widget show this theme; publish another one first", "id");
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

ApiResult admin_theme_versions(Store& store, const Caller& caller, const std::string& theme_id) {
    const auto versions = theme_id_valid(theme_id)
                              ? store.document_versions(caller.merchant_id, kKind, theme_id, 0)
                              : std::vector<DocumentRecord>{};
    if (versions.empty()) return not_found(theme_id);
    Json out = Json::array();
    for (const DocumentRecord& d : versions)
        out.push_back(
            {{"version", d.version}, {"updated_at_ms", d.updated_at_ms}, {"by", author_json(d)}});
    return {200, Json{{"id", theme_id}, {"versions", out}}, caller.merchant_id};
}

ApiResult admin_theme_version(Store& store, const Caller& caller, const std::string& theme_id,
                              const std::string& version) {
    std::int64_t v = 0;
    ApiResult err;
    if (!query_integer("version", version, 1, INT64_MAX / 10, &v, &err)) return err;
    const auto found = theme_id_valid(theme_id)
                           ? store.document_versions(caller.merchant_id, kKind, theme_id, v)
                           : std::vector<DocumentRecord>{};
    if (found.empty())
        return api_error(404, "not_found", "theme \"" + theme_id + "\" has no such version",
                         "version");
    Json out = theme_answer(found[0]);
    out["by"] = author_json(found[0]);
    return {200, out, caller.merchant_id};
}

ApiResult admin_publish_theme(Store& store, const Caller& caller, const std::string& theme_id,
                              const std::string& body, std::int64_t now_ms) {
    std::int64_t version = 0;
    bool confirm = false;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) {
        codec::DecodeError e;
        codec::ObjectReader r(j, "", &e);
        r.integer("version", &version, 1, INT64_MAX / 10);
        r.optional_flag("confirm_low_contrast", &confirm);
        r.reject_unknown({"version", "confirm_low_contrast"});
        if (!r.ok()) err = bad_request(e);
        return r.ok();
    });
    if (!j) return err;
    const auto found = theme_id_valid(theme_id)
                           ? store.document_versions(caller.merchant_id, kKind, theme_id, version)
                           : std::vector<DocumentRecord>{};
    const auto theme = found.empty() ? std::nullopt
                                     : codec::decode_theme(Json::parse(found[0].document)).value;
    if (!theme)
        return api_error(404, "not_found", "theme \"" + theme_id + "\" has no such version",
                         "version");
    const Json failures = contrast_failures(*theme);
    if (!failures.empty() && !confirm) {
        ApiResult r = api_error(409, "low_contrast",
                                "this version fails WCAG AA contrast (4.5:1) in " +
                                    std::to_string(failures.size()) +
                                    " pairs; publish with confirm_low_contrast to use it anyway",
                                "confirm_low_contrast");
        r.body["error"]["failures"] = failures;
        r.merchant_id = caller.merchant_id;
        return r;
    }
    const Json published = {{"theme_id", theme_id}, {"version", version}};
    const auto before = published_theme(store, caller.merchant_id);
    store.put_document({caller.merchant_id, "publication", "theme", 0, published.dump(), now_ms},
                       now_ms,
                       audited(caller, "theme.publish", theme_id, before ? *before : Json(),
                               published, now_ms));
    return {200, Json{{"published", published}}, caller.merchant_id};
}

ApiResult admin_published_theme(Store& store, const Caller& caller) {
    const auto p = published_theme(store, caller.merchant_id);
    return {200, p ? *p : Json{{"theme_id", ""}}, caller.merchant_id};
}

}  // namespace kopilka::server
