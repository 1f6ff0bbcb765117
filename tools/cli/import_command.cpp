#include "import_command.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "api/admin_import.hpp"
#include "storage/demo_data.hpp"
#include "storage/open_store.hpp"

namespace kopilka::cli {

namespace {
using server::ImportJobRecord;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int fail_usage(const std::string& why) {
    std::fprintf(stderr,
                 "kopilka: %s\nusage:\n  kopilka import members FILE.csv --db FILE --merchant ID "
                 "[--dry-run]\n",
                 why.c_str());
    return 2;
}

// "[#########···········]  45%  45000/100000 rows, 3 bad" redrawn in place on a terminal;
// on a pipe or file a line at every tenth of the way.
class Progress {
public:
    explicit Progress(bool terminal) : terminal_(terminal) {}
    void show(const ImportJobRecord& j) {
        const std::int64_t total = j.rows_total > 0 ? j.rows_total : 1;
        const int percent = static_cast<int>(j.rows_done * 100 / total);
        if (terminal_) {
            constexpr int kWidth = 30;
            std::string bar(static_cast<std::size_t>(percent * kWidth / 100), '#');
            bar.resize(kWidth, '.');
            std::fprintf(stdout, "\r[%s] %3d%%  %lld/%lld rows, %lld bad", bar.c_str(), percent,
                         static_cast<long long>(j.rows_done), static_cast<long long>(j.rows_total),
                         static_cast<long long>(j.rows_bad));
        } else if (percent / 10 > shown_ / 10 || j.status != "running") {
            std::fprintf(stdout, "imported %lld/%lld rows (%d%%), %lld bad\n",
                         static_cast<long long>(j.rows_done), static_cast<long long>(j.rows_total),
                         percent, static_cast<long long>(j.rows_bad));
        }
        shown_ = percent;
        std::fflush(stdout);
    }
    void end() {
        if (terminal_) std::fputc('\n', stdout);
    }

private:
    bool terminal_;
    int shown_ = 0;
};

int run_job(server::Store& store, const server::Caller& caller, const std::string& body) {
    std::string job_id;
    const auto started = server::admin_import_start(store, caller, body, now_ms(), &job_id);
    if (started.status != 202) {
        std::fprintf(stderr, "kopilka: %s\n", started.body.dump().c_str());
        return 1;
    }
    const std::string runner = "cli-" + server::random_id();
    auto job = store.claim_import_job(runner, now_ms(), server::import_lease_ms,
                                      caller.merchant_id, job_id);
    if (!job) {  // a server's runner took it first: it finishes it
        std::printf("%s\n", started.body.dump().c_str());
        return 0;
    }
    Progress progress(::isatty(::fileno(stdout)) == 1);
    const std::atomic<bool> stop{false};
    const bool ended = server::run_import_job(
        store, std::move(*job), runner, [&](const ImportJobRecord& j) { progress.show(j); },
        stop);
    progress.end();
    const auto done = store.import_job(caller.merchant_id, job_id);
    if (!done) return 1;
    std::printf("%s\n", server::import_job_json(*done).dump().c_str());
    return ended && done->status == "done" ? 0 : 1;
}
}  // namespace

int run_import(int argc, char** argv) {
    if (argc < 4 || std::string(argv[2]) != "members")
        return fail_usage("import needs: members FILE.csv");
    const std::string file = argv[3];
    std::string db, merchant;
    bool dry_run = false;
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--dry-run") dry_run = true;
        else if ((a == "--db" || a == "--merchant") && i + 1 < argc)
            (a == "--db" ? db : merchant) = argv[++i];
        else return fail_usage("unexpected " + a);
    }
    if (db.empty() || merchant.empty()) return fail_usage("import needs --db and --merchant");
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "kopilka: cannot read %s\n", file.c_str());
        return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    // The command line acts as the merchant's owner; the audit log names it.
    const server::Caller caller{merchant, "owner", "", "key", "cli", "kopilka import (CLI)",
                               "local", ""};
    try {
        const auto store = server::open_store(db, /*create_if_missing=*/false);
        if (!dry_run) return run_job(*store, caller, text.str());
        const auto r = server::admin_import_dry_run(*store, caller, text.str(), now_ms());
        std::printf("%s\n", r.body.dump().c_str());
        return r.status == 200 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kopilka: %s\n", e.what());
        return 1;
    }
}

}  // namespace kopilka::cli
