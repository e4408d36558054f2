"""Statement -> catalog assertions, each link with a stance (asserts / denies) and a confidence.

Researchers add an assertion as one line of text, so nothing here knows any dispute. A statement
is compared with each assertion's claim and counterclaim on normalised terms: party mentions become
party tokens through the actors file (Tehran, Iranian -> one token), other words are stemmed.
Relatedness is how much of a side's terms the statement covers; the stance comes from denying cues
and words, negation near the matched terms, and whether the counterclaim fits better than the claim.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pipeline.catalog import Catalog
from pipeline.models import Assertion, Stance, Strict
from pipeline.parties import Actors, party_mentions

# Words that carry a counterclaim's meaning ("only ... before", "not directed against") stay in.
_KEEP = {"only", "before", "after", "not", "never", "no", "nor", "against", "none", "nothing", "since"}
STOP_WORDS = (ENGLISH_STOP_WORDS - _KEEP) | {
    "said", "says", "say", "told", "tell", "according", "added", "also", "just", "like", "way", "ways",
    "including", "new", "year", "years", "time", "mr", "ms", "ve", "ll", "re", "s", "t", "d", "m",
}
NEGATIONS = {"not", "never", "no", "nor", "neither", "none", "nothing", "n't", "without"}
# Negations that do not negate: "not only X but Y", "no longer X" still asserts something.
NON_NEGATING = re.compile(r"\b(?:not only|not just|no longer|no doubt|not least)\b", re.IGNORECASE)
DENYING_CUES = {
    "deny", "dismiss", "reject", "refut", "rebuff", "refus", "disput", "debunk", "contradict", "rebut",
    "struck", "strike", "brush", "rubbish", "deni", "disavow", "scoff",
}
DENYING_WORDS = {
    "fals", "baseless", "unfound", "untru", "lie", "fabric", "groundless", "propaganda", "nonsens", "hoax",
    "disinform", "misinform", "fake", "absurd", "ridicul", "deni", "refus", "smear",
}
WORD_COVERAGE_MIN = 0.34  # share of a side's predicate words a statement must contain
PARTY_COVERAGE_MIN = 0.5  # share of a side's parties a statement (or its antecedent) must name

_stemmer = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+")


class ClaimLink(Strict):
    """One statement linked to one assertion."""

    assertion_id: str
    stance: Stance
    confidence: float
    relatedness: float
    below_threshold: bool


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return a coarse stem: Snowball, cut to five letters so 'technical' meets 'technology'."""
    return _stemmer.stemWord(word)[:5]


def terms(text: str, actors: Actors) -> list[str]:
    """Return the text's terms in order: '@party' tokens for party mentions, stems for other words."""
    out: list[str] = []
    position = 0
    for start, end, party_id in party_mentions(actors, text):
        out.extend(_word_terms(text[position:start]))
        out.append("@" + party_id)
        position = end
    out.extend(_word_terms(text[position:]))
    return out


def _word_terms(text: str) -> list[str]:
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower().replace("’", "'")
        if word.endswith("n't"):
            found.append("n't")
            word = word[:-3]
        word = word.split("'")[0]
        if word and word not in STOP_WORDS:
            found.append(word if word in NEGATIONS else stem(word))
    return found


class _Side:
    """One side of an assertion (its claim or its counterclaim): party tokens and predicate terms."""

    def __init__(self, text: str, actors: Actors):
        found = terms(text, actors)
        self.negated = bool(set(found) & NEGATIONS)
        self.terms = set(found) - NEGATIONS
        self.parties = {t for t in self.terms if t.startswith("@")}
        self.words = self.terms - self.parties

    def match(self, found: set[str]) -> float:
        """Return how well a statement's terms cover this side: 0 unless both parties and predicate match.

        The parties alone say a statement is about the same actors; the predicate words say it is about
        the same thing between them.
        """
        if not self.words:
            return 0.0
        words = len(self.words & found) / len(self.words)
        parties = len(self.parties & found) / len(self.parties) if self.parties else 1.0
        if words < WORD_COVERAGE_MIN or parties < PARTY_COVERAGE_MIN:
            return 0.0
        return (len(self.terms & found)) / len(self.terms)


class Linker:
    """Links statements to the assertions of one catalog, with one actors file."""

    def __init__(self, catalog: Catalog, actors: Actors, threshold: float = 0.5, floor: float = 0.34):
        self.actors = actors
        self.threshold = threshold
        self.floor = floor
        self.assertions: list[tuple[Assertion, _Side, _Side | None]] = [
            (a, _Side(a.claim + " " + " ".join(a.hints), actors),
             _Side(a.counterclaim, actors) if a.counterclaim else None)
            for a in catalog.assertions
        ]

    def link(self, content: str, cue: str, context: str = "") -> list[ClaimLink]:
        """Return the links of one statement: content, its cue word(s), and the preceding sentence."""
        content_terms = terms(content, self.actors)
        found = set(content_terms)
        if context and _refers_back(content):
            found |= set(terms(context, self.actors))
        links = []
        for assertion, claim, counter in self.assertions:
            claim_fit = claim.match(found)
            counter_fit = counter.match(found) if counter else 0.0
            relatedness = max(claim_fit, counter_fit)
            if relatedness < self.floor:
                continue
            stance, certainty = self._stance(content, content_terms, cue, claim, counter, found)
            confidence = round(min(1.0, relatedness) * certainty, 3)
            links.append(ClaimLink(assertion_id=assertion.id, stance=stance, confidence=confidence,
                                   relatedness=round(relatedness, 3), below_threshold=relatedness < self.threshold))
        return links

    def _stance(self, content: str, content_terms: list[str], cue: str, claim: _Side, counter: _Side | None,
                found: set[str]) -> tuple[Stance, float]:
        cue_stems = {stem(w) for w in _WORD.findall(cue.lower())}
        if cue_stems & DENYING_CUES:
            return Stance.DENIES, 0.9
        if counter is not None:
            # Compare only what tells the two sides apart ("only", "small batch", "before" vs "for its war").
            for_counter = len((counter.terms - claim.terms) & found)
            for_claim = len((claim.terms - counter.terms) & found)
            if for_counter > for_claim:
                return Stance.DENIES, 0.8
        if set(content_terms) & DENYING_WORDS:
            return Stance.DENIES, 0.7
        if not claim.negated and _negates(content, content_terms, claim.terms, self.actors):
            return Stance.DENIES, 0.6
        return Stance.ASSERTS, 0.9


_ANAPHORA = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|such|he|she|him|her|the (?:allegations?|claims?|"
    r"accusations?|reports?|charges?|assertions?))\b",
    re.IGNORECASE,
)


def _refers_back(content: str) -> bool:
    """Return True when the content leans on the previous sentence (a pronoun, 'the allegations')."""
    return bool(_ANAPHORA.search(content))


def _negates(content: str, content_terms: list[str], claim_terms: set[str], actors: Actors) -> bool:
    """Return True when a negation stands within a few terms before a term of the claim."""
    if NON_NEGATING.search(content):
        content_terms = terms(NON_NEGATING.sub(" ", content), actors)
    for i, term in enumerate(content_terms):
        if term in NEGATIONS and any(t in claim_terms for t in content_terms[i + 1 : i + 5]):
            return True
    return False
