"""A raw article -> the Document to store: cleaned text, metadata and its id, with its dedupe fingerprint.

This is the part of a document's way that depends on its text alone, so the worker process runs it
(pipeline.ingest.worker); what depends on the database (copies, updates) stays with the run.
"""

from __future__ import annotations

from pipeline.ingest import clean, dedupe, metadata
from pipeline.ingest.load import RawArticle, Rejection
from pipeline.models import Document


def document_id(raw_sha256: str) -> str:
    """Return a document id: the first 16 hex digits of its raw input's SHA-256."""
    return raw_sha256[:16]


def build_document(raw: RawArticle) -> Document | Rejection:
    """Return the cleaned document with metadata for a raw article, or a rejection when it has no text."""
    cleaned = clean.clean(raw.text, raw.kind.value)
    if not cleaned.body.strip():
        what = "HTML page has no article text" if raw.kind.value == "html" else "no article text after cleaning"
        return raw.rejected(what)
    meta = metadata.extract_metadata(cleaned, raw.hints or None)
    return Document(
        id=document_id(raw.raw_sha256),
        source=raw.source,
        source_kind=raw.kind,
        url=meta.url,
        title=meta.title,
        outlet=meta.outlet,
        original_outlet=meta.original_outlet,
        original_url=meta.original_url,
        authors=meta.authors,
        published=meta.published,
        published_precision=meta.published_precision,
        body=cleaned.body,
        captions=cleaned.captions,
        raw_sha256=raw.raw_sha256,
    )


def build_with_fingerprint(raw: RawArticle) -> tuple[Document, dedupe.Fingerprint] | Rejection:
    """Return the document and its dedupe fingerprint, or the rejection when the input holds no article."""
    built = build_document(raw)
    if isinstance(built, Rejection):
        return built
    return built, dedupe.fingerprint(built.body)
