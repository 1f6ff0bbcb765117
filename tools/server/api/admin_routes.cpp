// The console's routes, /v1/admin/…, each behind a merchant API key with role "admin":
// authentication here, the work in the handlers of api/admin.hpp.
// Implemented: merchant, program (+ preview), themes, members (search, enrol, profile,
// update, adjust, export, erase), reports. Documented in tools/server/openapi/admin.json.
#include "api/routes.hpp"

#include "api/admin.hpp"
#include "api/admin_import.hpp"
#include "api/member_write.hpp"

namespace kopilka::server {

namespace {
std::optional<std::string> query(const Request& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    return req.get_param_value(name);
}

// The file name of a member's export: the id, with anything unusual in a header replaced.
std::string export_file_name(const std::string& member_id) {
    std::string name = "kopilka-member-";
    for (const char c : member_id)
        name += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.')
                    ? c
                    : '_';
    return name + ".json";
}
}  // namespace

std::optional<MerchantRecord> admin_merchant_record(Store& store, const Caller& caller,
                                                    ApiResult* err) {
    auto merchant = store.merchant_by_id(caller.merchant_id);
    if (!merchant) *err = api_error(404, "not_found", "no such merchant", "Authorization");
    return merchant;
}

bool query_integer(const std::string& name, const std::string& text, std::int64_t min,
                   std::int64_t max, std::int64_t* out, ApiResult* err) {
    std::int64_t v = 0;
    bool ok = !text.empty() && text.size() <= 18;  // 18 digits always fit in int64
    for (std::size_t i = 0; ok && i < text.size(); ++i) {
        ok = text[i] >= '0' && text[i] <= '9';
        v = v * 10 + (text[i] - '0');
    }
    if (!ok || v < min || v > max) {
        *err = api_error(400, "invalid_value",
                         name + " must be a whole number from " + std::to_string(min) + " to " +
                             std::to_string(max),
                         name);
        return false;
    }
    *out = v;
    return true;
}

void register_admin_routes(RouteContext& ctx) {
    RouteContext* c = &ctx;  // outlives the routes (the server owns both)
    // Every admin route: the caller and its role first, then the handler with the caller and
    // the If-Match version (nullopt: none); a GET's "version" is also its ETag.
    using VersionedWork =
        std::function<ApiResult(const Caller&, const Request&, std::optional<std::int64_t>)>;
    auto versioned = [c](const char* method, const char* path, VersionedWork work) {
        c->route(method, path, [c, work](const Request& req, Response& res) {
            const auto caller = c->admin(req, res);
            std::optional<std::int64_t> version;
            if (!caller || !if_match(*c, req, res, &version)) return;
            respond_versioned(*c, req, res, work(*caller, req, version));
        });
    };
    using Work = std::function<ApiResult(const Caller&, const Request&)>;
    auto admin = [versioned](const char* method, const char* path, Work work) {
        versioned(method, path,
                  [work](const Caller& who, const Request& req, std::optional<std::int64_t>) {
                      return work(who, req);
                  });
    };

    admin("GET", "/v1/admin/merchant",
          [c](const Caller& who, const Request&) { return admin_merchant(c->store, who); });

    admin("GET", "/v1/admin/program", [c](const Caller& who, const Request&) {
        return admin_get_program(c->store, who, c->now_ms());
    });
    versioned("PUT", "/v1/admin/program",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_put_program(c->store, who, req.body,
                                           query(req, "effective_from"), v, c->now_ms());
              });
    admin("POST", "/v1/admin/program/preview", [c](const Caller& who, const Request& req) {
        return admin_preview_program(c->store, who, req.body, c->now_ms());
    });
    admin("POST", "/v1/admin/program/what-if", [c](const Caller& who, const Request& req) {
        return admin_program_what_if(c->store, who, req.body, c->now_ms());
    });
    admin("POST", "/v1/admin/program/simulate", [c](const Caller& who, const Request& req) {
        return admin_program_simulate(c->store, who, req.body, c->now_ms());
    });
    admin("GET", "/v1/admin/program/versions", [c](const Caller& who, const Request& req) {
        return admin_program_versions(c->store, who, query(req, "before"), query(req, "limit"),
                                      c->now_ms());
    });
    versioned("POST", "/v1/admin/program/versions",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_post_program_version(c->store, who, req.body, v, c->now_ms());
              });
    admin("GET", "/v1/admin/program/versions/{version}",
          [c](const Caller& who, const Request& req) {
              return admin_program_version(c->store, who, path_param(req, 1), c->now_ms());
          });
    versioned("POST", "/v1/admin/program/versions/{version}/revert",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_revert_program(c->store, who, path_param(req, 1), req.body, v,
                                              c->now_ms());
              });

    admin("GET", "/v1/admin/themes",
          [c](const Caller& who, const Request&) { return admin_list_themes(c->store, who); });
    // Before /v1/admin/themes/{id}, which "published" would match too.
    admin("GET", "/v1/admin/themes/published",
          [c](const Caller& who, const Request&) { return admin_published_theme(c->store, who); });
    admin("GET", "/v1/admin/themes/{id}/versions", [c](const Caller& who, const Request& req) {
        return admin_theme_versions(c->store, who, path_param(req, 1));
    });
    admin("GET", "/v1/admin/themes/{id}/versions/{version}",
          [c](const Caller& who, const Request& req) {
              return admin_theme_version(c->store, who, path_param(req, 1), path_param(req, 2));
          });
    admin("POST", "/v1/admin/themes/{id}/publish", [c](const Caller& who, const Request& req) {
        return admin_publish_theme(c->store, who, path_param(req, 1), req.body, c->now_ms());
    });
    admin("GET", "/v1/admin/themes/{id}", [c](const Caller& who, const Request& req) {
        return admin_get_theme(c->store, who, path_param(req, 1));
    });
    versioned("PUT", "/v1/admin/themes/{id}",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_put_theme(c->store, who, path_param(req, 1), req.body, v,
                                         c->now_ms());
              });
    versioned("DELETE", "/v1/admin/themes/{id}",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_delete_theme(c->store, who, path_param(req, 1), v, c->now_ms());
              });

    admin("GET", "/v1/admin/members", [c](const Caller& who, const Request& req) {
        return admin_search_members(
            c->store, who,
            {query(req, "q").value_or(""), query(req, "after").value_or(""), query(req, "limit")},
            c->now_ms());
    });
    admin("POST", "/v1/admin/members", [c](const Caller& who, const Request& req) {
        return admin_create_member(c->store, who, req.body, c->now_ms());
    });
    admin("GET", "/v1/admin/members/{id}", [c](const Caller& who, const Request& req) {
        return admin_get_member(c->store, who, path_param(req, 1), c->now_ms());
    });
    admin("GET", "/v1/admin/members/{id}/history", [c](const Caller& who, const Request& req) {
        return admin_member_history(c->store, who, path_param(req, 1),
                                    {query(req, "before"), query(req, "limit")});
    });
    versioned("PUT", "/v1/admin/members/{id}",
              [c](const Caller& who, const Request& req, std::optional<std::int64_t> v) {
                  return admin_update_member(c->store, who, path_param(req, 1), req.body, v,
                                             c->now_ms());
              });
    admin("POST", "/v1/admin/members/{id}/adjust", [c](const Caller& who, const Request& req) {
        return admin_adjust_member(c->store, who, path_param(req, 1), req.body, c->now_ms());
    });
    admin("POST", "/v1/admin/members/{id}/erase", [c](const Caller& who, const Request& req) {
        return admin_erase_member(c->store, who, path_param(req, 1), c->now_ms());
    });
    // The export is a download: the same JSON answer, offered as a file.
    ctx.route("GET", "/v1/admin/members/{id}/export", [c](const Request& req, Response& res) {
        const auto caller = c->admin(req, res);
        if (!caller) return;
        const std::string member_id = path_param(req, 1);
        const ApiResult r = admin_export_member(c->store, *caller, member_id, c->now_ms());
        if (r.status == 200)
            res.set_header("Content-Disposition",
                           "attachment; filename=\"" + export_file_name(member_id) + "\"");
        c->respond(res, r);
    });

    register_import_routes(ctx);

    register_report_routes(ctx);
}

}  // namespace kopilka::server
