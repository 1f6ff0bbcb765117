// Stored JSON documents decoded through the process's cache (ops/decoded_cache.hpp): every
// route that needs a merchant's program, theme, wheel or settings reads the stored row as
// before and decodes it here, so each stored version is decoded once per process.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "codec/decode.hpp"
#include "decoded_cache.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

// text decoded by decode (JSON → codec::Decoded<T>), kept under key; nullptr with *error when
// it doesn't decode.
template <class T, class Decode>
std::shared_ptr<const T> decode_cached(const DecodedKey& key, const std::string& text,
                                       Decode&& decode, codec::DecodeError* error = nullptr) {
    return decoded_cache().get<T>(key, text, [&]() -> std::shared_ptr<const T> {
        codec::DecodeError e;
        const auto j = codec::parse_json(text, &e);
        codec::Decoded<T> d = j ? decode(*j) : codec::Decoded<T>{std::nullopt, e};
        if (!d.ok()) {
            if (error) *error = d.error;
            return nullptr;
        }
        return std::make_shared<const T>(std::move(*d.value));
    });
}

// A stored document of any kind, kept under its merchant, kind, id and version.
template <class T, class Decode>
std::shared_ptr<const T> decode_document(const DocumentRecord& d, Decode&& decode) {
    return decode_cached<T>({d.merchant_id, d.kind, d.doc_id, d.version}, d.document,
                            std::forward<Decode>(decode));
}

}  // namespace kopilka::server
