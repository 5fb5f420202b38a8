#!/usr/bin/env python3
"""A GRU sentiment model trained by PyTorch on the UCI sentences, for the end-to-end import test.

Reads the three UCI files (sentence<TAB>label) in streamnet's order (amazon, imdb, yelp), puts
every 5th sentence (global index % 5 == 0) in the test split and trains on the rest, tokenizing as
streamnet's WordTokenizer does (lower-case; words of letters and digits with inner apostrophes;
single punctuation marks). Writes the state_dict (float16), its ARCH file with the vocabulary, and
PyTorch's own predictions and accuracy on the test split:

    python3 interop/src/test/python/train_sentiment_gru.py ../shared/datasets/sentiment \
        interop/src/test/resources/pytorch

`onnx STATE_DICT OUT.onnx` exports that same trained model through torch.onnx.export (the head on
h_n[-1], as trained), so that the ONNX import can be held to the safetensors one:

    python3 interop/src/test/python/train_sentiment_gru.py onnx \
        interop/src/test/resources/pytorch/sentiment_gru.safetensors interop/src/test/resources/onnx/sentiment_gru.onnx
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from make_fixtures import load_safetensors, save_safetensors  # noqa: E402

FILES = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"]
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\s\w]|_")
VOCAB = 2000


def load(data_dir):
    out = []
    for name in FILES:
        # as SentimentDataset.read: lines end at \n only (U+0085 stays inside a sentence), blank lines skipped
        for n, line in enumerate((Path(data_dir) / name).read_text(encoding="utf-8").split("\n"), 1):
            line = line[:-1] if line.endswith("\r") else line
            if not line.strip():
                continue
            tab = line.rfind("\t")
            if tab < 0 or line[tab + 1:].strip() not in ("0", "1"):
                raise ValueError(f"{name} line {n}: expected 'sentence<TAB>0|1'")
            out.append((line[:tab].strip(), int(line[tab + 1:].strip())))
    return out


class Sentiment(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.gru = nn.GRU(16, 48, batch_first=True)
        self.fc = nn.Linear(48, 2)

    def forward(self, ids, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.fc(h[-1])  # the head at each sentence's last word


def batches(items, size):
    for i in range(0, len(items), size):
        chunk = items[i:i + size]
        lengths = torch.tensor([len(x) for x, _ in chunk])
        ids = torch.zeros(len(chunk), int(lengths.max()), dtype=torch.long)
        for j, (x, _) in enumerate(chunk):
            ids[j, :len(x)] = torch.tensor(x)
        yield ids, lengths, torch.tensor([y for _, y in chunk])


class SentimentUnpacked(Sentiment):
    """The same model on padding-free batches: the graph torch.onnx.export writes for a stream."""

    def forward(self, ids):
        _, h = self.gru(self.embed(ids))
        return self.fc(h[-1])


def export_onnx(state_dict, out):
    state = load_safetensors(state_dict)
    model = SentimentUnpacked(state["embed.weight"].shape[0])
    model.load_state_dict(state)
    model.eval()
    torch.onnx.export(model, (torch.zeros(2, 5, dtype=torch.long),), out, opset_version=14, input_names=["tokens"],
                      output_names=["logits"], dynamic_axes={"tokens": {0: "batch", 1: "time"}})
    print(f"{out}: the model of {state_dict} as ONNX")


def main():
    if sys.argv[1] == "onnx":
        export_onnx(sys.argv[2], sys.argv[3])
        return
    data_dir, out_dir = sys.argv[1], Path(sys.argv[2])
    torch.manual_seed(5)
    sentences = load(data_dir)
    words = lambda text: TOKEN.findall(text.lower())
    # sentences without a single token make no conversation (the stream cannot send them): left out of both
    train = [s for i, s in enumerate(sentences) if i % 5 != 0 and words(s[0])]
    test = [s for i, s in enumerate(sentences) if i % 5 == 0 and words(s[0])]
    counts = Counter(w for text, _ in train for w in words(text))
    tokens = ["<unk>"] + [w for w, _ in counts.most_common(VOCAB - 1)]
    index = {w: i for i, w in enumerate(tokens)}
    encode = lambda text: [index.get(w, 0) for w in words(text)]
    train_ids = [(encode(t), y) for t, y in train]
    test_ids = [(encode(t), y) for t, y in test]
    model = Sentiment(len(tokens))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(6):
        model.train()
        perm = torch.randperm(len(train_ids)).tolist()
        for ids, lengths, y in batches([train_ids[i] for i in perm], 32):
            opt.zero_grad()
            nn.functional.cross_entropy(model(ids, lengths), y).backward()
            opt.step()
    model.eval()
    # the weights as the file stores them (float16), so that PyTorch's predictions are those of the file
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        predictions = []
        for ids, lengths, _ in batches(test_ids, 256):
            predictions += model(ids, lengths).argmax(-1).tolist()
    accuracy = sum(int(p == y) for p, (_, y) in zip(predictions, test)) / len(test)
    save_safetensors(out_dir / "sentiment_gru.safetensors", model.state_dict(),
                     {"made_by": "train_sentiment_gru.py", "torch": torch.__version__}, "F16")
    arch = {"format": "streamnet-arch/1", "family": "recurrent", "cell": "gru", "embedding": "embed",
            "recurrent": "gru", "head": "fc", "task": "classification", "output": "many_to_one",
            "vocabulary": {"kind": "word", "tokens": tokens}}
    (out_dir / "sentiment_gru.arch.json").write_text(json.dumps(arch) + "\n")
    (out_dir / "sentiment_gru.expected.json").write_text(json.dumps(
        {"split": "test: global sentence index % 5 == 0, sentences with tokens", "test_sentences": len(test),
         "accuracy": accuracy, "predictions": predictions,
         "token_counts": [len(words(t)) for t, _ in test]}) + "\n")
    print(f"trained on {len(train)}, test accuracy {accuracy:.4f} over {len(test)} sentences")


if __name__ == "__main__":
    main()
