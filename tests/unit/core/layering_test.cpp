// shared/core stays pure C++17: no platform or library headers. (Native only: the wasm
// build has no source tree to read.)
#ifndef __EMSCRIPTEN__
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

TEST_CASE("shared/core includes only the standard library and itself") {
    namespace fs = std::filesystem;
    const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
    const std::regex allowed_local(R"(^core/.*)");
    int files = 0;
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(KOPILKA_SOURCE_DIR) / "shared" / "core")) {
        if (!entry.is_regular_file()) continue;
        ++files;
        std::ifstream in(entry.path());
        std::string line;
        while (std::getline(in, line)) {
            std::smatch m;
            if (!std::regex_search(line, m, include)) continue;
            const std::string name = m[2];
            INFO(entry.path().string() << ": " << line);
            if (m[1] == "\"") CHECK(std::regex_match(name, allowed_local));
            else CHECK(name.find('/') == std::string::npos);  // <vector>, not <nlohmann/json.hpp>
            if (m[1] == "<")
                CHECK(name.find(".h") == std::string::npos);  // <cstdio>, not <stdio.h>
        }
    }
    CHECK(files > 5);
}
#endif
