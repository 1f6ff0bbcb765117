// kopilka quote --program P.json --receipt R.json [--member M.json] [--redeem N]
//               [--return Q1,Q2,…] [--locale ru|de|lv|en] [--assets DIR] [--human]
// Prints the quote as JSON (explanations with their text in the locale), or a table with
// --human. --return adds what returning those quantities per line would take back.
#pragma once

namespace kopilka::cli {

int run_quote(int argc, char** argv);  // argv[1] == "quote"

}  // namespace kopilka::cli
