"""Speaker -> party: the actors file, role phrases, metonyms, demonyms and roles over dates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import PrivateAttr

from pipeline.models import Party, Role, Speaker, Strict
from pipeline.yamlfile import InputFileError, display_path, dotted, line_of, read_yaml, validate

UNKNOWN_PARTY_ID = "unknown"
UNKNOWN_PARTY_NAME = "Unknown"
COLLECTIVE_KIND = "collective"

# Prepositions after which a party mention names the counterpart, not the speaker's own side
# ("ambassador to <country>", "sanctions against <country>").
_COUNTERPART_PREPOSITIONS = ("to", "against")
COUNTERPART_REACH = 40  # characters before a party term read for "to"/"against" (and any "the" between)
MENTION_CACHE_TEXTS = 20_000  # texts whose party mentions are kept; the cache starts over past this
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"})


class ActorsFileError(InputFileError):
    """The actors file is unusable; the message is "<file>:<line>: <where>: <what>"."""


class Actors(Strict):
    """Every party and known person the pipeline can resolve a speaker to."""

    parties: list[Party]
    people: list[Speaker] = []

    _index: _Index | None = PrivateAttr(default=None)

    def index(self) -> _Index:
        """Returns the compiled lookups, built once per Actors instance."""
        # Read from pydantic's private store directly: `self._index` goes through the model's __getattr__,
        # and this runs for every text whose party mentions are looked up (100,000 times in a long text).
        found = self.__pydantic_private__.get("_index")
        if found is None:
            found = self._index = _Index.build(self)
        return found


class PartyResolution(Strict):
    """Who a speaker speaks for, and which rule decided it."""

    party_id: str
    party_name: str
    via: str  # person | role | metonym | name | demonym | antecedent | unknown


# --------------------------------------------------------------------------- loading


def load_actors(path: Path) -> Actors:
    """Returns the validated actors file; raises ActorsFileError naming file, line and problem."""
    path = Path(path)
    data, root = read_yaml(path, ActorsFileError)
    if not isinstance(data, dict):
        raise ActorsFileError(f"{display_path(path)}:1: expected a mapping with 'parties' and 'people'")
    actors = validate(Actors, data, root, path, ActorsFileError)
    for loc, message in _semantic_problems(actors):
        raise ActorsFileError(f"{display_path(path)}:{line_of(root, loc)}: {dotted(loc)}: {message}")
    return actors


def _semantic_problems(actors: Actors):
    """Yields (location, message) for what the schema cannot see: ids, references, date order."""
    seen_ids: set[str] = set()
    term_owner: dict[str, str] = {}
    for i, party in enumerate(actors.parties):
        if party.id == UNKNOWN_PARTY_ID:
            yield ("parties", i, "id"), f"'{UNKNOWN_PARTY_ID}' is reserved for unresolved speakers"
        if party.id in seen_ids:
            yield ("parties", i, "id"), f"duplicate party id '{party.id}'"
        seen_ids.add(party.id)
        terms = [(("parties", i, "name"), party.name)] + [
            (("parties", i, field, j), term)
            for field in ("aliases", "demonyms", "metonyms") for j, term in enumerate(getattr(party, field))]
        for where, term in terms:
            owner = term_owner.setdefault(_term_key(term), party.id)
            if owner != party.id:
                yield where, f"term '{term}' already belongs to party '{owner}'"
    seen_names: dict[str, int] = {}
    for i, person in enumerate(actors.people):
        for j, name in enumerate([person.name, *person.aliases]):
            key = _name_key(name)
            where = ("people", i, "name") if j == 0 else ("people", i, "aliases", j - 1)
            if key in seen_names and seen_names[key] != i:
                yield where, f"duplicate person name '{name}'"
            seen_names.setdefault(key, i)
        for k, role in enumerate(person.roles):
            if role.party not in seen_ids:
                yield ("people", i, "roles", k, "party"), f"unknown party '{role.party}'"
            if role.start and role.end and role.start > role.end:
                yield ("people", i, "roles", k, "end"), f"end {role.end} is before start {role.start}"


# --------------------------------------------------------------------------- lookups


def _fold(text: str) -> str:
    """Returns text with curly apostrophes and odd hyphens made plain (same length)."""
    return text.translate(_APOSTROPHES)


def _term_key(term: str) -> str:
    return _fold(term).casefold().strip()


def _name_key(name: str) -> str:
    """Returns a person's name folded for lookup: no accents, case, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", _fold(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s-]", " ", plain.casefold()).replace("-", " ").split())


def _is_case_sensitive(term: str) -> bool:
    # Short all-capital acronyms collide with ordinary words ("US" vs "us").
    letters = re.sub(r"[^A-Za-z]", "", term)
    return letters.isupper() and len(letters) <= 4


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """Returns one regex matching any term as a whole word, longest first."""
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in _fold(term).split())
        parts.append(body if _is_case_sensitive(term) else f"(?i:{body})")
    if not parts:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


@dataclass(frozen=True)
class _Mention:
    party_id: str
    via: str
    start: int
    counterpart: bool


@dataclass
class _Index:
    parties: dict[str, Party]
    term_party: dict[str, tuple[str, str]]  # folded term -> (party id, via)
    term_rx: re.Pattern[str] | None
    person_by_key: dict[str, Speaker]
    person_rx: re.Pattern[str] | None
    # Party mentions by text: a statement's sentence, content and context are looked up several times each.
    # A plain dict, not functools.lru_cache: the index travels to the worker processes with the actors,
    # and an lru_cache wrapper cannot be pickled.
    found_in: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, actors: Actors) -> _Index:
        term_party: dict[str, tuple[str, str]] = {}
        for party in actors.parties:
            for via, terms in (("name", [party.name, *party.aliases]), ("demonym", party.demonyms),
                               ("metonym", party.metonyms)):
                for term in terms:
                    term_party.setdefault(_term_key(term), (party.id, via))
        person_by_key: dict[str, Speaker] = {}
        surnames: dict[str, list[Speaker]] = {}
        for person in actors.people:
            for name in (person.name, *person.aliases):
                person_by_key.setdefault(_name_key(name), person)
            surname = _name_key(person.name).split()[-1]
            surnames.setdefault(surname, []).append(person)
        # A bare surname ("Smith told reporters") identifies a person only if no one else shares it.
        for surname, owners in surnames.items():
            if len(owners) == 1:
                person_by_key.setdefault(surname, owners[0])
        full_names = [n for p in actors.people for n in (p.name, *p.aliases) if len(n.split()) > 1]
        return cls(
            parties={p.id: p for p in actors.parties},
            term_party=term_party,
            term_rx=_term_pattern(list(_party_terms(actors))),
            person_by_key=person_by_key,
            person_rx=_term_pattern(full_names),
        )

    def mentions(self, text: str) -> list[_Mention]:
        """Returns every party term in the text, in order, with whether it names a counterpart."""
        if not text or self.term_rx is None:
            return []
        folded = _fold(text)
        found = []
        for m in self.term_rx.finditer(folded):
            party_id, via = self.term_party[_term_key(m.group(0))]
            before = folded[max(0, m.start() - COUNTERPART_REACH): m.start()].split()
            while before and before[-1].casefold() == "the":
                before.pop()
            counterpart = bool(before) and before[-1].casefold() in _COUNTERPART_PREPOSITIONS
            found.append(_Mention(party_id, via, m.start(), counterpart))
        return found

    def best_mention(self, text: str | None) -> _Mention | None:
        """Returns the mention naming the speaker's side: a collective first, else the first one."""
        candidates = [m for m in self.mentions(text or "") if not m.counterpart]
        if not candidates:
            return None
        for mention in candidates:
            if self.parties[mention.party_id].kind == COLLECTIVE_KIND:
                return mention
        return candidates[0]

    def person(self, speaker_name: str | None, speaker_text: str | None) -> Speaker | None:
        """Returns the known person the speaker name is, or whose full name the name or text holds."""
        if speaker_name:
            found = self.person_by_key.get(_name_key(speaker_name))
            if found is not None:
                return found
        if self.person_rx is not None:
            # The attribution may keep the title with the name ("<Country> Foreign Secretary Jane Smith").
            for text in (speaker_name, speaker_text):
                m = self.person_rx.search(_fold(text)) if text else None
                if m:
                    return self.person_by_key.get(_name_key(m.group(0)))
        return None


def party_mentions(actors: Actors, text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, party id) for every party name, alias, demonym or metonym in the text."""
    index = actors.index()
    if not text or index.term_rx is None:
        return []
    found = index.found_in.get(text)
    if found is None:
        found = tuple((m.start(), m.end(), index.term_party[_term_key(m.group(0))][0])
                      for m in index.term_rx.finditer(_fold(text)))
        if len(index.found_in) >= MENTION_CACHE_TEXTS:
            index.found_in.clear()
        index.found_in[text] = found
    return list(found)


def _party_terms(actors: Actors):
    """Yields every alias, demonym and metonym of every party."""
    for party in actors.parties:
        yield party.name
        yield from party.aliases
        yield from party.demonyms
        yield from party.metonyms


Actors.model_rebuild()


# --------------------------------------------------------------------------- resolution


def _holds(role: Role, on: date) -> bool:
    return (role.start is None or role.start <= on) and (role.end is None or on <= role.end)


def _role_party(person: Speaker, on: date | None, role_phrase: str | None = None) -> str | None:
    """Returns the party of the person's role on the date; undated, of the role the text describes."""
    if not person.roles:
        return None
    if on is None:
        return _undated_role(person, role_phrase).party
    return next((r.party for r in person.roles if _holds(r, on)), None)


_TITLE_FILLER = frozenset("a an the of for and to in at on".split())


def _title_words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", _fold(text or "").casefold()) if w not in _TITLE_FILLER}


def _undated_role(person: Speaker, role_phrase: str | None) -> Role:
    """Returns the role an undated statement was most likely made in.

    With no date, the role phrase given with the name is the evidence ("Deputy Assistant Secretary
    of Defense Dana Stroul" is her government role, not her later think-tank one): the role whose
    title shares the most words with it; without any shared word, the most recent role.
    """
    def recency(role: Role) -> tuple[date, date]:
        return role.end or date.max, role.start or date.min

    said = _title_words(role_phrase)
    return max(person.roles, key=lambda r: (len(said & _title_words(r.title)), recency(r)))


def _nearest_role_party(person: Speaker, on: date) -> str | None:
    """Returns the party of the role nearest in time to the date."""

    def days_away(role: Role) -> int:
        if role.end is not None and role.end < on:
            return (on - role.end).days
        return ((role.start or on) - on).days

    return min(person.roles, key=days_away).party if person.roles else None


# "Mr. Trump's party", "the president's own party": the political party of the one named, which is not
# the side the name stands for in the actors file (his campaign, his administration).
_POSSESSED_PARTY = re.compile(r"[\w.]+(?: [A-Z][\w.]+)*['’]s (?:own )?party\b")


def antecedent_party(actors: Actors, text: str) -> PartyResolution | None:
    """Return the party of the last party mention in a text: what a "they" or "who" after it most likely stands for."""
    found = party_mentions(actors, text)
    return _resolution(actors.index(), found[-1][2], "antecedent") if found else None


def resolve_party(actors: Actors, speaker_name: str | None, speaker_text: str | None, role: str | None,
                  on: date | None) -> PartyResolution:
    """Returns the party a speaker speaks for: person on the date, else role phrase, else the text."""
    index = actors.index()
    person = index.person(speaker_name, speaker_text)
    fallback: str | None = None
    if person is not None:
        party_id = _role_party(person, on, role or speaker_text)
        if party_id is not None:
            return _resolution(index, party_id, "person")
        if on is not None:
            # Known person outside every dated role: a role phrase in the text is better evidence.
            fallback = _nearest_role_party(person, on)
    mention = index.best_mention(_POSSESSED_PARTY.sub(" ", role) if role else role)
    if mention is not None:
        return _resolution(index, mention.party_id, "role")
    mention = index.best_mention(_POSSESSED_PARTY.sub(" ", speaker_text) if speaker_text else speaker_text)
    if mention is not None:
        return _resolution(index, mention.party_id, mention.via)
    if fallback is not None:
        # Known person outside every dated role, and nothing in the text says otherwise.
        return _resolution(index, fallback, "person")
    return PartyResolution(party_id=UNKNOWN_PARTY_ID, party_name=UNKNOWN_PARTY_NAME, via="unknown")


def _resolution(index: _Index, party_id: str, via: str) -> PartyResolution:
    return PartyResolution(party_id=party_id, party_name=index.parties[party_id].name, via=via)
