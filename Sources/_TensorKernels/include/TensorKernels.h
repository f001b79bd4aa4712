// Hot loops of the tensor core in C, compiled for several instruction sets (SSE2, AVX2,
// AVX-512) with the best one chosen when the program starts (target_clones).
#ifndef WORKBOOK_TENSOR_KERNELS_H
#define WORKBOOK_TENSOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

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

/// y[i] = e^x[i] in single precision (Cephes' expf: range reduction and a degree-6
/// polynomial), written so that it vectorises: relative error below 3e-7; 0 below -87.3 and
/// +inf above 88.7; NaN stays NaN.
void wb_exp(const float *x, float *y, size_t n);

/// y[i] = tanh(x[i]) (Cephes' tanhf: an odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1)
/// above), vectorised; relative error below 1e-6.
void wb_tanh(const float *x, float *y, size_t n);

/// y[i] = 1 / (1 + e^-x[i]), from e^-|x| so that it never overflows; vectorised.
void wb_sigmoid(const float *x, float *y, size_t n);

/// One row of n: y = x - max(x) - log(sum(exp(x - max(x)))).
void wb_log_softmax(const float *x, float *y, size_t n);

/// The log-softmax's backward for one row: gx = g - exp(y) * sum(g).
void wb_log_softmax_backward(const float *y, const float *g, float *gx, size_t n);

/// Rows lo..<hi of CSR A times dense [*, d], a layer sum fused in: acc = base + A dense (base NULL: 0);
/// out = acc * out_scale (out may be base, or NULL); sum = (sum + acc) * sum_scale (or NULL).
void wb_sparse_rows(const ptrdiff_t *row_start, const int32_t *columns, const float *values, size_t lo, size_t hi,
                    const float *dense, size_t d, const float *base, float *out, float out_scale, float *sum,
                    float sum_scale);

/// The sum over the listed rows of x [*, d] of x_r . x_r (each dot summed as wb_dot does).
float wb_rows_sum_squares(const float *x, size_t d, const int32_t *rows, size_t count);

/// The number of non-zero elements of x (NaN counts as non-zero).
size_t wb_count_nonzero(const float *x, size_t n);

/// The positions of x's non-zero elements, ascending, written to `positions` (room for all
/// of them); returns how many.
size_t wb_nonzeros(const float *x, size_t n, int32_t *positions);

/// n standard normals from (n + 1) / 2 random 64-bit words, by the Box-Muller transform with
/// vectorised log, sine and cosine (each word gives a pair; u1 has 32 bits, the angle 22).
void wb_normals(const uint64_t *bits, float *out, size_t n);

/// One row of the multinomial negative log-likelihood with sparse counts (nnz entries at
/// `columns`): sum(x) * logsumexp(z) - x . z, that is -sum_i x_i log softmax(z)_i; stores
/// logsumexp(z) for the backward pass.
float wb_multinomial_nll_row(const float *z, size_t n, const int32_t *columns, const float *counts, size_t nnz,
                             float *log_sum_exp);

/// Its gradient with respect to z, times g: gz = g (sum(x) softmax(z) - x).
void wb_multinomial_nll_backward_row(const float *z, size_t n, const int32_t *columns, const float *counts, size_t nnz,
                                     float log_sum_exp, float g, float *gz);

/// Mean BPR loss over triples of rows of f [N, d]: mean softplus(-(f_u . (f_i - f_j))). With
/// `df`, adds scale * d(loss sum)/df into it instead (scale = upstream gradient / count) and returns 0.
float wb_bpr_rows(const float *f, size_t d, const int32_t *users, const int32_t *positives, const int32_t *negatives,
                  size_t count, float *df, float scale);

#endif
