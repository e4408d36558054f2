"""Who said what: attributions (speaker, cue, content) extracted from article text by rules.

The extractor works on one text at a time and needs no model: quotations are paired first
(straight, curly, doubled apostrophes, unbalanced ones run to the end of their paragraph), then
sentences are cut outside quotations, then each cue (a speech or belief verb, "according to", a
possessive nominal such as "X's statements") is tied to a speaker noun phrase and a content span
by the surface forms news uses:

    "<quote>," SPEAKER CUE [adjunct].          "<quote>," CUE SPEAKER [adjunct].
    CONTENT, SPEAKER CUE [adjunct].            SPEAKER [aux/adverbs] CUE [addressee] [that|:] CONTENT
    According to SPEAKER, CONTENT.             CONTENT, according to SPEAKER.
    SPEAKER's statements CONTENT.              ..., adding/warning that CONTENT  (speaker carried over)

Also: "SPEAKER: content" line labels (transcripts, headlines), '"<quote>" ― Name' signatures,
passives with an agent ("was first reported by X"), quotations continued after the cue or over
paragraphs without a closing mark (one contiguous content span from the first quotation to the last).

Cues come from a lexicon (pipeline.cues) and, when its weights are present, from a linear cue tagger
trained on PolNeAR train (pipeline.attribution_model): it proposes cue words outside the lexicon
("wants", "plans") and vetoes lexicon words used otherwise; a linear ranker trained on the same data
then keeps the candidates likely to be real attributions, and a role tagger (a linear-chain CRF over
the cue's sentence, python-crfsuite) re-draws each speaker's extent the way PolNeAR marks sources.
extract_attributions(text, use_model=False) is the pure-rule path. scope="statements" (default, the
product) keeps speech, communication and belief cues; scope="polnear" (the evaluation) also keeps
PolNeAR's intentions and perceptions, adds role-tagger attributions for cue words no rule read (the
cue words chosen by a cue sequence tagger, a second CRF over each sentence), and
keeps the outermost of nested statements as PolNeAR's annotators do. numpy, scikit-learn's feature
hasher and python-crfsuite (optional: without it the rules draw speakers); no torch.

Speakers are then resolved inside the text: surnames to the full name seen before, he/she to the
most recent person of a compatible gender (first-name gender from the optional gender-guesser
package), definite role nouns ("the agency director", "the top Swedish diplomat") to the most recent
person whose role fits. Place names stay as written; the parties stage maps metonyms.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline import cues
from pipeline.models import Span, Strict


class Attribution(Strict):
    """One attributed statement found in a text; offsets index the text exactly."""

    speaker: Span | None
    speaker_name: str | None
    speaker_role: str | None
    cue: Span
    content: Span
    direct: bool
    certainty: str


# --------------------------------------------------------------------------- tokens and quotes

_TOKEN_RE = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*|''|``|\S")
_OPEN_QUOTES = {"“", "„", "«", "``"}
_CLOSE_QUOTES = {"”", "»"}
_AMBIGUOUS_QUOTES = {'"', "''", "″"}
_QUOTE_MARKS = _OPEN_QUOTES | _CLOSE_QUOTES | _AMBIGUOUS_QUOTES | {"‘", "’"}
_SINGLE_CLOSES = frozenset({"’", "'"})  # a straight one closes a quotation only where _find_quotes says so
_CLOSING_MARKS = _CLOSE_QUOTES | _AMBIGUOUS_QUOTES | _SINGLE_CLOSES
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen sens rep reps del gov gen lt col sgt st jr sr inc co corp vs no prof rev adm maj capt ft mt "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u d.c".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[^a-z\s])")
_DASHES = {"—", "–", "--"}
_INITIALS_RE = re.compile(r"(?:[a-z]\.)*[a-z]", re.IGNORECASE)
_IRREGULAR_PAST = frozenset("said told wrote spoke thought found showed shown saw seen knew known felt held".split())
_SUBORDINATORS = frozenset("while when if as although because since after before though unless whereas once until".split())
_LINK_WORDS = frozenset("the of for and a an".split())
_ROLE_TITLE_WORDS = cues.TITLE_WORDS - _LINK_WORDS
_CONNECTIVES = frozenset("but and however so yet meanwhile still also then".split())


@dataclass
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def is_cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()


@dataclass
class _Quote:
    open_start: int  # offset of the opening mark
    start: int  # first character inside the marks
    end: int  # offset of the closing mark (or paragraph end when unclosed)
    close_end: int  # offset after the closing mark
    closed: bool


def _find_quotes(text: str, tokens: list[_Tok]) -> list[_Quote]:
    """Return quotations paired per paragraph; an unclosed one runs to its paragraph's end."""
    quotes: list[_Quote] = []
    open_tok: _Tok | None = None
    single_open: _Tok | None = None
    paragraph_end = _paragraph_end(text, 0)
    for i, tok in enumerate(tokens):
        if tok.start >= paragraph_end:
            if open_tok is not None:
                quotes.append(_unclosed_quote(text, open_tok, paragraph_end))
            open_tok = single_open = None
            paragraph_end = _paragraph_end(text, tok.start)
        mark = tok.text
        if mark not in _QUOTE_MARKS and mark != "'":
            continue
        before = text[tok.start - 1] if tok.start > 0 else " "
        after = text[tok.end] if tok.end < len(text) else " "
        if mark == "'":
            # British style quotes with straight single marks ('We never sent drones,' the minister said).
            # Apostrophes stay apostrophes: an opening mark stands before a letter after a boundary, a
            # closing one ends on or stands before punctuation (not "the ministers' views").
            if open_tok is not None:
                continue
            if single_open is None and (before.isspace() or before in "([—–\"“") and after.isalpha():
                single_open = tok
            elif single_open is not None and not before.isspace() and not after.isalnum() \
                    and (before in ",.?!" or after in ",.;:?!)\n" or after == " " and text[tok.end:tok.end + 2] == " -"):
                if tok.start - single_open.end > 1:
                    quotes.append(_Quote(single_open.start, single_open.end, tok.start, tok.end, True))
                single_open = None
            continue
        if mark in _OPEN_QUOTES and open_tok is not None:
            # A second opening mark: the first quotation may have closed on a single mark (“...,’ she said. “...”).
            earlier = _unclosed_quote(text, open_tok, tok.start)
            if earlier.closed:
                quotes.append(earlier)
                open_tok = tok
            continue
        if mark in _OPEN_QUOTES or (mark in _AMBIGUOUS_QUOTES and open_tok is None):
            if open_tok is None and single_open is None:
                if mark in _AMBIGUOUS_QUOTES and after.isspace() and not before.isspace():
                    continue  # a stray closing mark
                open_tok = tok
            continue
        if mark in _CLOSE_QUOTES and open_tok is None and single_open is None and (tok.start == 0 or before == "\n") \
                and after.isalnum():
            open_tok = tok  # a paragraph opening with a closing mark: a typo for the opening one
            continue
        if mark in _CLOSE_QUOTES or mark in _AMBIGUOUS_QUOTES:
            if open_tok is not None:
                quotes.append(_Quote(open_tok.start, open_tok.end, tok.start, tok.end, True))
                open_tok = None
            continue
        # Single quotes: only a ‘ after a boundary opens, only a ’ before a non-letter closes.
        if open_tok is not None:
            continue
        if mark == "‘" and (before.isspace() or before in "([—–-\"“") and not after.isspace():
            single_open = tok
        elif mark == "’" and single_open is not None and not after.isalnum():
            if tok.start - single_open.end > 1:
                quotes.append(_Quote(single_open.start, single_open.end, tok.start, tok.end, True))
            single_open = None
    if open_tok is not None:
        quotes.append(_unclosed_quote(text, open_tok, paragraph_end))
    return quotes


_MISMATCHED_CLOSE_RE = re.compile(r"[,.?!]’(?=\s)")


def _unclosed_quote(text: str, open_tok: _Tok, paragraph_end: int) -> _Quote:
    """Return the quotation a double mark opens when no double mark closes it in its paragraph.

    “We never sent drones,’ the minister said: a single mark after the quotation's last punctuation
    closes it (when no single mark opened inside it); otherwise it runs to the paragraph's end, as a
    quotation continued in the next paragraph does.
    """
    if "‘" not in text[open_tok.end:paragraph_end]:
        match = _MISMATCHED_CLOSE_RE.search(text, open_tok.end, paragraph_end)
        if match is not None:
            return _Quote(open_tok.start, open_tok.end, match.end() - 1, match.end(), True)
    return _Quote(open_tok.start, open_tok.end, paragraph_end, paragraph_end, False)


def _paragraph_end(text: str, pos: int) -> int:
    """Return the offset of the newline ending the paragraph at pos (or the text's end)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _tokenize(text: str) -> list[_Tok]:
    """Return word and punctuation tokens with their offsets."""
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


# --------------------------------------------------------------------------- document view


class _Doc:
    """Tokens, quotations and sentence units of one text, with position lookups."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.tok_starts = [t.start for t in self.tokens]
        self.quotes = _find_quotes(text, self.tokens)
        self.quote_starts = [q.open_start for q in self.quotes]
        self.sentences = self._sentences()
        self.sentence_starts = [first for first, _ in self.sentences]
        self.extra_cues: set[int] = set()  # token offsets a model marks as cues outside the lexicon
        self.blocked_cues: set[int] = set()  # token offsets a model rejects as cues
        self.cue_probs: dict[int, float] = {}  # token index -> cue-model probability
        self.encoded_cue_probs: dict[int, float] | None = None  # token index -> contextual cue tagger's, if read

    def quote_at(self, pos: int) -> _Quote | None:
        """Return the quotation whose marks enclose pos, if any."""
        i = bisect.bisect_right(self.quote_starts, pos) - 1
        if i >= 0 and self.quotes[i].open_start <= pos < self.quotes[i].close_end:
            return self.quotes[i]
        return None

    def sentence_of(self, token: int) -> tuple[int, int]:
        """Return the (first token, end token) range of the sentence that holds a token."""
        i = bisect.bisect_right(self.sentence_starts, token) - 1
        if i < 0 or token >= self.sentences[i][1]:
            return token, token + 1
        return self.sentences[i]

    def inside_quote(self, pos: int) -> bool:
        quote = self.quote_at(pos)
        return quote is not None and quote.start <= pos < quote.end

    def _sentences(self) -> list[tuple[int, int]]:
        """Return (first token, end token) index ranges of sentences cut outside quotations."""
        text = self.text
        cuts: set[int] = set()
        for m in _SENTENCE_END_RE.finditer(text):
            end = m.end()
            quote = self.quote_at(m.start())
            if quote is not None and not (quote.close_end <= end):
                continue
            if quote is not None and _attribution_follows(text, end):
                continue  # '"Why?" Graham asked.' is one sentence
            word = re.search(r"([\w.]+)\.*$", text[max(0, m.start() - 12): m.start() + 1])
            if m.group()[0] == "." and word:
                stem = word.group(1).rstrip(".").lower()
                if stem in _ABBREVIATIONS or _INITIALS_RE.fullmatch(stem):
                    continue  # "Mr.", "J.", "G.K. Butterfield"
            cuts.add(end)
        for m in re.finditer(r"\n", text):
            cuts.add(m.start())
        for m in _DATELINE_RE.finditer(text):
            cuts.add(m.end())  # "BRUSSELS - European leaders gathered": the place is no one's subject
        ranges: list[tuple[int, int]] = []
        first = 0
        for i, tok in enumerate(self.tokens):
            if i > first and any(c <= tok.start for c in _cuts_between(cuts, self.tokens[i - 1].end, tok.start)):
                ranges.append((first, i))
                first = i
        if first < len(self.tokens):
            ranges.append((first, len(self.tokens)))
        return ranges


# A dateline or run-in capitalised heading opening a paragraph: "WASHINGTON (AP) — ", "BRUSSELS - ".
_DATELINE_RE = re.compile(r"(?m)^[A-Z][A-Z .,’']{2,40}(?:\([A-Za-z]+\))?[ \t]*(?:--|—|–|-)[ \t]")
_FOLLOWING_CUE_RE = re.compile(r"\s+(?:[\w.’'\-]+\s+){0,5}?([a-z]+)\b")


def _attribution_follows(text: str, pos: int) -> bool:
    """Return True when a speech cue follows pos within a few words ("?” Graham asked")."""
    window = text[pos:pos + 100]
    words = re.findall(r"[\w’'\-]+|[.!?,;:]", window)[:9]
    for index, w in enumerate(words[:5]):
        if w in ".!?,;:":
            return False
        if w in cues.CUE_FORMS and cues.CUE_FORMS[w] in cues.SPEECH_VERBS and not w.endswith("ing"):
            after = words[index + 1] if index + 1 < len(words) else "."
            # '"Why?" Graham asked.' / '"No," said the minister' -- but not '. The agency said Korea had ...'
            return index == 0 or after in ".!?,;:" or after.lower() in cues.ADJUNCT_STARTS
    return False


def _cuts_between(cuts: set[int], a: int, b: int) -> list[int]:
    """Return the cut offsets lying in [a, b]."""
    return [c for c in range(a, b + 1) if c in cuts]


# --------------------------------------------------------------------------- persons and coreference


@lru_cache(maxsize=1)
def _gender_detector():
    """Return a first-name gender detector, or None when gender-guesser is not installed."""
    try:
        import gender_guesser.detector as detector
    except ImportError:  # optional: without it pronouns resolve to the most recent person
        return None
    return detector.Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def _first_name_gender(name: str) -> str:
    """Return 'male', 'female', 'unknown' (not a first name) or 'both' for a first name."""
    detector = _gender_detector()
    if detector is None:
        return "both"
    guess = detector.get_gender(name)
    if guess in ("male", "mostly_male"):
        return "male"
    if guess in ("female", "mostly_female"):
        return "female"
    return "both" if guess == "andy" else "unknown"


@dataclass
class _Person:
    name: str
    role: str | None
    gender: str  # male, female or both


@dataclass
class _People:
    """Persons named so far in a text, in order of mention."""

    persons: dict[str, _Person] = field(default_factory=dict)
    events: list[tuple[int, str]] = field(default_factory=list)  # (offset, person name)
    last_by_surname: dict[str, str] = field(default_factory=dict)  # surname -> full name noted last

    def add(self, name: str, role: str | None, pos: int, honorific: str | None = None) -> None:
        person = self.persons.get(name)
        if person is None:
            first = name.split()[0]
            gender = _first_name_gender(first)
            if honorific in ("mr", "sir", "lord"):
                gender = "male"
            elif honorific in ("mrs", "ms", "miss", "dame"):
                gender = "female"
            person = _Person(name, role, "both" if gender == "unknown" else gender)
            self.persons[name] = person
        elif role and not person.role:
            person.role = role
        self.note(pos, name)

    def note(self, pos: int, name: str) -> None:
        """Record a mention of a known person at pos, keeping events in text order."""
        bisect.insort(self.events, (pos, name))
        surname = name.split()[-1]
        if surname != name:
            self.last_by_surname[surname] = name

    def by_surname(self, surname: str) -> _Person | None:
        """Return the most recently noted person whose last name is surname (not surname alone)."""
        name = self.last_by_surname.get(surname)
        return self.persons[name] if name else None

    def recent(self, pos: int, gender: str | None) -> _Person | None:
        """Return the most recent person mentioned before pos with a compatible gender."""
        for at, name in reversed(self.events):
            if at >= pos:
                continue
            person = self.persons[name]
            if gender is None or person.gender in (gender, "both"):
                return person
        return None

    def by_role(self, words: list[str], pos: int) -> _Person | None:
        """Return the most recent person before pos whose role fits a role phrase's words."""
        head = words[-1].lower()
        modifiers = [w for w in words[:-1] if w.lower() not in cues.GENERIC_MODIFIERS]
        heads = cues.ROLE_SYNONYMS.get(head, (head,))
        for at, name in reversed(self.events):
            person = self.persons[name]
            if at >= pos or not person.role:
                continue
            role = person.role.lower()
            if not any(h in role for h in heads):
                continue
            if all(_modifier_fits(m, person.role) for m in modifiers):
                return person
        return None


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


def _scan_people(doc: _Doc) -> _People:
    """Return persons named in the text: role titles followed by a first and last name."""
    people = _People()
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
                         or tokens[j].low in _ROLE_TITLE_WORDS
                         or (tokens[j].low in ("of", "for", ".") and j + 1 < n and tokens[j + 1].is_cap)):
            if j > i and "\n" in doc.text[tokens[j - 1].end:tokens[j].start]:
                break
            j += 1
        words = [t.text for t in tokens[i:j] if t.text != "."]
        _register(people, words, tokens[i].start, tokens[j - 1].end if j > i else tok.end)
        i = max(j, i + 1)
    return people


def _register(people: _People, words: list[str], start: int, pos: int) -> None:
    """Add a person to people when words hold a name (with any role before it)."""
    honorific = None
    if words and words[0].lower().rstrip(".") in cues.HONORIFICS:
        honorific = words[0].lower().rstrip(".")
    name, role = _split_name_role(words)
    if _member_of_body(role):
        return  # "the spokesman for Acme Corp": the capitalised words name a body, not a person
    name = [w[:-2] if w.endswith(("'s", "’s")) else w for w in name]
    if not name:
        return
    full = " ".join(name)
    if len(name) == 1:
        known = people.by_surname(full)
        if known is not None:
            people.add(known.name, None, start)
        elif honorific or (role and role[-1].lower().rstrip(".") in (cues.TITLE_WORDS | cues.ROLE_HEADS) - _LINK_WORDS):
            people.add(full, " ".join(role) or None, start, honorific)
        return
    first_gender = _first_name_gender(name[0])
    has_title = bool(role) and any(w.lower().rstrip(".") in cues.TITLE_WORDS | cues.ROLE_HEADS for w in role)
    if first_gender != "unknown" or has_title or honorific:
        people.add(full, " ".join(role) or None, start, honorific)


# --------------------------------------------------------------------------- extraction


@dataclass
class _Found:
    speaker: tuple[int, int] | None  # token range
    cue: tuple[int, int]
    content: tuple[int, int]  # character offsets
    trailing: bool = False
    kind: str = "complement"  # which surface form matched (a feature of the ranker)


# Cue-model thresholds, chosen on PolNeAR dev (see the report of pipeline.eval_polnear).
CUE_ADD_THRESHOLD = 0.5  # a token outside the lexicon becomes a cue at this probability
CUE_DROP_THRESHOLD = 0.1  # a lexicon hit below this probability is not a cue
# With the candidate ranker, cues are proposed generously and the ranker decides.
RANKED_CUE_ADD_THRESHOLD = 0.3
RANKED_CUE_DROP_THRESHOLD = 0.1
RANK_THRESHOLD = 0.4
# "X was reported by Y": the ranker saw few passives in training and rejects most of them; the rule's
# agent phrase is a reliable speaker, so passives need only this score (and keep the rule's agent).
PASSIVE_RANK_THRESHOLD = 0.1


SCOPES = ("statements", "polnear")
# Role tagger: a cue-model token outside every rule attribution becomes an attribution (scope
# "polnear" only) at this cue probability, when the tagger finds both a source and a content for it.
TAGGED_CUE_THRESHOLD = 0.4
# ... or at this probability of the contextual cue tagger (pipeline.encoders), when it is installed,
# blended with the cue CRF's: ENCODED_CUE_WEIGHT * encoder + (1 - ENCODED_CUE_WEIGHT) * CRF. Two models
# that read a sentence differently err on different words; the blend steadies what a retrain of the
# encoder adds (dev speaker F1 of two seeds' cue taggers: 0.806 and 0.796 alone, 0.8045 and 0.8005 blended).
ENCODED_CUE_THRESHOLD = 0.5
ENCODED_CUE_WEIGHT = 0.7
# A rule candidate's cue must have this probability under the contextual cue tagger, when it is installed.
ENCODER_AGREEMENT = 0.7
# ... and when the tagger is this sure of every token of the source it marks for it (a cue word the
# rules did not read is often no cue; an unsure source is the sign).
TAGGED_SOURCE_CONFIDENCE = 0.6
ENCODED_SOURCE_CONFIDENCE = 0.7  # the same for the contextual role tagger's label probabilities


def extract_attributions(text: str, use_model: bool = True, scope: str = "statements") -> list[Attribution]:
    """Return the attributions in text (speaker, cue, content, directness, certainty) in text order.

    With use_model (default) the trained models, when their files are present, take part: the cue
    tagger adds cues outside the lexicon and drops lexicon words used otherwise, the ranker keeps the
    likely candidates and the role tagger (a CRF trained on PolNeAR) marks each cue's source span.
    scope "statements" (the product) keeps speech, communication and belief cues only; scope
    "polnear" also keeps what PolNeAR annotates as attribution (intentions, plans, perceptions:
    "wants", "aimed", "seeks") and adds role-tagger attributions for cue words no rule understood.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    return _extract(text, use_model=use_model, scope=scope)


def _model_cue_sets(doc: _Doc, add: float, drop: float, cue_model=None) -> tuple[set[int], set[int]]:
    """Return (offsets to add as cues, offsets to block) from the cue tagger's probabilities."""
    from pipeline import attribution_model

    probs = attribution_model.cue_probabilities(doc, cue_model)
    doc.cue_probs = probs
    extra: set[int] = set()
    blocked: set[int] = set()
    for i, p in probs.items():
        tok = doc.tokens[i]
        low = tok.low
        if low in cues.CUE_FORMS or low in cues.NOMINAL_CUES or low == "according":
            if p < drop:
                blocked.add(tok.start)
        elif p >= add and tok.text.isalpha() and low not in cues.AUXILIARIES and low not in cues.DETERMINERS \
                and low not in cues.NP_STOPS and low not in cues.OTHER_PRONOUNS and not low.endswith("ly") \
                and low not in _PREPOSITIONS \
                and _verb_like(doc, i):
            extra.add(tok.start)
    return extra, blocked


# "reports of", "chants of": the cue tagger's context words; as cues they make the noun before them a speaker.
_PREPOSITIONS = frozenset("of for about at in on to with from by into over against".split())


def _verb_like(doc: _Doc, i: int) -> bool:
    """Return True when token i can be a verb: an inflected form, or after an auxiliary, 'to' or a subject."""
    low = doc.tokens[i].low
    if low.endswith(("ed", "ing", "s")):
        return True
    if i == 0:
        return False
    prev = doc.tokens[i - 1]
    if prev.low.endswith(("'s", "’s")) or prev.text in ("’", "'"):
        return False
    return prev.low in cues.AUXILIARIES or prev.low == "to" or prev.low in cues.OTHER_PRONOUNS \
        or prev.low in cues.PERSONAL_PRONOUNS or (prev.low.endswith("s") and not _adjective_like(prev.low))


def _candidates(text: str, use_model: bool, add: float, drop: float, cue_model=None,
                extra_cues: set[int] | None = None, blocked_cues: set[int] | None = None):
    """Return (parsed document, people, candidate attributions) before any ranking."""
    doc = _Doc(text)
    doc.extra_cues = set(extra_cues or ())
    doc.blocked_cues = set(blocked_cues or ())
    if use_model:
        extra, blocked = _model_cue_sets(doc, add, drop, cue_model)
        doc.extra_cues |= extra
        doc.blocked_cues |= blocked
    people = _scan_people(doc)
    per_sentence = [_sentence_attributions(doc, first, last) for first, last in doc.sentences]
    _extend_following_quotes(doc, per_sentence)
    found = [f for group in per_sentence for f in group]
    signed = _dash_signatures(doc)
    if signed:
        taken = {f.content[0] for f in found}
        found = sorted(found + [f for f in signed if f.content[0] not in taken], key=lambda f: f.cue[0])
    found = _extend_paragraph_quotes(doc, found)
    return doc, people, found


def _extract(text: str, extra_cues: set[int] | None = None, blocked_cues: set[int] | None = None,
             use_model: bool = False, add: float | None = None, drop: float | None = None,
             rank_threshold: float | None = None, scope: str = "polnear") -> list[Attribution]:
    """Return attributions; with use_model the cue tagger proposes cues and the ranker keeps the likely ones."""
    if not text or not text.strip():
        return []
    from pipeline import attribution_model, encoders

    ranked = use_model and attribution_model.ranker_available()
    if add is None:
        add = RANKED_CUE_ADD_THRESHOLD if ranked else CUE_ADD_THRESHOLD
    if drop is None:
        drop = RANKED_CUE_DROP_THRESHOLD if ranked else CUE_DROP_THRESHOLD
    doc, people, found = _candidates(text, use_model, add, drop, None, extra_cues, blocked_cues)
    if ranked and found:
        threshold = RANK_THRESHOLD if rank_threshold is None else rank_threshold
        scores = attribution_model.rank_scores(doc, found)
        found = [f for f, score in zip(found, scores)
                 if score >= threshold or f.kind in ("poll", "headline", "nominal")
                 or f.kind == "passive" and score >= PASSIVE_RANK_THRESHOLD]
    if scope == "statements":
        found = [f for f in found if _statement_cue(doc, f)]
    if use_model and attribution_model.role_tagger_available():
        _tag_speakers(doc, found, keep_clauses=scope == "polnear")
    if scope == "polnear":
        if use_model:
            doc.encoded_cue_probs = encoders.cue_probabilities(doc)
            found = _encoder_agrees(doc, found)
        found = _outermost(doc, found)
        if use_model and attribution_model.role_tagger_available():
            found = _add_tagged(doc, found)
        for f in found:
            if f.cue[1] - f.cue[0] == 1 and (doc.tokens[f.cue[0]].low in _RAISING_VERBS or _naming_participle(doc, f.cue[0])):
                f.speaker = None
    return [a for a in (_build(doc, people, f) for f in found) if a is not None]


# "No major polls appear to have been conducted", "Trump's supporters seemed unperturbed": PolNeAR reads
# the subject of a raising verb as part of what is perceived, an attribution without a source.
_RAISING_VERBS = frozenset("appear appears appeared appearing seem seems seemed seeming".split())
_HAVE_FORMS = frozenset("have has had having".split())


def _naming_participle(doc: _Doc, i: int) -> bool:
    """Return True for "X, known as Y", "a state known for", "a book titled": the noun before is what is named.

    PolNeAR reads these as attributions without a source ("known" after a form of "have" is a verb of
    its own: "Trump had known him").
    """
    low = doc.tokens[i].low
    if low in ("titled", "entitled"):
        return True
    before = doc.tokens[i - 1].low if i > 0 else ""
    return low == "known" and not (before in _HAVE_FORMS or before.endswith(("'ve", "’ve")))


def _outermost(doc: _Doc, found: list[_Found]) -> list[_Found]:
    """Return found without the attributions whose cue lies inside another one's content.

    PolNeAR's annotators mostly mark the outer statement only ("he said witnesses saw a gun"); the
    product keeps embedded statements, which are claims of their own ("X said Y denied Z").
    """
    def inside(f: _Found, g: _Found) -> bool:
        return g is not f and g.content[0] <= doc.tokens[f.cue[0]].start < g.content[1]

    # Two contents that hold each other's cue ('he cited are "...," The Hill reported'): the trailing
    # cue closes the sentence and is the outer statement.
    return [f for f in found if not any(inside(f, g) and not (f.trailing and not g.trailing and inside(g, f))
                                        for g in found)]


# Read by rule from their form, not from a cue word the encoder could weigh.
_FORM_KINDS = frozenset(("poll", "headline", "signature", "colon", "passive", "according"))


def _encoder_agrees(doc: _Doc, found: list[_Found]) -> list[_Found]:
    """Return the candidates whose cue the contextual cue tagger also reads as a cue (all without it).

    The rules and the linear cue model take a lexicon word for a cue wherever a subject and a clause
    surround it ("the decision *found* its way"); the encoder reads the sentence and knows better.
    """
    probs = doc.encoded_cue_probs
    if probs is None:
        return found
    kept = []
    for f in found:
        scores = [probs[k] for k in range(f.cue[0], f.cue[1]) if k in probs]
        if f.kind in _FORM_KINDS or not scores or max(scores) >= ENCODER_AGREEMENT:
            kept.append(f)
    return kept


def _statement_cue(doc: _Doc, f: _Found) -> bool:
    """Return True when a candidate's cue makes a statement for the product (speech, communication, belief).

    Cue-model proposals outside the lexicon count only for communication verbs; belief verbs need a
    clause after them ("feels that ...", not "feeling the economic fallout").
    """
    if f.kind in ("colon", "headline", "signature", "according", "nominal"):
        return True
    tokens = doc.tokens
    lemma = cues.statement_lemma(tokens[f.cue[0]].low)
    if lemma is None:
        return False
    if lemma in cues.COGNITION_VERBS and f.kind == "complement":
        after = f.cue[1]
        while after < len(tokens) and (tokens[after].low in cues.TIME_WORDS or tokens[after].text == ","):
            after += 1
        if tokens[f.cue[0]].low.endswith("ing"):
            # "feeling the economic fallout": a participle takes an object, not a statement
            return after < len(tokens) and (tokens[after].low in ("that", ":") or tokens[after].text in _QUOTE_MARKS)
        return after < len(tokens) and _has_clause_marker(doc, after, len(tokens))
    return True


def _label_runs(labels: list[str], want: str) -> list[tuple[int, int]]:
    """Return the (start, end) index ranges of consecutive labels equal to want."""
    runs = []
    k = 0
    while k < len(labels):
        if labels[k] == want:
            j = k
            while j < len(labels) and labels[j] == want:
                j += 1
            runs.append((k, j))
            k = j
        else:
            k += 1
    return runs


def _nearest_run(runs: list[tuple[int, int]], anchor: int) -> tuple[int, int]:
    return min(runs, key=lambda r: min(abs(r[0] - anchor), abs(r[1] - 1 - anchor)))


def _role_spans(doc: _Doc, anchor: int, hinted: bool = True, min_source_confidence: float = 0.0,
                tagged: tuple[list[str], list[float]] | None = None) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Return (source token range, content token range) the role tagger marks for the cue at anchor.

    hinted: give the tagger the rules' speaker for the cue (speaker_hint) as it had in training.
    A source any of whose tokens the tagger labels S with a lower marginal than min_source_confidence
    counts as none. tagged: labels and confidences another tagger gave the cue's sentence (the role CRF
    is asked otherwise).
    """
    from pipeline import attribution_model

    first = attribution_model.role_window(doc, anchor)[0]
    if tagged is None:
        hint = speaker_hint(doc, anchor) if hinted else None
        tagged = attribution_model.tag_roles(doc, (anchor, anchor + 1), hint=hint)
    if tagged is None:
        return None, None
    labels, confidence = tagged
    at = anchor - first
    source = content = None
    sources = _label_runs(labels, "S")
    if sources:
        s, e = _nearest_run(sources, at)
        if min(confidence[s:e]) >= min_source_confidence:
            source = _trim_source(doc, first + s, first + e)
    contents = _label_runs(labels, "C")
    if contents:
        near = _nearest_run(contents, at)
        same_side = [r for r in contents if (r[0] > at) == (near[0] > at)]
        content = (first + same_side[0][0], first + same_side[-1][1])
    return source, content


def speaker_hint(doc: _Doc, anchor: int) -> tuple[int, int] | None:
    """Return the speaker noun phrase the rules read for a cue word at anchor, for the role tagger.

    The subject before the cue, else after '"...," said' or ', said' the inverted speaker after it;
    computed from the cue word alone, so that training (gold cues) and extraction see the same hint.
    """
    from pipeline import attribution_model

    first, last = attribution_model.role_window(doc, anchor)
    tokens = doc.tokens
    span = _speaker_before(doc, first, anchor)
    if span is None and anchor > first and (tokens[anchor - 1].text == "," or tokens[anchor - 1].text in _QUOTE_MARKS):
        span = _np_forward(doc, anchor + 1, last, clause_tail=True)
    return span


def _trim_source(doc: _Doc, start: int, end: int) -> tuple[int, int] | None:
    """Return a tagged source range without a dangling conjunction or punctuation at its edges.

    "who make up 80 percent of the investors and see ...": the "and" joins two verbs of one subject.
    """
    tokens = doc.tokens
    while end > start and (tokens[end - 1].low in ("and", "or", "but") or tokens[end - 1].text in (",", ";", ":", "—", "–")):
        end -= 1
    while start < end and (tokens[start].low in ("and", "or", "but") or tokens[start].text in (",", ";", ":", "—", "–")):
        start += 1
    return (start, end) if end > start else None


def _tag_speakers(doc: _Doc, found: list[_Found], keep_clauses: bool) -> None:
    """Replace each candidate's speaker span by the role tagger's source span where it marks one.

    The tagger reads the rules' speaker as a hint (pipeline.attribution.speaker_hint) and learned
    where PolNeAR's source extent differs from it: relative clauses, postmodifiers and appositions
    before the noun the rules stopped at ("Many people involved in the negotiations"), or another
    noun phrase altogether. It reads one sentence without syntax, so it may not run a speaker on
    to the right over a time or a verb; a coordinated cue ("... and said") keeps the speaker
    carried over from its first cue. keep_clauses: see _finished_clause.
    """
    redrawn: dict[tuple[int, int], tuple[int, int]] = {}  # rule speaker -> tagger's extent of it
    for f in found:
        if f.kind in ("poll", "passive", "headline", "signature", "nominal"):
            # Read by rule: the tagger never saw "in" or a signature's dash as a cue ("― Edwin G.
            # Monroy"), a passive's agent follows "by", and a nominal's speaker is its possessive
            # ("The spokesman said Tehran's statements ...": not "The spokesman said Tehran's").
            continue
        if f.kind == "coordinated":
            # The speaker was carried over from an earlier cue: it follows that cue's new extent.
            if f.speaker is not None:
                f.speaker = redrawn.get(f.speaker, f.speaker)
            continue
        source, _ = _role_spans(doc, f.cue[0])
        if source is None:
            continue
        if f.speaker is not None and source[0] < f.speaker[1] and f.speaker[0] < source[1]:
            start, end = source
            if end > f.speaker[1] and not _right_extension_ok(doc, f.speaker[1], end):
                end = f.speaker[1]  # "X said on Sunday", "X, summing up the talks, said": not who X is
            if start < f.speaker[0]:
                start = _left_extension_start(doc, start, f.speaker[0])
            end = _before_content(doc, f, start, end)
            while end > start + 1 and doc.tokens[end - 1].text in (",", ";", ":", "—", "–"):
                end -= 1
            source = _finished_clause(doc, (start, end), f.speaker, keep_clauses)
        if f.speaker is not None:
            redrawn[f.speaker] = source
        f.speaker = source


def _before_content(doc: _Doc, f: _Found, start: int, end: int) -> int:
    """Return end, cut where f's content begins: a source never runs into what it says.

    "According to the Pentagon, the drones came from Iran.": the tagger read the comma as an
    apposition's and ran the source over the content, whose names then chose the party (Iran).
    """
    content_start = f.content[0]
    if doc.tokens[start].start >= content_start:
        return end  # content before the speaker ("'...,' Smith said"): nothing to cut
    while end > start + 1 and doc.tokens[end - 1].end > content_start:
        end -= 1
    return end


def _finished_clause(doc: _Doc, source: tuple[int, int], rule: tuple[int, int], keep_clause: bool) -> tuple[int, int]:
    """Return source without a relative clause or apposition it leaves unfinished inside the rule speaker.

    "Mr. Obama, who understood that a push | would be fruitless, told": the tagger stops at the
    verb, but a source never ends inside a comma-delimited clause. PolNeAR's annotators mark the
    whole clause (keep_clause: up to the rule speaker's end); the product keeps the name before it,
    so that the clause's own names ("who has backed Hillary Clinton") never decide the party.
    """
    tokens = doc.tokens
    start, end = source
    if end >= rule[1] or tokens[end].text in (",", ")", "—", "–", ":", ";"):
        return source
    for k in range(end - 1, start, -1):
        if tokens[k].text == "," and (tokens[k + 1].low in _RELATIVES or tokens[k + 1].low in ("a", "an", "the")):
            return (start, rule[1]) if keep_clause else (start, k)
    return source


def _right_extension_ok(doc: _Doc, speaker_end: int, end: int) -> bool:
    """Return True when the tagger's source may run on to end, right of the rule speaker.

    An apposition after a comma or bracket ("X, a lawyer,"), a name-internal mark ("a New York
    Times/CBS News poll") or a place phrase ("one GOP source in the room") belongs to the speaker;
    "X, summing up the talks," (a participle clause), "on Sunday" and a verb do not.
    """
    tokens = doc.tokens
    nxt = tokens[speaker_end]
    if nxt.text == "," and (speaker_end + 1 < len(tokens) and tokens[speaker_end + 1].low in ("and", "but", "or")
                            or end < len(tokens) and tokens[end].low in cues.AUXILIARIES and not tokens[end].is_cap):
        return False  # "according to Ham, the current administration has ...": a clause, no apposition
    if nxt.text in (",", "("):
        return not _participle_clause(doc, speaker_end + 1)
    if nxt.text in ("/", "–", "—"):
        return True
    phrase = tokens[speaker_end + 1:end]
    return (nxt.low in ("on", "in", "with", "from", "of") and bool(phrase) and phrase[0].low in ("the", "a", "an")
            and not any(t.low in cues.TIME_WORDS for t in phrase))


def _left_extension_start(doc: _Doc, start: int, speaker_start: int) -> int:
    """Return where the tagger's source, begun at start left of the rule speaker, may begin.

    A head noun's premodifiers and an apposition before a name ("The minister of the economy, Mr.
    Guajardo Villarreal,") belong to the speaker; the sentence's fronted clause ("Although Scott
    lacks an achievement, elected officials say") does not: the source starts after its comma.
    (A phrase joined by a subordinator, "Hawaii, as one of his advisers pointed out", looked like a
    second case, but stopping there cost more on PolNeAR train than it won.)
    """
    from pipeline import attribution_model

    first, last = attribution_model.role_window(doc, start)  # the sentence the tagger read
    comma = _fronted_clause_comma(doc, first, last)
    return comma + 1 if comma is not None and start <= comma < speaker_start else start


def _participle_clause(doc: _Doc, k: int) -> bool:
    """Return True when token k opens a participle clause ("summing up", "speaking to reporters")."""
    if k >= len(doc.tokens):
        return False
    tok = doc.tokens[k]
    return not tok.is_cap and tok.low.endswith("ing") and len(tok.low) > 5


def _add_tagged(doc: _Doc, found: list[_Found]) -> list[_Found]:
    """Return found plus role-tagger attributions for confident cue words no candidate uses.

    The cue words come from the contextual cue tagger blended with the cue CRF when the encoder is
    installed, else from the cue sequence tagger (a CRF over the sentence) when its model is present,
    else from the linear cue tagger. The sequence taggers read the whole sentence, so their words are
    taken as they are ("according", "support", a colon); the linear tagger's words must look like a
    verb or a lexicon cue.
    """
    from pipeline import attribution_model

    tokens = doc.tokens
    used = {k for f in found for k in range(f.cue[0] - 1, f.cue[1] + 1)}
    read = set(used)  # tokens no new cue can come from: used cues and the contents found
    for f in found:
        read.update(range(bisect.bisect_left(doc.tok_starts, f.content[0]), bisect.bisect_left(doc.tok_starts, f.content[1])))
    threshold = ENCODED_CUE_THRESHOLD
    seq_probs = doc.encoded_cue_probs
    if seq_probs is None:
        threshold = TAGGED_CUE_THRESHOLD
        seq_probs = attribution_model.cue_crf_probabilities(doc, skip=read)
    else:
        seq_probs = blend_cue_probabilities(seq_probs, attribution_model.cue_crf_probabilities(doc))
    probs = doc.cue_probs if seq_probs is None else seq_probs
    hot = sorted(i for i, p in probs.items() if p >= threshold and tokens[i].is_word)
    groups: list[list[int]] = []
    for i in hot:
        if groups and i == groups[-1][-1] + 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    added = []
    for group in groups:
        if any(k in used for k in group):
            continue
        anchor = attribution_model.cue_anchor(doc, group)
        if seq_probs is None and (not (tokens[anchor].low in cues.CUE_FORMS or tokens[anchor].low in cues.NOMINAL_CUES
                                       or _verb_like(doc, anchor)) or tokens[anchor].low in cues.NP_STOPS):
            continue  # "about", "of", "have": the linear cue model's context words, not cues of their own
        if any(f.content[0] <= tokens[anchor].start < f.content[1] for f in found):
            continue  # inside a found statement's content: an embedded clause, rarely annotated apart
        if _describes_document(tokens, anchor):
            continue  # "A report released Tuesday found": the participle names the source, the verb is the cue
        source, content = _tagged_roles(doc, anchor)
        if source is None or content is None:
            continue
        start, end = tokens[content[0]].start, _trim_end(doc, tokens[content[1] - 1].end)
        quote = doc.quote_at(start)
        if quote is not None and quote.open_start == start and quote.closed and end < quote.close_end:
            end = quote.close_end  # the tagger reads one sentence; a quotation runs to its mark
        if any(f.content[0] < end and start < f.content[1] for f in found):
            continue  # 'The senator was blunt: "...," she said': the content has its cue already
        if end > start:
            tagged = _Found(source, (group[0], group[-1] + 1), (start, end), kind="tagged")
            window_first, window_last = attribution_model.role_window(doc, anchor)
            _keep_to_own_clause(doc, tagged, _fronted_clause_comma(doc, window_first, window_last), window_last)
            added.append(tagged)
    return sorted(found + added, key=lambda f: f.cue[0])


def blend_cue_probabilities(encoded: dict[int, float], crf: dict[int, float] | None) -> dict[int, float]:
    """Return token -> the contextual cue tagger's probability blended with the cue CRF's (the encoder's alone without the CRF).

    A token the CRF did not score (it reads word tokens outside quotes, like the encoder) counts as 0.
    """
    if crf is None:
        return encoded
    return {k: ENCODED_CUE_WEIGHT * p + (1 - ENCODED_CUE_WEIGHT) * crf.get(k, 0.0) for k, p in encoded.items()}


def _tagged_roles(doc: _Doc, anchor: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Return (source, content) token ranges for a cue word no rule read, from the surest tagger installed.

    The contextual role tagger (pipeline.encoders) reads the sentence with the rules' speaker marked as
    a hint. Without it the role CRF is asked with no hint first: the rules read no statement here, and
    a noun phrase they would take before a long-tail cue word ("the charges", "the questions")
    misleads the CRF more than it helps; it is given the hint only when it finds no source it is sure
    of without it.
    """
    from pipeline import attribution_model, encoders

    window = attribution_model.role_window(doc, anchor)
    tagged = encoders.tag_roles(doc, window, (anchor, anchor + 1), speaker_hint(doc, anchor))
    if tagged is not None:
        return _role_spans(doc, anchor, min_source_confidence=ENCODED_SOURCE_CONFIDENCE, tagged=tagged)
    source, content = _role_spans(doc, anchor, hinted=False, min_source_confidence=TAGGED_SOURCE_CONFIDENCE)
    if source is None and content is not None:
        # Unsure without the rules' noun phrase: with it (as in training) the tagger may be sure.
        source, _ = _role_spans(doc, anchor, hinted=True, min_source_confidence=TAGGED_SOURCE_CONFIDENCE)
    return source, content


def _sentence_attributions(doc: _Doc, first: int, last: int) -> list[_Found]:
    """Return the attributions whose cue lies in the sentence tokens[first:last]."""
    tokens = doc.tokens
    results: list[_Found] = []
    i = first
    label = _colon_label(doc, first, last)
    if label is not None:
        results.append(label)
        i = label.cue[1]
    while i < last:
        tok = tokens[i]
        low = tok.low
        if not tok.is_word or doc.inside_quote(tok.start):
            i += 1
            continue
        hit: _Found | None = None
        if low == "according" and i + 1 < last and tokens[i + 1].low == "to":
            hit = _according_to(doc, first, last, i)
        elif low == "in" and i + 1 < last:
            hit = _in_poll(doc, first, last, i)
        elif _owned_noun(tokens, first, i):
            # "Moscow's claims fell apart", "the aides' briefing said": a noun after its owner, no verb.
            # A possessive statement noun is read by its form, whatever the cue model makes of the word.
            hit = _nominal_cue(doc, first, last, i) if low in cues.NOMINAL_CUES else None
        elif tok.start in doc.blocked_cues:
            hit = None
        elif (low in cues.CUE_FORMS or tok.start in doc.extra_cues) and (
                not tok.is_cap or i == first or _title_case(doc, first, last)):
            hit = _verb_cue(doc, first, last, i, results)
        elif low in cues.NOMINAL_CUES:
            hit = _nominal_cue(doc, first, last, i)
        if hit is not None:
            results.append(hit)
            i = hit.cue[1]
        else:
            i += 1
    comma = _fronted_clause_comma(doc, first, last)
    for f in results:
        _keep_to_own_clause(doc, f, comma, last)
    return results


_FRONTED_SUBORDINATORS = _SUBORDINATORS | frozenset(("despite",))


def _fronted_clause_comma(doc: _Doc, first: int, last: int) -> int | None:
    """Return the comma closing a subordinate clause that opens the sentence, else None.

    "While he acknowledged funding was a reason, Ham also noted ...", "As Democratic leaders worried
    about X, President Obama is ...": a statement inside the fronted clause ends with it; the main
    clause after the comma is another statement (or none), never part of that content.
    """
    tokens = doc.tokens
    j = first
    while j < last and (not tokens[j].is_word or tokens[j].low in _CONNECTIVES or tokens[j].low == "even"):
        j += 1
    if j >= last or tokens[j].low not in _FRONTED_SUBORDINATORS or doc.inside_quote(tokens[j].start):
        return None
    for k in range(j + 2, last):
        if tokens[k].text == "," and not doc.inside_quote(tokens[k].start):
            return k
    return None


def _parenthetical_cue(doc: _Doc, after: int, comma: int) -> bool:
    """Return True when nothing but adjuncts follow a cue up to comma ("As X pointed out with a chart,", "as X put it,")."""
    tokens = doc.tokens
    if after < comma and tokens[after].low == "it":
        after += 1  # "As Ms. Simonyan put it in a statement,"
    if after >= comma or _only_adjuncts(doc, after, comma):
        return True
    return tokens[after].low in ("with", "in", "on", "at", "during") and not any(
        t.low == "that" or t.text in _QUOTE_MARKS for t in tokens[after:comma])


def _keep_to_own_clause(doc: _Doc, f: _Found, comma: int | None, last: int) -> None:
    """Cut f's content at `comma`, which closes a fronted subordinate clause of its sentence, on the cue's side.

    A cue inside the clause keeps the content up to the comma, unless only adjuncts follow the cue
    there ("As one user pointed out with a chart, the gap is vast": the main clause is the content);
    a cue after it loses the clause from a content read before it (a passive's subject).
    The comma comes from _fronted_clause_comma, asked once per sentence (None: no such clause).
    """
    if comma is None:
        return
    tokens = doc.tokens
    cut = tokens[comma].start
    if not f.content[0] < cut < f.content[1]:
        return
    if f.cue[1] <= comma:
        if not _parenthetical_cue(doc, f.cue[1], comma):
            f.content = (f.content[0], _trim_end(doc, cut))
    elif comma + 1 < last:
        f.content = (tokens[comma + 1].start, f.content[1])


_NOT_SPEAKER_LABELS = frozenset("""
related update updated note photo photos video watch read source sources credit tags tag category
categories description date image caption editor editors read more see also listen warning correction
disclosure advertisement transcript summary background q a question answer subscribe follow
published posted modified author authors byline by filed dateline location section topics keywords
headline title subject from to cc url link email contact length words reporting writing edited contributor
""".split())


def _colon_label(doc: _Doc, first: int, last: int) -> _Found | None:
    """Return 'SPEAKER: content' at the start of a line (headlines, transcripts), else None."""
    tokens = doc.tokens
    j = first
    if j < last and tokens[j].text in _QUOTE_MARKS:
        j += 1
    k = j
    while k < last and k - j < 4 and (tokens[k].is_cap and tokens[k].is_word and tokens[k].low not in ("and", "of", "the", "in")
                                      or tokens[k].text == "."
                                      or tokens[k].text in ("’s", "'s")):
        k += 1
    if k == j or k >= last - 1 or tokens[k].text != ":":
        # No short label before a colon: on a text's first line, a longer headline label may still be one.
        return _headline_label(doc, first, last, j) if doc.text[:tokens[first].start].strip() == "" else None
    if "\n" in doc.text[tokens[j].start:tokens[k].start]:
        return None
    if any(t.low.rstrip(".") in _NOT_SPEAKER_LABELS for t in tokens[j:k]) or tokens[k - 1].text[:1].isdigit():
        return None
    para_end = _paragraph_end(doc.text, tokens[k].end)
    c = k + 1
    if c >= len(tokens) or tokens[c].start >= para_end:
        return None
    end = _trim_end(doc, para_end)
    if end - tokens[c].start < 8:
        return None
    return _Found((j, k), (k, k + 1), (tokens[c].start, end), kind="colon")


def _headline_label(doc: _Doc, first: int, last: int, j: int) -> _Found | None:
    """Return the headline form 'A lesson from NAME: "quote"' / 'NAME Hammers X: "quote"' on a text's first line.

    The source is the name after a last "from" before the colon, else all of it; the content after the
    colon must be a quotation.
    """
    tokens = doc.tokens
    k = j
    while k < last and k - j <= 8 and tokens[k].text != ":":
        if not (tokens[k].is_word or tokens[k].text in (".", "’s", "'s", "-")) or "\n" in doc.text[tokens[j].start:tokens[k].end]:
            return None
        k += 1
    if k >= last - 1 or tokens[k].text != ":" or k - j < 2:
        return None
    c = k + 1
    if tokens[c].text not in _QUOTE_MARKS and tokens[c].text != "'":
        return None
    start = j
    for m in range(k - 1, j, -1):
        if tokens[m].low == "from":
            start = m + 1
            break
    if start == j and not _title_case(doc, j, k) or start > j and not all(t.is_cap for t in tokens[start:k] if t.is_word):
        return None
    if start >= k or any(t.low.rstrip(".") in _NOT_SPEAKER_LABELS for t in tokens[start:k]):
        return None
    para_end = _paragraph_end(doc.text, tokens[k].end)
    end = _trim_end(doc, para_end)
    if end - tokens[c].start < 8:
        return None
    return _Found((start, k), (k, k + 1), (tokens[c].start, end), kind="headline")


def _dash_signatures(doc: _Doc) -> list[_Found]:
    """Return '"<quote>" ― Name' attributions (a quotation signed after a dash at line end)."""
    found = []
    tokens = doc.tokens
    for q in doc.quotes:
        if not q.closed:
            continue
        i = bisect.bisect_left(doc.tok_starts, q.close_end)
        if i >= len(tokens) or tokens[i].text not in ("―", "—", "–", "-", "--"):
            continue
        line_end = _paragraph_end(doc.text, tokens[i].end)
        j = i + 1
        k = j
        while k < len(tokens) and tokens[k].start < line_end and (tokens[k].is_word and tokens[k].is_cap or tokens[k].text == "."):
            k += 1
        if k == j or k - j > 5 or doc.text[tokens[k - 1].end:line_end].strip(" .\u00a0"):
            continue
        found.append(_Found((j, k), (i, i + 1), (q.open_start, q.close_end), kind="signature"))
    return found


def _title_case(doc: _Doc, first: int, last: int) -> bool:
    """Return True for a headline-style line where most longer words are capitalised."""
    words = [t for t in doc.tokens[first:last] if t.is_word and len(t.text) > 3]
    return bool(words) and sum(t.is_cap for t in words) >= 0.7 * len(words)


def _verb_cue(doc: _Doc, first: int, last: int, i: int, previous: list[_Found]) -> _Found | None:
    """Return the attribution of a cue verb at token i, or None when it is not used as a cue."""
    tokens = doc.tokens
    low = tokens[i].low
    lemma = cues.CUE_FORMS.get(low) or _stem(low)
    cue_end = i + 1
    # Particles that belong to the cue ("pointed out", "called for").
    if cue_end < last and (lemma, tokens[cue_end].low) in {("point", "out"), ("point", "to"), ("call", "for"),
                                                              ("call", "on"), ("speak", "of")}:
        cue_end += 1
    prev = i - 1
    prev_low = tokens[prev].low if prev >= first else ""
    is_base = low == lemma or low == lemma + "s" or low == lemma + "es"
    is_ing = low.endswith("ing") and low != lemma
    # "A GAO report released last year found", "a speech titled": a participle after the document it
    # describes modifies it; the sentence's own verb is the cue.
    if _describes_document(tokens, i):
        return None
    if prev_low == "having" and i + 2 < last and tokens[i + 1].low in ("that", "this") and tokens[i + 2].text == ",":
        return None  # "Having said that, ...": a connective, not a statement
    # "the reported deal", "a claim", "to say": nouns, adjectives and infinitives are not cues.
    if prev_low in cues.DETERMINERS or (prev_low in ("to", "of", "for", "in", "on", "with") and not _went_on_to(tokens, prev, first)):
        return None
    # Passives ("was told", "is said to") have no speaker in subject position; with "by X" the
    # agent is the speaker and the subject the content ("The story was first reported by the Post").
    be = prev
    while be >= first and tokens[be].low in cues.AUXILIARIES and tokens[be].low not in _BE_FORMS:
        be -= 1
    if be >= first and tokens[be].low in _BE_FORMS and not is_ing:
        return _passive_by(doc, first, last, i, cue_end, be)
    # "Berg told reporters" (tell): the addressee is skipped before the content.
    after = _skip_addressee(doc, cue_end, last, lemma)
    inverted = _inverted_trailing(doc, first, last, i, after)
    if inverted is not None:
        return inverted
    coordinated = prev_low in ("and", "but") or (is_ing and prev_low == ",")
    speaker = None if coordinated and previous else _speaker_before(doc, first, i)
    if speaker is not None and is_ing and speaker[0] > first and tokens[speaker[0] - 1].low in _OBJECT_PREPOSITIONS:
        # "at a news conference announcing that", "a letter to Senate leaders opposing": the participle
        # describes the object of a preposition, which is not the speaker.
        speaker = None
    # "avoided taking her", "made questioning": a participle right after a past verb is that verb's
    # complement inside the content, not the previous speaker going on.
    complement_ing = is_ing and (prev_low.endswith("ed") or prev_low in _IRREGULAR_PAST or prev_low in _ING_PREPOSITIONS)
    if speaker is None and (is_ing and not complement_ing or prev_low in ("and", ",", "but")) and previous:
        # "..., adding that ...", "... and said ...": the previous speaker goes on.
        # A participle ("..., adding that") belongs to the main clause; "and said" to the last cue.
        prior = previous[0] if is_ing else previous[-1]
        connector = prev if prev_low in ("and", ",", "but") else i
        cut = tokens[connector].start
        for earlier in previous:
            if earlier.content[0] < cut < earlier.content[1]:
                earlier.content = (earlier.content[0], _trim_end(doc, cut))
        content = _content_after(doc, after, last, lemma)
        if content is None:
            return None
        return _Found(prior.speaker, (i, cue_end), content, kind="coordinated")
    if speaker is None and is_ing and prev_low == ",":
        subject = _sentence_subject(doc, first, i)
        content = _content_after(doc, after, last, lemma)
        if subject is None or content is None:
            return None
        return _Found(subject, (i, cue_end), content, kind="participle")
    if speaker is None:
        return None
    if is_base and low != lemma and _adjective_like(prev_low) and not tokens[i - 1].is_cap:
        return None  # "recent reports", "political claims": nouns
    if is_base and low == lemma and lemma not in ("say", "tell", "think", "believe", "know", "hope", "fear",
                                                   "expect", "want", "argue", "insist", "claim", "deny", "warn"):
        # Base forms double as nouns ("the report", "a call"): require a pronoun or plural subject.
        sp_low = tokens[speaker[1] - 1].low
        if sp_low not in cues.OTHER_PRONOUNS and not sp_low.endswith("s") and tokens[i - 1].low not in cues.AUXILIARIES:
            return None
    trailing = _trailing(doc, first, last, speaker, after)
    if trailing is not None:
        return _Found(speaker, (i, cue_end), trailing, trailing=True, kind="trailing")
    if lemma in cues.COGNITION_VERBS and not _has_clause_marker(doc, after, last) and doc.cue_probs.get(i, 0.0) < 0.5:
        return None
    content = _content_after(doc, after, last, lemma)
    if content is None:
        return None
    return _Found(speaker, (i, cue_end), content, kind="complement")


_ADJECTIVE_SUFFIXES = ("al", "ic", "ous", "ive", "ent", "ant", "ful", "less", "able", "ible", "ary", "ory", "ish")
_ADJECTIVES = frozenset("recent new latest such own many other several multiple numerous earlier previous media news "
                        "press public political similar further more most few additional initial early late".split())


def _adjective_like(word: str) -> bool:
    """Return True for words that usually modify a noun ("recent", "political", "dubious")."""
    return word in _ADJECTIVES or (len(word) > 4 and word.endswith(_ADJECTIVE_SUFFIXES) and word not in cues.ROLE_HEADS)


def _stem(word: str) -> str:
    """Return a crude lemma of a verb form outside the cue lexicon ("wants" -> "want")."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_BE_FORMS = frozenset("is was were are been being be".split())
_OBJECT_PREPOSITIONS = frozenset("at in on to with through from for by into about after before during under over".split())
# "defined these areas by adding ...": a participle after these prepositions is an adjunct of the content.
_ING_PREPOSITIONS = frozenset("by from without about at".split())


def _passive_by(doc: _Doc, first: int, last: int, i: int, cue_end: int, be: int) -> _Found | None:
    """Return 'CONTENT was reported by SPEAKER' attributions, else None."""
    tokens = doc.tokens
    j = cue_end
    while j < last and j - cue_end < 4 and tokens[j].low != "by":
        if not tokens[j].is_word:
            return None
        j += 1
    if j >= last or tokens[j].low != "by":
        return None
    speaker = _np_forward(doc, j + 1, last, apposition=False)
    if speaker is None:
        return None
    while be > first and tokens[be - 1].low in cues.AUXILIARIES:
        be -= 1
    content = _content_before(doc, first, be)
    if content is None:
        return None
    return _Found(speaker, (i, cue_end), content, kind="passive")


def _went_on_to(tokens: list[_Tok], to_idx: int, first: int) -> bool:
    """Return True for 'went on to <cue>' and 'continued to <cue>' (the cue keeps its subject)."""
    if tokens[to_idx].low != "to":
        return False
    a = tokens[to_idx - 1].low if to_idx - 1 >= first else ""
    b = tokens[to_idx - 2].low if to_idx - 2 >= first else ""
    return a in ("continued", "continues") or (a == "on" and b in ("went", "goes", "go", "going"))


def _has_clause_marker(doc: _Doc, start: int, last: int) -> bool:
    """Return True when a that-clause, colon or quotation follows a belief verb."""
    if start >= last:
        return False
    tok = doc.tokens[start]
    return tok.low in ("that", ":") or tok.text in _QUOTE_MARKS or tok.text[:1].isdigit() or (
        tok.is_cap or tok.low in ("he", "she", "they", "it", "we", "i", "the", "there", "this", "his", "her", "their", "a", "an"))


_ADDRESSEE_ENDS = (_SUBORDINATORS | cues.TIME_WORDS | frozenset(("during", "following", "outside", "inside"))) - {"this", "once"}


def _skip_addressee(doc: _Doc, start: int, last: int, lemma: str) -> int:
    """Return the token index after an addressee of tell-like cues ("told reporters")."""
    tokens = doc.tokens
    if lemma not in ("tell", "assure", "inform", "remind", "warn", "brief", "ask", "urge"):
        return start
    j = start
    limit = min(last, start + 5)
    while j < limit:
        t = tokens[j]
        if t.low in ("that", ":", ",", "of", "about", "in", "on", "at", "to", ".") or t.text in _QUOTE_MARKS \
                or t.low in _ADDRESSEE_ENDS:
            break  # "told reporters after the meeting": an adjunct, not more of the addressee
        if t.low in cues.CUE_FORMS and not t.is_cap:
            break  # a verb ends the addressee; "The Huffington Post" does not
        j += 1
    if lemma in ("urge", "warn", "ask") and (j >= last or tokens[j].low not in ("that", ":")):
        return start  # "urged the board to halt ...": the object is part of the content
    return j


def _speaker_before(doc: _Doc, first: int, cue: int) -> tuple[int, int] | None:
    """Return the token range of the speaker noun phrase ending before the cue, skipping aux/adverbs."""
    tokens = doc.tokens
    j = cue - 1
    while j >= first and (tokens[j].low in cues.AUXILIARIES and not tokens[j].is_cap or tokens[j].low.endswith("ly") and not tokens[j].is_cap
                          or tokens[j].low in cues.TIME_WORDS and tokens[j].low != "may"
                          or tokens[j].text.isdigit() and len(tokens[j].text) == 4 and j > first and tokens[j - 1].low in ("in", "since")
                          or tokens[j].low in ("on", "in", "last", "early", "late", "since") and j + 1 < cue and (
                              tokens[j + 1].low in cues.TIME_WORDS or tokens[j + 1].text.isdigit())):
        j -= 1
    if j >= first + 1 and tokens[j].low == "to" and _went_on_to(tokens, j, first):
        j -= 3
        while j >= first and tokens[j].low in cues.AUXILIARIES:
            j -= 1
    if j < first:
        return None
    if j > first and _describes_document(tokens, j):
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


def _describes_document(tokens: list[_Tok], i: int) -> bool:
    """Return True when token i is a participle describing the document before it ("a report released", "a speech titled")."""
    return i > 0 and tokens[i].low in _MODIFYING_PARTICIPLES and tokens[i - 1].low in _DESCRIBED_WORKS


_QUANTIFIERS = frozenset("one two three four five six seven eight nine ten dozens hundreds thousands millions many some most "
                         "all none each several half majority number members percent".split())
_RELATIVES = frozenset("who which whose where when whom".split())


def _speaker_ending_at(doc: _Doc, first: int, j: int, depth: int) -> tuple[int, int] | None:
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
    while k >= first and tokens[k].text != opener and tokens[k].text not in _QUOTE_MARKS:
        k -= 1
    if k <= first or tokens[k].text != opener:
        return None
    inner = tokens[k + 1:j]
    relative = bool(inner) and inner[0].low in _RELATIVES
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


def _np_backward(doc: _Doc, first: int, end: int) -> tuple[int, int] | None:
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
        if low in cues.CUE_FORMS and not t.is_cap and (j != end - 1 or low.endswith(("ed", "ing")) or low in _IRREGULAR_PAST) \
                and not _owned_noun(tokens, first, j):
            break  # a verb, not the noun heading the speaker ("the report said" keeps "report")
        if not t.is_cap and (low.endswith("ing") or low.endswith("ed")) and len(low) > 5 \
                and not _owned_noun(tokens, first, j):
            break  # (a noun after its owner goes on: "the aides' briefing said")
        if (low in cues.OTHER_PRONOUNS or low in cues.PERSONAL_PRONOUNS) and not (t.text.isupper() and len(t.text) > 1):
            if low in ("his", "her", "its", "their", "our", "my", "your") and start < end:
                start = j
            break
        if low == "and" and not (j - 1 >= first and (tokens[j - 1].is_cap or tokens[j - 1].low.endswith("s"))):
            break
        if low in ("of", "for") and not (j - 1 >= first and (tokens[j - 1].is_cap or tokens[j - 1].low in cues.ROLE_HEADS
                                                              or tokens[j - 1].low in _QUANTIFIERS or tokens[j - 1].text.isdigit())):
            break
        if not t.is_cap:
            lowercase += 1
            if lowercase > 6:
                break
        start = j
        j -= 1
        if low in cues.DETERMINERS and low not in ("top", "senior", "former", "other", "two", "three", "many", "several", "some", "most", "all", "both", "few"):
            if j >= first and tokens[j].low in ("of", "for") and j - 1 >= first and (
                    tokens[j - 1].is_cap or tokens[j - 1].low in cues.ROLE_HEADS or tokens[j - 1].low in _QUANTIFIERS):
                continue  # "The Committee for a Responsible ...", "the minister of the economy"
            break
    if start >= end:
        return None
    while start < end and (tokens[start].low in ("and", "of", "for", "’", "'") or tokens[start].low in _CONNECTIVES
                           or tokens[start].low in _SUBORDINATORS or tokens[start].is_cap and tokens[start].low in cues.NP_STOPS):
        start += 1
    if start >= end:
        return None
    if all(tokens[k].low in cues.DETERMINERS for k in range(start, end)):
        return None
    return (start, end)


def _np_forward(doc: _Doc, start: int, last: int, clause_tail: bool = False,
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
                    or tokens[k + 1].low in cues.ADJUNCT_STARTS)) and tokens[k].text not in _QUOTE_MARKS:
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
        if t.text in (",", ";", ":", ")", "(") or t.text in _QUOTE_MARKS or t.text in _DASHES:
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
                tokens[j - 1].low in cues.HONORIFICS or _INITIALS_RE.fullmatch(tokens[j - 1].text)):
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


def _inverted_trailing(doc: _Doc, first: int, last: int, i: int, after: int) -> _Found | None:
    """Return '"<quote>," said X' or 'CONTENT, said X' attributions, else None."""
    tokens = doc.tokens
    if i - 1 < first:
        return None
    boundary = tokens[i - 1]
    if not (boundary.text in (",",) or boundary.text in _CLOSING_MARKS):
        return None
    speaker = _np_forward(doc, i + 1, last, clause_tail=True)
    if speaker is None:
        return None
    sp_tok = tokens[speaker[0]]
    if sp_tok.low in ("that", "it", "me", "us", "them", "him", "her", "you", "this") or (
            not sp_tok.is_cap and sp_tok.low not in ("the", "a", "an", "he", "she", "they", "another", "several", "some",
                                                     "many", "other", "two", "three") and sp_tok.low not in _QUANTIFIERS
            and not sp_tok.text[:1].isdigit()):
        return None
    if cues.CUE_FORMS.get(tokens[i].low) in ("tell", "inform", "assure", "remind", "urge", "brief"):
        return None
    after_quote = boundary.text in _CLOSING_MARKS
    # '"...," suggesting the debate erased all memory of ...': a participle after a quotation takes a
    # clause; only '"...," saying Mr. X.' with nothing but adjuncts after the name is an inverted speaker.
    participle = tokens[i].low.endswith("ing")
    if participle and not after_quote and i - 2 >= first and tokens[i - 2].low in cues.CUE_FORMS:
        return None  # '"...," she said, citing the latest figures': the participle goes on from "she said"
    if not after_quote and not _only_adjuncts(doc, speaker[1], last):
        return None
    if participle and (not _only_adjuncts(doc, speaker[1], last) or any(
            not t.is_cap and t.low.endswith("ed") and len(t.low) > 4 for t in tokens[speaker[0]:speaker[1]])
            or not sp_tok.is_cap and speaker[1] - speaker[0] > 6):
        return None
    if not after_quote:
        # "Anna Berg, the minister's deputy, noted the rule": the comma closes an apposition.
        subject = _speaker_before(doc, first, i)
        if subject is not None and subject[0] <= first + 1:
            return None
    if after_quote and speaker[1] < last and (doc.tokens[speaker[1]].low == "that" or doc.tokens[speaker[1]].text in (":",) + tuple(_OPEN_QUOTES)):
        return None
    content = _content_before(doc, _quote_first(doc, first, i - 1), i - 1)
    if content is None:
        return None
    return _Found(speaker, (i, i + 1), content, trailing=True, kind="inverted")


def _trailing(doc: _Doc, first: int, last: int, speaker: tuple[int, int], after: int) -> tuple[int, int] | None:
    """Return the content offsets of 'CONTENT, SPEAKER CUE [adjunct].', else None."""
    tokens = doc.tokens
    b = speaker[0] - 1
    if b < first:
        return None
    boundary = tokens[b]
    if boundary.text not in (",", ":") and boundary.text not in _CLOSING_MARKS | _DASHES:
        return None
    after_quote = boundary.text in _CLOSING_MARKS
    content_first = _quote_first(doc, first, b)
    if after_quote:
        if after < last and (tokens[after].low == "that" or tokens[after].text == ":" or tokens[after].text in _OPEN_QUOTES):
            return None
        if _opens_mid_sentence(doc, first, content_first) and tokens[content_first - 1].text != ":":
            # (After a colon the quotation is announced, 'McCaskill scolded him: "...," she said': its own content.)
            if not _only_adjuncts(doc, after, last):
                return None  # 'In an interview on "Face the Nation," Ryan said the ...': a title, not his words
            content_first = first  # 'The loopholes he cited are "...," The Hill reported': the whole sentence
    elif not _only_adjuncts(doc, after, last):
        return None
    return _content_before(doc, content_first, b)


def _opens_mid_sentence(doc: _Doc, first: int, k: int) -> bool:
    """Return True when words precede token k in its sentence (beyond a connective)."""
    words = [t for t in doc.tokens[first:k] if t.is_word]
    return len(words) > 1 or (len(words) == 1 and words[0].low not in _CONNECTIVES)


def _quote_first(doc: _Doc, first: int, boundary: int) -> int:
    """Return the token where content starts: the opening mark when a quotation ends at boundary."""
    tok = doc.tokens[boundary]
    if tok.text not in _CLOSING_MARKS:
        return first
    quote = doc.quote_at(tok.start)
    if quote is None or quote.open_start < doc.tokens[first].start:
        return first
    return bisect.bisect_left(doc.tok_starts, quote.open_start)


def _only_adjuncts(doc: _Doc, start: int, last: int) -> bool:
    """Return True when tokens[start:last] hold only punctuation, time or place adjuncts, or a participle cue."""
    tokens = doc.tokens
    j = start
    while j < last and not tokens[j].is_word:
        if tokens[j].text in _QUOTE_MARKS and not doc.quote_at(tokens[j].start) is None and tokens[j].start == doc.quote_at(tokens[j].start).open_start:
            return False
        j += 1
    if j >= last:
        return True
    t = tokens[j]
    if j > start and tokens[j - 1].text == "," and _participle_clause(doc, j):
        return True  # '"...," she said, referencing the bank's drive': a participle clause, no complement
    if t.low in ("and", "but") and j > start and tokens[j - 1].text == "," and j + 1 < last \
            and tokens[j + 1].is_word and tokens[j + 1].low not in cues.ADJUNCT_STARTS | {"for", "with", "into"}:
        return True  # "The plan is flawed, he said, and it should go": a new clause, no complement
    if t.low not in cues.ADJUNCT_STARTS and not (t.low.endswith("ing") and t.low in cues.CUE_FORMS) and t.low not in cues.TIME_WORDS:
        return False
    # An adjunct must not hide a that-clause or quote (then the cue takes a complement).
    for k in range(j, last):
        tk = tokens[k]
        if tk.low in cues.CUE_FORMS and tk.low.endswith("ing") and tokens[k - 1].text == ",":
            return True
        if tk.low == "that" and not (k + 1 < last and tokens[k + 1].low in cues.AUXILIARY_VERBS):
            return False  # "after the meeting that was held": a relative clause, no complement
        if tk.text == ":" or (tk.text in _OPEN_QUOTES):
            return False
    return True


def _content_before(doc: _Doc, first: int, boundary: int) -> tuple[int, int] | None:
    """Return the offsets of the content from the sentence start to the boundary token (exclusive)."""
    tokens = doc.tokens
    s = first
    while s < boundary and (tokens[s].low in _CONNECTIVES and tokens[s + 1].text == ","):
        s += 2
    if s >= boundary:
        return None
    start = tokens[s].start
    end = _trim_end(doc, tokens[boundary].start)
    if boundary < len(tokens) and tokens[boundary].text in _CLOSING_MARKS:
        end = _trim_end(doc, tokens[boundary].end)
    if end <= start or not any(t.is_word for t in tokens[s:boundary]):
        return None
    return (start, end)


def _content_after(doc: _Doc, start: int, last: int, lemma: str) -> tuple[int, int] | None:
    """Return the offsets of the complement after a cue (after adjuncts and 'that'), else None."""
    tokens = doc.tokens
    j = start
    # Skip adjuncts such as "on Tuesday", "in an interview that aired on PBS" up to the complementizer.
    if j < last and (tokens[j].low in cues.ADJUNCT_STARTS or tokens[j].text == ",") and lemma not in cues.OBJECT_CUES:
        k = j
        target = None
        while k < min(last, j + 16):
            tk = tokens[k]
            if tk.low == "that" and k + 1 < last and (tokens[k + 1].is_cap or tokens[k + 1].low in cues.DETERMINERS
                                                      or tokens[k + 1].low in cues.OTHER_PRONOUNS
                                                      or tokens[k + 1].low in cues.PERSONAL_PRONOUNS
                                                      or tokens[k + 1].text in _QUOTE_MARKS):
                target = k
                break
            opens_quote = tk.text in _OPEN_QUOTES or (tk.text in _AMBIGUOUS_QUOTES and doc.quote_at(tk.start)
                                                      and doc.quote_at(tk.start).open_start == tk.start)
            if tk.text == ":" or (opens_quote and tokens[k - 1].text in (":", ",")):
                target = k  # "said in a statement: ...", "said Tuesday, “...”"
                break
            if opens_quote:
                break
            k += 1
        if target is not None:
            j = target
        elif tokens[j].low in cues.TIME_WORDS:
            while j < last and (tokens[j].low in cues.TIME_WORDS or tokens[j].text == ","):
                j += 1
    clause = j < last and tokens[j].low in ("that", ":")
    while j < last and (tokens[j].low in ("that", ":", ",") or tokens[j].text in ("—", "–")):
        j += 1
    if j >= last and last > start and tokens[last - 1].text == ":":
        return _next_paragraph(doc, tokens[last - 1].end)
    if j >= last:
        return None
    begin = tokens[j].start
    object_end = None if clause else _noun_phrase_object_end(doc, j, last)
    stop = object_end or _clause_end(doc, j, last, object_like=not clause and (
        lemma in cues.OBJECT_CUES or lemma not in cues.CUE_FORMS.values()))
    end = _trim_end(doc, tokens[stop - 1].end)
    if end <= begin or not any(t.is_word for t in tokens[j:stop]):
        return None
    return (begin, end)


_NP_OBJECT_OPENERS = frozenset("the a an this these those his her its their our my your".split())
_NP_OBJECT_BREAKS = frozenset((",", "--", "—", "–", "because", "including"))


def _noun_phrase_object_end(doc: _Doc, j: int, last: int) -> int | None:
    """Return where a cue's complement at j ends when it is a short noun phrase, not a reported clause.

    "has said the same thing, including Mitt Romney", "wrote his book, Mr. McKinley said": a
    determiner, at most five words with no verb among them, then a comma, a dash, "because" or
    "including". A subject with an apposition or a clause ("said the bill, which passed, ...",
    "said the bill, if passed, ...", "the program, known as EB-5, ...") goes on after its comma
    and is none; nor is a phrase that a quotation follows ("added the words, ''Hillary Clinton.''").
    """
    tokens = doc.tokens
    if j >= last or tokens[j].low not in _NP_OBJECT_OPENERS:
        return None
    for k in range(j + 1, min(last, j + 7)):
        t = tokens[k]
        if t.text in _NP_OBJECT_BREAKS or t.low in _NP_OBJECT_BREAKS:
            nxt = tokens[k + 1] if k + 1 < last else None
            if k == j + 1 or nxt is None or nxt.text in _QUOTE_MARKS or nxt.text in (",", ":") \
                    or nxt.low in _RELATIVES or nxt.low in _SUBORDINATORS or nxt.low in ("and", "or", "but") \
                    or nxt.text[:1].isdigit() or not nxt.is_cap and nxt.low.endswith(("ed", "wn")):
                return None
            return k
        if not t.is_word or t.low in cues.AUXILIARIES or t.low.endswith("ed") or t.low in cues.PERSONAL_PRONOUNS:
            return None
    return None


_CLAUSE_BREAKS = frozenset("but while although though whereas with".split())
_OBJECT_BREAKS = frozenset("during while because since after before as when although though but which who where "
                           "whose whom".split())


def _next_paragraph(doc: _Doc, pos: int) -> tuple[int, int] | None:
    """Return the offsets of the paragraph after pos (content announced by a colon), else None."""
    text = doc.text
    start = pos
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text) or "\n" not in text[pos:start]:
        return None
    end = _trim_end(doc, _paragraph_end(text, start))
    return (start, end) if end > start else None


def _clause_end(doc: _Doc, j: int, last: int, object_like: bool) -> int:
    """Return the token index where a reported content ends: the sentence end or a new clause.

    Annotators stop content at "; ", ", but ...", ", and <new subject> ..." and, for object-taking
    cues ("condemned X", "supports X"), at the first comma or subordinating word.
    """
    tokens = doc.tokens
    first_tok = tokens[j]
    if first_tok.text in _QUOTE_MARKS:
        return last  # a quotation runs to its end
    for k in range(j + 1, last):
        t = tokens[k]
        nxt = tokens[k + 1] if k + 1 < last else None
        if t.text in _CLOSE_QUOTES | _AMBIGUOUS_QUOTES and tokens[k - 1].text == "," and nxt is not None \
                and nxt.low in _CLAUSE_BREAKS and doc.quote_at(t.start) is not None:
            return k + 1  # 'lower taxes and “jobs, jobs, jobs,” but he has also ...': the comma sits inside the marks
        if doc.inside_quote(t.start):
            continue
        if t.text == ";":
            return k
        if object_like and k > j + 1 and (t.text in (",", "—", "–", "(") or t.low in _OBJECT_BREAKS):
            return k
        if object_like and k > j + 1 and (
                t.low in cues.TIME_WORDS and t.low not in ("may", "march", "this", "next", "last", "earlier", "later")
                or t.low in ("on", "at") and nxt is not None and (nxt.low in cues.TIME_WORDS or nxt.is_cap)
                or t.low == "and" and nxt is not None and not nxt.is_cap and nxt.low.endswith("ed")):
            return k  # "blasted the mayor as a disgrace Wednesday on ...", "viewed X as Y and despised them"
        if t.text == "," and nxt is not None:
            if nxt.low in _CLAUSE_BREAKS:
                return k
            if nxt.low == "and" and k + 2 < last and (tokens[k + 2].low in cues.PERSONAL_PRONOUNS or tokens[k + 2].low
                                                      in ("they", "we", "i", "it", "the") or tokens[k + 2].is_cap):
                return k
            if nxt.low == "according":
                return k
            if nxt.low == "and" and _new_statement_after(doc, k + 2, last):
                return k  # "..., and human rights groups warned that ...": another speaker's statement
        if t.text in ("—", "–") and nxt is not None and nxt.low in ("and", "but", "which", "who"):
            return k
    return last


def _new_statement_after(doc: _Doc, start: int, last: int) -> bool:
    """Return True when tokens[start:] open a clause of its own with a cue verb: a short subject, then the verb."""
    tokens = doc.tokens
    if start >= last or tokens[start].low in _RELATIVES or tokens[start].low == "that":
        return False  # ", and who feel ...": the same relative clause goes on
    for k in range(start + 1, min(last, start + 6)):
        t = tokens[k]
        if not t.is_word or t.low in cues.NP_STOPS:
            return False
        if not t.is_cap and t.low in cues.CUE_FORMS and not t.low.endswith("ing") and t.low not in cues.NOMINAL_CUES:
            return True
    return False


def _sentence_subject(doc: _Doc, first: int, cue: int) -> tuple[int, int] | None:
    """Return the noun phrase opening the sentence (subject of a participial cue), else None."""
    tokens = doc.tokens
    j = first
    while j < cue and (not tokens[j].is_word or tokens[j].low in _CONNECTIVES):
        j += 1
    if j >= cue or not (tokens[j].is_cap or tokens[j].low in cues.DETERMINERS):
        return None
    if tokens[j].low in cues.PERSONAL_PRONOUNS or tokens[j].low in cues.OTHER_PRONOUNS:
        return (j, j + 1)
    return _np_forward(doc, j, cue)


def _nominal_cue(doc: _Doc, first: int, last: int, i: int) -> _Found | None:
    """Return "X's statements <content>" attributions with a possessive speaker, else None."""
    tokens = doc.tokens
    if i - 1 < first:
        return None
    owner = tokens[i - 1]
    possessive = _possessive_before(tokens, first, i)
    pronoun = owner.low in ("his", "her", "their", "its", "our", "my")
    if not (possessive or pronoun):
        return None
    sp_end = i
    sp_start = i - 1 if owner.is_word else i - 2
    if not pronoun:
        while sp_start - 1 >= first and tokens[sp_start - 1].is_word and (
                tokens[sp_start - 1].is_cap or tokens[sp_start - 1].low in ("the", "a", "an")):
            sp_start -= 1
            if tokens[sp_start].low in ("the", "a", "an"):
                break
    j = i + 1
    if j < last and tokens[j].low == "that":
        j += 1
    elif j < last and not _verb_follows(tokens, j):
        return None
    k = j
    while k < last and tokens[k].low in cues.AUXILIARIES:
        k += 1
    passive = any(t.low in _BE_FORMS for t in tokens[j:k])
    if k < last and tokens[k].low in cues.CUE_FORMS and not passive:
        return None  # "The ministry's statement denied any role": the verb is the cue, the phrase its speaker
    content = _content_after(doc, j, last, "say")
    if content is None:
        return None
    return _Found((sp_start, sp_end), (i, i + 1), content, kind="nominal")


def _owned_noun(tokens: list[_Tok], first: int, i: int) -> bool:
    """Return True when a cue word follows a possessive, so it is a noun ("Moscow's claims", "the minister's report")."""
    tok = tokens[i]
    low = tok.low
    # "Iran's denied", "Tehran's said": after 's a past form is a verb ("has denied"); a base, -s or -ing form is a noun.
    if i - 1 < first or tok.is_cap or not (low.endswith(("s", "ing")) or cues.CUE_FORMS.get(low) == low):
        return False
    return _possessive_before(tokens, first, i)


def _possessive_before(tokens: list[_Tok], first: int, i: int) -> bool:
    """Return True when tokens[i - 1] is a possessive: "Tehran's", or the mark after a plural ("aides'")."""
    owner = tokens[i - 1]
    return owner.low.endswith(("'s", "’s")) or owner.text in ("'", "’") and i - 2 >= first \
        and tokens[i - 2].low.endswith("s") and tokens[i - 2].end == owner.start


def _verb_follows(tokens: list[_Tok], j: int) -> bool:
    """Return True when tokens[j] begins a verb phrase: an auxiliary or adverb, a past or 3rd-person form.

    "Tehran's statements struck down the allegations": an irregular past counts too.
    """
    low = tokens[j].low
    return low in cues.AUXILIARIES or low.endswith(("ed", "s")) or low in _IRREGULAR_PAST \
        or cues.statement_lemma(low) not in (None, low)


def _opening_apposition(doc: _Doc, speaker: tuple[int, int], last: int) -> tuple[int, int]:
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


def _according_to(doc: _Doc, first: int, last: int, i: int) -> _Found | None:
    """Return 'according to X' attributions with content on the other side of the phrase."""
    tokens = doc.tokens
    at_start = i == first or (tokens[i - 1].low in _CONNECTIVES and i - 1 == first)
    speaker = _np_forward(doc, i + 2, last, apposition=not at_start)
    if speaker is None:
        return None
    if at_start:
        speaker = _opening_apposition(doc, speaker, last)
        j = speaker[1]
        while j < last and not tokens[j].is_word:
            j += 1
        if j >= last:
            return None
        content = (tokens[j].start, _trim_end(doc, tokens[last - 1].end))
    else:
        b = i - 1
        while b > first and tokens[b].text in (",", "(", "—", "–"):
            b -= 1
        content = _content_before(doc, first, b + 1)
        if content is None:
            return None
    if content[1] <= content[0]:
        return None
    return _Found(speaker, (i, i + 2), content, kind="according")


_POLL_WORDS = frozenset("poll polls survey surveys".split())
# After the poll word, the words that go on describing the poll ("released Monday", "of 800 likely voters").
_POLL_MODIFIERS = frozenset("released conducted taken published last this of from by in".split())
_POLL_PARTICIPLES = frozenset("released conducted taken published".split())
_CLAUSE_OPENERS = _SUBORDINATORS | frozenset("despite with without amid given".split())


def _in_poll(doc: _Doc, first: int, last: int, i: int) -> _Found | None:
    """Return 'In a CNN poll, X leads' / 'X leads in the latest polls' attributions (the poll is the source).

    PolNeAR annotates the poll a finding is reported "in" as its source, with the clause on the other
    side of the phrase as content. The poll noun phrase must end in poll(s)/survey(s) within a few words.
    """
    tokens = doc.tokens
    at_start = i == first or (tokens[i - 1].low in _CONNECTIVES and i - 1 == first)
    head = None
    for k in range(i + 1, min(last, i + 12)):
        t = tokens[k]
        if t.low in _POLL_WORDS:
            head = k
            break
        if not (t.is_word or t.text in ("/", "-", "’", "'", "&")) or t.low in _RELATIVES or t.low in ("that", "in", "to"):
            return None
    if head is None:
        return None
    end = head + 1
    if end < last and tokens[end].low in _POLL_MODIFIERS:
        while end < last and tokens[end].text not in (",", ";", ".", ":") and tokens[end].text not in _DASHES \
                and end - head <= 10:
            end += 1
    if at_start and end + 1 < last and tokens[end].text == "," and tokens[end + 1].low in _POLL_PARTICIPLES:
        k = end + 1  # "In the last poll, conducted in early September, ...": the participle describes the poll
        while k < last and tokens[k].text != ",":
            k += 1
        if k < last:
            end = k
    speaker = (i + 1, end)
    if at_start:
        j = end
        while j < last and not tokens[j].is_word:
            j += 1
        if j >= last or tokens[end].text != ",":
            return None
        content = (tokens[j].start, _trim_end(doc, tokens[last - 1].end))
    else:
        start = first
        if tokens[first].low in _CLAUSE_OPENERS:
            # "Despite X, she did not receive a bump in the polls": the finding is the main clause
            commas = [k for k in range(first, i) if tokens[k].text == ","]
            if commas:
                start = commas[-1] + 1
        content = _content_before(doc, start, i)
        if content is None:
            return None
    if content[1] <= content[0]:
        return None
    return _Found(speaker, (i, i + 1), content, kind="poll")


def _trim_end(doc: _Doc, end: int) -> int:
    """Return end moved left past spaces and closing punctuation."""
    text = doc.text
    while end > 0 and (text[end - 1].isspace() or text[end - 1] in ".,;:!?"):
        end -= 1
    return end


def _extend_following_quotes(doc: _Doc, per_sentence: list[list[_Found]]) -> None:
    """Extend quoted contents over the quotations that continue them without a cue of their own.

    '"Q1," X said. "Q2."' and '"Q1," X said, "Q2."' are one statement in two pieces; the span
    (one contiguous Span) then runs from Q1 to the end of Q2, the cue and speaker included.
    """
    text = doc.text
    for index, group in enumerate(per_sentence):
        if not group:
            continue
        f = group[-1]
        quote = doc.quote_at(f.content[0])
        if quote is None or quote.open_start != f.content[0] or not quote.closed:
            continue
        end = f.content[1]
        first, last = doc.sentences[index]
        # A second quotation in the same sentence, after the cue.
        cue_end = doc.tokens[f.cue[1] - 1].end
        for q in doc.quotes:
            if cue_end <= q.open_start < doc.tokens[last - 1].end and q.open_start > end:
                end = q.close_end
                break
        following = index + 1
        while following < len(per_sentence) and not per_sentence[following]:
            nfirst, nlast = doc.sentences[following]
            start_tok = doc.tokens[nfirst]
            if "\n" in text[end:start_tok.start] or start_tok.text not in _QUOTE_MARKS:
                break
            nq = doc.quote_at(start_tok.start)
            if nq is None or nq.open_start != start_tok.start:
                break
            end = nq.close_end if nq.closed else nq.end
            following += 1
        if end != f.content[1]:
            f.content = (f.content[0], end)


def _extend_paragraph_quotes(doc: _Doc, found: list[_Found]) -> list[_Found]:
    """Return found with direct quotes extended back over an unclosed quote in the paragraph before."""
    for f in found:
        quote = doc.quote_at(f.content[0])
        if quote is None or not f.trailing:
            continue
        para_start = doc.text.rfind("\n", 0, quote.open_start) + 1
        if doc.text[para_start:quote.open_start].strip():
            continue
        prev_end = para_start - 1
        while prev_end > 0 and doc.text[prev_end - 1].isspace():
            prev_end -= 1
        prev = doc.quote_at(prev_end - 1) if prev_end > 0 else None
        if prev is not None and not prev.closed:
            start = prev.start
            # Follow a chain of unclosed paragraphs back to where the quotation opened.
            while True:
                ps = doc.text.rfind("\n", 0, prev.open_start) + 1
                if doc.text[ps:prev.open_start].strip():
                    break
                pe = ps - 1
                while pe > 0 and doc.text[pe - 1].isspace():
                    pe -= 1
                earlier = doc.quote_at(pe - 1) if pe > 0 else None
                if earlier is None or earlier.closed:
                    break
                prev, start = earlier, earlier.start
            f.content = (start, f.content[1])
    return found


# --------------------------------------------------------------------------- building results


def _build(doc: _Doc, people: _People, f: _Found) -> Attribution | None:
    """Return the Attribution for a found triple, with direct/certainty and resolved speaker."""
    text = doc.text
    tokens = doc.tokens
    c_start, c_end = f.content
    direct = False
    q = doc.quote_at(c_start)
    if q is not None and c_start in (q.open_start, q.start):
        c_start = q.open_start
        close = q.close_end if q.closed else q.end
        last_quote = doc.quote_at(max(c_start, c_end - 1))
        if _trim_end(doc, close) >= c_end - 1 or c_end <= close:
            direct = True
            c_start = q.start
            c_end = min(c_end, q.end) if q.closed else c_end
        elif last_quote is not None and c_end >= _trim_end(doc, last_quote.close_end if last_quote.closed else last_quote.end) \
                and _short_gaps(doc, c_start, c_end):
            # Several quotations of one speaker ('"Q1," X said. "Q2."'): direct, outer marks dropped.
            direct = True
            c_start = q.start
            c_end = last_quote.end
    while c_end > c_start and (text[c_end - 1] in ".,;:!? " or text[c_end - 1] in "”\"’'") and (direct or text[c_end - 1] not in "”\"’'" or not _has_open_quote(text, c_start, c_end)):
        if text[c_end - 1] in "”\"’'" and not direct:
            break
        c_end -= 1
    if c_end <= c_start:
        return None
    cue_tokens = tokens[f.cue[0]:f.cue[1]]
    cue = Span(text=text[cue_tokens[0].start:cue_tokens[-1].end], start=cue_tokens[0].start, end=cue_tokens[-1].end)
    speaker_span = None
    name = role = None
    speaker = _trim_speaker_edges(doc, f.speaker) if f.speaker is not None else None
    if speaker is not None and speaker[1] - speaker[0] == 1 and _cannot_speak(tokens[speaker[0]]):
        speaker = None
    if speaker is not None:
        s_tokens = tokens[speaker[0]:speaker[1]]
        s, e = s_tokens[0].start, s_tokens[-1].end
        speaker_span = Span(text=text[s:e], start=s, end=e)
        name, role = _resolve(people, s_tokens, speaker_span.text, s)
    # The cue's own sentence and its content: a hedge in the sentence before ("Iran reportedly plans
    # ... . Western officials say ...") is not this speaker's.
    sentence_start = tokens[doc.sentence_of(f.cue[0])[0]].start
    sentence_window = text[min(sentence_start, c_start): max(c_end, cue.end)].lower()
    lemma = cues.CUE_FORMS.get(cue_tokens[0].low, "")
    hedged = lemma in cues.HEDGING_CUES or any(w in sentence_window for w in cues.HEDGING_WORDS)
    return Attribution(
        speaker=speaker_span,
        speaker_name=name,
        speaker_role=role,
        cue=cue,
        content=Span(text=text[c_start:c_end], start=c_start, end=c_end),
        direct=direct,
        certainty="hedged" if hedged else "asserted",
    )


_SPEAKER_LEAD_WORDS = frozenset("even perhaps said say says".split())
# "Later Smith said", "Meanwhile the ministry said": a sentence adverb before the subject.
_LEAD_ADVERBS = frozenset("later earlier meanwhile then now also still instead separately today yesterday "
                          "however moreover furthermore indeed".split())

# Words that are never a speaker on their own: "It is worth noting", "Having said that", "Perhaps
# recognizing", "Please ask" (adverbs, adjectives, imperatives the rules or tagger read as a subject).
_NON_SPEAKER_WORDS = frozenset("""worth perhaps otherwise indeed very seldom hard least far well please
maybe also only just even still already often never always various numerous""".split())


def _cannot_speak(tok: _Tok) -> bool:
    """Return True for a one-word speaker that cannot be one: a listed adverb, a bare participle, a negation."""
    low = tok.low
    if low in _NON_SPEAKER_WORDS or low.endswith(("n't", "n’t")):
        return True
    # "Having said that", "Keeps saying", "faced questions": a lone verb form is no noun phrase.
    return low in ("having", "keeps") or (len(low) > 5 and low.endswith(("ing", "ed")) and not tok.is_cap)


def _trim_speaker_edges(doc: _Doc, speaker: tuple[int, int]) -> tuple[int, int]:
    """Return a speaker token range without the words at its edges that belong to the clause around it.

    "Even China", "Said Ellis": a focus adverb or an inverted cue before the name ("Both X and Y"
    keeps "Both", as PolNeAR's annotators do, 58 times to 2 in train);
    "which RT said", "One of the docs who": the relative pronoun next to the noun phrase it stands for.
    """
    tokens = doc.tokens
    start, end = speaker
    while end - start > 1:
        low = tokens[start].low
        following = tokens[start + 1]
        if low in _SPEAKER_LEAD_WORDS or low in ("which", "who") and following.is_cap \
                or low in _LEAD_ADVERBS and (following.is_cap or following.low in cues.DETERMINERS):
            start += 1
        else:
            break
    while end - start > 1 and not tokens[end - 1].is_word and tokens[end - 1].text not in (")", "."):
        end -= 1
    if end - start > 1 and tokens[end - 1].low in ("who", "which") and tokens[end - 2].low not in ("of", "and", ","):
        end -= 1
    return (start, end)


def _short_gaps(doc: _Doc, start: int, end: int) -> bool:
    """Return True when the text between the quotations in [start, end) is only short attribution bits."""
    inside = [q for q in doc.quotes if start <= q.open_start and q.close_end <= end + 1 or q.open_start <= start < q.end]
    for a, b in zip(inside, inside[1:]):
        if len(doc.text[a.close_end:b.open_start].split()) > 14:
            return False
    return len(inside) >= 2


def _has_open_quote(text: str, start: int, end: int) -> bool:
    return any(ch in "“\"‘" for ch in text[start:end])


_ORGANISATION_PREPOSITIONS = frozenset("the for at of with from in to".split())


def _member_of_body(role: list[str]) -> bool:
    """Return True when role words before a capitalised run describe a member of a body named by it.

    "spokesman for the" (Kremlin), "professor at the" (University of Tehran): a lowercase role
    word, then a preposition or article; "Bank of" (England) is part of the body's own name.
    """
    return bool(role) and role[-1].lower() in _ORGANISATION_PREPOSITIONS and any(
        not w[:1].isupper() and w.lower() not in _ORGANISATION_PREPOSITIONS | {"a", "an"} for w in role)


def _resolve(people: _People, s_tokens: list[_Tok], mention: str, pos: int) -> tuple[str | None, str | None]:
    """Return (speaker_name, speaker_role) for a speaker mention, resolving it inside the text."""
    low = mention.lower()
    if low in cues.PERSONAL_PRONOUNS:
        person = people.recent(pos, cues.PERSONAL_PRONOUNS[low])
        if person is not None:
            people.note(pos, person.name)
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
        if appos and appos[0].lower() in _RELATIVES:
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
                honorific or any(w.lower() in cues.TITLE_WORDS - _LINK_WORDS for w in before[:-1])):
            words = before
    name, role = _split_name_role(words)
    if name and _member_of_body(role):
        # "A spokesman for the Kremlin", "a professor at the University of Tehran": the capitalised
        # words are the body the person speaks for, not the person's name.
        lead = 1 if words[0].lower() in ("the", "a", "an") else 0
        return mention, " ".join(words[lead:])
    name = [w[:-2] if w.endswith(("'s", "’s")) else w for w in name]
    titled = any(w.lower().rstrip(".") in (cues.TITLE_WORDS | cues.ROLE_HEADS) - _LINK_WORDS for w in role)
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


def _full_name(people: _People, name: list[str]) -> str:
    """Return the full name a (possibly partial) name stands for."""
    joined = " ".join(name)
    if joined in people.persons:
        return joined
    if len(name) == 1:
        person = people.by_surname(name[0])
        if person is not None:
            return person.name
    return joined
