"""The real pipeline on the five seeds against tests/golden/seed_statements.json (precision and recall).

Matching follows tests/golden/README.md: a predicted statement satisfies a golden entry when its
content contains the entry's `quote_contains` and its speaker resolves to the entry's speaker (or,
for an unnamed speaker, its party is the entry's party). One prediction may satisfy several entries.
Recall = `with` entries satisfied / `with` entries; precision = predictions that satisfy a `with`
entry / predictions that satisfy a `with` entry or nothing, or hold a `without` substring (those
satisfying only `optional` entries count neither way). Run with -s for a per-file table.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from pipeline.ingest import clean, metadata
from pipeline.models import DatePrecision, Document, SourceKind, Statement

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "data" / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "seed_statements.json"


def _norm(text: str | None) -> str:
    text = (text or "").replace("’", "'").lower()
    text = re.sub(r"^(the|a|an)\s+", "", text.strip())
    return re.sub(r"['’]s$", "", text)


def _looks_named(speaker: str) -> bool:
    """Return True for a person's name ("Dana Stroul"), False for descriptions ("Western officials")."""
    words = speaker.split()
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


def speaker_matches(statement: Statement, entry: dict) -> bool:
    """Return True when the statement's speaker resolves to the entry's speaker (or party, when unnamed)."""
    wanted = {_norm(entry["speaker"]), _norm(entry.get("speaker_text"))} - {""}
    said = {_norm(statement.speaker_name), _norm(statement.speaker.text if statement.speaker else None)} - {""}
    if wanted & said:
        return True
    if entry.get("party") is None:
        return True
    return not _looks_named(entry["speaker"]) and statement.party_id == entry["party"]


def satisfies(statement: Statement, entry: dict) -> bool:
    """Return True when the statement's content holds the entry's quote and its speaker matches."""
    return entry["quote_contains"] in statement.content.text and speaker_matches(statement, entry)


@dataclass
class SeedResult:
    file: str
    statements: list[Statement]
    hits: list[tuple[Statement, list[dict]]] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    false_positives: list[Statement] = field(default_factory=list)
    optional_only: list[Statement] = field(default_factory=list)


def _document(path: Path, published: str | None) -> Document:
    raw = path.read_text(encoding="utf-8")
    cleaned = clean.clean(raw, "text")
    meta = metadata.extract_metadata(cleaned)
    sha = hashlib.sha256(raw.encode()).hexdigest()
    when, precision = meta.published, meta.published_precision
    if when is None and published:
        # 001 is the clean-text copy of 000: ingest dates a copy from its original (tests/ingest/test_runner.py).
        when, precision = date.fromisoformat(published), DatePrecision.DAY
    return Document(id=sha[:16], source=path.name, source_kind=SourceKind.TEXT, title=meta.title,
                    published=when, published_precision=precision,
                    body=cleaned.body, captions=cleaned.captions, raw_sha256=sha)


def score_seed(golden: dict, statements: list[Statement]) -> SeedResult:
    """Return the hits, misses and false positives of one seed's statements against its golden entry."""
    result = SeedResult(golden["file"], statements)
    satisfied: set[int] = set()
    for s in statements:
        if any(w["quote_contains"] in s.content.text for w in golden["without"]):
            result.false_positives.append(s)
            continue
        matched = [i for i, e in enumerate(golden["with"]) if satisfies(s, e)]
        if matched:
            satisfied.update(matched)
            result.hits.append((s, [golden["with"][i] for i in matched]))
        elif any(entry["quote_contains"] in s.content.text for entry in golden["optional"]):
            result.optional_only.append(s)  # optional entries accept any speaker: neither hit nor miss
        else:
            result.false_positives.append(s)
    result.missed = [e for i, e in enumerate(golden["with"]) if i not in satisfied]
    return result


@pytest.fixture(scope="module")
def results() -> list[SeedResult]:
    from pipeline.link.analyzer import analyzer

    analyze = analyzer()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    out = []
    for entry in golden:
        document = _document(SEEDS / entry["file"], entry["published"])
        out.append(score_seed(entry, analyze(document).statements))
    _print_table(out)
    return out


def _print_table(results: list[SeedResult]) -> None:
    print()
    for r in results:
        print(f"== {r.file}: {len(r.statements)} statements, {len(r.hits)} hits, "
              f"{len(r.missed)} missed, {len(r.false_positives)} false positives, {len(r.optional_only)} optional")
        for e in r.missed:
            print(f"   MISS {e['speaker']!r} {e['cue']!r} {e['quote_contains']!r}")
        for s in r.false_positives:
            print(f"   FP   {s.speaker_name!r} [{s.party_id}] {s.cue.text!r} {s.content.text[:90]!r}")


def _totals(results: list[SeedResult]) -> tuple[float, float]:
    golden_count = sum(len(r.missed) for r in results) + sum(
        len({id(e) for _, es in r.hits for e in es}) for r in results)
    found = sum(len({id(e) for _, es in r.hits for e in es}) for r in results)
    scored = sum(len(r.hits) + len(r.false_positives) for r in results)
    hits = sum(len(r.hits) for r in results)
    return (hits / scored if scored else 0.0), (found / golden_count if golden_count else 0.0)


def test_seed_precision_and_recall_are_at_least_0_9(results):
    precision, recall = _totals(results)
    print(f"seed statements: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9, f"precision {precision:.3f}"
    assert recall >= 0.9, f"recall {recall:.3f}"


def _statement(results: list[SeedResult], prefix: str, quote: str) -> Statement:
    r = next(r for r in results if r.file.startswith(prefix))
    for s in r.statements:
        if quote in s.content.text:
            return s
    raise AssertionError(f"{prefix}: no statement containing {quote!r}")


def test_001_stroul_quote_speaker_party_and_date(results):
    s = _statement(results, "001", "We now need to rally a coalition")
    assert s.speaker_name == "Dana Stroul"
    assert s.party_id == "united-states"
    assert s.direct is True
    assert s.statement_date == date(2023, 2, 28)


def test_001_foreign_minister_denial_is_irans_and_dated_november(results):
    s = _statement(results, "001", "small batch of drones")
    assert s.speaker_name == "Hossein Amir-Abdollahian"
    assert s.party_id == "iran"
    assert s.statement_date == date(2022, 11, 1)
    assert s.date_precision.value == "month"


def test_002_undated_aggregator_copy_has_unknown_dates(results):
    s = _statement(results, "002", "What Iran is doing is really unthinkable")
    assert s.speaker_name == "Lloyd Austin"
    assert s.party_id == "united-states"
    assert s.statement_date is None


def test_004_kanani_speaks_for_iran(results):
    s = _statement(results, "004", "is not against any third country")
    assert s.speaker_name == "Nasser Kanani"
    assert s.party_id == "iran"


def test_000_ticker_lines_are_not_statements(results):
    r = next(r for r in results if r.file.startswith("000"))
    assert not any("We want to feed the people in Gaza" in s.content.text for s in r.statements)
