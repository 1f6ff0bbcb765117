// The kiosk's outbox: every write (a spin, a redemption) is stored before it is sent, sent
// until the server gives a final answer, and survives a reload or a network drop. The
// operation id is made once, on the kiosk, and goes with every resend, so the server's
// idempotency makes each operation land exactly once however often it is sent.
//
// Order: one request in flight at a time, oldest item first, so a member's operations reach
// the server in the order the member made them. With a Batch, a backlog of due items goes as
// one request to a route that applies a list in order (after a kiosk was offline). A send
// that gets no answer (offline, timeout) or a 5xx/429 is retried with a doubling delay; any
// other answer is final and removes the item. Time comes in as now_ms; persistence and
// sending are interfaces (IndexedDB and fetch() in the browser, fakes in tests) whose
// callbacks may run later or at once. Items go out through the same Transport as reads, each
// with the secret the outbox holds for its credential kind (set_credential).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/transport.hpp"

namespace kopilka::client {

struct OutboxItem {
    std::string op_id;              // 32 hex digits, the request's operation_id
    std::string path;               // "/v1/kiosk/spin"
    std::string body;               // the JSON request, operation_id included
    std::int64_t created_ms = 0;
    int attempts = 0;               // sends that got no final answer
    std::int64_t next_attempt_ms = 0;
    std::string method = "POST";
    CredentialKind credential =
        CredentialKind::device;  // sent with the outbox's secret of this kind
};

// An item as the page's store keeps it (IndexedDB), and back: every field but
// next_attempt_ms, which a reload starts again. nullopt for a row that isn't an item.
std::string encode_outbox_item(const OutboxItem& item);
std::optional<OutboxItem> decode_outbox_item(const std::string& json);

class OutboxStore {
public:
    virtual ~OutboxStore() = default;
    // Persists (or overwrites) the item; done(false) if it could not be stored.
    virtual void save(const OutboxItem& item, std::function<void(bool stored)> done) = 0;
    virtual void remove(const std::string& op_id) = 0;
    virtual void load(std::function<void(std::vector<OutboxItem>)> done) = 0;  // oldest first
};

struct RetryPolicy {
    std::int64_t first_delay_ms = 1000;
    std::int64_t max_delay_ms = 60000;
};

// Several due items in one request, to a route that applies a list in order and answers
// one reply per item (POST /v1/kiosk/operations: client/api.hpp's kiosk_batch()). The head
// item and those right behind it go together while `accepts` takes them, up to items_max,
// with the head's credential. Each item's reply is then settled as if it had gone alone; a
// batch refused as a whole (a final status other than 200) is every item's reply.
struct Batch {
    std::size_t items_max = 0;  // below 2: every item goes on its own
    std::function<bool(const OutboxItem&)> accepts;
    std::function<Request(const std::vector<OutboxItem>&)> request;  // credential set after
    // One reply per item, in order, from a 200; nullopt when the answer can't be read (the
    // items are sent again: the route's idempotency makes that safe).
    std::function<std::optional<std::vector<TransportReply>>(const TransportReply&,
                                                              std::size_t items)>
        split;
};

// When a reply is final: delivered with a status that retrying can't change.
bool reply_is_final(const TransportReply& r);
std::int64_t retry_delay_ms(const RetryPolicy& p, int attempts);  // after `attempts` failed sends

class Outbox {
public:
    using Listener = std::function<void(const OutboxItem&, const TransportReply&)>;

    Outbox(OutboxStore& store, Transport& transport, RetryPolicy policy = {});

    void set_batch(Batch b) { batch_ = std::move(b); }

    // The secret sent with items of c.kind from now on ("" sends none).
    void set_credential(const Credential& c);

    // Loads what a previous page left; call once at start. Nothing is sent before the store
    // has answered, so older stored items go out before ones submitted meanwhile.
    void restore(std::int64_t now_ms);
    // Stores the item, then sends it when its turn comes.
    void submit(OutboxItem item, std::int64_t now_ms);
    // Sends the oldest item if it is due and nothing is in flight. Call on a timer and when
    // the browser says it is online again (with retry_now, which skips the waiting).
    void tick(std::int64_t now_ms);
    void retry_now(std::int64_t now_ms);

    // Called with each final answer, once per item.
    void on_final(Listener l) { listener_ = std::move(l); }

    std::size_t pending() const { return items_.size(); }   // stored or sending, not final
    bool offline() const { return offline_; }                // the last send got no answer
    bool in_flight() const { return in_flight_; }
    const std::deque<OutboxItem>& items() const { return items_; }

private:
    bool due(const OutboxItem& item) const;
    std::vector<OutboxItem> batch_behind_head() const;  // the head first; one item: no batch
    void on_reply(const std::vector<std::string>& op_ids, TransportReply reply,
                  std::int64_t sent_ms);
    void settle(const std::string& op_id, const TransportReply& reply, std::int64_t sent_ms);

    OutboxStore& store_;
    Transport& transport_;
    std::string secrets_[5];  // by CredentialKind
    RetryPolicy policy_;
    Batch batch_;
    std::deque<OutboxItem> items_;
    std::vector<std::string> unsaved_;  // items whose save has not finished: not sent yet
    bool restored_ = false;
    bool in_flight_ = false;
    bool offline_ = false;
    std::int64_t now_ms_ = 0;
    Listener listener_;
};

}  // namespace kopilka::client
