// A C interface to gnuplot-iostream, so that Swift can drive gnuplot without C++ interop.
#ifndef WORKBOOK_GNUPLOT_BRIDGE_H
#define WORKBOOK_GNUPLOT_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Runs `script` through the gnuplot executable at `gnuplot_path` (via gnuplot-iostream's
/// pipe), with gnuplot's standard error written to `stderr_path`.
///
/// Returns 0 when gnuplot ran and exited; non-zero when the pipe could not be opened, in
/// which case a description is written to `message` (at most `message_size` bytes, with its
/// terminating NUL). Whether the script itself succeeded is told by `stderr_path` and by the
/// files the script was meant to write.
int wb_gnuplot_run(const char *gnuplot_path, const char *script, const char *stderr_path,
                   char *message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
