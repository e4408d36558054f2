"""Site chrome out, article text in: plain-text scrapes (pipeline.ingest.clean dispatches every kind).

Text scrapes are cleaned with general line features, never with site-specific strings:
each line (or re-joined hard-wrapped paragraph) becomes a unit; rules mark chrome units
(menus, tickers, teaser blocks, tag lists, boilerplate, repeated lines, link lines);
prose units score positive, chrome negative, and the best-scoring contiguous run of units
is the article core (the body-text-extraction idea: the densest run of prose).
Captions, the title, bylines and datelines are lifted out of the text around the core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pipeline.models import Strict


class CleanedText(Strict):
    """An article's text with chrome removed and the page's own labels kept apart."""

    body: str
    captions: list[str] = []
    title: str | None = None
    byline: list[str] = []
    dateline: str | None = None
    fields: dict[str, str] = {}
    links: list[str] = []
    site_name: str | None = None


# ---------------------------------------------------------------- line vocabulary
# Headers that open a block of teasers (links to other articles), not article text.
TEASER_HEADERS = {
    "related", "related news", "related articles", "related stories", "related posts", "related content",
    "related topics", "related coverage", "most read", "most popular", "most viewed", "most shared",
    "popular", "popular now", "popular stories", "read next", "read more", "read also", "also read",
    "see also", "more from", "more news", "more stories", "more on this", "more on this story",
    "more in", "trending", "trending now", "trending stories", "top stories", "latest stories",
    "recommended", "recommended for you", "recommended stories", "you may also like", "you might also like",
    "you may be interested in", "editor's picks", "editors' picks", "editors picks", "in case you missed it",
    "don't miss", "further reading", "coverage", "tags", "topics", "keywords", "filed under", "share",
    "share this", "share this article", "share on", "follow us", "newsletter", "sign up",
    "more to explore", "what to read next", "in other news", "elsewhere", "also on", "featured",
    "comments", "leave a comment", "leave a reply", "sponsored content", "promoted stories", "around the web", "from the web", "watch", "videos", "latest videos", "podcasts",
}
TEASER_HEADER_PREFIXES = ("more from ", "more in ", "more on ", "latest in ", "latest from ", "also in ")

# Headers that open a news ticker: a run of one-line "Source: statement" items.
TICKER_HEADERS = {
    "breaking", "breaking news", "latest", "latest news", "live", "live updates", "just in", "news ticker",
    "ticker", "urgent", "flash", "news flash", "newsflash", "headlines", "latest headlines", "live news",
}

# Single-line prefixes of in-article promos ("Read more: <headline>").
PROMO_PREFIX = re.compile(
    r"^(?:read more|read also|also read|see also|related|recommended|watch|listen|more|click here|"
    r"subscribe|sign up|follow us|join us|download)\b\s*[:\-–—|>»]",
    re.I,
)

# Boilerplate that is chrome at any length (disclaimers, copyright footers).
STRONG_BOILERPLATE = re.compile(
    r"all rights reserved|©|\(c\)\s*\d{4}|copyright\s*(?:©\s*)?\d{4}|automatic aggregator|"
    r"trademarks belong to|rightful owners|if you are the owner of|will be (?:deleted|removed) within|"
    r"this (?:article|content|story) (?:was|is) (?:automatically )?(?:generated|aggregated|syndicated) from|"
    r"we use cookies|by continuing to (?:use|browse)|enable javascript|your browser (?:does not|doesn't) support",
    re.I,
)
BOILERPLATE_MAX_WORDS = 150  # the longest aggregator disclaimers run to about 80 words
# Boilerplate that is chrome only on a short line (prose may mention a newsletter).
WEAK_BOILERPLATE = re.compile(
    r"privacy policy|terms (?:of|and) (?:use|service|conditions)|cookie (?:policy|settings)|back to top|"
    r"skip to (?:main )?content|contact us|about us|subscribe|newsletter|sign (?:up|in)|log ?in|"
    r"follow us|download (?:our|the) app|advertis(?:e|ement|ing)|sponsored|share (?:this|on|via)|"
    r"click here|all (?:news|stories)|load more|show more|see more|view (?:all|more)|comments?\b|"
    r"print this|email this|copy link|accessibility|sitemap|careers|(?:rss|atom) feeds?|"
    r"min(?:ute)?s? read|reading time|photo gallery|listen to (?:this|the) article|"
    r"editorial (?:policy|standards)|corrections policy|ethics policy",
    re.I,
)
# Words of share bars, app links and menus: a short line made only of these is chrome.
CHROME_WORDS = {
    "share", "tweet", "facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "reddit", "pinterest",
    "email", "e-mail", "print", "copy", "link", "android", "ios", "app", "store", "google", "play",
    "apple", "menu", "search", "home", "close", "open", "login", "subscribe", "more", "comments", "comment",
    "save", "bookmark", "listen", "audio", "video", "photos", "gallery", "next", "previous", "prev",
    "top", "back", "all", "rss", "instagram", "youtube", "tiktok", "threads", "mastodon", "bluesky",
    "en", "ar", "es", "fr", "de", "ru", "fa", "zh", "tr", "it", "pt", "english", "español", "français",
    "deutsch", "العربية", "русский", "follow", "us", "on", "and", "or", "|", "·", "•", "-", "/",
}

READING_TIME = re.compile(r"^\d{1,3}\s*(?:min(?:ute)?s?|m)\.?\s*(?:read|listen|watch)(?:ing)?$", re.I)
BYLINE = re.compile(
    r"^(?:by|written by|words by|story by|reporting by|report by|posted by|published by|author)\s*[:\-–—]?\s+(.+)$",
    re.I,
)
LABELLED_META = re.compile(
    r"^(source|sources|credit|credits|agency|agencies|location|filed|section|category|edited by|"
    r"translated by|updated|published|posted|last updated|date|published on|posted on)\s*:\s*(.+)$",
    re.I,
)
MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?"
_TIME = r"(?:\s*(?:,|at|-|–|\|)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,5}|GMT[+-]?\d*|UTC[+-]?\d*)?)?"
DATE_CORE = (
    rf"(?:{WEEKDAYS}\s*)?(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS},?\s+\d{{4}}"  # 28 Feb 2023
    rf"|{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # Feb 28, 2023
    rf"|{MONTHS},?\s+\d{{4}}"  # February 2023
    r"|\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"  # 12/20/2022
    rf"){_TIME}"
)
DATE_LINE = re.compile(
    rf"^(?:(?:published|posted|updated|last updated|first published|date|on)\s*(?:on|at)?\s*[:\-–—]?\s*)?"
    rf"({DATE_CORE})\s*$",
    re.I,
)
LINK_LINE = re.compile(
    r"^(?:(?:source|original(?: article| source| story)?|via|read (?:the )?(?:original|full)(?: article| story)?(?: at| on| here)?|"
    r"originally (?:published|appeared) (?:at|on|in)|link)\s*[:\-–—]?\s*)?(https?://\S+)(.*)$",
    re.I,
)
# A short parenthesised or trailing credit marks an image caption: "... October 6, 2022 (Reuters)".
CAPTION_CREDIT = re.compile(
    r"(?:\((?:[^()]{1,60})\)|\[(?:[^\[\]]{1,60})\])\s*$"
)
CAPTION_PREFIX = re.compile(r"^(?:photo|image|picture|photograph|file photo|pictured|caption|credit|illustration)\s*(?:by)?\s*[:\-–—|]", re.I)
CAPTION_CREDIT_WORDS = re.compile(
    r"photo|image|getty|reuters|afp|\bap\b|epa|anadolu|shutterstock|file|screengrab|screenshot|handout|"
    r"courtesy|credit|agency|press|media|news|wire|pool|archive|via|/",
    re.I,
)
BULLET = re.compile(r"^\s*(?:[•·▪▫◦●○■□►▶‣⁃∙*+\-–—]|\d{1,3}[.)])\s+")
TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$|[.!?…][\"'”’»)\]]*\s*\(\w[^()]{0,40}\)$")
# A sentence boundary, not an initial or a title's abbreviation ("Mary J. Blige", "U.S. Court", "Mr. Trump").
SENTENCE_END = re.compile(
    r"(?<![A-Z])(?<!Mr)(?<!Ms)(?<!Mrs)(?<!Dr)(?<!St)(?<!Jr)(?<!Sr)(?<!Gov)(?<!Sen)(?<!Rep)(?<!Gen)(?<!No)(?<!vs)"
    r"[.!?…][\"'”’»)\]]*\s+[\"'“‘«(]?[A-Z0-9]"
)
ORG_WORDS = re.compile(
    r"\b(?:news|media|agency|agencies|press|times|post|herald|tribune|journal|gazette|daily|weekly|"
    r"network|channel|tv|television|radio|broadcasting|staff|desk|editorial|editors?|team|reporters?|"
    r"correspondents?|bureau|wire|online|magazine|review|observer|guardian|telegraph|chronicle|"
    r"english|reuters|afp|ap|associated|bloomberg|newsroom|service|group|inc|ltd|llc|corp)\b|\.(?:com|org|net|co|io|news|info)\b",
    re.I,
)
DOMAIN_TOKEN = re.compile(r"\b((?:[A-Za-z0-9-]+\.)+(?:com|org|net|news|info|co|io|tv|me|uk|de|fr|ru|ir|in|us|eu))\b")
NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.\-]*$")


@dataclass
class _Unit:
    """One line (or re-joined paragraph) of a text scrape with the features the rules read."""

    text: str
    bullet: bool
    indent: int
    block: int  # index of the blank-line-separated block it belongs to
    words: int = 0
    terminal: bool = False
    kind: str = ""  # "" = undecided; else why it is chrome or what it is (caption, meta, ...)

    @cached_property
    def key(self) -> str:
        """text_key of the unit's text: several steps compare units by it (a one-line text's unit is all of it)."""
        return text_key(self.text)

    @property
    def good(self) -> bool:
        """Whether the unit reads as article prose."""
        return not self.kind and (
            (self.words >= 10 and self.terminal) or self.words >= 30 or (self.words >= 6 and _sentences(self.text) >= 2)
        )


# ---------------------------------------------------------------- small helpers
_WORD = re.compile(r"\w+")
# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) but newline and tab.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def normalise(raw: str) -> str:
    """Return the text with unified newlines, no BOM/zero-width chars and NBSP as spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").replace("\u200b", "").replace("\u200c", "").replace("\u200d", "")
    text = text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")
    # Control characters other than newline and tab break downstream offsets and rendering.
    return _CONTROL_CHARACTERS.sub("", text)


def text_key(text: str) -> str:
    """Return a comparison key for repeated-line detection: lowercase words only."""
    return " ".join(_WORD.findall(text.lower()))


def _sentences(text: str) -> int:
    """Return a rough count of sentence boundaries inside a line."""
    return len(SENTENCE_END.findall(text)) + (1 if TERMINAL.search(text) else 0)


def _is_heading_like(u: _Unit, min_words: int = 2) -> bool:
    """Whether a unit could be a title: a short non-bullet line without a final full stop."""
    if u.bullet or u.kind or not (min_words <= u.words <= 30) or len(u.text) < 10:
        return False
    return not u.text.rstrip("\"'”’)").endswith(".") or u.text.endswith("...")


def _chrome_words_only(text: str) -> bool:
    """Whether every token of a short line is a share/app/menu/language word."""
    tokens = re.findall(r"[\w'’&-]+|[|·•/]", text.lower())
    return bool(tokens) and len(tokens) <= 8 and all(t in CHROME_WORDS for t in tokens)


def _teaser_header(u: _Unit) -> bool:
    """Whether a line is a header that opens a block of teasers or tags."""
    t = u.key
    if not t or len(t) > 40:
        return False
    return t in TEASER_HEADERS or t.replace("'", "") in TEASER_HEADERS or t.startswith(TEASER_HEADER_PREFIXES)


def _ticker_header(u: _Unit) -> bool:
    """Whether a line is a header that opens a news ticker."""
    return u.key in TICKER_HEADERS


def split_names(text: str) -> list[str]:
    """Return person names from a byline remainder ("A, B and C" -> [A, B, C])."""
    text = re.sub(r"\s*[|/]\s*.*$", "", text)  # "By X | Reuters" -> the part before the bar
    text = re.sub(r"\s+(?:in|for|at)\s+[A-Z][\w ]*$", "", text)  # "By X in London"
    parts = re.split(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b)\s*", text)
    return [p.strip(" .:-–—") for p in parts if p.strip(" .:-–—")]


def author_names(field: str) -> list[str]:
    """Return the names in an author field of ';'-separated bylines ("A | Reuters; B and C" -> [A, B, C])."""
    return [name for byline in re.split(r"\s*;\s*", field) for name in split_names(byline)]


def looks_like_person(name: str) -> bool:
    """Whether a string reads as a person's name: 2-5 capitalised words, no outlet words."""
    words = name.split()
    if not 1 <= len(words) <= 5 or ORG_WORDS.search(name):
        return False
    caps = [w for w in words if NAME_TOKEN.match(w)]
    lowers = [w for w in words if w.lower() in {"de", "van", "von", "der", "al", "el", "bin", "da", "di", "la", "le"}]
    return len(caps) + len(lowers) == len(words) and len(caps) >= 1 and (len(words) >= 2 or len(name) > 2)


# ---------------------------------------------------------------- units
def _hard_wrapped(lines: list[str]) -> bool:
    """Whether a block's lines are a paragraph wrapped at a fixed width (joined back into one)."""
    if len(lines) < 3:
        return False
    width = max(len(x) for x in lines)
    if not 40 <= width <= 100:
        return False
    wide = sum(1 for x in lines[:-1] if len(x) >= width - 20)
    unterminated = sum(1 for x in lines[:-1] if not TERMINAL.search(x.rstrip()))
    # Wrapped prose continues sentences: many lines start in lower case; a list of headlines does not.
    continued = sum(1 for x in lines[1:] if x[:1].islower() or x[:1] in ",;:)")
    n = len(lines) - 1
    return wide >= 0.7 * n and unterminated >= 0.5 * n and continued >= 0.3 * n


def split_units(text: str) -> list[_Unit]:
    """Return the text's units: one per line, hard-wrapped paragraphs joined back."""
    units: list[_Unit] = []
    block_lines: list[str] = []
    block = 0

    def flush() -> None:
        nonlocal block
        if not block_lines:
            return
        lines = block_lines
        if _hard_wrapped([x.strip() for x in lines]) and not any(BULLET.match(x) for x in lines):
            width = max(len(x.strip()) for x in lines)
            para: list[str] = []
            for x in lines:
                para.append(x.strip())
                if TERMINAL.search(x.rstrip()) and len(x.strip()) < width - 15:
                    units.append(make_unit(" ".join(para), x, block))
                    para = []
            if para:
                units.append(make_unit(" ".join(para), lines[-1], block))
        else:
            # Locally, a long unfinished line followed by a lower-case start is one sentence wrapped.
            merged: list[str] = []
            for x in lines:
                if (
                    merged
                    and len(merged[-1]) >= 50
                    and not TERMINAL.search(merged[-1])
                    and x.strip()[:1].islower()
                    and not BULLET.match(x)
                ):
                    merged[-1] = merged[-1].rstrip() + " " + x.strip()
                else:
                    merged.append(x)
            for x in merged:
                units.append(make_unit(x, x, block))
        block += 1
        block_lines.clear()

    for line in text.split("\n"):
        if line.strip():
            block_lines.append(line.rstrip())
        else:
            flush()
    flush()
    return units


def make_unit(text: str, first_line: str, block: int) -> _Unit:
    """Return a unit with its bullet marker stripped and its features computed."""
    indent = len(first_line) - len(first_line.lstrip())
    stripped = text.strip()
    m = BULLET.match(stripped)
    # A leading number or dash followed by prose is rarely a list in a scrape; only symbols and short items count.
    bullet = bool(m) and (not stripped[:1].isdigit() and stripped[:1] not in "-–—" or len(stripped.split()) <= 12)
    if bullet:
        stripped = stripped[m.end():].strip()
    stripped = re.sub(r"[ \t]+", " ", stripped)
    u = _Unit(text=stripped, bullet=bullet, indent=indent, block=block)
    u.words = len(stripped.split())
    u.terminal = bool(TERMINAL.search(stripped))
    return u


# ---------------------------------------------------------------- rules
def _mark_captions(units: list[_Unit]) -> None:
    """Mark image captions: lines ending in a short credit or starting with "Photo:"."""
    for u in units:
        if u.kind or u.words < 4:
            continue
        m = CAPTION_CREDIT.search(u.text)
        before = u.text[: m.start()].rstrip() if m else ""
        if m and before and not re.search(r"[.!?…:;][\"'”’]?$", before):
            credit = m.group(0)
            # "(AP)"-style credits are short and capitalised, or name a photo source.
            if (len(credit.split()) <= 6 and re.match(r"[(\[]\s*[A-Z0-9]", credit)) or CAPTION_CREDIT_WORDS.search(credit):
                u.kind = "caption"
        elif CAPTION_PREFIX.match(u.text):
            u.kind = "caption"


def _mark_tickers(units: list[_Unit]) -> None:
    """Mark a ticker header and the run of one-line items under it (up to the next blank line)."""
    for i, u in enumerate(units):
        if u.kind or not _ticker_header(u):
            continue
        u.kind = "ticker"
        for v in units[i + 1:]:
            # Ticker items are one-liners in one block; a long paragraph or a new block ends the run.
            if v.block != u.block or v.words > 45 or _ticker_header(v) or _teaser_header(v):
                break
            v.kind = v.kind or "ticker"


def _mark_teasers(units: list[_Unit]) -> None:
    """Mark teaser/tag headers and the teaser items under them.

    Items sharing the header's block are the teaser list. A header standing alone opens items in
    following one-line blocks, up to the next prose, byline/date line, caption or header (at most 8).
    """
    i = 0
    while i < len(units):
        u = units[i]
        if u.kind not in ("", "caption") or not _teaser_header(u):
            i += 1
            continue
        u.kind = "teaser"
        j = i + 1
        same_block = j < len(units) and units[j].block == u.block
        taken = 0
        while j < len(units) and not units[j].good:
            v = units[j]
            if same_block and v.block != u.block:
                break
            if not same_block and (
                taken >= 8
                or v.kind == "caption"
                or _ticker_header(v)
                or _teaser_header(v)
                or BYLINE.match(v.text)
                or DATE_LINE.match(v.text)
            ):
                break
            if v.kind == "":
                v.kind = "teaser"
            taken += 1
            j += 1
        i = j


def _mark_chrome_lines(units: list[_Unit], repeated: set[str]) -> None:
    """Mark single chrome lines: boilerplate, link lines, share bars, reading times, repeated short lines."""
    for u in units:
        if u.kind:
            continue
        t = u.text
        if READING_TIME.match(t):
            u.kind = "meta"
        elif LINK_LINE.match(t):
            u.kind = "link"
        # A paragraph of prose that quotes a copyright notice is still prose: boilerplate is a notice of its own.
        elif (u.words <= BOILERPLATE_MAX_WORDS and STRONG_BOILERPLATE.search(t)) or \
                (u.words <= 12 and WEAK_BOILERPLATE.search(t)):
            u.kind = "boilerplate"
        elif PROMO_PREFIX.match(t) and u.words <= 25:
            u.kind = "promo"
        elif _chrome_words_only(t):
            u.kind = "chrome"
        elif not re.search(r"[^\W\d_]", t):
            u.kind = "chrome"  # punctuation, numbers or symbols only
        elif u.key in repeated and not u.good:
            u.kind = "repeated"
        elif u.bullet and u.words <= 4 and not u.terminal:
            u.kind = "menu"  # short bullets: menus and tag lists


def _mark_menu_runs(units: list[_Unit]) -> None:
    """Mark runs of 3+ short unpunctuated lines in one block: menus, tag clouds, section lists."""
    i = 0
    while i < len(units):
        j = i
        while (
            j < len(units)
            and units[j].block == units[i].block
            and units[j].words <= 4
            and not units[j].terminal
            and units[j].kind in ("", "menu", "chrome", "repeated")
        ):
            j += 1
        if j - i >= 3:
            for u in units[i:j]:
                u.kind = u.kind or "menu"
            i = j
        else:
            i += 1


def _score(u: _Unit) -> float:
    """Return a unit's contribution to the article core: prose positive, chrome negative."""
    if u.kind in ("caption", "meta"):
        return 0.0
    if u.kind == "link":
        return -300.0  # an aggregator's source link closes the article
    if u.kind:
        return -(len(u.text) + 50.0)
    if u.good:
        return float(len(u.text))
    if u.terminal:
        return 0.3 * len(u.text)  # a short sentence: weak evidence of article text
    return -(0.5 * len(u.text) + 20.0)


def _best_run(units: list[_Unit]) -> tuple[int, int] | None:
    """Return the [start, end] indexes of the best-scoring contiguous run starting and ending on prose."""
    best, best_span = 0.0, None
    run, start = 0.0, 0
    for i, u in enumerate(units):
        s = _score(u)
        if run <= 0:
            if not u.good:
                continue
            run, start = 0.0, i
        run += s
        if (u.good or (not u.kind and u.terminal)) and run > best:
            best, best_span = run, (start, i)
    return best_span


# ---------------------------------------------------------------- text scrapes
def clean_text_scrape(raw: str) -> CleanedText:
    """Return the article in a plain-text scrape, with the page's chrome removed."""
    return clean_units(split_units(normalise(raw or "")))


def clean_units(units: list[_Unit], title: str | None = None, fields: dict[str, str] | None = None) -> CleanedText:
    """Return the CleanedText for units of a scrape (title/fields may be known from markup)."""
    fields = dict(fields or {})
    if not units:
        return CleanedText(body="", title=title, fields=fields)

    counts: dict[str, int] = {}
    for u in units:
        k = u.key
        if k:
            counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, n in counts.items() if n > 1}

    _mark_captions(units)
    _mark_tickers(units)
    _mark_teasers(units)
    _mark_chrome_lines(units, repeated)
    _mark_menu_runs(units)
    _mark_meta(units)

    links = []
    for u in units:
        if u.kind == "link":
            m = LINK_LINE.match(u.text)
            links.append(m.group(1).rstrip(".,;"))

    span = _best_run(units)
    if span is None:
        return _no_core(units, title, fields, links, repeated)
    start, end = span
    # Short sentences at the edges of the core ("They ignored us, too.") belong to it.
    while end + 1 < len(units) and not units[end + 1].kind and units[end + 1].terminal and not units[end + 1].bullet:
        end += 1
    while start > 0 and not units[start - 1].kind and units[start - 1].terminal and units[start - 1].words >= 3 and not units[start - 1].bullet:
        start -= 1

    # A document opening with a one-sentence line before longer prose opens with its headline,
    # even when the headline ends with a full stop.
    if title is None and start == 0 and end > 0 and _headline_first(units[0], _next_prose(units, 1)):
        units[0].kind = "title"
        title = units[0].text
        start = 1
        while start <= end and units[start].kind:
            start += 1
    # The title and its dek sit just before the core, behind any byline/date/caption lines.
    found_title, deks = _find_title(units, start)
    header_idx = _header_indexes(units, start, found_title)
    if title is None and found_title is not None:
        title = units[found_title].text
        units[found_title].kind = "title"
    byline, site_from_byline = _bylines(units, header_idx, start, end)
    dateline = _dateline(units, header_idx, end)
    for i in header_idx + list(range(end + 1, min(len(units), end + 4))):
        m = LABELLED_META.match(units[i].text)
        if m and units[i].kind == "meta":
            fields.setdefault(m.group(1).strip().title(), m.group(2).strip())

    body_parts: list[str] = [units[i].text for i in deks]
    seen = {text_key(t) for t in body_parts}
    for i in range(start, end + 1):
        u = units[i]
        if not _in_body(units, i):
            continue
        k = u.key
        if k in seen and len(k) > 0:
            continue  # a pull quote or repeated paragraph: keep its first occurrence
        seen.add(k)
        body_parts.append(u.text)

    captions = _captions(units, found_title if found_title is not None else start, end)
    site_name = site_from_byline or _site_name(units, repeated, end)
    return CleanedText(
        body="\n\n".join(body_parts),
        captions=captions,
        title=title,
        byline=byline,
        dateline=dateline,
        fields=fields,
        links=list(dict.fromkeys(links)),
        site_name=site_name,
    )


def _mark_meta(units: list[_Unit]) -> None:
    """Mark byline, date, reading-time and labelled-field lines as meta (lifted out, never body)."""
    for u in units:
        if u.kind not in ("", "menu", "chrome", "repeated"):
            continue
        t = u.text
        if u.words <= 12 and (BYLINE.match(t) or DATE_LINE.match(t) or LABELLED_META.match(t)):
            u.kind = "meta"
        elif READING_TIME.match(t):
            u.kind = "meta"


def _in_body(units: list[_Unit], i: int) -> bool:
    """Whether a unit inside the core belongs to the article text."""
    u = units[i]
    if u.kind:
        return False
    if u.good or u.terminal:
        return not (u.bullet and u.words < 3)
    # A short unpunctuated line inside the core is kept as a subheading when prose follows it.
    j = i + 1
    while j < len(units) and units[j].kind == "caption":
        j += 1
    return u.words >= 2 and not u.bullet and j < len(units) and units[j].good


def _header_indexes(units: list[_Unit], start: int, title: int | None) -> list[int]:
    """Return indexes of the lines around the title above the core (where bylines and dates sit)."""
    if title is not None:
        below = list(range(start - 1, title, -1))
        above = [i for i in range(title - 1, max(-1, title - 5), -1) if not units[i].good]
        return below + above
    out = []
    i = start - 1
    while i >= 0 and len(out) < 12:
        u = units[i]
        if u.kind in ("meta", "caption", "chrome", "menu") or (u.kind == "" and not u.good) or u.words <= 3:
            out.append(i)
            i -= 1
            continue
        break
    return out


def _headline_first(u: _Unit, nxt: _Unit) -> bool:
    """Whether a document's first line reads as its headline: one short sentence before longer prose."""
    return (
        not u.kind
        and not u.bullet
        and 3 <= u.words <= 20
        and _sentences(u.text) <= 1
        and nxt.good
        and nxt.words > u.words
    )


def _next_prose(units: list[_Unit], i: int) -> _Unit:
    """Return the first unit from i on that is more than a one-word label (or the last unit)."""
    while i < len(units) - 1 and units[i].words <= 1:
        i += 1
    return units[min(i, len(units) - 1)]


def _find_title(units: list[_Unit], start: int) -> tuple[int | None, list[int]]:
    """Return the title's index and the indexes of dek lines between it and the core."""
    cands: list[int] = []
    i = start - 1
    while i >= 0:
        u = units[i]
        if (
            u.kind in ("meta", "caption")
            or (u.kind in ("chrome", "menu", "teaser", "boilerplate", "promo") and u.words <= 3)
            or (u.bullet and u.words <= 1)
        ):
            i -= 1
            continue
        if u.words <= 1 and not cands:
            i -= 1  # a one-word label between headline and text ("ABSTRACT.", "LETTERS")
            continue
        if _is_heading_like(u) or (i == 0 and i + 1 < len(units) and _headline_first(u, _next_prose(units, 1))):
            cands.append(i)
            i -= 1
            if len(cands) == 2:
                break
            continue
        break
    if not cands:
        return None, []
    # "Title / dek / prose": the upper of two headings is the headline, the lower its dek (standfirst),
    # unless the upper is a short masthead or section label.
    if len(cands) == 2 and units[cands[1]].words >= 5 and units[cands[0]].words >= 5:
        units[cands[0]].kind = "dek"
        return cands[1], [cands[0]]
    return cands[0], []


def _bylines(units: list[_Unit], header_idx: list[int], start: int, end: int) -> tuple[list[str], str | None]:
    """Return author names from "By X" lines around the core, and an outlet named that way."""
    names: list[str] = []
    site = None
    near = header_idx + list(range(end + 1, min(len(units), end + 4)))
    standalone = {u.key for u in units if not u.bullet}
    for i in near:
        u = units[i]
        m = BYLINE.match(u.text)
        if not m or u.words > 12:
            continue
        u.kind = "meta"
        for name in split_names(m.group(1)):
            # "By <outlet>": the site's own name (a masthead line elsewhere, or outlet words) is no author.
            if text_key(name) in standalone - {u.key} or not looks_like_person(name):
                site = site or (name if ORG_WORDS.search(name) or text_key(name) in standalone else None)
                continue
            names.append(name)
    return list(dict.fromkeys(names)), site


def _dateline(units: list[_Unit], header_idx: list[int], end: int) -> str | None:
    """Return the raw published-date string found above the core (or just below it)."""
    for i in header_idx + list(range(end + 1, min(len(units), end + 4))):
        u = units[i]
        m = DATE_LINE.match(u.text)
        if m:
            return m.group(1).strip()
        lm = LABELLED_META.match(u.text)
        if lm and re.search(r"date|publish|posted|updated", lm.group(1), re.I) and DATE_LINE.match(lm.group(2).strip()):
            return lm.group(2).strip()
    return None


def _captions(units: list[_Unit], first: int, end: int) -> list[str]:
    """Return the distinct captions between the title and the end of the core."""
    out: dict[str, str] = {}
    for u in units[first: end + 1]:
        if u.kind == "caption":
            out.setdefault(u.key, u.text)
    return list(out.values())


def _site_name(units: list[_Unit], repeated: set[str], end: int) -> str | None:
    """Return the outlet's name: a repeated masthead line, or a name in the footer's boilerplate."""
    first = next((u for u in units if u.text), None)
    if first and first.key in repeated and first.words <= 6 and not first.terminal:
        return first.text
    for u in units[end + 1:]:
        if u.kind != "boilerplate":
            continue
        m = re.match(rf"^{DOMAIN_TOKEN.pattern}\s+(?:is|was)\s+(?:an?|the)\b", u.text)
        if m:
            return m.group(1)
        m = re.search(r"(?:©|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*([A-Z][\w.&' -]{1,50}?)(?:[.,|]|\s+all rights|\s*$)", u.text, re.I)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return None


def _no_core(units: list[_Unit], title: str | None, fields: dict[str, str], links: list[str], repeated: set[str]) -> CleanedText:
    """Return the result for text with no prose run: short sentences kept, chrome dropped."""
    kept = [u.text for u in units if not u.kind and (u.terminal or u.words >= 8)]
    if title is None:
        heads = [u for u in units if _is_heading_like(u) and u.key not in repeated]
        title = heads[0].text if heads and heads[0].text not in kept else None
    captions = list(dict.fromkeys(u.text for u in units if u.kind == "caption"))
    return CleanedText(body="\n\n".join(kept), captions=captions, title=title, fields=fields, links=links)
