// The console's import and export section drawn with Dear ImGui: on the left the members' CSV
// import (choose a file, what the dry run found — columns, bad rows by line — then the import
// with its progress bar and report), on the right the exports (members, receipts of a period).
// State and decisions are client::ImportFlow's (client/console_import.hpp); the file picker
// and the downloads are the page's (ImportScreen::pick_file, ImportFlow::take_download).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "client/console_flow.hpp"
#include "core/i18n/catalogue.hpp"
#include "ui/widgets.hpp"

namespace kopilka::ui {

struct ImportScreen {
    client::ImportFlow& flow;
    const i18n::Catalogues& texts;
    i18n::Locale locale;
    ImFont* title = nullptr;
    float scale = 1;
    bool pick_file = false;  // set when the person asked for a file
};

void draw_import(ImportScreen& s, const Rect& content);

// The section in words for the DOM text mirror.
std::vector<std::string> import_lines(const client::ImportFlow& flow, const i18n::Catalogues& texts,
                                      i18n::Locale locale);

}  // namespace kopilka::ui
