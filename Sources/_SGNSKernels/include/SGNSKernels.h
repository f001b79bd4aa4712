// Item2Vec's inner loop in C: word2vec's skip-gram negative-sampling update. It lives beside the
// model (Sources/Models/Item2Vec), not in the tensor core, which knows nothing of recommendation.
#ifndef WORKBOOK_SGNS_KERNELS_H
#define WORKBOOK_SGNS_KERNELS_H

#include <stddef.h>

/// One skip-gram negative-sampling update (word2vec): for each target t (targets[0] the
/// positive, the rest noise), g = lr * (label - sigmoid(input . out_t)), work += g out_t,
/// out_t += g input; then input += work. `work` holds d floats of scratch.
void wb_sgns_update(float *input, float *outputs, const int *targets, int count, float lr, size_t d, float *work);

/// pWord2Vec's update for one centre: its `n` context words (`inputs`, rows of syn0) share the
/// `m` targets (`targets[0]` the centre, the rest noise; rows of syn1): logits = In Outᵀ,
/// G = lr (labels - sigmoid(logits)), In += G Out, Out += Gᵀ In (from the old values). Returns
/// the summed negative log-likelihood of the n x m labels. `work` holds n * (m + d) floats.
float wb_sgns_window(float *syn0, float *syn1, const int *inputs, int n, const int *targets, int m, float lr,
                     size_t d, float *work);

#endif
