"""The role tagger's inference in numpy: every cue of a document scored and decoded in one pass.

Finds: for each cue the extractor asks about, the labels (S source, C content, K cue, O outside) the
role CRF gives the tokens of its window, and their marginal probabilities when asked.
Leaves to others: the features' definition (pipeline.extract.attribution.lexical_models.role_features,
which training reads), the training (pipeline.learn.train_attribution) and the export of the CRF's
weights (pipeline.learn.export_role_crf).

Why not crfsuite itself: a text of thousands of cues (a transcript, a hostile scrape) spent most of
its analysis building 20 feature strings per token per cue and handing them to crfsuite one cue at a
time. A feature string is a function of a few small things (the word, its neighbours, the side of the
cue, a distance bucket, the commas between), so here each distinct combination is spelled and weighed
once per document, and the per-token sums, Viterbi and forward-backward run as array operations over
all cues together. tests/extract/test_role_crf.py holds the scores equal to summing the weights of
role_features' strings, and the labels equal to crfsuite's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.config import MODEL_FILES_DIR
from pipeline.extract import cues
from pipeline.extract.attribution.lexical_models import QUOTE_CHARACTERS, ROLE_LABELS, feature_word, rel_bucket, token_shapes
from pipeline.extract.attribution.lexical_models import SHAPES as _SHAPES

WEIGHTS_PATH = MODEL_FILES_DIR / "role_crf_weights.npz"
LABELS = ROLE_LABELS  # source, content, cue, outside: the CRF's labels, in the weights' column order

_SIDES = ("L", "R", "K")
_BREAKING = frozenset(("who", "which", "whose"))
_CLAUSE_PUNCTUATION = frozenset((",", "—", "–", ";", ":"))


# Distances are clipped to +-31 (both "far"); index d + 31 gives the bucket's position in _BUCKETS.
_BUCKETS = sorted({rel_bucket(d) for d in range(-31, 32)})
_BUCKET_OF = np.array([_BUCKETS.index(rel_bucket(d)) for d in range(-31, 32)], dtype=np.int64)


@dataclass(frozen=True)
class RoleWeights:
    """The CRF's attribute weights (one row per attribute, a column per label) and label transitions."""

    index: dict[str, int]
    state: np.ndarray  # (attributes + 1, 4); the last row is zeros, for attributes the model never saw
    transitions: np.ndarray  # (4, 4): from label (row) to label (column)
    source_sha256: str  # of the crfsuite file the weights were read from
    # Summed weights of the feature combinations met so far (a word, a word pair, a distance bucket),
    # by a key that names the combination: news repeats its words, so most of an article's
    # combinations were spelled and weighed for an earlier one.
    sums: dict[tuple, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def vector(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """Return the summed weights of the named attributes (an unknown attribute weighs nothing)."""
        rows = [self.index[name] for name in names if name in self.index]
        return self.state[rows].sum(axis=0) if rows else np.zeros(4)

    def summed(self, key: tuple, spell) -> np.ndarray:
        """Return vector(spell(key)), remembered by key (up to SUMS_KEPT keys, then forgotten all at once)."""
        found = self.sums.get(key)
        if found is None:
            if len(self.sums) >= SUMS_KEPT:
                self.sums.clear()
            found = self.sums[key] = self.vector(spell(key))
        return found


SUMS_KEPT = 100_000  # about 50 MB at most (a key is a few strings)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> RoleWeights | None:
    """Return the exported weights, or None without the file."""
    if not path.exists():
        return None
    data = np.load(path, allow_pickle=False)
    names = bytes(data["attributes"]).decode("utf-8").split("\n")
    state = np.vstack([data["state"].astype(np.float64), np.zeros((1, len(LABELS)))])
    return RoleWeights({name: k for k, name in enumerate(names)}, state, data["transitions"].astype(np.float64),
                       str(data["source_sha256"]))


def save_weights(path: Path, attributes: list[str], state: np.ndarray, transitions: np.ndarray,
                 source_sha256: str) -> None:
    """Write weights in the form load_weights reads (attribute names joined by newlines, as UTF-8 bytes)."""
    joined = np.frombuffer("\n".join(attributes).encode("utf-8"), dtype=np.uint8)
    np.savez_compressed(path, attributes=joined, state=state.astype(np.float64),
                        transitions=transitions.astype(np.float64), source_sha256=np.array(source_sha256))


@dataclass(frozen=True)
class CueRequest:
    """One cue to tag: its window [first, last), the cue token range and the rules' speaker hint."""

    first: int
    last: int
    cue: tuple[int, int]
    hint: tuple[int, int] | None


class _Table:
    """Distinct feature combinations of one document, each spelled and weighed once."""

    def __init__(self, weights: RoleWeights) -> None:
        self.weights = weights
        self.rows: list[np.ndarray] = [np.zeros(4)]  # row 0: nothing
        self.ids: dict[object, int] = {}

    def id(self, key: tuple, spell=list) -> int:
        """Return the row of a feature combination, named by key and spelled by spell(key) (the key's
        own strings by default)."""
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.rows)
            self.rows.append(self.weights.summed(key, spell))
        return found

    def matrix(self) -> np.ndarray:
        return np.array(self.rows)


# Items (a token of a cue's window) scored in one pass: a text without full stops has windows of 300
# tokens around thousands of cues, and a pass holds about 20 arrays of this many numbers.
ITEMS_PER_PASS = 400_000


def state_scores(doc, requests: list[CueRequest], weights: RoleWeights) -> list[np.ndarray]:
    """Return, per request, the (window length, 4) state scores: role_features' weights summed per token."""
    scores: list[np.ndarray] = []
    batch: list[CueRequest] = []
    items = 0
    for request in requests:
        if batch and items + request.last - request.first > ITEMS_PER_PASS:
            scores += _state_scores(doc, batch, weights)
            batch, items = [], 0
        batch.append(request)
        items += request.last - request.first
    return scores + (_state_scores(doc, batch, weights) if batch else [])


@dataclass(frozen=True)
class _Tokens:
    """What the role features read of every token of a document, as arrays (kept on the document)."""

    words: list[str]  # feature words
    vocab: list[str]
    word_id: np.ndarray
    shape: np.ndarray
    in_quote: np.ndarray
    commas: np.ndarray  # running counts, one longer than the tokens
    marks: np.ndarray
    stops: np.ndarray


def _token_arrays(doc) -> _Tokens:
    found = doc.feature_cache.get("role_crf")
    if found is not None:
        return found
    tokens = doc.tokens
    n_tokens = len(tokens)
    words = [feature_word(doc, k) if tokens[k].text == "'" else tokens[k].low for k in range(n_tokens)]
    vocabulary: dict[str, int] = {}
    word_id = np.fromiter((vocabulary.setdefault(w, len(vocabulary)) for w in words), dtype=np.int64, count=n_tokens)
    vocab = list(vocabulary)
    # Running counts of what role_features counts between a token and its cue, from per-word flags
    # (a text has far fewer distinct words than tokens). Only an apostrophe's feature word differs
    # from its lowercase, and it is none of these.
    kinds = np.array([_word_kinds(word) for word in vocab], dtype=bool).reshape(len(vocab), 5)[word_id]
    comma, mark, stop_word, verbish, cue_form = kinds.T
    capitalised = np.fromiter((t.is_cap for t in tokens), dtype=bool, count=n_tokens)
    found = doc.feature_cache["role_crf"] = _Tokens(
        words, vocab, word_id, token_shapes(doc), doc.inside_quotes(doc.token_starts()).astype(np.int64),
        _prefix(comma), _prefix(mark), _prefix((~capitalised & (stop_word | verbish)) | cue_form))
    return found


def _state_scores(doc, requests: list[CueRequest], weights: RoleWeights) -> list[np.ndarray]:
    n_tokens = len(doc.tokens)
    table = _Table(weights)
    arrays = _token_arrays(doc)
    words, vocab, word_id, shape, in_quote = arrays.words, arrays.vocab, arrays.word_id, arrays.shape, arrays.in_quote
    commas, marks, stops = arrays.commas, arrays.marks, arrays.stops
    start_id, end_id = len(vocab), len(vocab) + 1  # "<s>" and "</s>" as neighbours
    neighbour = vocab + ["<s>", "</s>"]

    # Items: one per token of each request's window, in order.
    lengths = np.array([r.last - r.first for r in requests], dtype=np.int64)
    request_of = np.repeat(np.arange(len(requests)), lengths)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    first = np.array([r.first for r in requests], dtype=np.int64)[request_of]
    last = np.array([r.last for r in requests], dtype=np.int64)[request_of]
    k = first + (np.arange(offsets[-1]) - offsets[:-1][request_of])
    c0 = np.array([r.cue[0] for r in requests], dtype=np.int64)[request_of]
    c1 = np.array([r.cue[1] for r in requests], dtype=np.int64)[request_of]
    side = np.where(k < c0, 0, np.where(k >= c1, 1, 2))
    d = np.where(side == 0, k - c0, np.where(side == 1, k - c1 + 1, 0))
    bucket = _BUCKET_OF[np.clip(d, -31, 31) + 31]
    left, right = side == 0, side == 1
    # Between the token and the cue: (k, c0) exclusive on the left, [c1, k) on the right.
    lo = np.where(left, k + 1, np.where(right, c1, 0))
    hi = np.where(left, c0, np.where(right, k, 0))
    between_commas = commas[hi] - commas[lo]
    between_marks = marks[np.where(left, c0, hi)] - marks[np.where(left, k, lo)]
    between_stops = stops[hi] - stops[lo]
    w = word_id[k]
    sh = shape[k]
    q = in_quote[k]
    p1 = np.where(k > first, word_id[np.maximum(k - 1, 0)], start_id)
    n1 = np.where(k + 1 < last, word_id[np.minimum(k + 1, n_tokens - 1)], end_id)

    columns = [
        _lookup(table, w, lambda v: ("w", vocab[v]), lambda key: _word_names(key[1])),
        _lookup(table, sh, lambda s: ("shape", s), lambda key: ["shape=" + _SHAPES[key[1]]]),
        _lookup(table, p1 * (end_id + 1) + w,
                lambda code: ("p1", neighbour[code // (end_id + 1)], vocab[code % (end_id + 1)]),
                lambda key: ["p1=" + key[1], "p1w=" + key[1] + "|" + key[2]]),
        _lookup(table, w * (end_id + 1) + n1,
                lambda code: ("n1", vocab[code // (end_id + 1)], neighbour[code % (end_id + 1)]),
                lambda key: ["n1=" + key[2], "wn1=" + key[1] + "|" + key[2]]),
        _lookup(table, (w * 3 + side) * 2 + q, lambda code: ("side_word", vocab[code // 6], code // 2 % 3, code % 2),
                lambda key: _side_word_names(key[1], _SIDES[key[2]], bool(key[3]))),
        _lookup(table, _geometry_code(side, bucket, sh, between_commas, between_marks, between_stops),
                lambda code: ("geometry", code), lambda key: _geometry_names(key[1])),
        np.where(k == first, table.id(("first",)), 0),
        np.where(k == last - 1, table.id(("last",)), 0),
    ]
    columns += _cue_columns(doc, table, requests, words, request_of, k, side)
    columns += _hint_columns(table, requests, request_of, k, side, sh)
    matrix = table.matrix()
    scores = sum(matrix[column] for column in columns)
    return [scores[offsets[i]:offsets[i + 1]] for i in range(len(requests))]


def _word_kinds(word: str) -> tuple[bool, bool, bool, bool, bool]:
    """Return (clause punctuation, quotation mark, phrase-breaking word, verb-like, cue form) for a word."""
    return (word in _CLAUSE_PUNCTUATION, word in QUOTE_CHARACTERS or word in ("``", "''"),
            word in cues.NP_STOPS or word in _BREAKING, word.endswith(("ed", "ing")) and len(word) > 4,
            word in cues.CUE_FORMS)


def _prefix(flags: np.ndarray) -> np.ndarray:
    """Return running counts: [0, f0, f0 + f1, ...] as an array one longer than the flags."""
    return np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))


def _lookup(table: _Table, codes: np.ndarray, key_of, spell) -> np.ndarray:
    """Return the table row of each item's code: key_of(code) names its combination, spell(key) its strings."""
    distinct, inverse = np.unique(codes, return_inverse=True)
    rows = np.fromiter((table.id(key_of(int(c)), spell) for c in distinct), dtype=np.int64, count=len(distinct))
    return rows[inverse]


def _word_names(w: str) -> list[str]:
    names = ["bias", "w=" + w]
    if len(w) > 3:
        names.append("suf3=" + w[-3:])
    if w in cues.CUE_FORMS:
        names.append("cue_word")
    return names


def _side_word_names(w: str, side: str, in_quote: bool) -> list[str]:
    names = ["side_w=" + side + w]
    if in_quote:
        names += ["in_quote", "in_quote_side=" + side]
    if w in cues.PERSONAL_PRONOUNS or w in cues.OTHER_PRONOUNS:
        names.append("pronoun=" + side)
    if w in cues.ROLE_HEADS:
        names.append("role_head=" + side)
    if w in cues.NP_STOPS:
        names.append("np_stop=" + side)
    return names


def _geometry_code(side, bucket, shape, commas, marks, stops) -> np.ndarray:
    code = side * len(_BUCKETS) + bucket
    code = code * len(_SHAPES) + shape
    for count in (commas, marks, stops):
        code = code * 4 + np.minimum(count, 3)
    return code


def _geometry_names(code: int) -> list[str]:
    code, stops = divmod(code, 4)
    code, marks = divmod(code, 4)
    code, commas = divmod(code, 4)
    code, shape_index = divmod(code, len(_SHAPES))
    side_index, bucket_index = divmod(code, len(_BUCKETS))
    side, rel, shape = _SIDES[side_index], _BUCKETS[bucket_index], _SHAPES[shape_index]
    return ["side=" + side, "rel=" + rel, "side_shape=" + side + shape,
            "commas=" + side + str(commas), "marks=" + side + str(marks),
            "rel_shape=" + rel + shape, "rel_commas=" + rel + str(min(commas, 2)),
            "stops=" + side + str(stops), "stops_commas=" + side + str(min(stops, 2)) + str(min(commas, 2)),
            "stops_shape=" + side + str(min(stops, 2)) + shape]


def _cue_columns(doc, table: _Table, requests: list[CueRequest], words: list[str], request_of: np.ndarray,
                 k: np.ndarray, side: np.ndarray) -> list[np.ndarray]:
    """Return the cue word's features (by side) and the "that" after the cue, per item."""
    tokens = doc.tokens
    by_side = np.zeros((len(requests), 3), dtype=np.int64)
    that_at = np.full(len(requests), -1, dtype=np.int64)
    for i, r in enumerate(requests):
        c0, c1 = r.cue
        lemma = cues.CUE_FORMS.get(tokens[c0].low, tokens[c0].low)
        before = words[c0 - 1] if c0 - 1 >= r.first else "<s>"
        after = words[c1] if c1 < r.last else "</s>"
        for s, name in enumerate(_SIDES):
            by_side[i, s] = table.id(("cue", name, lemma, before, after), _cue_names)
        that_at[i] = next((k for k in range(c1, min(r.last, c1 + 6)) if tokens[k].low == "that"), -1)
    cue_column = by_side[request_of, side]
    that = that_at[request_of]
    relation = np.where(k > that, table.id(("after_that",)),
                        np.where(k == that, table.id(("is_that",)), table.id(("before_that",))))
    that_column = np.where((that >= 0) & (side == 1), relation, 0)
    return [cue_column, that_column]


def _hint_columns(table: _Table, requests: list[CueRequest], request_of: np.ndarray, k: np.ndarray,
                  side: np.ndarray, shape: np.ndarray) -> list[np.ndarray]:
    """Return the features placing each token relative to the rules' speaker span (lexical_models._hint_features)."""
    has_hint = np.array([r.hint is not None for r in requests])[request_of]
    start = np.array([r.hint[0] if r.hint else 0 for r in requests], dtype=np.int64)[request_of]
    end = np.array([r.hint[1] if r.hint else 0 for r in requests], dtype=np.int64)[request_of]
    where = np.where(k < start, 1, np.where(k >= end, 2, 0))  # in, before, after
    gap = np.where(where == 0, 0, np.where(where == 1, start - k, k - end + 1))
    bucket = _BUCKET_OF[np.clip(gap, -31, 31) + 31]
    code = ((where * 3 + side) * len(_BUCKETS) + bucket) * len(_SHAPES) + shape
    hinted = _lookup(table, code, lambda c: ("hint", c), lambda key: _hint_names(key[1]))
    none = table.id(("hint=none",))
    return [np.where(has_hint, hinted, none),
            np.where(has_hint & (k == start), table.id(("hint_first",)), 0),
            np.where(has_hint & (k == end - 1), table.id(("hint_last",)), 0)]


def _cue_names(key: tuple) -> list[str]:
    _, side, lemma, before, after = key
    return ["cue=" + side + lemma, "cue_prev=" + side + before, "cue_next=" + side + after]


def _hint_names(code: int) -> list[str]:
    code, shape_index = divmod(code, len(_SHAPES))
    code, bucket_index = divmod(code, len(_BUCKETS))
    where_index, side_index = divmod(code, 3)
    where, side, shape = ("in", "before", "after")[where_index], _SIDES[side_index], _SHAPES[shape_index]
    return ["hint=" + where, "hint_side=" + side + where, "hint_gap=" + where + _BUCKETS[bucket_index],
            "hint_shape=" + where + shape]


# --------------------------------------------------------------------------- decoding


def viterbi(scores: list[np.ndarray], transitions: np.ndarray) -> list[list[str]]:
    """Return the best label sequence of each score matrix, all decoded together.

    Shorter sequences are padded to the longest; past its end a sequence's scores stay as they are
    and its back pointers point to the same label, so the backtrack crosses the padding unchanged.
    """
    members = [i for i, s in enumerate(scores) if len(s)]
    labels: list[list[str]] = [[] for _ in scores]
    if not members:
        return labels
    lengths = np.array([len(scores[i]) for i in members])
    longest = int(lengths.max())
    u = np.zeros((len(members), longest, len(LABELS)))
    for n, i in enumerate(members):
        u[n, : lengths[n]] = scores[i]
    same = np.arange(len(LABELS))
    best = u[:, 0, :]
    back = np.zeros((len(members), longest, len(LABELS)), dtype=np.int64)
    for t in range(1, longest):
        active = (t < lengths)[:, None]
        candidates = best[:, :, None] + transitions[None, :, :]  # (n, from, to)
        back[:, t, :] = np.where(active, candidates.argmax(axis=1), same)
        best = np.where(active, candidates.max(axis=1) + u[:, t, :], best)
    path = np.zeros((len(members), longest), dtype=np.int64)
    path[:, -1] = best.argmax(axis=1)
    rows = np.arange(len(members))
    for t in range(longest - 1, 0, -1):
        path[:, t - 1] = back[rows, t, path[:, t]]
    for n, i in enumerate(members):
        labels[i] = [LABELS[j] for j in path[n, : lengths[n]]]
    return labels


def marginals(scores: list[np.ndarray], transitions: np.ndarray) -> list[np.ndarray]:
    """Return per sequence the (length, 4) marginal probability of each label at each token (forward-backward)."""
    out: list[np.ndarray] = [np.zeros((0, len(LABELS))) for _ in scores]
    for length, members in _by_length(scores).items():
        u = np.stack([scores[i] for i in members])
        alpha = np.zeros_like(u)
        beta = np.zeros_like(u)
        alpha[:, 0] = u[:, 0]
        for t in range(1, length):
            alpha[:, t] = _logsumexp(alpha[:, t - 1, :, None] + transitions[None], axis=1) + u[:, t]
        for t in range(length - 2, -1, -1):
            beta[:, t] = _logsumexp(transitions[None] + (u[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
        log_z = _logsumexp(alpha[:, -1], axis=1)
        probabilities = np.exp(alpha + beta - log_z[:, None, None])
        for n, i in enumerate(members):
            out[i] = probabilities[n]
    return out


def _by_length(scores: list[np.ndarray]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(scores):
        if len(s):
            groups.setdefault(len(s), []).append(i)
    return groups


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    top = x.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))).squeeze(axis)
