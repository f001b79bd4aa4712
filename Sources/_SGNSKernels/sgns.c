#include "SGNSKernels.h"

#include <math.h>

// Written as plain loops: the compiler vectorises each clone for its instruction set.
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
