#include "TensorKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Written as a plain loop: the compiler vectorises each clone for its instruction set.
// Contraction into fused multiply-adds is off (see Package.swift), so every clone computes
// exactly what the scalar Swift loop computes.
__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_adam_dense(float *restrict w, float *restrict m, float *restrict v, const float *restrict g, size_t n,
                   float b1, float b2, float eps, float l2, float step_size, float inv_sqrt_c2) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + l2 * w[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step_size * mi / (sqrtf(vi) * inv_sqrt_c2 + eps);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sgd_dense(float *restrict w, float *restrict velocity, const float *restrict g, size_t n, float lr,
                  float momentum, float weight_decay) {
    if (momentum == 0.0f || velocity == 0) {
        for (size_t i = 0; i < n; i++) w[i] -= lr * (g[i] + weight_decay * w[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float d = g[i] + weight_decay * w[i];
        velocity[i] = momentum * velocity[i] + d;
        w[i] -= lr * velocity[i];
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
float wb_dot(const float *restrict x, const float *restrict y, size_t n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += x[i + k] * y[i + k];
    float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; i++) total += x[i] * y[i];
    return total;
}

// sum_r x_r . x_r over the listed rows of x [*, d] (each dot as wb_dot sums it), in list order.
float wb_rows_sum_squares(const float *x, size_t d, const int32_t *rows, size_t count) {
    float total = 0;
    for (size_t r = 0; r < count; r++) total += wb_dot(x + (size_t)rows[r] * d, x + (size_t)rows[r] * d, d);
    return total;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_axpy(float a, const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}
// e^v by Cephes' expf (range reduction, degree-6 polynomial); inlined into the loops below,
// where it vectorises.
static inline __attribute__((always_inline)) float expf_poly(float v) {
    float c = v < -87.3f ? -87.3f : (v > 88.7f ? 88.7f : v);
    c = c == c ? c : 0.0f;  /* NaN: computed as 0, restored below */
    float t = c * 1.44269504088896341f + 12582912.0f;  /* round(c / ln 2) in the low bits */
    float k = t - 12582912.0f;
    float r = c - k * 0.693359375f + k * 2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * z + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &t, sizeof bits);
    int32_t scale_bits = (int32_t)((uint32_t)(bits + 127) << 23);
    float scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    float result = e * scale;
    result = v < -87.3f ? 0.0f : result;
    result = v > 88.7f ? INFINITY : result;
    return v == v ? result : v;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_exp(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = expf_poly(x[i]);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_tanh(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i], a = fabsf(v), z = v * v;
        float large = 1.0f - 2.0f / (expf_poly(a + a) + 1.0f);
        float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                        + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * v + v;
        y[i] = a > 0.625f ? (v < 0 ? -large : large) : small;
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sigmoid(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float e = expf_poly(-fabsf(x[i]));  /* never overflows */
        y[i] = x[i] >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

// Eight partial sums (or maxima) in fixed order: vectorises, and every clone gives the same bits.
static inline __attribute__((always_inline)) float lane_sum(const float *restrict x, size_t n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += x[i + k];
    float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; i < n; i++) total += x[i];
    return total;
}

static inline __attribute__((always_inline)) float lane_max(const float *restrict x, size_t n) {
    float s[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] = x[i + k] > s[k] ? x[i + k] : s[k];
    float m = s[0];
    for (int k = 1; k < 8; k++) m = s[k] > m ? s[k] : m;
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_log_softmax(const float *restrict x, float *restrict y, size_t n) {
    float m = lane_max(x, n);
    for (size_t i = 0; i < n; i++) y[i] = expf_poly(x[i] - m);
    float log_sum = logf(lane_sum(y, n));
    for (size_t i = 0; i < n; i++) y[i] = (x[i] - m) - log_sum;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_log_softmax_backward(const float *restrict y, const float *restrict g, float *restrict gx, size_t n) {
    float s = lane_sum(g, n);
    for (size_t i = 0; i < n; i++) gx[i] = g[i] - expf_poly(y[i]) * s;
}

// Rows lo..<hi of a CSR product, LightGCN's layer sum fused in (see the header), summed in k order;
// a scale of 1 is exact, so this gives what separate passes would.
__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sparse_rows(const ptrdiff_t *restrict row_start, const int32_t *restrict columns,
                    const float *restrict values, size_t lo, size_t hi, const float *restrict dense, size_t d,
                    const float *base, float *out, float out_scale, float *sum, float sum_scale) {
    for (size_t r = lo; r < hi; r++) {
        const int32_t *restrict cols = columns + row_start[r];
        const float *restrict vals = values + row_start[r];
        size_t nnz = (size_t)(row_start[r + 1] - row_start[r]), j = 0;
        const float *b = base ? base + r * d : NULL;
        float *o = out ? out + r * d : NULL, *s = sum ? sum + r * d : NULL;
        for (; j + 64 <= d; j += 64) {  /* 64 outputs held in registers across all the non-zeros */
            float acc[64];
            for (int t = 0; t < 64; t++) acc[t] = b ? b[j + t] : 0.0f;
            for (size_t k = 0; k < nnz; k++) {
                const float *restrict row = dense + (size_t)cols[k] * d + j;
                float v = vals[k];
                for (int t = 0; t < 64; t++) acc[t] += v * row[t];
            }
            if (o) for (int t = 0; t < 64; t++) o[j + t] = acc[t] * out_scale;
            if (s) for (int t = 0; t < 64; t++) s[j + t] = (s[j + t] + acc[t]) * sum_scale;
        }
        for (; j < d; j++) {
            float acc = b ? b[j] : 0.0f;
            for (size_t k = 0; k < nnz; k++) acc += vals[k] * dense[(size_t)cols[k] * d + j];
            if (o) o[j] = acc * out_scale;
            if (s) s[j] = (s[j] + acc) * sum_scale;
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
size_t wb_count_nonzero(const float *restrict x, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += x[i] != 0.0f;
    return count;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
size_t wb_nonzeros(const float *restrict x, size_t n, int32_t *restrict positions) {
    size_t count = 0, i = 0;
    for (; i + 16 <= n; i += 16) {  /* skip all-zero blocks of 16 with one vector test */
        int any = 0;
        for (int k = 0; k < 16; k++) any |= x[i + k] != 0.0f;
        if (!any) continue;
        for (int k = 0; k < 16; k++)
            if (x[i + k] != 0.0f) positions[count++] = (int32_t)(i + k);
    }
    for (; i < n; i++)
        if (x[i] != 0.0f) positions[count++] = (int32_t)i;
    return count;
}

// Cephes' logf for positive normal x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a degree-9
// polynomial in m - 1. Vectorisable (bit operations instead of frexpf).
static inline __attribute__((always_inline)) float logf_poly(float x) {
    int32_t bits;
    memcpy(&bits, &x, sizeof bits);
    float e = (float)(((bits >> 23) & 0xff) - 126);
    int32_t mantissa_bits = (bits & 0x007fffff) | 0x3f000000;  /* m in [0.5, 1) */
    float m;
    memcpy(&m, &mantissa_bits, sizeof m);
    int below = m < 0.707106781186547524f;
    e = below ? e - 1.0f : e;
    m = below ? m + m - 1.0f : m - 1.0f;
    float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += -2.12194440e-4f * e;
    y += -0.5f * z;
    return m + y + 0.693359375f * e;
}

// One Box-Muller pair from 64 random bits: u1 in (0, 1] from the high half, the angle 2 pi u2
// from the low half, reduced to a quadrant and Taylor polynomials on [0, pi/2) (error < 6e-8).
static inline __attribute__((always_inline)) void box_muller(uint64_t bits, float *restrict z0, float *restrict z1) {
    float u1 = ((float)(uint32_t)(bits >> 32) + 1.0f) * 2.3283064365386963e-10f;  /* 2^-32 */
    float t = (float)((uint32_t)bits >> 8) * 2.384185791015625e-7f;               /* 4 u2, 22 bits each */
    float q = (float)(int32_t)t;
    float x = (t - q) * 1.57079632679489662f, x2 = x * x;
    float s = x * (1.0f + x2 * (-1.0f / 6 + x2 * (1.0f / 120 + x2 * (-1.0f / 5040
                   + x2 * (1.0f / 362880 + x2 * (-1.0f / 39916800))))));
    float c = 1.0f + x2 * (-0.5f + x2 * (1.0f / 24 + x2 * (-1.0f / 720 + x2 * (1.0f / 40320
                   + x2 * (-1.0f / 3628800 + x2 * (1.0f / 479001600))))));
    float sin_t = q == 0.0f ? s : (q == 1.0f ? c : (q == 2.0f ? -s : -c));
    float cos_t = q == 0.0f ? c : (q == 1.0f ? -s : (q == 2.0f ? -c : s));
    float r = sqrtf(-2.0f * logf_poly(u1));
    *z0 = r * cos_t;
    *z1 = r * sin_t;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_normals(const uint64_t *restrict bits, float *restrict out, size_t n) {
    size_t pairs = n / 2;
    for (size_t p = 0; p < pairs; p++) box_muller(bits[p], &out[2 * p], &out[2 * p + 1]);
    if (n % 2) {
        float spare;
        box_muller(bits[pairs], &out[n - 1], &spare);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
float wb_multinomial_nll_row(const float *restrict z, size_t n, const int32_t *restrict columns,
                             const float *restrict counts, size_t nnz, float *restrict log_sum_exp) {
    float m = lane_max(z, n);
    float e[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) e[k] += expf_poly(z[i + k] - m);
    float sum_e = ((e[0] + e[1]) + (e[2] + e[3])) + ((e[4] + e[5]) + (e[6] + e[7]));
    for (; i < n; i++) sum_e += expf_poly(z[i] - m);
    float lse = m + logf(sum_e), dot = 0, total = 0;
    for (size_t k = 0; k < nnz; k++) {
        dot += counts[k] * z[columns[k]];
        total += counts[k];
    }
    *log_sum_exp = lse;
    return total * lse - dot;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_multinomial_nll_backward_row(const float *restrict z, size_t n, const int32_t *restrict columns,
                                     const float *restrict counts, size_t nnz, float log_sum_exp, float g,
                                     float *restrict gz) {
    float total = 0;
    for (size_t k = 0; k < nnz; k++) total += counts[k];
    float scale = g * total;
    for (size_t i = 0; i < n; i++) gz[i] = scale * expf_poly(z[i] - log_sum_exp);
    for (size_t k = 0; k < nnz; k++) gz[columns[k]] -= g * counts[k];
}

// BPR over (u, i, j) triples of rows of a table F [N, d], fused: mean softplus(-(f_u.(f_i - f_j)))
// forward; backward adds g/B * (-sigmoid(-x)) (f_i - f_j) to dF_u, and ± that times f_u to dF_i, dF_j.
__attribute__((target_clones("avx512f", "avx2", "default")))
float wb_bpr_rows(const float *restrict f, size_t d, const int32_t *restrict users, const int32_t *restrict positives,
                  const int32_t *restrict negatives, size_t count, float *df, float scale) {
    double total = 0;
    for (size_t b = 0; b < count; b++) {
        const float *restrict u = f + (size_t)users[b] * d, *restrict p = f + (size_t)positives[b] * d,
                    *restrict n = f + (size_t)negatives[b] * d;
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};  /* wb_dot's lanes: the dot vectorises */
        size_t k = 0;
        for (; k + 8 <= d; k += 8)
            for (int l = 0; l < 8; l++) s[l] += u[k + l] * (p[k + l] - n[k + l]);
        float x = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; k < d; k++) x += u[k] * (p[k] - n[k]);
        float e = expf(-fabsf(x));
        /* the loss, softplus(-x) = max(-x, 0) + log1p(e^-|x|), stable for any x */
        if (!df) { total += (x < 0 ? -x : 0.0f) + log1pf(e); continue; }
        float sg = x >= 0 ? e / (1 + e) : 1 / (1 + e);  /* its gradient's sigmoid(-x), from the same e^-|x| */
        float g = -sg * scale;
        /* a row may be a triple's positive and negative: one loop per destination, each reading f */
        float *du = df + (size_t)users[b] * d, *dp = df + (size_t)positives[b] * d, *dn = df + (size_t)negatives[b] * d;
        for (k = 0; k < d; k++) du[k] += g * (p[k] - n[k]);
        for (k = 0; k < d; k++) dp[k] += g * u[k];
        for (k = 0; k < d; k++) dn[k] -= g * u[k];
    }
    return (float)(total / (double)(count ? count : 1));
}
