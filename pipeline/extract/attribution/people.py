"""Who is who inside one article: people, their genders and roles, and coreference.

Finds: the people a text names (with the title or role phrase around the name: "Iran's foreign
minister Hossein Amir-Abdollahian"), then resolves a speaker mention to the person it means: a surname
to the full name seen before, he/she to the most recent person of a compatible gender (first-name
gender from gender-guesser), a definite role noun ("the top Iranian diplomat", "the CIA director") to
the most recent person whose role fits, a relative "who" to its antecedent. A body's member ("a
spokesman for the Kremlin") is not the body.
Leaves to others: which party a person speaks for (pipeline.extract.parties).
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.extract import cues
from pipeline.extract.attribution.document import INITIALS_RE, LINK_WORDS, RELATIVES, ROLE_TITLE_WORDS, Doc, is_abbreviation
from pipeline.extract.attribution.quotations import Tok


@lru_cache(maxsize=1)
def _gender_detector():
    """Return a first-name gender detector, or None when gender-guesser is not installed."""
    try:
        import gender_guesser.detector as detector
    except ImportError:  # optional: without it pronouns resolve to the most recent person
        return None
    return detector.Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def _name_list_guess(name: str) -> str:
    """Return the name lists' word on a first name: male, mostly_male, female, mostly_female, andy, unknown."""
    detector = _gender_detector()
    return "andy" if detector is None else detector.get_gender(name)


@lru_cache(maxsize=4096)
def _first_name_gender(name: str) -> str:
    """Return 'male', 'female', 'unknown' (not a first name) or 'both' for a first name."""
    guess = _name_list_guess(name)
    if guess in ("male", "mostly_male"):
        return "male"
    if guess in ("female", "mostly_female"):
        return "female"
    return "both" if guess == "andy" else "unknown"


def _first_name(words: list[str]) -> str:
    """Return a name's first name: its first word that is not an initial ("R. Gil Kerlikowske": Gil)."""
    return next((w for w in words if not INITIALS_RE.fullmatch(w.rstrip("."))), words[0])


# A word that makes a capitalised run a titled person ("Senator", "spokesman"), not a body's name.
_TITLE_OR_ROLE_WORDS = cues.TITLE_WORDS | cues.ROLE_HEADS
_TITLE_OR_ROLE = _TITLE_OR_ROLE_WORDS - LINK_WORDS
_FIRST_NAME_TITLES = frozenset("king queen prince princess sheikh sheikha emperor empress pope emir".split())
_HONORIFIC_GENDER = {"mr": "male", "sir": "male", "lord": "male",
                     "mrs": "female", "ms": "female", "miss": "female", "dame": "female"}


@dataclass
class _Person:
    name: str
    role: str | None
    gender: str  # male, female or both
    sure: bool = False  # an honorific or a name only one gender bears: the text's pronouns never override it


@dataclass
class People:
    """Persons named so far in a text, in order of mention."""

    persons: dict[str, _Person] = field(default_factory=dict)
    events: list[tuple[int, str]] = field(default_factory=list)  # (offset, person name)
    last_by_surname: dict[str, str] = field(default_factory=dict)  # surname -> full name noted last
    text: str = ""  # the text the persons were found in
    # Each person's mentions in text order: a lookup by role reads each person once, not every mention
    # (a text of thousands of statements would otherwise make each lookup walk all the mentions before it).
    mentions: dict[str, list[int]] = field(default_factory=dict)
    quoted: set[int] = field(default_factory=set)  # offsets of the mentions that lie inside a quotation

    def add(self, name: str, role: str | None, pos: int, honorific: str | None = None) -> None:
        person = self.persons.get(name)
        if person is None:
            words = name.split()
            # "President Reagan", "Senator Kelly": one word after a title is a surname; the first-name lists
            # would make them women. A single name without a title is often a first name ("Jeb", "Hillary"),
            # and so is one after a royal title ("Queen Elizabeth", "Crown Prince Mohammed").
            titled_surname = len(words) == 1 and bool(role) and role.split()[-1].lower() not in _FIRST_NAME_TITLES
            first = None if titled_surname else _first_name(words)
            gender = _HONORIFIC_GENDER.get(honorific) or (_first_name_gender(first) if first else "unknown")
            sure = honorific in _HONORIFIC_GENDER or (first is not None and _name_list_guess(first) in ("male", "female"))
            person = _Person(name, role, "both" if gender == "unknown" else gender, sure)
            self.persons[name] = person
        elif role and not person.role:
            person.role = role
        self.note(pos, name)

    def note(self, pos: int, name: str) -> None:
        """Record a mention of a known person at pos, keeping events in text order."""
        bisect.insort(self.events, (pos, name))
        bisect.insort(self.mentions.setdefault(name, []), pos)
        surname = name.split()[-1]
        if surname != name:
            self.last_by_surname[surname] = name

    def by_surname(self, surname: str) -> _Person | None:
        """Return the most recently noted person whose last name is surname (not surname alone)."""
        name = self.last_by_surname.get(surname)
        return self.persons[name] if name else None

    def recent(self, pos: int, gender: str | None) -> _Person | None:
        """Return the most recent person mentioned before pos with a compatible gender.

        A person named only inside a quotation is someone the speaker talks about: "'During Barack Obama's
        term, she's done a horrible job.' ... the New York billionaire ... cites his call": the narrative's
        "his" means a person the narrative names, so quoted mentions count only when no other fits.
        """
        fallback = None
        for k in range(bisect.bisect_left(self.events, (pos, "")) - 1, -1, -1):
            person = self.persons[self.events[k][1]]
            if gender is None or person.gender in (gender, "both"):
                if self.events[k][0] not in self.quoted:
                    return person
                fallback = fallback or person
        return fallback

    def just_before(self, pos: int, reach: int) -> _Person | None:
        """Return the person mentioned last before pos, when that mention starts at most `reach` characters
        before it in the same sentence."""
        i = bisect.bisect_left(self.events, (pos, ""))
        if i and pos - self.events[i - 1][0] <= reach and not _sentence_end(self.text, self.events[i - 1][0], pos):
            return self.persons[self.events[i - 1][1]]
        return None

    def by_role(self, words: list[str], pos: int) -> _Person | None:
        """Return the most recent person before pos whose role fits a role phrase's words."""
        head = words[-1].lower()
        modifiers = [w for w in words[:-1] if w.lower() not in cues.GENERIC_MODIFIERS]
        heads = cues.ROLE_SYNONYMS.get(head, (head,))
        latest: tuple[int, str] | None = None  # (offset, name) of the fitting person mentioned last before pos
        for name, person in self.persons.items():
            if not person.role or not any(h in person.role.lower() for h in heads):
                continue
            offsets = self.mentions.get(name, [])
            i = bisect.bisect_left(offsets, pos)
            if i and (latest is None or (offsets[i - 1], name) > latest) and all(
                    _modifier_fits(m, person.role) for m in modifiers):
                latest = (offsets[i - 1], name)
        return self.persons[latest[1]] if latest else None


def _modifier_fits(modifier: str, role: str) -> bool:
    """Return True when a role phrase's modifier is said by a person's stated role.

    "the top Iranian diplomat" fits "Iran's foreign minister": a capitalised demonym fits the place
    it is formed from (Iranian/Iran, Ukrainian/Ukraine, Chinese/China, Swedish/Sweden), which shares
    all but its last few letters with it.
    """
    low = modifier.lower()
    role_words = re.findall(r"[\w.]+", role)
    if any(w.lower() in (low, low.rstrip("s")) for w in role_words):
        return True
    if not modifier[:1].isupper():
        return False
    for word in role_words:
        if not word[:1].isupper() or len(word) < 4:
            continue
        shared = len(os.path.commonprefix([low, word.lower()]))
        if shared >= max(4, len(word) - 2):
            return True
    return False


def _is_acronym(word: str) -> bool:
    return len(word) <= 5 and word.replace(".", "").isupper() and len(word.replace(".", "")) >= 2


def _split_name_role(words: list[str]) -> tuple[list[str], list[str]]:
    """Return (name words, role words): the name is the trailing run of capitalised non-title words."""
    i = len(words)
    while i > 0:
        w = words[i - 1]
        low = w.lower().rstrip(".")
        if not w[:1].isupper() or low in cues.TITLE_WORDS or _is_acronym(w):
            break
        i -= 1
    name, role = words[i:], words[:i]
    # A lone demonym or place before a name is part of the role ("Swedish ... Anna Berg").
    while role and role[0].lower() in cues.DETERMINERS:
        role = role[1:]
    return name, role


def scan_people(doc: Doc) -> People:
    """Return persons named in the text: role titles followed by a first and last name."""
    people = People(text=doc.text)
    tokens = doc.tokens
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if not (tok.is_cap or tok.low in cues.ROLE_HEADS):
            i += 1
            continue
        j = i
        # A lowercase title word carries the role on ("Iran's foreign minister Hossein Amir-Abdollahian").
        while j < n and (tokens[j].is_cap or tokens[j].low in cues.ROLE_HEADS
                         or tokens[j].low in ROLE_TITLE_WORDS
                         or (tokens[j].low in ("of", "for", ".") and j + 1 < n and tokens[j + 1].is_cap
                             # a full stop carries a name on only after "Mr" or an initial, not "Monday. Mr."
                             and (tokens[j].low != "." or is_abbreviation(doc.text, tokens[j].start)))):
            if j > i and "\n" in doc.text[tokens[j - 1].end:tokens[j].start]:
                break
            j += 1
        words = [t.text for t in tokens[i:j] if t.text != "."]
        _register(people, words, tokens[i].start, tokens[j - 1].end if j > i else tok.end)
        i = max(j, i + 1)
    people.quoted = {pos for pos, _ in people.events if doc.inside_quote(pos)}
    learn_genders(people)
    return people


_PRONOUN = re.compile(r"\b(he|his|him|she|her|hers)\b", re.IGNORECASE)
_NAME_RUN = re.compile(r"(?:[A-Z][\w'’.-]*\s*)+")
GENDER_EVIDENCE = 2  # pronouns a text must use for a person before they outweigh the first name's guess


def learn_genders(people: People) -> None:
    """Correct a person's gender from the pronouns the text uses for them.

    A first name's gender may be a guess ("Bernie" is mostly female in the name lists); the article knows
    better. A name only one gender bears in the lists ("Hillary") and an honorific stay: "'Hillary
    Clinton is a joke,' he said" puts a "he" after her name. The first he/his/him or she/her after a
    mention, in the same sentence and before anyone else is named, is read as that person's; a person with
    at least GENDER_EVIDENCE such pronouns, three times as many of one gender as of the other, takes that
    gender.
    """
    votes: dict[str, list[int]] = {}
    text = people.text
    for k, (pos, name) in enumerate(people.events):
        name_end = _NAME_RUN.match(text, pos)
        start = name_end.end() if name_end else pos
        stop = people.events[k + 1][0] if k + 1 < len(people.events) else len(text)
        end_of_sentence = _sentence_end(text, start, stop)
        pronoun = _PRONOUN.search(text, start, end_of_sentence.start() + 1 if end_of_sentence else stop)
        if pronoun:
            male = pronoun.group(1).lower() in ("he", "his", "him")
            votes.setdefault(name, [0, 0])[0 if male else 1] += 1
    for name, (male, female) in votes.items():
        person = people.persons[name]
        if person.sure:
            continue
        if male >= GENDER_EVIDENCE and male >= 3 * female:
            person.gender = "male"
        elif female >= GENDER_EVIDENCE and female >= 3 * male:
            person.gender = "female"


_NOT_FIRST_NAMES = cues.DETERMINERS | cues.ADJUNCT_STARTS | frozenset("""
and but or nor if so yet for with without into onto upon among against across behind beyond inside outside
under over per than then there here it we they he she i you his her their its our my your
san santa los las fort port lake mount st saint el
""".split()) - {"may", "june", "april", "august"}  # months that are first names too


def _register(people: People, words: list[str], start: int, pos: int) -> None:
    """Add a person to people when words hold a name (with any role before it)."""
    honorific = None
    if words and words[0].lower().rstrip(".") in cues.HONORIFICS:
        honorific = words[0].lower().rstrip(".")
    name, role = _split_name_role(words)
    if _member_of_body(role):
        return  # "the spokesman for Acme Corp": the capitalised words name a body, not a person
    name = [w[:-2] if w.endswith(("'s", "’s")) else w for w in name]
    # "In California", "On Sunday", "San Bernardino": a sentence's capitalised first word, or a place name's
    # first word, is no first name, whatever the name lists say of "In", "On" and "San".
    while name and name[0].lower() in _NOT_FIRST_NAMES:
        name = name[1:]
    if not name:
        return
    full = " ".join(name)
    if len(name) == 1:
        known = people.by_surname(full)
        if known is not None:
            people.add(known.name, None, start)
        elif honorific or (role and role[-1].lower().rstrip(".") in _TITLE_OR_ROLE):
            people.add(full, " ".join(role) or None, start, honorific)
        return
    first_gender = _first_name_gender(_first_name(name))
    has_title = bool(role) and any(w.lower().rstrip(".") in _TITLE_OR_ROLE_WORDS for w in role)
    if first_gender != "unknown" or has_title or honorific:
        people.add(full, " ".join(role) or None, start, honorific)


_ORGANISATION_PREPOSITIONS = frozenset("the for at of with from in to".split())


def _member_of_body(role: list[str]) -> bool:
    """Return True when role words before a capitalised run describe a member of a body named by it.

    "spokesman for the" (Kremlin), "professor at the" (University of Tehran): a lowercase role
    word, then a preposition or article; "Bank of" (England) is part of the body's own name.
    """
    return bool(role) and role[-1].lower() in _ORGANISATION_PREPOSITIONS and any(
        not w[:1].isupper() and w.lower() not in _ORGANISATION_PREPOSITIONS | {"a", "an"} for w in role)


_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+[\"'“‘(]?[A-Z]")


def _sentence_end(text: str, start: int, stop: int) -> re.Match | None:
    """Return the first sentence end in text[start:stop]; the full stop of "Mr." or "J." ends none."""
    for match in _SENTENCE_END.finditer(text, start, stop):
        if not (match.group()[0] == "." and is_abbreviation(text, match.start())):
            return match
    return None


RELATIVE_REACH = 60  # characters before a "who" read for the party it stands for (pipeline.link.analyzer)
APPOSITION_REACH = 200  # characters from a name to the "who" that refers to it, its apposition included
# What may stand between a person's last name and the "who" that refers to them: "Peskov, who", "the Trump who",
# "Bernie Sanders (I-Vt.), who", "Mike Pence, 64, the former vice president, who", "Dmitry Peskov, the Kremlin's
# spokesman, who", "Mike Pence -- who". "Maria Lopez met the mayor, a man of few words, who" holds more. (After
# "After meeting Donald Trump, the mayor, who" the pattern cannot tell an opening phrase from an apposition.)
_NAME_BEFORE_WHO = re.compile(r"([A-Z][\w'’-]*)\.?(?:\s*\([^()]*\))?(?:,\s*\d+)?(?:,[^,;:()\"“”]+)?"
                              r"(?:,|\s*(?:—|–|--))?\s*$")


def _named_before_who(people: People, pos: int) -> _Person | None:
    """Return the person a relative "who" at pos stands for: one named right before it, or None."""
    person = people.just_before(pos, APPOSITION_REACH)
    if person is None:
        return None
    start = people.events[bisect.bisect_left(people.events, (pos, "")) - 1][0]
    # The run a name was found in may begin with its role ("Kremlin spokesman Dmitry Peskov, who"): what
    # matters is that the capitalised word before the apposition is the person's last name.
    match = _NAME_BEFORE_WHO.search(people.text, start, pos)
    last = match.group(1) if match else ""
    return person if last.removesuffix("'s").removesuffix("’s") == person.name.split()[-1] else None


def resolve(people: People, s_tokens: list[Tok], mention: str, pos: int) -> tuple[str | None, str | None]:
    """Return (speaker_name, speaker_role) for a speaker mention, resolving it inside the text."""
    low = mention.lower()
    if low in cues.PERSONAL_PRONOUNS:
        person = people.recent(pos, cues.PERSONAL_PRONOUNS[low])
        if person is not None:
            people.note(pos, person.name)
            return person.name, person.role
        return mention, None
    if low == "who":
        # A relative pronoun stands for the noun just before it ("Dmitry Peskov, the Kremlin's spokesman,
        # who said"): a person only when one was named right there, never the last famous name.
        person = _named_before_who(people, pos)
        if person is not None:
            return person.name, person.role
        return mention, None
    if low in cues.OTHER_PRONOUNS:
        return mention, None
    words = [t.text for t in s_tokens if t.text not in ("’", "'")]
    if "," in words:
        comma = words.index(",")
        head = [w for w in words[:comma]]
        appos = [w for w in words[comma + 1:] if w != ","]
        while appos and appos[0].lower() in ("the", "a", "an"):
            appos = appos[1:]
        if appos and appos[0].lower() in RELATIVES:
            appos = []  # "X, who has advised ...": not a role
        name, role = _split_name_role(head)
        if _member_of_body(role) and appos and all(w[:1].isupper() for w in appos):
            # "The spokesman for Acme Corp, John Smith,": the apposition is the person's name.
            lead = 1 if head[0].lower() in ("the", "a", "an") else 0
            return _full_name(people, appos), " ".join(head[lead:])
        if name:
            full = _full_name(people, name)
            if appos and full in people.persons and appos[-1].lower() in cues.ROLE_HEADS:
                people.add(full, " ".join(appos), pos)  # "William Burns, the CIA director"
            return full, " ".join(appos) or (" ".join(role) or None)
        appos_name, appos_role = _split_name_role(appos)
        if len(appos_name) >= 2 and not appos_role and head[-1].lower() in cues.ROLE_HEADS:
            # "the CIA director, William Burns": the apposition names the person the role describes.
            lead = 1 if head[0].lower() in ("the", "a", "an") else 0
            full, role_text = _full_name(people, appos_name), " ".join(head[lead:])
            people.add(full, role_text, pos)  # so that "the CIA director" later stands for him too
            return full, role_text
        words = head
    words = [w for w in words if w != "."]
    honorific = words[0].lower().rstrip(".") if words and words[0].lower().rstrip(".") in cues.HONORIFICS else None
    if "of" in words[2:]:
        # "Rep. John Mica of Florida", "Del. Stacey Plaskett of the Virgin Islands": the name stands before
        # "of" (a title's own "of" comes after the title word: "Secretary of State Antony Blinken").
        k = words.index("of", 2)
        before = words[:k]
        if before[-1][:1].isupper() and before[-1].lower() not in cues.TITLE_WORDS and (
                honorific or any(w.lower() in ROLE_TITLE_WORDS for w in before[:-1])):
            words = before
    name, role = _split_name_role(words)
    if name and _member_of_body(role):
        # "A spokesman for the Kremlin", "a professor at the University of Tehran": the capitalised
        # words are the body the person speaks for, not the person's name.
        lead = 1 if words[0].lower() in ("the", "a", "an") else 0
        return mention, " ".join(words[lead:])
    name = [w[:-2] if w.endswith(("'s", "’s")) else w for w in name]
    titled = any(w.lower().rstrip(".") in _TITLE_OR_ROLE for w in role)
    if name and role and not titled and not honorific and _first_name_gender(name[0]) == "unknown":
        # "the Northern Trade Alliance": a multi-word body, not a titled person.
        body = [w for w in words if w.lower() not in ("the", "a", "an")]
        text = " ".join(body)
        return (text[:-2] if text.endswith(("'s", "’s")) else text), None
    if name:
        full = _full_name(people, name)
        person = people.persons.get(full)
        role_text = " ".join(role) if role else None
        if person is not None:
            people.note(pos, person.name)
            role_text = role_text or person.role
        if honorific and len(name) == 1 and person is None:
            full = " ".join(name)
        if not role_text:
            return full, None
        return full, role_text
    # No name: a description ("the agency director", "a ministry official", "Western officials").
    desc = [w for w in words if w.lower() not in ("the", "a", "an")]
    if not desc:
        return mention, None
    head = desc[-1].lower()
    if words[0].lower() in ("the", "this") and (head in cues.ROLE_HEADS or head in cues.ROLE_SYNONYMS):
        person = people.by_role(desc, pos)
        if person is not None:
            people.note(pos, person.name)
            return person.name, person.role
    if head in cues.ROLE_HEADS or head.rstrip("s") in cues.ROLE_HEADS:
        return mention, " ".join(desc)
    if mention.endswith(("'s", "’s")):
        return mention[:-2], None
    return mention, None


def _full_name(people: People, name: list[str]) -> str:
    """Return the full name a (possibly partial) name stands for."""
    joined = " ".join(name)
    if joined in people.persons:
        return joined
    if len(name) == 1:
        person = people.by_surname(name[0])
        if person is not None:
            return person.name
    return joined
