#include "ui/console_reports.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>

#include "client/program_text.hpp"
#include "core/i18n/locale.hpp"
#include "core/program/lifecycle.hpp"
#include "ui/charts.hpp"
#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using namespace parts;
using client::ReportBucket;
using client::ReportPoint;
using client::ReportPreset;
using client::ReportsState;

const ImU32 kBlue = IM_COL32(0, 102, 170, 255);
const ImU32 kOrange = IM_COL32(217, 79, 43, 255);
const ImU32 kGreen = IM_COL32(26, 128, 56, 255);
const ImU32 kGrey = IM_COL32(120, 126, 138, 255);
const ImU32 kPurple = IM_COL32(120, 70, 170, 255);

constexpr ReportPreset kPresets[] = {ReportPreset::last_7,     ReportPreset::last_30,
                                     ReportPreset::last_90,    ReportPreset::this_month,
                                     ReportPreset::last_month, ReportPreset::this_year};
const char* const kCardIds[] = {"card_share", "average", "points", "liability_points",
                                "liability",  "members", "tiers",  "churn",
                                "cohorts",    "spins",   "cost"};

struct Texts {
    const ReportsScreen& s;
    std::string operator()(const std::string& key, const i18n::Args& a = {}) const {
        return i18n::translate(s.texts, s.locale, key, a);
    }
    std::string named(const std::string& key,
                      std::vector<std::pair<std::string, std::string>> named,
                      std::optional<std::int64_t> count = std::nullopt) const {
        i18n::Args a;
        a.count = count;
        a.named = std::move(named);
        return (*this)(key, a);
    }
    std::string money(std::int64_t minor) const {
        return i18n::format_money(s.locale, {minor, s.currency});
    }
    std::string permille(std::int64_t p) const { return client::percent_from_bp(s.locale, p * 10); }
    std::string integer(std::int64_t n) const { return i18n::format_integer(s.locale, n); }
    std::string date(std::int64_t ms) const { return i18n::format_date(s.locale, ms); }
    // A bucket's label on the x axis: "5 Nov" / "05.11" (day, week), "Nov 2026" / "11.2026".
    std::string bucket_label(ReportBucket b, std::int64_t ms) const {
        static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        const program::Date d = program::date_of(ms);
        char buf[32];
        const bool en = s.locale == i18n::Locale::en;
        if (b == ReportBucket::month)
            en ? std::snprintf(buf, sizeof buf, "%s %d", kMonths[d.month - 1], d.year)
               : std::snprintf(buf, sizeof buf, "%02d.%d", d.month, d.year);
        else
            en ? std::snprintf(buf, sizeof buf, "%d %s", d.day, kMonths[d.month - 1])
               : std::snprintf(buf, sizeof buf, "%02d.%02d", d.day, d.month);
        return buf;
    }
};

std::int64_t ratio_permille(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? part * 1000 / whole : 0;
}

struct Figure {
    std::string value, caption;
};

struct Card {
    std::string id, title;
    std::vector<Figure> figures;
    std::vector<std::string> notes;  // words under the figures (the IFRS 15 method)
    std::optional<Chart> chart;
    std::optional<HeatMap> heat;
    std::string empty;  // instead of a chart with nothing to draw
    std::string table;  // its CSV
};

// A chart over the series' buckets with one series per figure.
struct Line {
    const char* name;
    ImU32 color;
    std::function<std::int64_t(const ReportPoint&)> value;
};

Chart bucket_chart(const Texts& t, const ReportsState& st, ChartKind kind,
                   std::initializer_list<Line> lines,
                   std::function<std::string(std::int64_t)> value_text) {
    Chart c;
    c.kind = kind;
    c.x_title = t("reports.x." + std::string(client::report_bucket_name(st.bucket)));
    for (const ReportPoint& p : st.series)
        c.x_labels.push_back(t.bucket_label(st.bucket, p.from_ms));
    for (const Line& l : lines) {
        ChartSeries series{t(l.name), l.color, {}};
        for (const ReportPoint& p : st.series) series.values.push_back(l.value(p));
        c.series.push_back(std::move(series));
    }
    c.value_text = std::move(value_text);
    return c;
}

// A bar chart of named values (tiers, churn): one series, one bar per label.
Chart category_chart(const Texts& t, const char* series, ImU32 color,
                     std::vector<std::pair<std::string, std::int64_t>> bars) {
    Chart c;
    c.kind = ChartKind::bars;
    ChartSeries s{t(series), color, {}};
    for (auto& [label, value] : bars) {
        c.x_labels.push_back(label);
        s.values.push_back(value);
    }
    c.series.push_back(std::move(s));
    c.value_text = [t](std::int64_t n) { return t.integer(n); };
    return c;
}

std::string cohort_label(const Texts& t, const std::string& month) {
    int y = 0, m = 0;
    if (std::sscanf(month.c_str(), "%d-%d", &y, &m) != 2 || m < 1 || m > 12) return month;
    return t.bucket_label(ReportBucket::month, program::ms_of({y, m, 1}));
}

std::vector<Card> cards(const Texts& t, const ReportsState& st) {
    const client::ReportSummary& s = st.summary;
    const bool series = st.series_loaded && !st.series.empty();
    const std::string no_series =
        st.series_error ? t("reports.series_missing") : t("reports.empty");
    const auto money = [t](std::int64_t v) { return t.money(v); };
    const auto permille = [t](std::int64_t v) { return t.permille(v); };
    const auto integer = [t](std::int64_t v) { return t.integer(v); };
    std::vector<Card> out;
    out.reserve(std::size(kCardIds));  // add() returns a pointer into it
    const auto add = [&](const char* id, std::vector<Figure> figures, std::optional<Chart> chart,
                         const char* table) {
        Card c;
        c.id = id;
        c.title = t(std::string("reports.card.") + id);
        c.figures = std::move(figures);
        if (chart && series) c.chart = std::move(chart);
        if (!c.chart) c.empty = no_series;
        c.table = table;
        out.push_back(std::move(c));
        return &out.back();
    };

    add("card_share",
        {{t.permille(s.card_share_permille),
          t.named("reports.fig.of_receipts", {{"with", t.integer(s.receipts_with_card)}},
                  s.receipts)}},
        bucket_chart(t, st, ChartKind::lines,
                     {{"reports.series.card_share", kBlue,
                       [](const ReportPoint& p) {
                           return ratio_permille(p.receipts_with_card, p.receipts);
                       }}},
                     permille),
        "series");
    add("average",
        {{t.money(s.average_member), t("reports.series.member")},
         {t.money(s.average_non_member), t("reports.series.non_member")}},
        bucket_chart(t, st, ChartKind::lines,
                     {{"reports.series.member", kOrange,
                       [](const ReportPoint& p) {
                           return p.receipts_with_card > 0 ? p.revenue_member / p.receipts_with_card
                                                           : 0;
                       }},
                      {"reports.series.non_member", kGrey,
                       [](const ReportPoint& p) {
                           const std::int64_t n = p.receipts - p.receipts_with_card;
                           return n > 0 ? p.revenue_non_member / n : 0;
                       }}},
                     money),
        "series");
    add("points",
        {{t.permille(s.redemption_ratio_permille), t("reports.fig.redemption")},
         {t.permille(s.breakage_permille), t("reports.fig.breakage")}},
        bucket_chart(
            t, st, ChartKind::bars,
            {{"reports.series.issued", kBlue, [](const ReportPoint& p) { return p.points_issued; }},
             {"reports.series.redeemed", kOrange,
              [](const ReportPoint& p) { return p.points_redeemed; }},
             {"reports.series.expired", kGrey,
              [](const ReportPoint& p) { return p.points_expired; }}},
            integer),
        "series");
    add("liability_points", {{t.integer(s.liability_points), t("reports.fig.points_outstanding")}},
        bucket_chart(t, st, ChartKind::lines,
                     {{"reports.series.points", kPurple,
                       [](const ReportPoint& p) { return p.liability_points; }}},
                     integer),
        "series");
    Card* liability =
        add("liability",
            {{t.money(s.liability), t("reports.series.face")},
             {s.deferred ? t.money(s.deferred->amount) : "–", t("reports.series.deferred")}},
            bucket_chart(
                t, st, ChartKind::lines,
                {{"reports.series.face", kPurple, [](const ReportPoint& p) { return p.liability; }},
                 {"reports.series.deferred", kGreen,
                  [](const ReportPoint& p) { return p.deferred_revenue; }}},
                money),
            "series");  // its figures over time; the summary's CSV has the method's inputs
    if (s.deferred) {
        const client::DeferredRevenue& d = *s.deferred;
        const std::string basis_key = "reports.ifrs.basis." + d.breakage_basis;
        std::string basis = t(basis_key);
        if (basis == basis_key) basis = d.breakage_basis;
        liability->notes = {
            t("reports.ifrs.method"),
            t.named("reports.ifrs.inputs", {{"value", t.money(d.point_value_minor)},
                                            {"breakage", t.permille(d.expected_breakage_permille)},
                                            {"basis", basis},
                                            {"points", t.integer(d.points_outstanding)}}),
            t.named("reports.ifrs.period", {{"allocated", t.money(d.allocated_in_period)},
                                            {"recognised", t.money(d.recognised_in_period)}})};
    } else if (st.summary_loaded) {
        liability->notes = {t("reports.ifrs.missing")};
    }
    add("members",
        {{t.integer(s.members_active), t("reports.series.active")},
         {t.integer(s.members_enrolled), t("reports.series.enrolled")},
         {t.permille(s.active_permille), t("reports.fig.active_share")}},
        bucket_chart(t, st, ChartKind::lines,
                     {{"reports.series.enrolled", kGrey,
                       [](const ReportPoint& p) { return p.members_enrolled; }},
                      {"reports.series.active", kBlue,
                       [](const ReportPoint& p) { return p.members_active; }}},
                     integer),
        "series");

    // From the summary alone: tiers, churn, cohorts.
    Card* tiers = add("tiers", {}, std::nullopt, "tiers");
    if (!s.tiers.empty()) {
        std::vector<std::pair<std::string, std::int64_t>> bars;
        for (const auto& tier : s.tiers) bars.emplace_back(tier.name, tier.members);
        tiers->chart = category_chart(t, "reports.series.members", kOrange, std::move(bars));
    }
    tiers->empty = t("reports.no_tiers");
    // Churn by bucket (each against the equal period before it); until the series arrives,
    // the period's members before, now and churned.
    Card* churn = add("churn",
                      {{t.permille(s.churn_permille),
                        t.named("reports.fig.churned", {{"churned", t.integer(s.members_churned)}},
                                s.members_active_before)}},
                      bucket_chart(t, st, ChartKind::lines,
                                   {{"reports.series.churn", kBlue,
                                     [](const ReportPoint& p) { return p.churn_permille; }}},
                                   permille),
                      "series");
    if (!churn->chart)
        churn->chart = category_chart(t, "reports.series.members", kBlue,
                                      {{t("reports.churn.before"), s.members_active_before},
                                       {t("reports.churn.now"), s.members_active},
                                       {t("reports.churn.churned"), s.members_churned}});
    Card* cohorts = add("cohorts", {}, std::nullopt, "cohorts");
    if (!s.cohorts.empty()) {
        HeatMap h;
        h.column_title = t("reports.cohort.columns");
        h.color = kOrange;
        h.max = 1000;
        h.value_text = permille;
        std::size_t columns = 0;
        for (const auto& c : s.cohorts) {
            h.row_labels.push_back(
                t.named("reports.cohort.row", {{"month", cohort_label(t, c.month)}}, c.members));
            std::vector<std::optional<std::int64_t>> row(c.retention_permille.begin(),
                                                         c.retention_permille.end());
            columns = std::max(columns, row.size());
            h.cells.push_back(std::move(row));
        }
        for (std::size_t k = 0; k < columns; ++k) h.column_labels.push_back(std::to_string(k));
        cohorts->heat = std::move(h);
        cohorts->empty.clear();
    } else {
        cohorts->empty = t("reports.no_cohorts");
    }

    // Spins: the prize cost so far against the period's budget.
    std::int64_t so_far = 0;
    add("spins",
        {{t.money(s.spin_prize_cost), t("reports.fig.prize_cost")},
         {s.spin_budget ? t.money(*s.spin_budget) : t("reports.unlimited"),
          t("reports.series.budget")},
         {s.spin_budget_used_permille ? t.permille(*s.spin_budget_used_permille) : "–",
          t("reports.fig.budget_used")}},
        std::nullopt, "series");
    if (series) {
        Chart c = bucket_chart(
            t, st, ChartKind::lines,
            {{"reports.series.spin_cost", kOrange,
              [&so_far](const ReportPoint& p) { return so_far += p.spin_prize_cost; }}},
            money);
        if (s.spin_budget)
            c.series.push_back({t("reports.series.budget"), kGrey,
                                std::vector<std::int64_t>(st.series.size(), *s.spin_budget)});
        out.back().chart = std::move(c);
        out.back().empty.clear();
    }
    add("cost",
        {{t.permille(s.program_cost_share_permille), t("reports.fig.cost_share")},
         {t.money(s.program_cost), t("reports.fig.cost_total")}},
        bucket_chart(
            t, st, ChartKind::lines,
            {{"reports.series.cost_share", kPurple,
              [](const ReportPoint& p) { return ratio_permille(p.program_cost, p.revenue); }}},
            permille),
        "series");
    for (Card& c : out)
        if (c.chart || c.heat) c.empty.clear();
    return out;
}

std::vector<Figure> key_figures(const Texts& t, const ReportsState& st) {
    const client::ReportSummary& s = st.summary;
    std::vector<Figure> out{{t.money(s.revenue), t("reports.fig.revenue")},
                            {t.integer(s.receipts), t("reports.fig.receipts")},
                            {t.permille(s.card_share_permille), t("reports.fig.card_share")},
                            {t.money(s.liability), t("reports.fig.liability")}};
    if (s.deferred) out.push_back({t.money(s.deferred->amount), t("reports.series.deferred")});
    out.push_back({t.integer(s.members_active), t("reports.fig.active")});
    out.push_back({t.permille(s.program_cost_share_permille), t("reports.fig.cost_share")});
    return out;
}

std::string range_text(const Texts& t, const ReportsState& st) {
    return t.date(st.range.from_ms) + " – " + t.date(st.range.to_ms - client::kDayMs) + ", " +
           t("reports.by." + std::string(client::report_bucket_name(st.bucket)));
}

std::string error_words(const Texts& t, const client::ConsoleError& e) {
    const std::string key = "error." + e.code;
    std::string out = t(key);
    if (out == key) out = e.message.empty() ? t("error.other") : e.message;
    return out;
}

// A button drawn pressed when `on`.
bool toggle(const std::string& label, bool on) {
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.98f, 0.88f, 0.84f, 1.f));
    const bool pressed = ImGui::Button(label.c_str());
    if (on) ImGui::PopStyleColor();
    return pressed;
}

bool controls(const ReportsScreen& s, const Texts& t, client::ReportsView& view) {
    const ReportsState& st = view.state();
    bool typed = false;
    for (const ReportPreset p : kPresets) {
        const std::string name(client::report_preset_name(p));
        if (p != kPresets[0]) ImGui::SameLine();
        if (toggle(t("reports.preset." + name) + "##reports.preset." + name, st.preset == p))
            view.set_preset(p, s.now_ms, s.locale);
    }
    const float field_w = 150 * s.scale;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(t("reports.from").c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(field_w);
    // Enter applies the dates; a click selects the date, so what is typed replaces it.
    const ImGuiInputTextFlags enter =
        ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll;
    bool apply = input("##reports.from", &view.from_text(), enter);
    typed |= ImGui::IsItemEdited();
    ImGui::SameLine();
    ImGui::TextUnformatted(t("reports.to").c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(field_w);
    apply |= input("##reports.to", &view.to_text(), enter);
    typed |= ImGui::IsItemEdited();
    ImGui::SameLine();
    apply |=
        button(t("reports.apply") + "##reports.apply", true, st.preset == ReportPreset::custom);
    if (apply) view.apply_typed(s.locale);

    // The bucket: automatic or chosen; on the same line when there is room.
    const float bucket_w = 420 * s.scale;
    if (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x * 4 > bucket_w) {
        ImGui::SameLine(0, 32 * s.scale);
    }
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(t("reports.bucket").c_str());
    ImGui::SameLine();
    if (toggle(t("reports.bucket.auto") + "##reports.bucket.auto", !st.bucket_chosen))
        view.set_bucket(std::nullopt);
    for (const ReportBucket b : {ReportBucket::day, ReportBucket::week, ReportBucket::month}) {
        const std::string name(client::report_bucket_name(b));
        ImGui::SameLine();
        if (toggle(t("reports.bucket." + name) + "##reports.bucket." + name, st.bucket_chosen == b))
            view.set_bucket(b);
    }
    if (st.range_error)
        colored(kError, t(st.range_error->field == "from" ? "reports.from" : "reports.to") + ": " +
                            t("reports.error." + st.range_error->code));
    return typed;
}

// Big numbers side by side, wrapping to another row when narrow.
void figure_tiles(const ReportsScreen& s, const std::vector<Figure>& figures, float width) {
    if (figures.empty()) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float gap = 12 * s.scale;
    // As wide as the widest caption, so none is cut off (more rows when narrow).
    float widest = 0;
    for (const Figure& f : figures)
        widest = std::max(widest, ImGui::CalcTextSize(f.caption.c_str()).x);
    const float min_w = std::max(130 * s.scale, widest + 28 * s.scale);
    const int n = static_cast<int>(figures.size());
    const int fit = std::max(1, std::min(n, static_cast<int>((width + gap) / (min_w + gap))));
    const int rows = (n + fit - 1) / fit;
    const int per_row = (n + rows - 1) / rows;  // the rows evened out: 4 and 3, not 5 and 2
    const float w = (width - gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row);
    const float big_h = s.title_font ? s.title_font->FontSize : ImGui::GetTextLineHeight();
    const float h = big_h + ImGui::GetTextLineHeight() + 22 * s.scale;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    for (std::size_t i = 0; i < figures.size(); ++i) {
        const int row = static_cast<int>(i) / per_row, col = static_cast<int>(i) % per_row;
        const ImVec2 a(at.x + (w + gap) * static_cast<float>(col),
                       at.y + (h + gap) * static_cast<float>(row));
        const ImVec2 b(a.x + w, a.y + h);
        dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 255), 8 * s.scale);
        dl->AddRect(a, b, IM_COL32(218, 221, 227, 255), 8 * s.scale, 0, s.scale);
        const ImVec2 pad(12 * s.scale, 8 * s.scale);
        ImGui::PushClipRect(a, b, true);
        if (s.title_font) ImGui::PushFont(s.title_font);
        dl->AddText(ImVec2(a.x + pad.x, a.y + pad.y), ImGui::GetColorU32(ImGuiCol_Text),
                    figures[i].value.c_str());
        if (s.title_font) ImGui::PopFont();
        dl->AddText(ImVec2(a.x + pad.x, a.y + pad.y + big_h + 4 * s.scale),
                    ImGui::GetColorU32(kMuted), figures[i].caption.c_str());
        ImGui::PopClipRect();
    }
    ImGui::Dummy(ImVec2(width, (h + gap) * static_cast<float>(rows) - gap));
}

void draw_card(const ReportsScreen& s, const Texts& t, client::ReportsView& view, const Card& c,
               const Rect& r) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float pad = 14 * s.scale;
    dl->AddRectFilled(r.min, r.max, IM_COL32(255, 255, 255, 255), 8 * s.scale);
    dl->AddRect(r.min, r.max, IM_COL32(218, 221, 227, 255), 8 * s.scale, 0, s.scale);
    const Rect in{ImVec2(r.min.x + pad, r.min.y + pad), ImVec2(r.max.x - pad, r.max.y - pad)};
    // The CSV button at the top right, the title left of it.
    const std::string csv = t("reports.csv") + "##reports.csv." + c.id;
    const float csv_w =
        ImGui::CalcTextSize(t("reports.csv").c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
    ImGui::SetCursorScreenPos(ImVec2(in.max.x - csv_w, in.min.y));
    if (button(csv)) view.download(c.table);
    ImGui::SetCursorScreenPos(in.min);
    ImGui::PushTextWrapPos(in.max.x - csv_w - pad - ImGui::GetWindowPos().x + ImGui::GetScrollX());
    ImGui::AlignTextToFramePadding();
    ImGui::TextWrapped("%s", c.title.c_str());
    ImGui::PopTextWrapPos();
    // Figures in a row: the value big, its caption muted under it.
    if (!c.figures.empty()) {
        const float col_w = in.width() / static_cast<float>(c.figures.size());
        // Under the title; the cursor went back to the window's left edge after it.
        const ImVec2 at(in.min.x, ImGui::GetCursorScreenPos().y);
        const float big_h = s.title_font ? s.title_font->FontSize : ImGui::GetTextLineHeight();
        for (std::size_t i = 0; i < c.figures.size(); ++i) {
            const float x = at.x + col_w * static_cast<float>(i);
            ImGui::PushClipRect(ImVec2(x, at.y), ImVec2(x + col_w - 8 * s.scale, r.max.y), true);
            if (s.title_font) ImGui::PushFont(s.title_font);
            dl->AddText(ImVec2(x, at.y), ImGui::GetColorU32(ImGuiCol_Text),
                        c.figures[i].value.c_str());
            if (s.title_font) ImGui::PopFont();
            dl->AddText(ImVec2(x, at.y + big_h + 2 * s.scale), ImGui::GetColorU32(kMuted),
                        c.figures[i].caption.c_str());
            ImGui::PopClipRect();
        }
        ImGui::Dummy(ImVec2(in.width(), big_h + ImGui::GetTextLineHeight() + 6 * s.scale));
    }
    if (!c.notes.empty()) {
        ImGui::PushTextWrapPos(in.max.x - ImGui::GetWindowPos().x + ImGui::GetScrollX());
        for (const std::string& n : c.notes) {
            ImGui::SetCursorScreenPos(ImVec2(in.min.x, ImGui::GetCursorScreenPos().y));
            ImGui::PushStyleColor(ImGuiCol_Text, kMuted);
            ImGui::TextWrapped("%s", n.c_str());
            ImGui::PopStyleColor();
        }
        ImGui::PopTextWrapPos();
    }
    const ImVec2 top(in.min.x, ImGui::GetCursorScreenPos().y + 4 * s.scale);
    const Rect plot{top, in.max};
    const std::string id = "##reports.chart." + c.id;
    if (c.chart && plot.height() > 60 * s.scale)
        draw_chart(id.c_str(), plot, *c.chart, s.scale);
    else if (c.heat && plot.height() > 40 * s.scale)
        draw_heat_map(id.c_str(), plot, *c.heat, s.scale);
    else if (!c.empty.empty()) {
        ImGui::SetCursorScreenPos(top);
        ImGui::PushTextWrapPos(in.max.x - ImGui::GetWindowPos().x + ImGui::GetScrollX());
        ImGui::PushStyleColor(ImGuiCol_Text, kMuted);
        ImGui::TextWrapped("%s", c.empty.c_str());
        ImGui::PopStyleColor();
        ImGui::PopTextWrapPos();
    }
}

}  // namespace

std::vector<std::string> report_card_ids() {
    return {std::begin(kCardIds), std::end(kCardIds)};
}

bool draw_reports(const ReportsScreen& s, client::ReportsView& view, const Rect& content) {
    const Texts t{s};
    const ReportsState& st = view.state();
    ImGui::SetCursorScreenPos(content.min);
    ImGui::BeginChild("reports", content.size(), false);
    // The keyboard: arrow keys move through every control, the charts and CSV buttons too (a
    // focused chart shows its newest bucket's tooltip); Tab moves between the date fields.
    const float width = ImGui::GetContentRegionAvail().x;
    if (s.title_font) ImGui::PushFont(s.title_font);
    ImGui::TextUnformatted(t("reports.title").c_str());
    if (s.title_font) ImGui::PopFont();
    ImGui::SameLine();
    const std::string all = t("reports.csv_all") + "##reports.csv.all";
    const float all_w =
        ImGui::CalcTextSize(t("reports.csv_all").c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
    ImGui::SetCursorPosX(
        std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - all_w));
    if (button(all, st.opened)) view.download("summary");
    muted(range_text(t, st));
    ImGui::Spacing();
    const bool typed = controls(s, t, view);
    if (st.busy == client::ConsoleBusy::loading) muted(t("reports.loading"));
    if (st.error) colored(kError, error_words(t, *st.error));
    ImGui::Spacing();
    if (st.summary_loaded) {
        figure_tiles(s, key_figures(t, st), width);
        ImGui::Spacing();
    }

    // The grid: as many columns as fit cards 460 px wide (2 at 1280 wide, 3 at 1920).
    const float gap = 16 * s.scale;
    const int columns = std::clamp(static_cast<int>((width + gap) / (460 * s.scale + gap)), 1, 3);
    const float card_w =
        (width - gap * static_cast<float>(columns - 1)) / static_cast<float>(columns);
    const float card_h = std::max(340 * s.scale, std::min(440 * s.scale, content.height() * 0.55f));
    const std::vector<Card> all_cards = st.summary_loaded ? cards(t, st) : std::vector<Card>{};
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    for (std::size_t i = 0; i < all_cards.size(); ++i) {
        const int row = static_cast<int>(i) / columns, col = static_cast<int>(i) % columns;
        const ImVec2 a(origin.x + (card_w + gap) * static_cast<float>(col),
                       origin.y + (card_h + gap) * static_cast<float>(row));
        ImGui::PushID(static_cast<int>(i));
        draw_card(s, t, view, all_cards[i], Rect{a, ImVec2(a.x + card_w, a.y + card_h)});
        ImGui::PopID();
    }
    const int rows = (static_cast<int>(all_cards.size()) + columns - 1) / columns;
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(width, (card_h + gap) * static_cast<float>(rows)));
    ImGui::EndChild();
    return typed;
}

std::vector<std::string> reports_lines(const ReportsScreen& s, const ReportsState& st) {
    const Texts t{s};
    std::vector<std::string> out;
    if (!st.opened) return out;
    out.push_back(range_text(t, st));
    if (st.range_error)
        out.push_back(t(st.range_error->field == "from" ? "reports.from" : "reports.to") + ": " +
                      t("reports.error." + st.range_error->code));
    if (st.busy == client::ConsoleBusy::loading) out.push_back(t("reports.loading"));
    if (st.error) out.push_back(error_words(t, *st.error));
    if (!st.summary_loaded) return out;
    for (const Figure& f : key_figures(t, st)) out.push_back(f.caption + ": " + f.value);
    for (const Card& c : cards(t, st)) {
        out.push_back(c.title);
        for (const Figure& f : c.figures) out.push_back(f.caption + ": " + f.value);
        for (const std::string& n : c.notes) out.push_back(n);
        if (c.chart) {
            std::vector<std::string> lines = chart_lines(*c.chart);
            out.insert(out.end(), lines.begin(), lines.end());
        } else if (c.heat) {
            std::vector<std::string> lines = heat_map_lines(*c.heat);
            out.insert(out.end(), lines.begin(), lines.end());
        } else if (!c.empty.empty()) {
            out.push_back(c.empty);
        }
    }
    return out;
}

}  // namespace kopilka::ui
