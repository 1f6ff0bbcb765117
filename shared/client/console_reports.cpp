#include "client/console_reports.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <memory>
#include <utility>

#include "client/json_fields.hpp"
#include "codec/decode.hpp"
#include "core/program/lifecycle.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

constexpr std::string_view kPresetNames[] = {"last_7",     "last_30",   "last_90", "this_month",
                                             "last_month", "this_year", "custom"};
constexpr std::string_view kBucketNames[] = {"day", "week", "month"};

std::optional<std::int64_t> maybe_num(const Json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

const Json& obj(const Json& j, const char* key) {
    static const Json empty = Json::object();
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

const Json& arr(const Json& j, const char* key) {
    static const Json empty = Json::array();
    const auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

std::vector<std::int64_t> numbers(const Json& a) {
    std::vector<std::int64_t> out;
    for (const Json& v : a) out.push_back(v.is_number_integer() ? v.get<std::int64_t>() : 0);
    return out;
}

Json parse(const std::string& body) {
    codec::DecodeError e;
    auto j = codec::parse_json(body, &e);
    return j && j->is_object() ? *j : Json::object();
}

// The integers of object j named in `fields` into *out (0 when absent).
template <class T>
using Fields = std::initializer_list<std::pair<const char*, std::int64_t T::*>>;
template <class T>
void read_fields(const Json& j, Fields<T> fields, T* out) {
    for (const auto& [key, field] : fields) out->*field = json_int(j, key);
}

ReportSummary read_summary(const Json& j) {
    using S = ReportSummary;
    S s;
    s.currency = json_text(j, "currency");
    read_fields<S>(j, {{"point_value_minor", &S::point_value_minor}}, &s);
    read_fields<S>(obj(j, "receipts"),
                   {{"count", &S::receipts},
                    {"with_card", &S::receipts_with_card},
                    {"card_share_permille", &S::card_share_permille},
                    {"revenue_minor", &S::revenue},
                    {"average_member_minor", &S::average_member},
                    {"average_non_member_minor", &S::average_non_member}},
                   &s);
    read_fields<S>(obj(j, "points"),
                   {{"issued_points", &S::points_issued},
                    {"redeemed_points", &S::points_redeemed},
                    {"expired_points", &S::points_expired},
                    {"adjusted_points", &S::points_adjusted},
                    {"redemption_ratio_permille", &S::redemption_ratio_permille},
                    {"breakage_permille", &S::breakage_permille}},
                   &s);
    read_fields<S>(obj(j, "liability"),
                   {{"points", &S::liability_points}, {"minor", &S::liability}}, &s);
    read_fields<S>(obj(j, "members"),
                   {{"enrolled", &S::members_enrolled},
                    {"active", &S::members_active},
                    {"active_permille", &S::active_permille},
                    {"active_before", &S::members_active_before},
                    {"churned", &S::members_churned},
                    {"churn_permille", &S::churn_permille}},
                   &s);
    for (const Json& t : arr(j, "tiers"))
        if (t.is_object())
            s.tiers.push_back({json_text(t, "id"), json_text(t, "name"), json_int(t, "members")});
    for (const Json& c : arr(j, "cohorts"))
        if (c.is_object())
            s.cohorts.push_back({json_text(c, "month"), json_int(c, "members"),
                                 numbers(arr(c, "active")), numbers(arr(c, "retention_permille"))});
    const Json& spins = obj(j, "spins");
    read_fields<S>(
        spins,
        {{"count", &S::spins}, {"wins", &S::spin_wins}, {"prize_cost_minor", &S::spin_prize_cost}},
        &s);
    s.spin_budget = maybe_num(spins, "budget_minor");  // null: unlimited
    s.spin_budget_used_permille = maybe_num(spins, "budget_used_permille");
    read_fields<S>(obj(j, "program_cost"),
                   {{"points_minor", &S::program_cost_points},
                    {"spins_minor", &S::program_cost_spins},
                    {"total_minor", &S::program_cost},
                    {"share_of_revenue_permille", &S::program_cost_share_permille}},
                   &s);
    if (j.contains("deferred_revenue") && j.at("deferred_revenue").is_object()) {
        using D = DeferredRevenue;
        const Json& dj = j.at("deferred_revenue");
        D d;
        d.method = json_text(dj, "method");
        d.breakage_basis = json_text(dj, "breakage_basis");
        read_fields<D>(dj,
                       {{"amount", &D::amount},
                        {"point_value_minor", &D::point_value_minor},
                        {"expected_breakage_permille", &D::expected_breakage_permille},
                        {"points_outstanding", &D::points_outstanding},
                        {"allocated_in_period", &D::allocated_in_period},
                        {"recognised_in_period", &D::recognised_in_period}},
                       &d);
        s.deferred = std::move(d);
    }
    return s;
}

std::vector<ReportPoint> read_series(const Json& j) {
    using P = ReportPoint;
    std::vector<P> out;
    for (const Json& p : arr(j, "points")) {
        if (!p.is_object()) continue;
        read_fields<P>(p,
                       {{"from_ms", &P::from_ms},
                        {"to_ms", &P::to_ms},
                        {"receipts", &P::receipts},
                        {"receipts_with_card", &P::receipts_with_card},
                        {"revenue", &P::revenue},
                        {"revenue_member", &P::revenue_member},
                        {"revenue_non_member", &P::revenue_non_member},
                        {"points_issued", &P::points_issued},
                        {"points_redeemed", &P::points_redeemed},
                        {"points_expired", &P::points_expired},
                        {"liability_points", &P::liability_points},
                        {"liability", &P::liability},
                        {"deferred_revenue", &P::deferred_revenue},
                        {"members_enrolled", &P::members_enrolled},
                        {"members_active", &P::members_active},
                        {"members_active_before", &P::members_active_before},
                        {"members_churned", &P::members_churned},
                        {"churn_permille", &P::churn_permille},
                        {"spin_prize_cost", &P::spin_prize_cost},
                        {"program_cost", &P::program_cost}},
                       &out.emplace_back());
    }
    return out;
}

// "2026-11-05": a file name's day.
std::string iso_day(std::int64_t ms) {
    const program::Date d = program::date_of(ms);
    const auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    return std::to_string(d.year) + "-" + two(d.month) + "-" + two(d.day);
}

// The month (1–12) an English name starts with ("Nov", "november"), or 0.
int month_of_name(std::string name) {
    static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
    if (name.size() < 3) return 0;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < 12; ++i)
        if (name.compare(0, 3, kMonths[i]) == 0) return i + 1;
    return 0;
}

}  // namespace

std::string_view report_preset_name(ReportPreset p) {
    return kPresetNames[static_cast<int>(p)];
}

std::string_view report_bucket_name(ReportBucket b) {
    return kBucketNames[static_cast<int>(b)];
}

ReportRange preset_range(ReportPreset p, std::int64_t now_ms) {
    const std::int64_t today = std::max<std::int64_t>(0, now_ms) / kDayMs * kDayMs;
    const std::int64_t tomorrow = today + kDayMs;
    const program::Date d = program::date_of(today);
    const std::int64_t month_start = program::ms_of({d.year, d.month, 1});
    ReportRange r{0, tomorrow};
    switch (p) {
        case ReportPreset::last_7:
            r.from_ms = tomorrow - 7 * kDayMs;
            break;
        case ReportPreset::last_90:
            r.from_ms = tomorrow - 90 * kDayMs;
            break;
        case ReportPreset::this_month:
            r.from_ms = month_start;
            break;
        case ReportPreset::last_month:
            r.from_ms = d.month == 1 ? program::ms_of({d.year - 1, 12, 1})
                                     : program::ms_of({d.year, d.month - 1, 1});
            r.to_ms = month_start;
            break;
        case ReportPreset::this_year:
            r.from_ms = program::ms_of({d.year, 1, 1});
            break;
        case ReportPreset::last_30:
        case ReportPreset::custom:
            r.from_ms = tomorrow - 30 * kDayMs;
            break;
    }
    r.from_ms = std::max<std::int64_t>(0, r.from_ms);
    if (r.to_ms <= r.from_ms) r.to_ms = r.from_ms + kDayMs;  // January 1970 only
    return r;
}

ReportBucket automatic_bucket(const ReportRange& r) {
    const std::int64_t days = (r.to_ms - r.from_ms + kDayMs - 1) / kDayMs;
    if (days <= 62) return ReportBucket::day;
    if (days <= 366) return ReportBucket::week;
    return ReportBucket::month;
}

std::optional<std::int64_t> parse_report_date(std::string_view text) {
    // Runs of digits or of letters; anything else separates them.
    std::vector<std::string> parts;
    bool last_digit = false;
    for (const char c : text) {
        const bool digit = c >= '0' && c <= '9';
        const bool letter = std::isalpha(static_cast<unsigned char>(c)) != 0;
        if (!digit && !letter) {
            if (!parts.empty() && !parts.back().empty()) parts.emplace_back();
            continue;
        }
        if (parts.empty() || (!parts.back().empty() && digit != last_digit)) parts.emplace_back();
        parts.back() += c;
        last_digit = digit;
    }
    if (!parts.empty() && parts.back().empty()) parts.pop_back();
    if (parts.size() != 3) return std::nullopt;
    const auto is_number = [](const std::string& s) {
        return !s.empty() && s.size() <= 4 &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    program::Date d;
    if (is_number(parts[0]) && is_number(parts[1]) && is_number(parts[2]) && parts[0].size() == 4) {
        d = {std::stoi(parts[0]), std::stoi(parts[1]), std::stoi(parts[2])};
    } else if (is_number(parts[0]) && is_number(parts[2]) && parts[2].size() == 4 &&
               parts[0].size() <= 2) {
        const int month = is_number(parts[1]) ? std::stoi(parts[1]) : month_of_name(parts[1]);
        d = {std::stoi(parts[2]), month, std::stoi(parts[0])};
    } else {
        return std::nullopt;
    }
    if (d.year < 1970 || d.year > 2099 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
        return std::nullopt;
    const std::int64_t ms = program::ms_of(d);
    const program::Date back = program::date_of(ms);
    if (back.day != d.day || back.month != d.month) return std::nullopt;  // 31.02.
    return ms;
}

ReportsView::ReportsView(Call call, Common common, std::function<void()> changed)
    : call_(std::move(call)), common_(std::move(common)), changed_(std::move(changed)) {}

void ReportsView::reset() {
    state_ = ReportsState{};
    ++asked_;
}

void ReportsView::open(std::int64_t now_ms, i18n::Locale l) {
    if (state_.opened) return;
    state_.opened = true;
    state_.preset = ReportPreset::last_30;
    show(preset_range(state_.preset, now_ms), l);
}

void ReportsView::set_locale(i18n::Locale l) {
    if (!state_.opened || state_.range_error) return;
    state_.from_text = i18n::format_date(l, state_.range.from_ms);
    state_.to_text = i18n::format_date(l, state_.range.to_ms - kDayMs);
}

void ReportsView::set_preset(ReportPreset p, std::int64_t now_ms, i18n::Locale l) {
    if (p == ReportPreset::custom) return apply_typed(l);
    state_.preset = p;
    show(preset_range(p, now_ms), l);
}

void ReportsView::apply_typed(i18n::Locale l) {
    const auto from = parse_report_date(state_.from_text);
    const auto to = parse_report_date(state_.to_text);
    state_.range_error.reset();
    if (!from)
        state_.range_error = ConsoleError{"date_invalid", "", "from", 0};
    else if (!to)
        state_.range_error = ConsoleError{"date_invalid", "", "to", 0};
    else if (*to < *from)
        state_.range_error = ConsoleError{"range_order", "", "to", 0};
    else if ((*to - *from) / kDayMs + 1 > report_days_max)
        state_.range_error = ConsoleError{"range_too_long", "", "from", 0};
    if (state_.range_error) return changed_();
    state_.preset = ReportPreset::custom;
    show({*from, *to + kDayMs}, l);
}

void ReportsView::set_bucket(std::optional<ReportBucket> b) {
    state_.bucket_chosen = b;
    const ReportBucket want = b.value_or(automatic_bucket(state_.range));
    if (want == state_.bucket && state_.series_loaded) return changed_();
    state_.bucket = want;
    reload();
}

void ReportsView::show(ReportRange r, i18n::Locale l) {
    state_.range = r;
    state_.range_error.reset();
    state_.from_text = i18n::format_date(l, r.from_ms);
    state_.to_text = i18n::format_date(l, r.to_ms - kDayMs);
    state_.bucket = state_.bucket_chosen.value_or(automatic_bucket(r));
    reload();
}

std::string ReportsView::range_query() const {
    return "from_ms=" + std::to_string(state_.range.from_ms) +
           "&to_ms=" + std::to_string(state_.range.to_ms);
}

void ReportsView::reload() {
    if (!state_.opened) return;
    const std::uint64_t asked = ++asked_;
    state_.busy = ConsoleBusy::loading;
    changed_();
    auto waiting = std::make_shared<int>(2);
    const auto settle = [this, waiting] {
        if (--*waiting == 0) state_.busy = ConsoleBusy::none;
    };
    call_({"GET", "/v1/admin/reports?" + range_query(), "", "", {}},
          [this, asked, settle](TransportReply reply) {
              if (asked != asked_) return;  // a newer range was asked for meanwhile
              settle();
              if (common_(reply, &state_.error) || !reply_ok(reply)) return;
              state_.summary = read_summary(parse(reply.body));
              state_.summary_loaded = true;
          });
    call_({"GET",
           "/v1/admin/reports/series?" + range_query() +
               "&bucket=" + std::string(report_bucket_name(state_.bucket)),
           "",
           "",
           {}},
          [this, asked, settle](TransportReply reply) {
              if (asked != asked_) return;
              settle();
              if (common_(reply, &state_.series_error) || !reply_ok(reply)) return;
              const Json j = parse(reply.body);
              const std::string bucket = json_text(j, "bucket");
              for (const ReportBucket b :
                   {ReportBucket::day, ReportBucket::week, ReportBucket::month})
                  if (bucket == report_bucket_name(b)) state_.bucket = b;
              state_.series = read_series(j);
              state_.series_loaded = true;
          });
}

ReportDownload ReportsView::csv(const std::string& table) const {
    ReportDownload d;
    if (table == "series")
        d.path = "/v1/admin/reports/series?" + range_query() +
                 "&bucket=" + std::string(report_bucket_name(state_.bucket)) + "&format=csv";
    else
        d.path = "/v1/admin/reports?" + range_query() + "&format=csv&table=" + table;
    d.file_name = "kopilka-" + table + "-" + iso_day(state_.range.from_ms) + "-" +
                  iso_day(state_.range.to_ms - kDayMs) + ".csv";
    return d;
}

void ReportsView::download(const std::string& table) {
    if (!state_.opened) return;
    state_.download = csv(table);
    changed_();
}

std::optional<ReportDownload> ReportsView::take_download() {
    return std::exchange(state_.download, std::nullopt);
}

}  // namespace kopilka::client
