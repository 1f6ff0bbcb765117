// What the SQLite and PostgreSQL adapters share: one SQL text for both dialects (parameters
// written $1, $2, …, which SQLite reads as named parameters; types BIGINT and TEXT; upserts
// with ON CONFLICT), run through a tiny executor interface each adapter implements. Store
// methods that need nothing dialect-specific are written once here; the adapters keep only
// what differs (connections, transactions, locking, migrations 1–3, recognising a unique
// violation, which both report as UniqueViolation through unique_field).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace kopilka::server {

struct SqlValue {
    std::string text;
    bool integer = false;
    SqlValue(std::string s) : text(std::move(s)) {}                      // NOLINT: implicit on purpose
    SqlValue(const char* s) : text(s) {}                                 // NOLINT
    SqlValue(std::int64_t v) : text(std::to_string(v)), integer(true) {}  // NOLINT
    SqlValue(int v) : SqlValue(static_cast<std::int64_t>(v)) {}          // NOLINT
};
using SqlRow = std::vector<std::string>;  // every column as text; NULL reads as ""

// One open transaction (or autocommit connection) of either database.
class Sql {
public:
    virtual ~Sql() = default;
    virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) = 0;
    virtual std::int64_t exec(const std::string& sql, const std::vector<SqlValue>& params) = 0;  // rows changed
    // " FOR UPDATE" on PostgreSQL; "" on SQLite, whose writers already hold the database lock.
    virtual const char* for_update() const = 0;
};

std::int64_t to_i64(const std::string& text);

// Migration 4, the same text on both databases: members' personal data, documents (themes,
// wheels, kiosk settings), kiosk pairing and devices, coupons, spins, shared state rows
// (a wheel's stock and budgets).
extern const char* const kMigration4;

// Migration 5, the same text on both databases: a member's phone is unique per merchant,
// enforced by a partial unique index (non-empty phones only). See sql_store.cpp for what it
// does with the duplicates an existing database may hold.
extern const char* const kMigration5;
// Run by both adapters in the transaction that applied `version`: logs what a migration
// changed in the data (the phones migration 5 blanked) as a JSON line on stderr.
void report_migration(Sql& s, std::int64_t version);

// The API field of a unique key, from how the database names it: the constraint or index
// name (PostgreSQL, "members_phone_unique") or its columns (SQLite, "members.merchant_id,
// members.phone"). "" for keys no request names.
std::string unique_field(const std::string& key);

// A member's rows inside a member-locked transaction: what both adapters' Tx share.
class SqlMemberTx : public MemberTx {
public:
    SqlMemberTx(std::string merchant_id, std::string member_id)
        : merchant_(std::move(merchant_id)), member_(std::move(member_id)) {}

    std::optional<StoredOperation> operation(const std::string& op_id) override;
    std::vector<ledger::Entry> entries() override;
    MemberCounters counters() override;
    std::optional<ReceiptRecord> receipt(const std::string& receipt_id) override;
    std::int64_t tier_qualifying_since(std::int64_t since_ms) override;
    void append_entries(const std::vector<ledger::Entry>& entries) override;
    void save_counters(const MemberCounters& c) override;
    bool insert_receipt(const ReceiptRecord& r) override;
    void save_receipt(const ReceiptRecord& r) override;
    void save_operation(const StoredOperation& op) override;
    std::string shared_state(const std::string& kind, const std::string& id) override;
    void save_shared_state(const std::string& kind, const std::string& id, const std::string& state) override;
    std::optional<CouponRecord> coupon(const std::string& code) override;
    void save_coupon(const CouponRecord& c) override;
    void save_spin(const SpinRecord& s) override;

protected:
    virtual Sql& sql() = 0;

private:
    std::string merchant_, member_;
    std::int64_t seq_ = -1;  // the next entry's sequence number, once known
};

// The Store methods written once. transact() runs fn in one transaction (write: the
// database's write lock on SQLite; plain READ COMMITTED on PostgreSQL), committing when fn
// returns true.
class SqlStore : public Store {
public:
    std::optional<MemberRecord> member_by_card(const std::string& merchant_id, const std::string& number) override;
    std::optional<MemberRecord> member_by_id(const std::string& merchant_id, const std::string& member_id) override;
    std::optional<MemberRecord> member_by_phone(const std::string& merchant_id, const std::string& phone) override;
    void put_member(const MemberRecord& m, std::int64_t now_ms) override;
    std::vector<MemberRecord> members(const std::string& merchant_id) override;
    std::vector<MemberRecord> search_members(const std::string& merchant_id, const std::string& query,
                                             const std::string& after_member_id, std::size_t limit) override;
    bool update_member(const MemberRecord& m) override;
    bool erase_member(const std::string& merchant_id, const std::string& member_id, std::int64_t now_ms) override;

    std::int64_t put_document(const DocumentRecord& d, std::int64_t now_ms) override;
    std::optional<DocumentRecord> document(const std::string& merchant_id, const std::string& kind,
                                           const std::string& doc_id) override;
    std::vector<DocumentRecord> documents(const std::string& merchant_id, const std::string& kind) override;
    bool delete_document(const std::string& merchant_id, const std::string& kind, const std::string& doc_id) override;

    void put_pairing(const PairingRecord& p) override;
    std::optional<PairingRecord> pairing(const std::string& code_hash_hex) override;
    bool complete_pairing(const std::string& code_hash_hex, const DeviceRecord& d, std::int64_t now_ms) override;
    std::optional<DeviceRecord> device(const std::string& device_id) override;
    std::vector<DeviceRecord> devices(const std::string& merchant_id) override;
    bool revoke_device(const std::string& merchant_id, const std::string& device_id, std::int64_t now_ms) override;

    std::string shared_state(const std::string& merchant_id, const std::string& kind, const std::string& id) override;
    std::optional<std::string> coupon_member(const std::string& merchant_id, const std::string& code) override;
    std::optional<StoredOperation> operation(const std::string& merchant_id, const std::string& op_id) override;
    ReportRows report_rows(const std::string& merchant_id) override;
    std::vector<ReceiptRecord> member_receipts(const std::string& merchant_id, const std::string& member_id) override;
    std::vector<CouponRecord> member_coupons(const std::string& merchant_id, const std::string& member_id) override;

protected:
    virtual void transact(bool write, const std::function<bool(Sql&)>& fn) = 0;

    template <class T, class Fn>
    T read(Fn&& fn) {
        T out{};
        transact(false, [&](Sql& s) {
            out = fn(s);
            return true;
        });
        return out;
    }
};

}  // namespace kopilka::server
