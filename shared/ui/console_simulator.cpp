#include "ui/console_simulator.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "client/program_text.hpp"
#include "core/i18n/locale.hpp"
#include "ui/charts.hpp"
#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using namespace parts;

const ImU32 kNone = IM_COL32(120, 126, 138, 255);
const ImU32 kDiscount = IM_COL32(0, 102, 170, 255);
const ImU32 kBonus = IM_COL32(217, 79, 43, 255);

struct Texts {
    const SimulatorScreen& s;
    std::string operator()(const std::string& key, const i18n::Args& a = {}) const {
        return i18n::translate(s.texts, s.locale, key, a);
    }
    std::string money(std::int64_t minor) const {
        return i18n::format_money(s.locale, {minor, s.currency});
    }
    std::string percent(std::int64_t bp) const { return client::percent_from_bp(s.locale, bp); }
};

// The catalogue key of a field's refusal.
std::string error_key(const std::string& code) {
    if (code == "empty") return "error.missing_field";
    if (code == "malformed" || code == "too_many_decimals" || code == "too_large" ||
        code == "margin_rounds_to_zero" || code == "overflow")
        return "sim.error." + code;
    return "sim.error.range";  // the core's *_invalid
}

const char* const kFields[] = {"price",    "margin",   "rate",     "visits",
                               "breakage", "comeback", "customers"};

std::string* field_text(client::SimulatorForm& f, const std::string& field) {
    if (field == "price") return &f.price;
    if (field == "margin") return &f.margin;
    if (field == "rate") return &f.rate;
    if (field == "visits") return &f.visits;
    if (field == "breakage") return &f.breakage;
    if (field == "comeback") return &f.comeback;
    return &f.customers;
}

std::string field_label(const Texts& t, const std::string& field) {
    if (field == "price")
        return t("sim.price",
                 {{}, {{"currency", std::string(money::currency_info(t.s.currency).code)}}});
    return t("sim." + field);
}

bool form(client::SimulatorForm& f, const Texts& t, const client::SimulatorView& v, float width) {
    bool edited = false;
    for (const char* field : kFields) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
        ImGui::TextWrapped("%s", field_label(t, field).c_str());
        ImGui::PopTextWrapPos();
        ImGui::SetNextItemWidth(width);
        const std::string id = std::string("##sim.") + field;
        // No character filter: "9000,00" must not silently become 900000.
        edited |= input(id.c_str(), field_text(f, field));
        for (const auto& e : v.errors)
            if (e.field == field) colored(kError, t(error_key(e.code)));
        ImGui::Spacing();
    }
    // An overflow names no field: under the form.
    for (const auto& e : v.errors)
        if (e.field.empty()) colored(kError, t(error_key(e.code)));
    return edited;
}

// One series of a chart by the number of visits: its name, colour and figure of each point.
struct Line {
    const char* name;
    ImU32 color;
    std::int64_t client::SimulatorPoint::*figure;
};

Chart visits_chart(const Texts& t, const client::SimulatorView& v, ChartKind kind,
                   const char* title, std::initializer_list<Line> lines) {
    Chart c;
    c.kind = kind;
    c.title = t(title);
    c.x_title = t("sim.chart.visits");
    for (const auto& p : v.series) c.x_labels.push_back(std::to_string(p.visits));
    for (const Line& l : lines) {
        ChartSeries series{t(l.name), l.color, {}};
        for (const auto& p : v.series) series.values.push_back(p.*l.figure);
        c.series.push_back(std::move(series));
    }
    return c;
}

using P = client::SimulatorPoint;

Chart profit_chart(const Texts& t, const client::SimulatorView& v) {
    Chart c = visits_chart(t, v, ChartKind::lines, "sim.chart.profit",
                           {{"sim.series.none", kNone, &P::profit_per_sale_none},
                            {"sim.series.discount", kDiscount, &P::profit_per_sale_discount},
                            {"sim.series.bonus", kBonus, &P::profit_per_sale_bonus}});
    c.value_text = [t](std::int64_t minor) { return t.money(minor); };
    return c;
}

Chart share_chart(const Texts& t, const client::SimulatorView& v) {
    Chart c = visits_chart(t, v, ChartKind::bars, "sim.chart.share",
                           {{"sim.series.discount", kDiscount, &P::margin_given_discount_bp},
                            {"sim.series.bonus", kBonus, &P::margin_given_bonus_bp}});
    c.value_text = [t](std::int64_t bp) { return t.percent(bp); };
    return c;
}

// "The bonus earns you 450 ₽ more than the discount." and the like.
std::string verdict(const Texts& t, const simulator::Economics& e) {
    const std::int64_t d = e.bonus_vs_discount;
    if (d == 0) return t("sim.verdict.same");
    return t(d > 0 ? "sim.verdict.bonus" : "sim.verdict.discount",
             {{}, {{"amount", t.money(d > 0 ? d : -d)}}});
}

struct Row {
    std::string label, discount, bonus;
};

std::vector<Row> result_rows(const Texts& t, const client::SimulatorView& v) {
    const simulator::Economics& e = *v.economics;
    return {
        {t("sim.row.given"), t.percent(e.discount.cost_share_of_margin_bp),
         t.percent(e.bonus.cost_share_of_margin_bp)},
        {t("sim.row.cost"), t.money(e.discount.program_cost), t.money(e.bonus.program_cost)},
        {t("sim.row.profit"), t.money(e.discount.profit), t.money(e.bonus.profit)},
        {t("sim.row.per_sale"), t.money(v.typed.profit_per_sale_discount),
         t.money(v.typed.profit_per_sale_bonus)},
    };
}

void results(const SimulatorScreen& s, const Texts& t, const client::SimulatorView& v,
             const Rect& room) {
    const float px = s.scale;
    if (!v.economics) {
        muted(t("sim.fix_fields"));
        return;
    }
    const simulator::Economics& e = *v.economics;
    if (s.title_font) ImGui::PushFont(s.title_font);
    ImGui::PushTextWrapPos(room.max.x - ImGui::GetWindowPos().x);
    ImGui::TextWrapped("%s", verdict(t, e).c_str());
    ImGui::PopTextWrapPos();
    if (s.title_font) ImGui::PopFont();
    i18n::Args base;
    base.count = e.purchases;
    base.named = {{"profit", t.money(e.none.profit)}};
    muted(t("sim.baseline", base));
    ImGui::Spacing();
    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
    const float table_w = std::min(room.width(), 620 * px);
    if (ImGui::BeginTable("sim.results", 3, flags, ImVec2(table_w, 0))) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 2.2f);
        ImGui::TableSetupColumn(t("sim.series.discount").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 1);
        ImGui::TableSetupColumn(t("sim.series.bonus").c_str(), ImGuiTableColumnFlags_WidthStretch,
                                1);
        ImGui::TableHeadersRow();
        for (const Row& r : result_rows(t, v)) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.label.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.discount.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.bonus.c_str());
        }
        ImGui::EndTable();
    }
    muted(t("sim.liability", {{}, {{"amount", t.money(e.bonus_flow.liability)}}}));
    ImGui::Spacing();

    // The two charts share what is left, side by side when the room is wide.
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const Rect rest{at, room.max};
    const float gap = 24 * px;
    const bool side = rest.width() >= 900 * px;
    const float room_h = rest.height() - 2 * ImGui::GetStyle().ItemSpacing.y;
    const float h = side ? room_h : (room_h - gap) / 2;
    const float w = side ? (rest.width() - gap) / 2 : rest.width();
    const float chart_h = std::max(h, 200 * px);
    draw_chart("##sim.chart.profit", Rect{at, ImVec2(at.x + w, at.y + chart_h)}, profit_chart(t, v),
               px);
    const ImVec2 second = side ? ImVec2(at.x + w + gap, at.y) : ImVec2(at.x, at.y + chart_h + gap);
    draw_chart("##sim.chart.share", Rect{second, ImVec2(second.x + w, second.y + chart_h)},
               share_chart(t, v), px);
    ImGui::SetCursorScreenPos(ImVec2(
        at.x, (side ? at.y + chart_h : second.y + chart_h) + ImGui::GetStyle().ItemSpacing.y));
    ImGui::Dummy(ImVec2(1, 1));
}

}  // namespace

bool draw_simulator(const SimulatorScreen& s, client::SimulatorForm& f, const Rect& content) {
    const Texts t{s};
    const client::SimulatorView v = client::simulate_form(f, s.currency);
    const float px = s.scale;
    const float form_w = std::clamp(content.width() * 0.3f, 260 * px, 360 * px);
    ImGui::SetCursorScreenPos(content.min);
    ImGui::BeginChild("sim.form", ImVec2(form_w, content.height()));
    if (s.title_font) ImGui::PushFont(s.title_font);
    ImGui::TextUnformatted(t("sim.title").c_str());
    if (s.title_font) ImGui::PopFont();
    muted(t("sim.intro"));
    ImGui::Spacing();
    const bool edited = form(f, t, v, form_w - 16 * px);
    ImGui::EndChild();

    const ImVec2 right(content.min.x + form_w + 24 * px, content.min.y);
    ImGui::SetCursorScreenPos(right);
    ImGui::BeginChild("sim.results", ImVec2(content.max.x - right.x, content.height()));
    const ImVec2 from = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    results(s, t, v, Rect{from, ImVec2(from.x + avail.x, from.y + avail.y)});
    ImGui::EndChild();
    return edited;
}

std::vector<std::string> simulator_lines(const SimulatorScreen& s, const client::SimulatorForm& f) {
    const Texts t{s};
    const client::SimulatorView v = client::simulate_form(f, s.currency);
    std::vector<std::string> out;
    for (const auto& e : v.errors)
        out.push_back((e.field.empty() ? std::string() : field_label(t, e.field) + ": ") +
                      t(error_key(e.code)));
    if (!v.economics) return out;
    out.push_back(verdict(t, *v.economics));
    for (const Row& r : result_rows(t, v))
        out.push_back(r.label + ": " + t("sim.series.discount") + " " + r.discount + ", " +
                      t("sim.series.bonus") + " " + r.bonus);
    for (const Chart& c : {profit_chart(t, v), share_chart(t, v)})
        for (std::string& line : chart_lines(c)) out.push_back(std::move(line));
    return out;
}

}  // namespace kopilka::ui
