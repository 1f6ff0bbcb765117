// What the kiosk reads from the server besides member snapshots: its configuration
// (GET /v1/kiosk/config) and the answers to a spin or a redemption. The types and their
// codecs live in codec/kiosk_json.hpp, shared with the server; these are their names here.
#pragma once

#include "codec/kiosk_json.hpp"

namespace kopilka::client {

using codec::CouponView;
using codec::decode_kiosk_config;
using codec::decode_operation_answer;
using codec::decode_qr_modules;
using codec::encode_kiosk_config;
using codec::KioskConfig;
using codec::OperationAnswer;
using codec::PrizeView;
using codec::qr_modules_max;
using codec::WheelPrizeView;
using codec::WheelView;

}  // namespace kopilka::client
