"""A linear cue tagger: the probability that each word token is (part of) an attribution cue.

Trained on PolNeAR *train* by pipeline.learn.train_attribution (logistic regression over hashed lexical
and context features; see there). The rule extractor in pipeline.extract.attribution asks it which tokens to
treat as cues beyond its lexicon, and which lexicon hits to drop. Only numpy and scikit-learn's
feature hasher are needed; the weights live in pipeline/model_files/cue_model.npz.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.config import MODEL_FILES_DIR
from pipeline.extract import cues

MODEL_PATH = MODEL_FILES_DIR / "cue_model.npz"
N_FEATURES = 2**19


def _shape(word: str) -> str:
    if not word[:1].isalnum():
        return "P"
    if word.isupper() and len(word) > 1:
        return "U"
    return "C" if word[:1].isupper() else ("D" if word[:1].isdigit() else "l")


SHAPES = ("P", "U", "C", "D", "l")


def token_shapes(doc) -> np.ndarray:
    """Return each token's _shape as an index into SHAPES (kept on the document: both taggers read it)."""
    found = doc.feature_cache.get("shapes")
    if found is None:
        shape_of = {text: SHAPES.index(_shape(text)) for text in {t.text for t in doc.tokens}}
        found = doc.feature_cache["shapes"] = np.fromiter((shape_of[t.text] for t in doc.tokens), dtype=np.int64,
                                                          count=len(doc.tokens))
    return found


def token_features(doc) -> tuple[list[int], list[list[str]]]:
    """Return (token indexes, feature strings) for the word tokens of a parsed document outside quotes."""
    tokens = doc.tokens
    n = len(tokens)
    low = [t.low for t in tokens]
    indexes: list[int] = []
    features: list[list[str]] = []
    sentence_first = {first for first, _ in doc.sentences}
    for i, tok in enumerate(tokens):
        if not tok.is_word or doc.inside_quote(tok.start):
            continue
        w = low[i]
        p1 = low[i - 1] if i > 0 else "<s>"
        p2 = low[i - 2] if i > 1 else "<s>"
        n1 = low[i + 1] if i + 1 < n else "</s>"
        n2 = low[i + 2] if i + 2 < n else "</s>"
        lemma = cues.CUE_FORMS.get(w)
        stem = w
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                stem = w[: -len(suffix)]
                break
        f = [
            "w=" + w, "stem=" + stem, "suf3=" + w[-3:], "shape=" + _shape(tok.text),
            "p1=" + p1, "p2=" + p2, "n1=" + n1, "n2=" + n2,
            "p1w=" + p1 + "|" + w, "wn1=" + w + "|" + n1, "p1n1=" + p1 + "|" + n1,
            "p1shape=" + (_shape(tokens[i - 1].text) if i > 0 else "<s>"),
            "n1shape=" + (_shape(tokens[i + 1].text) if i + 1 < n else "</s>"),
            "bias",
        ]
        if lemma:
            f.append("lex=" + lemma)
            f.append("lexkind=" + ("speech" if lemma in cues.SPEECH_VERBS else "cog"))
        if w in cues.NOMINAL_CUES:
            f.append("nominal")
        if i in sentence_first:
            f.append("sent_first")
        if p1 in cues.AUXILIARIES:
            f.append("after_aux")
        if p1 in cues.PERSONAL_PRONOUNS or p1 in cues.OTHER_PRONOUNS:
            f.append("after_pronoun")
        if n1 in ("that", ":") or (i + 1 < n and tokens[i + 1].text in ("“", '"', "``", "''")):
            f.append("before_clause")
        q = doc.quote_at(tokens[i - 1].start) if i > 0 else None
        if q is not None and q.close_end <= tok.start + 3:
            f.append("after_quote")
        indexes.append(i)
        features.append(f)
    return indexes, features


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, float] | None:
    """Return (weights, intercept) or None when no model file is present."""
    if not MODEL_PATH.exists():
        return None
    data = np.load(MODEL_PATH)
    return data["coef"].astype(np.float32), float(data["intercept"])


@lru_cache(maxsize=1)
def _hasher():
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)


def available() -> bool:
    """Return True when the trained cue model file exists."""
    return _load() is not None


def cue_probabilities(doc, model: tuple[np.ndarray, float] | None = None) -> dict[int, float]:
    """Return token index -> probability of being in a cue, for the word tokens outside quotes.

    The same score as hashing token_features' strings (training's features), computed without
    spelling them per token: each feature is a function of one word (the token's, or a neighbour's),
    a pair of words, a shape or a flag, so each distinct one is hashed and weighed once per text.
    A text of 100,000 words has a few thousand distinct words; the per-token work is array sums.
    The shipped model's feature weights are remembered between texts (news repeats its words).
    """
    shared = model is None
    model = model or _load()
    if model is None:
        return {}
    tokens = doc.tokens
    n = len(tokens)
    chosen = np.flatnonzero(np.fromiter((t.is_word for t in tokens), dtype=bool, count=n)
                            & ~doc.inside_quotes(doc.token_starts())) if n else np.zeros(0, dtype=np.int64)
    if not len(chosen):
        return {}
    coef, intercept = model
    vocabulary: dict[str, int] = {}
    word_id = np.fromiter((vocabulary.setdefault(t.low, len(vocabulary)) for t in tokens), dtype=np.int64, count=n)
    words = list(vocabulary) + ["<s>", "</s>"]
    start_id, end_id = len(words) - 2, len(words) - 1
    shape_names = list(SHAPES) + ["<s>", "</s>"]
    shape_id = token_shapes(doc)

    def at(offset: int, ids: np.ndarray, before: int, after: int) -> np.ndarray:
        k = chosen + offset
        return np.where(k < 0, before, np.where(k >= n, after, ids[np.clip(k, 0, n - 1)]))

    w = word_id[chosen]
    p1, p2 = at(-1, word_id, start_id, end_id), at(-2, word_id, start_id, end_id)
    n1, n2 = at(1, word_id, start_id, end_id), at(2, word_id, start_id, end_id)
    pair = len(words)

    sentence_first = np.zeros(n, dtype=bool)
    sentence_first[[first for first, _ in doc.sentences]] = True
    starts = doc.token_starts()
    before = doc.quote_indexes(starts[np.maximum(chosen - 1, 0)])
    close_end = np.array([q.close_end for q in doc.quotes] or [0], dtype=np.int64)[np.maximum(before, 0)]
    after_quote = (chosen > 0) & (before >= 0) & (close_end <= starts[chosen] + 3)
    # (codes, the key naming a code's features, their strings by key): each distinct key is weighed once.
    groups = [
        (w, lambda v: ("w", words[v]), lambda key: _word_feature_names(key[1])),
        (shape_id[chosen], lambda s: ("shape", shape_names[s]), lambda key: ["shape=" + key[1]]),
        (p1, lambda v: ("p1", words[v]), lambda key: _before_names(key[1])),
        (p2, lambda v: ("p2", words[v]), lambda key: ["p2=" + key[1]]),
        (n1, lambda v: ("n1", words[v]), lambda key: _after_names(key[1])),
        (n2, lambda v: ("n2", words[v]), lambda key: ["n2=" + key[1]]),
        (p1 * pair + w, lambda c: ("p1w", words[c // pair], words[c % pair]), _pair_names),
        (w * pair + n1, lambda c: ("wn1", words[c // pair], words[c % pair]), _pair_names),
        (p1 * pair + n1, lambda c: ("p1n1", words[c // pair], words[c % pair]), _pair_names),
        (at(-1, shape_id, 5, 6), lambda s: ("p1shape", shape_names[s]), lambda key: ["p1shape=" + key[1]]),
        (at(1, shape_id, 5, 6), lambda s: ("n1shape", shape_names[s]), lambda key: ["n1shape=" + key[1]]),
        (sentence_first[chosen].astype(np.int64), lambda f: ("sent_first", f), lambda key: ["sent_first"] * key[1]),
        (after_quote.astype(np.int64), lambda f: ("after_quote", f), lambda key: ["after_quote"] * key[1]),
    ]
    remembered = _key_weights(shared)
    keyed, known, missing = [], {}, {}
    for codes, key_of, spell in groups:
        distinct, inverse = np.unique(codes, return_inverse=True)
        keys = [key_of(int(code)) for code in distinct]
        for key in keys:
            weight = remembered.get(key)
            if weight is None:
                missing[key] = spell
            else:
                known[key] = weight
        keyed.append((keys, inverse))
    if missing:  # hashed together: the hasher's cost is mostly per call
        rows = _hasher().transform([spell(key) for key, spell in missing.items()])
        weights = dict(zip(missing, np.asarray(rows @ coef, dtype=np.float64).ravel().tolist()))
        known.update(weights)
        remembered.update(weights)
    scores = intercept + sum(np.array([known[key] for key in keys])[inverse] for keys, inverse in keyed)
    probs = 1.0 / (1.0 + np.exp(-scores))
    return dict(zip(chosen.tolist(), probs.tolist()))


KEYS_KEPT = 200_000  # feature combinations whose weights the shipped cue model remembers (some 40 MB)
_SHIPPED_WEIGHTS: dict[tuple, float] = {}


def _key_weights(shared: bool) -> dict[tuple, float]:
    """Return the weights by feature key to fill and read: the shipped model's remembered ones (news
    repeats its words), or a fresh dict for a model passed in (training's folds)."""
    if not shared:
        return {}
    if len(_SHIPPED_WEIGHTS) > KEYS_KEPT:
        _SHIPPED_WEIGHTS.clear()  # forgotten all at once, before a text looks up its keys
    return _SHIPPED_WEIGHTS


def _pair_names(key: tuple) -> list[str]:
    kind, first, second = key
    return [kind + "=" + first + "|" + second]


def _word_feature_names(w: str) -> list[str]:
    """token_features' strings that depend on the token's own word alone."""
    stem = w
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)]
            break
    names = ["w=" + w, "stem=" + stem, "suf3=" + w[-3:], "bias"]
    lemma = cues.CUE_FORMS.get(w)
    if lemma:
        names += ["lex=" + lemma, "lexkind=" + ("speech" if lemma in cues.SPEECH_VERBS else "cog")]
    if w in cues.NOMINAL_CUES:
        names.append("nominal")
    return names


def _before_names(p1: str) -> list[str]:
    """token_features' strings that depend on the word before alone."""
    names = ["p1=" + p1]
    if p1 in cues.AUXILIARIES:
        names.append("after_aux")
    if p1 in cues.PERSONAL_PRONOUNS or p1 in cues.OTHER_PRONOUNS:
        names.append("after_pronoun")
    return names


def _after_names(n1: str) -> list[str]:
    """token_features' strings that depend on the word after alone (a quotation mark's text is its lowercase)."""
    names = ["n1=" + n1]
    if n1 in ("that", ":", "“", '"', "``", "''"):
        names.append("before_clause")
    return names


# --------------------------------------------------------------------------- candidate ranker

RANKER_PATH = MODEL_FILES_DIR / "attribution_ranker.npz"
QUOTE_CHARACTERS = frozenset("“”\"‘’'«»`")


def _bucket(n: int) -> str:
    for limit in (1, 3, 7, 15, 30):
        if n <= limit:
            return str(limit)
    return "more"


def candidate_features(doc, found: list) -> list[dict[str, float]]:
    """Return one feature dict per candidate attribution (form, cue, speaker, content shape)."""
    tokens = doc.tokens
    text = doc.text
    rows = []
    for index, f in enumerate(found):
        cue_tok = tokens[f.cue[0]]
        w = cue_tok.low
        lemma = cues.CUE_FORMS.get(w, "")
        p = doc.cue_probs.get(f.cue[0], 0.5 if lemma else 0.0)
        feats: dict[str, float] = {"bias": 1.0, "cue_p": p, "kind=" + f.kind: 1.0, "w=" + w: 1.0,
                                   "kind_p=" + f.kind: p}
        if lemma:
            feats["lemma=" + lemma] = 1.0
            kind = "speech" if lemma in cues.SPEECH_VERBS else "cog"
            if lemma in cues.OBJECT_CUES:
                kind = "object"
            feats["lexkind=" + kind] = 1.0
        elif w in cues.NOMINAL_CUES or w == "according":
            feats["lexkind=special"] = 1.0
        else:
            feats["lexkind=model"] = 1.0
        for suffix in ("ing", "ed", "s"):
            if w.endswith(suffix):
                feats["suffix=" + suffix] = 1.0
                break
        prev_tok = tokens[f.cue[0] - 1].low if f.cue[0] > 0 else "<s>"
        next_tok = tokens[f.cue[1]].low if f.cue[1] < len(tokens) else "</s>"
        feats["prev=" + prev_tok] = 1.0
        feats["next=" + next_tok] = 1.0
        if f.speaker is None:
            feats["speaker=none"] = 1.0
        else:
            s_toks = tokens[f.speaker[0]:f.speaker[1]]
            head = s_toks[-1]
            if len(s_toks) == 1 and (head.low in cues.PERSONAL_PRONOUNS or head.low in cues.OTHER_PRONOUNS):
                feats["speaker=pron:" + head.low] = 1.0
            elif head.is_cap:
                feats["speaker=cap"] = 1.0
            elif head.low in cues.ROLE_HEADS:
                feats["speaker=role"] = 1.0
            else:
                feats["speaker=lower"] = 1.0
                feats["speaker_head=" + head.low] = 1.0
            feats["speaker_len=" + _bucket(len(s_toks))] = 1.0
            if any(t.low in cues.CUE_FORMS and not t.is_cap for t in s_toks):
                feats["speaker_has_cue_word"] = 1.0
            if any(t.low.endswith(("ed", "ing")) and not t.is_cap and len(t.low) > 5 for t in s_toks):
                feats["speaker_has_verbish"] = 1.0
        c_start, c_end = f.content
        content = text[c_start:c_end]
        n_words = len(content.split())
        feats["content_len=" + _bucket(n_words)] = 1.0
        first_char = content[:1]
        if first_char in QUOTE_CHARACTERS:
            feats["content_quote_start"] = 1.0
        elif any(ch in QUOTE_CHARACTERS for ch in content):
            feats["content_has_quote"] = 1.0
        if first_char.isupper():
            feats["content_cap_start"] = 1.0
        if content.split()[:1] and content.split()[0].lower() in ("to", "of", "for", "about", "that"):
            feats["content_first=" + content.split()[0].lower()] = 1.0
        if c_end <= tokens[f.cue[0]].start:
            feats["content_before_cue"] = 1.0
        # Candidates come in text order: an enclosing content is among the near neighbours.
        nested = any(found[j].content[0] <= c_start and c_end <= found[j].content[1]
                     for j in range(max(0, index - 8), min(len(found), index + 9)) if j != index)
        if nested:
            feats["content_nested"] = 1.0
        if f.speaker is not None and doc.inside_quote(tokens[f.speaker[0]].start):
            feats["speaker_in_quote"] = 1.0
        # Conjunctions: the same form is reliable for one kind of cue and speaker, not another.
        speaker_kind = next((k for k in feats if k.startswith("speaker=")), "speaker=?")
        lex_kind = next((k for k in feats if k.startswith("lexkind=")), "lexkind=?")
        feats[f"kind={f.kind}|{lex_kind}"] = 1.0
        feats[f"kind={f.kind}|{speaker_kind}"] = 1.0
        feats[f"w={w}|next={next_tok}"] = 1.0
        feats[f"{lex_kind}|p={int(p * 5)}"] = 1.0
        rows.append(feats)
    return rows


@lru_cache(maxsize=1)
def _dict_hasher():
    from sklearn.feature_extraction import FeatureHasher

    return FeatureHasher(n_features=2**16, input_type="dict", alternate_sign=False)


@lru_cache(maxsize=1)
def _load_ranker() -> tuple[np.ndarray, float] | None:
    if not RANKER_PATH.exists():
        return None
    data = np.load(RANKER_PATH)
    return data["coef"].astype(np.float32), float(data["intercept"])


def ranker_available() -> bool:
    """Return True when the trained candidate ranker file exists."""
    return _load_ranker() is not None


def rank_scores(doc, found: list, ranker: tuple[np.ndarray, float] | None = None) -> list[float] | None:
    """Return the ranker's probability that each candidate is a true attribution, or None without a ranker."""
    ranker = ranker or _load_ranker()
    if ranker is None or not found:
        return None if ranker is None else []
    coef, intercept = ranker
    matrix = _dict_hasher().transform(candidate_features(doc, found))
    scores = matrix @ coef + intercept
    return (1.0 / (1.0 + np.exp(-scores))).tolist()


# --------------------------------------------------------------------------- role tagger (source/content given a cue)

ROLE_MODEL_PATH = MODEL_FILES_DIR / "role_crf.crfsuite"
ROLE_LABELS = ("S", "C", "K", "O")  # source, content, cue, outside


def _signed_bucket(d: int) -> str:
    a = abs(d)
    for limit in (1, 2, 3, 4, 6, 9, 14, 20, 30):
        if a <= limit:
            return ("-" if d < 0 else "+") + str(limit)
    return ("-" if d < 0 else "+") + "far"


_BUCKETS = {d: _signed_bucket(d) for d in range(-31, 32)}


def rel_bucket(d: int) -> str:
    """Return the distance bucket of a signed token distance (a table lookup: read for every token of every cue)."""
    found = _BUCKETS.get(d)
    return found if found is not None else ("-far" if d < 0 else "+far")


# A sentence of thousands of tokens (a text without full stops, chains of nested quotations) would
# make every cue's features cost the whole sentence, so the tagger reads at most this far either side;
# a speaker or content further from its cue than this is not drawn by the tagger anyway.
ROLE_WINDOW_TOKENS = 150


def role_window(doc, cue_first: int) -> tuple[int, int]:
    """Return the (first, last) token range the role tagger reads for a cue: the cue's sentence, near the cue."""
    first, last = doc.sentence_of(cue_first)
    return max(first, cue_first - ROLE_WINDOW_TOKENS), min(last, cue_first + ROLE_WINDOW_TOKENS)


def feature_word(doc, k: int) -> str:
    """Return a token's lowercase text as the taggers know it: a straight single quote that opens or
    closes a quotation ('We never sent drones,' the minister said) reads as the curly mark PolNeAR's
    texts use there; elsewhere it stays an apostrophe ("the ministers' views")."""
    tok = doc.tokens[k]
    if tok.text == "'":
        quote = doc.quote_at(tok.start)
        if quote is not None and quote.open_start == tok.start:
            return "‘"
        if quote is not None and quote.close_end == tok.end and quote.closed:
            return "’"
    return tok.low


def role_features(doc, first: int, last: int, cue: tuple[int, int],
                  hint: tuple[int, int] | None = None) -> list[list[str]]:
    """Return one feature list per token of tokens[first:last] for tagging the source and content of cue.

    Position relative to the cue, the punctuation and quote marks between token and cue, the cue word
    by side, and the usual lexical window: a linear-chain CRF then finds contiguous source and content.
    hint is the speaker the rules read for this cue (pipeline.extract.attribution.speaker_hint): the tagger
    learns where PolNeAR's source extent differs from the rules' noun phrase (relative clauses,
    postmodifiers, appositions) rather than finding the source from scratch.
    """
    tokens = doc.tokens
    static = _static_role_features(doc, first, last)
    lows = {k: static[k][0] for k in range(first, last)}
    c0, c1 = cue
    cue_word = tokens[c0].low
    cue_lemma = cues.CUE_FORMS.get(cue_word, cue_word)
    cue_prev = lows[c0 - 1] if c0 - 1 >= first else "<s>"
    cue_next = lows[c1] if c1 < last else "</s>"
    # Running counts of commas and quote marks from the sentence start, to count what lies between.
    commas = [0] * (last - first + 1)
    marks = [0] * (last - first + 1)
    for k in range(first, last):
        t = tokens[k].text
        commas[k - first + 1] = commas[k - first] + (t in (",", "—", "–", ";", ":"))
        marks[k - first + 1] = marks[k - first] + (t in QUOTE_CHARACTERS or t in ("``", "''"))
    that_pos = next((k for k in range(c1, min(last, c1 + 6)) if tokens[k].low == "that"), None)
    # Running counts of phrase-breaking words (prepositions, verbs, relatives) and capitalised words.
    stops = [0] * (last - first + 1)
    for k in range(first, last):
        t = tokens[k]
        breaking = (t.low in cues.NP_STOPS or t.low in ("who", "which", "whose")) and not t.is_cap
        verbish = not t.is_cap and t.low.endswith(("ed", "ing")) and len(t.low) > 4
        stops[k - first + 1] = stops[k - first] + (breaking or verbish or t.low in cues.CUE_FORMS)
    rows: list[list[str]] = []
    for k in range(first, last):
        w, shape, in_quote, word_features = static[k]
        if k < c0:
            side, d = "L", k - c0
            lo, hi = k, c0
        elif k >= c1:
            side, d = "R", k - c1 + 1
            lo, hi = c1, k
        else:
            side, d = "K", 0
            lo = hi = k
        between_commas = commas[hi - first] - commas[lo - first + (1 if side == "L" else 0)] if side != "K" else 0
        between_marks = marks[hi - first] - marks[lo - first] if side != "K" else 0
        between_stops = stops[hi - first] - stops[lo - first + (1 if side == "L" else 0)] if side != "K" else 0
        p1 = lows[k - 1] if k - 1 >= first else "<s>"
        n1 = lows[k + 1] if k + 1 < last else "</s>"
        f = [
            "bias", "side=" + side, "rel=" + rel_bucket(d), "w=" + w, "shape=" + shape,
            "side_w=" + side + w, "side_shape=" + side + shape, "p1=" + p1, "n1=" + n1,
            "p1w=" + p1 + "|" + w, "wn1=" + w + "|" + n1,
            "commas=" + side + str(min(between_commas, 3)), "marks=" + side + str(min(between_marks, 3)),
            "cue=" + side + cue_lemma, "cue_prev=" + side + cue_prev, "cue_next=" + side + cue_next,
            "rel_shape=" + rel_bucket(d) + shape, "rel_commas=" + rel_bucket(d) + str(min(between_commas, 2)),
            "stops=" + side + str(min(between_stops, 3)),
            "stops_commas=" + side + str(min(between_stops, 2)) + str(min(between_commas, 2)),
            "stops_shape=" + side + str(min(between_stops, 2)) + shape,
        ]
        if in_quote:
            f.append("in_quote")
            f.append("in_quote_side=" + side)
        if k == first:
            f.append("first")
        if k == last - 1:
            f.append("last")
        for name, by_side in word_features:
            f.append(name + side if by_side else name)
        if that_pos is not None and side == "R":
            f.append("after_that" if k > that_pos else ("is_that" if k == that_pos else "before_that"))
        if len(w) > 3:
            f.append("suf3=" + w[-3:])
        f.extend(_hint_features(k, hint, side, shape))
        rows.append(f)
    return rows


def _static_role_features(doc, first: int, last: int) -> dict[int, tuple[str, str, bool, tuple]]:
    """Return, per token of tokens[first:last], what its role features need and no cue changes:
    (feature word, shape, inside a quotation, the word-class features as (name, named by side)).

    Kept on the document: the cues of one sentence read the same tokens, and a text of many cues
    would otherwise compute them again for each.
    """
    cache = doc.feature_cache.setdefault("role", {})
    for k in range(first, last):
        if k in cache:
            continue
        w = feature_word(doc, k)
        word_features = []
        if w in cues.CUE_FORMS:
            word_features.append(("cue_word", False))
        if w in cues.PERSONAL_PRONOUNS or w in cues.OTHER_PRONOUNS:
            word_features.append(("pronoun=", True))
        if w in cues.ROLE_HEADS:
            word_features.append(("role_head=", True))
        if w in cues.NP_STOPS:
            word_features.append(("np_stop=", True))
        cache[k] = (w, _shape(doc.tokens[k].text), doc.inside_quote(doc.tokens[k].start), tuple(word_features))
    return cache


def _hint_features(k: int, hint: tuple[int, int] | None, side: str, shape: str) -> list[str]:
    """Return the features placing token k relative to the rules' speaker span."""
    if hint is None:
        return ["hint=none"]
    start, end = hint
    if start <= k < end:
        where = "in"
        gap = 0
    elif k < start:
        where, gap = "before", start - k
    else:
        where, gap = "after", k - end + 1
    feats = ["hint=" + where, "hint_side=" + side + where, "hint_gap=" + where + rel_bucket(gap),
             "hint_shape=" + where + shape]
    if k == start:
        feats.append("hint_first")
    if k == end - 1:
        feats.append("hint_last")
    return feats


@lru_cache(maxsize=None)
def _crf_tagger(path: Path):
    """Return a crfsuite tagger opened on path, or None without the model file or the package."""
    if not path.exists():
        return None
    try:
        import pycrfsuite
    except ImportError:  # optional: without it the rules choose source, cue and content alone
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def _role_tagger():
    return _crf_tagger(ROLE_MODEL_PATH)


@lru_cache(maxsize=None)
def _role_weights(path: Path):
    """Return the numpy tagger's weights when they were exported from the model file at path, else None."""
    from pipeline.extract.attribution import role_crf

    weights = role_crf.load_weights()
    if weights is None or not path.exists() or weights.source_sha256 != role_crf.file_sha256(path):
        return None  # stale or missing export: crfsuite reads the model itself (slower, same labels)
    return weights


def role_tagger_available() -> bool:
    """Return True when the role tagger's model can be read (its exported weights, or python-crfsuite)."""
    return _role_weights(ROLE_MODEL_PATH) is not None or _role_tagger() is not None


def tag_roles(doc, cue: tuple[int, int], tagger=None,
              hint: tuple[int, int] | None = None) -> tuple[list[str], list[float]] | None:
    """Return (labels, label marginals) for the tokens of the cue's window, or None without a tagger."""
    return tag_roles_many(doc, [(cue, hint)], tagger, marginals=True)[0]


def tag_roles_many(doc, cues_and_hints: list[tuple[tuple[int, int], tuple[int, int] | None]], tagger=None,
                   marginals: bool = False) -> list[tuple[list[str], list[float] | None] | None]:
    """Return, per (cue, hint), the labels of the cue's window and (with marginals) each label's probability.

    All cues are tagged together by the numpy tagger (pipeline.extract.attribution.role_crf) when its
    weights match the model file; otherwise crfsuite tags them one by one. None without a tagger.
    """
    from pipeline.extract.attribution import role_crf

    weights = None if tagger is not None else _role_weights(ROLE_MODEL_PATH)
    if weights is not None:
        requests = [role_crf.CueRequest(*role_window(doc, cue[0]), cue, hint) for cue, hint in cues_and_hints]
        scores = role_crf.state_scores(doc, requests, weights)
        labels = role_crf.viterbi(scores, weights.transitions)
        if not marginals:
            return [(found, None) for found in labels]
        probabilities = role_crf.marginals(scores, weights.transitions)
        return [(found, [float(p[k, role_crf.LABELS.index(label)]) for k, label in enumerate(found)])
                for found, p in zip(labels, probabilities)]
    tagger = tagger or _role_tagger()
    if tagger is None:
        return [None] * len(cues_and_hints)
    tagged = []
    for cue, hint in cues_and_hints:
        first, last = role_window(doc, cue[0])
        found = tagger.tag(role_features(doc, first, last, cue, hint))
        tagged.append((found, [tagger.marginal(label, k) for k, label in enumerate(found)] if marginals else None))
    return tagged


_CUE_FUNCTION_WORDS = frozenset("by to of for with about on in that at as from".split())


def cue_anchor(doc, cue_tokens: list[int]) -> int:
    """Return the token of a (possibly multi-word) cue the role tagger is centred on: its verb.

    Gold cues include auxiliaries and particles ("has been endorsed by"); the extractor's cues are
    the verb alone, so training centres on the same word the extractor will give.
    """
    tokens = doc.tokens
    for k in cue_tokens:
        if tokens[k].low in cues.CUE_FORMS:
            return k
    content_words = [k for k in cue_tokens if tokens[k].is_word and tokens[k].low not in cues.AUXILIARIES
                     and tokens[k].low not in _CUE_FUNCTION_WORDS]
    return content_words[-1] if content_words else cue_tokens[0]


# --------------------------------------------------------------------------- cue sequence tagger

CUE_CRF_PATH = MODEL_FILES_DIR / "cue_crf.crfsuite"
_QUOTE_TOKENS = frozenset(("“", "”", '"', "``", "''", "«", "»"))
_AHEAD_MARKS = frozenset((":", "“", '"', "``"))
_AHEAD_WORDS = frozenset(("to", "about", "of", "for", "on", "by", "with", "as", "that", "whether", "if", ","))


def _dist_bucket(d: int | None) -> str:
    if d is None:
        return "none"
    for limit in (1, 2, 3, 5, 8, 12):
        if d <= limit:
            return str(limit)
    return "far"


def cue_seq_features(doc, first: int, last: int) -> list[list[str]]:
    """Return one feature list per token of tokens[first:last] for the cue sequence tagger.

    Lexical window (words, stems, suffixes, shapes two to three tokens each side), the cue lexicon
    around the token, and what a cue has nearby: a that-clause, colon or quotation ahead, a name or
    pronoun behind, a closing quotation just before, the distance to the sentence's quotation marks.
    """
    tokens = doc.tokens
    toks = tokens[first:last]
    n = len(toks)
    low = [t.low for t in toks]
    shapes = [_shape(t.text) for t in toks]
    in_quote = [doc.inside_quote(t.start) for t in toks]
    has_quote = any(t.text in _QUOTE_TOKENS for t in toks) or any(in_quote)
    lex = [cues.CUE_FORMS.get(w) for w in low]

    def word(k: int) -> str:
        return low[k] if 0 <= k < n else ("<s>" if k < 0 else "</s>")

    def shape(k: int) -> str:
        return shapes[k] if 0 <= k < n else ("<s>" if k < 0 else "</s>")

    # Nearest quotation mark on each side of every token.
    mark_left: list[int | None] = [None] * n
    mark_right: list[int | None] = [None] * n
    last_mark = None
    for k in range(n):
        mark_left[k] = last_mark
        if toks[k].text in _QUOTE_TOKENS:
            last_mark = k
    last_mark = None
    for k in range(n - 1, -1, -1):
        mark_right[k] = last_mark
        if toks[k].text in _QUOTE_TOKENS:
            last_mark = k
    rows: list[list[str]] = []
    for k in range(n):
        w = low[k]
        stem = w
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                stem = w[: -len(suffix)]
                break
        p1, p2, p3, n1, n2, n3 = word(k - 1), word(k - 2), word(k - 3), word(k + 1), word(k + 2), word(k + 3)
        f = ["bias", "w=" + w, "stem=" + stem, "suf2=" + w[-2:], "suf3=" + w[-3:], "suf4=" + w[-4:],
             "shape=" + shapes[k], "p1=" + p1, "p2=" + p2, "p3=" + p3, "n1=" + n1, "n2=" + n2, "n3=" + n3,
             "p1w=" + p1 + "|" + w, "wn1=" + w + "|" + n1, "p2p1=" + p2 + "|" + p1, "n1n2=" + n1 + "|" + n2,
             "p1n1=" + p1 + "|" + n1, "wn1n2=" + w + "|" + n1 + "|" + n2, "p1stem=" + p1 + "|" + stem,
             "stemn1=" + stem + "|" + n1,
             "p1shape=" + shape(k - 1), "n1shape=" + shape(k + 1), "p2shape=" + shape(k - 2),
             "shapes=" + shape(k - 1) + shapes[k] + shape(k + 1)]
        if in_quote[k]:
            f.append("in_quote")
        if lex[k]:
            f.append("lex=" + lex[k])
            f.append("lexkind=" + ("speech" if lex[k] in cues.SPEECH_VERBS else "cog"))
        if k > 0 and lex[k - 1]:
            f.append("p1lex")
        if k + 1 < n and lex[k + 1]:
            f.append("n1lex")
        if w in cues.NOMINAL_CUES:
            f.append("nominal")
        if w in cues.AUXILIARIES:
            f.append("aux")
        if p1 in cues.AUXILIARIES:
            f.append("after_aux")
            if k > 1 and word(k - 2) in cues.AUXILIARIES:
                f.append("after_aux2")
        if p1 in cues.PERSONAL_PRONOUNS or p1 in cues.OTHER_PRONOUNS:
            f.append("after_pronoun")
        if w in cues.PERSONAL_PRONOUNS or w in cues.OTHER_PRONOUNS:
            f.append("pronoun")
        if p1 in cues.ROLE_HEADS:
            f.append("after_role")
        if k == 0:
            f.append("first")
        f.append("pos=" + _dist_bucket(k))
        f.append("to_end=" + _dist_bucket(n - 1 - k))
        if has_quote:
            f.append("sent_has_quote")
        f.append("qleft=" + _dist_bucket(k - mark_left[k] if mark_left[k] is not None else None))
        f.append("qright=" + _dist_bucket(mark_right[k] - k if mark_right[k] is not None else None))
        ahead = low[k + 1:k + 5]
        if "that" in ahead:
            f.append("that_ahead")
        if not _AHEAD_MARKS.isdisjoint(ahead):
            f.append("quote_or_colon_ahead")
        for x in _AHEAD_WORDS.intersection(low[k + 1:k + 4]):
            f.append("ahead=" + x)
        cap_behind = next((j for j in range(k - 1, max(-1, k - 5), -1) if shapes[j] in ("C", "U")), None)
        if cap_behind is not None:
            f.append("cap_behind=" + str(k - cap_behind))
        if w.endswith(("ed", "ing", "s")) and not toks[k].is_cap:
            f.append("verbish=" + ("ed" if w.endswith("ed") else "ing" if w.endswith("ing") else "s"))
        rows.append(f)
    return rows


def _cue_crf():
    return _crf_tagger(CUE_CRF_PATH)


def cue_crf_available() -> bool:
    """Return True when the cue sequence tagger's model file and python-crfsuite are present."""
    return _cue_crf() is not None


def cue_crf_probabilities(doc, tagger=None, skip: set[int] | frozenset[int] = frozenset()) -> dict[int, float] | None:
    """Return token index -> marginal probability of being in a cue (word tokens outside quotes), or None.

    Sentences whose every such token is in skip (already read by the caller) are not tagged.
    """
    tagger = tagger or _cue_crf()
    if tagger is None:
        return None
    labels = tagger.labels()
    cue_labels = [label for label in labels if label != "O"]
    probs: dict[int, float] = {}
    tokens = doc.tokens
    for first, last in doc.sentences:
        wanted = [k for k in range(first, last) if tokens[k].is_word and not doc.inside_quote(tokens[k].start)]
        if all(k in skip for k in wanted):
            continue  # all inside a quotation or already read: no cue the caller wants
        tagger.set(cue_seq_features(doc, first, last))
        for k in wanted:
            probs[k] = sum(tagger.marginal(label, k - first) for label in cue_labels)
    return probs
