// Nothing to compile: the header declares libFuzzer's LLVMFuzzerRunDriver for Swift.
#include "FuzzerDriver.h"
