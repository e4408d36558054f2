"""The linker learns from reviews: reviewed links are labelled examples that similar statements follow."""

from __future__ import annotations

from pipeline.config import REPO_ROOT
from pipeline.extract import attribution
from pipeline.ingest import clean
from pipeline.link.contextual import PARTY_SIDE_EXAMPLES
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


def _party_links(analysis) -> dict[str, tuple[str, str, str]]:
    """Return {claim id: (assertion, party, stance)} of the links above the threshold."""
    return {c.id: (c.assertion_id, c.party_id, c.stance.value) for c in analysis.claims if not c.below_threshold}


def test_a_partys_reviewed_side_decides_its_statements_whose_words_take_none(analyze):
    document, found = _amir_article(analyze)
    plain = _party_links(analyze.derive(document, found))
    # The Kremlin's statements asserting the drones claim: nothing in their words denies.
    asserted = {cid for cid, (assertion, party, stance) in plain.items()
                if (assertion, stance) == (DRONES, "asserts") and party != "unknown"}
    assert asserted, plain
    party = plain[next(iter(asserted))][1]
    # Reviews of other statements (read nothing like these): the party denied the claim as often as it takes.
    reviewed = [AssertionExample(text=f"Reviewed statement number {n} about harvest festivals.", stance=Stance.DENIES,
                                 party_id=party) for n in range(PARTY_SIDE_EXAMPLES)]
    learned = _party_links(analyze.with_examples({DRONES: reviewed}).derive(document, found))
    for cid, (assertion, link_party, stance) in plain.items():
        if (assertion, link_party) == (DRONES, party):
            assert learned[cid][2] == "denies"
        else:
            assert learned[cid] == (assertion, link_party, stance)
    # One review fewer, or a party the reviewers saw on both sides, teaches nothing.
    assert _party_links(analyze.with_examples({DRONES: reviewed[:-1]}).derive(document, found)) == plain
    split = reviewed + [r.model_copy(update={"stance": Stance.ASSERTS}) for r in reviewed]
    assert _party_links(analyze.with_examples({DRONES: split}).derive(document, found)) == plain
