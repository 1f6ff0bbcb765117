// Charts for the console (the simulator and the reports), drawn with Dear ImGui's draw
// list: a y axis with ticks at round values and grid lines, x labels that never overlap, a
// legend, lines with points or grouped bars, and a tooltip with every series' value at the x
// under the pointer (or, when the chart has the keyboard focus, at the last x first, then at the
// x that ← and → step to); and a heat map (cohort retention) with a tooltip for the cell under
// the pointer (or the one the arrow keys step to). Numbers are exact
// integers (minor units, basis points, counts); the caller formats them in the shop's currency
// and language. chart_lines() gives the same data as text
// for the DOM mirror that screen readers read.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ui/widgets.hpp"

namespace kopilka::ui {

struct ChartSeries {
    std::string name;
    ImU32 color = 0;
    std::vector<std::int64_t> values;  // one per x label
};

enum class ChartKind : std::uint8_t { lines, bars };

struct Chart {
    ChartKind kind = ChartKind::lines;
    std::string title;                  // above the plot
    std::vector<std::string> x_labels;  // one per value
    std::string x_title;                // under the x labels ("visits")
    std::vector<ChartSeries> series;
    std::function<std::string(std::int64_t)> value_text;  // ticks, tooltip, text mirror
};

// Round tick values covering [lo, hi] (zero included), at most about `count`; steps of 1, 2 or
// 5 × 10^k, at least 1.
std::vector<std::int64_t> chart_ticks(std::int64_t lo, std::int64_t hi, int count);

// Draws `chart` into r (screen pixels) as item `id` (an invisible button, so tests find it);
// returns the index of the x under the pointer (or chosen by the keyboard), or -1.
int draw_chart(const char* id, const Rect& r, const Chart& chart, float scale);

// "title", then "x label: series value, series value" for every x.
std::vector<std::string> chart_lines(const Chart& chart);

// Rows × columns of cells shaded by value, from none (white) to `max` (color), the value
// written in each cell that is wide enough. A row may have fewer cells than columns.
struct HeatMap {
    std::string title;
    std::vector<std::string> row_labels;     // left of each row
    std::vector<std::string> column_labels;  // above each column
    std::string column_title;                // above the column labels ("months since …")
    std::vector<std::vector<std::optional<std::int64_t>>> cells;  // [row][column]
    std::int64_t max = 1000;
    ImU32 color = 0;
    std::function<std::string(std::int64_t)> value_text;
};

// The shade of a value: 0 for ≤ 0, 255 for ≥ max, linear between (the alpha of the colour).
int heat_alpha(std::int64_t value, std::int64_t max);

// Draws `map` into r as item `id`; returns the cell under the pointer (or chosen by the
// keyboard) as row × columns + column, or -1.
int draw_heat_map(const char* id, const Rect& r, const HeatMap& map, float scale);

// "title", then "row label: column label value, column label value" for every row.
std::vector<std::string> heat_map_lines(const HeatMap& map);

}  // namespace kopilka::ui
