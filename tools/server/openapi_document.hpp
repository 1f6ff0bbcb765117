// The OpenAPI 3 document of kopilka-server (tools/server/openapi.json, embedded at build time).
#pragma once

namespace kopilka::server {

const char* openapi_document();

}  // namespace kopilka::server
