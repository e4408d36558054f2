"""Document stance toward a one-line assertion: asserts / denies / reports / unrelated.

The default path needs no torch: TF-IDF (word and character) and LSA similarities between the
claim and the whole body, its lede and its most claim-like sentences, token overlap and BM25,
general English cue words (refuting, hedging, confirming, negation) counted near the sentences
that match the claim, and a learned "sentence stance" score, fed to gradient-boosted trees in two
stages (related or not, then asserts / denies / reports).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from pipeline.config import MODEL_FILES_DIR
from pipeline.models import DocumentStanceLabel, Strict

DEFAULT_MODEL_PATH = MODEL_FILES_DIR / "stance.joblib"

# Order of the probability columns everywhere in this module.
LABELS: tuple[DocumentStanceLabel, ...] = (
    DocumentStanceLabel.ASSERTS,
    DocumentStanceLabel.DENIES,
    DocumentStanceLabel.REPORTS,
    DocumentStanceLabel.UNRELATED,
)
RELATED_LABELS = LABELS[:3]

# General English cue lists. They describe how news text signals stance, not any dispute.
REFUTING = frozenset(
    """fake fakes faked fraud fraudulent hoax hoaxes false falsely deny denies denied denying denial
    bogus debunk debunked debunks debunking prank pranks retract retracted retraction untrue misleading
    incorrect wrong fabricated fabrication fabricate satire satirical baseless unfounded refute refuted
    refutes refuting dismiss dismissed dismisses reject rejects rejected contrary myth lie lies lied
    phony inaccurate nonsense ridiculous doubt doubts doubted dubious skeptical sceptical disputed
    dispute disputes contradict contradicts contradicted mistaken erroneous spoof parody photoshopped
    doctored staged""".split()
)
HEDGING = frozenset(
    """reportedly allegedly alleged alleges purportedly purported apparently apparent claims claimed
    claim claiming according may might could unconfirmed unverified rumor rumors rumour rumours rumored
    rumoured suggests suggest suggested possibly possible perhaps speculation speculate speculated
    believed appears appear seems seem supposedly likely unclear uncertain if whether reports
    reporting""".split()
)
CONFIRMING = frozenset(
    """confirmed confirms confirm confirming confirmation officially announced announces announce
    revealed reveals proves proved proven proof indeed definitely verified true actually showed shows
    evidence fact facts admitted admits admit acknowledged acknowledges certainly clearly""".split()
)
NEGATION = frozenset(
    """not no never none nobody nothing neither nor without cannot isn't aren't wasn't weren't don't
    doesn't didn't won't wouldn't can't couldn't shouldn't hasn't haven't hadn't""".split()
)
REPORTING = frozenset(
    """said says say told tells according reported reports stated states statement spokesman
    spokeswoman spokesperson source sources""".split()
)
CUE_LISTS = (REFUTING, HEDGING, CONFIRMING, NEGATION, REPORTING)

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A sentence ends after . ! or ? (and any closing quote or bracket) before a capital, or at a newline.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]\u201d]))\s+(?=[\"'(\[\u201c]?[A-Z0-9])|\n+")
_STOP = frozenset(ENGLISH_STOP_WORDS) - NEGATION - {"not", "no", "never", "none", "nothing"}
MAX_SENTENCES = 40  # stance is set early in news text; caps cost on very long bodies
SHORT_BODY_TOKENS = 60  # below this a "body" is a headline or a statement, not an article
CHAR_BODY_CHARS = 2000  # character n-grams of the lede only: the whole body costs more than it adds


class StancePrediction(Strict):
    """A document's stance toward one assertion."""

    label: DocumentStanceLabel
    confidence: float
    relatedness: float


def tokens(text: str) -> list[str]:
    """Return the lower-cased word tokens of a text (apostrophe contractions kept whole)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def content_tokens(text: str) -> set[str]:
    """Return the set of non-stop-word tokens, with a crude plural strip so 'vaccines' meets 'vaccine'."""
    out = set()
    for tok in tokens(text):
        if tok in _STOP or len(tok) < 2:
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.add(tok)
    return out


def split_sentences(text: str) -> list[str]:
    """Return the body's sentences (at most MAX_SENTENCES), never an empty list."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    return parts[:MAX_SENTENCES] or [text.strip() or "."]


def cue_counts(toks: list[str]) -> np.ndarray:
    """Return how many tokens fall in each cue list (CUE_LISTS order)."""
    counts = np.zeros(len(CUE_LISTS), dtype=np.float32)
    for tok in toks:
        for i, cue in enumerate(CUE_LISTS):
            if tok in cue or (i == 3 and tok.endswith("n't")):
                counts[i] += 1
    return counts


@dataclass
class _Body:
    """Per-body precomputation, shared by every claim paired with that body."""

    sentences: list[str]
    sent_word: sparse.csr_matrix  # l2-normalised word TF-IDF, one row per sentence
    sent_cues: np.ndarray  # (n_sentences, n_cue_lists)
    sent_len: np.ndarray
    content: set[str]
    lede_content: set[str]
    tf: dict[str, int] = field(default_factory=dict)
    n_tokens: int = 0


class StanceFeaturizer:
    """Turns (claim, body) pairs into a dense feature matrix; fitted on training texts only."""

    def __init__(self, n_components: int = 100, seed: int = 2017) -> None:
        self.word = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=40000,
            stop_words=sorted(_STOP), token_pattern=r"(?u)\b\w\w+\b", dtype=np.float32,
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=3,
            max_features=30000, dtype=np.float32,
        )
        self.svd = TruncatedSVD(n_components=n_components, random_state=seed)
        self.idf: dict[str, float] = {}
        self.avg_len = 1.0
        # A learned sentence-level stance scorer (set by the trainer): word TF-IDF -> 3 probabilities.
        self.sentence_scorer = None

    def fit(self, texts: list[str]) -> "StanceFeaturizer":
        """Fit vocabularies, idf and LSA on unique training texts (claims and bodies); return self."""
        unique = sorted(set(texts))
        word_m = self.word.fit_transform(unique)
        self.char.fit([t[:CHAR_BODY_CHARS] for t in unique])
        self.svd.fit(word_m)
        # Half precision is plenty for topic similarity and makes the stored model compress ~3x.
        self.svd.components_ = self.svd.components_.astype(np.float16).astype(np.float32)
        # stop_words_ keeps every pruned term and only serves introspection: dropping it shrinks the file.
        for vectorizer in (self.word, self.char):
            vectorizer.stop_words_ = None
        df: dict[str, int] = {}
        lengths = []
        for text in unique:
            toks = content_tokens(text)
            lengths.append(len(toks))
            for tok in toks:
                df[tok] = df.get(tok, 0) + 1
        n = len(unique)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.avg_len = float(np.mean(lengths)) if lengths else 1.0
        self._default_idf = math.log(1 + (n + 0.5) / 0.5)
        return self

    def _body(self, text: str) -> _Body:
        sentences = split_sentences(text)
        sent_tokens = [tokens(s) for s in sentences]
        lede = " ".join(sentences[:3])
        tf: dict[str, int] = {}
        body_tokens = tokens(text)
        for tok in content_tokens(text):
            tf[tok] = 0
        for tok in body_tokens:
            key = tok[:-1] if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss") else tok
            if key in tf:
                tf[key] += 1
        return _Body(
            sentences=sentences,
            sent_word=self.word.transform(sentences),
            sent_cues=np.vstack([cue_counts(t) for t in sent_tokens]),
            sent_len=np.array([max(len(t), 1) for t in sent_tokens], dtype=np.float32),
            content=set(tf),
            lede_content=content_tokens(lede),
            tf=tf,
            n_tokens=len(body_tokens),
        )

    def _bm25(self, claim: set[str], body: _Body, k1: float = 1.2, b: float = 0.75) -> float:
        norm = k1 * (1 - b + b * len(body.tf) / self.avg_len)
        score = 0.0
        for tok in claim:
            f = body.tf.get(tok, 0)
            if f:
                score += self.idf.get(tok, self._default_idf) * f * (k1 + 1) / (f + norm)
        return score

    def transform(self, claims: list[str], bodies: list[str]) -> np.ndarray:
        """Return one feature row per (claim, body) pair."""
        if len(claims) != len(bodies):
            raise ValueError(f"{len(claims)} claims but {len(bodies)} bodies")
        if not claims:
            return np.zeros((0, len(self.feature_names())), dtype=np.float32)
        u_claims = sorted(set(claims))
        u_bodies = sorted(set(bodies))
        c_index = {c: i for i, c in enumerate(u_claims)}
        b_index = {b: i for i, b in enumerate(u_bodies)}
        cw = self.word.transform(u_claims)
        bw = self.word.transform(u_bodies)
        cc = self.char.transform(u_claims)
        bc = self.char.transform([b[:CHAR_BODY_CHARS] for b in u_bodies])
        cl = normalize(self.svd.transform(cw))
        bl = normalize(self.svd.transform(bw))
        body_info = [self._body(b) for b in u_bodies]
        claim_content = [content_tokens(c) for c in u_claims]
        claim_tokens = [tokens(c) for c in u_claims]
        claim_cues = np.vstack([cue_counts(t) for t in claim_tokens])

        ci = np.array([c_index[c] for c in claims])
        bi = np.array([b_index[b] for b in bodies])
        word_cos = np.asarray(cw[ci].multiply(bw[bi]).sum(axis=1)).ravel()
        char_cos = np.asarray(cc[ci].multiply(bc[bi]).sum(axis=1)).ravel()
        lsa_cos = np.einsum("ij,ij->i", cl[ci], bl[bi])

        n_sent_feats = 9 + 3 * len(CUE_LISTS) + 3
        sent_feats = np.zeros((len(claims), n_sent_feats), dtype=np.float32)
        by_body: dict[int, list[int]] = {}
        for row, b in enumerate(bi):
            by_body.setdefault(int(b), []).append(row)
        for b, rows in by_body.items():
            info = body_info[b]
            rows_a = np.array(rows)
            sims = (cw[ci[rows_a]] @ info.sent_word.T).toarray()  # (n_rows, n_sentences)
            n_s = sims.shape[1]
            order = np.argsort(-sims, axis=1)
            top1 = order[:, 0]
            top3 = order[:, : min(3, n_s)]
            best = sims[np.arange(len(rows)), top1]
            top3_mean = np.take_along_axis(sims, top3, axis=1).mean(axis=1)
            n_match = (sims > 0.1).sum(axis=1)
            first = sims[:, 0]
            lede_max = sims[:, : min(3, n_s)].max(axis=1)
            # Cues weighted by how much each sentence is about the claim.
            weights = sims / (sims.sum(axis=1, keepdims=True) + 1e-6)
            cue_rate = info.sent_cues / info.sent_len[:, None]
            weighted_cues = weights @ cue_rate
            top_cues = np.stack([info.sent_cues[t].sum(axis=0) for t in top3])
            body_cues = info.sent_cues.sum(axis=0) / info.sent_len.sum()
            if self.sentence_scorer is not None:
                sent_probs = self.sentence_scorer.predict_proba(info.sent_word)  # (n_s, 3)
                w_probs = weights @ sent_probs
            else:
                w_probs = np.zeros((len(rows), 3), dtype=np.float32)
            block = np.column_stack([
                best, top3_mean, n_match, n_match / n_s, first, lede_max,
                top1 / n_s, np.full(len(rows), n_s), (sims > 0.2).any(axis=1),
                weighted_cues * 10, top_cues, np.tile(body_cues * 10, (len(rows), 1)), w_probs,
            ])
            sent_feats[rows_a] = block

        pair_feats = np.zeros((len(claims), 8), dtype=np.float32)
        for row, (c, b) in enumerate(zip(ci, bi)):
            content = claim_content[c]
            info = body_info[b]
            n_c = max(len(content), 1)
            overlap = len(content & info.content)
            pair_feats[row] = (
                overlap / n_c,
                len(content & info.lede_content) / n_c,
                overlap / max(len(content | info.content), 1),
                overlap,
                self._bm25(content, info) / n_c,
                math.log1p(info.n_tokens),
                math.log1p(len(claim_tokens[c])),
                claims[row].rstrip().endswith("?"),
            )
        return np.column_stack([
            word_cos, char_cos, lsa_cos, sent_feats, pair_feats, claim_cues[ci],
        ]).astype(np.float32)

    def top_sentences(self, claims: list[str], bodies: list[str], k: int = 3) -> list[list[str]]:
        """Return, per pair, the body's k sentences most similar to the claim (those with any overlap)."""
        cache: dict[str, tuple[list[str], sparse.csr_matrix]] = {}
        cw = self.word.transform(claims)
        out = []
        for row, body in enumerate(bodies):
            if body not in cache:
                sentences = split_sentences(body)
                cache[body] = (sentences, self.word.transform(sentences))
            sentences, sent_word = cache[body]
            sims = (cw[row] @ sent_word.T).toarray().ravel()
            order = np.argsort(-sims)[:k]
            out.append([sentences[i] for i in order if sims[i] > 0] or sentences[:1])
        return out

    def relatedness_columns(self) -> np.ndarray:
        """Return the column indices the related/unrelated stage uses (all but the learned sentence stance).

        The sentence scorer is fitted out-of-fold in training; its noise on unrelated pairs only
        hurts the relatedness call, which similarity features already make well.
        """
        names = self.feature_names()
        return np.array([i for i, n in enumerate(names) if not n.startswith("sent_p_")])

    def feature_names(self) -> list[str]:
        """Return the column names of transform()'s output, for inspection."""
        cues = ["refute", "hedge", "confirm", "negate", "report"]
        return (
            ["word_cos", "char_cos", "lsa_cos", "sent_best", "sent_top3", "sent_n_match",
             "sent_frac_match", "sent_first", "sent_lede_max", "sent_best_pos", "n_sentences",
             "sent_any_match"]
            + [f"near_{c}" for c in cues] + [f"top3_{c}" for c in cues] + [f"body_{c}" for c in cues]
            + ["sent_p_asserts", "sent_p_denies", "sent_p_reports"]
            + ["overlap", "lede_overlap", "jaccard", "overlap_n", "bm25", "log_body_len",
               "log_claim_len", "claim_question"]
            + [f"claim_{c}" for c in cues]
        )


def is_short(features: np.ndarray, featurizer: StanceFeaturizer) -> np.ndarray:
    """Return a boolean per row: is the body a headline or statement rather than an article."""
    column = featurizer.feature_names().index("log_body_len")
    return features[:, column] < math.log1p(SHORT_BODY_TOKENS)


class StanceModel:
    """Two-stage stance classifier: related vs unrelated, then asserts / denies / reports."""

    def __init__(self, featurizer: StanceFeaturizer, relatedness_clf, stance_clf,
                 class_scale: np.ndarray | None = None, short_scale: np.ndarray | None = None,
                 meta: dict | None = None) -> None:
        self.featurizer = featurizer
        self.relatedness_clf = relatedness_clf
        self.stance_clf = stance_clf
        # Multipliers on the three related-label probabilities, tuned on held-in folds so that
        # rare 'denies' is not drowned by 'reports'.
        self.class_scale = np.ones(3) if class_scale is None else np.asarray(class_scale, float)
        # Headlines and single statements balance the labels differently from full articles.
        self.short_scale = self.class_scale if short_scale is None else np.asarray(short_scale, float)
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path | None = None) -> "StanceModel":
        """Return the model stored at path (default: the committed model file)."""
        path = Path(path) if path is not None else DEFAULT_MODEL_PATH
        if not path.exists():
            raise FileNotFoundError(f"no stance model at {path}; run `python -m pipeline.learn.train_stance`")
        obj = joblib.load(path)
        if not isinstance(obj, cls):
            raise TypeError(f"{path} holds a {type(obj).__name__}, not a StanceModel")
        return obj

    def save(self, path: Path | None = None) -> Path:
        """Write the model (compressed) and return the path written."""
        path = Path(path) if path is not None else DEFAULT_MODEL_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=("xz", 6))
        return path

    def features(self, claims: list[str], bodies: list[str]) -> np.ndarray:
        """Return the feature matrix for the pairs."""
        return self.featurizer.transform(claims, bodies)

    def predict_proba(self, claims: list[str], bodies: list[str],
                      features: np.ndarray | None = None) -> np.ndarray:
        """Return (n_pairs, 4) probabilities in LABELS order (related labels rescaled)."""
        x = self.features(claims, bodies) if features is None else features
        if len(x) == 0:
            return np.zeros((0, 4))
        p_rel = self.relatedness_clf.predict_proba(x[:, self.featurizer.relatedness_columns()])[:, 1]
        short = is_short(x, self.featurizer)
        p_stance = self.stance_clf.predict_proba(x) * np.where(short[:, None], self.short_scale, self.class_scale)
        p_stance /= p_stance.sum(axis=1, keepdims=True)
        return np.column_stack([p_stance * p_rel[:, None], 1 - p_rel])

    def predict(self, claims: list[str], bodies: list[str]) -> list[StancePrediction]:
        """Return one prediction per (claim, body) pair, in input order."""
        proba = self.predict_proba(claims, bodies)
        out = []
        for row in proba:
            related = float(row[:3].sum())
            if related >= 0.5:
                k = int(np.argmax(row[:3]))
                conf = float(row[k])
            else:
                k, conf = 3, 1 - related
            out.append(StancePrediction(label=LABELS[k], confidence=round(conf, 4),
                                        relatedness=round(related, 4)))
        return out

    def predict_related_only(self, claims: list[str], bodies: list[str]) -> list[DocumentStanceLabel]:
        """Return asserts/denies/reports for pairs known to be about the assertion."""
        proba = self.predict_proba(claims, bodies)
        return [RELATED_LABELS[int(np.argmax(row[:3]))] for row in proba]
