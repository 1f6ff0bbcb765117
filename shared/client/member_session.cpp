#include "client/member_session.hpp"

#include "codec/member_json.hpp"

namespace kopilka::client {

namespace {
constexpr const char* members_key = "kopilka.members";  // {code: {"at_ms", "member"}}, newest kept

using codec::Json;

std::optional<Json> body_of(const TransportReply& reply) {
    codec::DecodeError e;
    return codec::parse_json(reply.body, &e);
}
}  // namespace

FlowError error_of(const TransportReply& reply) {
    const auto body = body_of(reply);
    auto e = body ? codec::decode_error_json(*body) : codec::Decoded<codec::DecodeError>{};
    if (e.ok()) return {e.value->code, e.value->message};
    return {"server_error", "the server answered " + std::to_string(reply.status)};
}

bool credential_refused(const TransportReply& reply) {
    return reply.delivered && reply.status == 401 && error_of(reply).code == "unauthorized";
}

MemberSession::MemberSession(Api& api, KioskStorage& storage, Outbox& outbox,
                             MemberSessionOptions options)
    : api_(api), storage_(storage), outbox_(outbox), options_(std::move(options)) {
    outbox_.on_final(
        [this](const OutboxItem& item, const TransportReply& reply) { on_final(item, reply); });
}

// [SECTION] Lookups

void MemberSession::lookup(const std::string& code, std::int64_t now_ms,
                           std::function<void(LookupResult)> done) {
    end();
    now_ms_ = now_ms;
    const std::uint64_t request = request_;
    api_.lookup_member(code, [this, request, code, done = std::move(done)](TransportReply reply) {
        on_lookup(request, code, reply, done);
    });
}

void MemberSession::adopt(members::MemberSnapshot member) {
    end();
    member_ = std::move(member);
}

void MemberSession::end() {
    ++request_;  // an answer still in flight must not bring the member back
    ++session_;
    member_.reset();
    cached_ = false;
    code_.clear();
    pending_op_.clear();
}

void MemberSession::on_lookup(std::uint64_t request, const std::string& code,
                              const TransportReply& reply,
                              const std::function<void(LookupResult)>& done) {
    if (request != request_) return;  // stale
    LookupResult r;
    r.reply = reply;
    if (!reply.delivered) {
        if (auto cached = cached_member(code)) {
            r.kind = LookupResult::Kind::cached;
            member_ = r.member = std::move(cached);
            cached_ = true;
            code_ = code;
        } else {
            r.error = FlowError{"offline", "the server could not be reached"};
        }
        return done(std::move(r));
    }
    const auto body = body_of(reply);
    if (reply.status == 200 && body && body->contains("member")) {
        auto member = codec::decode_member((*body)["member"]);
        if (!member.ok()) {
            r.error = FlowError{"bad_reply", member.error.message};
            return done(std::move(r));
        }
        r.kind = LookupResult::Kind::found;
        code_ = code;
        cache_member(code, *member.value);
        member_ = r.member = std::move(member.value);
        return done(std::move(r));
    }
    r.error = error_of(reply);
    done(std::move(r));
}

// [SECTION] Writes

bool MemberSession::submit(const std::function<OutboxItem(const std::string& op_id)>& make,
                           std::int64_t now_ms) {
    const std::string op = options_.new_operation_id ? options_.new_operation_id() : std::string();
    if (op.size() != 32) return false;
    now_ms_ = now_ms;
    pending_op_ = op;
    pending_session_ = session_;
    OutboxItem item = make(op);
    item.op_id = op;
    outbox_.submit(std::move(item), now_ms);
    return true;
}

// Someone else's answer (an earlier session, a page before a reload): the server did it;
// the member sees the result next time. Nothing of it is this session's.
void MemberSession::on_final(const OutboxItem& item, const TransportReply& reply) {
    OperationResult r;
    r.item = &item;
    r.reply = &reply;
    r.ours = item.op_id == pending_op_ && pending_session_ == session_;
    if (r.ours) {
        pending_op_.clear();
        const auto body = body_of(reply);
        const bool success = reply.status / 100 == 2;
        auto answer = body && success ? codec::decode_operation_answer(*body)
                                      : codec::Decoded<OperationAnswer>{};
        if (answer.ok()) {
            r.answer = std::move(answer.value);
            if (r.answer->member) {
                member_ = r.answer->member;
                if (!code_.empty()) cache_member(code_, *member_);
            }
        } else {
            r.error = success ? FlowError{"bad_reply", answer.error.message} : error_of(reply);
        }
    }
    if (listener_) listener_(r);
}

// [SECTION] The cache: the last snapshots of the cards seen here, for lookups while offline.

void MemberSession::cache_member(const std::string& code, const members::MemberSnapshot& m) {
    if (options_.cached_members_max == 0) return;
    codec::DecodeError e;
    auto all = codec::parse_json(storage_.get(members_key), &e).value_or(Json::object());
    if (!all.is_object()) all = Json::object();
    all[code] = {{"at_ms", now_ms_}, {"member", codec::encode_member(m)}};
    while (all.size() > options_.cached_members_max) {
        auto oldest = all.begin();
        for (auto it = all.begin(); it != all.end(); ++it)
            if (it->value("at_ms", 0) < oldest->value("at_ms", 0)) oldest = it;
        all.erase(oldest);
    }
    storage_.set(members_key, all.dump());
}

std::optional<members::MemberSnapshot> MemberSession::cached_member(const std::string& code) {
    codec::DecodeError e;
    const auto all = codec::parse_json(storage_.get(members_key), &e);
    if (!all || !all->is_object() || !all->contains(code)) return std::nullopt;
    const Json& entry = (*all)[code];
    if (!entry.is_object() || !entry.contains("member")) return std::nullopt;
    auto m = codec::decode_member(entry["member"]);
    if (!m.ok()) return std::nullopt;
    return std::move(*m.value);
}

}  // namespace kopilka::client
