"""The document view the rules read: tokens, sentences cut outside quotations, and shared word classes.

Finds: sentence boundaries (abbreviations, initials and datelines do not end a sentence; a sentence
never ends inside a quotation), the quotation a character falls in, and the Found triple (speaker,
cue, content) every rule returns. Holds the word classes several rules share (subordinators,
connectives, relatives, quantifiers).
Leaves to others: every decision about cues, speakers and contents.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np

from pipeline.extract import cues
from pipeline.extract.attribution.quotations import Quote, find_quotes, tokenize

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen sens rep reps del gov gen lt col sgt st jr sr inc co corp vs no prof rev adm maj capt ft mt "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u d.c".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[^a-z\s])")
DASHES = {"—", "–", "--"}
INITIALS_RE = re.compile(r"(?:[a-z]\.)*[a-z]", re.IGNORECASE)
IRREGULAR_PAST = frozenset("said told wrote spoke thought found showed shown saw seen knew known felt held".split())
SUBORDINATORS = frozenset("while when if as although because since after before though unless whereas once until".split())
LINK_WORDS = frozenset("the of for and a an".split())
ROLE_TITLE_WORDS = cues.TITLE_WORDS - LINK_WORDS
CONNECTIVES = frozenset("but and however so yet meanwhile still also then".split())
# The longest sentence in PolNeAR (31,281 of them) has 329 tokens; a longer run is cut into pieces.
MAX_SENTENCE_TOKENS = 400
_NOT_SPACE = re.compile(r"\S")


def is_abbreviation(text: str, period: int) -> bool:
    """Return True when the full stop at text[period] closes an abbreviation or an initial ("Mr.", "J.", "U.S.").

    Any single letter counts as an initial, so "Plan B." and "World War I." end no sentence either.
    """
    word = re.search(r"([\w.]+)\.*$", text[max(0, period - 12): period + 1])
    if not word:
        return False
    stem = word.group(1).rstrip(".").lower()
    return stem in _ABBREVIATIONS or bool(INITIALS_RE.fullmatch(stem))


class Doc:
    """Tokens, quotations and sentence units of one text, with position lookups."""

    def __init__(self, text: str):
        self.text = text
        self.feature_cache: dict[str, object] = {}  # per-token arrays and features computed once per text
        self.tokens = tokenize(text)
        self.tok_starts = [t.start for t in self.tokens]
        self.quotes = find_quotes(text, self.tokens)
        self.quote_starts = [q.open_start for q in self.quotes]
        self.sentences = self._sentences()
        self.sentence_starts = [first for first, _ in self.sentences]
        self.extra_cues: set[int] = set()  # token offsets a model marks as cues outside the lexicon
        self.blocked_cues: set[int] = set()  # token offsets a model rejects as cues
        self.cue_probs: dict[int, float] = {}  # token index -> cue-model probability
        self.encoded_cue_probs: dict[int, float] | None = None  # token index -> contextual cue tagger's, if read
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line_start(self, pos: int) -> int:
        """Return the offset where the line holding pos starts (a lookup, not a scan back through the text)."""
        i = bisect.bisect_left(self.newlines, pos)
        return self.newlines[i - 1] + 1 if i else 0

    def blank_between(self, start: int, end: int) -> bool:
        """Return True when text[start:end] is empty or white space, without copying it."""
        return _NOT_SPACE.search(self.text, start, end) is None

    def opens_text(self, token: int) -> bool:
        """Return True when nothing but white space comes before the token: it opens the text."""
        return self.blank_between(0, self.tokens[token].start)

    def quote_at(self, pos: int) -> Quote | None:
        """Return the quotation whose marks enclose pos, if any."""
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        if i >= 0 and self.quotes[i].open_start <= pos < self.quotes[i].close_end:
            return self.quotes[i]
        return None

    def sentence_of(self, token: int) -> tuple[int, int]:
        """Return the (first token, end token) range of the sentence that holds a token."""
        i = bisect.bisect_right(self.sentence_starts, token) - 1
        if i < 0 or token >= self.sentences[i][1]:
            return token, token + 1
        return self.sentences[i]

    def inside_quote(self, pos: int) -> bool:
        quote = self.quote_at(pos)
        return quote is not None and quote.start <= pos < quote.end

    def quote_indexes(self, positions: np.ndarray) -> np.ndarray:
        """Return, per offset, the index in self.quotes of quote_at's answer, or -1: one pass for many offsets."""
        if not self.quotes:
            return np.full(len(positions), -1, dtype=np.int64)
        arrays = self._quote_arrays()
        i = np.searchsorted(arrays["open_start"], positions, side="right") - 1
        held = (i >= 0) & (positions < arrays["close_end"][np.maximum(i, 0)])
        return np.where(held, i, -1)

    def inside_quotes(self, positions: np.ndarray) -> np.ndarray:
        """Return, per offset, inside_quote's answer (a boolean array)."""
        i = self.quote_indexes(positions)
        if not self.quotes:
            return i >= 0  # all False
        arrays = self._quote_arrays()
        j = np.maximum(i, 0)
        return (i >= 0) & (arrays["start"][j] <= positions) & (positions < arrays["end"][j])

    def token_starts(self) -> np.ndarray:
        """Return the tokens' start offsets as an array (kept: the taggers read it for every token)."""
        found = self.feature_cache.get("token_starts")
        if found is None:
            found = self.feature_cache["token_starts"] = np.array(self.tok_starts, dtype=np.int64)
        return found

    def _quote_arrays(self) -> dict[str, np.ndarray]:
        found = self.feature_cache.get("quote_arrays")
        if found is None:
            found = self.feature_cache["quote_arrays"] = {
                name: np.array([getattr(q, name) for q in self.quotes], dtype=np.int64)
                for name in ("open_start", "start", "end", "close_end")}
        return found

    def _sentences(self) -> list[tuple[int, int]]:
        """Return (first token, end token) index ranges of sentences cut outside quotations."""
        text = self.text
        cuts: set[int] = set()
        for m in _SENTENCE_END_RE.finditer(text):
            end = m.end()
            quote = self.quote_at(m.start())
            if quote is not None and not (quote.close_end <= end):
                continue
            if quote is not None and _attribution_follows(text, end):
                continue  # '"Why?" Graham asked.' is one sentence
            if m.group()[0] == "." and is_abbreviation(text, m.start()):
                continue  # "Mr.", "J.", "G.K. Butterfield"
            cuts.add(end)
        for m in re.finditer(r"\n", text):
            cuts.add(m.start())
        for m in _DATELINE_RE.finditer(text):
            cuts.add(m.end())  # "BRUSSELS - European leaders gathered": the place is no one's subject
        if not self.tokens:
            return []
        # A sentence begins at each token with a cut between the end of the token before and its start.
        ordered = np.array(sorted(cuts), dtype=np.int64)
        starts = self.token_starts()[1:]
        ends_before = np.fromiter((t.end for t in self.tokens[:-1]), dtype=np.int64, count=len(starts))
        cut_before = np.searchsorted(ordered, starts, side="right") > np.searchsorted(ordered, ends_before, side="left")
        firsts = [0] + (np.flatnonzero(cut_before) + 1).tolist()
        ranges = zip(firsts, firsts[1:] + [len(self.tokens)])
        return [piece for first, last in ranges for piece in self._pieces(first, last)]

    def _pieces(self, first: int, last: int) -> list[tuple[int, int]]:
        """Return a sentence's range, or pieces of it no longer than MAX_SENTENCE_TOKENS, cut after punctuation.

        Every rule reads a cue's sentence, so a "sentence" of a whole text without full stops (a hostile
        or broken scrape) would make the extraction quadratic in its length.
        """
        pieces = []
        while last - first > MAX_SENTENCE_TOKENS:
            end = first + MAX_SENTENCE_TOKENS
            cut = next((k + 1 for k in range(end - 1, first + MAX_SENTENCE_TOKENS // 2, -1)
                        if self.tokens[k].text in (";", ",", ":")), end)
            pieces.append((first, cut))
            first = cut
        pieces.append((first, last))
        return pieces


# A dateline or run-in capitalised heading opening a paragraph: "WASHINGTON (AP) — ", "BRUSSELS - ".
_DATELINE_RE = re.compile(r"(?m)^[A-Z][A-Z .,’']{2,40}(?:\([A-Za-z]+\))?[ \t]*(?:--|—|–|-)[ \t]")
_FOLLOWING_CUE_RE = re.compile(r"\s+(?:[\w.’'\-]+\s+){0,5}?([a-z]+)\b")


def _attribution_follows(text: str, pos: int) -> bool:
    """Return True when a speech cue follows pos within a few words ("?” Graham asked")."""
    window = text[pos:pos + 100]
    words = re.findall(r"[\w’'\-]+|[.!?,;:]", window)[:9]
    for index, w in enumerate(words[:5]):
        if w in ".!?,;:":
            return False
        if w in cues.CUE_FORMS and cues.CUE_FORMS[w] in cues.SPEECH_VERBS and not w.endswith("ing"):
            after = words[index + 1] if index + 1 < len(words) else "."
            # '"Why?" Graham asked.' / '"No," said the minister' -- but not '. The agency said Korea had ...'
            return index == 0 or after in ".!?,;:" or after.lower() in cues.ADJUNCT_STARTS
    return False


@dataclass
class Found:
    speaker: tuple[int, int] | None  # token range
    cue: tuple[int, int]
    content: tuple[int, int]  # character offsets
    trailing: bool = False
    kind: str = "complement"  # which surface form matched (a feature of the ranker)


QUANTIFIERS = frozenset("one two three four five six seven eight nine ten dozens hundreds thousands millions many some most "
                         "all none each several half majority number members percent".split())
RELATIVES = frozenset("who which whose where when whom".split())


def trim_end(doc: Doc, end: int) -> int:
    """Return end moved left past spaces and closing punctuation."""
    text = doc.text
    while end > 0 and (text[end - 1].isspace() or text[end - 1] in ".,;:!?"):
        end -= 1
    return end
