// The one SQL store: every Store method, the member transactions and the migrations are
// written once here, in SQL both databases read (parameters $1, $2, …, which SQLite takes as
// named parameters; upserts with ON CONFLICT; CAST(… AS BIGINT)). What differs between the
// databases is a small SqlDialect (row locks or not, the integer type of the first
// migrations, a lock for migrating) and the adapter each database implements: its
// connection(s), how a transaction of each TxMode begins and ends, and recognising a unique
// violation (reported as UniqueViolation through unique_field). sqlite_store.cpp and
// pg_store.cpp hold nothing else.
// Missing: a per-member ledger checkpoint; a member write restores the member's ledger from
// all of its entries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/checkpoint_cache.hpp"
#include "storage/config_cache.hpp"
#include "storage/read_groups.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

struct SqlValue {
    std::string text;
    bool integer = false;
    SqlValue(std::string s) : text(std::move(s)) {}  // NOLINT: implicit on purpose
    SqlValue(const char* s) : text(s) {}                                 // NOLINT
    SqlValue(std::int64_t v) : text(std::to_string(v)), integer(true) {}  // NOLINT
    SqlValue(int v) : SqlValue(static_cast<std::int64_t>(v)) {}          // NOLINT
};
using SqlRow = std::vector<std::string>;  // every column as text; NULL reads as ""

// What the SQL of the two databases differs in.
struct SqlDialect {
    // Whether a writer locks the rows it decides on (PostgreSQL: the member's member_counters
    // row, a shared state row; " FOR UPDATE"). SQLite has no row locks: a write transaction
    // holds the database's one write lock from BEGIN IMMEDIATE on, which serialises writers.
    bool row_locks = false;
    // The type migrations 1-3 gave integer columns: "INTEGER" on SQLite, "bigint" on
    // PostgreSQL (both 64 bits). Later migrations write BIGINT on both.
    const char* integer = "INTEGER";
    // Run first in the migrating transaction so two servers starting at once don't both
    // migrate: PostgreSQL's transaction-scoped advisory lock; "" on SQLite, whose BEGIN
    // IMMEDIATE already excludes the other writer.
    const char* migration_lock = "";
    // Migration 7: the audit log's key, numbered by the database ("INTEGER PRIMARY KEY
    // AUTOINCREMENT" on SQLite, "BIGSERIAL PRIMARY KEY" on PostgreSQL: {serial} in the SQL),
    // and the triggers that refuse UPDATE and DELETE on it (each database has its own syntax).
    const char* serial = "INTEGER PRIMARY KEY AUTOINCREMENT";
    const char* audit_triggers = "";

    const char* for_update() const { return row_locks ? " FOR UPDATE" : ""; }
};

// One open transaction (or autocommit connection) of either database.
class Sql {
public:
    virtual ~Sql() = default;
    virtual std::vector<SqlRow> query(const std::string& sql,
                                      const std::vector<SqlValue>& params) = 0;
    virtual std::int64_t exec(const std::string& sql,
                              const std::vector<SqlValue>& params) = 0;  // rows changed
    virtual void script(const std::string& sql) = 0;  // several statements, no parameters
    virtual const SqlDialect& dialect() const = 0;
    // A write whose changed rows nobody counts: it may go to the database with the next
    // statement or the commit (PostgreSQL sends them together, one round trip), and its error
    // then surfaces there, still inside the transaction. SQLite runs it now.
    // params by value: a caller that moves them in (a checkpoint's long text) copies nothing.
    virtual void write(const std::string& sql, std::vector<SqlValue> params) { exec(sql, params); }
    // A read the transaction will query() with exactly this text and these parameters before
    // it writes: PostgreSQL sends it with the next statement and keeps the answer for that
    // query() (a write in between drops it: the query then reads again). SQLite reads when
    // asked.
    virtual void prefetch(const std::string& /*sql*/, const std::vector<SqlValue>& /*params*/) {}
};

std::int64_t to_i64(const std::string& text);

// Brings s's schema up to date, in the caller's transaction: an empty database gets the
// baseline (the schema as the migrations leave it, in one step) and is recorded as having
// every migration; an older one gets the migrations it lacks, one by one. Throws when the
// database is newer than this server knows.
void migrate(Sql& s, std::int64_t now_ms);

// The API field of a unique key, from how the database names it: the constraint or index
// name (PostgreSQL, "members_phone_unique") or its columns (SQLite, "members.merchant_id,
// members.phone"). "" for keys no request names.
std::string unique_field(const std::string& key);

// Appends change.audit (if any) to the audit log in s's transaction.
void log_change(Sql& s, const Change& change);

// A member's rows inside a transaction Store::with_member or read_member opened.
class SqlMemberTx final : public MemberTx {
  public:
    // one_statement: the transaction may run one statement only (it is then its own
    // snapshot); a second one throws NeedsSnapshot (SqlStore::read_member).
    SqlMemberTx(Sql& sql, std::string merchant_id, std::string member_id,
                bool one_statement = false)
        : sql_(&sql),
          merchant_(std::move(merchant_id)),
          member_(std::move(member_id)),
          one_statement_(one_statement) {}
    // What the first statement reads besides the checkpoint: the tier window's sum from
    // tier_since, and (points_at >= 0) the body only if the stored snapshot does not hold then.
    struct StateAsk {
        std::int64_t tier_since = -1;
        std::int64_t points_at = -1;
    };
    // Without a transaction: checkpoint()'s rows come from read(ask), as its one statement
    // would answer them (a group's share, SqlStore::read_member); any other statement throws
    // NeedsSnapshot.
    using CheckpointRead = std::function<std::vector<SqlRow>(const StateAsk&)>;
    SqlMemberTx(CheckpointRead read, std::string merchant_id, std::string member_id)
        : merchant_(std::move(merchant_id)),
          member_(std::move(member_id)),
          one_statement_(true),
          checkpoint_read_(std::move(read)) {}
    struct NeedsSnapshot {};  // not a std::exception: no handler of those swallows it

    // The process's decoded checkpoints (checkpoint_cache.hpp): checkpoint() copies the
    // member's from there when the row still has its revision, and keeps what it decodes; a
    // write (writes: true) takes the member's out instead, and keeps nothing it decodes: it
    // will write the next one, which take_saved() gives for the caller to keep once committed.
    void use_checkpoints(CheckpointCache* cache, bool writes = false) {
        checkpoints_ = cache;
        writes_ = writes;
    }
    std::optional<CheckpointCache::Entry> take_saved() { return std::exchange(saved_, {}); }

    // Asks the Sql to read what reads names with the next statement (Sql::prefetch), in the
    // same statements (text and parameters) operation(), state_rows(), receipt() and
    // referral() then run.
    void will_read(const MemberReads& reads);

    std::optional<StoredOperation> operation(const std::string& op_id) override;
    std::vector<ledger::Entry> entries() override;
    std::optional<ledger::Checkpoint> checkpoint() override;
    std::optional<ledger::Snapshot> points_at(std::int64_t now_ms) override;
    std::optional<StoredPoints> stored_points() override;
    std::optional<StoredTierSum> stored_tier_sum() override;
    std::vector<ledger::Entry> entries_from(std::size_t from) override;
    std::vector<ledger::Entry> entries_since(std::int64_t since_ms) override;
    MemberCounters counters() override;
    std::optional<ReceiptRecord> receipt(const std::string& receipt_id) override;
    std::int64_t tier_qualifying_since(std::int64_t since_ms) override;
    void expect_tier_window(std::int64_t since_ms) override { tier_since_ = since_ms; }
    HistoryPage history_page(std::int64_t before_seq, std::size_t limit) override;
    std::optional<std::int64_t> entry_seq(const std::string& entry_id) override;
    std::vector<std::int64_t> history_numbers() override;
    void append_entries(const std::vector<ledger::Entry>& entries) override;
    void save_checkpoint(const ledger::Ledger& l) override;
    void save_counters(const MemberCounters& c) override;
    bool insert_receipt(const ReceiptRecord& r) override;
    void add_receipt(const ReceiptRecord& r) override;
    void save_receipt(const ReceiptRecord& r) override;
    void save_operation(const StoredOperation& op) override;
    std::string shared_state(const std::string& kind, const std::string& id) override;
    void save_shared_state(const std::string& kind, const std::string& id,
                           const std::string& state) override;
    std::optional<CouponRecord> coupon(const std::string& code) override;
    void save_coupon(const CouponRecord& c) override;
    void save_spin(const SpinRecord& s) override;
    std::optional<ReferralRecord> referral() override;
    void save_referral(const ReferralRecord& r) override;
    std::int64_t referrals_qualified_since(const std::string& inviter_id,
                                           std::int64_t since_ms) override;
    void append_audit(const AuditRecord& a) override;
    // Before a write's commit: stores the running tier sum this transaction changed and has not
    // saved with the counters (SqlStore::with_member).
    void finish();

  private:
    Sql& sql() {
        if (one_statement_ && statements_++ > 0) throw NeedsSnapshot{};
        if (!sql_) throw NeedsSnapshot{};
        return *sql_;
    }

    // The first statement's rows (kCheckpointSelect), read once for checkpoint() and points_at().
    const std::vector<SqlRow>& state_rows();
    // The revision of the member's checkpoint kept in checkpoints_ (looked up once), -1 for none.
    std::int64_t known_rev();
    void tier_change(std::int64_t at_ms, std::int64_t delta);

    Sql* sql_ = nullptr;  // null: read through checkpoint_read_ only
    std::string merchant_, member_;
    bool one_statement_ = false;
    int statements_ = 0;
    CheckpointRead checkpoint_read_;
    std::optional<std::int64_t> tier_since_;  // expect_tier_window()
    // The tier window's sum known in this transaction: its start and the sum, with the receipts
    // this transaction added or changed (tier_change()); unsaved: the stored running sum does not
    // have them yet (save_counters() or finish() store it).
    struct TierSum {
        std::int64_t since = 0;
        std::int64_t sum = 0;
    };
    std::optional<TierSum> tier_sum_;
    bool tier_sum_unsaved_ = false;
    // What the receipts receipt() read counted for the tier, by id (save_receipt's change).
    std::map<std::string, std::int64_t> receipts_qualifying_;
    std::optional<std::int64_t> points_at_;  // points_at()'s time
    std::optional<std::vector<SqlRow>> state_rows_;
    std::int64_t seq_ = -1;  // the next entry's sequence number, once known
    // Read with the checkpoint: the counters (kept up to date by save_counters), and the entries
    // from the checkpoint's count on, for the one entries_from() call that asks for them.
    std::optional<MemberCounters> counters_;
    std::optional<std::pair<std::size_t, std::vector<ledger::Entry>>> after_checkpoint_;
    CheckpointCache* checkpoints_ = nullptr;
    bool writes_ = false;                                         // use_checkpoints()'
    std::optional<std::optional<CheckpointCache::Entry>> known_;  // known_rev()'s look-up
    std::optional<CheckpointCache::Entry> saved_;                 // save_checkpoint()'s
};

// Whether sql may write a table the configuration cache keeps (merchants, api_keys, programs,
// documents, document_authors): any statement but a SELECT that names one (one that merely
// mentions such a table counts too: that only costs a reload). PostgreSQL's adapter moves the
// generation after a transaction that ran one.
bool may_write_config(const std::string& sql);

// How a transaction of SqlStore::transact begins and ends.
enum class TxMode {
    read,      // statements for reading, each seeing what is committed when it runs
    snapshot,  // one consistent snapshot for reading, rolled back at the end
    write,     // a write transaction (SQLite: BEGIN IMMEDIATE), committed when fn returns true
};

// Every Store method, over an adapter's transact().
class SqlStore : public Store {
public:
  std::optional<MerchantRecord> merchant_by_code(const std::string& code) override;
  std::optional<MerchantRecord> merchant_by_id(const std::string& merchant_id) override;
  std::shared_ptr<const ProgramRecord> current_program(const std::string& merchant_id,
                                                       std::int64_t at_ms) override;
  std::optional<std::string> receipt_member(const std::string& merchant_id,
                                            const std::string& receipt_id) override;
  CheckpointStats checkpoint_stats() const override {
      return {checkpoints_.hits(), checkpoints_.misses()};
  }
  using Store::with_member;
  bool with_member(const std::string& merchant_id, const std::string& member_id,
                   const MemberReads& reads, const std::function<bool(MemberTx&)>& fn) override;
  void read_member(const std::string& merchant_id, const std::string& member_id,
                   const std::function<void(MemberTx&)>& fn, bool one_statement_first = false,
                   MemberReadAhead* ahead = nullptr) override;
  void put_merchant(const MerchantRecord& m, std::int64_t now_ms) override;
  std::int64_t put_program(const ProgramRecord& p, std::int64_t now_ms,
                           const Change& change) override;
  std::vector<ProgramRecord> program_versions(const std::string& merchant_id,
                                              std::int64_t before_version,
                                              std::size_t limit) override;
  std::vector<ReceiptRecord> receipts_page(const std::string& merchant_id, std::int64_t from_ms,
                                           std::int64_t to_ms, std::int64_t after_at_ms,
                                           const std::string& after_id,
                                           std::size_t limit) override;
  void put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) override;
  std::optional<ApiKeyRecord> api_key(const std::string& key_id) override;
  std::vector<std::string> merchant_ids() override;
  bool empty() override;

  std::optional<MemberRecord> member_by_card(const std::string& merchant_id,
                                             const std::string& number) override;
  std::optional<MemberRecord> member_by_card_ahead(
      const std::string& merchant_id, const std::string& number, std::int64_t tier_since,
      std::int64_t points_at, std::unique_ptr<MemberReadAhead>* ahead) override;
  bool reads_later() const override { return reads_together(); }
  void member_by_card_later(const std::string& merchant_id, const std::string& number,
                            std::int64_t tier_since, std::int64_t points_at,
                            CardThen then) override;
  std::optional<MemberRecord> member_by_id(const std::string& merchant_id,
                                           const std::string& member_id) override;
  std::optional<MemberRecord> member_by_phone(const std::string& merchant_id,
                                              const std::string& phone) override;
  void put_member(const MemberRecord& m, std::int64_t now_ms, const Change& change) override;
  std::vector<MemberRecord> members(const std::string& merchant_id) override;
  std::vector<MemberRecord> search_members(const std::string& merchant_id, const std::string& query,
                                           const std::string& after_member_id,
                                           std::size_t limit) override;
  bool update_member(const MemberRecord& m, const Change& change,
                       std::int64_t now_ms) override;
  bool erase_member(const std::string& merchant_id, const std::string& member_id,
                    std::int64_t now_ms, const Change& change) override;

  std::int64_t put_document(const DocumentRecord& d, std::int64_t now_ms,
                            const Change& change) override;
  std::optional<DocumentRecord> document(const std::string& merchant_id, const std::string& kind,
                                         const std::string& doc_id) override;
  std::vector<DocumentRecord> documents(const std::string& merchant_id,
                                        const std::string& kind) override;
  std::vector<DocumentRecord> document_versions(const std::string& merchant_id,
                                                const std::string& kind,
                                                const std::string& doc_id,
                                                std::int64_t version) override;
  bool delete_document(const std::string& merchant_id, const std::string& kind,
                       const std::string& doc_id, const Change& change) override;

  void put_pairing(const PairingRecord& p, const Change& change) override;
  std::optional<PairingRecord> pairing(const std::string& code_hash_hex) override;
  bool complete_pairing(const std::string& code_hash_hex, const DeviceRecord& d,
                        std::int64_t now_ms) override;
  std::optional<DeviceRecord> device(const std::string& device_id) override;
  std::vector<DeviceRecord> devices(const std::string& merchant_id) override;
  bool revoke_device(const std::string& merchant_id, const std::string& device_id,
                     std::int64_t now_ms, const Change& change) override;
  bool update_device(const DeviceRecord& d, const Change& change) override;
  void device_seen(const std::string& merchant_id, const std::string& device_id,
                   std::int64_t now_ms, const std::string& app_version) override;

  std::string shared_state(const std::string& merchant_id, const std::string& kind,
                           const std::string& id) override;
  std::optional<std::string> coupon_member(const std::string& merchant_id,
                                           const std::string& code) override;
  std::optional<StoredOperation> operation(const std::string& merchant_id,
                                           const std::string& op_id) override;
  ReportRows report_rows(const std::string& merchant_id) override;
  ReportInputs report_inputs(const std::string& merchant_id, const ReportAsk& ask) override;
  std::vector<ReceiptRecord> member_receipts(const std::string& merchant_id,
                                             const std::string& member_id) override;
  std::vector<CouponRecord> member_coupons(const std::string& merchant_id,
                                           const std::string& member_id) override;

  bool open_widget_session(const std::string& nonce, const WidgetSessionRecord& s,
                           std::int64_t now_ms) override;
  std::optional<WidgetSessionRecord> widget_session(const std::string& token_hash_hex) override;
  std::string referral_code(const std::string& merchant_id, const std::string& member_id,
                            const std::string& candidate, std::int64_t now_ms) override;
  std::optional<std::string> referral_code_member(const std::string& merchant_id,
                                                  const std::string& code) override;
  bool put_referral(const ReferralRecord& r) override;

  std::vector<StaffUserRecord> staff_users(const std::string& merchant_id) override;
  std::optional<StaffUserRecord> staff_user(const std::string& merchant_id,
                                            const std::string& user_id) override;
  std::optional<StaffUserRecord> staff_user_by_email(const std::string& merchant_id,
                                                     const std::string& email) override;
  void insert_staff_user(const StaffUserRecord& u, const Change& change) override;
  bool update_staff_user(const StaffUserRecord& u, bool revoke_sessions, std::int64_t now_ms,
                         const Change& change, bool* last_owner) override;
  void open_staff_session(const StaffSessionRecord& s, const std::string& account_key,
                          const Change& change) override;
  std::optional<StaffSessionRecord> staff_session(const std::string& session_id) override;
  void touch_staff_session(const std::string& session_id, std::int64_t now_ms) override;
  std::int64_t revoke_staff_sessions(const std::string& merchant_id, const std::string& user_id,
                                     const std::string& session_id, std::int64_t now_ms,
                                     const Change& change) override;
  std::vector<std::int64_t> sign_in_failures(const std::string& key,
                                             std::int64_t since_ms) override;
  void record_sign_in_failure(const std::vector<std::string>& keys, std::int64_t now_ms,
                              std::int64_t forget_ms) override;
  void put_import_job(const ImportJobRecord& j, const Change& change) override;
  std::optional<ImportJobRecord> import_job(const std::string& merchant_id,
                                            const std::string& job_id) override;
  std::optional<ImportJobRecord> claim_import_job(const std::string& runner, std::int64_t now_ms,
                                                  std::int64_t lease_ms,
                                                  const std::string& merchant_id,
                                                  const std::string& job_id) override;
  bool import_members(const ImportJobRecord& j, const std::vector<ImportMember>& rows,
                      const std::string& runner, std::int64_t now_ms, std::int64_t lease_ms,
                      std::int64_t* created, std::int64_t* matched) override;
  void append_audit(const AuditRecord& a) override;
  std::vector<AuditRecord> audit_log(const std::string& merchant_id,
                                     const AuditQuery& q) override;

private:
  std::int64_t put_document_once(const DocumentRecord& d, std::int64_t now_ms,
                                 const Change& change);

  // A lookup's reads, read together with the lookups beside it (reads_together()): the member
  // by card, and read_member()'s one statement (the checkpoint, the counters, the entries after
  // it and the tier window's sum) — read with the card for a lookup (member_by_card_ahead, or
  // member_by_card_later through card_queue_), or on its own; each group is one statement per
  // merchant.
  static constexpr std::int64_t kMemberOnly = -2;
  struct CardRead {
      std::string merchant_id, number;
      std::int64_t tier_since = kMemberOnly;  // with the member's state for this tier window
      std::int64_t points_at = -1;            // and for SqlMemberTx::points_at() at this time
  };
  struct CardAnswer {
      std::optional<MemberRecord> member;
      std::vector<SqlRow> state;  // read_checkpoints()' rows for the member, when asked
  };
  struct CheckpointRead {
      std::string merchant_id, member_id;
      SqlMemberTx::StateAsk ask;
  };
  using CardReads = ReadGroups<CardRead, CardAnswer>;
  using CheckpointReads = ReadGroups<CheckpointRead, std::vector<SqlRow>>;
  using CardQueue = ReadQueue<CardRead, CardAnswer>;
  // A lookup's card read for member_by_card_ahead(...): the member, and what it read ahead.
  static std::optional<MemberRecord> card_answer(const std::string& merchant_id, CardAnswer answer,
                                                 std::int64_t since, std::int64_t points_at,
                                                 std::unique_ptr<MemberReadAhead>* ahead);
  void read_cards(std::vector<CardReads::Slot*>& group);
  void read_checkpoints(std::vector<CheckpointReads::Slot*>& group);
  static std::size_t read_runners();
  CardReads card_reads_{read_runners(), 64};
  CardQueue card_queue_{read_runners(), 64};
  CheckpointReads checkpoint_reads_{read_runners(), 64};
  // Members' checkpoints as last read or written, up to 200 000 batches, lines and
  // reservations in all (a few tens of megabytes).
  CheckpointCache checkpoints_{200000};

protected:
  // Runs fn in one transaction of this mode; a write commits when fn returns true and rolls
  // back when it returns false or throws. An adapter may run fn again (PostgreSQL does on a
  // serialization failure or deadlock), so fn must start its results afresh.
  virtual void transact(TxMode mode, const std::function<bool(Sql&)>& fn) = 0;
  // Adapters call this once from their constructor, when transact() works.
  void migrate_schema();
  // The generation of the configuration tables (merchants, api_keys, programs, documents,
  // document_authors): it moves whenever any of them may have changed. nullopt when the
  // adapter can't tell, and then every read goes to the database (the default; SQLite, where
  // every statement is in-process and the CLI may write the same file beside a running
  // server, keeps it).
  virtual std::optional<std::uint64_t> config_generation() { return std::nullopt; }
  // Whether a lookup's reads are read together with the lookups running beside it (ReadGroups,
  // in statements only PostgreSQL reads: arrays and unnest). false (the default; SQLite, whose
  // reads are in-process calls with no round trip to save) reads each alone.
  virtual bool reads_together() const { return false; }

  template <class T, class Fn>
  T read(Fn&& fn) {
      T out{};
      transact(TxMode::read, [&](Sql& s) {
          out = fn(s);
          return true;
      });
      return out;
  }
  // load() through the configuration cache under key, a hit used only when fits(it).
  template <class T, class Load, class Fits>
  T cached(const std::string& key, Load&& load, Fits&& fits) {
      return config_cache_.get<T>(
          key, [this] { return config_generation(); }, std::forward<Load>(load),
          std::forward<Fits>(fits));
  }
  template <class T, class Load>
  T cached(const std::string& key, Load&& load) {
      return cached<T>(key, std::forward<Load>(load), [](const T&) { return true; });
  }
  template <class Fn>
  bool write(Fn&& fn) {
      bool done = false;
      transact(TxMode::write, [&](Sql& s) {
          done = fn(s);
          return done;
      });
      return done;
  }

private:
  ConfigCache config_cache_;
};

}  // namespace kopilka::server
