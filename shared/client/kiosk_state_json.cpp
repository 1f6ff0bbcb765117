#include "client/kiosk_state_json.hpp"

#include "codec/member_json.hpp"

namespace kopilka::client {

std::string encode_kiosk_state(const KioskFlow& flow, const KioskView& view) {
    const KioskState& s = flow.state();
    codec::Json j = {
        {"screen", screen_name(s.screen)},
        {"scanning", flow.wants_camera()},
        {"locale", i18n::locale_tag(s.locale)},
        {"keypad_open", s.keypad_open},
        {"keypad", s.keypad.text},
        {"last_source", scan_source_name(s.last_source)},
        {"revision", flow.revision()},
        {"mirror", mirror_text(view)},
        {"member", nullptr},
        {"error", nullptr},
    };
    if (s.member) j["member"] = codec::encode_member(*s.member);
    if (s.error) j["error"] = {{"code", s.error->code}, {"message", s.error->message}};
    return j.dump();
}

}  // namespace kopilka::client
