// Hot loops of the tensor core in C, compiled for several instruction sets (SSE2, AVX2,
// AVX-512) with the best one chosen when the program starts (target_clones).
#ifndef WORKBOOK_TENSOR_KERNELS_H
#define WORKBOOK_TENSOR_KERNELS_H

#include <stddef.h>

/// One dense Adam step over n values, in place:
///   g' = g + l2 * w;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2;
///   w -= step_size * m / (sqrt(v) * inv_sqrt_c2 + eps)
void wb_adam_dense(float *w, float *m, float *v, const float *g, size_t n, float b1, float b2, float eps,
                   float l2, float step_size, float inv_sqrt_c2);

/// One dense SGD step over n values, in place (velocity may be NULL when momentum is 0):
///   d = g + weight_decay * w;  vel = momentum * vel + d (if momentum);  w -= lr * (vel or d)
void wb_sgd_dense(float *w, float *velocity, const float *g, size_t n, float lr, float momentum, float weight_decay);

#endif
