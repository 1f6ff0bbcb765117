// The auditor: recomputes one member's ledger from its entries alone, with its own sums, and
// compares them with the ledger's running totals and its snapshot. Used by the tests (and
// cheap enough for the server to run after a restore).
#pragma once

#include <string>

#include "core/ledger/ledger.hpp"

namespace kopilka::ledger {

// "" when everything agrees, else the first discrepancy found, as a sentence naming the entry.
// Checks: ids unique and dated in order; each entry's postings balanced and shaped as its
// reason says; the trial balance zero; every account's balance; each batch's free and held
// points (never below zero on the way); debt = free points − member balance, ≥ 0, and only
// with no free points; reserved = held points = open reservations; reservation states; and
// the snapshot's sums and lifetime totals. A resumed ledger is recomputed from its checkpoint
// (Ledger::base()) and the entries since.
std::string audit(const Ledger& ledger);

}  // namespace kopilka::ledger
