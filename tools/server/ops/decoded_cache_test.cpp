// Tests of the decoded-document cache: one decode per (key, text), what makes it decode again,
// its bounds, and many threads at once.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "decoded_cache.hpp"

using namespace kopilka::server;

namespace {
// A stand-in decoder that counts its calls: the "decoded" value is the text's length.
struct Counting {
    std::atomic<int> calls{0};
    std::shared_ptr<const std::size_t> operator()(const std::string& text) {
        ++calls;
        return std::make_shared<const std::size_t>(text.size());
    }
};

std::size_t get(DecodedCache& c, Counting& decoder, const DecodedKey& k, const std::string& text) {
    return *c.get<std::size_t>(k, text, [&] { return decoder(text); });
}

const DecodedKey v1{"demo", "program", "", 1};
const DecodedKey v2{"demo", "program", "", 2};
}  // namespace

TEST_CASE("a stored version is decoded once, each new version once more") {
    DecodedCache c;
    Counting decoder;
    const std::string a = "{\"earn_bp\":500}", b = "{\"earn_bp\":70}";
    for (int i = 0; i < 5; ++i) CHECK(get(c, decoder, v1, a) == a.size());
    CHECK(decoder.calls == 1);
    CHECK(get(c, decoder, v2, b) == b.size());
    CHECK(get(c, decoder, v1, a) == a.size());  // still kept: a receipt dated before v2
    CHECK(decoder.calls == 2);
    const DecodedCacheStats s = c.stats();
    CHECK(s.hits == 5);
    CHECK(s.misses == 2);
    CHECK(s.entries == 2);
    CHECK(s.text_bytes == a.size() + b.size());
}

TEST_CASE("the same key with another text decodes again (a document deleted and created again)") {
    DecodedCache c;
    Counting decoder;
    const DecodedKey theme{"demo", "theme", "night", 1};
    CHECK(get(c, decoder, theme, "{\"a\":1}") == 7);
    CHECK(get(c, decoder, theme, "{\"ab\":12}") == 9);
    CHECK(get(c, decoder, theme, "{\"ab\":12}") == 9);
    CHECK(decoder.calls == 2);
    CHECK(c.stats().entries == 1);
}

TEST_CASE("keys differ by every part, and the type asked for is part of the match") {
    DecodedCache c;
    Counting decoder;
    const std::string text = "{}";
    for (const DecodedKey& k :
         {DecodedKey{"demo", "wheel", "w", 1}, DecodedKey{"other", "wheel", "w", 1},
          DecodedKey{"demo", "theme", "w", 1}, DecodedKey{"demo", "wheel", "x", 1},
          DecodedKey{"demo", "wheel", "w", 2}, DecodedKey{"demow", "heel", "w", 1}})
        get(c, decoder, k, text);
    CHECK(decoder.calls == 6);
    const auto as_text = c.get<std::string>(DecodedKey{"demo", "wheel", "w", 1}, text, [] {
        return std::make_shared<const std::string>("decoded as text");
    });
    CHECK(*as_text == "decoded as text");
    CHECK(c.stats().hits == 0);
}

TEST_CASE("a text that doesn't decode is not kept: it is tried again") {
    DecodedCache c;
    int calls = 0;
    for (int i = 0; i < 3; ++i)
        CHECK(!c.get<int>(v1, "not json", [&] {
            ++calls;
            return std::shared_ptr<const int>();
        }));
    CHECK(calls == 3);
    CHECK(c.stats().entries == 0);
}

TEST_CASE("at most entries_max entries; the least recently used goes first") {
    DecodedCache c(DecodedCacheOptions{2, 1 << 20});
    Counting decoder;
    const DecodedKey a{"m", "wheel", "a", 1}, b{"m", "wheel", "b", 1}, d{"m", "wheel", "d", 1};
    get(c, decoder, a, "a");
    get(c, decoder, b, "b");
    get(c, decoder, a, "a");  // a is now the most recent
    get(c, decoder, d, "d");  // b goes
    CHECK(decoder.calls == 3);
    get(c, decoder, a, "a");
    CHECK(decoder.calls == 3);
    get(c, decoder, b, "b");
    CHECK(decoder.calls == 4);
    CHECK(c.stats().entries == 2);
    CHECK(c.stats().evictions == 2);
}

TEST_CASE("at most text_bytes_max bytes of text, but the newest entry stays") {
    DecodedCache c(DecodedCacheOptions{100, 10});
    Counting decoder;
    get(c, decoder, v1, "123456");
    get(c, decoder, v2, "123456");  // 12 bytes: version 1 goes
    CHECK(c.stats().entries == 1);
    CHECK(c.stats().text_bytes == 6);
    const DecodedKey big{"m", "theme", "big", 1};
    CHECK(get(c, decoder, big, std::string(50, 'x')) == 50);
    CHECK(c.stats().entries == 1);
    CHECK(get(c, decoder, big, std::string(50, 'x')) == 50);
    CHECK(decoder.calls == 3);
}

TEST_CASE("many threads share entries and always get the value of the text they asked for") {
    DecodedCache c(DecodedCacheOptions{6, 1 << 20});  // fewer entries than keys: evictions too
    Counting decoder;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                const int n = (i * 7 + t) % 8;
                const std::string text(static_cast<std::size_t>(n + 1), 'x');
                if (get(c, decoder, DecodedKey{"m", "wheel", std::to_string(n), 1}, text) !=
                    text.size())
                    ++wrong;
            }
        });
    for (auto& th : threads) th.join();
    CHECK(wrong == 0);
    const DecodedCacheStats s = c.stats();
    CHECK(s.hits + s.misses == 8000);
    CHECK(s.misses == static_cast<std::uint64_t>(decoder.calls.load()));
    CHECK(s.entries <= 6);
}
