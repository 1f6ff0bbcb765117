#include <doctest/doctest.h>

#include <string>

#include "core/crypto/sha256.hpp"

using namespace kopilka::crypto;

namespace {
std::string hex(const Digest& d) { return to_hex(d.data(), d.size()); }
}

TEST_CASE("SHA-256 matches the FIPS 180-4 test vectors") {
    CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    Sha256 h;  // a million 'a', fed in uneven pieces
    const std::string chunk(997, 'a');
    std::size_t fed = 0;
    while (fed + chunk.size() <= 1000000) { h.update(chunk); fed += chunk.size(); }
    h.update(std::string(1000000 - fed, 'a'));
    CHECK(hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231") {
    CHECK(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // test case 6: a key longer than the block is hashed first
    CHECK(hex(hmac_sha256(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First")) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("base32 and constant-time comparison") {
    const std::uint8_t bytes[] = {0xff, 0x00, 0x10};
    CHECK(to_base32(bytes, 3) == "ZW010");
    CHECK(to_base32(bytes, 0).empty());
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
}

TEST_CASE("a typed base32 code is read as Crockford means it") {
    CHECK(fold_typed_base32("ab-cd ef\tgh") == "ABCDEFGH");
    CHECK(fold_typed_base32("o0 iIlL") == "001111");  // O is 0; I and L are 1
    CHECK(fold_typed_base32("ä?") == "ä?");  // left for the caller to refuse
    for (int i = 0; i < 32; ++i) CHECK(base32_value(base32_alphabet[i]) == i);
    CHECK(base32_value('U') == -1);
    CHECK(base32_value('o') == -1);
}
