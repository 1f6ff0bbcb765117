#include "client/outbox.hpp"

#include <algorithm>
#include <limits>

#include "codec/object_reader.hpp"

namespace kopilka::client {

bool reply_is_final(const TransportReply& r) {
    return r.delivered && r.status > 0 && r.status < 500 && r.status != 429 && r.status != 408;
}

std::string encode_outbox_item(const OutboxItem& item) {
    return codec::Json{{"op_id", item.op_id},
                       {"path", item.path},
                       {"body", item.body},
                       {"created_ms", item.created_ms},
                       {"attempts", item.attempts},
                       {"method", item.method},
                       {"credential", credential_kind_name(item.credential)}}
        .dump();
}

std::optional<OutboxItem> decode_outbox_item(const std::string& json) {
    codec::DecodeError e;
    const auto j = codec::parse_json(json, &e);
    if (!j) return std::nullopt;
    OutboxItem i;
    std::int64_t attempts = 0;
    std::string credential = "device";  // rows stored before items named theirs: the kiosk's
    codec::ObjectReader r(*j, "", &e);
    r.text("op_id", &i.op_id, 64);
    r.text("path", &i.path, 1024);
    r.text("body", &i.body, std::numeric_limits<std::size_t>::max());
    r.optional_integer("created_ms", &i.created_ms, 0, std::numeric_limits<std::int64_t>::max());
    r.optional_integer("attempts", &attempts, 0, std::numeric_limits<int>::max());
    r.optional_text("method", &i.method, 16);
    r.optional_text("credential", &credential, 16);
    const auto kind = credential_kind_from_name(credential);
    if (!r.ok() || !kind) return std::nullopt;
    i.attempts = static_cast<int>(attempts);
    i.credential = *kind;
    return i;
}

std::int64_t retry_delay_ms(const RetryPolicy& p, int attempts) {
    std::int64_t delay = std::max<std::int64_t>(p.first_delay_ms, 1);
    for (int i = 1; i < attempts && delay < p.max_delay_ms; ++i) delay *= 2;
    return std::min(delay, p.max_delay_ms);
}

Outbox::Outbox(OutboxStore& store, Transport& transport, RetryPolicy policy)
    : store_(store), transport_(transport), policy_(policy) {}

void Outbox::set_credential(const Credential& c) {
    secrets_[static_cast<int>(c.kind)] = c.secret;
}

void Outbox::restore(std::int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
    store_.load([this](std::vector<OutboxItem> stored) {
        // Items submitted meanwhile stay behind the stored ones, which are older.
        std::deque<OutboxItem> merged;
        for (auto& item : stored) {
            const bool known = std::any_of(items_.begin(), items_.end(), [&](const OutboxItem& i) {
                return i.op_id == item.op_id;
            });
            if (!known) {
                item.next_attempt_ms = 0;  // a new page: try at once
                merged.push_back(std::move(item));
            }
        }
        for (auto& item : items_) merged.push_back(std::move(item));
        items_ = std::move(merged);
        restored_ = true;
        tick(now_ms_);
    });
}

void Outbox::submit(OutboxItem item, std::int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
    item.created_ms = item.created_ms ? item.created_ms : now_ms;
    item.next_attempt_ms = 0;
    const std::string id = item.op_id;
    if (std::any_of(items_.begin(), items_.end(),
                    [&](const OutboxItem& i) { return i.op_id == id; }))
        return;
    items_.push_back(item);
    unsaved_.push_back(id);
    // Sent only once stored; a store that can't keep it (private mode, quota) still lets it
    // go out: delivering now beats losing it.
    store_.save(item, [this, id](bool) {
        unsaved_.erase(std::remove(unsaved_.begin(), unsaved_.end(), id), unsaved_.end());
        tick(now_ms_);
    });
}

bool Outbox::due(const OutboxItem& item) const {
    return item.next_attempt_ms <= now_ms_ &&
           std::find(unsaved_.begin(), unsaved_.end(), item.op_id) == unsaved_.end();
}

std::vector<OutboxItem> Outbox::batch_behind_head() const {
    std::vector<OutboxItem> batch{items_.front()};
    if (batch_.items_max < 2 || !batch_.accepts || !batch_.accepts(items_.front())) return batch;
    for (auto it = items_.begin() + 1; it != items_.end() && batch.size() < batch_.items_max;
         ++it) {
        if (!due(*it) || it->credential != items_.front().credential || !batch_.accepts(*it))
            break;
        batch.push_back(*it);
    }
    return batch;
}

void Outbox::tick(std::int64_t now_ms) {
    now_ms_ = std::max(now_ms_, now_ms);
    if (!restored_ || in_flight_ || items_.empty() || !due(items_.front())) return;
    const std::vector<OutboxItem> batch = batch_behind_head();
    const OutboxItem& head = batch.front();
    Request request = batch.size() > 1 ? batch_.request(batch)
                                       : Request{head.method, head.path, head.body, "", {}};
    request.credential = {head.credential, secrets_[static_cast<int>(head.credential)]};
    std::vector<std::string> ids;
    for (const auto& item : batch) ids.push_back(item.op_id);
    in_flight_ = true;
    const std::int64_t sent = now_ms_;
    transport_.request(request, [this, ids, sent](TransportReply reply) {
        on_reply(ids, std::move(reply), sent);
    });
}

void Outbox::retry_now(std::int64_t now_ms) {
    for (auto& item : items_) item.next_attempt_ms = 0;
    tick(now_ms);
}

void Outbox::on_reply(const std::vector<std::string>& op_ids, TransportReply reply,
                      std::int64_t sent_ms) {
    in_flight_ = false;
    offline_ = !reply.delivered;
    std::optional<std::vector<TransportReply>> replies;
    if (op_ids.size() > 1 && reply_is_final(reply) && reply.status == 200) {
        replies = batch_.split(reply, op_ids.size());
        if (!replies || replies->size() != op_ids.size()) {
            replies.reset();
            reply.status = 502;  // unreadable: not final, so the batch goes again
        }
    }
    for (std::size_t i = 0; i < op_ids.size(); ++i)
        settle(op_ids[i], replies ? (*replies)[i] : reply, sent_ms);
    tick(now_ms_);  // after a retry's delay nothing is due yet, and tick sends nothing
}

void Outbox::settle(const std::string& op_id, const TransportReply& reply, std::int64_t sent_ms) {
    const auto it = std::find_if(items_.begin(), items_.end(),
                                 [&](const OutboxItem& i) { return i.op_id == op_id; });
    if (it == items_.end()) return;
    if (reply_is_final(reply)) {
        const OutboxItem done = *it;
        items_.erase(it);
        store_.remove(op_id);
        if (listener_) listener_(done, reply);
    } else {
        ++it->attempts;
        it->next_attempt_ms = std::max(sent_ms, now_ms_) + retry_delay_ms(policy_, it->attempts);
        store_.save(*it, [](bool) {});
    }
}

}  // namespace kopilka::client
