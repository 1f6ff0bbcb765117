// Storage behind one interface, so the handlers never know which database they talk to.
// Implemented: SQLite (sqlite_store.cpp). PostgreSQL joins behind the same interface.
// Every record carries merchant_id and every query filters by it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

struct Posting {
    std::string account;       // "member:<id>", "merchant:points_issued", …
    std::int64_t amount = 0;   // signed; the postings of one entry sum to zero
};

struct LedgerEntry {
    std::string entry_id;      // 128-bit id, 32 hex digits
    std::string member_id;
    std::string reason;        // "earn", "redeem", "welcome", "adjust", …
    std::string rule;          // the program rule that produced it
    std::int64_t created_at_ms = 0;
    std::vector<Posting> postings;
};

enum class WriteStatus : std::uint8_t { ok, exists, conflict, invalid };

class Store {
public:
    virtual ~Store() = default;

    virtual std::optional<MerchantRecord> merchant_by_code(const std::string& code) = 0;
    virtual std::optional<MerchantRecord> merchant_by_id(const std::string& merchant_id) = 0;
    virtual std::optional<MemberRecord> member_by_card(const std::string& merchant_id, const std::string& number) = 0;
    virtual std::optional<MemberRecord> member_by_id(const std::string& merchant_id, const std::string& member_id) = 0;
    virtual std::optional<ProgramRecord> current_program(const std::string& merchant_id) = 0;

    // Sum of every posting to the member's account: the balance, derived.
    virtual std::int64_t member_balance(const std::string& merchant_id, const std::string& member_id) = 0;
    // Points earned (reason "earn") since since_ms: what tiers qualify on.
    virtual std::int64_t member_earned_since(const std::string& merchant_id, const std::string& member_id,
                                             std::int64_t since_ms) = 0;

    // Writes happen in one transaction each.
    virtual void put_merchant(const MerchantRecord& m, std::int64_t now_ms) = 0;
    virtual void put_program(const ProgramRecord& p, std::int64_t now_ms) = 0;
    virtual void put_member(const MemberRecord& m, std::int64_t now_ms) = 0;
    // Appends an entry; postings must sum to zero. Same id + same content → exists;
    // same id + other content → conflict.
    virtual WriteStatus append_entry(const std::string& merchant_id, const LedgerEntry& e) = 0;

    virtual std::vector<std::string> merchant_ids() = 0;
    virtual std::vector<MemberRecord> members(const std::string& merchant_id) = 0;  // by member id

    virtual bool empty() = 0;  // no merchant yet
};

// Opens an SQLite database file (creating it when allowed) and brings its schema up to date.
// Throws std::runtime_error with a clear message when the file can't be used.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, bool create_if_missing = true);

}  // namespace kopilka::server
