// gnuplot-iostream behind a C function. The library opens gnuplot with popen() and exposes it
// as a std::ostream; its destructor flushes and waits for gnuplot to exit.
#include "GnuplotBridge.h"

#include <gnuplot-iostream.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

namespace {

/// Quotes `s` for /bin/sh: 'it'\''s' stays one word whatever the path contains.
std::string shell_quote(const std::string &s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

void copy_message(const std::string &text, char *message, size_t size) {
    if (message == nullptr || size == 0) return;
    std::strncpy(message, text.c_str(), size - 1);
    message[size - 1] = '\0';
}

}  // namespace

extern "C" int wb_gnuplot_run(const char *gnuplot_path, const char *script,
                              const char *stderr_path, char *message, size_t message_size) {
    // A gnuplot that stops early closes the pipe; writing to it must not kill the workbook.
    void (*previous)(int) = std::signal(SIGPIPE, SIG_IGN);
    // gnuplot-iostream reports a non-zero exit of gnuplot on std::cerr; we read gnuplot's
    // own error file instead, so keep that line away from the reader's terminal.
    std::ostringstream swallowed;
    std::streambuf *cerr_buffer = std::cerr.rdbuf(swallowed.rdbuf());
    int status = 0;
    try {
        std::string command = shell_quote(gnuplot_path) + " 2> " + shell_quote(stderr_path);
        Gnuplot gp(command);
        gp << script << "\nexit\n";
        gp.flush();
    } catch (const std::exception &error) {
        copy_message(std::string("could not run gnuplot: ") + error.what(), message, message_size);
        status = 1;
    }
    std::cerr.rdbuf(cerr_buffer);
    std::signal(SIGPIPE, previous);
    return status;
}
