"""Statements read in their context, linked by meaning: retrieval, then the pair judge, with the word rules.

The word linker (pipeline.link.linking) finds what repeats an assertion's words; it cannot see that
"'This is some sort of nonsense,' said Dmitry Peskov" answers the accusation of the sentence before.
Here every statement of a document becomes a *reading*: its own sentence (speaker and cue included:
"The Kremlin dismissed the administration's accusation"), and, when the statement is bare (few words
of its own, opening with "this", "it" or "the allegations", or under a denying cue), the article's
title and the sentence before. The retriever (pipeline.link.retrieval) proposes the few assertions
nearest each reading across the whole catalog; the pair judge (pipeline.link.semantic) reads each
(side, reading) pair and says whether the reading supports the side, refutes it, or neither.

An assertion with a counterclaim is judged on both sides: supporting the counterclaim is denying the
claim. Where the word rules link a statement, their links stand (the judge may only veto one it reads
as unrelated with near certainty): a quote repeating an assertion's distinctive words is precise, and
in a catalog of close assertions (who supplied what to whom, when) the neighbours lie near in meaning
too. A statement the word rules leave alone may link by meaning to one assertion, its nearest, when
that one stands out from the next (pipeline.link.evidence weighs the judge, the embedding distance and
the word rules' stance signals). A link at or above `threshold` counts; one a little under it is kept
and marked below threshold, like the word linker's.
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.extract.parties import Actors
from pipeline.link.catalog import Catalog
from pipeline.link.evidence import PairEvidence, decide
from pipeline.link.linking import OPENING_PRONOUN, ClaimLink, Linker, denying_cue, terms
from pipeline.link.retrieval import SideIndex
from pipeline.link.semantic import SemanticModels
from pipeline.models import Assertion, Stance, Strict

TOP_CANDIDATES = 3  # assertions a reading is judged against
RETRIEVAL_FLOOR = 0.25  # retrieval score under which an assertion is not worth judging
BARE_TERMS = 3  # a content with at most this many terms of its own needs its context
READING_CHARS = 700  # the judge reads 160 wordpieces: the first few hundred characters carry the point
# A word-rule link is dropped when the judge reads it as unrelated this surely, or when the reading lies
# this far from the assertion in meaning (chosen on disputes_train: precision 0.475 -> 0.496, same recall).
UNRELATED_VETO = 0.97
WORD_LINK_MIN_COSINE = 0.3
NEAREST_MARGIN = 0.05  # how much nearer than the next assertion a statement must be to link by meaning alone
# ... and how much of the assertion's words its reading (context included) must share, as a BM25 score
# scaled by the side's own: chosen on disputes_train (0.1 and 0.2 score the same F1; 0.2 is the more precise).
MEANING_MIN_LEXICAL = 0.2
BELOW_THRESHOLD_BAND = 0.1  # links this far under the threshold are kept, marked below threshold
# Reviewed examples (Assertion.examples): a statement whose reading lies this near a confirmed example
# of an assertion keeps its link to it above the threshold; this near, it takes the example's stance,
# or gets the link the linker did not make; a rejection carries to readings this near (near copies of
# the quote: the same quote in another outlet's article). Chosen on disputes_train with
# `eval_disputes --simulate-review 20` (so train figures after review are not held out; dev is): every
# looser setting tried (follow 0.5-0.7, reject 0.85, stance carried from 0.6) lowered precision on the
# unreviewed train articles and gained no recall; these change nothing there.
FOLLOW_EXAMPLE = 0.8
ADD_FROM_EXAMPLE = 0.85
REJECT_FROM_EXAMPLE = 0.9
# A party's side of an assertion, learned from reviews: with at least this many reviewed links of the
# party to the assertion, this share of them on one side, its statements whose stance nothing in their
# words decided (the judge's leaning, or the word rules' default) take that side. The share was set before
# measuring (a clear majority); the count was lowered from 3 to 2 on disputes_train (`eval_disputes --set
# train --simulate-review 5`: unreviewed articles P 0.716 -> 0.747, R 0.573 -> 0.583; 10 reviews: P 0.740
# -> 0.763, R 0.576 -> 0.588; 20 the same): the queue's stance corrections come in pairs (a party's two
# statements in one article read the wrong way), and at 3 the side was rarely learned.
PARTY_SIDE_EXAMPLES = 2
PARTY_SIDE_SHARE = 0.8
# Readings that share less than this share of their terms with every example are not embedded for the
# examples' sake (a speed bound, not a tuned threshold: `--simulate-review 20` gives the same figures with it).
EXAMPLE_SHARED_TERMS = 0.2

_REFERS_BACK = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:it|this|that|these|those|such|they)\b|"
                          r"\b(?:the|these|those|such|this|that) (?:allegations?|claims?|accusations?|reports?|"
                          r"charges?|story|stories|idea|notion|suggestion|assertion)\b", re.IGNORECASE)


_COPULA = re.compile(r"\s*(?:'s|’s|is|was|isn't|wasn’t|wasn't|isn’t|are|were|has been|had been)\b", re.IGNORECASE)


def _refers_back(content: str, speaker_pronouns: frozenset[str]) -> bool:
    """Return True when a content's words point to something said before it ("It is untrue", "the allegations").

    An opening pronoun that stands for the speaker is no such pointer: in "China reaffirmed it wouldn't provide
    arms" the "it" is China, and the content carries its own topic.
    """
    opening = OPENING_PRONOUN.search(content)
    if opening and opening.group(1).lower() in speaker_pronouns and not _COPULA.match(content, opening.end(1)):
        # Masked, not cut, so the words after it are read in the same three-word window: "it would do that
        # again" stays a statement of its own, "he hoped it would" still points back. "Iran said it was
        # untrue": after a copula the "it" is what was said before, not the speaker.
        content = content[:opening.start(1)] + "_" * len(opening.group(1)) + content[opening.end(1):]
    return _REFERS_BACK.search(content) is not None


def _names_parties(claim_parties: list[str], reading_terms: set[str]) -> bool:
    """Return True when a reading (its speaker's party included) names the parties a claim is about.

    The claim's first-named party is its subject ("Iran supplied Russia with drones", "Russia uses Iranian
    drones against Ukraine") and must be named; of the rest, enough that at least half of all are: "Moscow is
    firing Shaheds at Kyiv" speaks to the Russia-Ukraine claim without naming Iran.
    """
    if not claim_parties:
        return True
    named = sum(party in reading_terms for party in claim_parties)
    return claim_parties[0] in reading_terms and 2 * named >= len(claim_parties)


class LinkRequest(Strict):
    """One statement as the linker reads it."""

    content: str
    cue: str
    rest: str = ""
    before: str = ""
    previous: str = ""
    sentence: str = ""  # the statement's sentences, speaker and cue included (clipped)
    preceding: str = ""  # the sentence before the statement's first
    title: str = ""
    speaker_party: str | None = None
    speaker_pronouns: frozenset[str] = frozenset()


class ContextLinker:
    """Links statements to a catalog's assertions by meaning in context, with the word rules beside."""

    def __init__(self, catalog: Catalog, actors: Actors, models: SemanticModels | None,
                 threshold: float = 0.5, floor: float = 0.4):
        self.words = Linker(catalog, actors, threshold=threshold, floor=floor)
        self.actors = actors
        self.models = models
        self.threshold = threshold
        self.assertions = catalog.assertions
        owners, side_texts = [], []
        for i, assertion in enumerate(self.assertions):
            owners.append(i)
            side_texts.append(" ".join([assertion.claim, *assertion.hints]))
            if assertion.counterclaim:
                owners.append(i)
                side_texts.append(assertion.counterclaim)
        vectors = models.embedder.embed(side_texts) if models is not None else None
        self.index = SideIndex(owners, [terms(t, actors) for t in side_texts], vectors)
        self.claim_parties = [list(dict.fromkeys(t for t in terms(a.claim, actors) if t.startswith("@")))
                              for a in self.assertions]
        self.examples = ExampleIndex(self.assertions, actors, models)
        self.party_sides = reviewed_sides(self.assertions)

    def related_assertions(self, text: str) -> list[str]:
        """Return the ids of assertions a whole document may speak to (for the document-stance model).

        Its title and lead (the first sentences) are compared by meaning and words with every side; the
        word linker's coverage test is kept beside it.
        """
        found = set(self.words.related_assertions(text))
        if self.models is not None and self.assertions:
            lead = text[:READING_CHARS]
            vector = self.models.embedder.embed([lead])
            for candidate in self.index.candidates(vector, [set(terms(lead, self.actors))], floor=0.45,
                                                   top=TOP_CANDIDATES)[0]:
                found.add(self.assertions[candidate.index].id)
        return sorted(found)

    def is_bare(self, request: LinkRequest) -> bool:
        """Return True when a statement needs its context: few words of its own, or words that refer back."""
        own_terms = [t for t in terms(request.content, self.actors) if not t.startswith("@")]
        return (len(own_terms) <= BARE_TERMS or _refers_back(request.content, request.speaker_pronouns)
                or denying_cue(request.cue))

    def reading(self, request: LinkRequest, bare: bool | None = None) -> str:
        """Return what the judge reads for a statement: its sentence, and its context when it is bare
        (`bare`: is_bare's answer, when the caller has it already)."""
        own = request.sentence if len(request.sentence) >= len(request.content) else request.content
        if bare is None:
            bare = self.is_bare(request)
        if bare:
            own = " ".join(p for p in (request.title.strip().rstrip(".") + "." if request.title else "",
                                       request.preceding or request.previous, own) if p)
        return own[-READING_CHARS:] if bare else own[:READING_CHARS]

    def link_many(self, requests: list[LinkRequest]) -> list[list[ClaimLink]]:
        """Return the links of each statement (one document's statements in one call).

        Only pairs that can still become links go to the judge (its cost is per pair): the word rules'
        links, and for a statement they leave alone its nearest assertion when that one stands out from
        the next and shares words with the reading. A quote between two close assertions is not
        evidence for either, and the reading (its context's words, for a bare statement) must share
        some of the assertion's words.
        """
        lexical = [self.words.link(r.content, r.cue, rest=r.rest, before=r.before, previous=r.previous,
                                   speaker_party=r.speaker_party, speaker_pronouns=r.speaker_pronouns)
                   for r in requests]
        if self.models is None or not requests or not self.assertions:
            return lexical
        bare = [self.is_bare(r) for r in requests]
        readings = [self.reading(r, b) for r, b in zip(requests, bare)]
        query_terms = [set(terms(text, self.actors)) | ({"@" + r.speaker_party} if r.speaker_party else set())
                       for text, r in zip(readings, requests)]
        lexical_scores = [self.index.lexical(words) for words in query_terms]
        needed = self._worth_embedding(query_terms, lexical_scores, lexical)
        vectors = np.zeros((len(readings), self.models.embedder.dimension), dtype=np.float32)
        if needed:
            vectors[needed] = self.models.embedder.embed([readings[q] for q in needed])
        proposed: list[list] = [[] for _ in requests]
        for q, found in zip(needed, self.index.candidates(vectors[needed], [query_terms[q] for q in needed],
                                                          floor=RETRIEVAL_FLOOR, top=TOP_CANDIDATES,
                                                          lexical_scores=[lexical_scores[q] for q in needed])):
            proposed[q] = found
        cosines = self.index.best_cosines(vectors)
        by_id = {a.id: i for i, a in enumerate(self.assertions)}
        judged: list[list[int]] = []  # per statement: the assertions worth the judge
        pairs: list[tuple[str, str]] = []
        for q, (links, candidates) in enumerate(zip(lexical, proposed)):
            wanted: list[int] = []
            if links:
                wanted = [i for i in sorted(by_id[link.assertion_id] for link in links)
                          if cosines[q, i] >= WORD_LINK_MIN_COSINE]
            elif candidates:
                ranked = sorted(candidates, key=lambda c: -c.cosine)
                stands_out = len(ranked) == 1 or ranked[0].cosine - ranked[1].cosine >= NEAREST_MARGIN
                # A statement read on its own names its topic's actors: one links by meaning only to an
                # assertion about the parties it names (_names_parties), so "China reaffirmed it wouldn't
                # provide arms" in a sentence on military cooperation is not about Iran and Russia. A bare
                # one takes its actors from the context it is read in.
                if stands_out and ranked[0].lexical >= MEANING_MIN_LEXICAL and (
                        bare[q] or _names_parties(self.claim_parties[ranked[0].index], query_terms[q])):
                    wanted = [ranked[0].index]
            judged.append(wanted)
            for i in wanted:
                pairs.append((self.assertions[i].claim, readings[q]))
                if self.assertions[i].counterclaim:
                    pairs.append((self.assertions[i].counterclaim, readings[q]))
        probabilities = self.models.judge.judge(pairs) if pairs else np.zeros((0, 4), dtype=np.float32)
        out: list[list[ClaimLink]] = []
        row = 0
        for q, wanted in enumerate(judged):
            request = requests[q]
            word_links = {link.assertion_id: link for link in lexical[q]}
            said = terms(request.content, self.actors)
            links: list[ClaimLink] = []
            for i in wanted:
                claim = probabilities[row].tolist()
                row += 1
                counter = None
                if self.assertions[i].counterclaim:
                    counter = probabilities[row].tolist()
                    row += 1
                _, claim_side, counter_side = self.words.assertions[i]
                rule, certainty = self.words._stance(request.content, said, request.cue, claim_side, counter_side)
                word = word_links.get(self.assertions[i].id)
                made = self._decide(i, PairEvidence(
                    claim=claim, counter=counter, cosine=float(cosines[q, i]),
                    word_stance=word.stance if word else None, word_confidence=word.confidence if word else 0.0,
                    word_below_threshold=word.below_threshold if word else False,
                    # the word rules' default (asserts, nothing in the words decided it) is no signal
                    rule_stance=rule if rule == Stance.DENIES else None,
                    rule_certainty=certainty if rule == Stance.DENIES else 0.0))
                side = self.party_sides.get((i, request.speaker_party))
                if side is not None and rule != Stance.DENIES:
                    # Nothing in the words took a side: the party's side in the reviews decides.
                    made = [link.model_copy(update={"stance": side}) for link in made]
                links += made
            out.append(links)
        return self.examples.follow(vectors, out) if self.examples else out

    def _worth_embedding(self, query_terms: list[set[str]], lexical_scores: list[np.ndarray],
                         lexical: list[list[ClaimLink]]) -> list[int]:
        """Return the statements whose readings can become links, the only ones embedded and judged.

        Embedding is most of a document's cost, and most statements speak to none of the catalog: a
        statement the word rules leave alone links by meaning only when some assertion shares enough of
        its words (MEANING_MIN_LEXICAL), so one sharing less with every assertion has nothing to gain
        from its vector: the links come out as if every reading had been embedded. Reviewed examples
        need the vectors of the readings that share words with them (ExampleIndex.may_follow).
        """
        return [q for q, (scores, links) in enumerate(zip(lexical_scores, lexical))
                if links or float(scores.max(initial=0.0)) >= MEANING_MIN_LEXICAL
                or (self.examples and self.examples.may_follow(query_terms[q]))]

    def _decide(self, index: int, evidence: PairEvidence) -> list[ClaimLink]:
        """Return the link (or none) one statement makes to one assertion.

        A word rule's link stands as it was (the embeddings have already vetoed those far apart in
        meaning), unless the judge reads the pair as unrelated with near certainty; any other is weighed by
        pipeline.link.evidence.decide.
        """
        assertion_id = self.assertions[index].id
        stance, confidence, relatedness = decide(evidence)
        threshold = self.threshold
        if evidence.word_stance is not None:
            if evidence.claim[3] >= UNRELATED_VETO:
                return []
            return [ClaimLink(assertion_id=assertion_id, stance=evidence.word_stance,
                              confidence=evidence.word_confidence, relatedness=round(relatedness, 3),
                              below_threshold=evidence.word_below_threshold)]
        if confidence < threshold - BELOW_THRESHOLD_BAND:
            return []
        return [ClaimLink(assertion_id=assertion_id, stance=stance, confidence=round(confidence, 3),
                          relatedness=round(relatedness, 3), below_threshold=confidence < threshold)]


def reviewed_sides(assertions: list[Assertion]) -> dict[tuple[int, str], Stance]:
    """Return {(assertion index, party id): the side the party takes} from the reviewed examples.

    A party speaks with one voice on an assertion far more often than not (one of 165 (article,
    assertion, party) rows of disputes_train's gold has both sides), so a side the reviewers gave a
    party's links again and again is the best guess for its statements whose words take none.
    """
    sides: dict[tuple[int, str], Stance] = {}
    for i, assertion in enumerate(assertions):
        counts: dict[str, dict[Stance, int]] = {}
        for example in assertion.examples:
            if example.stance is not None and example.party_id:
                by_stance = counts.setdefault(example.party_id, {})
                by_stance[example.stance] = by_stance.get(example.stance, 0) + 1
        for party, by_stance in counts.items():
            total = sum(by_stance.values())
            stance, count = max(by_stance.items(), key=lambda item: item[1])
            if total >= PARTY_SIDE_EXAMPLES and count >= PARTY_SIDE_SHARE * total:
                sides[(i, party)] = stance
    return sides


class ExampleIndex:
    """The reviewed examples of a catalog's assertions, embedded once: what later statements follow.

    Nearest-example voting over the reading's embedding, per assertion: the reviewers' verdicts carry
    to statements that read almost the same (the same quote in a syndicated copy, the same denial in
    other words), and leave the rest to the linker.
    """

    def __init__(self, assertions, actors: Actors, models: SemanticModels | None):
        owners, texts, stances = [], [], []
        for i, assertion in enumerate(assertions):
            for example in assertion.examples:
                owners.append(i)
                texts.append(example.text[:READING_CHARS])
                stances.append(example.stance)
        self.assertions = assertions
        self.owners = np.array(owners, dtype=np.int64)
        self.stances = stances
        self.vectors = models.embedder.embed(texts) if models is not None and texts else None
        self.postings: dict[str, set[int]] = {}
        for e, text in enumerate(texts):
            for term in set(terms(text, actors)):
                self.postings.setdefault(term, set()).add(e)

    def __bool__(self) -> bool:
        return self.vectors is not None

    def may_follow(self, reading_terms: set[str]) -> bool:
        """Return True when a reading shares enough words with some example to lie near it in meaning.

        A reading within FOLLOW_EXAMPLE of an example (the same quote in another outlet, the same denial
        by the same speaker) repeats a good part of its words; one sharing under EXAMPLE_SHARED_TERMS of
        its terms with every example is not embedded for the examples' sake.
        """
        shared: dict[int, int] = {}
        for term in reading_terms:
            for e in self.postings.get(term, ()):
                shared[e] = shared.get(e, 0) + 1
        needed = max(1.0, EXAMPLE_SHARED_TERMS * len(reading_terms))
        return any(count >= needed for count in shared.values())

    def follow(self, vectors: np.ndarray, links: list[list[ClaimLink]]) -> list[list[ClaimLink]]:
        """Return each statement's links after the nearest reviewed example of each assertion had its say."""
        similarity = vectors @ self.vectors.T
        out = []
        for q, found in enumerate(links):
            by_id = {link.assertion_id: link for link in found}
            for i in np.unique(self.owners):
                columns = np.flatnonzero(self.owners == i)
                nearest = columns[int(np.argmax(similarity[q, columns]))]
                cosine = float(similarity[q, nearest])
                assertion_id, stance = self.assertions[i].id, self.stances[nearest]
                if cosine < (REJECT_FROM_EXAMPLE if stance is None else FOLLOW_EXAMPLE):
                    continue
                existing = by_id.get(assertion_id)
                if stance is None:
                    by_id.pop(assertion_id, None)
                elif existing is not None:
                    # Near a confirmed example the link counts; its stance stays the linker's reading of
                    # this statement (a neighbour's stance carried over was wrong more often than right).
                    by_id[assertion_id] = existing.model_copy(update={
                        "stance": stance if cosine >= ADD_FROM_EXAMPLE else existing.stance, "below_threshold": False,
                        "confidence": round(max(existing.confidence, cosine), 3)})
                elif cosine >= ADD_FROM_EXAMPLE:
                    by_id[assertion_id] = ClaimLink(assertion_id=assertion_id, stance=stance, confidence=round(cosine, 3),
                                                    relatedness=round(cosine, 3), below_threshold=False)
            out.append(list(by_id.values()))
        return out
