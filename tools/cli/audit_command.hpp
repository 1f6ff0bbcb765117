// `kopilka audit`: every member's ledger checkpoint against its entries, the append-only truth.
//
//   kopilka audit --db FILE|URL [--merchant CODE]
//
// For each member (of one merchant, or of all): restores the ledger from all its entries,
// runs the ledger's own auditor on it, recomputes the checkpoint over the entries the stored
// one covers and prints every field that differs, one line each naming merchant, member and
// field; then counts the entries that changed the balance again and names the first whose
// stored number (member_entries.history_no, what history pages count by) differs. A member without
// a checkpoint (stored before checkpoints, or imported) is counted, not a difference: the server
// restores it from its entries and saves one on its next write. Then one summary line. Exit status:
// 0 all agree; 1 a difference, or the database could not be read; 2 a bad command line.
#pragma once

namespace kopilka::cli {

int run_audit(int argc, char** argv);

}  // namespace kopilka::cli
