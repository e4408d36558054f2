"""Linking statements to catalog assertions with a stance, on the seeds and on hand-made cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import SEEDS

from pipeline.ingest import clean
from pipeline.link import linking
from pipeline.link.analyzer import Analyzer
from pipeline.link.catalog import Catalog, CatalogError, load_catalog
from pipeline.models import Assertion, Document, SourceKind, Stance

GOLDEN = Path(__file__).parents[1] / "golden"


def seed_document(name: str, published: str | None) -> Document:
    body = clean.clean((SEEDS / name).read_text(encoding="utf-8"), "text").body
    return Document(id=name[:3], source=name, source_kind=SourceKind.TEXT, body=body, raw_sha256="0" * 64,
                    published=dt.date.fromisoformat(published) if published else None,
                    published_precision="day" if published else "unknown")


def party_answers(analysis) -> dict[tuple[str, str, str], list[str]]:
    """Return {(assertion, party, stance): [quotes]} over the links above the threshold."""
    quotes = {s.id: s.content.text for s in analysis.statements}
    out: dict[tuple[str, str, str], list[str]] = {}
    for claim in analysis.claims:
        if not claim.below_threshold:
            out.setdefault((claim.assertion_id, claim.party_id, claim.stance.value), []).append(quotes[claim.statement_id])
    return out


@pytest.fixture(scope="module")
def seed_answers(analyze):
    published = {g["file"]: g.get("published") for g in json.loads((GOLDEN / "seed_statements.json").read_text())}
    return {name: party_answers(analyze(seed_document(name, published[name]))) for name in sorted(published)}


def test_parties_asserting_and_denying_match_the_golden_file(seed_answers):
    golden = json.loads((GOLDEN / "seed_claims.json").read_text())
    hits = false_positives = misses = 0
    report = []
    for entry in golden:
        required = {(c["assertion"], c["party"], c["stance"]) for c in entry["claims"] if not c.get("optional")}
        optional = {(c["assertion"], c["party"], c["stance"]) for c in entry["claims"] if c.get("optional")}
        predicted = set(seed_answers[entry["file"]])
        hits += len(predicted & required)
        false_positives += len(predicted - required - optional)
        misses += len(required - predicted)
        report += [f"{entry['file']} FP {k}" for k in sorted(predicted - required - optional)]
        report += [f"{entry['file']} FN {k}" for k in sorted(required - predicted)]
    precision = hits / (hits + false_positives)
    recall = hits / (hits + misses)
    print("\n".join(report + [f"seed claims: precision {precision:.3f}, recall {recall:.3f}"]))
    assert precision >= 0.9 and recall >= 0.9, (precision, recall, report)


@pytest.mark.parametrize(
    ("seed", "assertion", "party", "stance", "quote"),
    [
        ("001_d00519b2b57ac181.txt", "iran-drones-for-ukraine-war", "iran", "denies", "small batch of drones"),
        ("001_d00519b2b57ac181.txt", "iran-drones-for-ukraine-war", "united-states", "asserts", "suicide drones"),
        ("002_d15bbcbb6ade96e7.txt", "iran-drones-for-ukraine-war", "iran", "denies", "supply arms to Russia"),
        ("002_d15bbcbb6ade96e7.txt", "iran-missiles-to-russia", "west", "asserts", "ballistic missiles"),
        ("003_dc76e98f6d4ee6c7.txt", "iran-drones-for-ukraine-war", "iran", "denies", "predate"),
        ("003_dc76e98f6d4ee6c7.txt", "russia-uses-iranian-drones", "russia", "denies", "employing Iranian drones"),
        ("004_e3d5ecafbe7b84a0.txt", "iran-drones-for-ukraine-war", "iran", "denies", "only happened before"),
        ("004_e3d5ecafbe7b84a0.txt", "iran-russia-partnership-threat", "iran", "denies", "not against any third country"),
        ("004_e3d5ecafbe7b84a0.txt", "russia-military-aid-to-iran", "united-states", "asserts", "support the Iranians"),
    ],
)
def test_specific_claims_on_the_seeds(seed_answers, seed, assertion, party, stance, quote):
    quotes = seed_answers[seed].get((assertion, party, stance), [])
    assert any(quote in q for q in quotes), (seed_answers[seed].keys())


def test_an_assertion_added_to_a_catalog_is_linked_without_code_changes(tmp_path, analyze):
    catalog_file = tmp_path / "assertions.yaml"
    catalog_file.write_text(
        "assertions:\n"
        "  - id: us-stays-in-middle-east\n"
        "    claim: Washington remains committed to the Middle East in the long term.\n"
        "    counterclaim: The United States is pulling back from the Middle East.\n"
    )
    analyzer = Analyzer(analyze.actors, load_catalog(catalog_file))
    answers = party_answers(analyzer(seed_document("002_d15bbcbb6ade96e7.txt", None)))
    assert ("us-stays-in-middle-east", "united-states", "asserts") in answers
    assert all(key[0] == "us-stays-in-middle-east" for key in answers)


@pytest.fixture(scope="module")
def small_linker(analyze):
    catalog = Catalog(assertions=[
        Assertion(id="x-sells-arms", claim="Ruritania sells tanks to Freedonia for its war.",
                  counterclaim="Ruritania sent Freedonia only a few old tanks, before the war began."),
        Assertion(id="y-uses-tanks", claim="Freedonia uses Ruritanian tanks against Sylvania.",
                  counterclaim="Freedonia has not used Ruritanian tanks in the conflict."),
    ])
    from pipeline.extract.parties import Actors
    from pipeline.models import Party

    actors = Actors(parties=[
        Party(id="ruritania", name="Ruritania", demonyms=["Ruritanian"], metonyms=["Strelsau"]),
        Party(id="freedonia", name="Freedonia", demonyms=["Freedonian"]),
        Party(id="sylvania", name="Sylvania"),
    ])
    return linking.Linker(catalog, actors)


def stances(links):
    return {(link.assertion_id, link.stance) for link in links if not link.below_threshold}


def test_denying_cues_and_counterclaim_words_deny(small_linker):
    assert ("x-sells-arms", Stance.DENIES) in stances(
        small_linker.link("the allegations that Strelsau sold tanks to Freedonia for the war", "dismissed"))
    assert ("x-sells-arms", Stance.DENIES) in stances(
        small_linker.link("Ruritania had shipped a handful of tanks to Freedonia, but before the war", "said"))
    assert ("x-sells-arms", Stance.ASSERTS) in stances(
        small_linker.link("Ruritania has provided tanks to Freedonia to use in the war", "said"))


def test_a_word_the_counterclaim_negates_asserts_when_said_plainly():
    from pipeline.extract.parties import Actors
    from pipeline.models import Party

    catalog = Catalog(assertions=[Assertion(
        id="loans-compromise", claim="Ruritanian loans compromise the Freedonian minister.",
        counterclaim="Ruritanian loans have never influenced the Freedonian minister; he stands up to the lenders.")])
    linker = linking.Linker(catalog, Actors(parties=[
        Party(id="ruritania", name="Ruritania", demonyms=["Ruritanian"]),
        Party(id="freedonia", name="Freedonia", demonyms=["Freedonian"])]))
    # "influenced" is a word of the counterclaim only, which says it is not so.
    assert stances(linker.link("the Freedonian minister was influenced by Ruritanian loans", "said")) == {
        ("loans-compromise", Stance.ASSERTS)}
    assert stances(linker.link("the Ruritanian loans never influenced the Freedonian minister", "said")) == {
        ("loans-compromise", Stance.DENIES)}
    assert stances(linker.link("voters need not worry that Ruritanian loans could influence the Freedonian minister",
                               "said")) == {("loans-compromise", Stance.DENIES)}


@pytest.mark.parametrize("content", ["Freedonia won't consider using Ruritanian tanks against Sylvania",
                                     "Freedonia cannot use Ruritanian tanks against Sylvania"])
def test_a_contracted_or_fused_negation_denies(small_linker, content):
    assert stances(small_linker.link(content, "said")) == {("y-uses-tanks", Stance.DENIES)}


def test_a_negated_predicate_denies_and_not_only_does_not(small_linker):
    assert ("y-uses-tanks", Stance.DENIES) in stances(
        small_linker.link("Freedonia has never used Ruritanian tanks against Sylvania", "said"))
    assert ("y-uses-tanks", Stance.ASSERTS) in stances(
        small_linker.link("Freedonia uses Ruritanian tanks not only against Sylvania but everywhere", "said"))


def test_an_opening_pronoun_for_the_speaker_borrows_nothing_from_before(small_linker):
    # "Sylvania reaffirmed it would never sell tanks": "it" is Sylvania, not the Ruritania and
    # Freedonia named earlier in the sentence.
    before = "Ruritania and Freedonia grew closer over tanks, although Sylvania reaffirmed"
    content = "it would never sell tanks to anyone for the war"
    assert stances(small_linker.link(content, "reaffirmed", before=before, speaker_party="sylvania",
                                     speaker_pronouns=frozenset({"it"}))) == set()
    # The same words after a person: "it" cannot be the speaker, so it refers back to the sentence.
    assert "x-sells-arms" in {a for a, _ in stances(small_linker.link(
        content, "said", before=before, speaker_party="sylvania", speaker_pronouns=frozenset({"he", "she"})))}


def test_unrelated_statements_do_not_link_and_weak_links_are_kept_but_marked(small_linker):
    assert small_linker.link("The weather in Strelsau was mild all week", "said") == []
    weak = small_linker.link("Freedonia tanks", "said", speaker_party="ruritania")
    assert all(link.below_threshold == (link.relatedness < small_linker.threshold) for link in weak)


def test_catalog_errors_name_file_line_entry_and_field(tmp_path):
    bad = tmp_path / "assertions.yaml"
    bad.write_text("assertions:\n  - id: ok-one\n    claim: Fine.\n  - id: Bad Id\n    claim: Something.\n")
    with pytest.raises(CatalogError, match=r"assertions.yaml:4: assertions\[1\]\.id: String should match pattern"):
        load_catalog(bad)
    bad.write_text("assertions:\n  - id: a\n    claim: One.\n  - id: a\n    claim: Two.\n")
    with pytest.raises(CatalogError, match=r":4: assertions\[1\]\.id: duplicate assertion id 'a'"):
        load_catalog(bad)
    bad.write_text("assertions:\n  - id: a\n    clam: One.\n")
    with pytest.raises(CatalogError, match=r":2: assertions\[0\]\.claim: Field required"):
        load_catalog(bad)
    bad.write_text("assertions: [\n")
    with pytest.raises(CatalogError, match=r"YAML syntax error"):
        load_catalog(bad)


def test_the_c_stemmer_stems_as_snowball_itself_does():
    """snowballstemmer hands stemming to PyStemmer when it is installed: the terms must not change with it."""
    from snowballstemmer.english_stemmer import EnglishStemmer

    from pipeline.link import linking

    words = ("supplied supplies supplying denied denies allegations alleged drones Iran's generously "
             "organisational relational hopeful skies dying news sensational conditional").split()
    reference = EnglishStemmer()
    assert [linking._raw_stem(w.lower()) for w in words] == [reference.stemWord(w.lower()) for w in words]
    assert linking._raw_stem("supplied") == "suppli"
