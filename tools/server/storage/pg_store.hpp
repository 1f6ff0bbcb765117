// PostgreSQL storage adapter (libpqxx 6.4), behind the same Store interface as SQLite.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace kopilka::server {

// Connects to a postgresql:// (or postgres://) URL and brings the schema up to date (the
// same baseline and migrations as SQLite's, sql_store.hpp, applied once under an advisory
// lock). Throws std::runtime_error with a clear message when the URL can't be used.
std::unique_ptr<Store> open_pg_store(const std::string& url);

}  // namespace kopilka::server
