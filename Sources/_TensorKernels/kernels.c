#include "TensorKernels.h"

#include <math.h>

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
