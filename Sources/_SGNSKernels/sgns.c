#include "SGNSKernels.h"

#include <math.h>

// word2vec's tables: sigmoid(x) and log sigmoid(x) at 1,024 points of [-6, 6] (MAX_EXP), so
// that the inner loop has no exp or log; beyond ±6 the sigmoid is taken as 0 or 1.
#define SGNS_TABLE 1024
#define SGNS_MAX_EXP 6.0f
static float sgns_sigmoid[SGNS_TABLE + 1], sgns_log_sigmoid[SGNS_TABLE + 1];

__attribute__((constructor)) static void sgns_tables(void) {
    for (int i = 0; i <= SGNS_TABLE; i++) {
        float x = (2.0f * i / SGNS_TABLE - 1.0f) * SGNS_MAX_EXP;
        sgns_sigmoid[i] = 1.0f / (1.0f + expf(-x));
        sgns_log_sigmoid[i] = -log1pf(expf(-x));
    }
}

static inline int sgns_slot(float f) {
    return (int)((f + SGNS_MAX_EXP) * (SGNS_TABLE / SGNS_MAX_EXP / 2.0f));
}

// Written as plain loops: the compiler vectorises each clone for its instruction set.
__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sgns_update(float *restrict input, float *restrict outputs, const int *restrict targets, int count, float lr,
                    size_t d, float *restrict work) {
    for (size_t i = 0; i < d; i++) work[i] = 0;
    for (int t = 0; t < count; t++) {
        float *restrict out = outputs + (size_t)targets[t] * d;
        float s[16] = {0};
        size_t i = 0;
        for (; i + 16 <= d; i += 16)
            for (int k = 0; k < 16; k++) s[k] += input[i + k] * out[i + k];
        float f = 0.0f;
        for (int k = 0; k < 16; k++) f += s[k];
        for (; i < d; i++) f += input[i] * out[i];
        float label = t == 0 ? 1.0f : 0.0f;
        float p = f >= SGNS_MAX_EXP ? 1.0f : (f <= -SGNS_MAX_EXP ? 0.0f : sgns_sigmoid[sgns_slot(f)]);
        float g = (label - p) * lr;
        for (i = 0; i < d; i++) work[i] += g * out[i];
        for (i = 0; i < d; i++) out[i] += g * input[i];
    }
    for (size_t i = 0; i < d; i++) input[i] += work[i];
}

// pWord2Vec's update (Ji, Shah, Ahmed et al., "Parallelizing Word2Vec in Shared and Distributed
// Memory", 2016): all the context words of one centre share its negative samples, so the pair
// updates become two small matrix products: logits = In Outᵀ over n inputs and m targets
// (targets[0] the centre, label 1; the rest noise, label 0), G = lr (labels - sigmoid(logits)),
// In += G Out and Out += Gᵀ In, both from the old values. `work` holds n * (m + d) floats.
__attribute__((target_clones("avx512f", "avx2", "default")))
float wb_sgns_window(float *restrict syn0, float *restrict syn1, const int *restrict inputs, int n,
                     const int *restrict targets, int m, float lr, size_t d, float *restrict work) {
    float *g = work;                      /* n x m */
    float *delta = work + (size_t)n * m;  /* n x d */
    float loss = 0.0f;
    for (int a = 0; a < n; a++) {
        const float *restrict in = syn0 + (size_t)inputs[a] * d;
        for (int t = 0; t < m; t++) {
            const float *restrict out = syn1 + (size_t)targets[t] * d;
            float s[16] = {0};
            size_t i = 0;
            for (; i + 16 <= d; i += 16)
                for (int k = 0; k < 16; k++) s[k] += in[i + k] * out[i + k];
            float f = 0.0f;
            for (int k = 0; k < 16; k++) f += s[k];
            for (; i < d; i++) f += in[i] * out[i];
            float label = t == 0 ? 1.0f : 0.0f;
            float p, logq;  /* sigmoid(f), and the log-probability of the right label */
            if (f >= SGNS_MAX_EXP) { p = 1.0f; logq = t == 0 ? 0.0f : -f; }
            else if (f <= -SGNS_MAX_EXP) { p = 0.0f; logq = t == 0 ? f : 0.0f; }
            else {
                int slot = sgns_slot(f);
                p = sgns_sigmoid[slot];
                logq = t == 0 ? sgns_log_sigmoid[slot] : sgns_log_sigmoid[SGNS_TABLE - slot];
            }
            loss -= logq;
            g[(size_t)a * m + t] = (label - p) * lr;
        }
    }
    for (int a = 0; a < n; a++) {
        float *restrict dst = delta + (size_t)a * d;
        for (size_t i = 0; i < d; i++) dst[i] = 0.0f;
        for (int t = 0; t < m; t++) {
            const float *restrict out = syn1 + (size_t)targets[t] * d;
            float ga = g[(size_t)a * m + t];
            for (size_t i = 0; i < d; i++) dst[i] += ga * out[i];
        }
    }
    for (int t = 0; t < m; t++) {
        float *restrict out = syn1 + (size_t)targets[t] * d;
        for (int a = 0; a < n; a++) {
            const float *restrict in = syn0 + (size_t)inputs[a] * d;
            float ga = g[(size_t)a * m + t];
            for (size_t i = 0; i < d; i++) out[i] += ga * in[i];
        }
    }
    for (int a = 0; a < n; a++) {
        float *restrict in = syn0 + (size_t)inputs[a] * d;
        const float *restrict dst = delta + (size_t)a * d;
        for (size_t i = 0; i < d; i++) in[i] += dst[i];
    }
    return loss;
}
