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

/// The dot product of two n-vectors (eight partial sums, so it vectorises).
float wb_dot(const float *x, const float *y, size_t n);

/// y += a * x for n-vectors.
void wb_axpy(float a, const float *x, float *y, size_t n);

/// One skip-gram negative-sampling update (word2vec): for each target t (targets[0] the
/// positive, the rest noise), g = lr * (label - sigmoid(input . out_t)), work += g out_t,
/// out_t += g input; then input += work. `work` holds d floats of scratch.
void wb_sgns_update(float *input, float *outputs, const int *targets, int count, float lr, size_t d, float *work);

/// y[i] = e^x[i] in single precision (Cephes' expf: range reduction and a degree-6
/// polynomial), written so that it vectorises: relative error below 3e-7; 0 below -87.3 and
/// +inf above 88.7; NaN stays NaN.
void wb_exp(const float *x, float *y, size_t n);

#endif
