// Test support for the server tests: runs the real kopilka-server and kopilka binaries as
// child processes (fork/exec), gives each test a temp directory with a fresh SQLite file,
// and reads that file directly (sqlite3 C API) to check what the server stored.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

struct sqlite3;

namespace kopilka::test {

using Json = nlohmann::json;

// Paths of the binaries under test (compile definitions set by tests/server/CMakeLists.txt).
const char* server_binary();
const char* cli_binary();

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    void write(const std::string& name, const std::string& content) const;

private:
    std::string path_;
};

bool file_exists(const std::string& path);
std::string read_file(const std::string& path);

// A program run to completion: exit code (128+N when killed by signal N, -1 on timeout).
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
RunResult run_program(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// One kopilka-server child process. start() forks/execs it with --port 0 and waits for the
// "listening on http://HOST:PORT" line on its stdout; stdout and stderr are drained by a
// background thread and kept for assertions and failure messages. The destructor stops a
// server that is still running (SIGTERM, then SIGKILL).
class ServerProcess {
public:
    // args: flags after the binary, without --port; env: "NAME=value" for the server's environment.
    explicit ServerProcess(std::vector<std::string> args, std::vector<std::string> env = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // True once the server printed its listening line; false with *why (exit status, stderr)
    // if it exited or stayed silent for `timeout`.
    bool start(std::string* why, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Sends SIGTERM and reaps the process. Returns its exit code (128+N for signal N), or -1
    // if it did not exit within `timeout` (it is then killed with SIGKILL).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(2));
    // How long the last stop() took from the signal to the reaped exit.
    std::chrono::milliseconds stop_duration() const { return stop_duration_; }

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // A client for this server with short timeouts (each test's requests are tiny).
    std::unique_ptr<httplib::Client> client() const;

    std::string stdout_text() const;
    std::string stderr_text() const;
    // Waits until pred(stderr so far) holds; returns whether it did within `timeout`. pred
    // runs under the output lock: it must use its argument, not call back into this object.
    bool wait_for_stderr(const std::function<bool(const std::string&)>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2)) const;
    // The JSON objects among stderr's lines (request logs), in order.
    std::vector<Json> log_lines() const;
    // For failure messages: the command line, exit state and captured output.
    std::string describe() const;

private:
    void reader_loop(int out_fd, int err_fd);
    void reap_reader();

    std::vector<std::string> args_;
    std::vector<std::string> env_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::chrono::milliseconds stop_duration_{0};
    std::thread reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string out_;
    std::string err_;
    bool streams_closed_ = false;
};

// The JSON objects among the lines of `text` (a server's request logs), in order.
std::vector<Json> json_lines(const std::string& text);

// The demo merchant's cards as `kopilka cards --db FILE` lists them, keyed by member id.
struct DemoCard {
    std::string merchant;
    std::string member;
    std::string name;
    std::string card;  // EAN-13
    std::string qr;    // K1:DEMO:<ean13>:<MAC>
};
std::map<std::string, DemoCard> demo_cards(const std::string& db_path);

// A temp dir, a fresh database and a kopilka-server seeded with the demo data, started.
// Tests REQUIRE `ok`; `why` says what failed otherwise.
struct DemoServer {
    explicit DemoServer(std::vector<std::string> extra_args = {});
    TempDir dir;
    std::string db;
    std::unique_ptr<ServerProcess> server;
    bool ok = false;
    std::string why;
};

// TEST_CASE_FIXTURE(WithDemoServer, "…"): the test starts with `s` running, or stops at once
// saying why it didn't start.
struct WithDemoServer {
    WithDemoServer() { REQUIRE_MESSAGE(s.ok, s.why); }
    DemoServer s;
};

// Direct reads of an SQLite file (read-only connection; fine while the server runs in WAL).
class Db {
public:
    explicit Db(const std::string& path);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    std::vector<std::string> tables();  // user tables, sorted
    std::int64_t count(const std::string& table);
    std::map<std::string, std::int64_t> row_counts();  // every table
    // Every row of every table as text, for an exact "nothing changed" comparison; not
    // device_state, which every request of a kiosk may touch (when it was last seen).
    std::string dump();
    // The same for one merchant: the rows whose merchant_id is this one.
    std::string dump(const std::string& merchant_id);
    std::int64_t scalar(const std::string& sql, const std::vector<std::string>& params = {});
    std::string text(const std::string& sql, const std::vector<std::string>& params = {});
    // The member account's postings summed from the stored entries: the balance derived by hand
    // (INT64_MIN if the server's member_delta column disagrees).
    std::int64_t derived_balance(const std::string& merchant_id, const std::string& member_id);

private:
    ::sqlite3* db_ = nullptr;
};

// Percent-encoding for a query parameter value.
std::string url_encode(const std::string& s);

// Checks that j is exactly {"error":{"code":S,"message":S[,"field":S]}} (plus, where an
// answer documents them, "retry_after_s" or "current_version" as integers and "failures" as an
// array); returns "" when it is, otherwise what is wrong.
std::string error_shape_problem(const Json& j);

}  // namespace kopilka::test
