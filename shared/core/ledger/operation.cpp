#include "core/ledger/operation.hpp"

namespace kopilka::ledger {

namespace {

// [SECTION] Validation, one function per operation, checks in Status order

// A small ladder: the first failing check sets the status and the field.
class Ladder {
public:
    explicit Ladder(std::string* field) : field_(field) {}
    void check(bool failed, Status s, std::string_view field) {
        if (status_ != Status::ok || !failed) return;
        status_ = s;
        *field_ = std::string(field);
    }
    void points(std::int64_t points) {
        check(points <= 0, Status::points_not_positive, "points");
        check(points > points_max, Status::points_too_large, "points");
    }
    void text(const std::string& s, std::string_view field) {
        check(s.size() > text_bytes_max, Status::text_too_long, field);
    }
    Status status() const { return status_; }

private:
    Status status_ = Status::ok;
    std::string* field_;
};

Status validate_one(const Earn& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.points(op.points);
    l.check(op.reason != Reason::earn && op.reason != Reason::bonus, Status::reason_invalid,
            "reason");
    l.check(op.available_at_ms < 0, Status::time_negative, "available_at_ms");
    l.check(op.expires_at_ms < 0, Status::time_negative, "expires_at_ms");
    l.check(op.expires_at_ms != 0 && op.expires_at_ms <= op.available_at_ms,
            Status::expires_not_after_available, "expires_at_ms");
    l.text(op.rule, "rule");
    l.text(op.receipt_id, "receipt_id");
    return l.status();
}

Status validate_one(const Redeem& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.points(op.points);
    l.text(op.rule, "rule");
    l.text(op.receipt_id, "receipt_id");
    return l.status();
}

Status validate_one(const Reserve& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.points(op.points);
    l.check(op.hold_until_ms < 0, Status::time_negative, "hold_until_ms");
    l.text(op.rule, "rule");
    return l.status();
}

Status validate_one(const Commit& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.check(op.reservation.is_zero(), Status::reservation_zero, "reservation");
    return l.status();
}

Status validate_one(const Release& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.check(op.reservation.is_zero(), Status::reservation_zero, "reservation");
    return l.status();
}

Status validate_one(const Clawback& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.points(op.points);
    l.text(op.rule, "rule");
    l.text(op.receipt_id, "receipt_id");
    l.check(op.receipt_id.empty(), Status::receipt_missing, "receipt_id");
    return l.status();
}

Status validate_one(const Refund& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.points(op.points);
    l.check(op.expires_at_ms < 0, Status::time_negative, "expires_at_ms");
    l.text(op.rule, "rule");
    l.text(op.receipt_id, "receipt_id");
    l.check(op.receipt_id.empty(), Status::receipt_missing, "receipt_id");
    return l.status();
}

Status validate_one(const Adjust& op, Ladder& l) {
    l.check(op.id.is_zero(), Status::id_zero, "id");
    l.check(op.delta == 0, Status::delta_zero, "delta");
    // Written so that the smallest int64 cannot overflow a negation.
    l.check(op.delta > points_max || op.delta < -points_max, Status::delta_too_large, "delta");
    l.check(op.expires_at_ms < 0, Status::time_negative, "expires_at_ms");
    l.check(op.delta < 0 && op.expires_at_ms != 0, Status::expiry_without_batch, "expires_at_ms");
    l.text(op.rule, "rule");
    l.text(op.note, "note");
    l.check(op.note.empty(), Status::note_missing, "note");
    return l.status();
}

// [SECTION] Replays: the first field that differs from the stored entry

// Compares fields in order and remembers the first that differs.
class Diff {
public:
    template <typename T>
    Diff& field(std::string_view name, const T& a, const T& b) {
        if (first_.empty() && !(a == b)) first_ = name;
        return *this;
    }
    std::string_view first() const { return first_; }

private:
    std::string_view first_;
};

constexpr std::string_view kind_differs = "kind";

std::string_view differs(const Earn& op, const Entry& e) {
    if (e.reason != Reason::earn && e.reason != Reason::bonus) return kind_differs;
    return Diff()
        .field("points", op.points, e.amount)
        .field("available_at_ms", op.available_at_ms, e.available_at_ms)
        .field("expires_at_ms", op.expires_at_ms, e.expires_at_ms)
        .field("reason", op.reason, e.reason)
        .field("rule", op.rule, e.rule)
        .field("receipt_id", op.receipt_id, e.receipt_id)
        .first();
}

std::string_view differs(const Redeem& op, const Entry& e) {
    if (e.reason != Reason::redeem || !e.reservation.is_zero()) return kind_differs;
    return Diff()
        .field("points", op.points, e.amount)
        .field("rule", op.rule, e.rule)
        .field("receipt_id", op.receipt_id, e.receipt_id)
        .first();
}

std::string_view differs(const Reserve& op, const Entry& e) {
    if (e.reason != Reason::reserve) return kind_differs;
    return Diff()
        .field("points", op.points, e.amount)
        .field("hold_until_ms", op.hold_until_ms, e.hold_until_ms)
        .field("rule", op.rule, e.rule)
        .first();
}

std::string_view differs(const Commit& op, const Entry& e) {
    if (e.reason != Reason::redeem || e.reservation.is_zero()) return kind_differs;
    return Diff().field("reservation", op.reservation, e.reservation).first();
}

std::string_view differs(const Release& op, const Entry& e) {
    if (e.reason != Reason::release) return kind_differs;
    return Diff().field("reservation", op.reservation, e.reservation).first();
}

std::string_view differs(const Clawback& op, const Entry& e) {
    if (e.reason != Reason::clawback) return kind_differs;
    return Diff()
        .field("points", op.points, e.amount)
        .field("rule", op.rule, e.rule)
        .field("receipt_id", op.receipt_id, e.receipt_id)
        .first();
}

std::string_view differs(const Refund& op, const Entry& e) {
    if (e.reason != Reason::refund) return kind_differs;
    return Diff()
        .field("points", op.points, e.amount)
        .field("expires_at_ms", op.expires_at_ms, e.expires_at_ms)
        .field("rule", op.rule, e.rule)
        .field("receipt_id", op.receipt_id, e.receipt_id)
        .first();
}

std::string_view differs(const Adjust& op, const Entry& e) {
    if (e.reason != Reason::adjust) return kind_differs;
    return Diff()
        .field("delta", op.delta, e.amount)
        .field("expires_at_ms", op.expires_at_ms, e.expires_at_ms)
        .field("rule", op.rule, e.rule)
        .field("note", op.note, e.note)
        .first();
}

}  // namespace

const EntryId& operation_id(const Operation& op) {
    return std::visit([](const auto& o) -> const EntryId& { return o.id; }, op);
}

std::string_view operation_kind_name(const Operation& op) {
    static constexpr std::string_view names[] = {"earn",    "redeem",   "reserve", "commit",
                                                 "release", "clawback", "refund",  "adjust"};
    return names[op.index()];
}

Status validate(const Operation& op, std::string* field) {
    field->clear();
    Ladder ladder(field);
    return std::visit([&](const auto& o) { return validate_one(o, ladder); }, op);
}

std::string_view first_difference(const Operation& op, const Entry& stored) {
    // Entries the ledger wrote itself carry derived ids no client operation should reuse.
    if (stored.automatic) return kind_differs;
    return std::visit([&](const auto& o) { return differs(o, stored); }, op);
}

std::string_view status_name(Status s) {
    switch (s) {
        case Status::ok:
            return "ok";
        case Status::id_zero:
            return "id_zero";
        case Status::reservation_zero:
            return "reservation_zero";
        case Status::points_not_positive:
            return "points_not_positive";
        case Status::points_too_large:
            return "points_too_large";
        case Status::delta_zero:
            return "delta_zero";
        case Status::delta_too_large:
            return "delta_too_large";
        case Status::reason_invalid:
            return "reason_invalid";
        case Status::time_negative:
            return "time_negative";
        case Status::expires_not_after_available:
            return "expires_not_after_available";
        case Status::expiry_without_batch:
            return "expiry_without_batch";
        case Status::text_too_long:
            return "text_too_long";
        case Status::receipt_missing:
            return "receipt_missing";
        case Status::note_missing:
            return "note_missing";
        case Status::conflict:
            return "conflict";
        case Status::exists:
            return "exists";
        case Status::expires_not_after_now:
            return "expires_not_after_now";
        case Status::hold_not_after_now:
            return "hold_not_after_now";
        case Status::reservation_not_found:
            return "reservation_not_found";
        case Status::reservation_committed:
            return "reservation_committed";
        case Status::reservation_released:
            return "reservation_released";
        case Status::reservation_expired:
            return "reservation_expired";
        case Status::operations_full:
            return "operations_full";
        case Status::batches_full:
            return "batches_full";
        case Status::reservations_full:
            return "reservations_full";
        case Status::overflow:
            return "overflow";
        case Status::insufficient:
            return "insufficient";
    }
    return "?";
}

bool status_succeeded(Status s) {
    return s == Status::ok || s == Status::exists;
}

bool status_retry_may_help(Status s) {
    switch (s) {
        case Status::reservation_not_found:
        case Status::batches_full:
        case Status::reservations_full:
        case Status::insufficient:
            return true;
        default:
            return false;
    }
}

}  // namespace kopilka::ledger
