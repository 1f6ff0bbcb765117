// What the console's flow and its sections (console_flow, console_program) share: a refusal as
// the server named it and what a section is busy with.
#pragma once

#include <cstdint>
#include <string>

namespace kopilka::client {

// A refusal or a failure as the server named it ({code, message, field}); code "offline" when
// no answer came. retry_after_s: a 429's wait.
struct ConsoleError {
    std::string code;
    std::string message;
    std::string field;
    std::int64_t retry_after_s = 0;
};

enum class ConsoleBusy : std::uint8_t { none, loading, saving, publishing };

}  // namespace kopilka::client
