// The console screens' small drawing parts, shared by its sections (console_screens.cpp,
// console_program.cpp, console_simulator.cpp): a text field over a std::string, muted and
// coloured text, a button that can be disabled or primary, and the palette they use.
#pragma once

#include <imgui.h>

#include <string>

namespace kopilka::ui::parts {

inline const ImVec4 kMuted(0.38f, 0.40f, 0.44f, 1.f);
inline const ImVec4 kError(0.70f, 0.12f, 0.10f, 1.f);
inline const ImVec4 kGood(0.10f, 0.50f, 0.22f, 1.f);
inline const ImVec4 kAccent(0.85f, 0.31f, 0.17f, 1.f);

// A text field over a std::string (imgui_stdlib is not built), grown as it is typed into.
bool input(const char* id, std::string* value, ImGuiInputTextFlags flags = 0,
           const char* hint = nullptr);
void muted(const std::string& text);  // wrapped
void colored(const ImVec4& c, const std::string& text, bool wrap = true);
bool button(const std::string& label, bool enabled = true, bool primary = false,
            ImVec2 size = ImVec2(0, 0));

}  // namespace kopilka::ui::parts
