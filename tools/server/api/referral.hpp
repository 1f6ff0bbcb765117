// Referral (program.referral, PRODUCT.md's mechanic 8). The website widget shows each
// member's invitation code, random Crockford base32 grouped "XXXX-XXXX", made on the member's
// first request and stored with unique keys on (merchant, code) and (merchant, member), so two
// racing first requests end with one code; the link from the widget settings' referral_url.
//
//   GET /v1/widget/referral (session) → ReferralView; 404 not_enabled when the program has no
//   referral rule or the merchant turned the widget's referral view off. invited_this_month
//   counts the member's referrals that qualified this calendar month.
//
// The other half: enrolment (POST /v1/admin/members) takes "referred_by": CODE, stored once
// per member (not the member's own code). The invitee's first receipt that reaches
// program.referral.first_receipt_min is quoted with member context "referred", so the quote
// gives the invitee's bonus, which the receipt credits (rule "referral") and which marks the
// referral qualified by that receipt's operation. The inviter's bonus is then credited by its
// own member write for the inviter, whose operation id is derived from the receipt's: a
// replayed receipt credits nothing twice, and a receipt whose answer was lost gets its
// inviter credited when the till sends it again. per_inviter_month_max is counted in the
// inviter's transaction, from the inviter's ledger (entries of rule "referral:<invitee>"
// this calendar month, UTC), so racing invitees never credit past it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/widget.hpp"
#include "core/program/program.hpp"
#include "core/quote/quote.hpp"

namespace kopilka::server {

// A fresh random code, "XXXX-XXXX" (40 random bits).
std::string random_referral_code();

// The member's code, made and stored on the first call.
std::string member_referral_code(Store& store, const std::string& merchant_id,
                                 const std::string& member_id, std::int64_t now_ms);

// The invitation link: referral_url with the code for "{code}", else signup_url with
// "ref=CODE" added to its query, else "".
std::string referral_link(const WidgetSettings& s, const std::string& code);

ApiResult widget_referral(Store& store, const WidgetMember& w, std::int64_t now_ms);

// The start of now_ms's calendar month, UTC.
std::int64_t month_start_ms(std::int64_t now_ms);

// An enrolment's "referred_by" code, as typed: the inviter's member id, or nullopt with the
// 400 naming referred_by in *err (no member has the code, or it is member_id's own).
std::optional<std::string> referring_member(Store& store, const std::string& merchant_id,
                                            const std::string& code,
                                            const std::string& member_id, ApiResult* err);

// In a receipt's transaction: the member's referral, when it is still waiting for its
// qualifying receipt, with the quote's context set ("referred", the inviter's count).
std::optional<ReferralRecord> open_referral(MemberTx& tx, std::int64_t now_ms,
                                            quote::MemberContext* m);
// Marks it qualified by the receipt op_hex when the quote gave the invitee's bonus.
void qualify_referral(MemberTx& tx, std::optional<ReferralRecord>& referral,
                      const quote::Quote& q, const std::string& op_hex, std::int64_t now_ms);
// After the member's receipt op_hex (answered or replayed): the inviter's bonus, once, if that
// receipt qualified the member's referral.
void credit_inviter(Store& store, const std::string& merchant_id, const std::string& member_id,
                    const std::string& op_hex, const program::Program& p, std::int64_t now_ms);

}  // namespace kopilka::server
