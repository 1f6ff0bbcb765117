// Referral (program.referral, PRODUCT.md's mechanic 8) as the website widget shows it: each
// member's invitation code, random Crockford base32 grouped "XXXX-XXXX", made on the member's
// first request and stored with unique keys on (merchant, code) and (merchant, member), so two
// racing first requests end with one code; the link from the widget settings' referral_url.
//
//   GET /v1/widget/referral (session) → ReferralView; 404 not_enabled when the program has no
//   referral rule or the merchant turned the widget's referral view off.
//
// Not done here: enrolment by a code (POST /v1/admin/members "referred_by") and crediting the
// inviter; invited_this_month is always 0 until then.
#pragma once

#include <cstdint>
#include <string>

#include "api/widget.hpp"

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

}  // namespace kopilka::server
