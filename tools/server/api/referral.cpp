#include "api/referral.hpp"

#include <stdexcept>

#include "api/member_write.hpp"
#include "auth/credentials.hpp"
#include "core/crypto/sha256.hpp"

namespace kopilka::server {

namespace {
constexpr std::size_t code_random_bytes = 5;  // 8 base32 characters
constexpr int code_attempts = 8;              // a collision in 2^40 codes is already rare
}  // namespace

std::string random_referral_code() {
    std::uint8_t bytes[code_random_bytes];
    auth::random_device_bytes(bytes, sizeof bytes);
    const std::string text = crypto::to_base32(bytes, sizeof bytes);
    return text.substr(0, 4) + "-" + text.substr(4, 4);
}

std::string member_referral_code(Store& store, const std::string& merchant_id,
                                 const std::string& member_id, std::int64_t now_ms) {
    for (int i = 0; i < code_attempts; ++i) {
        const std::string code =
            store.referral_code(merchant_id, member_id, random_referral_code(), now_ms);
        if (!code.empty()) return code;
    }
    throw std::runtime_error("no free referral code after " + std::to_string(code_attempts) +
                             " attempts");
}

std::string referral_link(const WidgetSettings& s, const std::string& code) {
    if (!s.referral_url.empty()) {
        std::string link = s.referral_url;
        for (auto at = link.find("{code}"); at != std::string::npos; at = link.find("{code}", at))
            link.replace(at, 6, code);
        return link;
    }
    if (s.signup_url.empty()) return "";
    return s.signup_url + (s.signup_url.find('?') == std::string::npos ? "?" : "&") + "ref=" +
           code;
}

ApiResult widget_referral(Store& store, const WidgetMember& w, std::int64_t now_ms) {
    const std::string& merchant = w.merchant.merchant_id;
    ApiResult err;
    const auto program = usable_program(store, merchant, &err);
    if (!program) return err;
    if (!w.settings.views.referral || !program->referral) return not_enabled(w, "referral");
    codec::ReferralView v;
    v.code = member_referral_code(store, merchant, w.member.member_id, now_ms);
    v.link = referral_link(w.settings, v.code);
    v.inviter_points = program->referral->inviter_bonus;
    v.invitee_points = program->referral->invitee_bonus;
    v.first_receipt_min = program->referral->first_receipt_min;
    v.per_month_max = program->referral->per_inviter_month_max;
    return {200, codec::encode_referral(v), merchant};
}

}  // namespace kopilka::server
