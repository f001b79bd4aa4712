// CBLAS and LAPACKE from Debian's libopenblas-dev and liblapacke-dev, and glibc's malloc
// tuning (mallopt), which the tensor core uses to keep large buffers in the heap.
#include <cblas.h>
#include <lapacke.h>
#include <malloc.h>
