// The PostgreSQL layer: tools/test.sh starts a throwaway cluster (tools/pg.sh) and passes
// its URL in KOPILKA_TEST_PG_URL. Without it (a developer running this binary by hand) the
// test says so and fails, rather than passing without having looked.
#include <doctest/doctest.h>

#include <cstdlib>

#include "server_process.hpp"

using namespace kopilka::test;

TEST_CASE("PostgreSQL: libpqxx connects to the throwaway cluster and sees serialization failures") {
    const char* url = std::getenv("KOPILKA_TEST_PG_URL");
    REQUIRE_MESSAGE(url != nullptr,
                    "KOPILKA_TEST_PG_URL is not set: run tools/test.sh, or tools/pg.sh start DIR");
    const RunResult r = run_program({KOPILKA_PG_PROBE_BIN, url}, std::chrono::seconds(30));
    INFO("pg_probe stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    const auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].dump().find("40001") !=
          std::string::npos);  // a SERIALIZABLE conflict was observed
}
