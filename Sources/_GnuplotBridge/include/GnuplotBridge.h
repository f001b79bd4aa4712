// A C interface to gnuplot-iostream, so that Swift can drive gnuplot without C++ interop.
#ifndef WORKBOOK_GNUPLOT_BRIDGE_H
#define WORKBOOK_GNUPLOT_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// gnuplot ran the script and exited with status 0.
#define WB_GNUPLOT_DONE 0
/// gnuplot could not be started (see the message).
#define WB_GNUPLOT_NOT_STARTED 1
/// gnuplot did not exit within the time limit, and it and its children were killed.
#define WB_GNUPLOT_TIMED_OUT 2
/// gnuplot exited with a non-zero status, or was killed by a signal (`exit_status`).
#define WB_GNUPLOT_FAILED 3

/// Starts the gnuplot executable at `gnuplot_path` in `working_directory`, sends it
/// `script` (`script_size` bytes) through gnuplot-iostream, and waits for it to exit, at most
/// `timeout_seconds`: then gnuplot's whole process group is killed. gnuplot's standard error
/// goes to `stderr_path`, its standard output to /dev/null.
///
/// Returns one of the WB_GNUPLOT_ outcomes. `exit_status` receives gnuplot's exit status
/// (or 128 + the signal that ended it). `message` receives a description when gnuplot could
/// not be started (at most `message_size` bytes, with its terminating NUL).
int wb_gnuplot_run(const char *gnuplot_path, const char *working_directory, const char *script,
                   size_t script_size, const char *stderr_path, double timeout_seconds,
                   int *exit_status, char *message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
