#include "api/coupons.hpp"

#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include "api/kiosk_write.hpp"
#include "api/wheel_state.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/object_reader.hpp"
#include "core/cards/coupon_code.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

struct RedeemRequest {
    ledger::EntryId op;
    std::string member_id;
    std::string reward_id;
};

struct CouponRequest {
    ledger::EntryId op;
    std::string typed;  // the code as the cashier typed or scanned it
    std::string receipt_id;
};

bool reservation_open(const ledger::Ledger& l, const ledger::EntryId& id) {
    for (const auto& r : l.reservations())
        if (r.id == id) return r.state == ledger::ReservationState::open;
    return false;
}

// The till asked for an expired coupon: its hold has run out (advance() voided it) or is
// voided now, so the points are back in the member's balance. Committed with the answer.
bool refuse_expired(ledger::Ledger& l, const CouponRecord& c, const CouponRequest& rq,
                    std::int64_t now_ms, ApiResult* out) {
    if (const auto reservation = ledger::parse_entry_id(c.reservation_id);
        reservation && reservation_open(l, *reservation))
        l.apply(ledger::Release{ledger::derive_entry_id(rq.op, "release"), *reservation}, now_ms);
    *out = api_error(410, "coupon_expired",
                     "the coupon expired; its points went back to the member", "code");
    return true;
}

// Decides the till's redemption of coupon `code` inside the member's transaction.
bool redeem_coupon(MemberTx& tx, ledger::Ledger& l, const WriteTarget& t, const std::string& code,
                   const CouponRequest& rq, std::int64_t now_ms, ApiResult* out) {
    auto c = tx.coupon(code);
    if (!c) {
        *out = api_error(404, "not_found", "no coupon has this code", "code");
        return false;
    }
    if (c->redeemed_at_ms != 0) {
        *out = api_error(409, "coupon_used", "the coupon was redeemed before", "code");
        return false;
    }
    if (now_ms >= c->expires_at_ms) return refuse_expired(l, *c, rq, now_ms, out);
    if (const auto reservation = ledger::parse_entry_id(c->reservation_id)) {
        const auto r =
            l.apply(ledger::Commit{ledger::derive_entry_id(rq.op, "commit"), *reservation}, now_ms);
        // not_found: settled and past its hold before the member's checkpoint, which forgets
        // it; a committed one has redeemed_at_ms set, so this one was voided.
        if (r.status == ledger::Status::reservation_expired ||
            r.status == ledger::Status::reservation_released ||
            r.status == ledger::Status::reservation_not_found)
            return refuse_expired(l, *c, rq, now_ms, out);
        if (!ledger::status_succeeded(r.status)) {
            *out = api_error(409, std::string(ledger::status_name(r.status)),
                             "the ledger refused the coupon's points: " +
                                 std::string(ledger::status_name(r.status)),
                             "code");
            return false;
        }
    }
    c->redeemed_at_ms = now_ms;
    c->redeemed_op = ledger::to_hex(rq.op);
    c->receipt_id = rq.receipt_id;
    tx.save_coupon(*c);
    *out = {200,
            Json{{"operation_id", ledger::to_hex(rq.op)}, {"coupon", coupon_json(*c, t.program)},
                 {"reward", reward_json(t.program, c->reward_id)}},
            {}};
    return true;
}
}  // namespace

CouponRecord issue_coupon(const MerchantRecord& merchant, const program::Program& p,
                          const std::string& member_id, const std::string& reward_id,
                          const char* source, const ledger::EntryId& key, bool reserved,
                          std::int64_t points, const std::string& op_hex, std::int64_t now_ms) {
    const program::Reward* reward = find_reward(p, reward_id);
    const std::int64_t valid_days =
        reward ? reward->coupon_valid_days : program::Reward{}.coupon_valid_days;
    const std::string key_hex = ledger::to_hex(key);
    CouponRecord c;
    c.code = cards::coupon_code(merchant.card_secret, key_hex);
    c.member_id = member_id;
    c.reward_id = reward_id;
    c.source = source;
    c.reservation_id = reserved ? key_hex : "";
    c.points = points;
    c.op_id = op_hex;
    c.issued_at_ms = now_ms;
    c.expires_at_ms = now_ms + valid_days * day_ms;
    return c;
}

std::vector<std::string> qr_modules(const std::string& text) {
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    writer.setMargin(0);  // the quiet zone is the drawer's
    writer.setEncoding(ZXing::CharacterSet::UTF8);
    ZXing::BitMatrix m;
    try {
        m = writer.encode(text, 0, 0);
    } catch (const std::exception&) {
        return {};  // too long for a QR code: the code text still works
    }
    std::vector<std::string> rows;
    for (int y = 0; y < m.height(); ++y) {
        std::string row(static_cast<std::size_t>(m.width()), '0');
        for (int x = 0; x < m.width(); ++x)
            if (m.get(x, y)) row[static_cast<std::size_t>(x)] = '1';
        rows.push_back(std::move(row));
    }
    return rows;
}

Json coupon_json(const CouponRecord& c, const program::Program& p) {
    const codec::CouponView v{c.code,           "",          c.expires_at_ms, qr_modules(c.code),
                              c.reward_id,      c.source,    c.points,        c.issued_at_ms,
                              c.redeemed_at_ms, c.receipt_id};
    return codec::encode_coupon(v, reward_json(p, c.reward_id));
}

ApiResult post_kiosk_redeem(Store& store, const Caller& caller, const Json& body,
                            std::int64_t now_ms) {
    const auto decoded = codec::decode_redeem_request(body);
    if (!decoded.ok()) return bad_request(decoded.error);
    const RedeemRequest rq{*ledger::parse_entry_id(decoded.value->operation_id),
                           decoded.value->member_id, decoded.value->reward_id};

    ApiResult refused;
    const auto t =
        write_target(store, caller.merchant_id, rq.member_id, "member.id", now_ms, &refused);
    if (!t) return refused;
    const program::Reward* reward = find_reward(t->program, rq.reward_id);
    if (!reward) {
        refused = api_error(404, "not_found", "the program has no reward \"" + rq.reward_id + "\"",
                            "reward_id");
        refused.merchant_id = caller.merchant_id;
        return refused;
    }
    const auto active = active_wheel(store, caller.merchant_id);
    const std::string op_hex = ledger::to_hex(rq.op);
    return member_write(
        store, *t, op_hex, "redeem", body, now_ms,
        [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
            // The coupon's points stay held until it expires; then the ledger voids the hold.
            const ledger::EntryId reservation = ledger::derive_entry_id(rq.op, "reserve");
            const std::int64_t expires_at_ms = now_ms + reward->coupon_valid_days * day_ms;
            const auto held = l.apply(ledger::Reserve{reservation, reward->cost_points,
                                                      expires_at_ms, "reward:" + reward->id},
                                      now_ms);
            if (held.status == ledger::Status::insufficient) {
                *out = api_error(409, "insufficient_points",
                                 "the member has " + std::to_string(l.snapshot().available) +
                                     " points available; " + reward->name + " costs " +
                                     std::to_string(reward->cost_points),
                                 "reward_id");
                return false;
            }
            if (!ledger::status_succeeded(held.status)) {
                *out = api_error(409, std::string(ledger::status_name(held.status)),
                                 "the ledger refused the reservation: " +
                                     std::string(ledger::status_name(held.status)),
                                 "reward_id");
                return false;
            }
            const CouponRecord c =
                issue_coupon(t->merchant, t->program, t->member.member_id, reward->id, "reward",
                             reservation, true, reward->cost_points, op_hex, now_ms);
            tx.save_coupon(c);
            *out = {201,
                    Json{{"operation_id", op_hex},
                         {"coupon", coupon_json(c, t->program)},
                         {"member", kiosk_snapshot(tx, *t, l, tx.counters(), active, now_ms)}},
                    {}};
            return true;
        });
}

ApiResult post_coupon_redeem(Store& store, const Caller& caller, const Json& body,
                             std::int64_t now_ms) {
    CouponRequest rq;
    codec::DecodeError e;
    codec::ObjectReader r(body, "", &e);
    read_operation_id(r, &rq.op);
    r.text("code", &rq.typed, 64);
    r.optional_text("receipt_id", &rq.receipt_id, 64);
    r.reject_unknown({"operation_id", "code", "receipt_id"});
    if (!r.ok()) return bad_request(e);
    std::string code;
    const cards::CouponStatus parsed = cards::parse_coupon_code(rq.typed, &code);
    if (parsed != cards::CouponStatus::ok)
        return parsed == cards::CouponStatus::bad_check
                   ? api_error(400, "bad_check",
                               "code has a mistyped character (its check characters don't match)",
                               "code")
                   : api_error(400, "bad_format",
                               "code is not a coupon code (KC-XXXX-XXXX-XXXX-CC)", "code");

    ApiResult refused;
    const auto member_id = store.coupon_member(caller.merchant_id, code);
    if (!member_id) {
        refused = api_error(404, "not_found", "no coupon has this code", "code");
        refused.merchant_id = caller.merchant_id;
        return refused;
    }
    const auto t = write_target(store, caller.merchant_id, *member_id, "code", now_ms, &refused);
    if (!t) return refused;
    // Stored with the code as printed, so the same coupon typed another way is the same request.
    Json request = body;
    request["code"] = code;
    return member_write(store, *t, ledger::to_hex(rq.op), "coupon", request, now_ms,
                        [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
                            return redeem_coupon(tx, l, *t, code, rq, now_ms, out);
                        });
}

}  // namespace kopilka::server
