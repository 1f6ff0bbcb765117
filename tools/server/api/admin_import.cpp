// CSV import jobs and CSV exports (api/admin_import.hpp says what the file holds).
#include "api/admin_import.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <vector>

#include "api/admin.hpp"
#include "api/member_write.hpp"
#include "api/routes.hpp"
#include "api/staff.hpp"
#include "core/cards/card_code.hpp"
#include "core/crypto/sha256.hpp"
#include "core/csv/csv.hpp"
#include "core/ledger/ledger.hpp"
#include "core/money/money.hpp"
#include "core/program/lifecycle.hpp"
#include "storage/demo_data.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr std::size_t kNameBytesMax = 100;
constexpr std::size_t kEmailBytesMax = 254;

// [SECTION] The file's columns

enum class Column { external_id, card, phone, name, email, birth_date, consent, points };

struct ColumnName {
    const char* header;
    Column column;
};
constexpr ColumnName kColumnNames[] = {
    {"external_id", Column::external_id}, {"id", Column::external_id},
    {"member_id", Column::external_id},   {"card", Column::card},
    {"card_number", Column::card},        {"phone", Column::phone},
    {"name", Column::name},               {"email", Column::email},
    {"birth_date", Column::birth_date},   {"birthday", Column::birth_date},
    {"consent", Column::consent},         {"opening_points", Column::points},
    {"points", Column::points},           {"balance", Column::points},
};

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// The header: which field each column is, and what the file's header called it.
struct Header {
    std::map<Column, std::size_t> at;  // column → field index
    std::vector<std::string> names;    // as written, for messages
    std::vector<std::string> ignored;
    char separator = ',';
};

// A file that can't be imported at all: its reading, or its header.
struct FileError {
    std::string code, message, field;
};

std::optional<Header> read_header(csv::Reader& reader, FileError* why) {
    csv::Row row;
    const csv::Status s = reader.next(&row);
    if (s != csv::Status::row) {
        *why = {"invalid_value", "the file has no header line", "body"};
        return std::nullopt;
    }
    Header h;
    h.separator = reader.separator();
    h.names = row.fields;
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
        const std::string name = lower(trimmed(row.fields[i]));
        bool known = false;
        for (const ColumnName& c : kColumnNames)
            if (name == c.header && !h.at.count(c.column)) {
                h.at[c.column] = i;
                known = true;
            }
        if (!known) h.ignored.push_back(row.fields[i]);
    }
    if (!h.at.count(Column::external_id) && !h.at.count(Column::card) &&
        !h.at.count(Column::phone)) {
        *why = {"invalid_value",
                "the header line needs a column external_id, card or phone to identify members",
                "body"};
        return std::nullopt;
    }
    if (!h.at.count(Column::consent)) {
        *why = {"invalid_value", "the header line needs a consent column", "body"};
        return std::nullopt;
    }
    return h;
}

// [SECTION] Rows

struct BadRow {
    std::size_t line = 0;
    std::string column, message;
};

// What one data row comes to: a member to import, or why not.
struct Checked {
    std::optional<ImportMember> member;
    BadRow bad;
};

std::string value_of(const Header& h, const csv::Row& row, Column c) {
    const auto it = h.at.find(c);
    return it == h.at.end() || it->second >= row.fields.size() ? ""
                                                               : trimmed(row.fields[it->second]);
}

bool card_acceptable(std::string* card) {
    for (char& c : *card)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    bool digits = card->size() == 13;
    for (const char c : *card) digits = digits && c >= '0' && c <= '9';
    if (digits) return cards::ean13_valid(*card);
    if (card->size() < 4 || card->size() > 32) return false;
    for (const char c : *card)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

// The consent's time: a date given, or now for a plain yes; nullopt for anything else.
std::optional<std::int64_t> consent_ms(const std::string& text, std::int64_t now_ms) {
    const std::string v = lower(text);
    for (const char* yes : {"yes", "true", "1", "y", "x", "да", "ja", "jā", "jā"})
        if (v == yes) return now_ms;
    if (member_birthday_valid(v)) {
        const auto part = [&](std::size_t at, std::size_t n) { return std::stoi(v.substr(at, n)); };
        return program::ms_of(program::Date{part(0, 4), part(5, 2), part(8, 2)});
    }
    return std::nullopt;
}

bool points_of(const std::string& text, std::int64_t* out) {
    if (text.empty()) {
        *out = 0;
        return true;
    }
    std::int64_t v = 0;
    if (text.size() > 15) return false;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    if (v > ledger::points_max) return false;
    *out = v;
    return true;
}

// 128 bits that only the merchant and the member id decide: the root of the opening entry's id.
ledger::EntryId member_root(const std::string& merchant_id, const std::string& member_id) {
    const auto d = crypto::sha256("kopilka-import\n" + merchant_id + "\n" + member_id);
    return *ledger::parse_entry_id(crypto::to_hex(d.data(), 16));
}

// A card number for a member the file gives none: EAN-13 in the in-store range (2…), from the
// member's id, so a second import generates the same.
std::string generated_card(const std::string& merchant_id, const std::string& member_id) {
    const auto d = crypto::sha256("kopilka-import-card\n" + merchant_id + "\n" + member_id);
    std::string twelve = "2";
    for (std::size_t i = 0; twelve.size() < 12; ++i) twelve += static_cast<char>('0' + d[i] % 10);
    return twelve + cards::ean13_check_digit(twelve);
}

Checked check_row(const Header& h, const csv::Row& row, const std::string& merchant_id,
                  std::int64_t now_ms) {
    Checked out;
    const auto bad = [&](const char* column, std::string message) {
        out.bad = {row.line, column, std::move(message)};
        return out;
    };
    if (!row.error.empty()) return bad("", row.error);
    MemberRecord m;
    m.merchant_id = merchant_id;
    const std::string id = value_of(h, row, Column::external_id);
    m.card_number = value_of(h, row, Column::card);
    if (!id.empty() && !member_id_acceptable(id))
        return bad("external_id", "must be 1 to 64 of a-z A-Z 0-9 - _ .");
    if (!m.card_number.empty() && !card_acceptable(&m.card_number))
        return bad("card", "must be an EAN-13 with a valid check digit or 4 to 32 of A-Z 0-9 -");
    if (!member_phone_normalised(value_of(h, row, Column::phone), &m.phone))
        return bad("phone", "must be 7 to 15 digits");
    m.display_name = value_of(h, row, Column::name);
    if (m.display_name.size() > kNameBytesMax) return bad("name", "is longer than 100 bytes");
    m.email = value_of(h, row, Column::email);
    if (!m.email.empty() && (m.email.size() > kEmailBytesMax || !member_email_valid(m.email)))
        return bad("email", "is not an email address");
    m.birthday = value_of(h, row, Column::birth_date);
    if (!m.birthday.empty() && !member_birthday_valid(m.birthday))
        return bad("birth_date", "must be a date YYYY-MM-DD");
    const auto consent = consent_ms(value_of(h, row, Column::consent), now_ms);
    if (!consent) return bad("consent", "the member's consent is required: yes or its date");
    m.consent_at_ms = *consent;
    std::int64_t points = 0;
    if (!points_of(value_of(h, row, Column::points), &points))
        return bad("opening_points", "must be a whole number of points, 0 or more");

    ImportMember im;
    if (!id.empty()) {
        im.key = ImportMember::Key::id;
        m.member_id = id;
    } else if (!m.card_number.empty()) {
        im.key = ImportMember::Key::card;
        m.member_id = "m-" + ledger::to_hex(member_root(merchant_id, "card:" + m.card_number))
                                 .substr(0, 16);
    } else if (!m.phone.empty()) {
        im.key = ImportMember::Key::phone;
        m.member_id =
            "m-" + ledger::to_hex(member_root(merchant_id, "phone:" + m.phone)).substr(0, 16);
    } else {
        return bad("external_id", "the row names no member: external_id, card or phone");
    }
    if (m.card_number.empty()) m.card_number = generated_card(merchant_id, m.member_id);
    if (points > 0) {
        ledger::Ledger l;
        const auto opening = ledger::derive_entry_id(member_root(merchant_id, m.member_id),
                                                     "opening");
        const auto r = l.apply(ledger::Adjust{opening, points, 0, "import", "opening balance"},
                               now_ms);
        if (!ledger::status_succeeded(r.status))
            return bad("opening_points", std::string(ledger::status_name(r.status)));
        im.opening = l.entries();
    }
    im.member = std::move(m);
    out.member = std::move(im);
    return out;
}

Json bad_json(const BadRow& b) {
    return Json{{"line", b.line}, {"column", b.column}, {"message", b.message}};
}

std::optional<Header> open_file(const std::string& body, csv::Reader& reader, FileError* why) {
    if (!codec::valid_utf8(body)) {
        *why = {"invalid_value", "the file is not UTF-8 text (save it as \"CSV UTF-8\")", "body"};
        return std::nullopt;
    }
    return read_header(reader, why);
}

ApiResult file_error(const FileError& e) { return api_error(400, e.code, e.message, e.field); }

ApiResult unterminated(const csv::Reader& reader) {
    return api_error(400, "invalid_value",
                     "line " + std::to_string(reader.error_line()) +
                         ": a quoted field is not closed before the end of the file",
                     "body");
}

Json header_json(const Header& h) {
    Json columns = Json::array();
    for (const auto& [column, at] : h.at) columns.push_back(h.names[at]);
    return Json{{"separator", std::string(1, h.separator)},
                {"columns", columns},
                {"ignored_columns", h.ignored}};
}
}  // namespace

// [SECTION] Routes' handlers

namespace {
// The whole file read once: its header, its rows counted and, when check, each checked.
struct Scan {
    Header header;
    std::int64_t total = 0, bad = 0;
    Json errors = Json::array();
};

std::optional<ApiResult> scan_file(Store& store, const Caller& caller, const std::string& body,
                                   std::int64_t now_ms, bool check, Scan* out) {
    ApiResult err;
    if (!admin_merchant_record(store, caller, &err)) return err;
    csv::Reader reader(body);
    FileError why;
    auto header = open_file(body, reader, &why);
    if (!header) return file_error(why);
    out->header = std::move(*header);
    csv::Row row;
    csv::Status s;
    while ((s = reader.next(&row)) == csv::Status::row) {
        ++out->total;
        if (!check) continue;
        const Checked c = check_row(out->header, row, caller.merchant_id, now_ms);
        if (c.member) continue;
        ++out->bad;
        if (out->errors.size() < import_errors_listed_max) out->errors.push_back(bad_json(c.bad));
    }
    if (s == csv::Status::unterminated_quote) return unterminated(reader);
    return std::nullopt;
}
}  // namespace

ApiResult admin_import_dry_run(Store& store, const Caller& caller, const std::string& body,
                               std::int64_t now_ms) {
    Scan scan;
    if (auto refused = scan_file(store, caller, body, now_ms, true, &scan)) return *refused;
    Json out = header_json(scan.header);
    out["dry_run"] = true;
    out["rows_total"] = scan.total;
    out["rows_bad"] = scan.bad;
    out["errors"] = scan.errors;
    return {200, out, caller.merchant_id};
}

ApiResult admin_import_start(Store& store, const Caller& caller, const std::string& body,
                             std::int64_t now_ms, std::string* job_id) {
    Scan scan;
    if (auto refused = scan_file(store, caller, body, now_ms, false, &scan)) return *refused;
    ImportJobRecord j;
    j.rows_total = scan.total;
    j.merchant_id = caller.merchant_id;
    j.job_id = "imp-" + random_id().substr(0, 16);
    j.body = body;
    j.created_at_ms = j.updated_at_ms = now_ms;
    store.put_import_job(j, audited(caller, "import.start", j.job_id, nullptr,
                                    Json{{"kind", j.kind}, {"rows_total", j.rows_total}},
                                    now_ms));
    if (job_id) *job_id = j.job_id;
    Json out = import_job_json(j);
    out.update(header_json(scan.header));
    return {202, out, caller.merchant_id};
}

ApiResult admin_import_status(Store& store, const Caller& caller, const std::string& job_id) {
    const auto j = store.import_job(caller.merchant_id, job_id);
    if (!j) return api_error(404, "not_found", "no such import job", "id");
    return {200, import_job_json(*j), caller.merchant_id};
}

Json import_job_json(const ImportJobRecord& j) {
    Json errors = Json::parse(j.errors, nullptr, false);
    if (errors.is_discarded()) errors = Json::array();
    return Json{{"job_id", j.job_id},
                {"kind", j.kind},
                {"status", j.status},
                {"rows_total", j.rows_total},
                {"rows_done", j.rows_done},
                {"rows_bad", j.rows_bad},
                {"created", j.created},
                {"matched", j.matched},
                {"errors", errors},
                {"failure", j.failure},
                {"created_at_ms", j.created_at_ms},
                {"updated_at_ms", j.updated_at_ms}};
}

// [SECTION] Running a job

namespace {
std::int64_t clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One batch's good rows and their lines.
struct Batch {
    std::vector<ImportMember> rows;
    std::vector<std::size_t> lines;
};

// Writes the batch with the job's progress; a batch one of whose new members collides with
// another member's card or phone is written row by row, each such row reported as bad.
bool write_batch(Store& store, ImportJobRecord& job, const ImportJobRecord& before,
                 const Batch& b, Json& errors, const std::string& runner) {
    std::int64_t created = 0, matched = 0;
    try {
        const bool held = store.import_members(job, b.rows, runner, clock_ms(), import_lease_ms,
                                               &created, &matched);
        job.created += created;
        job.matched += matched;
        return held;
    } catch (const UniqueViolation&) {
    }
    ImportJobRecord at = before;  // progress stays before the batch until its end
    for (std::size_t i = 0; i < b.rows.size(); ++i) {
        try {
            if (!store.import_members(at, {b.rows[i]}, runner, clock_ms(), import_lease_ms,
                                      &created, &matched))
                return false;
            job.created += created;
            job.matched += matched;
        } catch (const UniqueViolation& e) {
            ++job.rows_bad;
            if (errors.size() < import_errors_listed_max)
                errors.push_back(bad_json({b.lines[i], e.field == "id" ? "external_id" : e.field,
                                           "another member has this " + e.field}));
        }
    }
    job.errors = errors.dump();
    return store.import_members(job, {}, runner, clock_ms(), import_lease_ms, &created,
                                &matched);
}
}  // namespace

bool run_import_job(Store& store, ImportJobRecord job, const std::string& runner,
                    const std::function<void(const ImportJobRecord&)>& progress,
                    const std::atomic<bool>& stop) {
    const std::string body = std::move(job.body);
    job.body.clear();
    csv::Reader reader(body);
    FileError why;
    const auto header = open_file(body, reader, &why);
    std::int64_t created = 0, matched = 0;
    if (!header) {
        job.status = "failed";
        job.failure = why.message;
        return store.import_members(job, {}, runner, clock_ms(), 0, &created, &matched);
    }
    Json errors = Json::parse(job.errors, nullptr, false);
    if (errors.is_discarded()) errors = Json::array();
    csv::Row row;
    csv::Status s = csv::Status::row;
    for (std::int64_t skipped = 0; skipped < job.rows_done; ++skipped)  // resumed: done before
        if ((s = reader.next(&row)) != csv::Status::row) break;
    while (!stop && job.status == "running") {
        const ImportJobRecord before = job;
        Batch b;
        while (b.rows.size() < import_batch_rows && s == csv::Status::row &&
               (s = reader.next(&row)) == csv::Status::row) {
            ++job.rows_done;
            Checked c = check_row(*header, row, job.merchant_id, clock_ms());
            if (c.member) {
                b.rows.push_back(std::move(*c.member));
                b.lines.push_back(row.line);
                continue;
            }
            ++job.rows_bad;
            if (errors.size() < import_errors_listed_max) errors.push_back(bad_json(c.bad));
        }
        if (s == csv::Status::unterminated_quote) {
            job.status = "failed";
            job.failure = "line " + std::to_string(reader.error_line()) +
                          ": a quoted field is not closed before the end of the file";
        } else if (s == csv::Status::end) {
            job.status = "done";
        }
        job.errors = errors.dump();
        if (!write_batch(store, job, before, b, errors, runner)) return false;
        progress(job);
    }
    return job.status != "running";
}

ImportRunner::ImportRunner(Store& store)
    : store_(store), id_("runner-" + random_id()), thread_([this] { loop(); }) {}

ImportRunner::~ImportRunner() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    woken_.notify_all();
    thread_.join();
}

void ImportRunner::wake() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = true;
    }
    woken_.notify_all();
}

void ImportRunner::loop() {
    while (!stop_) {
        bool worked = false;
        try {
            if (auto job = store_.claim_import_job(id_, clock_ms(), import_lease_ms, "", "")) {
                run_import_job(store_, std::move(*job), id_, [](const ImportJobRecord&) {}, stop_);
                worked = true;
            }
        } catch (const std::exception& e) {
            // The job keeps its lease until it runs out; then this or another runner retries.
            std::fprintf(stderr, "{\"level\":\"error\",\"message\":\"import job: %s\"}\n",
                         Json(std::string(e.what())).dump().c_str());
        }
        if (worked) continue;
        std::unique_lock<std::mutex> lock(mutex_);
        woken_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || pending_; });
        pending_ = false;
    }
}

// [SECTION] Exports

namespace {
std::string time_text(std::int64_t ms) {
    const std::int64_t s = ((ms % day_ms) + day_ms) % day_ms / 1000;
    char out[16];
    std::snprintf(out, sizeof out, "%02d:%02d:%02d", static_cast<int>(s / 3600),
                  static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
    return out;
}

std::string date_text(std::int64_t ms) {
    const program::Date d = program::date_of(ms);
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

// A date query parameter (YYYY-MM-DD) as midnight UTC; absent: fallback.
bool date_param(const char* name, const std::optional<std::string>& text, std::int64_t fallback,
                std::int64_t* out, ApiResult* err) {
    if (!text) {
        *out = fallback;
        return true;
    }
    if (!member_birthday_valid(*text)) {
        *err = api_error(400, "invalid_value", std::string(name) + " must be a date YYYY-MM-DD",
                         name);
        return false;
    }
    const auto part = [&](std::size_t at, std::size_t n) { return std::stoi(text->substr(at, n)); };
    *out = program::ms_of(program::Date{part(0, 4), part(5, 2), part(8, 2)});
    return true;
}
}  // namespace

namespace {
constexpr std::size_t export_page_rows = 1000;

// minor units as a decimal amount with the currency's digits: 12345, 2 → "123.45"
std::string decimal_amount(std::int64_t minor, int digits) {
    const bool negative = minor < 0;
    // the magnitude as unsigned, so the most negative amount has one too
    std::string units = std::to_string(negative ? 0ULL - static_cast<unsigned long long>(minor)
                                                : static_cast<unsigned long long>(minor));
    if (digits <= 0) return (negative ? "-" : "") + units;
    if (units.size() <= static_cast<std::size_t>(digits))
        units.insert(0, static_cast<std::size_t>(digits) + 1 - units.size(), '0');
    units.insert(units.size() - static_cast<std::size_t>(digits), 1, '.');
    return (negative ? "-" : "") + units;
}
}  // namespace

ApiResult admin_export_members_csv(Store& store, const Caller& caller, CsvExport* out) {
    ApiResult err;
    if (!admin_merchant_record(store, caller, &err)) return err;
    out->head = csv::line(
        {"external_id", "card", "name", "phone", "email", "birth_date", "consent", "created"});
    out->next = [&store, merchant = caller.merchant_id,
                 after = std::string()](std::string* text) mutable {
        const auto page = store.search_members(merchant, "", after, export_page_rows);
        for (const MemberRecord& m : page) {
            if (m.erased_at_ms != 0) continue;  // nothing personal is left to export
            *text += csv::line({m.member_id, m.card_number, m.display_name, m.phone, m.email,
                                m.birthday, m.consent_at_ms ? date_text(m.consent_at_ms) : "",
                                date_text(m.created_at_ms)});
        }
        if (!page.empty()) after = page.back().member_id;
        return page.size() == export_page_rows;
    };
    return {200, Json::object(), caller.merchant_id};
}

ApiResult admin_export_receipts_csv(Store& store, const Caller& caller,
                                    const std::optional<std::string>& from,
                                    const std::optional<std::string>& to, CsvExport* out) {
    ApiResult err;
    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    std::int64_t from_ms = 0, to_ms = 0;
    if (!date_param("from", from, 0, &from_ms, &err) ||
        !date_param("to", to, std::int64_t{1} << 62, &to_ms, &err))
        return err;
    const auto currency = money::currency_from_code(merchant->currency);
    const int digits = currency ? money::currency_info(*currency).minor_digits : 2;
    out->head = csv::line({"receipt_id", "at", "member_id", "paid", "currency"});
    out->next = [&store, merchant = caller.merchant_id, from_ms, to_ms, digits,
                 code = merchant->currency, after_at = from_ms - 1,
                 after_id = std::string()](std::string* text) mutable {
        const auto page =
            store.receipts_page(merchant, from_ms, to_ms, after_at, after_id, export_page_rows);
        for (const ReceiptRecord& r : page)
            *text += csv::line({r.receipt_id, date_text(r.at_ms) + "T" + time_text(r.at_ms) + "Z",
                                r.member_id, decimal_amount(r.paid, digits), code});
        if (!page.empty()) {
            after_at = page.back().at_ms;
            after_id = page.back().receipt_id;
        }
        return page.size() == export_page_rows;
    };
    return {200, Json::object(), caller.merchant_id};
}

// [SECTION] Routes

namespace {
bool csv_content_type(const Request& req) {
    std::string type = lower(req.get_header_value("Content-Type"));
    type = trimmed(type.substr(0, type.find(';')));
    return type == "text/csv" || type == "text/plain" || type == "application/csv";
}

void send_csv(RouteContext& c, Response& res, const ApiResult& r, CsvExport csv,
              const std::string& file_name) {
    if (r.status != 200) return c.respond(res, r);
    res.status = 200;
    res.set_header("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
    res.set_content(std::move(csv.head), "text/csv; charset=utf-8");
    res.next_piece = std::move(csv.next);
}
}  // namespace

void register_import_routes(RouteContext& ctx) {
    RouteContext* c = &ctx;  // outlives the routes (the server owns both)
    // The routes own the runner: it stops and joins when the server's routes go.
    auto runner = std::make_shared<ImportRunner>(ctx.store);
    ctx.route("POST", "/v1/admin/imports", [c, runner](const Request& req, Response& res) {
        const auto caller = c->admin(req, res);
        if (!caller) return;
        if (!csv_content_type(req))
            return c->error(res, 415, "unsupported_media_type",
                            "send the file as Content-Type: text/csv", "Content-Type");
        const std::string dry = req.has_param("dry_run") ? req.get_param_value("dry_run") : "";
        if (dry != "" && dry != "true" && dry != "false")
            return c->error(res, 400, "invalid_value", "dry_run must be true or false",
                            "dry_run");
        if (dry == "true")
            return c->respond(res, admin_import_dry_run(c->store, *caller, req.body, c->now_ms()));
        std::string job_id;
        const ApiResult r = admin_import_start(c->store, *caller, req.body, c->now_ms(), &job_id);
        if (r.status == 202) {
            res.set_header("Location", "/v1/admin/imports/" + job_id);
            runner->wake();
        }
        c->respond(res, r);
    });
    ctx.route("GET", "/v1/admin/imports/{id}", [c](const Request& req, Response& res) {
        const auto caller = c->admin(req, res);
        if (!caller) return;
        c->respond(res, admin_import_status(c->store, *caller, path_param(req, 1)));
    });
    ctx.route("GET", "/v1/admin/exports/members.csv", [c](const Request& req, Response& res) {
        const auto caller = c->admin(req, res);
        if (!caller) return;
        CsvExport csv;
        const ApiResult r = admin_export_members_csv(c->store, *caller, &csv);
        send_csv(*c, res, r, std::move(csv), "members.csv");
    });
    ctx.route("GET", "/v1/admin/exports/receipts.csv", [c](const Request& req, Response& res) {
        const auto caller = c->admin(req, res);
        if (!caller) return;
        const auto param = [&](const char* name) -> std::optional<std::string> {
            if (!req.has_param(name)) return std::nullopt;
            return req.get_param_value(name);
        };
        CsvExport csv;
        const ApiResult r =
            admin_export_receipts_csv(c->store, *caller, param("from"), param("to"), &csv);
        send_csv(*c, res, r, std::move(csv), "receipts.csv");
    });
}

}  // namespace kopilka::server
