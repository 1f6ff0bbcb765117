// One member at a front end, whatever draws it (the kiosk's screens now, the widget next):
//
//   lookup(code) ─answer→ the snapshot, cached on this device for offline lookups
//               ─no answer→ the cached snapshot, marked as such, or "offline"
//   submit(write) → outbox (stored, then sent until final) → the answer, if it is this
//                   session's: a new snapshot (cached too), a prize, a coupon, or an error
//   end() → the member is forgotten; answers still in flight belong to no one here
//
// Late answers are the point: a lookup or a write answered after the member left (or after
// another card was scanned, or after a reload) is reported as not ours and must not be
// shown. Time comes in as now_ms; the transport, storage and outbox are the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/api.hpp"
#include "client/kiosk_config.hpp"
#include "client/outbox.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::client {

struct FlowError {
    std::string code;     // "not_found", "bad_check_digit", "offline", …
    std::string message;  // the server's or parser's sentence (English); the view localises by code
};

// The error a reply carries ({"error": {code, message}}), or a generic one.
FlowError error_of(const TransportReply& reply);
// A 401 whose code is "unauthorized": the credential is no longer valid.
bool credential_refused(const TransportReply& reply);

// Small key-value storage that survives a reload (the browser's localStorage).
class KioskStorage {
  public:
    virtual ~KioskStorage() = default;
    virtual std::string get(const std::string& key) = 0;  // "" when missing
    virtual void set(const std::string& key, const std::string& value) = 0;
    virtual void remove(const std::string& key) = 0;
};

struct MemberSessionOptions {
    std::size_t cached_members_max = 50;            // snapshots kept for offline lookups
    std::function<std::string()> new_operation_id;  // 32 hex digits; unpredictable in production
};

struct LookupResult {
    enum class Kind : std::uint8_t { found, cached, failed };
    Kind kind = Kind::failed;
    std::optional<members::MemberSnapshot> member;  // found, cached
    FlowError error;                                // failed
    TransportReply reply;                           // as it came (not delivered: offline)
};

// Handed to the listener; item and reply live only as long as the call.
struct OperationResult {
    const OutboxItem* item = nullptr;
    const TransportReply* reply = nullptr;
    bool ours = false;                      // the answer this session waits for
    std::optional<OperationAnswer> answer;  // ours and 2xx, decoded
    FlowError error;                        // ours and no answer
};

class MemberSession {
  public:
    MemberSession(Api& api, KioskStorage& storage, Outbox& outbox, MemberSessionOptions options);

    // Looks the code up in a new session; done runs only if no other lookup or end() came
    // in between (a late answer is dropped).
    void lookup(const std::string& code, std::int64_t now_ms,
                std::function<void(LookupResult)> done);
    // A new session with a member known from elsewhere (the widget's sign-in); not cached.
    void adopt(members::MemberSnapshot member);
    // The member is forgotten; answers in flight are no longer this session's.
    void end();
    // Stores the write make(op_id) builds in the outbox; false (nothing sent) when no
    // operation id could be made. One write at a time: the session waits for its answer.
    bool submit(const std::function<OutboxItem(const std::string& op_id)>& make,
                std::int64_t now_ms);
    // Called with every final answer of the outbox, this session's or not.
    void on_answer(std::function<void(const OperationResult&)> listener) {
        listener_ = std::move(listener);
    }

    const std::optional<members::MemberSnapshot>& member() const { return member_; }
    bool member_cached() const { return cached_; }
    bool waiting() const { return !pending_op_.empty(); }  // a write's answer is awaited

  private:
    void on_lookup(std::uint64_t request, const std::string& code, const TransportReply& reply,
                   const std::function<void(LookupResult)>& done);
    void on_final(const OutboxItem& item, const TransportReply& reply);
    void cache_member(const std::string& code, const members::MemberSnapshot& m);
    std::optional<members::MemberSnapshot> cached_member(const std::string& code);

    Api& api_;
    KioskStorage& storage_;
    Outbox& outbox_;
    MemberSessionOptions options_;
    std::function<void(const OperationResult&)> listener_;
    std::optional<members::MemberSnapshot> member_;
    bool cached_ = false;
    std::string code_;           // the code the member scanned (the cache's key)
    std::uint64_t request_ = 0;  // the lookup whose answer is awaited
    std::uint64_t session_ = 0;  // bumped by lookup() and end(): late answers find another
    std::string pending_op_;     // the write whose answer this session waits for
    std::uint64_t pending_session_ = 0;
    std::int64_t now_ms_ = 0;
};

}  // namespace kopilka::client
