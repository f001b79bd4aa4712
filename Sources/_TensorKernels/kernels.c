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

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_axpy(float a, const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sgns_update(float *restrict input, float *restrict outputs, const int *restrict targets, int count, float lr,
                    size_t d, float *restrict work) {
    for (size_t i = 0; i < d; i++) work[i] = 0;
    for (int t = 0; t < count; t++) {
        float *restrict out = outputs + (size_t)targets[t] * d;
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        size_t i = 0;
        for (; i + 8 <= d; i += 8)
            for (int k = 0; k < 8; k++) s[k] += input[i + k] * out[i + k];
        float f = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; i < d; i++) f += input[i] * out[i];
        float label = t == 0 ? 1.0f : 0.0f;
        // word2vec clips the logit at +-6 (MAX_EXP).
        float p = f > 6 ? 1.0f : (f < -6 ? 0.0f : 1.0f / (1.0f + expf(-f)));
        float g = (label - p) * lr;
        for (i = 0; i < d; i++) work[i] += g * out[i];
        for (i = 0; i < d; i++) out[i] += g * input[i];
    }
    for (size_t i = 0; i < d; i++) input[i] += work[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_exp(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
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
        y[i] = v == v ? result : v;
    }
}
