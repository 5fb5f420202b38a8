"""PyTorch eager on the GPU, for the same steps gpu/check.sh times through the serving core.

Usage: torch_gpu_peer.py [--cpu]  (--cpu: a dry run of the script on the CPU; no figures to compare)
Prints, per row, what the operator's step does end to end: the inputs and states copied up, the
step (cell, linear head, softmax; or the CNN and softmax), the states and outputs copied down,
then a synchronize. Recurrent: input 10, one layer of H=512, 4 classes, B = 1 .. 4096, median us.
CNNs: LeNet-5 and ResNet-mini (benchmarks' torch_cnn.py architectures), eval mode, frames/s.
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks", "src", "main", "resources"))
from torch_cnn import lenet5, resnet_mini  # noqa: E402  the same architectures as cnn-core's zoo


def median_s(fn, sync, reps=21):
    for _ in range(5):
        fn()
    sync()
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        s.append(time.perf_counter() - t0)
    s.sort()
    return s[len(s) // 2]


def main():
    dev = torch.device("cpu" if "--cpu" in sys.argv or not torch.cuda.is_available() else "cuda")
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    name = torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu (dry run)"
    print(f"== PyTorch {torch.__version__} eager on {name} ==")
    torch.manual_seed(1)
    hidden, inputs, classes = 512, 10, 4
    print(f"{'cell':6} {'batch':>6} {'H':>5} {'us/step':>10}   (x, h[, c] up; cell + head + softmax; h[, c], probs down)")
    with torch.no_grad():
        for cell in ("rnn", "lstm", "gru"):
            m = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[cell](inputs, hidden).to(dev)
            head = torch.nn.Linear(hidden, classes).to(dev)
            for b in (1, 16, 256, 1024, 4096):
                x = torch.rand(b, inputs).pin_memory() if dev.type == "cuda" else torch.rand(b, inputs)
                h = torch.zeros(b, hidden).pin_memory() if dev.type == "cuda" else torch.zeros(b, hidden)
                c = h.clone()

                def step():
                    xd, hd = x.to(dev, non_blocking=True), h.to(dev, non_blocking=True)
                    if cell == "lstm":
                        hn, cn = m(xd, (hd, c.to(dev, non_blocking=True)))
                        cn.cpu()
                    else:
                        hn = m(xd, hd)
                    p = torch.softmax(head(hn), dim=1)
                    hn.cpu()
                    p.cpu()

                print(f"{cell:6} {b:6d} {hidden:5d} {median_s(step, sync) * 1e6:10.1f}", flush=True)
        print(f"{'model':12} {'batch':>6} {'frames/s':>12}   (frames up, forward + softmax, probs down)")
        for label, net in (("LeNet-5", lenet5()), ("ResNet-mini", resnet_mini())):
            net = net.to(dev).eval()
            for b in (1, 32, 256, 1024):
                frames = torch.rand(b, 1, 28, 28)
                if dev.type == "cuda":
                    frames = frames.pin_memory()

                def infer():
                    torch.softmax(net(frames.to(dev, non_blocking=True)), dim=1).cpu()

                print(f"{label:12} {b:6d} {b / median_s(infer, sync):12.0f}", flush=True)


if __name__ == "__main__":
    main()
