#include "ui/console_import.hpp"

#include <imgui_internal.h>  // GetActiveID: a date field keeps what is typed while active

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using client::ConsoleBusy;
using client::ImportRowProblem;
using parts::button;
using parts::colored;
using parts::input;
using parts::kError;
using parts::kGood;
using parts::muted;

// What the drawing and the mirror share: the texts in the person's language.
struct Ctx {
    const i18n::Catalogues& texts;
    i18n::Locale locale;
    ImFont* title = nullptr;
    float scale = 1;
    std::string t(const std::string& key, const i18n::Args& args = {}) const {
        return i18n::translate(texts, locale, key, args);
    }
    std::string n(const std::string& key, std::int64_t count,
                  std::vector<std::pair<std::string, std::string>> named = {}) const {
        i18n::Args a;
        a.count = count;
        a.named = std::move(named);
        return t(key, a);
    }
    std::string num(std::int64_t v) const { return i18n::format_integer(locale, v); }
    float px(float v) const { return std::floor(v * scale); }
};

void heading(const Ctx& c, const std::string& text) {
    ImGui::PushFont(c.title);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopFont();
}

// "12 KB", "3.4 MB" (decimal units, as file managers show them).
std::string size_text(std::int64_t bytes) {
    char buf[32];
    if (bytes < 1000)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else if (bytes < 1'000'000)
        std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>((bytes + 500) / 1000));
    else
        std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buf;
}

std::string separator_name(const Ctx& c, const std::string& sep) {
    if (sep == ";") return c.t("import.sep.semicolon");
    if (sep == "\t") return c.t("import.sep.tab");
    return c.t("import.sep.comma");
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
}

// A refusal in words: the server's message (it names the line or the column), else ours.
std::string error_text(const Ctx& c, const client::ConsoleError& e) {
    if (e.code == "file_too_big") return c.t("import.too_big");
    if (e.code == "offline") return c.t("error.offline");
    return e.message.empty() ? c.t("error.other") : e.message;
}

// Bad rows as a table: line, column, what is wrong; scrolls inside `height`.
void problems_table(const Ctx& c, const char* id, const std::vector<ImportRowProblem>& rows,
                    std::int64_t total, float height) {
    if (rows.empty()) return;
    // Room for two lines a row (a long message wraps) and the header, at most `height`.
    const float h = std::min(height, ImGui::GetTextLineHeightWithSpacing() *
                                         (2.f * static_cast<float>(rows.size()) + 1.5f));
    if (ImGui::BeginTable(id, 3,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                              ImGuiTableFlags_BordersOuter | ImGuiTableFlags_SizingStretchProp,
                          ImVec2(0, h))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn(c.t("import.line").c_str(), 0, 0.12f);
        ImGui::TableSetupColumn(c.t("import.column").c_str(), 0, 0.22f);
        ImGui::TableSetupColumn(c.t("import.problem").c_str(), 0, 0.66f);
        ImGui::TableHeadersRow();
        ImGuiListClipper clip;
        clip.Begin(static_cast<int>(rows.size()));
        while (clip.Step())
            for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
                const ImportRowProblem& p = rows[static_cast<std::size_t>(i)];
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(c.num(p.line).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(p.column.empty() ? "-" : p.column.c_str());
                ImGui::TableNextColumn();
                ImGui::TextWrapped("%s", p.message.c_str());
            }
        ImGui::EndTable();
    }
    if (total > static_cast<std::int64_t>(rows.size()))
        muted(c.n("import.more_bad", total - static_cast<std::int64_t>(rows.size())));
}

void import_card(const Ctx& c, ImportScreen& screen, float height) {
    client::ImportFlow& f = screen.flow;
    const client::ImportState& st = f.state();
    heading(c, c.t("import.title"));
    muted(c.t("import.intro"));
    ImGui::Spacing();
    const bool running = st.job && st.job->running();

    // The job started last: its progress, then its report until it is closed.
    if (st.job) {
        const client::ImportJobView& j = *st.job;
        const float done = j.rows_total > 0
                               ? static_cast<float>(j.rows_done) / static_cast<float>(j.rows_total)
                               : (j.running() ? 0.f : 1.f);
        ImGui::TextUnformatted((j.running()          ? c.t("import.running")
                                : j.status == "done" ? c.t("import.done")
                                                     : c.t("import.failed"))
                                   .c_str());
        const std::string overlay =
            c.n("import.rows_of", j.rows_done, {{"total", c.num(j.rows_total)}});
        ImGui::ProgressBar(done, ImVec2(-1, c.px(26)), overlay.c_str());
        colored(j.status == "failed" ? kError
                : j.running()        ? parts::kMuted
                                     : kGood,
                c.n("import.created", j.created) + " · " + c.n("import.matched", j.matched) +
                    " · " + c.n("import.bad", j.rows_bad));
        if (!j.failure.empty()) colored(kError, j.failure);
        problems_table(c, "job_bad", j.errors, j.rows_bad, c.px(200));
        if (!j.running() && button(c.t("import.dismiss") + "##import_dismiss")) f.dismiss();
        if (j.running()) muted(c.t("import.leave_ok"));
        ImGui::Spacing();
        ImGui::Separator();
        ImGui::Spacing();
    }

    if (button(c.t(st.has_file ? "import.choose_other" : "import.choose") + "##import_choose",
               !running && st.busy == ConsoleBusy::none, !st.has_file))
        screen.pick_file = true;
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    if (st.has_file)
        ImGui::TextUnformatted((st.file_name + " · " + size_text(st.file_bytes)).c_str());
    else
        muted(c.t("import.drop"));
    if (st.error) colored(kError, error_text(c, *st.error));
    if (st.busy == ConsoleBusy::loading) muted(c.t("import.checking"));
    if (!st.check) return;
    const client::ImportCheck& k = *st.check;
    ImGui::Spacing();
    const std::int64_t good = k.rows_total - k.rows_bad;
    colored(k.rows_bad ? parts::kAccent : kGood,
            c.n("import.checked", k.rows_total, {{"good", c.num(good)}}) +
                (k.rows_bad ? " " + c.n("import.checked_bad", k.rows_bad) : ""));
    muted(c.t("import.columns",
              {{}, {{"columns", join(k.columns)}, {"separator", separator_name(c, k.separator)}}}));
    if (!k.ignored_columns.empty())
        muted(c.t("import.ignored", {{}, {{"columns", join(k.ignored_columns)}}}));
    problems_table(c, "check_bad", k.bad, k.rows_bad,
                   std::max(c.px(120), height - ImGui::GetCursorPosY() - c.px(90)));
    ImGui::Spacing();
    const std::string go =
        st.busy == ConsoleBusy::saving ? c.t("import.starting") : c.n("import.go", good);
    if (button(go + "##import_go", f.can_import(), true)) f.start();
    if (k.rows_bad && good > 0) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        muted(c.t("import.bad_skipped"));
    }
    muted(c.t("import.twice"));
}

void export_card(const Ctx& c, client::ImportFlow& f) {
    client::ImportState& st = f.state();
    heading(c, c.t("export.title"));
    muted(c.t("export.intro"));
    ImGui::Spacing();
    ImGui::TextUnformatted(c.t("export.members").c_str());
    muted(c.t("export.members_what"));
    if (button(c.t("export.members_go") + "##export_members")) f.download_members();
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
    ImGui::TextUnformatted(c.t("export.receipts").c_str());
    muted(c.t("export.receipts_what"));
    const float w = (ImGui::GetContentRegionAvail().x - c.px(12)) / 2;
    const float top = ImGui::GetCursorPosY();
    ImGui::BeginGroup();
    ImGui::TextUnformatted(c.t("export.from").c_str());
    ImGui::SetNextItemWidth(w);
    input("##export_from", &st.export_from, 0, "2026-01-01");
    ImGui::EndGroup();
    ImGui::SameLine(0, c.px(12));
    ImGui::SetCursorPosY(top);  // both labels on one line, both fields on the next
    ImGui::BeginGroup();
    ImGui::TextUnformatted(c.t("export.to").c_str());
    ImGui::SetNextItemWidth(w);
    input("##export_to", &st.export_to, 0, "2026-12-31");
    ImGui::EndGroup();
    if (st.export_dates_bad) colored(kError, c.t("export.bad_dates"));
    if (button(c.t("export.receipts_go") + "##export_receipts")) f.download_receipts();
    if (!st.download_error.empty())
        colored(kError, c.t("export.failed", {{}, {{"why", st.download_error}}}));
}
}  // namespace

void draw_import(ImportScreen& s, const Rect& content) {
    const Ctx c{s.texts, s.locale, s.title, s.scale};
    ImGui::SetCursorScreenPos(content.min);
    const float gap = c.px(24);
    const float w = content.max.x - content.min.x, h = content.max.y - content.min.y;
    // Side by side from 900 px; the export card under the import card below that.
    const bool wide = w >= c.px(900);
    const float left_w = wide ? std::floor((w - gap) * 0.62f) : w;
    ImGui::BeginChild("import_card", ImVec2(left_w, wide ? h : h * 0.62f), true);
    import_card(c, s, wide ? h : h * 0.62f);
    ImGui::EndChild();
    if (wide) ImGui::SetCursorScreenPos(ImVec2(content.min.x + left_w + gap, content.min.y));
    ImGui::BeginChild("export_card", ImVec2(wide ? w - left_w - gap : w, 0), true);
    export_card(c, s.flow);
    ImGui::EndChild();
}

std::vector<std::string> import_lines(const client::ImportFlow& flow, const i18n::Catalogues& texts,
                                      i18n::Locale locale) {
    const Ctx c{texts, locale};
    const client::ImportState& st = flow.state();
    std::vector<std::string> out{c.t("import.title")};
    if (st.job) {
        const auto& j = *st.job;
        out.push_back(j.running()          ? c.t("import.running")
                      : j.status == "done" ? c.t("import.done")
                                           : c.t("import.failed"));
        out.push_back(c.n("import.rows_of", j.rows_done, {{"total", c.num(j.rows_total)}}));
        out.push_back(c.n("import.created", j.created) + ", " + c.n("import.matched", j.matched) +
                      ", " + c.n("import.bad", j.rows_bad));
        if (!j.failure.empty()) out.push_back(j.failure);
        for (const auto& p : j.errors)
            out.push_back(c.t("import.line") + " " + c.num(p.line) + ": " + p.column + " " +
                          p.message);
    }
    if (st.has_file) out.push_back(st.file_name + ", " + size_text(st.file_bytes));
    if (st.error) out.push_back(error_text(c, *st.error));
    if (st.check) {
        const auto& k = *st.check;
        out.push_back(
            c.n("import.checked", k.rows_total, {{"good", c.num(k.rows_total - k.rows_bad)}}) +
            (k.rows_bad ? " " + c.n("import.checked_bad", k.rows_bad) : ""));
        for (const auto& p : k.bad)
            out.push_back(c.t("import.line") + " " + c.num(p.line) + ": " + p.column + " " +
                          p.message);
    }
    out.push_back(c.t("export.title"));
    if (st.export_dates_bad) out.push_back(c.t("export.bad_dates"));
    if (!st.download_error.empty())
        out.push_back(c.t("export.failed", {{}, {{"why", st.download_error}}}));
    return out;
}

}  // namespace kopilka::ui
