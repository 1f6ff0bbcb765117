// Storage behind one interface, so the handlers never know which database they talk to.
// Implemented: SQLite (sqlite_store.cpp) and PostgreSQL (pg_store.cpp); open_store.hpp picks one.
// Every record carries merchant_id and every query filters by it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ledger/entry.hpp"

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
};

struct ProgramRecord {
    std::string merchant_id;
    std::string program_id;
    std::int64_t version = 0;
    std::string document;      // program JSON (shared/codec decodes it)
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

// What the ledger doesn't hold about a member and quotes need.
struct MemberCounters {
    std::int64_t spend_total = 0;        // minor units paid, all time (discount ladders)
    std::int64_t last_purchase_ms = 0;
    std::string tier_held;               // tier id
    std::int64_t window_start_ms = 0;    // the tier qualification window
    std::string stamps = "{}";           // card id → stamps, as JSON
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

// One member's data inside one transaction that holds the member's write lock: two writes
// for the same member never interleave, on SQLite or PostgreSQL.
class MemberTx {
public:
    virtual ~MemberTx() = default;
    virtual std::optional<StoredOperation> operation(const std::string& op_id) = 0;  // any member's
    virtual std::vector<ledger::Entry> entries() = 0;                                 // in order
    virtual MemberCounters counters() = 0;
    virtual std::optional<ReceiptRecord> receipt(const std::string& receipt_id) = 0;
    virtual std::int64_t tier_qualifying_since(std::int64_t since_ms) = 0;

    virtual void append_entries(const std::vector<ledger::Entry>& entries) = 0;
    virtual void save_counters(const MemberCounters& c) = 0;
    virtual void save_receipt(const ReceiptRecord& r) = 0;  // insert or replace
    virtual void save_operation(const StoredOperation& op) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    virtual std::optional<MerchantRecord> merchant_by_code(const std::string& code) = 0;
    virtual std::optional<MerchantRecord> merchant_by_id(const std::string& merchant_id) = 0;
    virtual std::optional<MemberRecord> member_by_card(const std::string& merchant_id, const std::string& number) = 0;
    virtual std::optional<MemberRecord> member_by_id(const std::string& merchant_id, const std::string& member_id) = 0;
    virtual std::optional<ProgramRecord> current_program(const std::string& merchant_id) = 0;
    // The member a posted receipt belongs to (to lock that member before a return).
    virtual std::optional<std::string> receipt_member(const std::string& merchant_id, const std::string& receipt_id) = 0;

    // Runs fn in one transaction holding the member's write lock. fn returns true to commit,
    // false to roll back; an exception rolls back and propagates.
    virtual bool with_member(const std::string& merchant_id, const std::string& member_id,
                             const std::function<bool(MemberTx&)>& fn) = 0;

    // Writes happen in one transaction each.
    virtual void put_merchant(const MerchantRecord& m, std::int64_t now_ms) = 0;
    virtual void put_program(const ProgramRecord& p, std::int64_t now_ms) = 0;
    virtual void put_member(const MemberRecord& m, std::int64_t now_ms) = 0;

    virtual void put_api_key(const ApiKeyRecord& k, std::int64_t now_ms) = 0;
    virtual std::optional<ApiKeyRecord> api_key(const std::string& key_id) = 0;  // any merchant's

    virtual std::vector<std::string> merchant_ids() = 0;
    virtual std::vector<MemberRecord> members(const std::string& merchant_id) = 0;  // by member id

    virtual bool empty() = 0;  // no merchant yet
};

// Opens an SQLite database file (creating it when allowed) and brings its schema up to date.
// Throws std::runtime_error with a clear message when the file can't be used.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing = true);

}  // namespace kopilka::server
