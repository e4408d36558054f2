"""Document -> statements and claims: attribution, the speaker's party, the statement's date, links.

Each step is its own module; this one joins their outputs into `Statement` and `Claim` rows.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from pathlib import Path

from pipeline.config import DEFAULT_ACTORS_PATH, DEFAULT_CATALOG_PATH
from pipeline.extract import attribution, dates, parties
from pipeline.extract.attribution.people import RELATIVE_REACH
from pipeline.link.catalog import Catalog, load_catalog
from pipeline.link.contextual import ContextLinker, LinkRequest
from pipeline.link.semantic import SemanticModels, semantic_models
from pipeline.models import (
    AssertionExample,
    Claim,
    DatePrecision,
    Document,
    DocumentStance,
    DocumentStanceLabel,
    Span,
    Statement,
    Strict,
)

# The pronouns that stand for a speaker, by how its party was resolved (parties.PartyResolution.via):
# a state or body named as such is "it" ("China reaffirmed it wouldn't ..."), a known person "he" or
# "she". A role phrase or a demonym ("Iranian officials") may be either, so it gets none.
SPEAKER_PRONOUNS = {
    "metonym": frozenset({"it"}),
    "name": frozenset({"it"}),
    "person": frozenset({"he", "she"}),
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")


class Analysis(Strict):
    """What one document yields: its statements and their links to catalog assertions."""

    statements: list[Statement] = []
    claims: list[Claim] = []

    def __reduce__(self):
        # A worker hands its analysis to the writer pickled. pydantic's JSON (in Rust) is written and
        # read several times faster than pickle walks thousands of nested models: 0.2 s against 1.2 s
        # for the 16,808 statements of an 810 KB text.
        return (_analysis_from_json, (self.model_dump_json(),))


def _analysis_from_json(data: str) -> Analysis:
    return Analysis.model_validate_json(data)


def sentence_around(text: str, start: int, end: int) -> Span:
    """Return the sentence (bounded by sentence ends or blank lines) that contains text[start:end].

    Reads the sentence ends found once per text (a lookup, not a scan from the start of the text for
    every statement: that was quadratic on long texts), with exactly the bounds a scan of
    text[:start] and a search from `end` would give.
    """
    starts, ends = _sentence_ends(text)
    # Left: scans of the whole text and of text[:start] agree on every sentence end whose look-ahead
    # (an opening mark and a capital: two characters) lies before `start`; a later one may differ,
    # so that stretch is scanned again as the scan of text[:start] would.
    i = bisect.bisect_left(ends, start - 1)
    left = ends[i - 1] if i else 0
    if i < len(starts) and starts[i] < start:
        for match in _SENTENCE_END.finditer(text, starts[i], start):
            left = match.end()
    # Right: the first sentence end a search from `end` finds; inside a sentence end that straddles
    # `end` a search may start a shorter one, so those few positions are tried first.
    j = bisect.bisect_left(starts, end)
    right = None
    if j and ends[j - 1] > end:
        for position in range(end, ends[j - 1]):
            match = _SENTENCE_END.match(text, position)
            if match:
                right = match.start()
                break
    if right is None:
        right = starts[j] if j < len(starts) else len(text)
    right = max(right, end)
    return Span(text=text[left:right], start=left, end=right)


# The last text scanned and its sentence ends. Held by identity, not equality: an lru_cache compares
# an equal text of another document (a copy of the article just analysed) character by character on
# every lookup, which made each statement of an 800 KB copy cost a full comparison (4 s in all).
# One tuple, replaced whole, so a thread (a Dask worker's) never reads one text's ends for another.
_last_scanned: tuple[str | None, tuple[list[int], list[int]]] = (None, ([], []))


def _sentence_ends(text: str) -> tuple[list[int], list[int]]:
    """Return the starts and the ends of the text's sentence ends, as one scan from its start finds them."""
    global _last_scanned
    scanned = _last_scanned
    if scanned[0] is not text:
        starts, ends = [], []
        for match in _SENTENCE_END.finditer(text):
            starts.append(match.start())
            ends.append(match.end())
        scanned = _last_scanned = (text, (starts, ends))
    return scanned[1]


# A statement's sentence is read (for its date, for the words around its content) this far either side
# of the cue at most: real sentences are far shorter, and a "sentence" of a whole text without full
# stops would otherwise be read once for every statement in it.
CONTEXT_CHARS = 1500


def _near(text: str, sentence: Span, start: int, end: int) -> Span:
    """Return the sentence, clipped to CONTEXT_CHARS either side of text[start:end]."""
    left, right = max(sentence.start, start - CONTEXT_CHARS), min(sentence.end, end + CONTEXT_CHARS)
    if (left, right) == (sentence.start, sentence.end):
        return sentence
    return Span(text=text[left:right], start=left, end=right)


def previous_sentence(text: str, sentence: Span) -> str:
    """Return the sentence before the given one ('' at the start of the text)."""
    end = sentence.start
    # The end of what precedes, white space stripped, found without copying the text before it.
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end == 0:
        return ""
    return sentence_around(text, end - 1, end).text


def _blank(text: str, start: int, end: int, speaker: Span | None) -> str:
    """Return text[start:end] with the speaker's words blanked (their words are not the content's)."""
    piece = text[start:max(start, end)]
    if speaker is not None and start <= speaker.start < speaker.end <= end:
        a, b = speaker.start - start, speaker.end - start
        piece = piece[:a] + " " * (b - a) + piece[b:]
    return piece


def statement_id(document_id: str, found: attribution.Attribution) -> str:
    """Return a stable id from the document and the attribution's offsets."""
    key = f"{document_id}|{found.cue.start}|{found.content.start}|{found.content.end}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def claim_id(statement: str, assertion_id: str) -> str:
    """Return a stable id for a (statement, assertion) link."""
    return hashlib.sha256(f"{statement}|{assertion_id}".encode()).hexdigest()[:16]


class Analyzer:
    """Turns a document into statements and claims with one actors file and one catalog."""

    def __init__(self, actors: parties.Actors, catalog: Catalog, stance_model=None,
                 semantic: SemanticModels | None | bool = True):
        """semantic: the embedder and pair judge, True to load the shipped ones (when installed), or
        None / False for the word rules alone."""
        self.actors = actors
        self.catalog = catalog
        self._semantic = semantic
        self._linker: ContextLinker | None = None
        self._stance_model = stance_model
        self.claims_by_id = {a.id: a.claim for a in catalog.assertions}

    @property
    def linker(self) -> ContextLinker:
        """Return the linker, built on first use: a run whose workers do the analysis never loads its models."""
        if self._linker is None:
            models = semantic_models() if self._semantic is True else (self._semantic or None)
            self._linker = ContextLinker(self.catalog, self.actors, models)
        return self._linker

    @property
    def stance_model(self):
        """Return the document-stance model, loaded on first use (a few seconds)."""
        if self._stance_model is None:
            from pipeline.link.stance import StanceModel

            self._stance_model = StanceModel.load()
        return self._stance_model

    def document_stances(self, documents: list[Document], linked: dict[str, set[str]]) -> list[DocumentStance]:
        """Return each document's stance toward each assertion it is related to (the rest are unrelated).

        Only assertions whose words mostly appear in a document, or that its statements speak to
        (`linked`), go to the model, so a large catalog costs little; all pairs of all the documents
        go in one call, because the model's cost is mostly per call.
        """
        pairs: list[tuple[str, str]] = []
        bodies: dict[str, str] = {}
        for document in documents:
            bodies[document.id] = document.body
            candidates = set(self.linker.related_assertions(document.body)) | linked.get(document.id, set())
            pairs += [(document.id, assertion_id) for assertion_id in sorted(candidates)]
        if not pairs:
            return []
        predictions = self.stance_model.predict([self.claims_by_id[a] for _, a in pairs],
                                                [bodies[d] for d, _ in pairs])
        stances = []
        for (document_id, assertion_id), prediction in zip(pairs, predictions):
            label, confidence = prediction.label, prediction.confidence
            if label == DocumentStanceLabel.UNRELATED:
                if assertion_id not in linked.get(document_id, set()):
                    continue
                # Its statements speak to the assertion, so the document at least reports it.
                label, confidence = DocumentStanceLabel.REPORTS, 0.5
            stances.append(DocumentStance(document_id=document_id, assertion_id=assertion_id, stance=label,
                                          confidence=round(float(confidence), 3)))
        return stances

    def __call__(self, document: Document) -> Analysis:
        """Return the document's statements with party and date, and their claims."""
        return self.derive(document, attribution.extract_attributions(document.body))

    def _antecedent_party(self, text: str, sentence: Span, speaker: Span) -> parties.PartyResolution | None:
        """Return the party a "who" or "they" speaker stands for: the party named just before it.

        "Republicans in Congress, who said" reads the words right before the pronoun; "They said" the
        sentence before and its own sentence up to the pronoun. Persons are resolved by the extractor.
        """
        pronoun = speaker.text.strip().lower()
        if pronoun == "who":
            window = text[max(0, speaker.start - RELATIVE_REACH):speaker.start]
        elif pronoun == "they":
            window = previous_sentence(text, sentence)[-CONTEXT_CHARS:] + " " + text[sentence.start:speaker.start]
        else:
            return None
        return parties.antecedent_party(self.actors, window)

    def derive(self, document: Document, attributions: list[attribution.Attribution]) -> Analysis:
        """Return statements and claims from a document's attributions (relinking skips extraction)."""
        statements, found_by_statement, requests = self._statements(document, attributions)
        claims: list[Claim] = []
        for statement, found, links in zip(statements, found_by_statement, self.linker.link_many(requests)):
            for link in links:
                claims.append(
                    Claim(
                        id=claim_id(statement.id, link.assertion_id),
                        statement_id=statement.id,
                        document_id=document.id,
                        assertion_id=link.assertion_id,
                        stance=link.stance,
                        confidence=link.confidence,
                        relatedness=link.relatedness,
                        below_threshold=link.below_threshold,
                        party_id=statement.party_id,
                        statement_date=statement.statement_date,
                        date_precision=statement.date_precision,
                        certainty=statement.certainty,
                        evidence_start=found.content.start,
                        evidence_end=found.content.end,
                        speaker=statement.speaker_name or (found.speaker.text if found.speaker else None),
                        quote_excerpt=found.content.text[:160],
                    )
                )
        return Analysis(statements=statements, claims=claims)

    def _statements(self, document: Document, attributions: list[attribution.Attribution]
                    ) -> tuple[list[Statement], list[attribution.Attribution], list[LinkRequest]]:
        """Return each attribution's statement (party, date) and what the linker reads of it."""
        statements: list[Statement] = []
        last_date: dict[str, tuple] = {}
        requests: list[LinkRequest] = []
        found_by_statement: list[attribution.Attribution] = []
        party_of: dict[tuple, parties.PartyResolution] = {}
        for found in attributions:
            sentence = _near(document.body, sentence_around(document.body, found.cue.start, found.cue.end),
                             found.cue.start, found.cue.end)
            when = dates.resolve_statement_date(sentence.text, document.published, document.published_precision,
                                                cue=found.cue.text)
            speaker_key = found.speaker_name or (found.speaker.text if found.speaker else "")
            # "she added", "went on to": a statement without its own date cue continues the
            # same speaker's previous one, so it takes that statement's date.
            if when.precision == DatePrecision.PUBLISHED and speaker_key in last_date:
                value, precision = last_date[speaker_key]
            else:
                value, precision = when.value, when.precision
            if value is not None:
                last_date[speaker_key] = (value, precision)
            # An article quotes its speakers again and again: each speaker (name, words, role, date) is resolved once.
            speaker = (found.speaker_name, found.speaker.text if found.speaker else None, found.speaker_role,
                       value or document.published)
            party = party_of.get(speaker)
            if party is None:
                party = party_of[speaker] = parties.resolve_party(
                    self.actors, speaker_name=speaker[0], speaker_text=speaker[1], role=speaker[2], on=speaker[3])
            if party.party_id == parties.UNKNOWN_PARTY_ID and found.speaker is not None:
                party = self._antecedent_party(document.body, sentence, found.speaker) or party
            statement = Statement(
                id=statement_id(document.id, found),
                document_id=document.id,
                speaker=found.speaker,
                speaker_name=found.speaker_name,
                speaker_role=found.speaker_role,
                party_id=party.party_id,
                cue=found.cue,
                content=found.content,
                direct=found.direct,
                certainty=found.certainty,
                statement_date=value,
                date_precision=precision if value else DatePrecision.UNKNOWN,
            )
            statements.append(statement)
            context = previous_sentence(document.body, sentence)[-CONTEXT_CHARS:]
            # What follows the content in its sentence may finish a clipped content ("refused to supply
            # arms to Russia | since the invasion"); what precedes it is someone else's words.
            rest = document.body[max(found.content.end, found.cue.end, found.speaker.end if found.speaker else 0):
                                 sentence.end]
            before = _blank(document.body, sentence.start, min(found.content.start, found.cue.start), found.speaker)
            # The linker reads a content's first CONTEXT_CHARS: a quotation of a whole speech has said what
            # it is about by then, and nested quotations of a hostile text would be read once per level.
            # (`rest` and `before` lie inside the sentence, already clipped to CONTEXT_CHARS around the cue.)
            # The judge reads the statement whole (a quotation of several sentences before its "said"
            # included) and, when it is bare, the sentence before its first one.
            first = min(found.content.start, found.cue.start, found.speaker.start if found.speaker else found.cue.start)
            # Two characters in: a sentence end is only seen with its look-ahead (an opening quote and a capital).
            inside = min(first + 2, max(found.content.end, found.cue.end) - 1)
            opening = sentence if first >= sentence.start else _near(
                document.body, sentence_around(document.body, inside, inside + 1), first, first + 1)
            whole = document.body[opening.start:max(sentence.end, found.content.end)][:CONTEXT_CHARS]
            requests.append(LinkRequest(
                content=found.content.text[:CONTEXT_CHARS], cue=found.cue.text, rest=rest, before=before,
                previous=context, sentence=whole, title=document.title or "",
                preceding=context if opening is sentence else previous_sentence(document.body, opening)[-CONTEXT_CHARS:],
                speaker_party=None if party.party_id == parties.UNKNOWN_PARTY_ID else party.party_id,
                speaker_pronouns=SPEAKER_PRONOUNS.get(party.via, frozenset())))
            found_by_statement.append(found)
        return statements, found_by_statement, requests

    def readings(self, document: Document, attributions: list[attribution.Attribution]) -> dict[str, str]:
        """Return {statement id: what the linker reads of it} (the text a reviewed example is kept as)."""
        reader = ContextLinker(self.catalog, self.actors, None)  # reading needs words only, never a model
        statements, _, requests = self._statements(document, attributions)
        return {statement.id: reader.reading(request) for statement, request in zip(statements, requests)}

    def with_examples(self, examples: dict[str, list[AssertionExample]]) -> Analyzer:
        """Return an analyzer whose catalog carries these reviewed examples ({assertion id: examples})."""
        catalog = Catalog(assertions=[a.model_copy(update={"examples": examples.get(a.id, a.examples)})
                                      for a in self.catalog.assertions])
        return Analyzer(self.actors, catalog, stance_model=self._stance_model, semantic=self._semantic)



def analyzer(actors_path: Path | None = None, catalog_path: Path | None = None) -> Analyzer:
    """Return an Analyzer with the actors file and the catalog loaded (defaults: data/*.yaml)."""
    return Analyzer(parties.load_actors(actors_path or DEFAULT_ACTORS_PATH),
                    load_catalog(catalog_path or DEFAULT_CATALOG_PATH))
