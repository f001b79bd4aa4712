// gnuplot-iostream behind a C function, with a time limit.
//
// gnuplot-iostream's own constructor opens gnuplot with popen(), which hides the child's pid,
// so a gnuplot that hangs could only be waited for forever. Here the workbook starts gnuplot
// itself (posix_spawn, in a process group of its own, stdin a pipe), hands the pipe's write
// end to gnuplot-iostream (its Gnuplot(FILE *) constructor) which sends the script, and a
// watchdog thread kills the group when the time limit passes.
#include "GnuplotBridge.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace {

void copy_message(const std::string &text, char *message, size_t size) {
    if (message == nullptr || size == 0) return;
    std::strncpy(message, text.c_str(), size - 1);
    message[size - 1] = '\0';
}

/// Starts gnuplot with `input` as its stdin; returns its pid, or -1 with errno-like `error`.
pid_t spawn_gnuplot(const char *path, const char *directory, int input, const char *stderr_path, int &error) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, input, STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, directory);
    // Its own process group (so that the watchdog can kill gnuplot and anything it started),
    // no blocked signals, and SIGPIPE at its default.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    char *argv[] = {const_cast<char *>(path), nullptr};
    pid_t pid = -1;
    error = posix_spawn(&pid, path, &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return error == 0 ? pid : -1;
}

/// Sends the script through gnuplot-iostream. A gnuplot that exits early (or is killed)
/// closes the pipe: SIGPIPE is blocked on this thread while writing, and the one the write
/// raised is taken off before unblocking, so that it never reaches the workbook.
void send_script(int output, const char *script, size_t size) {
    sigset_t pipe_signal, previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    // gnuplot-iostream reports a failed close on std::cerr; the caller reads gnuplot's own
    // error file instead, so keep that line away from the reader's terminal.
    std::ostringstream swallowed;
    std::streambuf *cerr_buffer = std::cerr.rdbuf(swallowed.rdbuf());
    if (FILE *stream = fdopen(output, "w")) {
        Gnuplot gp(stream);  // closes `stream` when it goes
        gp.write(script, static_cast<std::streamsize>(size));
        gp << "\nexit\n";
        gp.flush();
    } else {
        close(output);
    }
    std::cerr.rdbuf(cerr_buffer);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

extern "C" int wb_gnuplot_run(const char *gnuplot_path, const char *working_directory, const char *script,
                              size_t script_size, const char *stderr_path, double timeout_seconds,
                              int *exit_status, char *message, size_t message_size) {
    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0) {
        copy_message(std::string("could not open a pipe to gnuplot: ") + std::strerror(errno), message, message_size);
        return WB_GNUPLOT_NOT_STARTED;
    }
    int error = 0;
    pid_t pid = spawn_gnuplot(gnuplot_path, working_directory, pipe_ends[0], stderr_path, error);
    close(pipe_ends[0]);
    if (pid < 0) {
        close(pipe_ends[1]);
        copy_message(std::string("could not start gnuplot: ") + std::strerror(error), message, message_size);
        return WB_GNUPLOT_NOT_STARTED;
    }

    // The watchdog: kills gnuplot's process group when the limit passes before it exits.
    std::mutex mutex;
    std::condition_variable exited;
    bool finished = false, killed = false;
    std::thread watchdog([&] {
        std::unique_lock<std::mutex> lock(mutex);
        auto limit = std::chrono::duration<double>(timeout_seconds > 0 ? timeout_seconds : 60);
        if (!exited.wait_for(lock, limit, [&] { return finished; })) {
            kill(-pid, SIGKILL);
            killed = true;
        }
    });

    send_script(pipe_ends[1], script, script_size);

    // Wait for the exit without reaping, so that the pid (and its group id) cannot be reused
    // while the watchdog may still signal it; then stop the watchdog, clear any process
    // gnuplot left behind in its group, and reap.
    siginfo_t info;
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        finished = true;
    }
    exited.notify_all();
    watchdog.join();
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    if (WIFEXITED(status)) {
        *exit_status = WEXITSTATUS(status);
        return WEXITSTATUS(status) == 0 ? WB_GNUPLOT_DONE : WB_GNUPLOT_FAILED;
    }
    int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    *exit_status = 128 + signal;
    return killed && signal == SIGKILL ? WB_GNUPLOT_TIMED_OUT : WB_GNUPLOT_FAILED;
}
