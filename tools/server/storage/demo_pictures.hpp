// The demo program's reward pictures: PNG files as base64 (tools/demo/pictures.py draws them).
#pragma once

namespace kopilka::server {

extern const char* const kDemoCoffeePng;
extern const char* const kDemoCakePng;

}  // namespace kopilka::server
