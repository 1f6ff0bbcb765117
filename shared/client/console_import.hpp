// The console's import and export section without drawing: a CSV file of members and their
// opening balances (chosen in the page, its text handed in) is checked by the server first
// (POST /v1/admin/imports?dry_run=true: every bad row with its line and column, nothing
// written), then imported as a job (202 with its id) whose progress the section polls about
// once a second (GET /v1/admin/imports/{id}). The job's id is kept in local storage, so a
// reload, a new tab or a new sign-in shows the same progress bar until the job ends and the
// merchant dismisses it. Importing the same file again changes nothing (the server's rule).
//
// Exports are downloads the page makes (with the session's token): members.csv and
// receipts.csv for a period; the section only says which (pending_download).
//
// ConsoleFlow owns one ImportFlow and lends it its requests (session, 401 and 403 handling).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/console_types.hpp"
#include "client/member_session.hpp"  // KioskStorage
#include "client/transport.hpp"

namespace kopilka::client {

struct ImportRowProblem {
    std::int64_t line = 0;  // 1-based, where the row starts in the file
    std::string column;     // the header's name of the column, or "" for the whole row
    std::string message;
};

struct ImportJobView {
    std::string id;
    std::string status;  // "running", "done", "failed"
    std::int64_t rows_total = 0, rows_done = 0, rows_bad = 0, created = 0, matched = 0;
    std::vector<ImportRowProblem> errors;  // the first bad rows (the server lists up to 1 000)
    std::string failure;                   // why a failed job stopped
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    bool running() const { return status == "running"; }
};

// What the dry run found.
struct ImportCheck {
    std::int64_t rows_total = 0, rows_bad = 0;
    std::vector<ImportRowProblem> bad;
    std::string separator;                     // ",", ";" or "\t"
    std::vector<std::string> columns;          // recognised, as the header names them
    std::vector<std::string> ignored_columns;  // unknown ones
};

struct DownloadRequest {
    std::string path;       // "/v1/admin/exports/members.csv"
    std::string file_name;  // "members.csv"
};

struct ImportState {
    std::string file_name;
    std::int64_t file_bytes = 0;
    bool has_file = false;
    ConsoleBusy busy{};                  // loading: the dry run; saving: starting the job
    std::optional<ImportCheck> check;    // the dry run's answer for the file chosen
    std::optional<ImportJobView> job;    // the job started last (kept across reloads)
    std::optional<ConsoleError> error;   // field "body" for a file the server can't read
    std::string export_from, export_to;  // receipts' period as typed, "2026-12-01" (UTC)
    bool export_dates_bad = false;
    std::optional<DownloadRequest> pending_download;  // the page takes it and downloads
    std::string download_error;  // why the page's last download failed ("" none)
};

class ImportFlow {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    ImportFlow(Call call, Common common, std::function<void()> changed, KioskStorage& store);

    void reset();                                       // signed out: the state forgotten
    void open(const std::string& merchant);             // the section opened: a kept job comes back
    void set_file(std::string name, std::string text);  // the page read a file: checked at once
    void clear_file();
    void file_too_big(std::string name);  // over the server's 64 MiB: error "file_too_big"
    void dry_run();                       // checks the file again
    bool can_import() const;              // a checked file with rows, nothing running
    void start();                         // the job (POST /v1/admin/imports)
    void tick(std::int64_t now_ms);       // polls a running job about once a second
    void refresh();                       // polls now
    void dismiss();                       // a finished job's report closed and forgotten

    void download_members();
    void download_receipts();  // for export_from..export_to (open ends allowed)
    std::optional<DownloadRequest> take_download();  // the page calls it each frame
    void download_failed(std::string why);  // the page could not download (HTTP status, …)

    ImportState& state() { return state_; }
    const ImportState& state() const { return state_; }

  private:
    void apply_job(const std::string& body);
    void store_job();

    Call call_;
    Common common_;
    std::function<void()> changed_;
    KioskStorage& store_;
    ImportState state_;
    std::string text_;  // the file's text, sent as it is
    std::string merchant_;
    std::int64_t polled_ms_ = 0;
    bool polling_ = false;  // a status request is on its way
};

inline constexpr std::int64_t import_poll_ms = 1000;

}  // namespace kopilka::client
