// The merchant console's API (merchant API key with role "admin"), /v1/admin/…: the
// merchant, its program (versions, live preview), themes, members (personal data: search,
// enrol, update, adjust with a reason, export, erase) and reports. admin_routes.cpp maps the
// routes to these handlers; tools/server/openapi/admin.json documents the shapes.
//
// Every handler reads and writes the caller's merchant only: another merchant's ids are
// unknown here (404), never shown. Bad input is a 400 naming the field, and nothing is
// written then.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "core/time.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

// [SECTION] Merchant and program (admin_program.cpp)
// A version may take effect at most this long before the request (clocks differ a little);
// earlier would rewrite what tills already did.
constexpr std::int64_t effective_past_ms_max = 60'000;
constexpr std::int64_t program_versions_page_default = 20;
constexpr std::int64_t program_versions_page_max = 100;
constexpr std::int64_t simulate_days_max = 366;
constexpr std::size_t simulate_page_rows = 500;  // receipts read from the store at a time

ApiResult admin_merchant(Store& store, const Caller& caller);
// The version in force now, with the latest version's number (If-Match takes it) and the
// versions scheduled for later.
ApiResult admin_get_program(Store& store, const Caller& caller, std::int64_t now_ms);
// The body is the program; effective_from (the query parameter: ms or RFC 3339; nullopt: now).
// if_version: the If-Match version (nullopt: none); a stale one is 412 version_conflict.
ApiResult admin_put_program(Store& store, const Caller& caller, const std::string& body,
                            const std::optional<std::string>& effective_from,
                            std::optional<std::int64_t> if_version, std::int64_t now_ms);
// {program, effective_from?, if_version?}: the same as PUT, 201.
ApiResult admin_post_program_version(Store& store, const Caller& caller, const std::string& body,
                                     std::optional<std::int64_t> if_version,
                                     std::int64_t now_ms);
// Newest first, a page below `before`; and one version with its document.
ApiResult admin_program_versions(Store& store, const Caller& caller,
                                 const std::optional<std::string>& before,
                                 const std::optional<std::string>& limit, std::int64_t now_ms);
ApiResult admin_program_version(Store& store, const Caller& caller, const std::string& version,
                                std::int64_t now_ms);
// Publishes a stored version's document again as the next version ({effective_from?,
// if_version?}); history is never rewritten.
ApiResult admin_revert_program(Store& store, const Caller& caller, const std::string& version,
                               const std::string& body, std::optional<std::int64_t> if_version,
                               std::int64_t now_ms);
ApiResult admin_preview_program(Store& store, const Caller& caller, const std::string& body,
                                std::int64_t now_ms);
// The preview's request with a draft: its quote beside the published program's.
ApiResult admin_program_what_if(Store& store, const Caller& caller, const std::string& body,
                                std::int64_t now_ms);
// {program: draft, days}: both programs over the merchant's receipts of the last days; writes
// nothing.
ApiResult admin_program_simulate(Store& store, const Caller& caller, const std::string& body,
                                 std::int64_t now_ms);

// [SECTION] Themes (admin_themes.cpp)
ApiResult admin_list_themes(Store& store, const Caller& caller);
ApiResult admin_get_theme(Store& store, const Caller& caller, const std::string& theme_id);
// if_version 0 for a new theme: it must not exist yet.
ApiResult admin_put_theme(Store& store, const Caller& caller, const std::string& theme_id,
                          const std::string& body, std::optional<std::int64_t> if_version,
                          std::int64_t now_ms);
ApiResult admin_delete_theme(Store& store, const Caller& caller, const std::string& theme_id,
                             std::optional<std::int64_t> if_version, std::int64_t now_ms);
// Versions, newest first, with who saved each ("by": {kind, id, label}, null when unknown).
ApiResult admin_theme_versions(Store& store, const Caller& caller, const std::string& theme_id);
ApiResult admin_theme_version(Store& store, const Caller& caller, const std::string& theme_id,
                              const std::string& version);
// Makes a stored version what kiosks and the widget show: 409 low_contrast with the failing
// pairs when it fails WCAG AA and confirm_low_contrast is not true.
ApiResult admin_publish_theme(Store& store, const Caller& caller, const std::string& theme_id,
                              const std::string& body, std::int64_t now_ms);
// {"theme_id", "version"}, or {"theme_id": ""} when the merchant published none.
ApiResult admin_published_theme(Store& store, const Caller& caller);

// [SECTION] Members (admin_members.cpp)
constexpr std::size_t member_page_default = 50;
constexpr std::size_t member_page_max = 200;
constexpr std::size_t adjust_reason_bytes_max = 200;

// Query parameters as they came (nullopt: absent).
struct MemberSearch {
    std::string q;
    std::string after;
    std::optional<std::string> limit;
};
ApiResult admin_search_members(Store& store, const Caller& caller, const MemberSearch& search,
                               std::int64_t now_ms);
ApiResult admin_create_member(Store& store, const Caller& caller, const std::string& body,
                              std::int64_t now_ms);
ApiResult admin_get_member(Store& store, const Caller& caller, const std::string& member_id,
                           std::int64_t now_ms);
// GET /v1/admin/members/{id}/history?before=SEQ&limit=N: the entries that changed the balance,
// newest first, with seq < before; "first" is the 1-based place of the page's first entry among
// all ("entries 21–40 of 134"), "next_before" the cursor of the older page (null: none).
constexpr std::int64_t history_page_default = 20;
constexpr std::int64_t history_page_max = 100;
struct MemberHistoryQuery {
    std::optional<std::string> before, limit;
};
ApiResult admin_member_history(Store& store, const Caller& caller, const std::string& member_id,
                               const MemberHistoryQuery& q);
ApiResult admin_update_member(Store& store, const Caller& caller, const std::string& member_id,
                              const std::string& body, std::optional<std::int64_t> if_version,
                              std::int64_t now_ms);
ApiResult admin_adjust_member(Store& store, const Caller& caller, const std::string& member_id,
                              const std::string& body, std::int64_t now_ms);
ApiResult admin_export_member(Store& store, const Caller& caller, const std::string& member_id,
                              std::int64_t now_ms);
ApiResult admin_erase_member(Store& store, const Caller& caller, const std::string& member_id,
                             std::int64_t now_ms);

// Enrolment's checks of personal fields, for the CSV import (admin_import.cpp) too.
bool member_id_acceptable(const std::string& id);
// "+7 (916) 123-45-67" → "79161234567"; "" stays ""; false unless 7 to 15 digits.
bool member_phone_normalised(const std::string& text, std::string* out);
bool member_email_valid(const std::string& email);
bool member_birthday_valid(const std::string& date);  // "YYYY-MM-DD", a real date from 1900

// [SECTION] Reports (admin_reports.cpp)
constexpr std::int64_t report_period_default_ms = 30 * day_ms;
struct ReportQuery {
    std::optional<std::string> from_ms, to_ms, bucket, format, table;
};
struct ReportFile {  // format=csv: the file (name "" otherwise)
    std::string text, name;
};
ApiResult admin_report(Store& store, const Caller& caller, const ReportQuery& q,
                       std::int64_t now_ms, ReportFile* file);
ApiResult admin_report_series(Store& store, const Caller& caller, const ReportQuery& q,
                              std::int64_t now_ms, ReportFile* file);
class RouteContext;
// GET /v1/admin/reports and /v1/admin/reports/series, JSON or CSV.
void register_report_routes(RouteContext& ctx);

// [SECTION] Shared by the admin handlers
// The caller's merchant (a 404 answer in *err when it vanished).
std::optional<MerchantRecord> admin_merchant_record(Store& store, const Caller& caller,
                                                    ApiResult* err);
// A decimal integer query parameter in [min, max]; on failure *err is a 400 naming it.
bool query_integer(const std::string& name, const std::string& text, std::int64_t min,
                   std::int64_t max, std::int64_t* out, ApiResult* err);

}  // namespace kopilka::server
