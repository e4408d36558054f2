"""Speakers that are pronouns or possessives read through what they refer to, with a researcher's own parties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.extract.parties import load_actors, resolve_party
from pipeline.link.analyzer import Analyzer
from pipeline.link.catalog import Catalog
from pipeline.models import Document, SourceKind

ACTORS = """\
parties:
  - id: kremlin
    name: The Kremlin
    aliases: [Kremlin]
  - id: republican-party
    name: Republican Party
    aliases: [Republicans, Republican Party, GOP]
  - id: trump-campaign
    name: Trump campaign
    aliases: [Trump campaign, Trump]
people:
  - name: Dmitry Peskov
    roles: [{title: Kremlin spokesman, party: kremlin}]
"""


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory) -> Analyzer:
    path = tmp_path_factory.mktemp("actors") / "actors.yaml"
    path.write_text(ACTORS, encoding="utf-8")
    return Analyzer(load_actors(path), Catalog(), semantic=False)


def speakers(analyzer: Analyzer, body: str) -> list[tuple[str | None, str, str]]:
    document = Document(id="d", source="d.txt", source_kind=SourceKind.TEXT, body=body, raw_sha256="0" * 64,
                        published=dt.date(2016, 10, 7), published_precision="day")
    return [(s.speaker_name, s.party_id, s.content.text) for s in analyzer(document).statements]


def test_a_relative_who_is_the_person_named_just_before_it(analyzer):
    found = speakers(analyzer, "Kremlin spokesman Dmitry Peskov, who said the report was nonsense, left early.")
    assert found[0][:2] == ("Dmitry Peskov", "kremlin")


def test_a_relative_who_after_an_unnamed_person_stays_unknown(analyzer):
    # The voter is nobody in the actors file; the last famous name before her is not who spoke.
    found = speakers(analyzer, "Dmitry Peskov spoke on Friday. A voter in Ohio, who said she had voted for Obama "
                               "twice, backed the challenger.")
    assert [(name, party) for name, party, content in found if "voted for Obama" in content] == [("who", "unknown")]


def test_a_plural_they_takes_the_party_named_in_the_sentence_before(analyzer):
    found = speakers(analyzer, "Republicans in Congress met on Tuesday. They said the Senate should not act on "
                               "the nominee.")
    assert [(party, content) for _, party, content in found] == [
        ("republican-party", "the Senate should not act on the nominee")]


def test_they_with_no_party_before_it_stays_unknown(analyzer):
    found = speakers(analyzer, "The weather was mild on Tuesday. They said the Senate should not act on the nominee.")
    assert [party for _, party, _ in found] == ["unknown"]


def test_a_persons_party_is_not_the_side_the_persons_name_stands_for(tmp_path: Path):
    path = tmp_path / "actors.yaml"
    path.write_text(ACTORS, encoding="utf-8")
    actors = load_actors(path)
    # "Trump" is an alias of his campaign; "Mr. Trump's party" is the Republican Party, which this
    # phrase does not name: the speaker's side stays unknown rather than wrong.
    assert resolve_party(actors, None, "Mr. Trump's party", None, None).party_id == "unknown"
    assert resolve_party(actors, None, "the Trump campaign", None, None).party_id == "trump-campaign"
    assert resolve_party(actors, None, "Republicans in Mr. Trump's party", None, None).party_id == "republican-party"
