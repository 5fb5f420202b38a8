"""Single-threaded numpy (OpenBLAS) sgemm timings for the same shapes as GemmBenchmark.

Usage: numpy_gemm.py M,N,K [M,N,K ...]; prints "M,N,K<TAB>median_us<TAB>gflops" per shape.
Thread count is pinned to 1 through the environment by the caller (OPENBLAS_NUM_THREADS etc.).
"""
import sys
import time

import numpy as np


def median_time(fn, min_seconds=0.5, reps=7):
    fn()
    runs = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(runs):
            fn()
        if time.perf_counter() - t0 > 0.05:
            break
        runs *= 2
    samples = []
    deadline = time.perf_counter() + min_seconds
    while len(samples) < reps or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        for _ in range(runs):
            fn()
        samples.append((time.perf_counter() - t0) / runs)
        if len(samples) >= 50:
            break
    samples.sort()
    return samples[len(samples) // 2]


def main():
    rng = np.random.default_rng(1)
    for spec in sys.argv[1:]:
        m, n, k = (int(v) for v in spec.split(","))
        a = rng.random((m, k), dtype=np.float32) - 0.5
        b = rng.random((k, n), dtype=np.float32) - 0.5
        c = np.empty((m, n), dtype=np.float32)
        t = median_time(lambda: np.matmul(a, b, out=c))
        print(f"{spec}\t{t * 1e6:.2f}\t{2.0 * m * n * k / t / 1e9:.2f}", flush=True)


if __name__ == "__main__":
    main()
