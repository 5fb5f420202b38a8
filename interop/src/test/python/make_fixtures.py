#!/usr/bin/env python3
"""Parity fixtures for streamnet's PyTorch import, made by PyTorch itself.

Builds small random recurrent models of every supported family, saves each state_dict as
safetensors (written here: the format is a JSON header and raw little-endian tensors, so the
`safetensors` package is not needed), its ARCH file, and fixed inputs with PyTorch's outputs at
every step. The Java tests import each model, step the inputs through the streaming API and
compare. Run where python3 has torch (Debian: apt-get install python3-torch):

    python3 interop/src/test/python/make_fixtures.py interop/src/test/resources/pytorch
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

DTYPES = {torch.float32: ("F32", np.float32), torch.float16: ("F16", np.float16)}


def save_safetensors(path, tensors, metadata=None, dtype="F32"):
    """tensors: name -> torch tensor. dtype F32, F16 or BF16 for every tensor."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    at = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if dtype == "F32":
            raw = t.float().numpy().astype("<f4").tobytes()
        elif dtype == "F16":
            raw = t.half().numpy().astype("<f2").tobytes()
        elif dtype == "BF16":
            # the top 16 bits of the float32 pattern after PyTorch's round-to-nearest-even to bfloat16
            bits = t.bfloat16().float().numpy().astype("<f4").view("<u4") >> 16
            raw = bits.astype("<u2").tobytes()
        else:
            raise ValueError(dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


class Recurrent(nn.Module):
    def __init__(self, cell, inputs, hidden, layers, outputs, vocab=0, embed=0, bias=True, batch_first=True):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed) if vocab else None
        make = {"rnn": lambda **k: nn.RNN(nonlinearity="tanh", **k), "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rec = make(input_size=embed if vocab else inputs, hidden_size=hidden, num_layers=layers, bias=bias,
                        batch_first=batch_first)
        self.fc = nn.Linear(hidden, outputs)
        self.batch_first = batch_first

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        if not self.batch_first:
            x = x.transpose(0, 1)
        out, _ = self.rec(x)
        if not self.batch_first:
            out = out.transpose(0, 1)
        return self.fc(out)  # (B, T, outputs): every step's head


def fixture(out_dir, name, model, cell, task, output, x, vocab_tokens=None, dtype="F32"):
    model.eval()
    if dtype != "F32":
        # the outputs PyTorch gives with the weights as stored (rounded to the file's dtype)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float() if dtype == "F16" else p.bfloat16().float())
    with torch.no_grad():
        y = model(x)
        if task == "classification":
            y = torch.softmax(y, dim=-1)
    state = {k.replace("rec.", cell + "."): v for k, v in model.state_dict().items()}
    save_safetensors(out_dir / f"{name}.safetensors", state, {"made_by": "make_fixtures.py", "torch": torch.__version__},
                     dtype)
    arch = {"format": "streamnet-arch/1", "family": "recurrent", "cell": cell, "recurrent": cell, "head": "fc",
            "task": task, "output": output}
    if vocab_tokens is not None:
        arch["embedding"] = "embedding"
        arch["vocabulary"] = {"kind": "word", "tokens": vocab_tokens}
    (out_dir / f"{name}.arch.json").write_text(json.dumps(arch, indent=2) + "\n")
    inputs = x.float() if x.dtype != torch.float32 else x
    save_safetensors(out_dir / f"{name}.io.safetensors", {"inputs": inputs, "outputs": y})
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, outputs {tuple(y.shape)}")


def main():
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "interop/src/test/resources/pytorch")
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(17)
    vocab = ["<unk>"] + [f"w{i}" for i in range(1, 20)]
    tokens = torch.randint(0, len(vocab), (3, 7))
    feats = lambda n: torch.randn(3, 7, n)
    fixture(out_dir, "lstm_tokens", Recurrent("lstm", 0, 16, 2, 3, vocab=len(vocab), embed=8), "lstm",
            "classification", "many_to_many", tokens, vocab)
    fixture(out_dir, "gru_features", Recurrent("gru", 5, 12, 2, 4, batch_first=False), "gru", "classification",
            "many_to_many", feats(5))
    fixture(out_dir, "rnn_features_regression", Recurrent("rnn", 6, 10, 1, 2), "rnn", "regression", "many_to_many",
            feats(6))
    fixture(out_dir, "lstm_features_nobias", Recurrent("lstm", 4, 9, 1, 2, bias=False), "lstm", "classification",
            "many_to_one", feats(4))
    fixture(out_dir, "gru_tokens_f16", Recurrent("gru", 0, 8, 1, 2, vocab=len(vocab), embed=6), "gru",
            "classification", "many_to_many", tokens, vocab, dtype="F16")
    fixture(out_dir, "gru_tokens_bf16", Recurrent("gru", 0, 8, 1, 2, vocab=len(vocab), embed=6), "gru",
            "classification", "many_to_many", tokens, vocab, dtype="BF16")


if __name__ == "__main__":
    main()
