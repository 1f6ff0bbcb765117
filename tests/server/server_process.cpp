#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/url.hpp"

extern char** environ;

namespace kopilka::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* server_binary() { return KOPILKA_SERVER_BIN; }
const char* cli_binary() { return KOPILKA_CLI_BIN; }

// ---------------------------------------------------------------------------------------
// Files

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/kopilka-server-test-XXXXXX";
    if (!mkdtemp(templ.data()))
        throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& content) const {
    std::ofstream f(file(name), std::ios::binary);
    f << content;
    if (!f) throw std::runtime_error("cannot write " + file(name));
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// ---------------------------------------------------------------------------------------
// Processes

namespace {

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string status_text(int code) {
    if (code == -1) return "did not exit in time (killed)";
    if (code > 128) return "killed by signal " + std::to_string(code - 128);
    return "exit code " + std::to_string(code);
}

std::string join_args(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

// fork/exec with stdin from /dev/null and stdout/stderr into pipes. The child gets the
// parent's environment minus KOPILKA_* (the server reads flags from there) plus extra_env
// ("NAME=value"), default signal handling, no inherited descriptors, and dies with the test
// process.
pid_t spawn(const std::vector<std::string>& argv, int* out_fd, int* err_fd,
            const std::vector<std::string>& extra_env = {}) {
    // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "KOPILKA_", 8) != 0) env.push_back(*e);
    for (const auto& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    const pid_t parent = getpid();

    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        throw std::runtime_error("pipe2 failed");
    }
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
        throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(126);
        const int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close_range(3, ~0U, 0);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGPIPE, SIGTERM, SIGINT}) sigaction(sig, &dfl, nullptr);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execve(args[0], args.data(), env.data());
        const char msg[] = "spawn: execve failed\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

// Reads what is available on fd into *to; closes the fd and sets it to -1 at EOF.
void drain(int* fd, std::string* to) {
    char buf[8192];
    const ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
        to->append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

int wait_exit(pid_t pid, Clock::time_point deadline) {  // -1: still running at the deadline
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return exit_code_of(status);
        if (r < 0 && errno != EINTR) return -2;
        if (Clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

// Waits up to timeout_ms (-1: for ever) until one of the open pipes (fd >= 0) can be read,
// then calls ready(i) for each that can; false when poll failed.
bool poll_pipes(const int fds[2], int timeout_ms, const std::function<void(int)>& ready) {
    pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i)
        if (fds[i] >= 0) {
            p[n] = {fds[i], POLLIN, 0};
            which[n++] = i;
        }
    if (poll(p, n, timeout_ms) < 0) return errno == EINTR;
    for (nfds_t k = 0; k < n; ++k)
        if (p[k].revents) ready(which[k]);
    return true;
}

}  // namespace

RunResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    RunResult r;
    int fds[2] = {-1, -1};
    const pid_t pid = spawn(argv, &fds[0], &fds[1]);
    const auto deadline = Clock::now() + timeout;
    std::string* sinks[2] = {&r.out, &r.err};
    while (fds[0] >= 0 || fds[1] >= 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        if (!poll_pipes(fds, static_cast<int>(left), [&](int i) { drain(&fds[i], sinks[i]); }))
            break;
    }
    for (int fd : fds)
        if (fd >= 0) close(fd);
    r.exit_code = wait_exit(pid, deadline);
    if (r.exit_code == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        r.err += "\n[test: " + join_args(argv) + " timed out and was killed]";
    }
    return r;
}

ServerProcess::ServerProcess(std::vector<std::string> args, std::vector<std::string> env)
    : args_(std::move(args)), env_(std::move(env)) {}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) stop(std::chrono::seconds(5));
    reap_reader();
}

bool ServerProcess::start(std::string* why, std::chrono::milliseconds timeout) {
    std::vector<std::string> argv = {server_binary(), "--port", "0"};
    argv.insert(argv.end(), args_.begin(), args_.end());
    int out_fd = -1, err_fd = -1;
    try {
        pid_ = spawn(argv, &out_fd, &err_fd, env_);
    } catch (const std::exception& e) {
        *why = e.what();
        return false;
    }
    reader_ = std::thread([this, out_fd, err_fd] { reader_loop(out_fd, err_fd); });

    const std::string marker = "listening on http://";
    std::string line;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait_for(lock, timeout, [&] {
            const auto at = out_.find(marker);
            if (at != std::string::npos && out_.find('\n', at) != std::string::npos) {
                line = out_.substr(at, out_.find('\n', at) - at);
                return true;
            }
            return streams_closed_;
        });
    }
    if (!line.empty()) {
        const auto colon = line.rfind(':');
        port_ = std::atoi(line.c_str() + colon + 1);
        if (port_ > 0 && port_ < 65536) return true;
    }
    const int code = stop(std::chrono::milliseconds(500));
    *why = "kopilka-server did not report a port (" +
           (line.empty() ? std::string("no listening line") : "bad line '" + line + "'") + ", " +
           status_text(code) + ")\n" + describe();
    return false;
}

void ServerProcess::reader_loop(int out_fd, int err_fd) {
    int fds[2] = {out_fd, err_fd};
    std::string chunk[2];
    while (fds[0] >= 0 || fds[1] >= 0) {
        const bool polled = poll_pipes(fds, -1, [&](int i) {
            chunk[i].clear();
            drain(&fds[i], &chunk[i]);
            if (!chunk[i].empty()) {
                std::lock_guard<std::mutex> lock(mutex_);
                (i == 0 ? out_ : err_) += chunk[i];
            }
        });
        if (!polled) break;
        changed_.notify_all();
    }
    for (int fd : fds)
        if (fd >= 0) close(fd);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        streams_closed_ = true;
    }
    changed_.notify_all();
}

void ServerProcess::reap_reader() {
    if (reader_.joinable()) reader_.join();
}

int ServerProcess::stop(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -2;
    const auto t0 = Clock::now();
    kill(pid_, SIGTERM);
    int code = wait_exit(pid_, t0 + timeout);
    stop_duration_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    if (code == -1) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    reap_reader();  // the pipes close with the process
    {
        std::lock_guard<std::mutex> lock(mutex_);
        err_ += "\n[test: kopilka-server " + status_text(code) + " after SIGTERM, " +
                std::to_string(stop_duration_.count()) + " ms]\n";
    }
    return code;
}

std::unique_ptr<httplib::Client> ServerProcess::client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_connection_timeout(2, 0);
    c->set_read_timeout(5, 0);
    c->set_write_timeout(5, 0);
    return c;
}

std::string ServerProcess::stdout_text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return out_;
}

std::string ServerProcess::stderr_text() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return err_;
}

bool ServerProcess::wait_for_stderr(const std::function<bool(const std::string&)>& pred,
                                    std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return streams_closed_ || pred(err_); });
    return pred(err_);
}

std::vector<Json> ServerProcess::log_lines() const { return json_lines(stderr_text()); }

std::vector<Json> json_lines(const std::string& text) {
    std::vector<Json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '{') continue;
        Json j = Json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
    }
    return out;
}

std::string ServerProcess::describe() const {
    std::string cmd = std::string(server_binary()) + " --port 0";
    for (const auto& a : args_) cmd += " " + a;
    std::lock_guard<std::mutex> lock(mutex_);
    return "command: " + cmd + "\n--- stdout ---\n" + out_ + "\n--- stderr ---\n" + err_;
}

// ---------------------------------------------------------------------------------------
// Demo fixture

std::map<std::string, DemoCard> demo_cards(const std::string& db_path) {
    const RunResult r = run_program({cli_binary(), "cards", "--db", db_path});
    if (r.exit_code != 0) throw std::runtime_error("kopilka cards failed: " + r.err);
    std::map<std::string, DemoCard> out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const Json j = Json::parse(line);
        DemoCard c{j.at("merchant"), j.at("member"), j.at("name"), j.at("card"), j.at("qr")};
        out[c.member] = c;
    }
    return out;
}

DemoServer::DemoServer(std::vector<std::string> extra_args) {
    db = dir.file("kopilka.sqlite");
    std::vector<std::string> args = {"--db", db, "--seed-demo"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    server = std::make_unique<ServerProcess>(std::move(args));
    ok = server->start(&why);
}

// ---------------------------------------------------------------------------------------
// Database inspection

namespace {
struct Stmt {
    sqlite3_stmt* s = nullptr;
    Stmt(sqlite3* db, const std::string& sql, const std::vector<std::string>& params = {}) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error("sqlite prepare '" + sql + "': " + sqlite3_errmsg(db));
        for (std::size_t i = 0; i < params.size(); ++i)
            sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    ~Stmt() { sqlite3_finalize(s); }
    bool step() {
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("sqlite step: ") +
                                 sqlite3_errmsg(sqlite3_db_handle(s)));
    }
    std::string text(int col) {
        const auto* p = sqlite3_column_text(s, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(s, col)))
                 : "<null>";
    }
};
}  // namespace

Db::Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("cannot open " + path + " read-only: " + msg);
    }
    sqlite3_busy_timeout(db_, 2000);
}

Db::~Db() { sqlite3_close(db_); }

std::vector<std::string> Db::tables() {
    Stmt s(db_,
           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER "
           "BY name");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
}

std::int64_t Db::count(const std::string& table) {
    return scalar("SELECT COUNT(*) FROM \"" + table + "\"");
}

std::map<std::string, std::int64_t> Db::row_counts() {
    std::map<std::string, std::int64_t> out;
    for (const auto& t : tables()) out[t] = count(t);
    return out;
}

std::string Db::dump() { return dump(""); }

std::string Db::dump(const std::string& merchant_id) {
    std::string out;
    for (const auto& t : tables()) {
        if (t == "device_state") continue;  // when each kiosk was last seen: not data
        if (!merchant_id.empty()) {
            Stmt has(db_, "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = 'merchant_id'",
                     {t});
            if (!has.step() || sqlite3_column_int64(has.s, 0) == 0) continue;
        }
        Stmt s(
            db_,
            "SELECT * FROM \"" + t + "\"" + (merchant_id.empty() ? "" : " WHERE merchant_id = ?1"),
            merchant_id.empty() ? std::vector<std::string>{}
                                : std::vector<std::string>{merchant_id});
        std::vector<std::string> rows;
        while (s.step()) {
            std::string row;
            for (int c = 0; c < sqlite3_column_count(s.s); ++c) row += s.text(c) + '\x1f';
            rows.push_back(row);
        }
        std::sort(rows.begin(), rows.end());
        out += "[" + t + "]\n";
        for (const auto& r : rows) out += r + "\n";
    }
    return out;
}

std::int64_t Db::scalar(const std::string& sql, const std::vector<std::string>& params) {
    Stmt s(db_, sql, params);
    if (!s.step()) throw std::runtime_error("no row from " + sql);
    return sqlite3_column_int64(s.s, 0);
}

std::string Db::text(const std::string& sql, const std::vector<std::string>& params) {
    Stmt s(db_, sql, params);
    if (!s.step()) throw std::runtime_error("no row from " + sql);
    return s.text(0);
}

std::int64_t Db::derived_balance(const std::string& merchant_id, const std::string& member_id) {
    // The member account's postings, read out of the stored entries; the member_delta
    // column the server keeps must agree with them.
    const std::int64_t from_postings = scalar(
        "SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0) FROM member_entries e, "
        "json_each(e.body, '$.postings') p "
        "WHERE e.merchant_id = ?1 AND e.member_id = ?2 AND json_extract(p.value, '$.account') = "
        "'member'",
        {merchant_id, member_id});
    const std::int64_t from_column = scalar(
        "SELECT COALESCE(SUM(member_delta), 0) FROM member_entries WHERE merchant_id = ?1 AND "
        "member_id = ?2",
        {merchant_id, member_id});
    return from_postings == from_column ? from_postings : INT64_MIN;
}

// ---------------------------------------------------------------------------------------
// HTTP helpers

std::string url_encode(const std::string& s) {
    return url_component(s);
}

std::string error_shape_problem(const Json& j) {
    if (!j.is_object()) return "body is not a JSON object: " + j.dump();
    if (j.size() != 1 || !j.contains("error"))
        return "body must have exactly one key \"error\": " + j.dump();
    const Json& e = j["error"];
    if (!e.is_object()) return "error is not an object: " + j.dump();
    for (const auto& [key, value] : e.items()) {
        // What a few answers add (tools/server/openapi/console.json): how long to wait, the
        // version stored now, the contrast pairs that failed.
        if ((key == "retry_after_s" || key == "current_version") && value.is_number_integer() &&
            value.get<std::int64_t>() >= 0)
            continue;
        if (key == "failures" && value.is_array()) continue;
        if (key != "code" && key != "message" && key != "field")
            return "unexpected key error." + key + ": " + j.dump();
        if (!value.is_string() || value.get<std::string>().empty())
            return "error." + key + " must be a non-empty string: " + j.dump();
    }
    if (!e.contains("code") || !e.contains("message"))
        return "error needs code and message: " + j.dump();
    return "";
}

}  // namespace kopilka::test
