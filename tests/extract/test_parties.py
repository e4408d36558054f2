"""Speaker -> party: the actors file, its error messages, and resolution rules."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from pipeline.extract.parties import ActorsFileError, load_actors, resolve_party

ROOT = Path(__file__).resolve().parents[2]
ACTORS_FILE = ROOT / "data" / "actors.yaml"
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="module")
def actors():
    return load_actors(ACTORS_FILE)


def _party(actors, name=None, text=None, role=None, on=None) -> str:
    return resolve_party(actors, name, text, role, on).party_id


# --------------------------------------------------------------------------- the shipped file


def test_required_parties_exist(actors):
    ids = {p.id for p in actors.parties}
    assert {"united-states", "iran", "russia", "united-kingdom", "ukraine", "west"} <= ids


@pytest.mark.parametrize("text, expected", [
    ("Tehran", "iran"), ("Moscow", "russia"), ("the Kremlin", "russia"), ("Washington", "united-states"),
    ("the White House", "united-states"), ("the Pentagon", "united-states"), ("Kiev", "ukraine"),
    ("Kyiv", "ukraine"), ("London", "united-kingdom"), ("Downing Street", "united-kingdom"),
    ("Iran", "iran"), ("Western officials", "west"), ("the West", "west"),
    ("Ukraine and its western allies", "west"), ("Ukraine’s western allies", "west"),
    ("multiple media sources", "media"), ("US officials", "united-states"), ("Beijing", "china"),
])
def test_speaker_text_resolves_by_metonym_name_or_demonym(actors, text, expected):
    assert _party(actors, text=text) == expected


@pytest.mark.parametrize("role, expected", [
    ("Iranian Foreign Ministry spokesman", "iran"),
    ("Russian Deputy Foreign Minister", "russia"),
    ("UK Foreign Secretary", "united-kingdom"),
    ("a White House official", "united-states"),
    ("CIA Director", "united-states"),
    ("US Secretary of Defense", "united-states"),
    ("US ambassador to Russia", "united-states"),   # "to Russia" names the counterpart
])
def test_unknown_person_resolves_from_role_phrase(actors, role, expected):
    stranger = "Somebody Notinthefile"
    resolution = resolve_party(actors, stranger, f"{role} {stranger}", role, date(2023, 2, 28))
    assert (resolution.party_id, resolution.via) == (expected, "role")


@pytest.mark.parametrize("role, on, expected", [
    # Undated: the role phrase given with the name picks among the person's roles.
    ("Deputy Assistant Secretary of Defense", None, "united-states"),
    ("research director at the Washington Institute", None, "analysts"),
    (None, None, "analysts"),  # nothing said: the most recent role
    # Dated: the role held on the date, whatever the phrase says.
    ("research director at the Washington Institute", date(2023, 2, 28), "united-states"),
])
def test_a_person_with_roles_for_two_parties(actors, role, on, expected):
    text = f"{role} Dana Stroul" if role else "Dana Stroul"
    resolution = resolve_party(actors, "Dana Stroul", text, role, on)
    assert (resolution.party_id, resolution.via) == (expected, "person")


def test_known_person_wins_over_role_and_text(actors):
    resolution = resolve_party(actors, "Nasser Kanani", "Iranian Foreign Ministry spokesman Nasser Kanani",
                               "Iranian Foreign Ministry spokesman", date(2022, 12, 18))
    assert (resolution.party_id, resolution.party_name, resolution.via) == ("iran", "Iran", "person")


def test_person_found_inside_speaker_text_and_by_alias_or_surname(actors):
    assert resolve_party(actors, None, "UK Foreign Secretary James Cleverly", None, None).via == "person"
    assert resolve_party(actors, "Iranian Foreign Minister Hossein Amir-Abdollahian", None, None,
                         date(2022, 11, 1)).via == "person"
    assert _party(actors, name="Bill Burns", on=date(2022, 12, 1)) == "united-states"
    assert _party(actors, name="Stroul", on=date(2023, 2, 28)) == "united-states"
    assert _party(actors, name="Nasser Kanaani", on=date(2023, 1, 1)) == "iran"


def test_party_follows_the_role_valid_on_the_statement_date(actors):
    # William Burns ran a think tank before becoming CIA Director on 2021-03-19.
    assert _party(actors, name="William Burns", on=date(2019, 6, 1)) == "analysts"
    assert _party(actors, name="William Burns", on=date(2021, 3, 19)) == "united-states"
    # Aaron David Miller left the State Department in 2003.
    assert _party(actors, name="Aaron David Miller", on=date(1999, 1, 1)) == "united-states"
    assert _party(actors, name="Aaron David Miller", on=date(2023, 2, 20)) == "analysts"


def test_person_outside_every_role_prefers_role_phrase_then_nearest_role(actors):
    # Before any of Stroul's dated roles: nothing else known -> the nearest role.
    assert resolve_party(actors, "Dana Stroul", None, None, date(2010, 1, 1)).party_id == "united-states"
    # A role phrase in the text is more telling than a role held years later.
    assert _party(actors, name="Dana Stroul", role="Israeli Defence Ministry adviser", on=date(2010, 1, 1)) == "israel"


def test_collective_wins_over_a_state_in_the_same_phrase(actors):
    assert _party(actors, role="Israeli analyst") == "analysts"
    assert _party(actors, text="Iranian state media") == "media"


def test_unresolvable_speaker_is_unknown(actors):
    resolution = resolve_party(actors, None, "officials told us", None, None)
    assert (resolution.party_id, resolution.via) == ("unknown", "unknown")
    # "us" is a pronoun, not the United States: acronyms match case-sensitively.
    assert _party(actors, text="a source close to us") == "unknown"


def test_resolution_is_fast_enough_for_large_batches(actors):
    import time
    started = time.perf_counter()
    for _ in range(2000):
        resolve_party(actors, "Sergei Ryabkov", "Russian Deputy Foreign Minister Sergei Ryabkov",
                      "Russian Deputy Foreign Minister", date(2023, 1, 1))
        resolve_party(actors, None, "Ukraine and its western allies", None, None)
    assert time.perf_counter() - started < 2.0


# --------------------------------------------------------------------------- golden files


def _golden(name: str):
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def _as_date(value: str | None) -> date | None:
    if value is None:
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def test_golden_party_ids_exist_in_actors_file(actors):
    ids = {p.id for p in actors.parties}
    used = {e["party"] for f in _golden("seed_statements.json") for k in ("with", "optional") for e in f[k]
            if e["party"] is not None}
    used |= {c["party"] for f in _golden("seed_claims.json") for c in f["claims"]}
    assert used - ids == set()


def test_golden_speakers_resolve_to_golden_party(actors):
    wrong = []
    for f in _golden("seed_statements.json"):
        for e in f["with"] + f["optional"]:
            if e["party"] is None:
                continue
            got = resolve_party(actors, e["speaker"], e["speaker"], e.get("role"), _as_date(e["date"]))
            if got.party_id != e["party"]:
                wrong.append((f["file"], e["speaker"], e["party"], got.party_id))
    assert wrong == []


def test_golden_claim_speakers_resolve_to_claim_party(actors):
    wrong = []
    published = {f["file"]: _as_date(f["published"]) for f in _golden("seed_statements.json")}
    for f in _golden("seed_claims.json"):
        for c in f["claims"]:
            got = resolve_party(actors, c["speaker"], c["speaker"], None, published[f["file"]]).party_id
            if got != c["party"]:
                wrong.append((f["file"], c["speaker"], c["party"], got))
    assert wrong == []


# --------------------------------------------------------------------------- load errors


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "actors.yaml"
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ActorsFileError) as info:
        load_actors(path)
    return str(info.value)


def test_unknown_party_error_names_file_line_and_location(tmp_path):
    path = _write(tmp_path, """
        parties:
          - id: iran
            name: Iran
        people:
          - name: Nasser Kanani
            roles:
              - title: Spokesman
                party: irn
        """)
    message = _error(path)
    assert message.startswith(f"{path}:8: ")
    assert "people[0].roles[0].party: unknown party 'irn'" in message


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = _write(tmp_path, """
        parties:
          - id: iran
            name: [Iran
          - id: russia
        """)
    message = _error(path)
    assert message.startswith(f"{path}:")
    assert "YAML syntax error" in message
    line = int(message[len(str(path)) + 1:].split(":")[0])
    assert line in (3, 4)


def test_duplicate_party_id_error_points_at_second_entry(tmp_path):
    path = _write(tmp_path, """
        parties:
          - id: iran
            name: Iran
          - id: russia
            name: Russia
          - id: iran
            name: Islamic Republic
        """)
    assert _error(path) == f"{path}:6: parties[2].id: duplicate party id 'iran'"


def test_bad_date_and_reversed_role_dates_are_reported_with_line(tmp_path):
    bad_month = _write(tmp_path, """
        parties:
          - {id: iran, name: Iran}
        people:
          - name: A Person
            roles:
              - {title: Minister, party: iran, start: 2023-13-01}
        """)
    message = _error(bad_month)
    assert message.startswith(f"{bad_month}:6: people[0].roles[0].start: ")
    reversed_dates = _write(tmp_path, """
        parties:
          - {id: iran, name: Iran}
        people:
          - name: A Person
            roles:
              - title: Minister
                party: iran
                start: 2023-05-01
                end: 2021-01-01
        """)
    assert _error(reversed_dates) == (
        f"{reversed_dates}:9: people[0].roles[0].end: end 2021-01-01 is before start 2023-05-01")


def test_schema_errors_and_term_clashes_are_reported(tmp_path):
    extra_field = _write(tmp_path, """
        parties:
          - id: iran
            name: Iran
            capital: Tehran
        """)
    assert _error(extra_field).startswith(f"{extra_field}:4: parties[0].capital: Extra inputs")
    clash = _write(tmp_path, """
        parties:
          - {id: iran, name: Iran, metonyms: [Tehran]}
          - {id: persia, name: Persia, aliases: [tehran]}
        """)
    assert _error(clash) == f"{clash}:3: parties[1].aliases[0]: term 'tehran' already belongs to party 'iran'"


def test_display_path_is_relative_inside_working_directory(monkeypatch, tmp_path):
    path = _write(tmp_path, "parties:\n  - {id: x, name: X}\n  - {id: x, name: Y}\n")
    monkeypatch.chdir(tmp_path)
    assert _error(path) == "actors.yaml:3: parties[1].id: duplicate party id 'x'"


def test_golden_quotes_are_exact_substrings_of_their_seed_file():
    missing = []
    claims = {f["file"]: f["claims"] for f in _golden("seed_claims.json")}
    for f in _golden("seed_statements.json"):
        text = (ROOT / "data" / "seeds" / f["file"]).read_text(encoding="utf-8")
        entries = f["with"] + f["optional"] + f["without"] + claims[f["file"]]
        missing += [(f["file"], e["quote_contains"]) for e in entries if e["quote_contains"] not in text]
    assert missing == []
    assert set(claims) == {f["file"] for f in _golden("seed_statements.json")}
