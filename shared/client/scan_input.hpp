// Scan input normalisation: the three ways a card reaches the kiosk become one text.
//   - camera: zxing-wasm text, passed through as is;
//   - keyboard wedge: a USB scanner "types" the code as a fast key burst, usually ending in
//     Enter. WedgeDetector tells such bursts from a person typing by the gaps between keys;
//   - keypad: the big on-screen keypad collects digits in KeypadBuffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kopilka::client {

enum class ScanSource : std::uint8_t { camera, wedge, keypad };
std::string_view scan_source_name(ScanSource s);
std::optional<ScanSource> scan_source_from_name(std::string_view name);

struct WedgeOptions {
    std::int64_t key_gap_ms_max = 50;    // a scanner types faster than this between keys
    // A busy page (a frame being drawn) holds a key back now and then: one gap in eight (at
    // least one per burst) may be slower, up to this; a longer silence starts a new burst.
    std::int64_t held_gap_ms_max = 250;
    std::size_t burst_chars_min = 6;     // shorter bursts are someone pressing keys
    std::int64_t suffixless_end_ms = 120;  // burst without Enter ends after this silence
    std::size_t burst_chars_max = 128;
};

class WedgeDetector {
public:
    explicit WedgeDetector(WedgeOptions options = {}) : options_(options) {}
    // One printable character (ASCII) typed at now_ms. Returns nothing: text comes out of
    // enter() or poll().
    void key(char c, std::int64_t now_ms);
    // Enter pressed: the burst so far, if it was a scanner's.
    std::optional<std::string> enter(std::int64_t now_ms);
    // Call regularly: ends a burst that came without Enter once the keys stop.
    std::optional<std::string> poll(std::int64_t now_ms);
    bool in_burst() const { return !buffer_.empty(); }

private:
    std::optional<std::string> finish();
    WedgeOptions options_;
    std::string buffer_;
    std::int64_t last_key_ms_ = 0;
    bool human_ = false;  // not a scanner's burst, whatever follows
    std::size_t slow_gaps_ = 0;  // gaps over key_gap_ms_max in this burst
};

struct KeypadBuffer {
    static constexpr std::size_t digits_max = 19;
    std::string text;
    bool press(char c);  // '0'-'9' (and '+' first); false when refused
    void backspace();
    void clear() { text.clear(); }
};

}  // namespace kopilka::client
