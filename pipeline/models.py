"""Pydantic models: the contract between pipeline stages, the store and the exports."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for every model: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Stance(str, Enum):
    """A statement's stance toward a catalog assertion."""

    ASSERTS = "asserts"
    DENIES = "denies"


class DocumentStanceLabel(str, Enum):
    """A document's overall stance toward an assertion (the outlet's view)."""

    ASSERTS = "asserts"
    DENIES = "denies"
    REPORTS = "reports"
    UNRELATED = "unrelated"


class DatePrecision(str, Enum):
    """How precisely a date is known. PUBLISHED: a statement dated by its article."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    PUBLISHED = "published"
    UNKNOWN = "unknown"


class SourceKind(str, Enum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    BATCH_ROW = "batch-row"


SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Party(Strict):
    """Who a speaker speaks for: a state, government, organisation or collective."""

    id: str = Field(pattern=SLUG)
    name: str
    kind: str = "state"
    aliases: list[str] = []
    demonyms: list[str] = []
    metonyms: list[str] = []


class Role(Strict):
    """A role a speaker held for a party, between two dates (open ends are None)."""

    title: str
    party: str = Field(pattern=SLUG)
    start: date | None = None
    end: date | None = None


class Speaker(Strict):
    """A person or body that makes statements, with roles over dates."""

    name: str
    aliases: list[str] = []
    roles: list[Role] = []


class AssertionExample(Strict):
    """A statement a reviewer judged for an assertion: its reading (the statement in its context) and the verdict.

    stance None: the reviewer rejected the link (not a claim, or about another assertion).
    """

    text: str = Field(min_length=1)
    stance: Stance | None = None
    party_id: str | None = None  # the party the statement speaks for, as reviewed (None: unknown)


class Assertion(Strict):
    """A disputed proposition from the catalog."""

    id: str = Field(pattern=SLUG)
    claim: str = Field(min_length=1)
    counterclaim: str | None = None
    notes: str | None = None
    hints: list[str] = []
    # Labelled examples: from reviews (runner.with_review_examples), or written in the catalog by hand.
    examples: list[AssertionExample] = []


class Span(Strict):
    """A piece of a text with its character offsets (Python slice semantics)."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Attribution(Strict):
    """One attributed statement found in a text; offsets index the text exactly."""

    speaker: Span | None
    speaker_name: str | None
    speaker_role: str | None
    cue: Span
    content: Span
    direct: bool
    certainty: str


class Document(Strict):
    """A stored article: cleaned body, captions apart, metadata, duplicate link."""

    id: str
    source: str
    source_kind: SourceKind
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    original_outlet: str | None = None
    original_url: str | None = None
    authors: list[str] = []
    published: date | None = None
    published_precision: DatePrecision = DatePrecision.UNKNOWN
    body: str
    captions: list[str] = []
    raw_sha256: str
    duplicate_of: str | None = None


class Statement(Strict):
    """One attribution in a document body: who said what, how, and when."""

    id: str
    document_id: str
    speaker: Span | None
    speaker_name: str | None = None
    speaker_role: str | None = None
    party_id: str = "unknown"
    cue: Span
    content: Span
    direct: bool
    certainty: str = "asserted"
    statement_date: date | None = None
    date_precision: DatePrecision = DatePrecision.UNKNOWN


class Claim(Strict):
    """A statement linked to an assertion with a stance: the row charts and exports count.

    Party, date and certainty are the statement's, copied so charts read one table.
    """

    id: str
    statement_id: str
    document_id: str
    assertion_id: str
    stance: Stance
    confidence: float = Field(ge=0.0, le=1.0)
    relatedness: float = Field(ge=0.0, le=1.0)
    below_threshold: bool = False
    party_id: str
    statement_date: date | None = None
    date_precision: DatePrecision = DatePrecision.UNKNOWN
    certainty: str = "asserted"
    evidence_start: int = Field(ge=0)
    evidence_end: int = Field(ge=0)
    speaker: str | None = None
    quote_excerpt: str = ""


class DocumentStance(Strict):
    """A document's overall stance toward one assertion (the outlet's view), with a confidence.

    Pairs without a row are unrelated.
    """

    document_id: str
    assertion_id: str
    stance: DocumentStanceLabel
    confidence: float = Field(ge=0.0, le=1.0)


class QuarantineRecord(Strict):
    """An input that could not be used, with the reason and where its raw bytes are kept."""

    id: str
    source: str
    line: int | None = None
    reason: str
    raw_sha256: str
    raw_size: int
    raw_copy: str | None = None
    quarantined_at: datetime


class ClaimExportRow(Strict):
    """One row of `python -m pipeline export` and of the dashboard's CSV downloads."""

    claim_id: str = Field(description="stable id of the (statement, assertion) link")
    assertion_id: str = Field(description="catalog id of the disputed assertion")
    assertion: str | None = Field(description="the assertion's one-line claim")
    stance: Stance = Field(description="asserts or denies")
    party_id: str = Field(description="party id from the actors file, or 'unknown'")
    party: str = Field(description="party name")
    speaker: str | None = Field(description="the speaker's name as resolved (a pronoun resolves to the name)")
    speaker_role: str | None = Field(description="role phrase given with the speaker")
    cue: str = Field(description="the cue word(s): said, denied, according to, ...")
    quote: str = Field(description="the statement's content")
    statement_date: date | None = Field(description="when the statement was made, if known")
    date_precision: DatePrecision = Field(description="day, month, year, published (the article's date) or unknown")
    published_date: date | None = Field(description="the article's publication date")
    outlet: str | None = Field(description="where the article was found")
    document: str = Field(description="the ingested file's path relative to the ingest root, or its url")
    url: str | None = Field(description="the article's url, if known")
    original_url: str | None = Field(description="the original article's url for aggregated copies")
    title: str | None = Field(description="the article's title")
    evidence_start: int = Field(description="character offset of the quote in the stored body")
    evidence_end: int = Field(description="end offset (exclusive) of the quote in the stored body")
    certainty: str = Field(description="asserted, or hedged (reportedly, allegedly, claimed ...)")
    confidence: float = Field(description="confidence of the link and stance, 0..1 (1.0 for a link a reviewer added)")
    review: str = Field(description="unreviewed, confirmed, corrected (stance or party changed) or added by a reviewer")
    reviewer: str | None = Field(description="who reviewed the link, if anyone")
