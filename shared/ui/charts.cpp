#include "ui/charts.hpp"

#include <imgui_internal.h>  // the test engine's item hook

#include <algorithm>
#include <functional>

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

// What every chart draws with: the window's draw list, the text colours, the grid's colour.
struct Pen {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    ImU32 muted = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    ImU32 grid = IM_COL32(218, 221, 227, 255);
    float line_h = ImGui::GetTextLineHeight();

    // The title at the top of r (none when empty); returns the y under it.
    float title(const Rect& r, const std::string& s) const {
        if (s.empty()) return r.min.y;
        dl->AddText(r.min, text, s.c_str());
        return r.min.y + line_h + ImGui::GetStyle().ItemSpacing.y;
    }
};

// Every how many labels `slot` apart one is written, so that none overlaps its neighbour.
std::size_t label_step(const std::vector<std::string>& labels, float slot, float gap) {
    float widest = 0;
    for (const std::string& l : labels) widest = std::max(widest, ImGui::CalcTextSize(l.c_str()).x);
    return std::max<std::size_t>(1, static_cast<std::size_t>((widest + gap) / slot) + 1);
}

// The chart as one item covering r (an invisible button, reachable by keyboard); true when
// the pointer is over it.
bool chart_item(const char* id, const Rect& r) {
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
    return ImGui::IsItemHovered();
}

// The cell the keyboard has chosen in the focused chart item just drawn (the last item), as
// row × columns + column: kept in the window's state under the item's id, start when first
// focused. The arrow keys move it while a cell that `exists` lies that way, and are then kept
// from the navigation, which would otherwise leave the chart; at an edge they leave it as
// usual (down and up always do in a one-row chart).
int keyboard_cell(int start, int rows, int columns, const std::function<bool(int, int)>& exists) {
    ImGuiContext& g = *GImGui;
    const ImGuiID key = g.LastItemData.ID;
    ImGuiStorage* storage = ImGui::GetStateStorage();
    int at = storage->GetInt(key, start);
    if (at < 0 || at >= rows * columns) at = start;
    int row = at / columns, column = at % columns;
    if (g.NavMoveSubmitted && g.NavId == key) {
        int r = row, c = column;
        switch (g.NavMoveDir) {
            case ImGuiDir_Left:
                --c;
                break;
            case ImGuiDir_Right:
                ++c;
                break;
            case ImGuiDir_Up:
                --r;
                break;
            case ImGuiDir_Down:
                ++r;
                break;
            default:
                break;
        }
        if ((r != row || c != column) && r >= 0 && r < rows && c >= 0 && c < columns &&
            exists(r, c)) {
            row = r;
            column = c;
            ImGui::NavMoveRequestCancel();
        }
    }
    at = row * columns + column;
    storage->SetInt(key, at);
    return at;
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
    const Pen pen;
    ImDrawList* dl = pen.dl;
    const ImU32 text = pen.text, muted = pen.muted, grid = pen.grid;
    const float line_h = pen.line_h;
    const float gap = 8 * scale;
    const std::size_t n = chart.x_labels.size();

    // Title, then the legend on one line under it.
    float y = pen.title(r, chart.title);
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
    const bool hovered = chart_item(id, r);
    const bool focused = ImGui::IsItemFocused();
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
    const std::size_t every = label_step(chart.x_labels, slot, gap);
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

    const float mx = ImGui::GetIO().MousePos.x;
    const bool pointed = hovered && mx >= plot.min.x && mx <= plot.max.x;
    // Focused by the keyboard: the last x (the newest bucket) first, then ← and → step.
    const int keyed = focused ? keyboard_cell(static_cast<int>(n) - 1, 1, static_cast<int>(n),
                                              [](int, int) { return true; })
                              : -1;
    if (!pointed && !focused) return -1;
    const std::size_t at = pointed
                               ? std::min(n - 1, static_cast<std::size_t>((mx - plot.min.x) / slot))
                               : static_cast<std::size_t>(keyed);
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

int heat_alpha(std::int64_t value, std::int64_t max) {
    if (value <= 0 || max <= 0) return 0;
    if (value >= max) return 255;
    return static_cast<int>(value * 255 / max);
}

int draw_heat_map(const char* id, const Rect& r, const HeatMap& map, float scale) {
    const Pen pen;
    const float gap = 6 * scale;
    float y = pen.title(r, map.title);
    float label_w = 0;
    for (const std::string& l : map.row_labels)
        label_w = std::max(label_w, ImGui::CalcTextSize(l.c_str()).x);
    const float left = r.min.x + label_w + gap;
    if (!map.column_title.empty()) {
        pen.dl->AddText(ImVec2(left, y), pen.muted, map.column_title.c_str());
        y += pen.line_h + gap / 2;
    }
    const std::size_t rows = map.row_labels.size();
    const std::size_t columns = map.column_labels.size();
    const bool hovered = chart_item(id, r);
    const bool focused = ImGui::IsItemFocused();
    if (rows == 0 || columns == 0) return -1;
    // Cells at most six lines wide: a young cohort's few months stay a table, not a banner.
    const float cell_w = std::min((r.max.x - left) / static_cast<float>(columns), 6 * pen.line_h);
    const float top = y + pen.line_h + gap / 2;
    const float cell_h = std::min(pen.line_h * 2.f, (r.max.y - top) / static_cast<float>(rows));
    if (cell_w < 2 * scale || cell_h < 2 * scale) return -1;
    // Column labels, thinned so none overlaps its neighbour.
    const std::size_t every = label_step(map.column_labels, cell_w, gap);
    for (std::size_t c = 0; c < columns; c += every) {
        const float w = ImGui::CalcTextSize(map.column_labels[c].c_str()).x;
        pen.dl->AddText(ImVec2(left + cell_w * (static_cast<float>(c) + 0.5f) - w / 2, y),
                        pen.muted, map.column_labels[c].c_str());
    }
    const auto label = [&](std::int64_t v) {
        return map.value_text ? map.value_text(v) : std::to_string(v);
    };
    for (std::size_t row = 0; row < rows; ++row) {
        const float ry = top + cell_h * static_cast<float>(row);
        pen.dl->AddText(ImVec2(r.min.x, ry + (cell_h - pen.line_h) / 2), pen.text,
                        map.row_labels[row].c_str());
        if (row >= map.cells.size()) continue;
        for (std::size_t c = 0; c < columns && c < map.cells[row].size(); ++c) {
            const ImVec2 a(left + cell_w * static_cast<float>(c), ry);
            const ImVec2 b(a.x + cell_w, ry + cell_h);
            const auto& v = map.cells[row][c];
            if (!v) continue;
            const int alpha = heat_alpha(*v, map.max);
            pen.dl->AddRectFilled(a, b, IM_COL32(255, 255, 255, 255));
            pen.dl->AddRectFilled(a, b, with_alpha(map.color, alpha));
            pen.dl->AddRect(a, b, pen.grid, 0, 0, scale);
            const std::string s = label(*v);
            const ImVec2 size = ImGui::CalcTextSize(s.c_str());
            if (size.x + 2 * scale <= cell_w && size.y <= cell_h)
                pen.dl->AddText(ImVec2((a.x + b.x - size.x) / 2, (a.y + b.y - size.y) / 2),
                                alpha > 150 ? IM_COL32(255, 255, 255, 255) : pen.text, s.c_str());
        }
    }
    // The cell under the pointer, or when focused by keyboard the first row's first cell
    // first, then the one the arrow keys step to.
    const ImVec2 m = ImGui::GetIO().MousePos;
    int row = -1, column = -1;
    const int width = static_cast<int>(columns);
    const int keyed =
        focused ? keyboard_cell(0, static_cast<int>(rows), width,
                                [&](int r, int c) {
                                    const auto& cells = map.cells;
                                    return static_cast<std::size_t>(r) < cells.size() &&
                                           static_cast<std::size_t>(c) < cells[r].size() &&
                                           cells[r][c].has_value();
                                })
                : -1;
    if (hovered && m.x >= left && m.y >= top) {
        row = static_cast<int>((m.y - top) / cell_h);
        column = static_cast<int>((m.x - left) / cell_w);
    } else if (focused) {
        row = keyed / width;
        column = keyed % width;
    }
    if (row < 0 || row >= static_cast<int>(rows) || column >= static_cast<int>(columns) ||
        static_cast<std::size_t>(row) >= map.cells.size() ||
        static_cast<std::size_t>(column) >= map.cells[static_cast<std::size_t>(row)].size())
        return -1;
    const auto& v = map.cells[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)];
    if (!v) return -1;
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(map.row_labels[static_cast<std::size_t>(row)].c_str());
    ImGui::TextUnformatted(
        (map.column_labels[static_cast<std::size_t>(column)] + ": " + label(*v)).c_str());
    ImGui::EndTooltip();
    return row * static_cast<int>(columns) + column;
}

std::vector<std::string> heat_map_lines(const HeatMap& map) {
    std::vector<std::string> out;
    if (!map.title.empty()) out.push_back(map.title);
    for (std::size_t row = 0; row < map.row_labels.size(); ++row) {
        std::string line = map.row_labels[row] + ":";
        bool first = true;
        for (std::size_t c = 0;
             row < map.cells.size() && c < map.cells[row].size() && c < map.column_labels.size();
             ++c) {
            if (!map.cells[row][c]) continue;
            line += (first ? " " : ", ") + map.column_labels[c] + " " +
                    (map.value_text ? map.value_text(*map.cells[row][c])
                                    : std::to_string(*map.cells[row][c]));
            first = false;
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace kopilka::ui
