"""PyTorch CPU timings of LeNet-5 and ResNet-mini on 28x28x1, the same architectures as cnn-core's zoo.

Usage: torch_cnn.py REPS [WARM_SECONDS]; prints "model,infer,B<TAB>frames_per_s" for B in 1, 32, 256 and
"model,train,64<TAB>seconds_per_step" (forward, backward, Adam). One thread, eval mode for inference.
"""
import sys
import time

import torch
from torch import nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.proj is None else self.proj(x)))


def resnet_mini():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2),
        nn.AvgPool2d(7), nn.Flatten(), nn.Linear(64, 10))


WARM_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0


def median(reps, fn):
    t_end = time.perf_counter() + WARM_SECONDS
    n = 0
    while n < 3 or time.perf_counter() < t_end:
        fn()
        n += 1
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        s.append(time.perf_counter() - t0)
    s.sort()
    return s[len(s) // 2]


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    torch.set_num_threads(1)
    torch.manual_seed(1)
    for name, build in (("lenet5", lenet5), ("resnet-mini", resnet_mini)):
        net = build()
        net.eval()
        with torch.no_grad():
            for b in (1, 32, 256):
                x = torch.rand(b, 1, 28, 28)
                print(f"{name},infer,{b}\t{b / median(reps, lambda: net(x))}", flush=True)
        net.train()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = torch.rand(64, 1, 28, 28)
        y = torch.arange(64) % 10
        loss = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss(net(x), y).backward()
            opt.step()
        print(f"{name},train,64\t{median(reps, step)}", flush=True)


if __name__ == "__main__":
    main()
