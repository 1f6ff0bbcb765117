#include "client/console_import.hpp"

#include <utility>

#include "client/console_time.hpp"
#include "client/json_fields.hpp"
#include "codec/decode.hpp"

namespace kopilka::client {

namespace {
using codec::Json;
constexpr const char* kJobKey = "kopilka.console.import_job";

std::vector<ImportRowProblem> problems_of(const Json& j) {
    std::vector<ImportRowProblem> out;
    if (const auto it = j.find("errors"); it != j.end() && it->is_array())
        for (const Json& e : *it)
            if (e.is_object())
                out.push_back(
                    {json_int(e, "line"), json_text(e, "column"), json_text(e, "message")});
    return out;
}

std::vector<std::string> texts_of(const Json& j, const char* key) {
    std::vector<std::string> out;
    if (const auto it = j.find(key); it != j.end() && it->is_array())
        for (const Json& e : *it)
            if (e.is_string()) out.push_back(e.get<std::string>());
    return out;
}

Request csv_post(const std::string& path, const std::string& text) {
    Request r{"POST", path, text, "", {}};
    r.content_type = "text/csv; charset=utf-8";
    return r;
}
}  // namespace

ImportFlow::ImportFlow(Call call, Common common, std::function<void()> changed, KioskStorage& store)
    : call_(std::move(call)),
      common_(std::move(common)),
      changed_(std::move(changed)),
      store_(store) {}

void ImportFlow::reset() {
    state_ = ImportState{};
    text_.clear();
    merchant_.clear();
    polling_ = false;
}

// A job this merchant started (here or in another tab) is shown again until dismissed.
void ImportFlow::open(const std::string& merchant) {
    merchant_ = merchant;
    if (state_.job) return refresh();
    codec::DecodeError e;
    const auto j = codec::parse_json(store_.get(kJobKey), &e);
    if (!j || !j->is_object() || json_text(*j, "merchant") != merchant) return;
    ImportJobView v;
    v.id = json_text(*j, "id");
    v.status = "running";  // until the server says
    if (v.id.empty()) return;
    state_.job = std::move(v);
    refresh();
}

void ImportFlow::store_job() {
    if (!state_.job || merchant_.empty()) return store_.remove(kJobKey);
    store_.set(kJobKey, Json{{"merchant", merchant_}, {"id", state_.job->id}}.dump());
}

void ImportFlow::set_file(std::string name, std::string text) {
    state_.file_name = std::move(name);
    state_.file_bytes = static_cast<std::int64_t>(text.size());
    state_.has_file = true;
    state_.check.reset();
    state_.error.reset();
    text_ = std::move(text);
    dry_run();
}

void ImportFlow::file_too_big(std::string name) {
    clear_file();
    state_.file_name = std::move(name);
    state_.error = ConsoleError{"file_too_big", "", "body", 0};
    changed_();
}

void ImportFlow::clear_file() {
    state_.has_file = false;
    state_.file_name.clear();
    state_.file_bytes = 0;
    state_.check.reset();
    state_.error.reset();
    text_.clear();
    changed_();
}

void ImportFlow::dry_run() {
    if (!state_.has_file || state_.busy != ConsoleBusy::none) return;
    state_.busy = ConsoleBusy::loading;
    changed_();
    call_(csv_post("/v1/admin/imports?dry_run=true", text_), [this](TransportReply reply) {
        ImportState& s = state_;
        s.busy = ConsoleBusy::none;
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        if (!j || !j->is_object()) {
            s.error = ConsoleError{"bad_answer", e.message, "", 0};
            return;
        }
        ImportCheck c;
        c.rows_total = json_int(*j, "rows_total");
        c.rows_bad = json_int(*j, "rows_bad");
        c.bad = problems_of(*j);
        c.separator = json_text(*j, "separator");
        c.columns = texts_of(*j, "columns");
        c.ignored_columns = texts_of(*j, "ignored_columns");
        s.check = std::move(c);
    });
}

bool ImportFlow::can_import() const {
    const ImportState& s = state_;
    return s.has_file && s.check && s.check->rows_total > s.check->rows_bad &&
           s.busy == ConsoleBusy::none && !(s.job && s.job->running());
}

void ImportFlow::start() {
    if (!can_import()) return;
    state_.busy = ConsoleBusy::saving;
    changed_();
    call_(csv_post("/v1/admin/imports", text_), [this](TransportReply reply) {
        ImportState& s = state_;
        s.busy = ConsoleBusy::none;
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        apply_job(reply.body);
        if (!s.job) return;
        store_job();
        // The file is on the server now; choosing another one starts afresh.
        s.has_file = false;
        s.check.reset();
        text_.clear();
    });
}

void ImportFlow::apply_job(const std::string& body) {
    codec::DecodeError e;
    const auto j = codec::parse_json(body, &e);
    if (!j || !j->is_object() || json_text(*j, "job_id").empty()) {
        state_.error = ConsoleError{"bad_answer", e.message, "", 0};
        return;
    }
    ImportJobView v;
    v.id = json_text(*j, "job_id");
    v.status = json_text(*j, "status");
    v.rows_total = json_int(*j, "rows_total");
    v.rows_done = json_int(*j, "rows_done");
    v.rows_bad = json_int(*j, "rows_bad");
    v.created = json_int(*j, "created");
    v.matched = json_int(*j, "matched");
    v.errors = problems_of(*j);
    v.failure = json_text(*j, "failure");
    v.created_at_ms = json_int(*j, "created_at_ms");
    v.updated_at_ms = json_int(*j, "updated_at_ms");
    state_.job = std::move(v);
}

void ImportFlow::tick(std::int64_t now_ms) {
    if (!state_.job || !state_.job->running() || polling_) return;
    if (now_ms - polled_ms_ < import_poll_ms) return;
    polled_ms_ = now_ms;
    refresh();
}

void ImportFlow::refresh() {
    if (!state_.job || polling_) return;
    polling_ = true;
    call_({"GET", "/v1/admin/imports/" + state_.job->id, "", "", {}}, [this](TransportReply reply) {
        polling_ = false;
        if (reply.delivered && reply.status == 404) {  // gone (another database)
            state_.job.reset();
            store_job();
            return;
        }
        if (common_(reply, &state_.error) || !reply_ok(reply)) return;
        apply_job(reply.body);
    });
}

void ImportFlow::dismiss() {
    if (state_.job && state_.job->running()) return;
    state_.job.reset();
    store_job();
    changed_();
}

void ImportFlow::download_members() {
    state_.download_error.clear();
    state_.pending_download = DownloadRequest{"/v1/admin/exports/members.csv", "members.csv"};
    changed_();
}

void ImportFlow::download_receipts() {
    ImportState& s = state_;
    s.download_error.clear();
    const auto from =
        s.export_from.empty() ? std::optional<std::int64_t>(0) : parse_date_time(s.export_from);
    const auto to =
        s.export_to.empty() ? std::optional<std::int64_t>(0) : parse_date_time(s.export_to, true);
    s.export_dates_bad = !from || !to || (*from && *to && *from >= *to);
    changed_();
    if (s.export_dates_bad) return;
    // The server takes days (YYYY-MM-DD, UTC) and stops before `to`: the day after the last.
    const auto day = [](std::int64_t ms) { return date_time_text(ms).substr(0, 10); };
    std::string path = "/v1/admin/exports/receipts.csv", sep = "?";
    if (*from) path += sep + "from=" + day(*from), sep = "&";
    if (*to) path += sep + "to=" + day(*to);
    s.pending_download = DownloadRequest{path, "receipts.csv"};
}

void ImportFlow::download_failed(std::string why) {
    state_.download_error = std::move(why);
    changed_();
}

std::optional<DownloadRequest> ImportFlow::take_download() {
    auto d = std::move(state_.pending_download);
    state_.pending_download.reset();
    return d;
}

}  // namespace kopilka::client
