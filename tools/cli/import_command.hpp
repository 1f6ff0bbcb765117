// `kopilka import members`: members and their opening balances from a CSV file into a
// merchant's database, the same checks and the same job as POST /v1/admin/imports
// (api/admin_import.hpp describes the file).
//
//   kopilka import members FILE.csv --db FILE|URL --merchant ID [--dry-run]
//
// --dry-run checks every row and prints {"rows_total", "rows_bad", "errors": [{line, column,
// message}], …} without writing. Otherwise the import runs as a stored job, here in this
// process: a progress bar on a terminal (plain lines at every tenth otherwise), then the
// job as one JSON line. Running the same file again changes nothing.
// Exit status: 0 done (bad rows are listed, not fatal); 1 the file or database could not be
// read, or the job failed; 2 a bad command line.
#pragma once

namespace kopilka::cli {

int run_import(int argc, char** argv);

}  // namespace kopilka::cli
