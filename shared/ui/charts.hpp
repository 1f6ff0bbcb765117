// Charts for the console (the simulator now, the reports next), drawn with Dear ImGui's draw
// list: a y axis with ticks at round values and grid lines, x labels that never overlap, a
// legend, lines with points or grouped bars, and a tooltip with every series' value at the x
// under the pointer. Numbers are exact integers (minor units, basis points, counts); the caller
// formats them in the shop's currency and language. chart_lines() gives the same data as text
// for the DOM mirror that screen readers read.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <functional>
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
// returns the index of the x under the pointer, or -1.
int draw_chart(const char* id, const Rect& r, const Chart& chart, float scale);

// "title", then "x label: series value, series value" for every x.
std::vector<std::string> chart_lines(const Chart& chart);

}  // namespace kopilka::ui
