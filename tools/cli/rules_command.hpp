// `kopilka rules`: a program's rules in plain words (shared/client/program_text.hpp), the
// text the widget's "rules" view and the console's preview show.
//
//   kopilka rules --program FILE.json [--lang ru|de|lv|en] [--assets DIR]
//                 [--format text|json]
//   kopilka rules --db FILE [--merchant ID] [--lang …] [--assets DIR] [--format text|json]
//
// --db reads the merchant's published program (default merchant "demo"). Prints the
// headings with their sentences, or with --format json {"sections": [{id, heading, items}]}.
// Exit status: 0 done; 1 a file or database could not be read; 2 a bad flag or program.
#pragma once

#include <map>
#include <string>

namespace kopilka::cli {

// flags: the --name value pairs after the command word, without the dashes.
int run_rules(std::map<std::string, std::string> flags);

}  // namespace kopilka::cli
