#include "ui/console_parts.hpp"

namespace kopilka::ui::parts {

namespace {
int grow(ImGuiInputTextCallbackData* d) {
    if (d->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        auto* str = static_cast<std::string*>(d->UserData);
        str->resize(static_cast<std::size_t>(d->BufTextLen));
        d->Buf = str->data();
    }
    return 0;
}
}  // namespace

bool input(const char* id, std::string* value, ImGuiInputTextFlags flags, const char* hint) {
    flags |= ImGuiInputTextFlags_CallbackResize;
    if (hint)
        return ImGui::InputTextWithHint(id, hint, value->data(), value->capacity() + 1, flags, grow,
                                        value);
    return ImGui::InputText(id, value->data(), value->capacity() + 1, flags, grow, value);
}

void muted(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, kMuted);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

void colored(const ImVec4& c, const std::string& text, bool wrap) {
    ImGui::PushStyleColor(ImGuiCol_Text, c);
    if (wrap)
        ImGui::TextWrapped("%s", text.c_str());
    else
        ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
}

bool button(const std::string& label, bool enabled, bool primary, ImVec2 size) {
    if (!enabled) ImGui::BeginDisabled();
    if (primary) {
        ImGui::PushStyleColor(ImGuiCol_Button, kAccent);
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.75f, 0.25f, 0.12f, 1.f));
        ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(0.65f, 0.2f, 0.1f, 1.f));
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    }
    const bool pressed = ImGui::Button(label.c_str(), size);
    if (primary) ImGui::PopStyleColor(4);
    if (!enabled) ImGui::EndDisabled();
    return pressed && enabled;
}

}  // namespace kopilka::ui::parts
