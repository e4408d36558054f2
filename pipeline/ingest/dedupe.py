"""Exact and near-duplicate detection: word shingles, MinHash signatures and LSH bands.

A copy of an article (re-scraped with other chrome, syndicated, aggregated) must be stored as
`duplicate_of` its original so its statements are never counted twice. MinHash + banding finds
candidates in the store without comparing every pair; the exact shingle overlap then decides.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from pipeline.models import Strict

SHINGLE_WORDS = 5
NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: candidates from ~Jaccard 0.5 up, well below the 0.6 decision line
ROWS = NUM_PERM // BANDS
JACCARD_DUPLICATE = 0.6
CONTAINMENT_DUPLICATE = 0.85
MIN_SIZE_RATIO = 0.5
SIGNATURE_BLOCK = 1 << 14

_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20230228)
# Coefficients below 2^29 keep a*x+b within uint64 for 32-bit shingle hashes.
_A = _rng.integers(1, 1 << 29, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 29, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


class Fingerprint(Strict):
    """What the store keeps to find copies of a body: its normalised hash and LSH band buckets."""

    body_sha256: str
    bands: list[int]


def normalised_words(body: str) -> list[str]:
    """Return the body's lower-cased word tokens (punctuation, quote style and spacing ignored)."""
    return _WORD.findall(body.casefold())


def shingles(body: str) -> set[int]:
    """Return 32-bit hashes of the body's overlapping five-word shingles."""
    words = normalised_words(body)
    if len(words) < SHINGLE_WORDS:
        words_sets = [" ".join(words)] if words else []
    else:
        words_sets = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
    return {int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little") for s in words_sets}


def fingerprint(body: str) -> Fingerprint:
    """Return the body's normalised hash and its LSH band buckets."""
    normal = " ".join(normalised_words(body))
    body_hash = hashlib.sha256(normal.encode()).hexdigest()
    hashes = shingles(body)
    if not hashes:
        return Fingerprint(body_sha256=body_hash, bands=[])
    x = np.fromiter(hashes, dtype=np.uint64)
    # The minimum over shingles is taken a block at a time: a whole-body product is 64 x 8 bytes per
    # shingle, 400 MB for a 5 MB body.
    signature = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(x), SIGNATURE_BLOCK):
        block = x[start:start + SIGNATURE_BLOCK]
        np.minimum(signature, ((np.outer(_A, block) + _B[:, None]) % _MERSENNE).min(axis=1), out=signature)
    bands = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        # The band number is mixed in so equal rows in different bands never collide.
        digest = hashlib.blake2b(rows, digest_size=7, person=band.to_bytes(2, "little")).digest()
        bands.append(int.from_bytes(digest, "little"))
    return Fingerprint(body_sha256=body_hash, bands=bands)


def is_near_copy(body: str, other: str) -> bool:
    """Return True when two bodies are the same article: high shingle Jaccard, or one contains the other."""
    a, b = shingles(body), shingles(other)
    if not a or not b:
        return False
    common = len(a & b)
    jaccard = common / len(a | b)
    smaller, larger = sorted((len(a), len(b)))
    containment = common / smaller
    return jaccard >= JACCARD_DUPLICATE or (containment >= CONTAINMENT_DUPLICATE and smaller / larger >= MIN_SIZE_RATIO)
