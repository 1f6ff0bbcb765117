// POST /v1/members/lookup (and GET ?code=): the member snapshot for a scanned card code.
#pragma once

#include <cstdint>
#include <string>

#include "codec/decode.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

struct ApiResult {
    int status = 200;
    codec::Json body;
    std::string merchant_id;  // for the request log, when known
};

ApiResult lookup_member(Store& store, const std::string& code_text, std::int64_t now_ms);

}  // namespace kopilka::server
