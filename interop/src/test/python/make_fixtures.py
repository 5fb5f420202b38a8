#!/usr/bin/env python3
"""Parity fixtures for streamnet's PyTorch import, made by PyTorch itself.

Builds small random models of every supported family and saves each as PyTorch users do:
recurrent ones (into pytorch/) as a state_dict in safetensors (written here: the format is a JSON
header and raw little-endian tensors, so the `safetensors` package is not needed) with its ARCH
file; CNNs (LeNet-5, a small ResNet of torchvision BasicBlocks) the same way; and recurrent and
convolutional ones (into onnx/) through torch.onnx.export. Each comes with fixed inputs and
PyTorch's outputs (every step of a recurrent model). The Java tests import each model and
compare. Run where python3 has torch (Debian: apt-get install python3-torch):

    python3 interop/src/test/python/make_fixtures.py interop/src/test/resources

The other direction: `check PREFIX...` loads streamnet's export PREFIX.safetensors into the PyTorch
modules its PREFIX.arch.json names, runs PREFIX.io.safetensors' inputs and asserts PyTorch's
outputs equal the outputs streamnet recorded there (interop/src/test/resources/streamnet/char_gru:
a GRU trained by `streamnet train charlm`, made by StreamnetExportFixture):

    python3 interop/src/test/python/make_fixtures.py check interop/src/test/resources/streamnet/char_gru
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
        if t.dtype == torch.int64:  # BatchNorm2d's num_batches_tracked
            raw = t.numpy().astype("<i8").tobytes()
            header[name] = {"dtype": "I64", "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
            blobs.append(raw)
            at += len(raw)
            continue
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


class LastStep(nn.Module):
    """Many-to-one recurrent models the three ways PyTorch code takes the last step."""

    def __init__(self, cell, inputs, hidden, layers, outputs, vocab=0, embed=0, how="last", batch_first=True,
                 softmax=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed) if vocab else None
        make = {"rnn": lambda **k: nn.RNN(nonlinearity="tanh", **k), "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rec = make(input_size=embed if vocab else inputs, hidden_size=hidden, num_layers=layers,
                        batch_first=batch_first)
        self.fc = nn.Linear(hidden, outputs)
        self.how, self.batch_first, self.softmax, self.cell = how, batch_first, softmax, cell

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        out, state = self.rec(x)
        if self.how == "h_n":
            h = (state[0] if self.cell == "lstm" else state)[-1]
        else:
            h = out[:, -1] if self.batch_first else out[-1]
        y = self.fc(h)
        return torch.softmax(y, dim=-1) if self.softmax else y


def onnx_fixture(out_dir, name, model, x, opset, task, softmax_in_graph, seq_first_input=False):
    """model(x) for x (B, T[, F]); a seq-first model is exported and run on x transposed to (T, B[, F])."""
    model.eval()
    run_x = x.transpose(0, 1).contiguous() if seq_first_input else x
    with torch.no_grad():
        y = model(run_x)
        if y.dim() == 3 and seq_first_input:
            y = y.transpose(0, 1)
        if task == "classification" and not softmax_in_graph:
            y = torch.softmax(y, dim=-1)  # what our classifier serves
    torch.onnx.export(model, (run_x,), str(out_dir / f"{name}.onnx"), opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "d0", 1: "d1"}})
    inputs = x.float() if x.dtype != torch.float32 else x
    save_safetensors(out_dir / f"{name}.io.safetensors", {"inputs": inputs, "outputs": y})
    print(f"{name}.onnx: opset {opset}, outputs {tuple(y.shape)}")


class BasicBlock(nn.Module):
    """torchvision's BasicBlock (same module names), written out so that torchvision is not needed."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if cin != cout or stride != 1:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


LENET_ARCH = {"format": "streamnet-arch/1", "family": "cnn", "input": [1, 28, 28], "layers": [
    {"type": "conv", "module": "features.0", "pad": 2}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
    {"type": "conv", "module": "features.3"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
    {"type": "flatten"}, {"type": "linear", "module": "classifier.0"}, {"type": "relu"},
    {"type": "linear", "module": "classifier.2"}, {"type": "relu"}, {"type": "linear", "module": "classifier.4"}]}


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.AvgPool2d(2))
        self.layer1 = nn.Sequential(BasicBlock(8, 8, 1))
        self.layer2 = nn.Sequential(BasicBlock(8, 16, 2))
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer2(self.layer1(self.stem(x)))), 1))


RESNET_ARCH = {"format": "streamnet-arch/1", "family": "cnn", "input": [1, 12, 12], "layers": [
    {"type": "conv", "module": "stem.0", "pad": 1}, {"type": "batchnorm", "module": "stem.1"}, {"type": "relu"},
    {"type": "avgpool", "kernel": 2}, {"type": "residual", "module": "layer1.0"},
    {"type": "residual", "module": "layer2.0", "stride": 2}, {"type": "globalavgpool"}, {"type": "flatten"},
    {"type": "linear", "module": "fc"}]}


class ViewNet(nn.Module):
    """The tutorial idiom x.view(x.size(0), -1) before the classifier, instead of torch.flatten."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(x.view(x.size(0), -1))


def view_fixtures(onnx_dir):
    """x.view exports as Reshape: with a dynamic batch its shape is computed (Shape, Gather, Unsqueeze,
    Concat), with a fixed batch it is the constant (4, 144)."""
    torch.manual_seed(20)
    model = ViewNet().eval()
    x = torch.randn(4, 1, 14, 14)
    with torch.no_grad():
        logits = model(x)
    save_safetensors(onnx_dir / "cnn_view.io.safetensors", {"inputs": x, "logits": logits})
    torch.onnx.export(model, (x,), str(onnx_dir / "cnn_view.onnx"), opset_version=14, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    torch.onnx.export(model, (x,), str(onnx_dir / "cnn_view_fixed.onnx"), opset_version=14, input_names=["image"],
                      output_names=["logits"])
    print("cnn_view.onnx, cnn_view_fixed.onnx: opset 14")


def randomize_batch_norms(model):
    """Running statistics and affines away from their initial values, as a trained model's are."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.num_batches_tracked.fill_(100)


def cnn_fixture(out_dir, onnx_dir, name, model, arch, x, export=True):
    model.eval()
    with torch.no_grad():
        logits = model(x)
    save_safetensors(out_dir / f"{name}.safetensors", dict(model.state_dict()),
                     {"made_by": "make_fixtures.py", "torch": torch.__version__})
    (out_dir / f"{name}.arch.json").write_text(json.dumps(arch, indent=2) + "\n")
    io = {"inputs": x, "logits": logits, "probabilities": torch.softmax(logits, dim=-1)}
    save_safetensors(out_dir / f"{name}.io.safetensors", io)
    if not export:
        return
    save_safetensors(onnx_dir / f"{name}.io.safetensors", io)
    # eval-mode export folds each batch norm into its convolution; PRESERVE keeps them as nodes
    torch.onnx.export(model, (x,), str(onnx_dir / f"{name}.onnx"), opset_version=14, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    torch.onnx.export(model, (x,), str(onnx_dir / f"{name}_bn.onnx"), opset_version=14, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, logits {tuple(logits.shape)}")


class WithSoftmax(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return torch.softmax(self.inner(x), dim=1)


def load_safetensors(path):
    """name -> float32 torch tensor (F32, F16, BF16), as safetensors.torch.load_file would give."""
    raw = Path(path).read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        b, e = h["data_offsets"]
        if h["dtype"] == "F32":
            a = np.frombuffer(data[b:e], dtype="<f4")
        elif h["dtype"] == "F16":
            a = np.frombuffer(data[b:e], dtype="<f2").astype(np.float32)
        elif h["dtype"] == "BF16":
            a = (np.frombuffer(data[b:e], dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(h["dtype"])
        out[name] = torch.from_numpy(a.copy()).reshape(h["shape"])
    return out


class ArchCnn(nn.Module):
    """A cnn ARCH as PyTorch modules under the ARCH's module names (nested names become submodules)."""

    def __init__(self, arch, state):
        super().__init__()
        self.steps = []
        self.holder = nn.Module()
        for layer in arch["layers"]:
            t = layer["type"]
            m = layer.get("module")
            if t == "conv":
                w = state[f"{m}.weight"]
                mod = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], layer.get("stride", 1), layer.get("pad", 0),
                                bias=f"{m}.bias" in state)
            elif t == "batchnorm":
                mod = nn.BatchNorm2d(state[f"{m}.weight"].shape[0], eps=layer.get("eps", 1e-5))
            elif t == "linear":
                w = state[f"{m}.weight"]
                mod = nn.Linear(w.shape[1], w.shape[0], bias=f"{m}.bias" in state)
            elif t == "residual":
                w1 = state[f"{m}.conv1.weight"]
                mod = BasicBlock(w1.shape[1], w1.shape[0], layer.get("stride", 1))
            elif t == "relu":
                mod = nn.ReLU()
            elif t == "maxpool":
                mod = nn.MaxPool2d(layer["kernel"], layer.get("stride", layer["kernel"]))
            elif t == "avgpool":
                mod = nn.AvgPool2d(layer["kernel"], layer.get("stride", layer["kernel"]))
            elif t == "globalavgpool":
                mod = nn.AdaptiveAvgPool2d((1, 1))
            elif t == "flatten":
                mod = nn.Flatten()
            else:
                raise ValueError(t)
            if m is not None:
                parent = self.holder
                parts = m.split(".")
                for p in parts[:-1]:
                    if not hasattr(parent, p):
                        parent.add_module(p, nn.Module())
                    parent = getattr(parent, p)
                parent.add_module(parts[-1], mod)
            self.steps.append(mod)

    def forward(self, x):
        for s in self.steps:
            x = s(x)
        return x


def check(prefix):
    """streamnet's export, loaded into PyTorch's modules, against the outputs streamnet recorded."""
    state = load_safetensors(f"{prefix}.safetensors")
    arch = json.loads(Path(f"{prefix}.arch.json").read_text())
    io = load_safetensors(f"{prefix}.io.safetensors")
    if arch["family"] == "cnn":
        model = ArchCnn(arch, state)
        missing, unexpected = model.holder.load_state_dict(state, strict=False)
        if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
            sys.exit(f"{prefix}: state_dict does not fit the ARCH: missing {missing}, unexpected {unexpected}")
        model.eval()
        with torch.no_grad():
            worst = (model(io["inputs"]) - io["logits"]).abs().max().item()
        print(f"{prefix}: cnn of {len(arch['layers'])} layers; largest |PyTorch - streamnet| logits over "
              f"{tuple(io['logits'].shape)}: {worst:.2e}")
        if worst > 2e-5:
            sys.exit(f"{prefix}: PyTorch does not reproduce streamnet's outputs")
        return
    rec = arch["recurrent"]
    layers = sum(1 for k in state if k.startswith(f"{rec}.weight_ih_l"))
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[arch["cell"]]
    hidden = state[f"{rec}.weight_ih_l0"].shape[0] // gates
    outputs = state[f"{arch['head']}.weight"].shape[0]
    tokens = "embedding" in arch
    if tokens:
        vocab, embed = state[f"{arch['embedding']}.weight"].shape
        model = Recurrent(arch["cell"], 0, hidden, layers, outputs, vocab=vocab, embed=embed)
    else:
        model = Recurrent(arch["cell"], state[f"{rec}.weight_ih_l0"].shape[1], hidden, layers, outputs)
    names = {arch["head"]: "fc", rec: "rec", arch.get("embedding"): "embedding"}
    model.load_state_dict({names[k.split(".", 1)[0]] + "." + k.split(".", 1)[1]: v for k, v in state.items()})
    model.eval()
    x = io["inputs"].long() if tokens else io["inputs"]
    with torch.no_grad():
        y = model(x)
        if arch["task"] == "classification":
            y = torch.softmax(y, dim=-1)
    want = io["outputs"]
    if want.dim() == 2:
        y = y[:, -1]
    worst = (y - want).abs().max().item()
    print(f"{prefix}: {arch['cell']} {layers} layer(s) of {hidden}, {outputs} outputs; "
          f"largest |PyTorch - streamnet| over {tuple(want.shape)}: {worst:.2e}")
    if worst > 2e-5:
        sys.exit(f"{prefix}: PyTorch does not reproduce streamnet's outputs")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        for prefix in sys.argv[2:]:
            check(prefix)
        return
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "interop/src/test/resources")
    out_dir = root / "pytorch"
    onnx_dir = root / "onnx"
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_dir.mkdir(parents=True, exist_ok=True)
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

    # ONNX, recurrent: torch.onnx.export's graphs (Gather, LSTM/GRU/RNN, Transpose, Squeeze, Gemm or MatMul+Add)
    torch.manual_seed(18)
    onnx_fixture(onnx_dir, "lstm_tokens", Recurrent("lstm", 0, 16, 2, 3, vocab=len(vocab), embed=8), tokens, 14,
                 "classification", False)
    onnx_fixture(onnx_dir, "gru_features_hn", LastStep("gru", 5, 12, 2, 4, how="h_n", softmax=True), feats(5), 14,
                 "classification", True)
    onnx_fixture(onnx_dir, "rnn_features_seqfirst", LastStep("rnn", 6, 10, 1, 2, batch_first=False), feats(6), 14,
                 "regression", False, seq_first_input=True)
    onnx_fixture(onnx_dir, "lstm_tokens_last_opset11", LastStep("lstm", 0, 9, 1, 2, vocab=len(vocab), embed=5,
                                                                softmax=True), tokens, 11, "classification", True)

    # CNNs: safetensors + ARCH, and ONNX with the batch norms folded and kept
    torch.manual_seed(19)
    lenet = LeNet5()
    # (LeNet-5 goes to ONNX once, below, with a softmax: its 62k weights need not be there three times)
    cnn_fixture(out_dir, onnx_dir, "lenet5", lenet, LENET_ARCH, torch.randn(4, 1, 28, 28), export=False)
    resnet = TinyResNet()
    randomize_batch_norms(resnet)
    cnn_fixture(out_dir, onnx_dir, "resnet_tiny", resnet, RESNET_ARCH, torch.randn(4, 1, 12, 12))
    x = torch.randn(4, 1, 28, 28)
    onnx_fixture_probs = WithSoftmax(lenet).eval()
    with torch.no_grad():
        probs = onnx_fixture_probs(x)
    torch.onnx.export(onnx_fixture_probs, (x,), str(onnx_dir / "lenet5_softmax.onnx"), opset_version=11,
                      input_names=["image"], output_names=["probabilities"], dynamic_axes={"image": {0: "batch"}})
    save_safetensors(onnx_dir / "lenet5_softmax.io.safetensors", {"inputs": x, "probabilities": probs})
    print("lenet5_softmax.onnx: opset 11")
    view_fixtures(onnx_dir)


if __name__ == "__main__":
    main()
