#include "ui/console_screens.hpp"

#include <imgui_internal.h>  // GetActiveID: a hex field keeps what is typed while active

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "codec/theme_json.hpp"
#include "core/theme/contrast.hpp"
#include "ui/console_members.hpp"
#include "ui/console_parts.hpp"
#include "client/console_time.hpp"
#include "ui/console_import.hpp"
#include "ui/console_program.hpp"
#include "ui/console_reports.hpp"
#include "ui/console_simulator.hpp"
#include "ui/console_wheels.hpp"
#include "ui/kiosk_screens.hpp"

namespace kopilka::ui {

namespace {

using namespace parts;
using client::ConsoleBusy;
using client::ConsoleError;
using client::ConsoleFlow;
using client::ConsoleSection;

constexpr float kBodyPx = 15, kTitlePx = 22, kCodePx = 56;
constexpr const char* kAuditActions[] = {
    "theme.save",      "theme.publish",       "theme.delete",         "program.save",
    "wheel.save",      "kiosk_settings.save", "widget_settings.save", "device.pair_code",
    "device.rename",   "device.settings",     "device.revoke",        "member.create",
    "member.update",   "member.adjust",       "member.erase",         "member.export",
    "user.create",     "user.update",         "user.password",        "user.revoke",
    "session.sign_in", "session.sign_out"};

// One drawing of the console: the texts, the fonts, the scale, the time.
struct Ctx {
    ConsoleFlow& flow;
    ConsoleUi& ui;
    const i18n::Catalogues& texts;
    const i18n::Catalogues& kiosk_texts;
    const ConsoleFonts& fonts;
    float s;  // scale
    std::int64_t now;
    std::map<std::string, std::string>& text;
    ConsoleLayout layout;

    i18n::Locale locale() const { return flow.state().locale; }
    std::string t(const char* key, const i18n::Args& args = {}) const {
        return i18n::translate(texts, locale(), key, args);
    }
    std::string n(const char* key, std::int64_t count) const {
        i18n::Args a;
        a.count = count;
        return t(key, a);
    }
    float px(float v) const { return std::floor(v * s); }
};

SimulatorScreen simulator_screen(const i18n::Catalogues& texts, const client::ConsoleState& st,
                                 ImFont* title, float scale) {
    return {texts, st.locale,
            money::currency_from_code(st.session.currency).value_or(money::Currency::RUB), title,
            scale};
}

ReportsScreen reports_screen(const i18n::Catalogues& texts, const client::ConsoleState& st,
                             ImFont* title, float scale, std::int64_t now_ms) {
    return {texts, st.locale,
            money::currency_from_code(st.session.currency).value_or(money::Currency::RUB), title,
            scale, now_ms};
}

void heading(const Ctx& c, const std::string& text) {
    ImGui::PushFont(c.fonts.title);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopFont();
}

// An error in words: the catalogue's "error.<code>", else the server's message.
std::string error_text(const Ctx& c, const ConsoleError& e) {
    const std::string key = "error." + e.code;
    std::string out = c.t(key.c_str());
    if (out == key) out = e.message.empty() ? c.t("error.other") : e.message;
    if (e.retry_after_s > 0) {
        const std::int64_t left =
            std::max<std::int64_t>(1, (c.flow.state().sign_in.retry_until_ms - c.now + 999) / 1000);
        out += " " +
               c.n("signin.wait", c.flow.state().sign_in.retry_until_ms ? left : e.retry_after_s);
    }
    return out;
}

// The error under the field it names ("" matches an error without a field).
void field_error(const Ctx& c, const std::optional<ConsoleError>& e, const std::string& field) {
    if (e && e->field == field) colored(kError, error_text(c, *e));
}

void language_buttons(Ctx& c, bool same_line) {
    for (i18n::Locale l :
         {i18n::Locale::en, i18n::Locale::ru, i18n::Locale::de, i18n::Locale::lv}) {
        std::string tag(i18n::locale_tag(l));
        std::string label = tag;
        for (char& ch : label) ch = static_cast<char>(ch - 'a' + 'A');
        if (same_line || l != i18n::Locale::en) ImGui::SameLine();
        const bool on = c.locale() == l;
        if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.82f, 0.84f, 0.88f, 1.f));
        if (ImGui::Button((label + "##lang").c_str())) c.flow.set_locale(l);
        if (on) ImGui::PopStyleColor();
    }
}

// ---- sign-in ------------------------------------------------------------------------------
void sign_in_screen(Ctx& c, const Rect& screen) {
    client::SignInForm& f = c.flow.sign_in_form();
    const auto& st = c.flow.state();
    const float w = std::min(c.px(420), screen.width() - c.px(32));
    ImGui::SetCursorScreenPos(ImVec2(screen.max.x - c.px(230), screen.min.y + c.px(16)));
    language_buttons(c, false);
    const float top = screen.min.y + std::max(c.px(60), screen.height() * 0.16f);
    ImGui::SetCursorScreenPos(ImVec2(screen.min.x + (screen.width() - w) * 0.5f, top));
    // As tall as its content was last frame (ImGui settles in a frame or two).
    ImGuiStorage* memory = ImGui::GetStateStorage();
    const ImGuiID height_key = ImGui::GetID("signin_h");
    const float h = memory->GetFloat(height_key, c.px(400));
    ImGui::BeginChild("signin", ImVec2(w, h), true, ImGuiWindowFlags_AlwaysUseWindowPadding);
    heading(c, c.t("signin.title"));
    muted(c.t("signin.subtitle"));
    if (st.session_expired) colored(kError, c.t("signin.expired"));
    ImGui::Spacing();
    const ImGuiInputTextFlags enter = ImGuiInputTextFlags_EnterReturnsTrue;
    bool submit = false;
    ImGui::PushItemWidth(-1);
    ImGui::TextUnformatted(c.t("signin.merchant").c_str());
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    submit |= input("##merchant", &f.merchant, enter);
    field_error(c, f.error, "merchant");
    ImGui::TextUnformatted(c.t("signin.email").c_str());
    submit |= input("##email", &f.email, enter);
    field_error(c, f.error, "email");
    ImGui::TextUnformatted(c.t("signin.password").c_str());
    submit |= input("##password", &f.password, enter | ImGuiInputTextFlags_Password);
    field_error(c, f.error, "password");
    ImGui::PopItemWidth();
    ImGui::Spacing();
    const bool waiting = f.retry_until_ms > c.now;
    const std::string label = f.busy ? c.t("signin.busy") : c.t("signin.submit");
    if (button(label + "##signin", !f.busy && !waiting, true, ImVec2(-1, c.px(40)))) submit = true;
    if (f.error && f.error->field != "merchant" && f.error->field != "email" &&
        f.error->field != "password")
        colored(kError, error_text(c, *f.error));
    const float content_h = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y -
                            ImGui::GetStyle().ItemSpacing.y;
    ImGui::EndChild();
    memory->SetFloat(height_key, content_h);
    if (submit) c.flow.sign_in(c.now);
}

// ---- the frame around a signed-in screen -------------------------------------------------
void top_bar(Ctx& c, const Rect& screen) {
    const auto& ses = c.flow.state().session;
    ImGui::PushFont(c.fonts.title);
    ImGui::TextUnformatted("Kopilka");
    ImGui::PopFont();
    ImGui::SameLine();
    muted(ses.merchant_name.empty() ? ses.merchant_code : ses.merchant_name);
    const std::string role_key = "role." + std::string(client::staff_role_name(ses.role));
    const std::string who =
        (ses.name.empty() ? ses.email : ses.name) + " · " + c.t(role_key.c_str());
    const float right = ImGui::CalcTextSize(who.c_str()).x + c.px(360);
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), screen.width() - right));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(who.c_str());
    language_buttons(c, true);
    ImGui::SameLine();
    if (ImGui::Button(c.t("nav.sign_out").c_str())) c.flow.sign_out();
    ImGui::Separator();
}

void navigation(Ctx& c) {
    const auto& st = c.flow.state();
    for (ConsoleSection s : client::visible_sections(st.session.role)) {
        const std::string key = "nav." + std::string(client::console_section_name(s));
        if (ImGui::Selectable(c.t(key.c_str()).c_str(), st.section == s, 0, ImVec2(0, c.px(34))))
            c.flow.open_section(s);
    }
}

void overview(Ctx& c) {
    const auto& ses = c.flow.state().session;
    heading(c, ses.merchant_name.empty() ? ses.merchant_code : ses.merchant_name);
    muted(
        c.t("overview.merchant", {{}, {{"code", ses.merchant_code}, {"currency", ses.currency}}}));
    ImGui::Spacing();
    ImGui::TextWrapped(
        "%s", c.t("overview.you", {{}, {{"name", ses.name}, {"email", ses.email}}}).c_str());
    const std::string can = "role." + std::string(client::staff_role_name(ses.role)) + ".can";
    muted(c.t(can.c_str()));
}

// ---- theme editor --------------------------------------------------------------------------
ImVec4 to_vec(const theme::Rgba& c) {
    return to_imgui(c);
}
theme::Rgba from_vec(const float* f, std::uint8_t a) {
    auto ch = [](float v) {
        return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.f, 1.f) * 255));
    };
    return {ch(f[0]), ch(f[1]), ch(f[2]), a};
}

// A colour: the picker (a swatch that opens ImGui's picker) and its hex text.
bool color_row(Ctx& c, const char* field, const char* key, theme::Rgba* color) {
    ImGui::PushID(field);
    bool changed = false;
    float f[3] = {color->r / 255.f, color->g / 255.f, color->b / 255.f};
    if (ImGui::ColorEdit3("##pick", f,
                          ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_NoLabel)) {
        *color = from_vec(f, color->a);
        changed = true;
    }
    ImGui::SameLine();
    std::string& hex = c.text[std::string("hex.") + field];
    const std::string hex_id = std::string("##hex.") + field;  // tests find "##hex.accent"
    const ImGuiID id = ImGui::GetID(hex_id.c_str());
    if (ImGui::GetActiveID() != id) hex = codec::color_text(*color);
    ImGui::SetNextItemWidth(c.px(96));
    if (input(hex_id.c_str(), &hex,
              ImGuiInputTextFlags_CharsNoBlank | ImGuiInputTextFlags_AutoSelectAll)) {
        if (auto parsed = codec::parse_color(hex)) {
            *color = *parsed;
            changed = true;
        }
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(c.t(key).c_str());
    field_error(c, c.flow.state().themes.error, std::string("colors.") + field);
    ImGui::PopID();
    return changed;
}

void theme_picker(Ctx& c) {
    const client::ThemeEditor& e = c.flow.state().themes;
    std::string current = e.id.empty() ? c.t("theme.none") : e.draft.name;
    ImGui::SetNextItemWidth(std::max(
        c.px(120), ImGui::GetContentRegionAvail().x -
                       ImGui::CalcTextSize((c.t("theme.new") + c.t("theme.duplicate")).c_str()).x -
                       c.px(60)));
    if (ImGui::BeginCombo("##themes", current.c_str())) {
        for (const auto& t : e.themes) {
            std::string label = t.name + " (" + t.id + ")";
            if (t.id == e.published_id) label += " · " + c.t("theme.live");
            if (ImGui::Selectable(label.c_str(), t.id == e.id)) c.flow.open_theme(t.id);
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button(c.t("theme.new").c_str())) c.flow.new_theme();
    ImGui::SameLine();
    if (button(c.t("theme.duplicate"), !e.id.empty())) c.flow.duplicate_theme();
}

void theme_status(Ctx& c) {
    const client::ThemeEditor& e = c.flow.state().themes;
    const bool idle = e.busy == ConsoleBusy::none;
    if (button(c.t(e.busy == ConsoleBusy::saving ? "theme.saving" : "theme.save") + "##save",
               idle && (e.dirty || e.is_new), true))
        c.flow.save();
    ImGui::SameLine();
    const bool can_publish = idle && !e.dirty && !e.is_new && e.version > 0;
    if (button(c.t(e.busy == ConsoleBusy::publishing ? "theme.publishing" : "theme.publish") +
                   "##publish",
               can_publish))
        c.flow.publish(false);
    ImGui::SameLine();
    if (e.dirty)
        muted(c.t("theme.unsaved"));
    else if (e.done == "published")
        colored(kGood, c.n("theme.published", e.published_version));
    else if (e.version > 0)
        muted(c.n("theme.saved_version", e.version));
    if (e.conflict) {
        colored(kError, c.t("theme.conflict"));
        if (ImGui::Button(c.t("theme.reload").c_str())) c.flow.reload_theme();
    } else if (e.error && (e.error->field.empty() || e.error->field == "id")) {
        colored(kError, error_text(c, *e.error));
    }
}

// A modal confirmation, open while `wanted`; true when it is drawn (then EndPopup).
bool begin_confirmation(const Ctx& c, const char* id, bool wanted, float width) {
    if (wanted && !ImGui::IsPopupOpen(id)) ImGui::OpenPopup(id);
    ImGui::SetNextWindowSize(ImVec2(c.px(width), 0));
    return ImGui::BeginPopupModal(id, nullptr,
                                  ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize);
}

// The confirmation's two buttons: 1 when `yes` was pressed, -1 for Cancel or Escape, else 0.
int confirmation_buttons(const Ctx& c, const std::string& yes) {
    if (button(yes, true, true)) return 1;
    ImGui::SameLine();
    if (ImGui::Button(c.t("publish.cancel").c_str()) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
        return -1;
    return 0;
}

void low_contrast_dialog(Ctx& c) {
    const client::ThemeEditor& e = c.flow.state().themes;
    if (!begin_confirmation(c, "##confirm_publish", !e.low_contrast.empty(), 460)) return;
    heading(c, c.t("publish.low_contrast_title"));
    ImGui::TextWrapped("%s", c.t("publish.low_contrast_text").c_str());
    for (const auto& f : e.low_contrast) {
        char ratio[32];
        std::snprintf(ratio, sizeof ratio, "%.2f:1", f.ratio_x100 / 100.0);
        colored(kError, "• " + f.pair + "  " + ratio);
    }
    const int answer = confirmation_buttons(c, c.t("publish.anyway"));
    if (answer > 0) c.flow.publish(true);
    if (answer < 0) c.flow.cancel_publish();
    if (answer || e.low_contrast.empty()) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void contrast_table(Ctx& c, const theme::Theme& t) {
    heading(c, c.t("contrast.title"));
    if (!ImGui::BeginTable("contrast", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit))
        return;
    // The sample and the verdict keep their width; the pair's words take what is left.
    ImGui::TableSetupColumn("sample", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("pair", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("verdict", ImGuiTableColumnFlags_WidthFixed);
    for (const theme::ContrastPair& p : theme::contrast_pairs(t)) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        // A sample: the text colour on the background colour.
        const auto field = [&](const std::string& name) -> theme::Rgba {
            if (name == "background") return t.background;
            if (name == "surface") return t.surface;
            if (name == "accent") return t.accent;
            if (name == "muted_text") return t.muted_text;
            if (name == "accent_text") return t.accent_text;
            if (name == "error") return t.error;
            return t.text;
        };
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const ImVec2 size(c.px(44), ImGui::GetTextLineHeight() + c.px(4));
        ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y),
                                                  to_u32(field(p.background)), c.px(3));
        ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + c.px(12), at.y + c.px(2)),
                                            to_u32(field(p.text)), "Aa");
        ImGui::Dummy(size);
        ImGui::TableNextColumn();
        const std::string tk = "field." + p.text, bk = "field." + p.background;
        const std::string pair = c.t(
            "contrast.pair", {{}, {{"text", c.t(tk.c_str())}, {"background", c.t(bk.c_str())}}});
        ImGui::TextWrapped("%s", pair.c_str());
        ImGui::TableNextColumn();
        char ratio[32];
        std::snprintf(ratio, sizeof ratio, "%.2f:1 ", p.ratio);
        ImGui::TextUnformatted(ratio);
        ImGui::SameLine();
        colored(p.passes_aa ? kGood : kError, c.t(p.passes_aa ? "contrast.pass" : "contrast.fail"),
                false);
    }
    ImGui::EndTable();
}

void history(Ctx& c) {
    const client::ThemeEditor& e = c.flow.state().themes;
    heading(c, c.t("history.title"));
    if (e.versions.empty()) return muted(c.t("history.none"));
    for (const auto& v : e.versions) {
        ImGui::PushID(static_cast<int>(v.version));
        const bool live = e.published_id == e.id && e.published_version == v.version;
        std::string line = c.n("history.version", v.version) + " · " +
                           ago_text(c.texts, c.locale(), v.updated_at_ms, c.now);
        if (!v.by_label.empty()) line += " · " + v.by_label;
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(line.c_str());
        ImGui::SameLine();
        if (live)
            colored(kGood, c.t("theme.live"), false);
        else if (button(c.t("history.revert"), e.busy == ConsoleBusy::none))
            c.flow.revert(v.version);
        ImGui::PopID();
    }
}

void theme_controls(Ctx& c) {
    ConsoleFlow& flow = c.flow;
    const client::ThemeEditor& e = flow.state().themes;
    theme_picker(c);
    if (e.busy == ConsoleBusy::loading && e.id.empty()) return muted(c.t("common.loading"));
    if (e.id.empty()) return muted(c.t("theme.empty"));
    theme_status(c);
    ImGui::Separator();
    theme::Theme& d = flow.draft();
    bool changed = false;
    ImGui::PushItemWidth(-c.px(170));  // room for the sliders' labels
    ImGui::TextUnformatted(c.t("theme.name").c_str());
    changed |= input("##name", &d.name);
    field_error(c, e.error, "name");
    ImGui::Spacing();
    heading(c, c.t("theme.colors"));
    const std::pair<const char*, theme::Rgba*> colors[] = {{"background", &d.background},
                                                           {"surface", &d.surface},
                                                           {"text", &d.text},
                                                           {"muted_text", &d.muted_text},
                                                           {"accent", &d.accent},
                                                           {"accent_text", &d.accent_text},
                                                           {"error", &d.error}};
    for (const auto& [field, color] : colors) {
        const std::string key = std::string("field.") + field;
        changed |= color_row(c, field, key.c_str(), color);
    }
    ImGui::Spacing();
    heading(c, c.t("theme.shape"));
    changed |= ImGui::SliderInt(c.t("theme.radius").c_str(), &d.corner_radius_px, 0,
                                theme::corner_radius_px_max, "%d px");
    field_error(c, e.error, "corner_radius_px");
    changed |= ImGui::SliderInt(c.t("theme.font_size").c_str(), &d.font_size_px,
                                theme::font_size_px_min, theme::font_size_px_max, "%d px");
    field_error(c, e.error, "font_size_px");
    ImGui::Spacing();
    heading(c, c.t("theme.logo"));
    if (d.logo.empty())
        muted(c.t("theme.logo_none"));
    else
        muted(c.n("theme.logo_size",
                  static_cast<std::int64_t>((d.logo.size() * 3 / 4 + 1023) / 1024)));
    if (ImGui::Button(c.t("theme.logo_upload").c_str())) c.layout.pick_logo = true;
    if (!d.logo.empty()) {
        ImGui::SameLine();
        if (ImGui::Button(c.t("theme.logo_remove").c_str())) {
            d.logo.clear();
            changed = true;
        }
    }
    if (!c.ui.logo_error.empty()) colored(kError, c.t(("error." + c.ui.logo_error).c_str()));
    field_error(c, e.error, "logo");
    ImGui::Spacing();
    heading(c, c.t("theme.attract"));
    for (i18n::Locale l : i18n::all_locales) {
        std::string tag(i18n::locale_tag(l));
        if (l != i18n::Locale::en) ImGui::SameLine();
        const bool on = c.ui.attract_locale == l;
        if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.82f, 0.84f, 0.88f, 1.f));
        if (ImGui::Button((tag + "##attract").c_str())) c.ui.attract_locale = l;
        if (on) ImGui::PopStyleColor();
    }
    theme::AttractText& a = theme::attract_text(d, c.ui.attract_locale);
    const std::string tag(i18n::locale_tag(c.ui.attract_locale));
    changed |= input("##attract_title", &a.title, 0, c.t("theme.attract_title").c_str());
    field_error(c, e.error, "attract." + tag + ".title");
    changed |= input("##attract_subtitle", &a.subtitle, 0, c.t("theme.attract_subtitle").c_str());
    field_error(c, e.error, "attract." + tag + ".subtitle");
    ImGui::PopItemWidth();
    if (changed) flow.draft_changed(c.now);
    ImGui::Spacing();
    contrast_table(c, d);
    ImGui::Spacing();
    history(c);
}

// The draft's colours on ImGui's style while the kiosk preview draws (the kiosk's own
// apply_style sets them globally; the console's style stays).
int push_kiosk_colors(const theme::Theme& t) {
    ImVec4 hover = to_vec(t.accent);
    hover.w = 0.85f;
    ImGui::PushStyleColor(ImGuiCol_Button, to_vec(t.accent));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, hover);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, hover);
    ImGui::PushStyleColor(ImGuiCol_Text, to_vec(t.text));
    ImGui::PushStyleColor(ImGuiCol_TextDisabled, to_vec(t.muted_text));
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_vec(t.accent));
    ImGui::PushStyleColor(ImGuiCol_ScrollbarBg, ImVec4(0, 0, 0, 0));
    return 7;
}

void previews(Ctx& c, const Rect& room) {
    ConsoleUi& ui = c.ui;
    const theme::Theme& d = c.flow.state().themes.draft;
    // Controls of the preview: which kiosk screen, orientation, size.
    ImGui::SetCursorScreenPos(room.min);
    const std::pair<PreviewScreen, const char*> screens[] = {
        {PreviewScreen::attract, "preview.attract"},
        {PreviewScreen::member, "preview.member"},
        {PreviewScreen::spin, "preview.spin"},
        {PreviewScreen::coupon, "preview.coupon"}};
    for (const auto& [screen, key] : screens) {
        if (screen != PreviewScreen::attract) ImGui::SameLine();
        if (ImGui::RadioButton(c.t(key).c_str(), ui.preview == screen)) ui.preview = screen;
    }
    // Orientation and size on the same row when they fit, else on the next.
    const std::string both = c.t("preview.landscape") + c.t("preview.portrait");
    const float row2 = ImGui::CalcTextSize(both.c_str()).x + c.px(260);
    const float next_y = ImGui::GetItemRectMax().y + ImGui::GetStyle().ItemSpacing.y;
    ImGui::SameLine();
    if (ImGui::GetCursorScreenPos().x + row2 > room.max.x)
        ImGui::SetCursorScreenPos(ImVec2(room.min.x, next_y));
    if (ImGui::RadioButton(c.t("preview.landscape").c_str(), !ui.portrait)) ui.portrait = false;
    ImGui::SameLine();
    if (ImGui::RadioButton(c.t("preview.portrait").c_str(), ui.portrait)) ui.portrait = true;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(c.px(120));
    ImGui::SliderInt("##size", &ui.preview_percent, 40, 100, "%d%%");
    const float top = ImGui::GetCursorScreenPos().y + c.px(4);
    const Rect area{ImVec2(room.min.x, top), room.max};

    // Side by side when there is room for both (a portrait kiosk is narrow: beside the widget
    // from a smaller width on), else the kiosk above the widget.
    const float widget_w = std::min(c.px(420), area.width());
    const float kiosk_min = c.px(ui.portrait ? 180 : 480);
    const bool side = area.width() - widget_w - c.px(16) >= kiosk_min;
    Rect kiosk_room = area, widget_room = area;
    if (side) {
        kiosk_room.max.x = area.max.x - widget_w - c.px(16);
        widget_room.min.x = kiosk_room.max.x + c.px(16);
    } else {
        // The kiosk no taller than its frame needs at full width (and its caption), at most
        // 42 % of the column: the widget's panel below needs the rest to show a whole view.
        const float natural = area.width() / (ui.portrait ? 9.f / 16.f : 16.f / 9.f) + c.px(28);
        kiosk_room.max.y =
            area.min.y + std::max(c.px(200), std::min(natural, area.height() * 0.42f));
        widget_room.min.y = kiosk_room.max.y + c.px(12);
    }
    // The kiosk's frame: 16:9 or 9:16, as large as the room and the size allow.
    const float aspect = ui.portrait ? 9.f / 16.f : 16.f / 9.f;
    const float k = static_cast<float>(ui.preview_percent) / 100.f;
    float fw = kiosk_room.width() * k, fh = fw / aspect;
    if (fh > kiosk_room.height() - c.px(20)) {
        fh = (kiosk_room.height() - c.px(20)) * k;
        fw = fh * aspect;
    }
    fw = std::max(fw, c.px(40));
    fh = std::max(fh, c.px(40));
    const Rect frame{kiosk_room.min, ImVec2(kiosk_room.min.x + fw, kiosk_room.min.y + fh)};
    // The kiosk's 1920×1080 (or 1080×1920) at its zoom for that size, as the kiosk draws it.
    const float kiosk_css_w = ui.portrait ? 1080.f : 1920.f;
    const float kiosk_css_h = ui.portrait ? 1920.f : 1080.f;
    const float want = fw / kiosk_css_w * kiosk_zoom(kiosk_css_w, kiosk_css_h, d.font_size_px);
    ui.wanted_preview_scale = std::max(0.1f, std::round(want * 40.f) / 40.f);

    static const client::Screen kScreens[] = {client::Screen::attract, client::Screen::member,
                                              client::Screen::spin, client::Screen::coupon};
    const client::KioskState ks =
        client::kiosk_preview_state(kScreens[static_cast<int>(ui.preview)], c.locale(), d, c.now);
    const client::KioskView view =
        client::compose_kiosk_view(ks, c.kiosk_texts, client::branding_of(ks));
    if (c.fonts.preview.body) {
        const int colors = push_kiosk_colors(d);
        ImGui::PushID("preview");
        // The logo goes where the kiosk's layout leaves it its box, as on the kiosk.
        c.layout.logo = draw_kiosk(ks, view, d, c.fonts.preview, frame, c.fonts.preview_scale, 0.0,
                                   nullptr, Placement::child)
                            .logo;
        ImGui::PopID();
        ImGui::PopStyleColor(colors);
    }
    ImGui::GetWindowDrawList()->AddRect(frame.min, frame.max, IM_COL32(120, 120, 130, 255), 0, 0,
                                        c.px(1));
    ImGui::SetCursorScreenPos(ImVec2(frame.min.x, frame.max.y + c.px(4)));
    ImGui::PushTextWrapPos(kiosk_room.max.x - ImGui::GetWindowPos().x);  // within the kiosk room
    muted(c.t("preview.kiosk_caption"));
    ImGui::PopTextWrapPos();

    // The website widget: the page places <kopilka-widget preview> in this box.
    ImGui::SetCursorScreenPos(widget_room.min);
    muted(c.t("preview.widget_caption"));
    const float wy = ImGui::GetCursorScreenPos().y;
    const Rect box{
        ImVec2(widget_room.min.x, wy),
        ImVec2(widget_room.min.x + widget_w, std::max(wy + c.px(120), widget_room.max.y))};
    ImGui::GetWindowDrawList()->AddRectFilled(box.min, box.max, IM_COL32(236, 238, 242, 255),
                                              c.px(6));
    c.layout.widget = box;
}

void themes_screen(Ctx& c, const Rect& content) {
    const float controls_w = std::clamp(content.width() * 0.36f, c.px(330), c.px(520));
    ImGui::SetCursorScreenPos(content.min);
    ImGui::BeginChild("theme_controls", ImVec2(controls_w, content.height()), false);
    theme_controls(c);
    ImGui::EndChild();
    low_contrast_dialog(c);
    if (c.flow.state().themes.id.empty()) return;
    const Rect room{ImVec2(content.min.x + controls_w + c.px(20), content.min.y), content.max};
    previews(c, room);
}

// ---- kiosks --------------------------------------------------------------------------------
void pairing_box(Ctx& c, const client::PairingCode& p) {
    ImGui::BeginChild("pairing", ImVec2(0, c.px(260)), true);
    heading(c, c.t("kiosks.pairing_title", {{}, {{"name", p.name}}}));
    const float qr = c.px(200);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    if (!p.qr.empty()) {
        qr_code(ImGui::GetWindowDrawList(), Rect{at, ImVec2(at.x + qr, at.y + qr)}, p.qr);
        ImGui::SetCursorScreenPos(ImVec2(at.x + qr + c.px(20), at.y));
    }
    ImGui::BeginGroup();
    ImGui::PushFont(c.fonts.code);
    ImGui::TextUnformatted(p.code.c_str());
    ImGui::PopFont();
    if (ImGui::Button(c.t("kiosks.copy").c_str())) ImGui::SetClipboardText(p.code.c_str());
    muted(c.t("kiosks.pairing_hint", {{}, {{"code", p.code}}}));
    const std::int64_t minutes = std::max<std::int64_t>(0, (p.expires_at_ms - c.now) / 60000);
    muted(c.n("kiosks.expires", minutes));
    if (button(c.t("kiosks.done"), true, true)) c.flow.close_pairing();
    ImGui::EndGroup();
    ImGui::EndChild();
}

void kiosks_screen(Ctx& c) {
    const client::KiosksState& k = c.flow.state().kiosks;
    heading(c, c.t("nav.kiosks"));
    std::string& name = c.text["pair.name"];
    ImGui::SetNextItemWidth(c.px(240));
    const bool enter = input("##pair_name", &name, ImGuiInputTextFlags_EnterReturnsTrue,
                             c.t("kiosks.name_hint").c_str());
    ImGui::SameLine();
    if ((button(c.t("kiosks.pair"), !name.empty(), true) || (enter && !name.empty()))) {
        c.flow.create_pairing_code(name);
        name.clear();
    }
    if (k.error) colored(kError, error_text(c, *k.error));
    if (k.pairing) pairing_box(c, *k.pairing);
    if (!k.loaded) return muted(c.t("common.loading"));
    if (k.devices.empty()) return muted(c.t("kiosks.none"));
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("devices", 8, flags, ImVec2(0, 0))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    // The name and "last seen" take the room; the controls keep the width they need.
    const ImGuiTableColumnFlags stretch = ImGuiTableColumnFlags_WidthStretch;
    const ImGuiTableColumnFlags fixed = ImGuiTableColumnFlags_WidthFixed;
    const struct {
        const char* key;
        ImGuiTableColumnFlags flags;
        float size;
    } columns[] = {{"kiosks.name", stretch, 3},          {"kiosks.last_seen", stretch, 1.6f},
                   {"kiosks.version", fixed, c.px(120)}, {"kiosks.idle", fixed, c.px(120)},
                   {"kiosks.wheel", fixed, c.px(70)},    {"kiosks.redeem", fixed, c.px(70)},
                   {"kiosks.sound", fixed, c.px(70)},    {"kiosks.actions", fixed, c.px(200)}};
    for (const auto& col : columns)
        ImGui::TableSetupColumn(c.t(col.key).c_str(), col.flags, col.size);
    ImGui::TableHeadersRow();
    for (const client::DeviceRow& d : k.devices) {
        ImGui::PushID(d.id.c_str());
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float r = c.px(5);
        const float mid = at.y + ImGui::GetFrameHeight() * 0.5f;
        ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + r, mid), r,
                                                    d.revoked  ? IM_COL32(150, 150, 150, 255)
                                                    : d.online ? IM_COL32(30, 150, 70, 255)
                                                               : IM_COL32(200, 60, 40, 255));
        ImGui::SetCursorScreenPos(ImVec2(at.x + 3 * r, at.y));
        std::string& rename = c.text["rename." + d.id];
        const bool renaming = c.text["renaming"] == d.id;
        if (renaming) {
            ImGui::SetNextItemWidth(-1);
            if (input("##rename", &rename, ImGuiInputTextFlags_EnterReturnsTrue)) {
                c.flow.rename_device(d.id, rename);
                c.text["renaming"].clear();
            }
        } else {
            ImGui::AlignTextToFramePadding();
            ImGui::TextUnformatted(d.name.c_str());
            if (d.revoked) {
                ImGui::SameLine();
                muted(c.t("kiosks.revoked"));
            }
        }
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(
            (d.online ? c.t("kiosks.online") : ago_text(c.texts, c.locale(), d.last_seen_ms, c.now))
                .c_str());
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(d.app_version.empty() ? "—" : d.app_version.c_str());
        client::DeviceSettings set = d.settings;
        bool changed = false;
        ImGui::TableNextColumn();
        if (d.revoked) ImGui::BeginDisabled();
        int idle = static_cast<int>(set.idle_seconds.value_or(0));
        ImGui::SetNextItemWidth(-1);
        ImGui::InputInt("##idle", &idle, 0, 0);
        if (ImGui::IsItemDeactivatedAfterEdit()) {
            set.idle_seconds = idle > 0 ? std::optional<std::int64_t>(idle) : std::nullopt;
            changed = true;
        }
        ImGui::TableNextColumn();
        changed |= ImGui::Checkbox("##wheel", &set.wheel);
        ImGui::TableNextColumn();
        changed |= ImGui::Checkbox("##redeem", &set.redeem);
        ImGui::TableNextColumn();
        changed |= ImGui::Checkbox("##sound", &set.sound);
        ImGui::TableNextColumn();
        if (renaming) {
            if (ImGui::Button(c.t("kiosks.save").c_str())) {
                c.flow.rename_device(d.id, rename);
                c.text["renaming"].clear();
            }
        } else if (ImGui::Button(c.t("kiosks.rename").c_str())) {
            c.text["renaming"] = d.id;
            rename = d.name;
        }
        ImGui::SameLine();
        // Labelled with the kiosk's id after "##" so tests tell the rows' buttons apart.
        if (ImGui::Button((c.t("kiosks.revoke") + "##revoke." + d.id).c_str()))
            c.flow.ask_revoke(d.id);
        if (d.revoked) ImGui::EndDisabled();
        if (changed) c.flow.set_device_settings(d.id, set);
        ImGui::PopID();
    }
    ImGui::EndTable();
}

void revoke_dialog(Ctx& c) {
    const client::KiosksState& k = c.flow.state().kiosks;
    if (!begin_confirmation(c, "##confirm_revoke", !k.confirm_revoke.empty(), 420)) return;
    std::string name = k.confirm_revoke;
    for (const auto& d : k.devices)
        if (d.id == k.confirm_revoke) name = d.name;
    heading(c, c.t("kiosks.revoke_title", {{}, {{"name", name}}}));
    ImGui::TextWrapped("%s", c.t("kiosks.revoke_text").c_str());
    const int answer = confirmation_buttons(c, c.t("kiosks.revoke_confirm"));
    if (answer > 0) c.flow.revoke_confirmed();
    if (answer < 0) c.flow.cancel_revoke();
    if (answer || k.confirm_revoke.empty()) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

// ---- audit log -------------------------------------------------------------------------------
void audit_filters(Ctx& c) {
    client::AuditFilter& f = c.flow.audit_filter();
    const std::string any = c.t("audit.any");
    ImGui::SetNextItemWidth(c.px(200));
    if (ImGui::BeginCombo("##action", f.action.empty() ? any.c_str() : f.action.c_str())) {
        if (ImGui::Selectable(any.c_str(), f.action.empty())) f.action.clear();
        for (const char* a : kAuditActions)
            if (ImGui::Selectable(a, f.action == a)) f.action = a;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(c.px(160));
    bool apply = input("##actor", &f.actor, ImGuiInputTextFlags_EnterReturnsTrue,
                       c.t("audit.actor").c_str());
    std::string& from = c.text["audit.from"];
    std::string& to = c.text["audit.to"];
    ImGui::SameLine();
    ImGui::SetNextItemWidth(c.px(150));
    apply |=
        input("##from", &from, ImGuiInputTextFlags_EnterReturnsTrue, c.t("audit.from").c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(c.px(150));
    apply |= input("##to", &to, ImGuiInputTextFlags_EnterReturnsTrue, c.t("audit.to").c_str());
    ImGui::SameLine();
    apply |= button(c.t("audit.apply"), true, true);
    const auto from_ms = client::parse_date_time(from), to_ms = client::parse_date_time(to, true);
    const bool bad = (!from.empty() && !from_ms) || (!to.empty() && !to_ms);
    if (bad) colored(kError, c.t("audit.bad_date"));
    if (apply && !bad) {
        f.from_ms = from_ms.value_or(0);
        f.to_ms = to_ms.value_or(0);
        c.flow.load_audit();
    }
}

void audit_screen(Ctx& c) {
    const client::AuditState& a = c.flow.state().audit;
    heading(c, c.t("nav.audit"));
    audit_filters(c);
    if (a.error) colored(kError, error_text(c, *a.error));
    if (!a.loaded) return muted(c.t("common.loading"));
    if (button(c.t("audit.newer"), a.pages.size() > 1)) c.flow.audit_newer();
    ImGui::SameLine();
    if (button(c.t("audit.older"), a.next_before.has_value())) c.flow.audit_older();
    ImGui::SameLine();
    muted(c.n("audit.page", static_cast<std::int64_t>(a.pages.size())));
    if (a.entries.empty()) return muted(c.t("audit.none"));
    const float detail_h = a.open_id ? c.px(220) : 0;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
    const ImVec2 size(0, std::max(c.px(120), ImGui::GetContentRegionAvail().y - detail_h));
    if (ImGui::BeginTable("audit", 5, flags, size)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        for (const char* key :
             {"audit.when", "audit.who", "audit.action", "audit.target", "audit.address"})
            ImGui::TableSetupColumn(c.t(key).c_str());
        ImGui::TableHeadersRow();
        for (const client::AuditEntry& e : a.entries) {
            ImGui::PushID(static_cast<int>(e.id));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            if (ImGui::Selectable(client::date_time_text(e.at_ms).c_str(), a.open_id == e.id,
                                  ImGuiSelectableFlags_SpanAllColumns))
                c.flow.open_audit_entry(e.id);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.actor_label.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.action.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.target.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.address.c_str());
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    for (const client::AuditEntry& e : a.entries) {
        if (e.id != a.open_id) continue;
        const float half = (ImGui::GetContentRegionAvail().x - c.px(12)) * 0.5f;
        for (int side = 0; side < 2; ++side) {
            if (side) ImGui::SameLine();
            ImGui::BeginChild(side ? "after" : "before", ImVec2(half, detail_h - c.px(8)), true);
            ImGui::TextUnformatted(c.t(side ? "audit.after" : "audit.before").c_str());
            const std::string& body = side ? e.after : e.before;
            if (body.empty())
                muted("—");
            else
                ImGui::TextUnformatted(body.c_str());
            ImGui::EndChild();
        }
    }
}

}  // namespace

std::string ago_text(const i18n::Catalogues& texts, i18n::Locale l, std::int64_t then_ms,
                     std::int64_t now_ms) {
    if (then_ms <= 0) return i18n::translate(texts, l, "ago.never");
    const std::int64_t s = std::max<std::int64_t>(0, (now_ms - then_ms) / 1000);
    i18n::Args a;
    if (s < 60) return i18n::translate(texts, l, "ago.now");
    if (s < 3600) {
        a.count = s / 60;
        return i18n::translate(texts, l, "ago.minutes", a);
    }
    if (s < 86400) {
        a.count = s / 3600;
        return i18n::translate(texts, l, "ago.hours", a);
    }
    a.count = s / 86400;
    return i18n::translate(texts, l, "ago.days", a);
}

ConsoleFonts load_console_fonts(const char* ttf_path, const theme::Theme& draft, float scale,
                                float preview_scale) {
    ConsoleFonts f;
    f.preview = load_fonts(ttf_path, draft, preview_scale);  // clears the atlas first
    f.preview_scale = preview_scale;
    ImGuiIO& io = ImGui::GetIO();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    f.body = io.Fonts->AddFontFromFileTTF(ttf_path, kBodyPx * scale, &cfg, glyph_ranges());
    f.title = io.Fonts->AddFontFromFileTTF(ttf_path, kTitlePx * scale, &cfg, glyph_ranges());
    f.code = io.Fonts->AddFontFromFileTTF(ttf_path, kCodePx * scale, &cfg, glyph_ranges());
    if (!f.body || !f.title || !f.code) {
        f.body = f.title = f.code = io.Fonts->AddFontDefault();
    }
    io.FontDefault = f.body;
    return f;
}

void apply_console_style(float scale) {
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    style.WindowRounding = 0;
    style.WindowBorderSize = 0;
    style.ChildRounding = 8;
    style.FrameRounding = 6;
    style.PopupRounding = 8;
    style.GrabRounding = 6;
    style.WindowPadding = ImVec2(20, 16);
    style.FramePadding = ImVec2(10, 7);
    style.ItemSpacing = ImVec2(10, 9);
    style.CellPadding = ImVec2(8, 6);
    style.SelectableTextAlign = ImVec2(0, 0.5f);
    style.FrameBorderSize = 1;
    const std::pair<ImGuiCol, ImVec4> colors[] = {
        {ImGuiCol_WindowBg, {0.976f, 0.976f, 0.984f, 1.f}},
        {ImGuiCol_ChildBg, {1, 1, 1, 0}},
        {ImGuiCol_PopupBg, {1, 1, 1, 1}},
        {ImGuiCol_Text, {0.12f, 0.14f, 0.17f, 1.f}},
        {ImGuiCol_FrameBg, {1, 1, 1, 1}},
        {ImGuiCol_Border, {0.80f, 0.82f, 0.86f, 1.f}},
        {ImGuiCol_Button, {0.91f, 0.92f, 0.94f, 1.f}},
        {ImGuiCol_ButtonHovered, {0.85f, 0.87f, 0.91f, 1.f}},
        {ImGuiCol_ButtonActive, {0.78f, 0.81f, 0.86f, 1.f}},
        {ImGuiCol_Header, {0.98f, 0.88f, 0.84f, 1.f}},
        {ImGuiCol_HeaderHovered, {0.97f, 0.84f, 0.78f, 1.f}},
        {ImGuiCol_HeaderActive, {0.95f, 0.78f, 0.70f, 1.f}},
        {ImGuiCol_TableHeaderBg, {0.90f, 0.91f, 0.93f, 1.f}},
        {ImGuiCol_CheckMark, kAccent},
        {ImGuiCol_SliderGrab, kAccent},
        {ImGuiCol_SliderGrabActive, kAccent},
        {ImGuiCol_NavHighlight, kAccent},
        {ImGuiCol_ModalWindowDimBg, {0.1f, 0.1f, 0.15f, 0.35f}},
    };
    for (const auto& [which, color] : colors) style.Colors[which] = color;
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

ConsoleLayout ConsoleUi::draw(ConsoleFlow& flow, const i18n::Catalogues& texts,
                              const i18n::Catalogues& kiosk_texts, const ConsoleFonts& fonts,
                              const Rect& screen, float scale, std::int64_t now_ms) {
    Ctx c{flow, *this, texts, kiosk_texts, fonts, scale, now_ms, text_, {}};
    ImGui::SetNextWindowPos(screen.min);
    ImGui::SetNextWindowSize(screen.size());
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("console", nullptr, flags);
    const auto& st = flow.state();
    if (!st.signed_in) {
        sign_in_screen(c, screen);
        ImGui::End();
        return c.layout;
    }
    top_bar(c, screen);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    const float nav_w = c.px(190);
    const Rect body{start, ImVec2(screen.max.x - ImGui::GetStyle().WindowPadding.x,
                                  screen.max.y - ImGui::GetStyle().WindowPadding.y)};
    ImGui::BeginChild("nav", ImVec2(nav_w, body.height()), false);
    navigation(c);
    ImGui::EndChild();
    const Rect content{ImVec2(body.min.x + nav_w + c.px(16), body.min.y), body.max};
    ImGui::GetWindowDrawList()->AddLine(ImVec2(body.min.x + nav_w + c.px(6), body.min.y),
                                        ImVec2(body.min.x + nav_w + c.px(6), body.max.y),
                                        IM_COL32(210, 212, 218, 255), c.px(1));
    ImGui::SetCursorScreenPos(content.min);
    if (st.notice) {
        colored(kError, error_text(c, *st.notice));
    }
    const Rect rest{ImGui::GetCursorScreenPos(), content.max};
    switch (st.section) {
        case ConsoleSection::overview:
            ImGui::BeginChild("overview", rest.size());
            overview(c);
            ImGui::EndChild();
            break;
        case ConsoleSection::themes:
            themes_screen(c, rest);
            break;
        case ConsoleSection::kiosks:
            ImGui::BeginChild("kiosks", rest.size());
            kiosks_screen(c);
            ImGui::EndChild();
            revoke_dialog(c);
            break;
        case ConsoleSection::audit:
            ImGui::BeginChild("audit", rest.size());
            audit_screen(c);
            ImGui::EndChild();
            break;
        case ConsoleSection::program: {
            static const i18n::Catalogues none;
            program_screen(
                {flow, texts, kiosk_texts, rules_texts ? *rules_texts : none, fonts.title, scale,
                 text_, now_ms, &c.layout.pick_picture, picture_reward, picture_error},
                rest);
            break;
        }
        case ConsoleSection::simulator:
            if (draw_simulator(simulator_screen(texts, st, fonts.title, scale),
                               flow.simulator_form(), rest))
                flow.changed();  // the text mirror follows what is typed
            break;
        case ConsoleSection::data: {
            ImportScreen screen{flow.imports(), texts, st.locale, fonts.title, scale};
            draw_import(screen, rest);
            c.layout.pick_csv = screen.pick_file;
            break;
        }
        case ConsoleSection::reports:
            if (draw_reports(reports_screen(texts, st, fonts.title, scale, now_ms), flow.reports(),
                             rest))
                flow.changed();
            break;
        case ConsoleSection::wheels:
            wheels_screen({flow, texts, fonts.title, scale, now_ms, text_}, rest);
            break;
        case ConsoleSection::members:
            members_screen({flow, texts, fonts.title, scale, now_ms}, rest);
            break;
    }
    ImGui::End();
    return c.layout;
}

std::string ConsoleUi::mirror_text(const ConsoleFlow& flow, const i18n::Catalogues& texts,
                                   std::int64_t now_ms) const {
    const auto& st = flow.state();
    const auto t = [&](const std::string& key, const i18n::Args& a = {}) {
        return i18n::translate(texts, st.locale, key, a);
    };
    std::string out;
    const auto line = [&](const std::string& s) {
        if (!s.empty()) out += s + "\n";
    };
    if (!st.signed_in) {
        line(t("signin.title"));
        if (st.session_expired) line(t("signin.expired"));
        if (st.sign_in.error) {
            const std::string key = "error." + st.sign_in.error->code;
            std::string e = t(key);
            line(e == key ? st.sign_in.error->message : e);
        }
        return out;
    }
    line(t("nav." + std::string(client::console_section_name(st.section))));
    switch (st.section) {
        case ConsoleSection::overview:
            line(st.session.merchant_name);
            break;
        case ConsoleSection::themes: {
            const auto& e = st.themes;
            line(e.draft.name);
            if (e.dirty) line(t("theme.unsaved"));
            if (e.conflict) line(t("theme.conflict"));
            for (const auto& p : theme::contrast_pairs(e.draft)) {
                char ratio[16];
                std::snprintf(ratio, sizeof ratio, "%.2f:1", p.ratio);
                line(t("contrast.pair", {{},
                                         {{"text", t("field." + p.text)},
                                          {"background", t("field." + p.background)}}}) +
                     " " + ratio + " " + t(p.passes_aa ? "contrast.pass" : "contrast.fail"));
            }
            break;
        }
        case ConsoleSection::kiosks:
            if (st.kiosks.pairing) line(st.kiosks.pairing->code);
            for (const auto& d : st.kiosks.devices)
                line(d.name + ": " +
                     (d.online ? t("kiosks.online")
                               : ago_text(texts, st.locale, d.last_seen_ms, now_ms)));
            break;
        case ConsoleSection::audit:
            for (const auto& e : st.audit.entries)
                line(client::date_time_text(e.at_ms) + " " + e.actor_label + " " + e.action + " " +
                     e.target);
            break;
        case ConsoleSection::program: {
            static const i18n::Catalogues none;
            out += program_mirror_text(flow, texts, rules_texts ? *rules_texts : none, text_);
            break;
        }
        case ConsoleSection::simulator:
            for (const std::string& l :
                 simulator_lines(simulator_screen(texts, st, nullptr, 1), st.simulator))
                line(l);
            break;
        case ConsoleSection::data:
            for (const std::string& l : import_lines(flow.imports(), texts, st.locale)) line(l);
            break;
        case ConsoleSection::reports:
            for (const std::string& l : reports_lines(
                     reports_screen(texts, st, nullptr, 1, now_ms), flow.reports().state()))
                line(l);
            break;
        case ConsoleSection::wheels:
            out += wheels_mirror_text(flow, texts, now_ms);
            break;
        case ConsoleSection::members:
            out += members_mirror_text(flow, texts, now_ms);
            break;
    }
    return out;
}

}  // namespace kopilka::ui
