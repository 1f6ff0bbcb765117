// Storage behind one interface, so the handlers never know which database they talk to.
// Implemented once in SQL (sql_store.cpp) over two adapters, SQLite (sqlite_store.cpp) and
// PostgreSQL (pg_store.cpp); open_store.hpp picks one.
// Every record carries merchant_id and every query filters by it.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/ledger/entry.hpp"
#include "core/ledger/ledger.hpp"
#include "core/reports/reports.hpp"

namespace kopilka::server {

struct MerchantRecord {
    std::string merchant_id;   // internal key, "demo"
    std::string code;          // upper case, printed in QR cards, "DEMO"
    std::string name;
    std::string currency;      // ISO 4217
    std::string card_secret;   // HMAC key for QR cards (must stay readable to verify MACs)
};

struct MemberRecord {
    std::string merchant_id;
    std::string member_id;
    std::string display_name;
    std::string card_number;   // EAN-13 printed on the member's card
    // Personal data (exported and erased on request; the ledger stays, anonymous).
    std::string phone;         // digits only, with country code, "79161234567"; "" if none
    std::string email;
    std::string birthday;      // "YYYY-MM-DD" or ""
    std::int64_t consent_at_ms = 0;  // when the member agreed to the program's terms
    std::int64_t created_at_ms = 0;  // filled when read
    std::int64_t erased_at_ms = 0;   // 0: not erased
    std::int64_t version = 1;        // filled when read: 1, 2, … as the console changes it
};

struct ProgramRecord {
    std::string merchant_id;
    std::string program_id;
    std::int64_t version = 0;
    std::string document;      // program JSON (shared/codec decodes it)
    // When the version takes effect. The program in force at a time T is the version with the
    // latest effective_from_ms <= T (of two with the same, the higher version).
    std::int64_t effective_from_ms = 0;
    std::int64_t created_at_ms = 0;        // filled when read
    std::string by_kind, by_id, by_label;  // filled when read: who published it ("" unknown)
};

// A merchant's API key as stored: never the secret, only a salted hash (auth/credentials.hpp).
struct ApiKeyRecord {
    std::string merchant_id;
    std::string key_id;
    std::string role;            // "admin", "till"
    std::string salt_hex;
    std::string secret_hash_hex;
    std::int64_t revoked_at_ms = 0;  // 0: in force
};

// A client's write, kept so a replay of the same id gets the same answer.
struct StoredOperation {
    std::string op_id;      // the client's 128-bit id, 32 hex digits
    std::string kind;       // "receipt", "return", …
    std::string member_id;
    std::string request;    // the request as canonical JSON
    int status = 200;
    std::string response;   // the answer as JSON
    std::int64_t at_ms = 0;
};

// What a member's write will read, named before its transaction starts: PostgreSQL reads them
// with the member's lock, in one round trip; SQLite reads each when it is asked.
struct MemberReads {
    std::string operation;         // operation(op_id), "" for none
    bool checkpoint = false;       // checkpoint() and counters()
    std::int64_t tier_since = -1;  // with the tier window's sum from then (expect_tier_window)
    std::string receipt;           // receipt(receipt_id), "" for none
    bool referral = false;         // referral()
};

// What the ledger doesn't hold about a member and quotes need.
struct MemberCounters {
    std::int64_t spend_total = 0;        // minor units paid, all time (discount ladders)
    std::int64_t last_purchase_ms = 0;
    std::string tier_held;               // tier id
    std::int64_t window_start_ms = 0;    // the tier qualification window
    std::string stamps = "{}";           // card id → stamps, as JSON
    std::string spins = "{}";            // wheel id → the member's spin counters, as JSON
};

// A merchant's versioned JSON document of one kind: "theme", "wheel", "kiosk" (settings), …
struct DocumentRecord {
    std::string merchant_id;
    std::string kind;
    std::string doc_id;
    std::int64_t version = 0;        // 1, 2, …; put_document assigns it
    std::string document;            // JSON
    std::int64_t updated_at_ms = 0;
    // Who saved this version (document_versions fills them): the audit line's actor; "" when
    // unknown (demo data, versions saved before the audit log).
    std::string by_kind, by_id, by_label;
};

// A pairing code the console showed, stored as its hash (auth/credentials.hpp).
struct PairingRecord {
    std::string merchant_id;
    std::string code_hash_hex;       // unique across merchants: the lookup key
    std::string device_name;         // what the console called the kiosk-to-be
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    std::int64_t used_at_ms = 0;     // 0: not used yet
    std::string device_id;           // the device it paired, once used
};

// A paired kiosk: its token is stored as a salted hash.
struct DeviceRecord {
    std::string merchant_id;
    std::string device_id;           // unique across merchants: the lookup key
    std::string name;
    std::string salt_hex;
    std::string secret_hash_hex;
    std::int64_t paired_at_ms = 0;
    std::int64_t revoked_at_ms = 0;  // 0: in force
    // Filled when read (device_state, row_versions; update_device writes settings).
    std::int64_t last_seen_ms = 0;   // its last request, to the minute (0: none since pairing)
    std::string app_version;         // what its last request's Kopilka-App-Version said
    std::string settings = "{}";     // the console's settings for this kiosk, JSON
    std::int64_t version = 1;        // 1, 2, … as the console changes name or settings
};

// A coupon for a reward (redeemed at a kiosk, or won on the wheel): points are reserved in
// the ledger when it is issued, committed when the till redeems it, released if it expires.
struct CouponRecord {
    std::string code;                // "KC-…" (core/cards/coupon_code.hpp), unique per merchant
    std::string member_id;
    std::string reward_id;
    std::string source;              // "reward" or "spin"
    std::string reservation_id;      // the ledger reservation's entry id (hex), "" for a spin prize
    std::int64_t points = 0;         // reserved
    std::string op_id;               // the operation that issued it
    std::int64_t issued_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    std::int64_t redeemed_at_ms = 0; // 0: not yet
    std::string redeemed_op;         // the till's operation id
    std::string receipt_id;          // the till's receipt, if it said
};

// One decided spin, for replays of its seed and the prize-cost report.
struct SpinRecord {
    std::string op_id;
    std::string member_id;
    std::string wheel_id;
    std::string prize_id;            // "" when nothing was left to win
    std::string seed;                // decimal
    std::int64_t cost = 0;           // minor units the prize costs the merchant
    std::int64_t at_ms = 0;
};

// Rows the reports are computed from (small merchants; a warehouse would take over later).
struct ReportRows {
    struct Receipt { std::string member_id; std::int64_t at_ms = 0, paid = 0; };
    struct Entry { std::string member_id, reason; std::int64_t at_ms = 0, member_delta = 0; };
    struct Member { std::string member_id; std::int64_t created_at_ms = 0; };
    struct Spin { std::string prize_id; std::int64_t at_ms = 0, cost = 0; };
    std::vector<Receipt> receipts;   // every receipt, by time
    std::vector<Entry> entries;      // every ledger entry's effect on its member, by time
    std::vector<Member> members;
    std::vector<Spin> spins;
};

// What a report asks the store for, read in one snapshot (core/reports/reports.hpp builds
// the report from the answer). Periods are [from, to) in ms.
struct ReportAsk {
    using Range = std::pair<std::int64_t, std::int64_t>;
    std::vector<std::int64_t> cuts;    // the spans' cuts (reports::report_cuts, series_cuts)
    // Active members in it and in the equal period just before, and the churned (members
    // active before, not in it).
    std::optional<Range> active;
    std::vector<Range> active_counts;  // the same three counts for each (series' buckets)
    std::optional<Range> tier_window;  // each member's qualifying amount in it
    bool tier_spend = false;           // paid receipts (true) or earn + clawback points
    std::vector<std::int64_t> tier_thresholds;  // counted: the members reaching each
    std::optional<Range> cohorts;      // the members enrolled in it by month, active by month
    Range spins{0, 0};                 // the spins in it
};

// The sums of one UTC day (days since 1970), as reports::Totals holds them.
struct ReportDay {
    std::int64_t day = 0;
    std::int64_t receipts = 0, receipts_with_card = 0, paid_member = 0, paid_other = 0;
    std::int64_t issued = 0, redeemed = 0, expired = 0, adjusted = 0, balance_delta = 0;
    std::int64_t enrolled = 0, spins = 0, spin_cost = 0;
};

struct ReportInputs {
    // Every day before the last cut with something in it and no cut inside (a cut at a
    // midnight is not inside a day), from the report_days roll-up.
    std::vector<ReportDay> days;
    ReportRows near_cuts;  // every row of the other days before the last cut
    std::vector<reports::MemberCounts> active_counts;  // by ReportAsk::active_counts
    // Active, churn, tier levels reached (members enrolled before the window's end) and
    // cohorts, counted as reports::member_counts counts them over rows.
    reports::MemberCounts members;
    std::vector<ReportRows::Spin> spins;
};

struct ReceiptRecord {
    std::string receipt_id;
    std::string member_id;
    std::string op_id;
    std::int64_t at_ms = 0;
    std::int64_t paid = 0;
    std::int64_t tier_qualifying = 0;    // net of returns
    std::string receipt;                 // JSON as posted
    std::string quote;                   // JSON of the quote
    std::string returned = "[]";         // units returned so far per line, JSON array
};

// A website widget's session (api/widget.hpp): the token itself is never stored, only its
// SHA-256.
struct WidgetSessionRecord {
    std::string token_hash_hex;
    std::string merchant_id;
    std::string member_id;
    std::int64_t expires_at_ms = 0;  // the member token's exp
};

// A member who joined by another member's referral code (POST /v1/admin/members
// "referred_by"): once per member. The invitee's first receipt that reaches the program's
// referral.first_receipt_min qualifies it (api/referral.hpp).
struct ReferralRecord {
    std::string merchant_id;
    std::string member_id;   // the invitee
    std::string inviter_id;
    std::int64_t created_at_ms = 0;
    std::int64_t qualified_at_ms = 0;  // 0: no qualifying receipt yet
    std::string qualified_op;          // the receipt's operation id that qualified it
};

// [SECTION] Console staff, sessions, sign-in throttling, the audit log

// A person who signs in to the console: role owner, manager, support or viewer.
struct StaffUserRecord {
    std::string merchant_id;
    std::string user_id;
    std::string email;               // lower case; unique per merchant
    std::string name;
    std::string role;
    std::string password_hash;       // argon2id (auth/password.hpp)
    bool disabled = false;
    std::int64_t created_at_ms = 0;
    std::int64_t last_login_ms = 0;  // 0: never
    std::int64_t version = 0;        // 1, 2, …; the store assigns it
};

// A signed-in console: its token is stored as a salted hash (auth/credentials.hpp).
struct StaffSessionRecord {
    std::string session_id;          // unique across merchants: the lookup key
    std::string merchant_id;
    std::string user_id;
    std::string salt_hex;
    std::string secret_hash_hex;
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0;  // absolute
    std::int64_t last_seen_ms = 0;   // the idle expiry counts from here
    std::int64_t revoked_at_ms = 0;  // 0: in force
};

// One line of a merchant's audit log: who changed what, from where, before → after. Lines
// are only ever appended, in the transaction of the change they record.
struct AuditRecord {
    std::int64_t id = 0;             // the store assigns it; increasing
    std::string merchant_id;
    std::int64_t at_ms = 0;
    std::string actor_kind;          // "user" or "key"
    std::string actor_id;            // the user's or the API key's id
    std::string actor_label;         // the user's email, "API key <id>"
    std::string address;             // the client's address
    std::string action;              // "theme.save", "member.adjust", …
    std::string target;              // what changed: a theme id, a member id, …
    std::string before;              // JSON, "" for none
    std::string after;               // JSON, "" for none
};

// A page of a merchant's audit log, newest first; empty strings and zeros filter nothing.
struct AuditQuery {
    std::string actor_id, action, target;
    std::int64_t from_ms = 0, to_ms = 0;  // at_ms in [from_ms, to_ms)
    std::int64_t before_id = 0;           // lines older than this one
    std::size_t limit = 50;
};

// What an admin write carries besides its data: the version the writer last read, checked in
// the write's transaction (If-Match), and the audit line appended in that transaction.
struct Change {
    std::optional<std::int64_t> if_version;  // nullopt: no check; 0: must not exist yet
    std::optional<AuditRecord> audit;        // nullopt: nothing is logged (demo data, tests)
};

// A write refused because the thing changed since the writer read it (Change::if_version).
// The transaction is rolled back.
class VersionConflict : public std::runtime_error {
public:
    explicit VersionConflict(std::int64_t current)
        : std::runtime_error("version conflict"), current(current) {}
    std::int64_t current;  // the version stored now, 0 when there is none
};

// A write the database refused because another row already holds one of its unique keys (a
// member's id, card or phone; a receipt id; an operation id). The transaction is rolled back.
// On PostgreSQL a writer of a key another open transaction has just written waits for that
// transaction to end, then gets this (never retried: the other writer won).
class UniqueViolation : public std::runtime_error {
public:
    UniqueViolation(const std::string& what, std::string field)
        : std::runtime_error(what), field(std::move(field)) {}
    std::string field;  // the key as the API names it: "id", "card", "phone", "receipt.id",
                        // "operation_id"; "" for a key no request names
};

// [SECTION] Import jobs (api/admin_import.hpp)

// A CSV import running in the background: its file and its progress, stored so that a page
// reload, another server or a restart sees it, and a restart resumes it.
struct ImportJobRecord {
    std::string merchant_id;
    std::string job_id;
    std::string kind = "members";
    std::string status = "running";  // "running", "done" or "failed"
    std::string body;                // the CSV as uploaded (claim_import_job reads it)
    std::int64_t rows_total = 0;     // data rows in the file
    std::int64_t rows_done = 0;      // rows decided so far, bad ones included, in file order
    std::int64_t rows_bad = 0;
    std::int64_t created = 0;        // members the import created
    std::int64_t matched = 0;        // rows naming a member who existed already
    std::string errors = "[]";       // JSON array of the bad rows (the first ones)
    std::string failure;             // why the job failed, "" otherwise
    std::int64_t created_at_ms = 0;
    std::int64_t updated_at_ms = 0;
};

// One good row of a members import: the member to create unless the key names one already.
struct ImportMember {
    enum class Key { id, card, phone } key = Key::id;  // what identifies the member in the file
    MemberRecord member;             // member_id and card_number decided by the caller
    std::vector<ledger::Entry> opening;  // a new member's first entries (its opening balance)
};

// A page of a member's history (MemberTx::history_page): stored entries that changed the
// balance, newest first, each with its position in the member's ledger (seq).
struct HistoryPage {
    std::vector<std::pair<std::int64_t, ledger::Entry>> entries;  // (seq, entry)
    std::int64_t total = 0;  // the member's entries that changed the balance (a limit 0 page
                             // reads only this)
    std::int64_t newer = 0;  // of them, those newer than this page (seq >= before_seq)
};

// The snapshot stored beside a member's checkpoint (MemberTx::save_checkpoint) and the window it
// holds in, from_ms until before until_ms; points is empty when the stored text does not decode.
struct StoredPoints {
    std::optional<ledger::Snapshot> points;
    std::int64_t from_ms = 0;
    std::int64_t until_ms = 0;
};

// The running sum of what a member's receipts count for her tier, kept beside her counters from
// from_ms on, and what those receipts sum to (recomputed): for `kopilka audit`.
struct StoredTierSum {
    std::int64_t from_ms = 0;
    std::int64_t sum = 0;
    std::int64_t recomputed = 0;
};

// One member's data inside one transaction that holds the member's write lock: two writes
// for the same member never interleave, on SQLite or PostgreSQL.
class MemberTx {
public:
    virtual ~MemberTx() = default;
    virtual std::optional<StoredOperation> operation(const std::string& op_id) = 0;  // any member's
    virtual std::vector<ledger::Entry> entries() = 0;                                 // in order
    // The member's ledger checkpoint as last saved; nullopt when there is none (a member from
    // before checkpoints, or whose entries an import wrote) or it can't be read: the entries
    // are the truth, the caller restores from them and the next write saves a new one.
    virtual std::optional<ledger::Checkpoint> checkpoint() = 0;
    // What the member's ledger shows at now_ms (its snapshot with default options), when the one
    // stored with the checkpoint still holds then (nothing fell due since, no entry after the
    // checkpoint): a read that needs no more than that skips the batches. nullopt otherwise,
    // and the caller loads the ledger (checkpoint() then reuses what this read). Asked first.
    virtual std::optional<ledger::Snapshot> points_at(std::int64_t now_ms) {
        (void)now_ms;
        return std::nullopt;
    }
    // The stored snapshot whatever the time, for `kopilka audit`; nullopt when the checkpoint
    // has none (stored before there were any).
    virtual std::optional<StoredPoints> stored_points() { return std::nullopt; }
    // The running tier sum kept beside the counters, for `kopilka audit`; nullopt when the
    // member has none (yet, or the store keeps none).
    virtual std::optional<StoredTierSum> stored_tier_sum() { return std::nullopt; }
    // The stored entries from position `from` on (those a checkpoint does not cover), in order.
    virtual std::vector<ledger::Entry> entries_from(std::size_t from) = 0;
    // The stored entries dated since_ms or later, in order: an index range, not the history.
    virtual std::vector<ledger::Entry> entries_since(std::int64_t since_ms) = 0;
    virtual MemberCounters counters() = 0;
    virtual std::optional<ReceiptRecord> receipt(const std::string& receipt_id) = 0;
    // What the member's receipts dated since_ms or later count for her tier, the receipts this
    // transaction inserted or changed included.
    virtual std::int64_t tier_qualifying_since(std::int64_t since_ms) = 0;
    // Says tier_qualifying_since(since_ms) will be asked, so a store may read it with the
    // checkpoint (in the same statement); the answer is the same either way.
    virtual void expect_tier_window(std::int64_t since_ms) { (void)since_ms; }
    // The stored entries that changed the balance with seq < before_seq (before_seq < 0: from
    // the newest), newest first, at most `limit`: a keyset page, so entries appended meanwhile
    // never shift an older page.
    virtual HistoryPage history_page(std::int64_t before_seq, std::size_t limit) = 0;
    // The seq of the member's entry with this id (hex), nullopt when the member has none.
    virtual std::optional<std::int64_t> entry_seq(const std::string& entry_id) = 0;
    // Each stored entry's number among those that changed the balance (what history pages
    // count by), in order: for `kopilka audit`, which counts them again.
    virtual std::vector<std::int64_t> history_numbers() = 0;

    virtual void append_entries(const std::vector<ledger::Entry>& entries) = 0;
    // Stores the checkpoint of the ledger whose entries this transaction appended (or read),
    // and its snapshot for points_at() until its next change (Ledger::next_change_ms).
    virtual void save_checkpoint(const ledger::Ledger& l) = 0;
    virtual void save_counters(const MemberCounters& c) = 0;
    // Claims r.receipt_id for this member: false, with nothing written, when the merchant has
    // a receipt with this id already, whoever posted it. Decided by the receipts' key, not
    // by the member's lock: a till receipt earns for one member, once (on PostgreSQL a
    // claim waits for a concurrent claim of the same id to commit or roll back).
    virtual bool insert_receipt(const ReceiptRecord& r) = 0;
    // Stores r, whose id receipt() found free in this transaction, with the transaction's other
    // writes (PostgreSQL: in the commit's round trip, so that the report rows its triggers add
    // to stay locked as briefly as they can). When another transaction has stored the id since,
    // the write throws UniqueViolation ("receipt.id"), here or at the commit, and member_write
    // decides again (and finds that receipt).
    virtual void add_receipt(const ReceiptRecord& r) = 0;
    // Writes back what a return changes (returned, tier_qualifying) on this member's receipt.
    virtual void save_receipt(const ReceiptRecord& r) = 0;
    virtual void save_operation(const StoredOperation& op) = 0;

    // A row of state shared by all the merchant's members (a wheel's stock and budgets),
    // locked for the rest of this transaction: take it after the member's lock, never
    // before, so two writers can't deadlock. "" when there is none yet.
    virtual std::string shared_state(const std::string& kind, const std::string& id) = 0;
    virtual void save_shared_state(const std::string& kind, const std::string& id,
                                   const std::string& state) = 0;

    virtual std::optional<CouponRecord> coupon(const std::string& code) = 0;  // this merchant's
    // Inserts the coupon, or updates this member's coupon of that code (its redemption).
    virtual void save_coupon(const CouponRecord& c) = 0;
    virtual void save_spin(const SpinRecord& s) = 0;
    // This member's referral as the invitee, and its qualification; how many of an inviter's
    // referrals qualified since since_ms (any invitee's).
    virtual std::optional<ReferralRecord> referral() = 0;
    virtual void save_referral(const ReferralRecord& r) = 0;
    virtual std::int64_t referrals_qualified_since(const std::string& inviter_id,
                                                   std::int64_t since_ms) = 0;
    // Appends a line to the merchant's audit log in this transaction.
    virtual void append_audit(const AuditRecord& a) = 0;
};

// What a lookup's read of a member by card read ahead for that member's read_member()
// (Store::member_by_card_ahead); only the store that made it reads what it holds.
struct MemberReadAhead {
    virtual ~MemberReadAhead() = default;
};

// How the members' ledger checkpoints that requests needed were found: hits copied from the
// process's decoded ones (storage/checkpoint_cache.hpp), misses decoded from the database.
struct CheckpointStats {
    std::uint64_t hits = 0, misses = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual CheckpointStats checkpoint_stats() const { return {}; }

    virtual std::optional<MerchantRecord> merchant_by_code(const std::string& code) = 0;
    virtual std::optional<MerchantRecord> merchant_by_id(const std::string& merchant_id) = 0;
    virtual std::optional<MemberRecord> member_by_card(const std::string& merchant_id,
                                                       const std::string& number) = 0;
    // A lookup's member by card: member_by_card(), and a store that can (PostgreSQL reading
    // lookups in groups) reads in the same statement what read_member(..., true) of that member
    // reads first, with the tier window from tier_since (-1: none, as without
    // MemberTx::expect_tier_window) and for MemberTx::points_at(points_at) (-1: not asked), into
    // *ahead, which that read_member() then takes instead of a statement of its own. The default
    // reads the member alone (*ahead stays empty).
    virtual std::optional<MemberRecord> member_by_card_ahead(
        const std::string& merchant_id, const std::string& number, std::int64_t tier_since,
        std::int64_t points_at, std::unique_ptr<MemberReadAhead>* ahead) {
        (void)tier_since, (void)points_at;
        ahead->reset();
        return member_by_card(merchant_id, number);
    }
    // member_by_card_ahead() for a caller that doesn't wait: then gets its answers (or what it
    // threw, in error) once, on this thread or another, perhaps after this returns (PostgreSQL
    // queues the read for its group's runner, which calls then). then must not throw. The
    // default reads at once, on this thread.
    using CardThen =
        std::function<void(std::optional<MemberRecord> member,
                           std::unique_ptr<MemberReadAhead> ahead, std::exception_ptr error)>;
    // Whether member_by_card_later queues its read for another thread (true) rather than
    // reading at once on the caller's (false, the default).
    virtual bool reads_later() const { return false; }
    virtual void member_by_card_later(const std::string& merchant_id, const std::string& number,
                                      std::int64_t tier_since, std::int64_t points_at,
                                      CardThen then) {
        std::unique_ptr<MemberReadAhead> ahead;
        std::optional<MemberRecord> member;
        std::exception_ptr error;
        try {
            member = member_by_card_ahead(merchant_id, number, tier_since, points_at, &ahead);
        } catch (...) {
            error = std::current_exception();
        }
        then(std::move(member), std::move(ahead), error);
    }
    virtual std::optional<MemberRecord> member_by_id(const std::string& merchant_id,
                                                     const std::string& member_id) = 0;
    // The version in force at at_ms (ProgramRecord::effective_from_ms). Before the first version
    // takes effect, the first one (a receipt dated before the merchant's first program, a first
    // program published for later); null when the merchant has none. Shared with the store's
    // cache where it keeps one: a lookup doesn't copy the program's text.
    virtual std::shared_ptr<const ProgramRecord> current_program(const std::string& merchant_id,
                                                                 std::int64_t at_ms) = 0;
    // The member a posted receipt belongs to (to lock that member before a return).
    virtual std::optional<std::string> receipt_member(const std::string& merchant_id,
                                                      const std::string& receipt_id) = 0;

    // Runs fn in one transaction holding the member's write lock. fn returns true to commit,
    // false to roll back; an exception rolls back and propagates. member_id "" is a write for
    // no member (a receipt without a card): on PostgreSQL it takes no lock, so such writes run
    // side by side and the database's unique keys (receipt id, operation id) decide between
    // them; on SQLite the writes run one after another on one connection anyway, those that
    // arrive together committed as one transaction (each in a savepoint of its own: one
    // rolled back or thrown leaves the others; each returns once the group is on disk).
    // reads: what fn will read first (MemberReads).
    virtual bool with_member(const std::string& merchant_id, const std::string& member_id,
                             const MemberReads& reads,
                             const std::function<bool(MemberTx&)>& fn) = 0;
    bool with_member(const std::string& merchant_id, const std::string& member_id,
                     const std::function<bool(MemberTx&)>& fn) {
        return with_member(merchant_id, member_id, MemberReads{}, fn);
    }
    // Runs fn on one consistent snapshot of the member's rows, without the member's write lock
    // and writing nothing. Lookups and exports wait for no one: on SQLite they read through
    // connections of their own beside the writer's (WAL). one_statement_first: fn is first run as
    // one statement outside a transaction (its own snapshot, one round trip less each way) and, if
    // it needs a second, run again from the start in a snapshot, so fn must start its results
    // afresh on each run. ahead: what member_by_card_ahead() read for this member, taken (once)
    // instead of the first statement when it was read for the tier window fn asks for.
    virtual void read_member(const std::string& merchant_id, const std::string& member_id,
                             const std::function<void(MemberTx&)>& fn,
                             bool one_statement_first = false,
                             MemberReadAhead* ahead = nullptr) = 0;

    // Writes happen in one transaction each. put_member throws UniqueViolation ("id", "card",
    // "phone") when another member holds one of them.
    virtual void put_merchant(const MerchantRecord& m, std::int64_t now_ms) = 0;
    // put_program stores p as the merchant's next program version and returns its number
    // (p.version is ignored), taking effect at p.effective_from_ms (0: now_ms); the audit
    // line's actor is kept as the version's author. VersionConflict when change.if_version is
    // not the latest version (0: none yet), whether or not that one is in force yet.
    virtual std::int64_t put_program(const ProgramRecord& p, std::int64_t now_ms,
                                     const Change& change) = 0;
    // Program versions newest first, below before_version (0: from the latest), at most limit,
    // with their authors.
    virtual std::vector<ProgramRecord> program_versions(const std::string& merchant_id,
                                                        std::int64_t before_version,
                                                        std::size_t limit) = 0;
    // The merchant's receipts with from_ms <= at_ms < to_ms in (at_ms, receipt_id) order, the
    // first limit after the key (after_at_ms, after_id): a caller pages through any number of
    // them holding one page at a time.
    virtual std::vector<ReceiptRecord> receipts_page(const std::string& merchant_id,
                                                     std::int64_t from_ms, std::int64_t to_ms,
                                                     std::int64_t after_at_ms,
                                                     const std::string& after_id,
                                                     std::size_t limit) = 0;
    virtual void put_member(const MemberRecord& m, std::int64_t now_ms, const Change& change) = 0;

    virtual void put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) = 0;
    virtual std::optional<ApiKeyRecord> api_key(const std::string& key_id) = 0;  // any merchant's

    virtual std::vector<std::string> merchant_ids() = 0;
    virtual std::vector<MemberRecord> members(const std::string& merchant_id) = 0;  // by member id

    virtual bool empty() = 0;  // no merchant yet

    // [SECTION] Members' personal data
    virtual std::optional<MemberRecord> member_by_phone(const std::string& merchant_id,
                                                        const std::string& phone) = 0;
    // Members whose id, name, card, phone or email contains query (case-insensitive for
    // ASCII), by member id, after after_member_id, at most limit.
    virtual std::vector<MemberRecord> search_members(const std::string& merchant_id,
                                                     const std::string& query,
                                                     const std::string& after_member_id,
                                                     std::size_t limit) = 0;
    // Replaces name, phone, email, birthday and consent as the member's next version, and the
    // card when m.card_number differs (the old card stops identifying the member: a lost card
    // is replaced); false if there is no such member; UniqueViolation ("phone", "card") when
    // another member has the phone or card; VersionConflict on a stale change.if_version.
    virtual bool update_member(const MemberRecord& m, const Change& change,
                               std::int64_t now_ms) = 0;
    // Blanks the personal fields, removes the cards and marks the member erased; the ledger,
    // receipts and operations stay (anonymous). False if there is no such member.
    virtual bool erase_member(const std::string& merchant_id, const std::string& member_id,
                              std::int64_t now_ms, const Change& change) = 0;

    // [SECTION] Documents (themes, wheels, kiosk settings)
    // Stores the next version of (kind, doc_id) and returns its number; VersionConflict when
    // change.if_version is not the latest version (0: the document must not exist yet).
    virtual std::int64_t put_document(const DocumentRecord& d, std::int64_t now_ms,
                                      const Change& change) = 0;
    virtual std::optional<DocumentRecord> document(
        const std::string& merchant_id, const std::string& kind,
        const std::string& doc_id) = 0;  // the latest version
    virtual std::vector<DocumentRecord> documents(
        const std::string& merchant_id, const std::string& kind) = 0;  // latest of each, by id
    // Every stored version of (kind, doc_id), newest first, with who saved it; only version
    // `version` when it is not 0.
    virtual std::vector<DocumentRecord> document_versions(const std::string& merchant_id,
                                                          const std::string& kind,
                                                          const std::string& doc_id,
                                                          std::int64_t version) = 0;
    virtual bool delete_document(const std::string& merchant_id, const std::string& kind,
                                 const std::string& doc_id, const Change& change) = 0;

    // [SECTION] Kiosk pairing and devices
    virtual void put_pairing(const PairingRecord& p, const Change& change) = 0;
    virtual std::optional<PairingRecord> pairing(
        const std::string& code_hash_hex) = 0;  // any merchant's
    // In one transaction: marks the pairing used (if it is still unused and unexpired at
    // now_ms) and stores the device. False, with nothing written, otherwise.
    virtual bool complete_pairing(const std::string& code_hash_hex, const DeviceRecord& d,
                                  std::int64_t now_ms) = 0;
    virtual std::optional<DeviceRecord> device(const std::string& device_id) = 0;  // any merchant's
    virtual std::vector<DeviceRecord> devices(const std::string& merchant_id) = 0;
    virtual bool revoke_device(const std::string& merchant_id, const std::string& device_id,
                               std::int64_t now_ms, const Change& change) = 0;
    // Writes d's name and settings as the device's next version; false when there is no such
    // device of d.merchant_id; VersionConflict on a stale change.if_version.
    virtual bool update_device(const DeviceRecord& d, const Change& change) = 0;
    // Records a request of the device (its time and app version) without a version change.
    virtual void device_seen(const std::string& merchant_id, const std::string& device_id,
                             std::int64_t now_ms, const std::string& app_version) = 0;

    // A shared state row as last committed ("" when none), without locking it: for showing
    // (a wheel's stock in the console and the kiosk's odds), never for deciding.
    virtual std::string shared_state(const std::string& merchant_id, const std::string& kind,
                                     const std::string& id) = 0;

    // [SECTION] Coupons, operations, reports
    virtual std::optional<std::string> coupon_member(const std::string& merchant_id,
                                                     const std::string& code) = 0;
    virtual std::optional<StoredOperation> operation(const std::string& merchant_id,
                                                     const std::string& op_id) = 0;
    virtual ReportRows report_rows(const std::string& merchant_id) = 0;
    // What a report needs, in one snapshot: roll-ups for the sums, and the rows of the
    // period only for the figures that count distinct members.
    virtual ReportInputs report_inputs(const std::string& merchant_id, const ReportAsk& ask) = 0;
    // The member's receipts, coupons and operations' requests (for a personal-data export).
    virtual std::vector<ReceiptRecord> member_receipts(const std::string& merchant_id,
                                                       const std::string& member_id) = 0;
    virtual std::vector<CouponRecord> member_coupons(const std::string& merchant_id,
                                                     const std::string& member_id) = 0;

    // [SECTION] Website widget
    // In one transaction: remembers (s.merchant_id, nonce) until s.expires_at_ms and stores the
    // session. False, with nothing written, when the nonce is remembered already (a replayed
    // member token): the key (merchant_id, nonce) decides, also between two servers on one
    // database. Nonces and sessions that expired by now_ms are deleted on the way.
    virtual bool open_widget_session(const std::string& nonce, const WidgetSessionRecord& s,
                                     std::int64_t now_ms) = 0;
    virtual std::optional<WidgetSessionRecord> widget_session(
        const std::string& token_hash_hex) = 0;  // any merchant's, expired or not
    // The member's referral code: the stored one, else `candidate` stored for the member. ""
    // when the merchant's other member holds candidate (try another). The keys (merchant,
    // member) and (merchant, code) decide between racing first requests: both get one code.
    virtual std::string referral_code(const std::string& merchant_id,
                                      const std::string& member_id, const std::string& candidate,
                                      std::int64_t now_ms) = 0;
    // The member whose referral code this is.
    virtual std::optional<std::string> referral_code_member(const std::string& merchant_id,
                                                            const std::string& code) = 0;
    // Stores r unless the member was referred before (false then): the key (merchant, member).
    virtual bool put_referral(const ReferralRecord& r) = 0;

    // [SECTION] Console staff and sessions
    virtual std::vector<StaffUserRecord> staff_users(const std::string& merchant_id) = 0;
    virtual std::optional<StaffUserRecord> staff_user(const std::string& merchant_id,
                                                      const std::string& user_id) = 0;
    virtual std::optional<StaffUserRecord> staff_user_by_email(const std::string& merchant_id,
                                                               const std::string& email) = 0;
    // Inserts u at version 1 (u.version is ignored); UniqueViolation ("email", or "" for the
    // id) when the merchant has it already.
    virtual void insert_staff_user(const StaffUserRecord& u, const Change& change) = 0;
    // Writes u's name, role, disabled and password hash as the next version, and revokes the
    // user's sessions when revoke_sessions. False, with nothing written, when there is no such
    // user or when the change would leave the merchant without an enabled owner (*last_owner
    // is then true); VersionConflict on a stale if_version. The merchant's owners are locked
    // for the transaction, so two demotions can't each leave the other as the last owner.
    virtual bool update_staff_user(const StaffUserRecord& u, bool revoke_sessions,
                                   std::int64_t now_ms, const Change& change,
                                   bool* last_owner) = 0;
    // Stores the session and the user's last_login_ms, and forgets the account's sign-in
    // failures, in one transaction.
    virtual void open_staff_session(const StaffSessionRecord& s, const std::string& account_key,
                                    const Change& change) = 0;
    virtual std::optional<StaffSessionRecord> staff_session(
        const std::string& session_id) = 0;  // any merchant's, expired or revoked too
    virtual void touch_staff_session(const std::string& session_id, std::int64_t now_ms) = 0;
    // Revokes the user's sessions in force (only session_id's when it is not ""); how many.
    virtual std::int64_t revoke_staff_sessions(const std::string& merchant_id,
                                               const std::string& user_id,
                                               const std::string& session_id,
                                               std::int64_t now_ms, const Change& change) = 0;
    // Sign-in failures, kept in the database so that every server counts them: each key's
    // failures at or after since_ms, oldest first (keys: one per account, one per address).
    virtual std::vector<std::int64_t> sign_in_failures(const std::string& key,
                                                       std::int64_t since_ms) = 0;
    // Records a failure under each key, and drops the keys' failures older than forget_ms.
    virtual void record_sign_in_failure(const std::vector<std::string>& keys,
                                        std::int64_t now_ms, std::int64_t forget_ms) = 0;

    // [SECTION] Import jobs
    // Stores a new job (change.audit in its transaction).
    virtual void put_import_job(const ImportJobRecord& j, const Change& change) = 0;
    // The job without its body.
    virtual std::optional<ImportJobRecord> import_job(const std::string& merchant_id,
                                                      const std::string& job_id) = 0;
    // Any merchant's running job whose lease ran out by now_ms (a new job's has), with its
    // body, leased to runner until now_ms + lease_ms: one runner at a time works on a job,
    // also across servers; a runner that died leaves it to the next one after the lease.
    // job_id "": any job; else only that one (of merchant_id).
    virtual std::optional<ImportJobRecord> claim_import_job(const std::string& runner,
                                                            std::int64_t now_ms,
                                                            std::int64_t lease_ms,
                                                            const std::string& merchant_id,
                                                            const std::string& job_id) = 0;
    // In one transaction: creates each member whose key (its id, card or phone) names no
    // member of the merchant yet, with its opening entries, and writes j's progress (rows,
    // counts, errors, status, failure) with the lease renewed. False, with nothing written,
    // when runner no longer holds the job's lease. *created and *matched count the members.
    // UniqueViolation when a new member's card or phone is another member's.
    virtual bool import_members(const ImportJobRecord& j, const std::vector<ImportMember>& rows,
                                const std::string& runner, std::int64_t now_ms,
                                std::int64_t lease_ms, std::int64_t* created,
                                std::int64_t* matched) = 0;

    // [SECTION] The audit log (append-only: the databases refuse UPDATE and DELETE on it)
    virtual void append_audit(const AuditRecord& a) = 0;  // in a transaction of its own
    virtual std::vector<AuditRecord> audit_log(const std::string& merchant_id,
                                               const AuditQuery& q) = 0;
};

// Opens an SQLite database file (creating it when allowed) and brings its schema up to date.
// Throws std::runtime_error with a clear message when the file can't be used.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing = true);

}  // namespace kopilka::server
