#include "SGNSKernels.h"

#include <math.h>
#include <string.h>

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

// 16-float vectors (the compiler's vector extension: one AVX-512 register, two AVX2 ones); a load
// is a memcpy, which compiles to one unaligned vector load.
typedef float SGNS_V16 __attribute__((vector_size(64)));
#define SGNS_LOAD(p) ({ SGNS_V16 v_; memcpy(&v_, (p), sizeof v_); v_; })

// word2vec's update of one (context, centre) pair against the centre and its noise items. The
// dot's 16 lanes are summed in order, as before the vectors: the book's numbers do not move.
// Specialised below for the usual sizes (d a constant: the row loops unroll into registers).
static inline __attribute__((always_inline)) void sgns_pairs(
    float *restrict input, float *restrict outputs, const int *restrict targets, int count, float lr, size_t d,
    float *restrict work) {
    const size_t blocks = d / 16, body = blocks * 16;
    for (size_t i = 0; i < d; i++) work[i] = 0;
    for (int t = 0; t < count; t++) {
        float *restrict out = outputs + (size_t)targets[t] * d;
        SGNS_V16 s = {0};
        for (size_t b = 0; b < blocks; b++) s += SGNS_LOAD(input + 16 * b) * SGNS_LOAD(out + 16 * b);
        float f = 0.0f;
        for (int k = 0; k < 16; k++) f += s[k];
        for (size_t i = body; i < d; i++) f += input[i] * out[i];
        float label = t == 0 ? 1.0f : 0.0f;
        float p = f >= SGNS_MAX_EXP ? 1.0f : (f <= -SGNS_MAX_EXP ? 0.0f : sgns_sigmoid[sgns_slot(f)]);
        float g = (label - p) * lr;
        for (size_t i = 0; i < d; i++) work[i] += g * out[i];
        for (size_t i = 0; i < d; i++) out[i] += g * input[i];
    }
    for (size_t i = 0; i < d; i++) input[i] += work[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void wb_sgns_update(float *restrict input, float *restrict outputs, const int *restrict targets, int count, float lr,
                    size_t d, float *restrict work) {
    switch (d) {
    case 100: sgns_pairs(input, outputs, targets, count, lr, 100, work); break;
    case 64: sgns_pairs(input, outputs, targets, count, lr, 64, work); break;
    case 128: sgns_pairs(input, outputs, targets, count, lr, 128, work); break;
    default: sgns_pairs(input, outputs, targets, count, lr, d, work);
    }
}

// pWord2Vec's update (Ji, Shah, Ahmed et al., "Parallelizing Word2Vec in Shared and Distributed
// Memory", 2016): all the context words of one centre share its negative samples, so the pair
// updates become two small matrix products: logits = In Outᵀ over n inputs and m targets
// (targets[0] the centre, label 1; the rest noise, label 0), G = lr (labels - sigmoid(logits)),
// In += G Out and Out += Gᵀ In, both from the old values. `work` holds n * (m + d) floats.
//
// On the 16-float vectors above, each row's vectors held in registers across the other side's rows;
// specialised below for the usual sizes, so that the row loops are unrolled.
static inline __attribute__((always_inline)) float sgns_window_rows(
    float *restrict syn0, float *restrict syn1, const int *restrict inputs, int n, const int *restrict targets,
    int m, float lr, size_t d, float *restrict work) {
    float *g = work;                      /* n x m */
    float *delta = work + (size_t)n * m;  /* n x d */
    const size_t blocks = d / 16, body = blocks * 16;
    float loss = 0.0f;
    for (int a = 0; a < n; a++) {
        const float *restrict in = syn0 + (size_t)inputs[a] * d;
        for (int t = 0; t < m; t++) {
            const float *restrict out = syn1 + (size_t)targets[t] * d;
            SGNS_V16 s = {0};
            for (size_t b = 0; b < blocks; b++) s += SGNS_LOAD(in + 16 * b) * SGNS_LOAD(out + 16 * b);
            float f = 0.0f;  /* lanes in pairs: a shorter chain of adds than one by one */
            for (int k = 0; k < 16; k += 2) f += s[k] + s[k + 1];
            for (size_t i = body; i < d; i++) f += in[i] * out[i];
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
    /* delta_a = sum_t g[a, t] out_t */
    for (int a = 0; a < n; a++) {
        float *restrict dst = delta + (size_t)a * d;
        const float *restrict ga = g + (size_t)a * m;
        for (size_t b = 0; b < blocks; b++) {
            SGNS_V16 acc = {0};
            for (int t = 0; t < m; t++) acc += ga[t] * SGNS_LOAD(syn1 + (size_t)targets[t] * d + 16 * b);
            memcpy(dst + 16 * b, &acc, sizeof acc);
        }
        for (size_t i = body; i < d; i++) {
            float acc = 0.0f;
            for (int t = 0; t < m; t++) acc += ga[t] * syn1[(size_t)targets[t] * d + i];
            dst[i] = acc;
        }
    }
    /* out_t += sum_a g[a, t] in_a */
    for (int t = 0; t < m; t++) {
        float *restrict out = syn1 + (size_t)targets[t] * d;
        for (size_t b = 0; b < blocks; b++) {
            SGNS_V16 acc = SGNS_LOAD(out + 16 * b);
            for (int a = 0; a < n; a++) acc += g[(size_t)a * m + t] * SGNS_LOAD(syn0 + (size_t)inputs[a] * d + 16 * b);
            memcpy(out + 16 * b, &acc, sizeof acc);
        }
        for (size_t i = body; i < d; i++) {
            float acc = out[i];
            for (int a = 0; a < n; a++) acc += g[(size_t)a * m + t] * syn0[(size_t)inputs[a] * d + i];
            out[i] = acc;
        }
    }
    for (int a = 0; a < n; a++) {
        float *restrict in = syn0 + (size_t)inputs[a] * d;
        const float *restrict dst = delta + (size_t)a * d;
        for (size_t i = 0; i < d; i++) in[i] += dst[i];
    }
    return loss;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
float wb_sgns_window(float *restrict syn0, float *restrict syn1, const int *restrict inputs, int n,
                     const int *restrict targets, int m, float lr, size_t d, float *restrict work) {
    switch (d) {  /* the document's 100, and the powers of two people pick */
    case 100: return sgns_window_rows(syn0, syn1, inputs, n, targets, m, lr, 100, work);
    case 64: return sgns_window_rows(syn0, syn1, inputs, n, targets, m, lr, 64, work);
    case 128: return sgns_window_rows(syn0, syn1, inputs, n, targets, m, lr, 128, work);
    default: return sgns_window_rows(syn0, syn1, inputs, n, targets, m, lr, d, work);
    }
}
