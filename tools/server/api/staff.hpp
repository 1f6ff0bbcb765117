// The console's staff: signing in (POST/GET/DELETE /v1/console/session), the sessions behind
// "Authorization: Bearer kcs_…", the users routes (/v1/admin/users…, owner only) and the
// audit log's page (GET /v1/admin/audit). Documented in tools/server/openapi/console.json.
//
// Implemented: argon2id passwords (auth/password.hpp) checked in about the same time for an
// unknown merchant or email as for a known one; one answer (401 invalid_credentials) for every
// wrong combination; sign-in throttling per account (5 failures in 15 minutes) and per client
// address (20), counted in the database so every server sees them; sessions that end 12 h
// after sign-in and after 2 h without a request (last_seen written at most once a minute),
// revoked by signing out, by the owner, or by disabling the user or changing its password;
// users (email unique per merchant, the last enabled owner kept); audit lines for each change.
// Missing: rehashing passwords made under weaker limits; a sign-in audit line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "auth/password.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

constexpr std::int64_t session_absolute_ms = 12 * 3'600'000;
constexpr std::int64_t session_idle_ms = 2 * 3'600'000;
constexpr std::int64_t session_touch_ms = 60'000;  // last_seen is written at most this often
constexpr std::int64_t sign_in_window_ms = 15 * 60'000;
constexpr std::size_t sign_in_account_failures_max = 5;
constexpr std::size_t sign_in_address_failures_max = 20;
constexpr std::size_t staff_email_bytes_max = 254;
constexpr std::size_t staff_name_bytes_max = 100;
constexpr std::size_t audit_page_default = 50;
constexpr std::size_t audit_page_max = 200;

// [SECTION] Sessions
ApiResult console_sign_in(Store& store, const std::string& body, const std::string& address,
                          auth::PasswordLimits limits, std::int64_t now_ms);
ApiResult console_whoami(Store& store, const Caller& caller);
ApiResult console_sign_out(Store& store, const Caller& caller, std::int64_t now_ms);

enum class SessionStatus { ok, invalid, expired };
// The console caller behind a kcs_ token: *out filled on ok; expired covers revoked sessions
// and disabled or deleted users too.
SessionStatus session_caller(Store& store, const std::string& token, const std::string& address,
                             std::int64_t now_ms, Caller* out);
// The caller of an admin API key on the console's routes: role owner, actor kind "key".
Caller key_caller(const std::string& merchant_id, const std::string& key_id,
                  const std::string& address);

// [SECTION] Users (owner only)
ApiResult admin_list_users(Store& store, const Caller& caller);
ApiResult admin_create_user(Store& store, const Caller& caller, const std::string& body,
                            auth::PasswordLimits limits, std::int64_t now_ms);
ApiResult admin_update_user(Store& store, const Caller& caller, const std::string& user_id,
                            const std::string& body, std::optional<std::int64_t> if_version,
                            std::int64_t now_ms);
ApiResult admin_set_user_password(Store& store, const Caller& caller, const std::string& user_id,
                                  const std::string& body, auth::PasswordLimits limits,
                                  std::int64_t now_ms);
ApiResult admin_revoke_user_sessions(Store& store, const Caller& caller,
                                     const std::string& user_id, std::int64_t now_ms);

// A new user of the merchant (the users route and `kopilka user add`): the record stored, or
// a 400/409 naming the field in *err.
struct NewStaffUser {
    std::string email, name, role, password;
};
std::optional<StaffUserRecord> create_staff_user(Store& store, const std::string& merchant_id,
                                                 const NewStaffUser& u,
                                                 auth::PasswordLimits limits, std::int64_t now_ms,
                                                 const Change& change, ApiResult* err);
// Sets a user's password and revokes its sessions (`kopilka user password` and the route).
std::optional<StaffUserRecord> set_staff_password(Store& store, const StaffUserRecord& user,
                                                  const std::string& password,
                                                  auth::PasswordLimits limits,
                                                  std::int64_t now_ms, const Change& change,
                                                  ApiResult* err);
codec::Json staff_user_json(const StaffUserRecord& u);

// [SECTION] The audit log
struct AuditParams {  // the query parameters as they came (nullopt: absent)
    std::optional<std::string> actor, action, target, from_ms, to_ms, before, limit;
};
ApiResult admin_audit(Store& store, const Caller& caller, const AuditParams& params);

// The Change for a console write: the caller's audit line (action, target, before → after;
// null JSON for none) and the If-Match version.
Change audited(const Caller& caller, const std::string& action, const std::string& target,
               const codec::Json& before, const codec::Json& after, std::int64_t now_ms,
               std::optional<std::int64_t> if_version = std::nullopt);
// The latest version of a document as JSON, null when there is none (an audit line's before).
codec::Json stored_document(Store& store, const std::string& merchant_id, const std::string& kind,
                            const std::string& doc_id);
// 412 version_conflict naming If-Match, with the current version.
ApiResult version_conflict(const Caller& caller, std::int64_t current);

}  // namespace kopilka::server
