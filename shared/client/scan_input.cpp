#include "client/scan_input.hpp"

#include <algorithm>

namespace kopilka::client {

namespace {
constexpr std::string_view kSourceNames[] = {"camera", "wedge", "keypad"};
}

std::string_view scan_source_name(ScanSource s) { return kSourceNames[static_cast<int>(s)]; }

std::optional<ScanSource> scan_source_from_name(std::string_view name) {
    for (int i = 0; i < 3; ++i)
        if (kSourceNames[i] == name) return static_cast<ScanSource>(i);
    return std::nullopt;
}

void WedgeDetector::key(char c, std::int64_t now_ms) {
    if (!buffer_.empty() && now_ms - last_key_ms_ > options_.held_gap_ms_max) {
        // A long silence: whatever came before was typed by hand. Start a new burst here.
        buffer_.clear();
        human_ = false;
        slow_gaps_ = 0;
    } else if (!buffer_.empty() && now_ms - last_key_ms_ > options_.key_gap_ms_max) {
        ++slow_gaps_;
    }
    if (buffer_.size() >= options_.burst_chars_max) human_ = true;  // not a card: too long
    else buffer_ += c;
    last_key_ms_ = now_ms;
}

std::optional<std::string> WedgeDetector::finish() {
    std::optional<std::string> out;
    const std::size_t slow_gaps_max = std::max<std::size_t>(1, buffer_.size() / 8);
    if (!human_ && slow_gaps_ <= slow_gaps_max && buffer_.size() >= options_.burst_chars_min)
        out = buffer_;
    buffer_.clear();
    human_ = false;
    slow_gaps_ = 0;
    return out;
}

std::optional<std::string> WedgeDetector::enter(std::int64_t now_ms) {
    if (buffer_.empty()) return std::nullopt;
    if (now_ms - last_key_ms_ > options_.held_gap_ms_max) human_ = true;
    else if (now_ms - last_key_ms_ > options_.key_gap_ms_max) ++slow_gaps_;
    return finish();
}

std::optional<std::string> WedgeDetector::poll(std::int64_t now_ms) {
    if (buffer_.empty() || now_ms - last_key_ms_ < options_.suffixless_end_ms) return std::nullopt;
    return finish();
}

bool KeypadBuffer::press(char c) {
    if (text.size() >= digits_max) return false;
    if (c == '+' && text.empty()) {
        text += c;
        return true;
    }
    if (c < '0' || c > '9') return false;
    text += c;
    return true;
}

void KeypadBuffer::backspace() {
    if (!text.empty()) text.pop_back();
}

}  // namespace kopilka::client
