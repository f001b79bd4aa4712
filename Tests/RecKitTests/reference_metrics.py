#!/usr/bin/env python3
"""Independent NumPy reference for the workbook's full-ranking metrics (DESIGN.md).

Reads an exported split (train.tsv, test.tsv with raw ids), scores every item by its
training popularity, excludes each user's training items, ranks with ties broken by lower
item index, and prints Recall/Precision/NDCG/HR/MAP/MRR/Coverage at K as one JSON object."""
import json
import sys

import numpy as np


def read(path):
    rows = np.loadtxt(path, delimiter="\t", skiprows=1, dtype=np.float64, ndmin=2)
    return rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64)


def main():
    d, k = sys.argv[1], int(sys.argv[2])
    tu, ti = read(f"{d}/train.tsv")
    su, si = read(f"{d}/test.tsv")
    users = np.unique(np.concatenate([tu, su]))
    items = np.unique(np.concatenate([ti, si]))
    tu, su = np.searchsorted(users, tu), np.searchsorted(users, su)
    ti, si = np.searchsorted(items, ti), np.searchsorted(items, si)
    n_users, n_items = len(users), len(items)
    pop = np.bincount(ti, minlength=n_items).astype(np.float64)
    train = [set() for _ in range(n_users)]
    test = [set() for _ in range(n_users)]
    for u, i in zip(tu, ti):
        train[u].add(i)
    for u, i in zip(su, si):
        test[u].add(i)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    sums = dict(recall=0.0, precision=0.0, ndcg=0.0, hr=0.0, map=0.0, mrr=0.0)
    covered, evaluated = set(), 0
    order = np.lexsort((np.arange(n_items), -pop))  # score descending, then item index
    for u in range(n_users):
        if not test[u]:
            continue
        evaluated += 1
        top = [i for i in order if i not in train[u]][:k]
        covered.update(top)
        hits = np.array([i in test[u] for i in top], dtype=np.float64)
        n = len(test[u])
        sums["recall"] += hits.sum() / n
        sums["precision"] += hits.sum() / k
        sums["ndcg"] += (hits * disc[:len(hits)]).sum() / disc[:min(k, n)].sum()
        sums["hr"] += float(hits.sum() > 0)
        prec_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        sums["map"] += (prec_at * hits).sum() / min(k, n)
        first = np.nonzero(hits)[0]
        sums["mrr"] += 1.0 / (first[0] + 1) if len(first) else 0.0
    out = {f"{name}@{k}": v / evaluated for name, v in
           [("Recall", sums["recall"]), ("Precision", sums["precision"]), ("NDCG", sums["ndcg"]),
            ("HR", sums["hr"]), ("MAP", sums["map"]), ("MRR", sums["mrr"])]}
    out[f"Coverage@{k}"] = len(covered) / n_items
    print(json.dumps(out))


if __name__ == "__main__":
    main()
