#!/usr/bin/env python3
"""NGCF (Wang et al., SIGIR 2019) in PyTorch, the reference for `workbook bench gnn --model ngcf`.

../shared/peers has no NGCF, so this script runs NGCF's layer on the harness of the peers'
lightgcn.py, which it imports: run it with the peers' Python from the peers folder (the bench
does). The layer is RecBole 1.2.1's BiGNNLayer (recbole/model/layers.py) on the same A_hat:
  E_{l+1} = LeakyReLU_0.2( (A_hat E_l + E_l) W1 + (A_hat E_l * E_l) W2 ), message dropout 0.1,
  final embedding = concat(E_0, E_1 / |E_1|, ..., E_L / |E_L|)
where, as in the NGCF authors' code and the workbook, the next layer propagates E_l before its
row normalisation (RecBole propagates the normalised rows; the work per batch is the same).
Everything else is lightgcn.py's: the whole graph propagated once per batch of 2,048 triples, its
triple sampling, BPR, L2 1e-4 on the batch's ego rows, Adam lr 1e-3, 2 threads.
Prints one JSON line with the keys the bench reads from lightgcn.py (epoch_train_s, recall_plain@20, ...).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.getcwd())
try:
    import numpy as np
    import torch
    import torch.nn.functional as F

    import common as C
    from lightgcn import norm_adj
except ImportError as error:
    sys.exit(f"ngcf_reference.py: {error}: run it from a set-up copy of ../shared/peers with its .venv's Python")


class NGCF(torch.nn.Module):
    def __init__(self, nodes, dim, layers, dropout):
        super().__init__()
        self.ego = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(nodes, dim)))
        self.w1 = torch.nn.ModuleList(torch.nn.Linear(dim, dim) for _ in range(layers))
        self.w2 = torch.nn.ModuleList(torch.nn.Linear(dim, dim) for _ in range(layers))
        for w in list(self.w1) + list(self.w2):
            torch.nn.init.xavier_uniform_(w.weight)
            torch.nn.init.zeros_(w.bias)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, A):
        e, outputs = self.ego, [self.ego]
        for w1, w2 in zip(self.w1, self.w2):
            side = torch.sparse.mm(A, e)
            e = self.dropout(F.leaky_relu(w1(side + e) + w2(side * e), negative_slope=0.2))
            outputs.append(F.normalize(e, p=2, dim=1))
        return torch.cat(outputs, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--wd", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--split-seed", type=int, default=2024)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="ngcf_reference")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    u, i, r, t, n_users, n_items, _ = C.load_ml100k()
    test = C.split_random(u, n_users, 0.2, a.split_seed)
    Xtr = C.csr(u[~test], i[~test], n_users, n_items)
    Xte = C.csr(u[test], i[test], n_users, n_items)
    train_dense = Xtr.toarray() > 0
    tu, _ = Xtr.nonzero()
    indptr, indices = Xtr.indptr, Xtr.indices
    deg_u = np.diff(indptr)
    A = norm_adj(Xtr)
    model = NGCF(n_users + n_items, a.dim, a.layers, a.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)

    def sample_epoch():  # lightgcn.py's sampler
        n = len(tu)
        us = rng.integers(n_users, size=n)
        us = us[deg_u[us] > 0]
        pos = indices[indptr[us] + (rng.random(len(us)) * deg_u[us]).astype(np.int64)]
        neg = rng.integers(n_items, size=len(us))
        bad = train_dense[us, neg]
        while bad.any():
            idx = np.nonzero(bad)[0]
            neg[idx] = rng.integers(n_items, size=len(idx))
            bad[idx] = train_dense[us[idx], neg[idx]]
        return torch.from_numpy(us), torch.from_numpy(pos.astype(np.int64)), torch.from_numpy(neg)

    epoch_times, nb = [], 0
    model.train()
    for ep in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        us, pos, neg = sample_epoch()
        nb = 0
        for s in range(0, len(us), a.batch):
            bu, bp, bn = us[s:s + a.batch], pos[s:s + a.batch] + n_users, neg[s:s + a.batch] + n_users
            E = model(A)
            eu, ep_, en = E[bu], E[bp], E[bn]
            bpr = F.softplus(-((eu * ep_).sum(1) - (eu * en).sum(1))).mean()
            E0 = model.ego
            reg = 0.5 * (E0[bu].pow(2).sum() + E0[bp].pow(2).sum() + E0[bn].pow(2).sum()) / len(bu)
            loss = bpr + a.wd * reg
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            nb += 1
        epoch_times.append(time.perf_counter() - t0)
        C.log({"epoch": ep, "train_s": round(epoch_times[-1], 3)})

    model.eval()
    with torch.no_grad():
        E = model(A)
        m = C.topk_metrics((E[:n_users] @ E[n_users:].T).numpy(), Xtr, Xte, 20)
    C.emit({
        "script": "ngcf_reference.py", "epochs": a.epochs, "layers": a.layers, "dim": a.dim,
        "protocol": f"random per-user 80/20 (seed {a.split_seed}), implicit, full ranking",
        "batches_per_epoch": nb,
        "recall@20": m["recall@20"], "recall_plain@20": m["recall_plain@20"], "ndcg@20": m["ndcg@20"],
        "epoch_train_s": [round(x, 3) for x in epoch_times],
        "mean_epoch_train_s": round(float(np.mean(epoch_times)), 3),
    }, a.out)


if __name__ == "__main__":
    main()
