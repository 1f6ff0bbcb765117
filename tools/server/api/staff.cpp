#include "api/staff.hpp"

#include <mutex>

#include "api/admin.hpp"
#include "api/console_access.hpp"
#include "api/member_write.hpp"
#include "auth/credentials.hpp"
#include "codec/object_reader.hpp"
#include "storage/demo_data.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

// [SECTION] Helpers

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool email_valid(const std::string& email) {
    const auto at = email.find('@');
    return at != std::string::npos && at > 0 && at + 1 < email.size() &&
           email.find('@', at + 1) == std::string::npos &&
           email.find_first_of(" \t\r\n") == std::string::npos;
}

std::string account_key(const std::string& merchant, const std::string& email) {
    return "account:" + lower_ascii(merchant) + "/" + email;
}
std::string address_key(const std::string& address) { return "address:" + address; }

// A hash to check wrong merchants and emails against, so they take as long as a real user's
// password check (made once per limits).
const std::string& decoy_hash(auth::PasswordLimits limits) {
    static std::mutex mutex;
    static std::string hashes[2];
    std::lock_guard<std::mutex> lock(mutex);
    std::string& h = hashes[limits == auth::PasswordLimits::minimum ? 1 : 0];
    if (h.empty()) h = auth::hash_password("kopilka decoy password", limits);
    return h;
}

// Seconds until fewer than max failures remain inside the window, 0 when fewer already.
std::int64_t throttled_for_s(const std::vector<std::int64_t>& failures, std::size_t max,
                             std::int64_t now_ms) {
    if (failures.size() < max) return 0;
    const std::int64_t frees_at = failures[failures.size() - max] + sign_in_window_ms;
    return std::max<std::int64_t>(1, (frees_at - now_ms + 999) / 1000);
}

ApiResult invalid_credentials() {
    return api_error(401, "invalid_credentials",
                     "the merchant, email or password is not right", "password");
}

Json merchant_json(const MerchantRecord& m) {
    return Json{{"code", m.code}, {"name", m.name}, {"currency", m.currency}};
}

Json user_brief(const StaffUserRecord& u) {
    return Json{{"id", u.user_id}, {"email", u.email}, {"name", u.name}, {"role", u.role}};
}

ApiResult no_user(const Caller& caller, const std::string& id) {
    ApiResult r = api_error(404, "not_found", "no user \"" + id + "\"", "id");
    r.merchant_id = caller.merchant_id;
    return r;
}

// The user's fields a change shows in the audit log (never the password hash).
Json audit_user(const StaffUserRecord& u) {
    return Json{{"email", u.email}, {"name", u.name}, {"role", u.role}, {"disabled", u.disabled}};
}
}  // namespace

// [SECTION] Shared with the other console handlers

Change audited(const Caller& caller, const std::string& action, const std::string& target,
               const Json& before, const Json& after, std::int64_t now_ms,
               std::optional<std::int64_t> if_version) {
    AuditRecord a;
    a.merchant_id = caller.merchant_id;
    a.at_ms = now_ms;
    a.actor_kind = caller.actor_kind;
    a.actor_id = caller.actor_id;
    a.actor_label = caller.actor_label;
    a.address = caller.address;
    a.action = action;
    a.target = target;
    a.before = before.is_null() ? "" : before.dump();
    a.after = after.is_null() ? "" : after.dump();
    return Change{if_version, std::move(a)};
}

Json stored_document(Store& store, const std::string& merchant_id, const std::string& kind,
                     const std::string& doc_id) {
    const auto d = store.document(merchant_id, kind, doc_id);
    return d ? Json::parse(d->document, nullptr, false) : Json();
}

ApiResult version_conflict(const Caller& caller, std::int64_t current) {
    ApiResult r = api_error(412, "version_conflict",
                            "this was changed by someone else since you loaded it (now version " +
                                std::to_string(current) + "); reload and apply your change again",
                            "If-Match");
    r.body["error"]["current_version"] = current;
    r.merchant_id = caller.merchant_id;
    return r;
}

Json staff_user_json(const StaffUserRecord& u) {
    Json j = user_brief(u);
    j["disabled"] = u.disabled;
    j["created_at_ms"] = u.created_at_ms;
    j["last_login_ms"] = u.last_login_ms;
    j["version"] = u.version;
    return j;
}

// [SECTION] Sessions

ApiResult console_sign_in(Store& store, const std::string& body, const std::string& address,
                          auth::PasswordLimits limits, std::int64_t now_ms) {
    std::string merchant_code, email, password;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) {
        codec::DecodeError e;
        codec::ObjectReader r(j, "", &e);
        r.text("merchant", &merchant_code, 64);
        r.text("email", &email, staff_email_bytes_max);
        r.text("password", &password, auth::password_bytes_max);
        r.reject_unknown({"merchant", "email", "password"});
        if (!r.ok()) err = bad_request(e);
        return r.ok();
    });
    if (!j) return err;
    email = lower_ascii(email);
    // The merchant's code as printed ("DEMO") or its id ("demo"); an account's failures count
    // under the merchant's id whichever was typed.
    auto merchant = store.merchant_by_id(merchant_code);
    if (!merchant) merchant = store.merchant_by_code(merchant_code);
    const std::string account =
        account_key(merchant ? merchant->merchant_id : merchant_code, email);
    const std::int64_t since = now_ms - sign_in_window_ms;
    const std::int64_t wait_s = std::max(
        throttled_for_s(store.sign_in_failures(account, since), sign_in_account_failures_max,
                        now_ms),
        throttled_for_s(store.sign_in_failures(address_key(address), since),
                        sign_in_address_failures_max, now_ms));
    if (wait_s > 0) {
        ApiResult r = api_error(429, "throttled",
                                "too many failed sign-ins; try again in " +
                                    std::to_string(wait_s) + " s",
                                "email");
        r.body["error"]["retry_after_s"] = wait_s;
        return r;
    }
    const auto user =
        merchant ? store.staff_user_by_email(merchant->merchant_id, email) : std::nullopt;
    const bool password_ok =
        auth::verify_password(user ? user->password_hash : decoy_hash(limits), password);
    if (!user || !password_ok || user->disabled) {
        store.record_sign_in_failure({account, address_key(address)}, now_ms, since);
        return invalid_credentials();
    }
    const auth::NewIdToken token = auth::generate_session_token(auth::random_device_bytes);
    const StaffSessionRecord session{token.stored.id,
                                     merchant->merchant_id,
                                     user->user_id,
                                     token.stored.salt_hex,
                                     token.stored.secret_hash_hex,
                                     now_ms,
                                     now_ms + session_absolute_ms,
                                     now_ms,
                                     0};
    Caller who;  // the one signing in, for the audit line (never the token)
    who.merchant_id = merchant->merchant_id;
    who.actor_kind = "user";
    who.actor_id = user->user_id;
    who.actor_label = user->email;
    who.address = address;
    store.open_staff_session(session, account,
                             audited(who, "session.sign_in", user->user_id, nullptr,
                                     Json{{"session", session.session_id}}, now_ms, std::nullopt));
    return {200,
            Json{{"token", token.text},
                 {"expires_at_ms", session.expires_at_ms},
                 {"user", user_brief(*user)},
                 {"merchant", merchant_json(*merchant)}},
            merchant->merchant_id};
}

ApiResult console_whoami(Store& store, const Caller& caller) {
    const auto merchant = store.merchant_by_id(caller.merchant_id);
    if (!merchant) return api_error(404, "not_found", "no such merchant", "Authorization");
    Json out{{"merchant", merchant_json(*merchant)}};
    if (caller.actor_kind == "user") {
        const auto user = store.staff_user(caller.merchant_id, caller.actor_id);
        const auto session = store.staff_session(caller.session_id);
        if (!user || !session) return api_error(401, "session_expired", "sign in again",
                                                "Authorization");
        out["user"] = user_brief(*user);
        out["expires_at_ms"] = std::min(session->expires_at_ms,
                                        session->last_seen_ms + session_idle_ms);
    } else {
        out["user"] = Json{{"id", caller.actor_id}, {"email", ""}, {"name", caller.actor_label},
                           {"role", caller.role}};
        out["expires_at_ms"] = nullptr;
    }
    return {200, out, caller.merchant_id};
}

ApiResult console_sign_out(Store& store, const Caller& caller, std::int64_t now_ms) {
    if (caller.actor_kind == "user")
        store.revoke_staff_sessions(caller.merchant_id, caller.actor_id, caller.session_id, now_ms,
                                    audited(caller, "session.sign_out", caller.actor_id,
                                            Json{{"session", caller.session_id}}, nullptr, now_ms,
                                            std::nullopt));
    return {200, Json{{"revoked", caller.actor_kind == "user"}}, caller.merchant_id};
}

SessionStatus session_caller(Store& store, const std::string& token, const std::string& address,
                             std::int64_t now_ms, Caller* out) {
    const auth::ParsedIdToken parsed = auth::parse_session_token(token);
    if (parsed.status != auth::CredentialStatus::ok) return SessionStatus::invalid;
    const auto s = store.staff_session(parsed.id);
    if (!s || auth::verify_id_token({s->session_id, s->salt_hex, s->secret_hash_hex}, parsed) !=
                  auth::CredentialStatus::ok)
        return SessionStatus::invalid;
    if (s->revoked_at_ms || now_ms >= s->expires_at_ms ||
        now_ms - s->last_seen_ms >= session_idle_ms)
        return SessionStatus::expired;
    const auto user = store.staff_user(s->merchant_id, s->user_id);
    if (!user || user->disabled) return SessionStatus::expired;
    if (now_ms - s->last_seen_ms >= session_touch_ms)
        store.touch_staff_session(s->session_id, now_ms);
    *out = Caller{s->merchant_id, user->role, "",  "user",
                  user->user_id,  user->email, address, s->session_id};
    return SessionStatus::ok;
}

Caller key_caller(const std::string& merchant_id, const std::string& key_id,
                  const std::string& address) {
    return Caller{merchant_id, "owner", "", "key", key_id, "API key " + key_id, address, ""};
}

// [SECTION] Users

std::optional<StaffUserRecord> create_staff_user(Store& store, const std::string& merchant_id,
                                                 const NewStaffUser& nu,
                                                 auth::PasswordLimits limits, std::int64_t now_ms,
                                                 const Change& change, ApiResult* err) {
    const std::string email = lower_ascii(nu.email);
    if (!email_valid(email) || email.size() > staff_email_bytes_max) {
        *err = api_error(400, "invalid_value", "email must be an email address", "email");
        return std::nullopt;
    }
    if (nu.name.empty() || nu.name.size() > staff_name_bytes_max) {
        *err = api_error(400, "invalid_value", "name must be 1 to 100 bytes", "name");
        return std::nullopt;
    }
    if (!staff_role_valid(nu.role)) {
        *err = api_error(400, "invalid_value",
                         "role must be owner, manager, support or viewer", "role");
        return std::nullopt;
    }
    if (const std::string why = auth::password_problem(nu.password); !why.empty()) {
        *err = api_error(400, "invalid_value", why, "password");
        return std::nullopt;
    }
    StaffUserRecord u{merchant_id, "u-" + random_id().substr(0, 12), email, nu.name, nu.role,
                      auth::hash_password(nu.password, limits), false, now_ms, 0, 1};
    Change c = change;
    if (c.audit) {
        c.audit->target = u.user_id;
        c.audit->after = audit_user(u).dump();
    }
    try {
        store.insert_staff_user(u, c);
    } catch (const UniqueViolation& e) {
        *err = e.field == "email"
                   ? api_error(409, "email_taken", "another user has this email", "email")
                   : api_error(503, "try_again", "the user id was taken; try again", "");
        return std::nullopt;
    }
    return u;
}

std::optional<StaffUserRecord> set_staff_password(Store& store, const StaffUserRecord& user,
                                                  const std::string& password,
                                                  auth::PasswordLimits limits,
                                                  std::int64_t now_ms, const Change& change,
                                                  ApiResult* err) {
    if (const std::string why = auth::password_problem(password); !why.empty()) {
        *err = api_error(400, "invalid_value", why, "password");
        return std::nullopt;
    }
    StaffUserRecord u = user;
    u.password_hash = auth::hash_password(password, limits);
    bool last_owner = false;
    if (!store.update_staff_user(u, true, now_ms, change, &last_owner)) {
        *err = api_error(404, "not_found", "no such user", "id");
        return std::nullopt;
    }
    return store.staff_user(u.merchant_id, u.user_id);
}

ApiResult admin_list_users(Store& store, const Caller& caller) {
    Json users = Json::array();
    for (const StaffUserRecord& u : store.staff_users(caller.merchant_id))
        users.push_back(staff_user_json(u));
    return {200, Json{{"users", users}}, caller.merchant_id};
}

ApiResult admin_create_user(Store& store, const Caller& caller, const std::string& body,
                            auth::PasswordLimits limits, std::int64_t now_ms) {
    NewStaffUser nu;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) {
        codec::DecodeError e;
        codec::ObjectReader r(j, "", &e);
        r.text("email", &nu.email, staff_email_bytes_max);
        r.text("name", &nu.name, staff_name_bytes_max);
        r.text("role", &nu.role, 16);
        r.text("password", &nu.password, auth::password_bytes_max);
        r.reject_unknown({"email", "name", "role", "password"});
        if (!r.ok()) err = bad_request(e);
        return r.ok();
    });
    if (!j) return err;
    const auto u = create_staff_user(store, caller.merchant_id, nu, limits, now_ms,
                                     audited(caller, "user.create", "", nullptr, nullptr, now_ms),
                                     &err);
    if (!u) {
        err.merchant_id = caller.merchant_id;
        return err;
    }
    return {201, staff_user_json(*u), caller.merchant_id};
}

ApiResult admin_update_user(Store& store, const Caller& caller, const std::string& user_id,
                            const std::string& body, std::optional<std::int64_t> if_version,
                            std::int64_t now_ms) {
    const auto user = store.staff_user(caller.merchant_id, user_id);
    if (!user) return no_user(caller, user_id);
    StaffUserRecord u = *user;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) {
        codec::DecodeError e;
        codec::ObjectReader r(j, "", &e);
        r.optional_text("name", &u.name, staff_name_bytes_max);
        std::string role = u.role;
        r.optional_text("role", &role, 16);
        r.optional_flag("disabled", &u.disabled);
        r.reject_unknown({"name", "role", "disabled"});
        if (r.ok() && !staff_role_valid(role))
            r.fail("invalid_value", "role", "must be owner, manager, support or viewer");
        u.role = role;
        if (!r.ok()) err = bad_request(e);
        return r.ok();
    });
    if (!j) return err;
    bool last_owner = false;
    try {
        // Disabling a user ends its sessions; a new role applies to its next request anyway.
        if (!store.update_staff_user(u, u.disabled && !user->disabled, now_ms,
                                     audited(caller, "user.update", user_id, audit_user(*user),
                                             audit_user(u), now_ms, if_version),
                                     &last_owner))
            return last_owner ? api_error(409, "last_owner",
                                          "the merchant's last enabled owner can't be demoted "
                                          "or disabled",
                                          "role")
                              : no_user(caller, user_id);
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    const auto stored = store.staff_user(caller.merchant_id, user_id);
    if (!stored) return no_user(caller, user_id);
    return {200, staff_user_json(*stored), caller.merchant_id};
}

ApiResult admin_set_user_password(Store& store, const Caller& caller, const std::string& user_id,
                                  const std::string& body, auth::PasswordLimits limits,
                                  std::int64_t now_ms) {
    const auto user = store.staff_user(caller.merchant_id, user_id);
    if (!user) return no_user(caller, user_id);
    std::string password;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) {
        codec::DecodeError e;
        codec::ObjectReader r(j, "", &e);
        r.text("password", &password, auth::password_bytes_max);
        r.reject_unknown({"password"});
        if (!r.ok()) err = bad_request(e);
        return r.ok();
    });
    if (!j) return err;
    const auto u = set_staff_password(store, *user, password, limits, now_ms,
                                      audited(caller, "user.password", user_id, nullptr, nullptr,
                                              now_ms),
                                      &err);
    if (!u) return err;
    return {200, staff_user_json(*u), caller.merchant_id};
}

ApiResult admin_revoke_user_sessions(Store& store, const Caller& caller,
                                     const std::string& user_id, std::int64_t now_ms) {
    if (!store.staff_user(caller.merchant_id, user_id)) return no_user(caller, user_id);
    const std::int64_t n = store.revoke_staff_sessions(
        caller.merchant_id, user_id, "", now_ms,
        audited(caller, "user.revoke", user_id, nullptr, nullptr, now_ms));
    return {200, Json{{"revoked", n}}, caller.merchant_id};
}

// [SECTION] The audit log

ApiResult admin_audit(Store& store, const Caller& caller, const AuditParams& p) {
    AuditQuery q;
    q.actor_id = p.actor.value_or("");
    q.action = p.action.value_or("");
    q.target = p.target.value_or("");
    std::int64_t limit = audit_page_default;
    ApiResult err;
    const std::int64_t far = 4'102'444'800'000;  // 2100-01-01
    if ((p.from_ms && !query_integer("from_ms", *p.from_ms, 0, far, &q.from_ms, &err)) ||
        (p.to_ms && !query_integer("to_ms", *p.to_ms, 0, far, &q.to_ms, &err)) ||
        (p.before && !query_integer("before", *p.before, 1, INT64_MAX / 10, &q.before_id, &err)) ||
        (p.limit && !query_integer("limit", *p.limit, 1, audit_page_max, &limit, &err)))
        return err;
    q.limit = static_cast<std::size_t>(limit) + 1;
    auto rows = store.audit_log(caller.merchant_id, q);
    const bool more = rows.size() > static_cast<std::size_t>(limit);
    if (more) rows.resize(static_cast<std::size_t>(limit));
    Json entries = Json::array();
    const auto json_or_null = [](const std::string& text) {
        return text.empty() ? Json(nullptr) : Json::parse(text, nullptr, false);
    };
    for (const AuditRecord& a : rows)
        entries.push_back(Json{{"id", a.id},
                               {"at_ms", a.at_ms},
                               {"actor", {{"kind", a.actor_kind},
                                          {"id", a.actor_id},
                                          {"label", a.actor_label}}},
                               {"address", a.address},
                               {"action", a.action},
                               {"target", a.target},
                               {"before", json_or_null(a.before)},
                               {"after", json_or_null(a.after)}});
    return {
        200,
        Json{{"entries", entries}, {"next_before", more ? Json(rows.back().id) : Json(nullptr)}},
        caller.merchant_id};
}

}  // namespace kopilka::server
