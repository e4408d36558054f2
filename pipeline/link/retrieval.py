"""Candidate assertions for a text, by meaning and by words: one matrix product over the whole catalog.

Each assertion has one or two sides (the claim with its hints, the counterclaim). A text's score for an
assertion is its best side's: the cosine of their sentence embeddings, mixed with an Okapi BM25 score
over the linker's normalised terms (stems and party tokens) scaled by the side's score against itself,
so a quote that repeats an assertion's rare words ranks it high even where the embedding hesitates.
The retriever only proposes: the pair judge (pipeline.link.semantic) decides.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from pipeline.models import Strict

SEMANTIC_WEIGHT = 0.8  # the rest is the lexical score
BM25_K1, BM25_B = 1.2, 0.75


class Candidate(Strict):
    """One assertion proposed for a text."""

    index: int  # the assertion's position in the catalog
    score: float
    cosine: float
    lexical: float


class SideIndex:
    """The sides of a catalog's assertions: a unit-vector matrix and BM25 statistics."""

    def __init__(self, owners: list[int], side_terms: list[list[str]], vectors: np.ndarray | None):
        self.owners = np.array(owners, dtype=np.int64)
        self.vectors = vectors
        self.side_terms = [Counter(t) for t in side_terms]
        n = len(side_terms)
        document_frequency: Counter = Counter()
        for counts in self.side_terms:
            document_frequency.update(counts.keys())
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in document_frequency.items()}
        self.lengths = np.array([sum(c.values()) for c in self.side_terms], dtype=np.float32)
        self.mean_length = float(self.lengths.mean()) if n else 1.0
        self.postings: dict[str, list[int]] = {}
        for i, counts in enumerate(self.side_terms):
            for term in counts:
                self.postings.setdefault(term, []).append(i)
        # A side's BM25 score against a text made of its own terms: the scale that makes scores comparable.
        self.self_scores = np.array([max(1e-6, self._bm25(set(c), i)) for i, c in enumerate(self.side_terms)],
                                    dtype=np.float32)
        self.assertions = int(self.owners.max()) + 1 if n else 0
        # BM25 adds one term's share at a time, so each term's share of every side holding it is computed
        # here once: a query's scores are then a few array additions, not a loop over the sides.
        self.shares: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, sides in self.postings.items():
            weights = [self._bm25({term}, side) for side in sides]
            self.shares[term] = (np.array(sides, dtype=np.int64), np.array(weights, dtype=np.float64))
        # Sides are stored assertion by assertion (owners ascending, every assertion with one side or
        # two), so an assertion's best side is a max over one run of columns.
        self.runs = np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]]) if n else np.zeros(0, np.int64)
        if n and not (np.all(np.diff(self.owners) >= 0) and len(self.runs) == self.assertions):
            raise ValueError("sides must be given assertion by assertion, every assertion with at least one")

    def _bm25(self, query: set[str], side: int) -> float:
        counts = self.side_terms[side]
        norm = BM25_K1 * (1 - BM25_B + BM25_B * self.lengths[side] / self.mean_length)
        return sum(self.idf[t] * counts[t] * (BM25_K1 + 1) / (counts[t] + norm) for t in query if t in counts)

    def lexical(self, query: set[str]) -> np.ndarray:
        """Return each side's BM25 score for the query terms, scaled to [0, 1] by its self-score."""
        scores = np.zeros(len(self.side_terms), dtype=np.float64)
        for term in query:
            found = self.shares.get(term)
            if found is not None:
                scores[found[0]] += found[1]  # a term lists each side once
        return np.minimum(1.0, scores.astype(np.float32) / self.self_scores)

    def by_assertion(self, side_values: np.ndarray) -> np.ndarray:
        """Return the best of each assertion's sides, for values with sides as their last axis."""
        return np.maximum.reduceat(side_values, self.runs, axis=-1)

    def best_cosines(self, query_vectors: np.ndarray) -> np.ndarray:
        """Return queries x assertions: the cosine of each query with the assertion's nearest side."""
        if self.vectors is None or not len(self.owners):
            return np.full((len(query_vectors), self.assertions), -1.0, dtype=np.float32)
        return self.by_assertion(query_vectors @ self.vectors.T)

    def candidates(self, query_vectors: np.ndarray | None, query_terms: list[set[str]], floor: float,
                   top: int, lexical_scores: list[np.ndarray] | None = None) -> list[list[Candidate]]:
        """Return, per query, at most `top` assertions scoring at least `floor`, best first.

        lexical_scores: each query's `lexical` scores, when the caller has them already.
        """
        cosines = None
        if query_vectors is not None and self.vectors is not None and len(self.owners):
            cosines = query_vectors @ self.vectors.T  # queries x sides: the one matrix product
        out = []
        for q, terms in enumerate(query_terms):
            lexical = lexical_scores[q] if lexical_scores is not None else self.lexical(terms)
            cosine = cosines[q] if cosines is not None else np.zeros_like(lexical)
            side_scores = SEMANTIC_WEIGHT * cosine + (1 - SEMANTIC_WEIGHT) * lexical
            if not len(self.owners):
                out.append([])
                continue
            best = self.by_assertion(side_scores)
            best_cos = self.by_assertion(cosine)
            best_lex = self.by_assertion(lexical)
            order = np.argsort(-best, kind="stable")[:top]
            out.append([Candidate(index=int(i), score=round(float(best[i]), 4), cosine=round(float(best_cos[i]), 4),
                                  lexical=round(float(best_lex[i]), 4))
                        for i in order if best[i] >= floor])
        return out
