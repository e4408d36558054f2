"""Document -> statements: attribution, then the speaker's party, then the statement's date.

The three stages are separate modules; this one joins their outputs into `Statement` rows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from pipeline import attribution, dates, parties
from pipeline.config import DEFAULT_ACTORS_PATH
from pipeline.models import DatePrecision, Document, Span, Statement

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")


def sentence_around(text: str, start: int, end: int) -> Span:
    """Return the sentence (or paragraph-bounded span) that contains text[start:end]."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    match = _SENTENCE_END.search(text, end)
    right = match.start() if match else len(text)
    right = max(right, end)
    return Span(text=text[left:right], start=left, end=right)


def statement_id(document_id: str, found: attribution.Attribution) -> str:
    """Return a stable id from the document and the attribution's offsets."""
    key = f"{document_id}|{found.cue.start}|{found.content.start}|{found.content.end}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def extract_statements(document: Document, actors: parties.Actors) -> list[Statement]:
    """Return every attributed statement in a document body, with party and statement date."""
    statements = []
    for found in attribution.extract_attributions(document.body):
        context = sentence_around(document.body, found.cue.start, found.cue.end)
        when = dates.resolve_statement_date(context.text, document.published, document.published_precision)
        on = when.value or document.published
        party = parties.resolve_party(
            actors,
            speaker_name=found.speaker_name,
            speaker_text=found.speaker.text if found.speaker else None,
            role=found.speaker_role,
            on=on,
        )
        statements.append(
            Statement(
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
                statement_date=when.value,
                date_precision=when.precision if when.value else DatePrecision.UNKNOWN,
            )
        )
    return statements


def statement_extractor(actors_path: Path | None = None) -> Callable[[Document], list[Statement]]:
    """Return a function Document -> statements with the actors file loaded once."""
    actors = parties.load_actors(actors_path or DEFAULT_ACTORS_PATH)
    return lambda document: extract_statements(document, actors)
