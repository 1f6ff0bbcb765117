// `kopilka simulate` and `kopilka settle`: the console's simulator and the coalition's
// settlement statement on the command line. Only the core, the codec and nlohmann/json.
//
//   kopilka simulate --input FILE.json [--human]
//   kopilka simulate --price N --margin-bp N --rate-bp N --visits N [--breakage-bp N]
//                    [--comeback-bp N] [--customers N] [--currency RUB] [--human]
//   kopilka settle   --input FILE.json [--human]
//
// FILE "-" reads standard input. Prints the result JSON (codec/simulator_json.hpp,
// codec/settlement_json.hpp) on one line, or an aligned table with --human. Amounts are in
// minor units: --price 900000 is 9 000.00 RUB.
// Exit status: 0 done; 1 the input could not be read; 2 a bad flag, JSON or value, with a
// sentence on stderr that names the flag or the field ("partners[2].burned").
#pragma once

namespace kopilka::cli {

// argv as main() received it: argv[1] is the command word, flags start at argv[2].
int run_simulate(int argc, char** argv);
int run_settle(int argc, char** argv);

}  // namespace kopilka::cli
