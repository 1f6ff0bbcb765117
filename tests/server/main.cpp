// doctest's runner for the server tests. SIGPIPE is ignored so that a server closing a
// connection mid-request fails a check instead of killing the test process.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <signal.h>

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    doctest::Context context(argc, argv);
    return context.run();
}
