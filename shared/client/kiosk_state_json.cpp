#include "client/kiosk_state_json.hpp"

#include "codec/member_json.hpp"

namespace kopilka::client {

namespace {
codec::Json error_json(const std::optional<FlowError>& e) {
    if (!e) return nullptr;
    return {{"code", e->code}, {"message", e->message}};
}
}  // namespace

std::string encode_kiosk_state(const KioskFlow& flow, const KioskView& view) {
    const KioskState& s = flow.state();
    codec::Json actions = codec::Json::array();
    for (const auto& a : view.actions)
        actions.push_back({{"action", action_name(a.action)},
                           {"label", a.label},
                           {"arg", a.arg},
                           {"enabled", a.enabled}});
    codec::Json j = {
        {"screen", screen_name(s.screen)},
        {"scanning", flow.wants_camera()},
        {"animating", flow.animating()},
        {"locale", i18n::locale_tag(s.locale)},
        {"paired", s.paired},
        {"online", s.online},
        {"busy", s.busy},
        {"keypad_open", s.keypad_open},
        {"keypad", s.keypad.text},
        {"last_source", scan_source_name(s.last_source)},
        {"revision", flow.revision()},
        {"mirror", mirror_text(view)},
        {"title", view.title},
        {"code", view.code},
        {"actions", actions},
        {"member", nullptr},
        {"member_cached", s.member_cached},
        {"error", error_json(s.error)},
        {"notice", error_json(s.notice)},
        {"config_version", s.config ? s.config->version : std::string()},
        {"theme", s.config ? s.config->theme.name : std::string()},
        {"coupon", nullptr},
        {"spin", nullptr},
        {"odds_open", s.odds_open},
        {"reduced_motion", s.reduced_motion},
        {"idle_deadline_ms", s.idle_deadline_ms},
    };
    if (s.member) j["member"] = codec::encode_member(*s.member);
    if (s.coupon)
        j["coupon"] = {{"code", s.coupon->code},
                       {"reward", s.coupon->reward_name},
                       {"expires_at_ms", s.coupon->expires_at_ms},
                       {"qr_size", s.coupon->qr_modules.size()}};
    j["qr_size"] =
        view.qr_modules.size();  // the QR code drawn on this screen, modules a side (0: none)
    if (s.spin) {
        j["spin"] = {
            {"phase", spin_phase_name(s.spin->phase)}, {"prize", nullptr}, {"coupon", nullptr}};
        if (s.spin->prize)
            j["spin"]["prize"] = {{"index", s.spin->prize->index},
                                  {"id", s.spin->prize->id},
                                  {"kind", s.spin->prize->kind},
                                  {"points", s.spin->prize->points}};
        if (s.spin->coupon) j["spin"]["coupon"] = s.spin->coupon->code;
        j["spin"]["commitment"] = s.spin->commitment;
        constexpr const char* kVerdicts[] = {"unchecked", "verified", "mismatch"};
        j["spin"]["fairness"] = kVerdicts[static_cast<int>(s.spin->fairness.verdict)];
    }
    return j.dump();
}

}  // namespace kopilka::client
