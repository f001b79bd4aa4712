// libFuzzer's driver, called from the Swift `main` (SwiftPM names an executable's entry point
// itself, so libFuzzer's own `main` is not used; -sanitize=fuzzer links the driver).
#ifndef WORKBOOK_FUZZER_DRIVER_H
#define WORKBOOK_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
