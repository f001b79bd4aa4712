#!/usr/bin/env python3
"""Reference timings for `workbook bench core --reference`: the same operations in NumPy
(and PyTorch, when installed) on the same machine, printed as one JSON object with the same
keys as the workbook's bench. Progress goes to stderr."""
import argparse
import json
import os
import sys
import time


def measure(fn, min_runs=3, min_seconds=0.5):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 10000:
            break
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    import numpy as np

    rng = np.random.default_rng(1)
    t = {}
    for n in (256, 1024, 2048):
        x = rng.standard_normal((n, n), dtype=np.float32)
        y = rng.standard_normal((n, n), dtype=np.float32)
        s = measure(lambda: x @ y, min_seconds=2 if n >= 2048 else 0.5)
        t[f"sgemm_{n}_seconds"] = s
        t[f"sgemm_{n}_gflop_per_second"] = 2 * n ** 3 / s / 1e9
        print(f"numpy sgemm {n}: {2 * n ** 3 / s / 1e9:.1f} GFLOP/s", file=sys.stderr)
    n = 10_000_000
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    t["add_1e7_seconds"] = measure(lambda: x + y)
    t["add_1e7_gb_per_second"] = 12 * n / t["add_1e7_seconds"] / 1e9
    t["mul_1e7_seconds"] = measure(lambda: x * y)
    t["relu_1e7_seconds"] = measure(lambda: np.maximum(x, 0))
    t["exp_1e7_seconds"] = measure(lambda: np.exp(x))
    t["sum_1e7_seconds"] = measure(lambda: x.sum())
    info = {"numpy": np.__version__}
    try:
        import torch
        torch.set_num_threads(a.threads)
        torch.manual_seed(1)
        info["torch"] = torch.__version__
        table = torch.nn.Embedding(100_000, 32, sparse=True)
        idx = torch.randint(0, 100_000, (256,))

        def gather():
            table.weight.grad = None
            table(idx).sum().backward()
        t["gather_scatter_256x32_seconds"] = measure(gather)
        t["gather_scatter_rows_per_second"] = 256 / t["gather_scatter_256x32_seconds"]
        big = torch.nn.Embedding(1_000_000, 32, sparse=True)
        opt = torch.optim.SparseAdam(big.parameters())
        steps = []
        for _ in range(200):
            opt.zero_grad()
            big(torch.randint(0, 1_000_000, (256,))).sum().backward()
            t0 = time.perf_counter()
            opt.step()
            steps.append(time.perf_counter() - t0)
        steps.sort()
        t["adam_sparse_1e6x32_touch256_seconds"] = steps[len(steps) // 2]
        dense = torch.nn.Parameter(torch.zeros(1_000_000, 32))
        dopt = torch.optim.Adam([dense])
        dense.grad = torch.full_like(dense, 1e-3)
        t["adam_dense_1e6x32_seconds"] = measure(dopt.step, min_runs=5)
        # The 5-line PyTorch training step the workbook's MLP step is compared with.
        mlp = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 1))
        mopt = torch.optim.Adam(mlp.parameters())
        xb, yb = torch.randn(256, 64), torch.randint(0, 2, (256, 1)).float()
        lossf = torch.nn.BCEWithLogitsLoss()

        def step():
            mopt.zero_grad()
            lossf(mlp(xb), yb).backward()
            mopt.step()
        t["mlp_64_128_1_batch256_step_seconds"] = measure(step, min_runs=200, min_seconds=1)
    except ImportError:
        print("torch not installed: embedding, Adam and MLP reference timings skipped", file=sys.stderr)
    print(json.dumps({"bench": "core-reference", "threads": a.threads, "versions": info, "timings": t}))


if __name__ == "__main__":
    main()
