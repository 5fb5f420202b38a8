"""PyTorch CPU timings of one recurrent cell step, for the same shapes as RnnStepBenchmark.

Usage: torch_rnn_step.py CELL,B,H [...]; prints "CELL,B,H<TAB>median_us" per shape. One thread
(torch.set_num_threads(1)), no autograd, input 64 features.
"""
import sys
import time

import torch


def median_us(fn, reps=15):
    for _ in range(3):
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
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(runs):
            fn()
        samples.append((time.perf_counter() - t0) / runs)
    samples.sort()
    return samples[len(samples) // 2] * 1e6


def main():
    torch.set_num_threads(1)
    torch.manual_seed(1)
    for spec in sys.argv[1:]:
        cell, b, h = spec.split(",")
        b, h = int(b), int(h)
        x = torch.rand(b, 64) - 0.5
        hx = torch.zeros(b, h)
        with torch.no_grad():
            if cell == "rnn":
                m = torch.nn.RNNCell(64, h)
                fn = lambda: m(x, hx)
            elif cell == "gru":
                m = torch.nn.GRUCell(64, h)
                fn = lambda: m(x, hx)
            else:
                m = torch.nn.LSTMCell(64, h)
                cx = torch.zeros(b, h)
                fn = lambda: m(x, (hx, cx))
            print(f"{spec}\t{median_us(fn):.2f}", flush=True)


if __name__ == "__main__":
    main()
