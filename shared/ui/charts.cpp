#include "ui/charts.hpp"

#include <imgui_internal.h>  // the test engine's item hook

#include <algorithm>

namespace kopilka::ui {

namespace {

// ⌊a / b⌋ and ⌈a / b⌉ for b > 0, negative a included.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && (a < 0) ? 1 : 0);
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return a / b + ((a % b != 0) && (a > 0) ? 1 : 0);
}

ImU32 with_alpha(ImU32 c, int alpha) {
    return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

}  // namespace

std::vector<std::int64_t> chart_ticks(std::int64_t lo, std::int64_t hi, int count) {
    lo = std::min<std::int64_t>(lo, 0);
    hi = std::max<std::int64_t>(hi, 0);
    if (hi == lo) hi = lo + 1;
    count = std::max(count, 1);
    const std::int64_t raw = std::max<std::int64_t>(1, ceil_div(hi - lo, count));
    std::int64_t magnitude = 1;
    while (magnitude <= raw / 10) magnitude *= 10;
    std::int64_t step = magnitude;
    for (const std::int64_t f : {1, 2, 5, 10}) {
        step = f * magnitude;
        if (step >= raw) break;
    }
    std::vector<std::int64_t> out;
    for (std::int64_t t = floor_div(lo, step) * step; t <= ceil_div(hi, step) * step; t += step)
        out.push_back(t);
    return out;
}

int draw_chart(const char* id, const Rect& r, const Chart& chart, float scale) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 muted = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImU32 grid = IM_COL32(218, 221, 227, 255);
    const float line_h = ImGui::GetTextLineHeight();
    const float gap = 8 * scale;
    const std::size_t n = chart.x_labels.size();

    // Title, then the legend on one line under it.
    float y = r.min.y;
    if (!chart.title.empty()) {
        dl->AddText(ImVec2(r.min.x, y), text, chart.title.c_str());
        y += line_h + style.ItemSpacing.y;
    }
    float x = r.min.x;
    for (const ChartSeries& s : chart.series) {
        const float box = line_h * 0.6f;
        dl->AddRectFilled(ImVec2(x, y + (line_h - box) / 2),
                          ImVec2(x + box, y + (line_h + box) / 2), s.color, 2 * scale);
        x += box + gap / 2;
        dl->AddText(ImVec2(x, y), text, s.name.c_str());
        x += ImGui::CalcTextSize(s.name.c_str()).x + 2 * gap;
    }
    y += line_h + gap;

    std::int64_t lo = 0, hi = 0;
    for (const ChartSeries& s : chart.series)
        for (const std::int64_t v : s.values) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    const float plot_h_guess = r.max.y - y - 2 * line_h - gap;
    const int tick_count = std::clamp(static_cast<int>(plot_h_guess / (line_h * 2.5f)), 2, 8);
    const std::vector<std::int64_t> ticks = chart_ticks(lo, hi, tick_count);
    const auto label = [&](std::int64_t v) {
        return chart.value_text ? chart.value_text(v) : std::to_string(v);
    };
    float label_w = 0;
    for (const std::int64_t t : ticks)
        label_w = std::max(label_w, ImGui::CalcTextSize(label(t).c_str()).x);

    const Rect plot{ImVec2(r.min.x + label_w + gap, y + line_h / 2),
                    ImVec2(r.max.x - gap, r.max.y - 2 * line_h - gap)};
    ImGui::SetCursorScreenPos(r.min);
    ImGui::InvisibleButton(id, ImVec2(std::max(r.width(), 1.f), std::max(r.height(), 1.f)));
#ifdef IMGUI_ENABLE_TEST_ENGINE
    // An invisible button tells no label to the test engine's hooks (ui/imgui_items): this one
    // should be found by its id like any other control.
    {
        ImGuiContext& g = *GImGui;  // the macro's name for it
        IMGUI_TEST_ENGINE_ITEM_INFO(g.LastItemData.ID, id, 0);
    }
#endif
    const bool hovered = ImGui::IsItemHovered();
    if (plot.height() < line_h || plot.width() < line_h || n == 0 || ticks.size() < 2) return -1;

    const double first = static_cast<double>(ticks.front());
    const double span = static_cast<double>(ticks.back()) - first;
    const auto y_of = [&](std::int64_t v) {
        return plot.max.y -
               static_cast<float>((static_cast<double>(v) - first) / span) * plot.height();
    };
    for (const std::int64_t t : ticks) {
        const float ty = y_of(t);
        dl->AddLine(ImVec2(plot.min.x, ty), ImVec2(plot.max.x, ty), t == 0 ? muted : grid, scale);
        const std::string s = label(t);
        dl->AddText(ImVec2(plot.min.x - gap - ImGui::CalcTextSize(s.c_str()).x, ty - line_h / 2),
                    muted, s.c_str());
    }

    // x: one slot per label; labels thinned so none overlaps its neighbour.
    const float slot = plot.width() / static_cast<float>(n);
    float widest = 0;
    for (const std::string& l : chart.x_labels)
        widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
    const std::size_t every =
        std::max<std::size_t>(1, static_cast<std::size_t>((widest + gap) / slot) + 1);
    const auto x_of = [&](std::size_t i) {
        return plot.min.x + slot * (static_cast<float>(i) + 0.5f);
    };
    for (std::size_t i = 0; i < n; i += every) {
        const float w = ImGui::CalcTextSize(chart.x_labels[i].c_str()).x;
        dl->AddText(ImVec2(x_of(i) - w / 2, plot.max.y + gap / 2), muted,
                    chart.x_labels[i].c_str());
    }
    if (!chart.x_title.empty()) {
        const float w = ImGui::CalcTextSize(chart.x_title.c_str()).x;
        dl->AddText(ImVec2((plot.min.x + plot.max.x - w) / 2, plot.max.y + gap / 2 + line_h), muted,
                    chart.x_title.c_str());
    }

    const std::size_t count = chart.series.size();
    if (chart.kind == ChartKind::bars && count > 0) {
        const float group = slot * 0.7f;
        const float bar = group / static_cast<float>(count);
        for (std::size_t k = 0; k < count; ++k) {
            const ChartSeries& s = chart.series[k];
            for (std::size_t i = 0; i < n && i < s.values.size(); ++i) {
                const float bx = x_of(i) - group / 2 + bar * static_cast<float>(k);
                const float y0 = y_of(0), y1 = y_of(s.values[i]);
                dl->AddRectFilled(ImVec2(bx + scale, std::min(y0, y1)),
                                  ImVec2(bx + bar - scale, std::max(y0, y1)), s.color);
            }
        }
    } else {
        for (const ChartSeries& s : chart.series) {
            std::vector<ImVec2> points;
            for (std::size_t i = 0; i < n && i < s.values.size(); ++i)
                points.emplace_back(x_of(i), y_of(s.values[i]));
            dl->AddPolyline(points.data(), static_cast<int>(points.size()), s.color, 0,
                            2.5f * scale);
            for (const ImVec2& p : points) dl->AddCircleFilled(p, 3.5f * scale, s.color);
        }
    }

    if (!hovered) return -1;
    const float mx = ImGui::GetIO().MousePos.x;
    if (mx < plot.min.x || mx > plot.max.x) return -1;
    const std::size_t at = std::min(n - 1, static_cast<std::size_t>((mx - plot.min.x) / slot));
    dl->AddRectFilled(ImVec2(x_of(at) - slot / 2, plot.min.y),
                      ImVec2(x_of(at) + slot / 2, plot.max.y), with_alpha(grid, 90));
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(chart.x_labels[at].c_str());
    for (const ChartSeries& s : chart.series) {
        if (at >= s.values.size()) continue;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), "%s", s.name.c_str());
        ImGui::SameLine();
        ImGui::TextUnformatted(label(s.values[at]).c_str());
    }
    ImGui::EndTooltip();
    return static_cast<int>(at);
}

std::vector<std::string> chart_lines(const Chart& chart) {
    std::vector<std::string> out;
    if (!chart.title.empty()) out.push_back(chart.title);
    for (std::size_t i = 0; i < chart.x_labels.size(); ++i) {
        std::string line = chart.x_labels[i] + ":";
        bool first = true;
        for (const ChartSeries& s : chart.series) {
            if (i >= s.values.size()) continue;
            line +=
                (first ? " " : ", ") + s.name + " " +
                (chart.value_text ? chart.value_text(s.values[i]) : std::to_string(s.values[i]));
            first = false;
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace kopilka::ui
