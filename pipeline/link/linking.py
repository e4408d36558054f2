"""Statement -> catalog assertions, each link with a stance (asserts / denies) and a confidence.

Researchers add an assertion as one line of text, so nothing here knows any dispute. A statement
is compared with each assertion's claim and counterclaim on normalised terms: party mentions become
party tokens through the actors file (Tehran, Iranian -> one token), other words are stemmed.
Relatedness is how much of a side's terms the statement covers; the stance comes from denying cues
and words, negation near the matched terms, and whether the counterclaim fits better than the claim.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pipeline.extract.parties import Actors, party_mentions
from pipeline.link.catalog import Catalog
from pipeline.models import Assertion, Stance, Strict

# Words that carry a counterclaim's meaning ("only ... before", "not directed against") stay in.
_KEEP = {"only", "before", "after", "not", "never", "no", "nor", "against", "none", "nothing", "since"}
STOP_WORDS = (ENGLISH_STOP_WORDS - _KEEP) | {
    "said", "says", "say", "told", "tell", "according", "added", "also", "just", "like", "way", "ways",
    "including", "new", "year", "years", "time", "mr", "ms", "ve", "ll", "re", "s", "t", "d", "m", "does", "did",
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
WORD_COVERAGE_MIN = 0.34  # weighted share of a side's predicate words a statement must contain
PARTY_COVERAGE_MIN = 0.6  # share of a side's parties a statement (or its antecedent) must name

# General-English near-synonyms folded to one term, so a one-line assertion meets the words news
# uses for the same thing ("provided", "sent", "transferred" all supply; "predate" is "before").
# Nothing here names a dispute; extend with care: every group merges meanings everywhere.
SYNONYM_GROUPS = (
    ("supply", "supplied", "supplies", "supplying", "provide", "provided", "provides", "providing", "give",
     "gave", "given", "giving", "send", "sent", "sending", "deliver", "delivered", "delivering", "transfer",
     "transferred", "transfers", "ship", "shipped", "shipment", "shipments", "sell", "sold", "sale", "sales",
     "offer", "offered", "offering"),
    ("use", "used", "uses", "using", "usage", "employ", "employed", "employing", "deploy", "deployed",
     "deploying", "utilize", "utilized"),
    ("before", "predate", "predates", "predated", "prior", "earlier", "ahead", "previously", "preceded"),
    ("only", "merely", "solely", "just", "mere"),
    ("war", "wars", "conflict", "conflicts", "invasion", "fighting", "hostilities"),
    ("threat", "threats", "threaten", "threatens", "threatening", "danger", "dangerous", "risk", "risks",
     "menace", "jeopardize"),
    ("cooperation", "cooperate", "cooperating", "collaboration", "partnership", "partnerships", "alliance",
     "ties", "relationship", "relations", "links", "deal", "deals", "pact"),
    ("world", "global", "globally", "international", "worldwide"),
    ("technology", "technologies", "technical", "technological", "technologically", "technically", "know-how"),
    ("defense", "defence", "defensive", "defend"),
    ("return", "exchange", "reciprocate", "reciprocal"),
    ("support", "supports", "supported", "aid", "assistance", "help", "backing"),
    ("considering", "consider", "considers", "weighing", "mulling", "planning", "contemplating"),
    ("small", "limited", "few", "handful", "little"),
)
_stemmer = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+")


class ClaimLink(Strict):
    """One statement linked to one assertion."""

    assertion_id: str
    stance: Stance
    confidence: float
    relatedness: float
    below_threshold: bool


@lru_cache(maxsize=65536)  # Snowball in pure Python costs tens of microseconds a word; cues repeat
def _raw_stem(word: str) -> str:
    return _stemmer.stemWord(word)


_SYNONYM = {_raw_stem(word): _raw_stem(group[0]) for group in SYNONYM_GROUPS for word in group}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return the Snowball stem with general-English near-synonyms folded into one term."""
    raw = _raw_stem(word)
    return _SYNONYM.get(raw, raw)


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
    return list(_cached_word_terms(text))


@lru_cache(maxsize=20_000)  # a statement's sentence, content and context are read several times each
def _cached_word_terms(text: str) -> tuple[str, ...]:
    found = []
    for match in _WORD.finditer(text):
        word = match.group(0).lower().replace("’", "'")
        if word.endswith("n't") or word == "cannot":
            # "won't consider an Obama nominee": the negation right before what it negates (the auxiliary
            # left of "n't", "wo" or "ca" or "does", says nothing and would push it out of reach).
            found.append("n't")
            continue
        word = word.split("'")[0]
        if word and word not in STOP_WORDS:
            found.append(word if word in NEGATIONS else stem(word))
    return tuple(found)


_CLAUSE = re.compile(r"[;:,.()!?—–]|\bbut\b")


def _governed(found: list[str], reach: int | None) -> set[str]:
    """Return the terms a negation governs: the `reach` terms after each (None: the rest of the clause)."""
    return {t for i, term in enumerate(found) if term in NEGATIONS
            for t in found[i + 1:None if reach is None else i + 1 + reach] if t not in NEGATIONS}


def _negated_in(content: str, actors: Actors) -> set[str]:
    """Return the terms a statement negates: every term after a negation in its clause ("don't have to
    worry that big banks can influence politicians")."""
    return {t for clause in _CLAUSE.split(NON_NEGATING.sub(" ", content))
            for t in _governed(terms(clause, actors), None)}


class _Side:
    """One side of an assertion (its claim or its counterclaim): party tokens and predicate terms."""

    def __init__(self, text: str, actors: Actors):
        found = terms(text, actors)
        self.negated = bool(set(found) & NEGATIONS)
        self.terms = set(found) - NEGATIONS
        self.parties = {t for t in self.terms if t.startswith("@")}
        self.words = self.terms - self.parties
        # What the side says is not so ("have never influenced her", "does not make him biased"): the
        # two words after a negation, within its clause.
        self.denied = {t for clause in _CLAUSE.split(text) for t in _governed(terms(clause, actors), 2)} - self.parties
        self.weights: dict[str, float] = {}
        self.keys: set[str] = set()

    def set_weights(self, weights: dict[str, float]) -> None:
        """Weight the predicate words; the heaviest are the side's keys, one of which must match."""
        self.weights = weights
        top = max(weights.values(), default=0.0)
        self.keys = {t for t, w in weights.items() if w >= top - 1e-9}

    def match(self, found: set[str]) -> float:
        """Return how well a statement's terms cover this side: 0 unless both parties and predicate match.

        The parties say a statement is about the same actors; the predicate words (weighted by how
        rare they are across the catalog) say it is about the same thing between them.
        """
        if not self.words:
            return 0.0
        total = sum(self.weights[t] for t in self.words)
        words = sum(self.weights[t] for t in self.words & found) / total
        parties = len(self.parties & found) / len(self.parties) if self.parties else 1.0
        if words < WORD_COVERAGE_MIN or parties < PARTY_COVERAGE_MIN or not self.keys & found:
            return 0.0
        return 0.75 * words + 0.25 * parties


class Linker:
    """Links statements to the assertions of one catalog, with one actors file."""

    def __init__(self, catalog: Catalog, actors: Actors, threshold: float = 0.5, floor: float = 0.4):
        self.actors = actors
        self.threshold = threshold
        self.floor = floor
        self.assertions: list[tuple[Assertion, _Side, _Side | None]] = [
            (a, _Side(a.claim + " " + " ".join(a.hints), actors),
             _Side(a.counterclaim, actors) if a.counterclaim else None)
            for a in catalog.assertions
        ]
        # Words every assertion of a dispute shares ("drones" in a drone dispute) say little about
        # which assertion a statement speaks to: weight words by their rarity across the catalog.
        frequency: dict[str, int] = {}
        for _, claim, counter in self.assertions:
            for term in claim.words | (counter.words if counter else set()):
                frequency[term] = frequency.get(term, 0) + 1
        n = len(self.assertions)
        for _, claim, counter in self.assertions:
            for side in (claim, counter):
                if side is not None:
                    side.set_weights({t: math.log((n + 1) / (frequency[t] + 0.5)) + 0.1 for t in side.words})
        # Only assertions sharing a predicate word with a statement are scored (1,000-assertion catalogs).
        self.by_word: dict[str, list[int]] = {}
        for i, (_, claim, counter) in enumerate(self.assertions):
            for term in claim.words | (counter.words if counter else set()):
                self.by_word.setdefault(term, []).append(i)

    def related_assertions(self, text: str, coverage: float = 0.5) -> list[str]:
        """Return ids of assertions a whole text may speak to: most of a side's weighted words appear.

        A loose, cheap filter: which (document, assertion) pairs are worth the document-stance model.
        """
        found = set(terms(text, self.actors))
        out = []
        for i in sorted({i for term in found for i in self.by_word.get(term, ())}):
            assertion, claim, counter = self.assertions[i]
            for side in (claim, counter):
                if side is None or not side.words:
                    continue
                total = sum(side.weights.values())
                if sum(side.weights[t] for t in side.words & found) / total >= coverage:
                    out.append(assertion.id)
                    break
        return out

    def link(self, content: str, cue: str, rest: str = "", before: str = "", previous: str = "",
             speaker_party: str | None = None, speaker_pronouns: frozenset[str] = frozenset()) -> list[ClaimLink]:
        """Return the links of one statement.

        content: what was said; cue: the cue word(s); rest: the rest of the sentence after the content
        (it may finish a clipped content); before: the sentence's words before the content, speaker
        blanked; previous: the sentence before. A content that refers back ("it could evolve", "the
        allegations") borrows the terms of what it refers to. The speaker's own party counts as
        named: "Moscow denied employing the drones" is about Moscow. speaker_pronouns are the
        pronouns that would stand for the speaker ("it" for a state, "he"/"she" for a person): a
        content opening with one ("China reaffirmed it wouldn't provide arms") refers to the speaker,
        not to the words before it.
        """
        content_terms = terms(content, self.actors)
        found = set(content_terms) | set(terms(rest, self.actors))
        found |= set(terms(_antecedent(content, before, previous, self.actors, speaker_pronouns), self.actors))
        if speaker_party:
            found.add("@" + speaker_party)
        candidates = sorted({i for term in found for i in self.by_word.get(term, ())})
        links = []
        for i in candidates:
            assertion, claim, counter = self.assertions[i]
            claim_fit = claim.match(found)
            counter_fit = counter.match(found) if counter else 0.0
            relatedness = max(claim_fit, counter_fit)
            if relatedness < self.floor:
                continue
            stance, certainty = self._stance(content, content_terms, cue, claim, counter)
            confidence = round(min(1.0, relatedness) * certainty, 3)
            links.append(ClaimLink(assertion_id=assertion.id, stance=stance, confidence=confidence,
                                   relatedness=round(relatedness, 3), below_threshold=relatedness < self.threshold))
        return links

    def _stance(self, content: str, content_terms: list[str], cue: str, claim: _Side,
                counter: _Side | None) -> tuple[Stance, float]:
        if denying_cue(cue):
            return Stance.DENIES, 0.9
        if counter is not None and not _merely_negates(counter, claim):
            # Compare only the words that tell the two sides apart ("only", "small batch", "before"
            # vs "for its war") in what the speaker said. A counterclaim that merely negates the claim
            # has no such words: negation and denying cues decide then.
            # A word one side says is not so ("never influenced her") is said by the other side when a
            # statement says it plainly ("accused Clinton of being influenced"), by its own side when the
            # statement negates it too.
            said = set(content_terms)
            negated = _negated_in(content, self.actors) if claim.denied or counter.denied else set()
            counter_own, claim_own = counter.words - claim.words, claim.words - counter.words
            for_counter = (len((counter_own - counter.denied) & said) + len((claim_own & claim.denied) & said - negated)
                           + len((counter_own & counter.denied) & said & negated))
            for_claim = (len((claim_own - claim.denied) & said) + len((counter_own & counter.denied) & said - negated)
                         + len((claim_own & claim.denied) & said & negated))
            if for_counter > for_claim:
                return Stance.DENIES, 0.8
        if set(content_terms) & DENYING_WORDS:
            return Stance.DENIES, 0.7
        if not claim.negated and _negates(content, content_terms, claim.words, self.actors):
            return Stance.DENIES, 0.6
        return Stance.ASSERTS, 0.9


def denying_cue(cue: str) -> bool:
    """Return True for a cue that denies by itself: denied, dismissed, rejected, struck down ..."""
    return bool({_raw_stem(w) for w in _WORD.findall(cue.lower())} & DENYING_CUES)


OPENING_PRONOUN = re.compile(r"^\W*(?:\w+\W+){0,2}?(it|they|this|that|these|those|such|he|she)\b", re.IGNORECASE)
_ALLEGATION = re.compile(r"\b(?:the|these|those|such) (?:allegations?|claims?|accusations?|reports?|charges?)\b",
                         re.IGNORECASE)


def _antecedent(content: str, before: str, previous: str, actors: Actors,
                speaker_pronouns: frozenset[str] = frozenset()) -> str:
    """Return the text a content refers back to: '' when it does not (or refers to its own speaker),
    else the same sentence's earlier words ("concerned about the cooperation ... and fears that it
    could") or the previous sentence ("They gain more experience"; "struck down the allegations")."""
    if _ALLEGATION.search(content):
        return previous
    opening = OPENING_PRONOUN.search(content)
    if opening:
        if opening.group(1).lower() in speaker_pronouns:
            return ""
        return before if len(terms(before, actors)) >= 3 else previous
    return ""


def _merely_negates(counter: _Side, claim: _Side) -> bool:
    """Return True when a counterclaim is the claim negated ("Russia has not used Iranian drones")."""
    own = counter.words - claim.words
    return counter.negated and len(own) * 2 < len(counter.words)


def _negates(content: str, content_terms: list[str], claim_terms: set[str], actors: Actors) -> bool:
    """Return True when a negation stands within a few terms before a term of the claim."""
    if NON_NEGATING.search(content):
        content_terms = terms(NON_NEGATING.sub(" ", content), actors)
    # Only a negation right before a predicate word negates the claim ("has not used", "wouldn't
    # provide"); "doesn't bode well for the region" does not negate "threatens the region".
    for i, term in enumerate(content_terms):
        if term in NEGATIONS and any(t in claim_terms for t in content_terms[i + 1 : i + 3]):
            return True
    return False
