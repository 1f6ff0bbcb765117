#!/usr/bin/env bash
# Lists every line longer than the limit (default: .clang-format's ColumnLimit, 100) in the
# C and C++ sources and CMake files git tracks, as FILE:LINE: COLUMNS, and exits 1 if there is
# one. Columns are characters, not bytes, so a Cyrillic string counts as it looks.
# To fix a file without reformatting what is already within the limit:
#   clang-format -i --lines=N:N … FILE   (one --lines per long line)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
limit="${1:-$(sed -nE 's/^ColumnLimit: *([0-9]+).*/\1/p' .clang-format)}"
git ls-files -z '*.cpp' '*.hpp' '*.h' '*.cpp.in' 'CMakeLists.txt' '*/CMakeLists.txt' '*.cmake' |
  xargs -0 -r perl -CSD -ne '
    BEGIN { $limit = shift @ARGV; $found = 0 }
    chomp;
    if (length($_) > $limit) { print "$ARGV:$.: ", length($_), " columns\n"; $found++ }
    close ARGV if eof;   # line numbers start again in the next file
    END { print STDERR "$found lines longer than $limit columns\n" if $found; exit($found ? 1 : 0) }
  ' "$limit"
