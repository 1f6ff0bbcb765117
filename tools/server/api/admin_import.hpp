// Members and their opening balances from a CSV file (POST /v1/admin/imports, the CLI's
// `kopilka import members`), and members and receipts as CSV downloads.
//
// The file: UTF-8 (a BOM is skipped), separated by ',' ';' or tab (from the header line),
// quoted as spreadsheets quote (core/csv). Columns by header name, case-insensitive, in any
// order; unknown columns are ignored (the answer lists them):
//   external_id (or id, member_id)  the member's id in the merchant's old system
//   card (or card_number)           EAN-13 (check digit verified) or 4-32 of A-Z 0-9 '-'
//   phone                           7 to 15 digits, "+7 (916) 123-45-67" is fine
//   name, email
//   birth_date (or birthday)        YYYY-MM-DD
//   consent                         yes/true/1/y/x/да/ja/jā, or the date it was given
//                                   (YYYY-MM-DD); required: no member joins without it
//   opening_points (or points, balance)  whole points, 0 or more
// A row names its member by external_id, else card, else phone (at least one column of
// the three is required). A member the key names already is left as it is; a new one is
// created with the row's fields (a card generated from its id when the row has none) and its
// opening balance as one ledger entry whose id derives from the merchant and the member id.
// So importing the same file twice changes nothing.
//
// Implemented: a dry run (every bad row with its line, column and message, nothing written);
// a job that writes import_batch_rows rows per transaction, its progress in the database;
// a runner thread per server that takes jobs (new, or left by a stopped or crashed server
// once their lease ran out) and resumes them after the last batch written.
// Missing: a dry run does not see a card or phone another member holds (the job reports
// such rows as bad); updating members who exist already.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

constexpr std::size_t import_batch_rows = 500;
constexpr std::size_t import_errors_listed_max = 1000;  // bad rows listed; all are counted
constexpr std::int64_t import_lease_ms = 5000;
constexpr std::size_t import_body_bytes_max = 64 * 1024 * 1024;

// ?dry_run=true: checks every row and writes nothing.
ApiResult admin_import_dry_run(Store& store, const Caller& caller, const std::string& body,
                               std::int64_t now_ms);
// Checks the file's header and counts its rows, stores the job (202 with its id and
// progress); the runner does the rest. *job_id names it.
ApiResult admin_import_start(Store& store, const Caller& caller, const std::string& body,
                             std::int64_t now_ms, std::string* job_id = nullptr);
ApiResult admin_import_status(Store& store, const Caller& caller, const std::string& job_id);

// The job's progress as the API shows it.
codec::Json import_job_json(const ImportJobRecord& j);

// Works on a claimed job batch by batch until it ends (true), the runner loses its lease or
// stop turns true (false: another runner resumes it). progress sees the job after each batch.
bool run_import_job(Store& store, ImportJobRecord job, const std::string& runner,
                    const std::function<void(const ImportJobRecord&)>& progress,
                    const std::atomic<bool>& stop);

// A thread that claims running jobs and runs them; it polls the database each second (jobs
// another server stored, or left behind by a crash) and at once when woken.
class ImportRunner {
public:
    explicit ImportRunner(Store& store);
    ~ImportRunner();  // stops between two batches and joins
    void wake();

private:
    void loop();
    Store& store_;
    std::string id_;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::condition_variable woken_;
    bool pending_ = false;
    std::thread thread_;
};

// [SECTION] Exports: CSV with a header row, made a page of rows at a time
// The header, and the rows after it: next(out) appends the next page to *out, false with the
// last (http::Response::next_piece). It reads the store on each call, so a file of a million
// rows never sits in memory whole.
struct CsvExport {
    std::string head;
    std::function<bool(std::string* out)> next;
};
// The merchant's members, by member id, except erased ones (nothing personal is left).
ApiResult admin_export_members_csv(Store& store, const Caller& caller, CsvExport* out);
// Receipts with at_ms in [from, to) (query values YYYY-MM-DD; to is exclusive, both
// optional), by time; amounts in the merchant's currency's decimals.
ApiResult admin_export_receipts_csv(Store& store, const Caller& caller,
                                    const std::optional<std::string>& from,
                                    const std::optional<std::string>& to, CsvExport* out);

}  // namespace kopilka::server
