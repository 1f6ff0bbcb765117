// The merchant console's screens with Dear ImGui: sign-in, the left navigation filtered by
// role, the theme editor with its live previews, kiosks and pairing, the audit log, and the
// program editor (console_program.hpp). Decisions are the flow's (client/console_flow.hpp):
// the screens type into its forms and draft and call it. What only the drawing needs (which
// preview, text being typed) lives in ConsoleUi.
//
// The preview of the website widget and the logo over the kiosk preview are DOM elements of
// the page: draw() reserves their places and returns them (ConsoleLayout), the page puts the
// elements there.
#pragma once

#include <imgui.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "client/console_flow.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct ConsoleFonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* code = nullptr;   // a pairing code, large
    Fonts preview;            // the kiosk preview's fonts, loaded at preview_font_scale()
    float preview_scale = 1;  // the scale they were loaded at
};

// Loads the console's fonts (14 CSS px body at scale) after the kiosk preview's, which are
// loaded for the draft theme at preview_scale; ImGui's default font is the console's body.
ConsoleFonts load_console_fonts(const char* ttf_path, const theme::Theme& draft, float scale,
                                float preview_scale);
void apply_console_style(float scale);

struct ConsoleLayout {
    std::optional<Rect> widget;  // the website widget preview's box (screen pixels)
    std::optional<Rect> logo;    // where the kiosk shows the logo, in the preview
    bool pick_logo = false;      // the person asked to upload a logo this frame
    bool pick_csv = false;       // … to choose a CSV file to import
    std::string pick_picture;    // … to upload the picture of this reward (its id)
};

enum class PreviewScreen : std::uint8_t { attract, member, spin, coupon };

class ConsoleUi {
  public:
    // Draws the whole console into `screen` (pixels) at `scale` (devicePixelRatio).
    ConsoleLayout draw(client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                       const i18n::Catalogues& kiosk_texts, const ConsoleFonts& fonts,
                       const Rect& screen, float scale, std::int64_t now_ms);

    // The scale the kiosk preview's fonts should be loaded at (the frame's width over a
    // kiosk's), in steps of 1/40 so a resize reloads fonts seldom.
    float preview_font_scale() const { return wanted_preview_scale; }

    // The current screen in words for screen readers (the DOM text mirror).
    std::string mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                            std::int64_t now_ms) const;

    PreviewScreen preview = PreviewScreen::attract;
    bool portrait = false;
    int preview_percent = 100;                       // the preview frame's size, of the room it has
    i18n::Locale attract_locale = i18n::Locale::en;  // whose attract texts are edited
    float wanted_preview_scale = 0.5f;               // set by draw()
    std::string logo_error;  // the page refused a file: "logo_type", "logo_size" ("" none)
    std::string picture_reward;  // the reward whose picture file the page refused …
    std::string picture_error;   // … and why, as logo_error
    const i18n::Catalogues* rules_texts = nullptr;  // the program in plain words (its editor)

  private:
    std::map<std::string, std::string> text_;  // fields typed in that are not the flow's
};

// "just now", "5 minutes ago", "3 hours ago", "2 days ago", "never" in l.
std::string ago_text(const i18n::Catalogues& texts, i18n::Locale l, std::int64_t then_ms,
                     std::int64_t now_ms);

}  // namespace kopilka::ui
