"""Speaker noun phrases: where the one before a cue starts, where the one after it ends.

Finds: the speaker before a verb cue ("Western officials, who spoke on condition of anonymity,
said"), the noun phrase after an inverted cue or "according to", dated sources ("a CBS poll released
Monday"), possessives and owned nouns ("Tehran's statements"), a sentence's subject, an opening
apposition ("According to the CIA director, William Burns, ...").
Leaves to others: whether a word is a cue (verbs, forms, tagging) and what it introduces (content).
"""

from __future__ import annotations

from pipeline.extract import cues
from pipeline.extract.attribution.document import (
    CONNECTIVES,
    DASHES,
    INITIALS_RE,
    IRREGULAR_PAST,
    QUANTIFIERS,
    RELATIVES,
    SUBORDINATORS,
    Doc,
)
from pipeline.extract.attribution.quotations import QUOTE_MARKS, Tok

_ADJECTIVE_SUFFIXES = ("al", "ic", "ous", "ive", "ent", "ant", "ful", "less", "able", "ible", "ary", "ory", "ish")
_ADJECTIVES = frozenset("recent new latest such own many other several multiple numerous earlier previous media news "
                        "press public political similar further more most few additional initial early late".split())


def adjective_like(word: str) -> bool:
    """Return True for words that usually modify a noun ("recent", "political", "dubious")."""
    return word in _ADJECTIVES or (len(word) > 4 and word.endswith(_ADJECTIVE_SUFFIXES) and word not in cues.ROLE_HEADS)


def went_on_to(tokens: list[Tok], to_idx: int, first: int) -> bool:
    """Return True for 'went on to <cue>' and 'continued to <cue>' (the cue keeps its subject)."""
    if tokens[to_idx].low != "to":
        return False
    a = tokens[to_idx - 1].low if to_idx - 1 >= first else ""
    b = tokens[to_idx - 2].low if to_idx - 2 >= first else ""
    return a in ("continued", "continues") or (a == "on" and b in ("went", "goes", "go", "going"))


def speaker_before(doc: Doc, first: int, cue: int) -> tuple[int, int] | None:
    """Return the token range of the speaker noun phrase ending before the cue, skipping aux/adverbs."""
    tokens = doc.tokens
    j = cue - 1
    while j >= first and (tokens[j].low in cues.AUXILIARIES and not tokens[j].is_cap or tokens[j].low.endswith("ly") and not tokens[j].is_cap
                          or tokens[j].low in cues.TIME_WORDS and tokens[j].low != "may"
                          or tokens[j].text.isdigit() and len(tokens[j].text) == 4 and j > first and tokens[j - 1].low in ("in", "since")
                          or tokens[j].low in ("on", "in", "last", "early", "late", "since") and j + 1 < cue and (
                              tokens[j + 1].low in cues.TIME_WORDS or tokens[j + 1].text.isdigit())):
        j -= 1
    if j >= first + 1 and tokens[j].low == "to" and went_on_to(tokens, j, first):
        j -= 3
        while j >= first and tokens[j].low in cues.AUXILIARIES:
            j -= 1
    if j < first:
        return None
    if j > first and describes_document(tokens, j):
        j -= 1  # "A GAO report released last year found": the noun the participle describes ends the speaker
    speaker = _speaker_ending_at(doc, first, j, depth=0)
    if speaker is not None and speaker[1] == j + 1 and (tokens[j].low in _DATED_SOURCES or tokens[j].low in _DATING_PARTICIPLES):
        # "A CBS poll released Monday shows", "A Washington Post-ABC News poll last week found": the
        # date names which poll or report it is, so it belongs to the source (auxiliaries do not).
        k = cue
        while k - 1 > j and (tokens[k - 1].low in cues.AUXILIARIES or tokens[k - 1].low.endswith("ly")):
            k -= 1
        if k - 1 > j:
            speaker = (speaker[0], k)
    return speaker


_DATED_SOURCES = frozenset("poll polls survey surveys report reports study studies analysis memo document documents "
                           "filing data figures statement letter release".split())
_DATING_PARTICIPLES = frozenset("released published conducted taken filed issued".split())
_MODIFYING_PARTICIPLES = _DATING_PARTICIPLES | frozenset("titled entitled labeled labelled obtained".split())
_TITLED_WORKS = frozenset("ad ads video videos speech speeches book books article articles spot film".split())
_DESCRIBED_WORKS = _DATED_SOURCES | _TITLED_WORKS


def describes_document(tokens: list[Tok], i: int) -> bool:
    """Return True when token i is a participle describing the document before it ("a report released", "a speech titled")."""
    return i > 0 and tokens[i].low in _MODIFYING_PARTICIPLES and tokens[i - 1].low in _DESCRIBED_WORKS


def _speaker_ending_at(doc: Doc, first: int, j: int, depth: int) -> tuple[int, int] | None:
    """Return the speaker phrase whose last token is j, stepping over a trailing parenthetical.

    "X, the former aide, said" keeps the apposition (as annotators do); "X, who ..., said" and
    "The ministry —aside— has denied" drop the clause and keep the noun phrase before it.
    """
    tokens = doc.tokens
    if tokens[j].text not in (",", "—", "–", ")", "-"):
        return _np_backward(doc, first, j + 1)
    if depth > 1:
        return None
    closer = tokens[j].text
    opener = "(" if closer == ")" else closer
    k = j - 1
    while k >= first and tokens[k].text != opener and tokens[k].text not in QUOTE_MARKS:
        k -= 1
    if k <= first or tokens[k].text != opener:
        return None
    inner = tokens[k + 1:j]
    relative = bool(inner) and inner[0].low in RELATIVES
    if relative and closer == ",":
        # "the Coalition, which represents ..., wants": annotators keep the relative clause.
        head = _speaker_ending_at(doc, first, k - 1, depth + 1) if tokens[k - 1].text == "," else _np_backward(doc, first, k)
        if head is None:
            return None
        return (head[0], j) if len(inner) <= 20 else head
    head = _np_backward(doc, first, k)
    if head is None:
        return None
    if closer == ")" and len(inner) <= 6:
        return (head[0], j + 1)  # "Rep. Gwen Moore (D-Wis.) said"
    apposition = bool(inner) and inner[0].low not in ("and", "but") and not any(
        t.low in cues.CUE_FORMS and not t.is_cap for t in inner) and len(inner) <= 25
    if apposition and closer == ",":
        return (head[0], j)
    return head


def _np_backward(doc: Doc, first: int, end: int) -> tuple[int, int] | None:
    """Return the noun phrase tokens[start:end] scanned backward from end, or None."""
    tokens = doc.tokens
    j = end - 1
    if j < first or doc.inside_quote(tokens[j].start):
        return None
    last_tok = tokens[j]
    if last_tok.low in cues.OTHER_PRONOUNS or last_tok.low in cues.PERSONAL_PRONOUNS:
        if last_tok.low in ("his", "her", "its", "their"):
            return None
        return (j, end)
    if last_tok.low in ("and", "or", "of"):
        return None
    start = end
    lowercase = 0
    while j >= first:
        t = tokens[j]
        low = t.low
        if t.text in ("’", "'") and j > first and tokens[j - 1].end == t.start:
            j -= 1
            continue
        if t.text == ")":
            k = j - 1
            while k > first and tokens[k].text != "(" and j - k < 12:
                k -= 1
            if tokens[k].text == "(" and k > first:
                j = k - 1  # "Rep. Gwen Moore (D-Wis.)": the party label belongs to the name
                continue
            break
        if t.text == "." and j > first and tokens[j - 1].end == t.start and tokens[j - 1].is_cap:
            j -= 1  # "Mr." and initials
            continue
        internal_prep = (low in ("in", "from", "at", "with", "on", "involved") and j - 1 >= first and start < end
                         and (tokens[j - 1].low in cues.ROLE_HEADS or tokens[j - 1].is_cap and tokens[j - 1].low.endswith("s")
                              or (not tokens[j - 1].is_cap and tokens[j - 1].low.endswith(("ers", "ists", "ents", "ple", "ians", "als")))))
        if not t.is_word or (low in cues.NP_STOPS and not t.is_cap and not internal_prep):
            break
        if low in cues.CUE_FORMS and not t.is_cap and (j != end - 1 or low.endswith(("ed", "ing")) or low in IRREGULAR_PAST) \
                and not owned_noun(tokens, first, j):
            break  # a verb, not the noun heading the speaker ("the report said" keeps "report")
        if not t.is_cap and (low.endswith("ing") or low.endswith("ed")) and len(low) > 5 \
                and not owned_noun(tokens, first, j):
            break  # (a noun after its owner goes on: "the aides' briefing said")
        if (low in cues.OTHER_PRONOUNS or low in cues.PERSONAL_PRONOUNS) and not (t.text.isupper() and len(t.text) > 1):
            if low in ("his", "her", "its", "their", "our", "my", "your") and start < end:
                start = j
            break
        if low == "and" and not (j - 1 >= first and (tokens[j - 1].is_cap or tokens[j - 1].low.endswith("s"))):
            break
        if low in ("of", "for") and not (j - 1 >= first and (tokens[j - 1].is_cap or tokens[j - 1].low in cues.ROLE_HEADS
                                                              or tokens[j - 1].low in QUANTIFIERS or tokens[j - 1].text.isdigit())):
            break
        if not t.is_cap:
            lowercase += 1
            if lowercase > 6:
                break
        start = j
        j -= 1
        if low in cues.DETERMINERS and low not in ("top", "senior", "former", "other", "two", "three", "many", "several", "some", "most", "all", "both", "few"):
            if j >= first and tokens[j].low in ("of", "for") and j - 1 >= first and (
                    tokens[j - 1].is_cap or tokens[j - 1].low in cues.ROLE_HEADS or tokens[j - 1].low in QUANTIFIERS):
                continue  # "The Committee for a Responsible ...", "the minister of the economy"
            break
    if start >= end:
        return None
    while start < end and (tokens[start].low in ("and", "of", "for", "’", "'") or tokens[start].low in CONNECTIVES
                           or tokens[start].low in SUBORDINATORS or tokens[start].is_cap and tokens[start].low in cues.NP_STOPS):
        start += 1
    if start >= end:
        return None
    if all(tokens[k].low in cues.DETERMINERS for k in range(start, end)):
        return None
    return (start, end)


def np_forward(doc: Doc, start: int, last: int, clause_tail: bool = False,
                apposition: bool = True) -> tuple[int, int] | None:
    """Return the noun phrase tokens[start:end] scanned forward (inverted speakers, according to).

    With clause_tail ('"...," said X, a lawyer who ...'), an apposition or relative clause after
    the name is kept up to the sentence end, as annotators mark it.
    """
    tokens = doc.tokens
    j = start
    while j < last:
        t = tokens[j]
        low = t.low
        if clause_tail and j > start and t.text == "," and j + 1 < last and (
                tokens[j + 1].low in ("the", "a", "an", "who", "which", "whose") or tokens[j + 1].low in cues.ROLE_HEADS):
            k = j + 1
            while k < last and not (tokens[k].text == "," and k + 1 < last and (
                    tokens[k + 1].low in cues.CUE_FORMS and tokens[k + 1].low.endswith("ing")
                    or tokens[k + 1].low in cues.ADJUNCT_STARTS)) and tokens[k].text not in QUOTE_MARKS:
                k += 1
            end = k
            while end > j and not tokens[end - 1].is_word and tokens[end - 1].text != ")":
                end -= 1
            return (start, end)
        if t.text == "(" and j > start:
            k = j + 1
            while k < last and tokens[k].text != ")" and k - j < 8:
                k += 1
            if k < last and tokens[k].text == ")":
                j = k + 1  # "Rep. John Mica (R-Fla.)"
                continue
            break
        if t.text in (",", ";", ":", ")", "(") or t.text in QUOTE_MARKS or t.text in DASHES:
            if apposition and t.text == "," and j + 1 < last and (tokens[j + 1].low in ("the", "a", "an") or tokens[j + 1].low in cues.ROLE_HEADS):
                # "said David Plouffe, the architect of ...": keep the apposition
                k = j + 1
                while k < last and tokens[k].text not in (",", ";", ".") and tokens[k].low not in ("who", "which"):
                    if tokens[k].low in cues.CUE_FORMS and not tokens[k].is_cap:
                        break
                    k += 1
                if k - j <= 12:
                    j = k
                    continue
            break
        if t.text == "." and j > start and tokens[j - 1].end == t.start and j + 1 < last and (
                tokens[j - 1].low in cues.HONORIFICS or INITIALS_RE.fullmatch(tokens[j - 1].text)):
            j += 1
            continue
        if not t.is_word and t.text not in ("’", "'", "-", "&"):
            break
        if j > start and tokens[j - 1].low in _DATED_SOURCES and low in _DATING_PARTICIPLES:
            # "according to the latest Reuters/Ipsos poll released Friday": the date names which poll.
            k = j + 1
            while k < last and (tokens[k].low in cues.TIME_WORDS or tokens[k].low in ("on", "in") and k + 1 < last
                                and tokens[k + 1].low in cues.TIME_WORDS or tokens[k].text.isdigit()):
                k += 1
            if k > j + 1:
                j = k
                break  # (without a date the phrase goes on: "exit polls conducted for the Associated Press")
        close_to = low in ("with", "to") and j > start and tokens[j - 1].low in ("familiar", "close", "closest", "loyal")
        if low in cues.NP_STOPS and low not in ("of", "for", "by", "from") and not close_to \
                or (low in cues.CUE_FORMS and not t.is_cap and j > start):
            break  # ("a person familiar with the talks", "people close to the campaign" go on)
        if low in ("by", "from") and j == start:
            break
        if low in cues.TIME_WORDS and not t.is_cap and low not in ("this", "last", "next") or low in cues.TIME_WORDS and t.is_cap and j > start and low not in ("may",):
            break
        j += 1
        if j - start > 14:
            break
    while j > start and tokens[j - 1].low in ("of", "for", "and", "by", "from", "the", "a"):
        j -= 1
    return (start, j) if j > start else None


def sentence_subject(doc: Doc, first: int, cue: int) -> tuple[int, int] | None:
    """Return the noun phrase opening the sentence (subject of a participial cue), else None."""
    tokens = doc.tokens
    j = first
    while j < cue and (not tokens[j].is_word or tokens[j].low in CONNECTIVES):
        j += 1
    if j >= cue or not (tokens[j].is_cap or tokens[j].low in cues.DETERMINERS):
        return None
    if tokens[j].low in cues.PERSONAL_PRONOUNS or tokens[j].low in cues.OTHER_PRONOUNS:
        return (j, j + 1)
    return np_forward(doc, j, cue)


def owned_noun(tokens: list[Tok], first: int, i: int) -> bool:
    """Return True when a cue word follows a possessive, so it is a noun ("Moscow's claims", "the minister's report")."""
    tok = tokens[i]
    low = tok.low
    # "Iran's denied", "Tehran's said": after 's a past form is a verb ("has denied"); a base, -s or -ing form is a noun.
    if i - 1 < first or tok.is_cap or not (low.endswith(("s", "ing")) or cues.CUE_FORMS.get(low) == low):
        return False
    return possessive_before(tokens, first, i)


def possessive_before(tokens: list[Tok], first: int, i: int) -> bool:
    """Return True when tokens[i - 1] is a possessive: "Tehran's", or the mark after a plural ("aides'")."""
    owner = tokens[i - 1]
    return owner.low.endswith(("'s", "’s")) or owner.text in ("'", "’") and i - 2 >= first \
        and tokens[i - 2].low.endswith("s") and tokens[i - 2].end == owner.start


def verb_follows(tokens: list[Tok], j: int) -> bool:
    """Return True when tokens[j] begins a verb phrase: an auxiliary or adverb, a past or 3rd-person form.

    "Tehran's statements struck down the allegations": an irregular past counts too.
    """
    low = tokens[j].low
    return low in cues.AUXILIARIES or low.endswith(("ed", "s")) or low in IRREGULAR_PAST \
        or cues.statement_lemma(low) not in (None, low)


def opening_apposition(doc: Doc, speaker: tuple[int, int], last: int) -> tuple[int, int]:
    """Return an opening 'according to' speaker with its apposition, when one is set off by commas.

    "According to the CIA director, William Burns, Iran ...": a role, then the person's name;
    "According to William Burns, the CIA director, Iran ...": a name, then a role that ends at the
    comma. "According to Ham, the current administration has ...": a clause, no apposition.
    """
    tokens = doc.tokens
    comma = speaker[1]
    if comma >= last or tokens[comma].text != ",":
        return speaker
    k = comma + 1
    while k < last and k - comma <= 8 and tokens[k].text != ",":
        k += 1
    if k + 1 >= last or tokens[k].text != ",":
        return speaker
    between = tokens[comma + 1:k]
    head = tokens[speaker[1] - 1]
    words = [t for t in between if t.text != "."]
    if head.low in cues.ROLE_HEADS and not head.is_cap and 2 <= len(words) <= 4 \
            and all(t.is_cap and t.is_word for t in words):
        return (speaker[0], k)
    if head.is_cap and between[0].low in ("the", "a", "an") and between[-1].low in cues.ROLE_HEADS \
            and not any(t.low in cues.CUE_FORMS or t.low in cues.NP_STOPS - {"of", "for"} for t in between):
        return (speaker[0], k)
    return speaker
