"""The linker learns from reviews: reviewed links are labelled examples that similar statements follow."""

from __future__ import annotations

from pipeline.config import REPO_ROOT
from pipeline.extract import attribution
from pipeline.ingest import clean
from pipeline.models import AssertionExample, Document, SourceKind, Stance

DRONES = "iran-drones-for-ukraine-war"
AMIR = "Iran had given a small batch of drones to Russia"


def _amir_article(analyze):
    path = next(p for p in sorted((REPO_ROOT / "data" / "seeds").iterdir()) if AMIR in p.read_text(encoding="utf-8"))
    body = clean.clean(path.read_text(encoding="utf-8"), "text").body
    document = Document(id="amir", source=path.name, source_kind=SourceKind.TEXT, body=body, raw_sha256="0" * 64)
    return document, attribution.extract_attributions(document.body)


def _links(analysis) -> dict[tuple[str, str], str]:
    quotes = {s.id: s.content.text for s in analysis.statements}
    return {(quotes[c.statement_id][:48], c.assertion_id): c.stance.value
            for c in analysis.claims if not c.below_threshold}


def test_a_statement_follows_the_verdict_on_an_example_that_reads_the_same(analyze):
    document, found = _amir_article(analyze)
    plain = _links(analyze.derive(document, found))
    assert plain[(AMIR[:48], DRONES)] == "denies"
    amir = next(s for s in analyze.derive(document, found).statements if s.content.text.startswith(AMIR))
    reading = analyze.readings(document, found)[amir.id]
    assert AMIR in reading

    corrected = _links(analyze.with_examples({DRONES: [AssertionExample(text=reading, stance=Stance.ASSERTS)]})
                       .derive(document, found))
    assert corrected[(AMIR[:48], DRONES)] == "asserts"
    rejected = _links(analyze.with_examples({DRONES: [AssertionExample(text=reading)]}).derive(document, found))
    assert (AMIR[:48], DRONES) not in rejected
    # Statements that read otherwise keep what the linker made of them.
    others = {key: stance for key, stance in plain.items() if key != (AMIR[:48], DRONES)}
    assert {key: rejected[key] for key in others} == others
    assert {key: corrected[key] for key in others} == others


def test_examples_never_change_the_catalog_version_so_an_ingest_does_not_relink_an_archive(analyze):
    from pipeline.ingest.runner import analysis_version

    learned = analyze.with_examples({DRONES: [AssertionExample(text="anything at all", stance=None)]})
    assert analysis_version(learned) == analysis_version(analyze)
    assert learned.catalog.by_id()[DRONES].examples[0].text == "anything at all"
