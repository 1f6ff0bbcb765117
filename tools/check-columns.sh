#!/usr/bin/env bash
# Lists every line longer than .clang-format's ColumnLimit (100) in the C and C++ sources and
# CMake files git tracks, as FILE:LINE: COLUMNS, and exits 1 if there is one. Columns are
# characters, not bytes, so a Cyrillic string counts as it looks.
#   tools/check-columns.sh [PATH…]        check these files or folders only
#   tools/check-columns.sh --fix [PATH…]  let clang-format rewrap just the long C++ lines (one
#                                         --lines range each), leaving the rest of a file as it
#                                         is; what it can't wrap (CMake) is listed after
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fix=0
if [ "${1:-}" = "--fix" ]; then fix=1; shift; fi
limit="$(sed -nE 's/^ColumnLimit: *([0-9]+).*/\1/p' .clang-format)"

long_lines() {
  git ls-files -z -- "$@" | grep -zE '(\.(cpp|hpp|h|cpp\.in|cmake)|CMakeLists\.txt)$' |
    xargs -0 -r perl -CSD -ne '
      BEGIN { $limit = shift @ARGV; $found = 0 }
      chomp;
      if (length($_) > $limit) { print "$ARGV:$.: ", length($_), " columns\n"; $found++ }
      close ARGV if eof;   # line numbers start again in the next file
      END { print STDERR "$found lines longer than $limit columns\n" if $found; exit($found ? 1 : 0) }
    ' "$limit"
}

if [ "$fix" = 1 ]; then
  { long_lines "$@" 2>/dev/null || true; } | sed -nE 's/^(.*\.(cpp|hpp|h)):([0-9]+):.*/\1 \3/p' |
    awk '{ ranges[$1] = ranges[$1] " --lines=" $2 ":" $2 } END { for (f in ranges) print f ranges[f] }' |
    while read -r file ranges; do
      # shellcheck disable=SC2086  # one word per --lines range
      clang-format -i $ranges "$file"
    done
fi
long_lines "$@"
