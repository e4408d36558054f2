"""Statement dates: "said Tuesday" -> a date with a precision, relative to the published date.

Only a date expression that qualifies the act of saying counts: one next to the cue verb ("said
Tuesday", "told reporters in the capital on Monday", "the ministry on Sunday dismissed") or opening
the sentence ("In December, the minister said"). Dates inside quotation marks, after "that" (the
content), or after "since/until/before/after" describe other events and are ignored. Without a qualifying expression
the statement takes the publication date with precision PUBLISHED; unknown stays unknown.

dateparser is installed but not used: the rules need the span of the expression (to judge whether
it qualifies the cue) and "most recent such day not after publication" semantics with an explicit
precision, which plain regular expressions give deterministically and cheaply.
"""

from __future__ import annotations

import bisect
import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.models import DatePrecision, Strict

# "last week" has no exact day: the Monday of that week stands for it. DatePrecision has no WEEK
# member yet; when the lead adds one it is used automatically, until then the Monday is a DAY.
_WEEK_PRECISION = getattr(DatePrecision, "WEEK", DatePrecision.DAY)

# Words a cue must be within (after it) for a date to qualify the saying, and before it.
_MAX_WORDS_AFTER_CUE = 12
_MAX_WORDS_BEFORE_CUE = 4

REPORTING_VERBS = (
    "say says said saying tell tells told telling add adds added adding state states stated "
    "claim claims claimed claiming announce announces announced warn warns warned warning "
    "insist insists insisted deny denies denied dismiss dismissed accuse accused accusing "
    "reiterate reiterated affirm affirmed reaffirm reaffirmed argue argued assert asserted note "
    "noted explain explained stress stressed stressing emphasize emphasized emphasise emphasised "
    "underline underlined confirm confirmed reveal reveals revealed declare declared suggest "
    "suggested contend contends contended urge urged cite cited indicate indicated acknowledge "
    "acknowledged admit admitted allege alleged maintain maintained reject rejected respond "
    "responded reply replied write wrote tweet tweeted post posted remark remarked comment "
    "commented report reported vow vowed pledge pledged predict predicted express expressed "
    "call called demand demanded threaten threatened"
).split()

_CUE_RX = re.compile(r"(?<![\w])(?:" + "|".join(REPORTING_VERBS) + r")(?![\w])", re.IGNORECASE)
_QUOTED_RX = re.compile(r"\u201c[^\u201d]*\u201d?|\"[^\"]*\"?")
_BOUNDARY_AFTER_CUE = re.compile(r"\bthat\b|[\"\u201c\u201d:;,(]", re.IGNORECASE)
_BOUNDARY_BEFORE_CUE = re.compile(r"[\"\u201c\u201d:;,()]")
_EXCLUDING_WORDS = {"since", "until", "till", "before", "after", "from", "through", "between", "by", "next"}
_WORD_RX = re.compile(r"\w+")
_LAST_WORD_RX = re.compile(r"(\w+)\W*$")  # the last word of a stretch (searched with an end bound)

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"]
_MONTH_ALT = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
              r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_ALT = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"((?:19|20)\d{2})(?!\d)"
_QUALIFIER = r"(?:early|late|mid-?|the\s+end\s+of|the\s+beginning\s+of)\s*"


class StatementDate(Strict):
    """When a statement was made, and how precisely that is known."""

    value: date | None
    precision: DatePrecision


UNKNOWN_DATE = StatementDate(value=None, precision=DatePrecision.UNKNOWN)


@dataclass(frozen=True)
class _Anchor:
    """The publication date the relative expressions count back from."""

    day: date | None  # None when the publication date is not known to the day
    month: date | None  # first of the publication month, None when not known to the month
    year: int | None


# A resolver turns a match into (date, precision), or None when the anchor cannot resolve it.
_Resolver = Callable[[re.Match[str], _Anchor], tuple[date, DatePrecision] | None]


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    return next(i for i, full in enumerate(_MONTH_NAMES, 1) if full.startswith(key[:3]))


def _most_recent_month(month: int, anchor: _Anchor, strictly_before: bool = False) -> date | None:
    """Returns the first day of the latest such month not after (or before) publication."""
    if anchor.year is None:
        return None
    if anchor.month is None:
        return date(anchor.year, month, 1)
    year = anchor.year if (month < anchor.month.month or (month == anchor.month.month and not strictly_before)) \
        else anchor.year - 1
    return date(year, month, 1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if 1 <= day <= monthrange(year, month)[1]:
        return date(year, month, day)
    return None


def _iso(m: re.Match[str], a: _Anchor):
    try:
        return date(int(m[1]), int(m[2]), int(m[3])), DatePrecision.DAY
    except ValueError:
        return None


def _month_day_year(m: re.Match[str], a: _Anchor):
    value = _safe_date(int(m[3]), _month_number(m[1]), int(m[2]))
    return (value, DatePrecision.DAY) if value else None


def _day_month_year(m: re.Match[str], a: _Anchor):
    value = _safe_date(int(m[3]), _month_number(m[2]), int(m[1]))
    return (value, DatePrecision.DAY) if value else None


def _day_of_month(month: int, day: int, a: _Anchor):
    if a.day is None:
        return None
    year = a.day.year if (month, day) <= (a.day.month, a.day.day) else a.day.year - 1
    value = _safe_date(year, month, day)
    return (value, DatePrecision.DAY) if value else None


def _month_day(m: re.Match[str], a: _Anchor):
    return _day_of_month(_month_number(m[1]), int(m[2]), a)


def _day_month(m: re.Match[str], a: _Anchor):
    return _day_of_month(_month_number(m[2]), int(m[1]), a)


def _month_year(m: re.Match[str], a: _Anchor):
    return date(int(m[2]), _month_number(m[1]), 1), DatePrecision.MONTH


def _bare_month(m: re.Match[str], a: _Anchor):
    value = _most_recent_month(_month_number(m[2]), a, strictly_before=m[1].lower() == "last")
    return (value, DatePrecision.MONTH) if value else None


def _year(m: re.Match[str], a: _Anchor):
    return date(int(m[1]), 1, 1), DatePrecision.YEAR


def _weekday(m: re.Match[str], a: _Anchor):
    if a.day is None:
        return None
    back = (a.day.weekday() - _WEEKDAYS.index(m[2].lower())) % 7
    if back == 0 and (m[1] or "").lower() == "last":
        back = 7
    return a.day - timedelta(days=back), DatePrecision.DAY


def _relative_day(m: re.Match[str], a: _Anchor):
    if a.day is None:
        return None
    back = 1 if m[0].lower() == "yesterday" else 0
    return a.day - timedelta(days=back), DatePrecision.DAY


def _relative_week(m: re.Match[str], a: _Anchor):
    if a.day is None:
        return None
    monday = a.day - timedelta(days=a.day.weekday())
    if m[1].lower() in ("last", "past"):
        monday -= timedelta(days=7)
    return monday, _WEEK_PRECISION


def _relative_month(m: re.Match[str], a: _Anchor):
    if a.month is None:
        return None
    first = a.month
    if m[1].lower() == "last":
        first = (first - timedelta(days=1)).replace(day=1)
    return first, DatePrecision.MONTH


def _relative_year(m: re.Match[str], a: _Anchor):
    if a.year is None:
        return None
    return date(a.year - (1 if m[1].lower() == "last" else 0), 1, 1), DatePrecision.YEAR


# Longer forms first: where two expressions overlap, the earlier-listed (more specific) one wins.
_PATTERNS: list[tuple[re.Pattern[str], _Resolver]] = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), _iso),
    (re.compile(rf"\b({_MONTH_ALT})\s+{_DAY},?\s+{_YEAR}"), _month_day_year),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH_ALT}),?\s+{_YEAR}"), _day_month_year),
    (re.compile(rf"\b({_MONTH_ALT}),?\s+{_YEAR}"), _month_year),
    (re.compile(rf"\b({_MONTH_ALT})\s+{_DAY}"), _month_day),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH_ALT})(?![\w])"), _day_month),
    # A month name alone needs a preposition or qualifier: "May" and "March" are also verbs.
    (re.compile(rf"(?i:\b(in|last|this|during)\s+(?:{_QUALIFIER})?)({_MONTH_ALT})(?![\w])"), _bare_month),
    (re.compile(rf"(?i:\b(?:in|during)\s+(?:{_QUALIFIER})?){_YEAR}"), _year),
    (re.compile(rf"(?i:\b(?:(last|this|on)\s+)?)({_WEEKDAY_ALT})(?![\w])", re.IGNORECASE), _weekday),
    (re.compile(r"\b(?:yesterday|today|tonight|this\s+(?:morning|afternoon|evening))\b", re.IGNORECASE),
     _relative_day),
    (re.compile(r"\b(?:earlier\s+)?(last|this|past)\s+week\b", re.IGNORECASE), _relative_week),
    (re.compile(r"\b(?:earlier\s+)?(last|this)\s+month\b", re.IGNORECASE), _relative_month),
    (re.compile(r"\b(?:earlier\s+)?(last|this)\s+year\b", re.IGNORECASE), _relative_year),
]


@dataclass(frozen=True)
class _Expression:
    start: int
    end: int
    resolver: _Resolver
    match: re.Match[str]


# Every pattern's match holds a whole word of one kind (a month name, a weekday, a relative word,
# "week", "month", "year") or a digit, so a text without one cannot match it: the words of a
# sentence are looked up once, and most sentences (no date in them) scan no pattern at all. A word
# matched case-insensitively here ("may") only costs a scan. (A text of 16,808 statements spent a
# second in the scans, and half a second more in one regular expression searching for the words.)
_MONTH_WORDS = frozenset(_MONTH_NAMES + "jan feb mar apr jun jul aug sep sept oct nov dec".split())
_WORD_KINDS: dict[str, str] = {word: "month" for word in _MONTH_WORDS}
_WORD_KINDS.update({day: "weekday" for day in _WEEKDAYS})
_WORD_KINDS.update({word: "day" for word in "yesterday today tonight morning afternoon evening".split()})
_WORD_KINDS.update({"week": "week", "month": "month_word", "year": "year_word"})
_DIGIT = re.compile(r"\d")
_PATTERN_KINDS = ["digit", "month", "month", "month", "month", "month", "month", "digit", "weekday", "day",
                  "week", "month_word", "year_word"]


def _date_word_kinds(text: str) -> set[str]:
    """Return the kinds of date word the text holds (see _PATTERN_KINDS); empty when no pattern can match."""
    kinds = {_WORD_KINDS[w] for w in _WORD_RX.findall(text.lower()) if w in _WORD_KINDS}
    if _DIGIT.search(text):
        kinds.add("digit")
    return kinds


def _expressions(text: str, kinds: set[str] | None = None) -> list[_Expression]:
    """Returns the non-overlapping date expressions in the text, in order."""
    kinds = _date_word_kinds(text) if kinds is None else kinds
    found: list[_Expression] = []
    for (rx, resolver), kind in zip(_PATTERNS, _PATTERN_KINDS, strict=True):
        if kind not in kinds:
            continue
        for m in rx.finditer(text):
            if any(m.start() < e.end and e.start < m.end() for e in found):
                continue
            found.append(_Expression(m.start(), m.end(), resolver, m))
    return sorted(found, key=lambda e: e.start)


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED_RX.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether pos falls in one of the spans (sorted and apart, as one regex scan yields them)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _cue_spans(text: str, cue: str | None, quoted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Returns where the cue (or, without one, any reporting verb) occurs outside quotations."""
    spans: list[tuple[int, int]] = []
    if cue and cue.strip():
        rx = re.compile(r"(?<![\w])" + r"\s+".join(map(re.escape, cue.split())) + r"(?![\w])", re.IGNORECASE)
        spans = [(m.start(), m.end()) for m in rx.finditer(text) if not _inside(m.start(), quoted)]
    if not spans:
        spans = [(m.start(), m.end()) for m in _CUE_RX.finditer(text) if not _inside(m.start(), quoted)]
    return spans


def _distance_to_cue(expr: _Expression, text: str, cues: list[tuple[int, int]]) -> int | None:
    """Returns how many words separate the expression from a cue it qualifies, or None."""
    best: int | None = None
    for cue_start, cue_end in cues:
        if expr.start >= cue_end:
            gap = text[cue_end:expr.start]
            if _BOUNDARY_AFTER_CUE.search(gap):
                continue
            words = len(_WORD_RX.findall(gap))
            if words > _MAX_WORDS_AFTER_CUE:
                continue
        elif expr.end <= cue_start:
            gap = text[expr.end:cue_start]
            words = len(_WORD_RX.findall(gap))
            opens_sentence = not _WORD_RX.search(text[:expr.start]) and gap.lstrip().startswith(",")
            if not opens_sentence and (_BOUNDARY_BEFORE_CUE.search(gap) or words > _MAX_WORDS_BEFORE_CUE):
                continue
        else:
            continue
        best = words if best is None else min(best, words)
    return best


def _anchor(published: date | None, precision: DatePrecision) -> _Anchor:
    if published is None or precision in (DatePrecision.UNKNOWN,):
        return _Anchor(None, None, None)
    if precision == DatePrecision.YEAR:
        return _Anchor(None, None, published.year)
    if precision == DatePrecision.MONTH:
        return _Anchor(None, published.replace(day=1), published.year)
    return _Anchor(published, published.replace(day=1), published.year)


def resolve_statement_date(context: str, published: date | None, published_precision: DatePrecision,
                           cue: str | None = None) -> StatementDate:
    """Returns the statement's date: a date qualifying the cue, else the publication date, else unknown.

    `context` is the sentence holding the attribution; `cue` (optional) is the cue word(s), used to
    tell the saying apart from other reporting verbs in the sentence.
    """
    anchor = _anchor(published, published_precision)
    default = (StatementDate(value=published, precision=DatePrecision.PUBLISHED)
               if anchor.year is not None else UNKNOWN_DATE)
    # Most sentences hold no date at all: their words say so before the quotations and cues are read.
    kinds = _date_word_kinds(context) if context else set()
    if not kinds:
        return default
    expressions = _expressions(context, kinds)
    if not expressions:
        return default
    quoted = _quoted_spans(context)
    cues = _cue_spans(context, cue, quoted)
    if not cues:
        return default
    candidates: list[tuple[int, int, _Expression]] = []
    for expr in expressions:
        if _inside(expr.start, quoted):
            continue
        preceding = _LAST_WORD_RX.search(context, 0, expr.start)
        if preceding and preceding.group(1).lower() in _EXCLUDING_WORDS:
            continue
        distance = _distance_to_cue(expr, context, cues)
        if distance is not None:
            candidates.append((distance, expr.start, expr))
    if not candidates:
        return default
    _, _, best = min(candidates, key=lambda c: (c[0], c[1]))
    resolved = best.resolver(best.match, anchor)
    if resolved is None:
        # The saying is dated relative to a publication date we do not know (well enough).
        return default
    value, precision = resolved
    return StatementDate(value=value, precision=precision)
