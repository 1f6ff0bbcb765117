// Ledger entries ⇄ JSON: how the server stores a member's entries and restores them.
// Lossless: decode(encode(e)) == e field by field, so ledger::restore() sees what was written.
#pragma once

#include "codec/decode.hpp"
#include "core/ledger/entry.hpp"
#include "core/ledger/ledger.hpp"

namespace kopilka::codec {

Json encode_entry(const ledger::Entry& e);
// encode_entry(e).dump(), byte for byte, written straight without the DOM.
std::string entry_text(const ledger::Entry& e);
Decoded<ledger::Entry> decode_entry(const Json& j, std::string_view path = "entry");

// A member's checkpoint as the server stores it next to the entries (member_state.body):
// lossless like the entries, so a resume continues exactly where the writer stopped.
Json encode_checkpoint(const ledger::Checkpoint& c);
// encode_checkpoint(c).dump(), byte for byte, written straight without the DOM: every write of
// a member's stores it, and she may hold thousands of batches.
std::string checkpoint_text(const ledger::Checkpoint& c);
Decoded<ledger::Checkpoint> decode_checkpoint(const Json& j, std::string_view path = "checkpoint");
// decode_checkpoint() of the text parsed, read straight from the text when it is as
// checkpoint_text() writes it (else its batches straight and the rest through the DOM when
// only they are, and for any error through the DOM, which names the field).
Decoded<ledger::Checkpoint> checkpoint_from_text(std::string_view text);

// A member's snapshot as the server stores it beside the checkpoint (member_state.points), for
// the reads inside its window (Ledger::next_change_ms); as_of_ms is not stored, the reader sets
// it. The expiring and history lines as snapshot() with default options gives them.
Json encode_points(const ledger::Snapshot& s);
// encode_points(s).dump(), byte for byte, written straight without the DOM.
std::string points_text(const ledger::Snapshot& s);
Decoded<ledger::Snapshot> decode_points(const Json& j, std::string_view path = "points");
// decode_points() of the text parsed, read straight from the text when it is as
// encode_points().dump() writes it (else, and for any error, through the DOM).
Decoded<ledger::Snapshot> points_from_text(std::string_view text);

class ObjectReader;
// Reads "operation_id", a write's idempotency key: 32 hex digits, not all zero.
void read_operation_id(ObjectReader& r, ledger::EntryId* out);

}  // namespace kopilka::codec
