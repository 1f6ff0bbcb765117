// The kiosk's state as JSON, for end-to-end tests and diagnostics (window.kopilka.state()).
#pragma once

#include <string>

#include "client/kiosk_flow.hpp"
#include "client/kiosk_view.hpp"

namespace kopilka::client {

std::string encode_kiosk_state(const KioskFlow& flow, const KioskView& view);

}  // namespace kopilka::client
