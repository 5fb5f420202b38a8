#!/usr/bin/env python3
"""A LeNet-5 trained by PyTorch on Fashion-MNIST, exported to ONNX, for the frame job's import test.

Trains on the 60,000 training images (pixels / 255 in float32, the scaling the frame job applies
to a frame's bytes), exports the trained model through torch.onnx.export (logits, no softmax,
a dynamic batch), and writes PyTorch's own predictions on the 10,000 test images with its
accuracy and the smallest gap between the top two logits (how near a tie any test image is):

    python3 interop/src/test/python/train_fashion_cnn.py /usr/share/datasets/fashion-mnist \
        interop/src/test/resources/onnx

(Debian: apt-get install python3-torch python3-onnx dataset-fashion-mnist.)
"""
import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from make_fixtures import LeNet5  # noqa: E402


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, 1, rows, cols)
    if magic == 0x801:
        return np.frombuffer(raw, np.uint8, offset=8)
    raise ValueError(f"{path}: not an IDX image or label file")


def split(data_dir, name):
    images = idx(Path(data_dir) / f"{name}-images-idx3-ubyte.gz")
    labels = idx(Path(data_dir) / f"{name}-labels-idx1-ubyte.gz")
    # float32 division, as FashionMnist/FrameClassifier's i / 255f: the same floats bit for bit
    return torch.from_numpy(images.astype(np.float32) / np.float32(255)), torch.from_numpy(labels.astype(np.int64))


def main():
    data_dir, out_dir = sys.argv[1], Path(sys.argv[2])
    torch.manual_seed(11)
    torch.set_num_threads(1)
    x_train, y_train = split(data_dir, "train")
    x_test, y_test = split(data_dir, "t10k")
    model = LeNet5()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        model.train()
        perm = torch.randperm(len(x_train))
        for i in range(0, len(perm), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x_train[b]), y_train[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x_test[i:i + 500]) for i in range(0, len(x_test), 500)])
    top2 = logits.topk(2, dim=1).values
    predictions = logits.argmax(1)
    correct = int((predictions == y_test).sum())
    accuracy = correct / len(x_test)
    out = out_dir / "fashion_lenet5.onnx"
    torch.onnx.export(model, (x_test[:2],), out, opset_version=13, input_names=["frames"], output_names=["logits"],
                      dynamic_axes={"frames": {0: "batch"}, "logits": {0: "batch"}})
    (out_dir / "fashion_lenet5.expected.json").write_text(json.dumps(
        {"made_by": "train_fashion_cnn.py", "torch": torch.__version__,
         "split": "Fashion-MNIST t10k, all 10,000 images in file order", "test_images": len(x_test),
         "correct": correct, "accuracy": accuracy, "min_top2_logit_gap": (top2[:, 0] - top2[:, 1]).min().item(),
         "predictions": predictions.tolist()}) + "\n")
    print(f"trained on {len(x_train)}, test accuracy {accuracy:.4f} over {len(x_test)} images -> {out}")


if __name__ == "__main__":
    main()
