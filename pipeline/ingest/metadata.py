"""Title, outlet (and original outlet), authors and published date of a cleaned article.

Hints from a batch row or manifest (url, title, outlet, author, published) override what the
text suggests. Dates are never invented: no text date and no hint means published=None.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from pipeline.config import DATA_DIR
from pipeline.ingest.scrape import ORG_WORDS, CleanedText, author_names, looks_like_person, split_names
from pipeline.models import DatePrecision, Strict


class Metadata(Strict):
    """What is known about an article besides its text."""

    title: str | None = None
    outlet: str | None = None
    original_outlet: str | None = None
    original_url: str | None = None
    url: str | None = None
    authors: list[str] = []
    published: date | None = None
    published_precision: DatePrecision = DatePrecision.UNKNOWN


# General data, not about any dispute: well-known outlets' domains -> names. data/outlets.yaml
# (mapping domain -> name), when present, adds to and overrides this table.
OUTLET_NAMES = {
    "ft.com": "Financial Times",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "theguardian.com": "The Guardian",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
    "reuters.com": "Reuters",
    "apnews.com": "Associated Press",
    "afp.com": "AFP",
    "bloomberg.com": "Bloomberg",
    "cnn.com": "CNN",
    "foxnews.com": "Fox News",
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "npr.org": "NPR",
    "pbs.org": "PBS",
    "politico.com": "Politico",
    "politico.eu": "Politico Europe",
    "thehill.com": "The Hill",
    "axios.com": "Axios",
    "economist.com": "The Economist",
    "telegraph.co.uk": "The Telegraph",
    "independent.co.uk": "The Independent",
    "aljazeera.com": "Al Jazeera",
    "dw.com": "Deutsche Welle",
    "france24.com": "France 24",
    "euronews.com": "Euronews",
    "lemonde.fr": "Le Monde",
    "spiegel.de": "Der Spiegel",
    "tass.com": "TASS",
    "rt.com": "RT",
    "ria.ru": "RIA Novosti",
    "xinhuanet.com": "Xinhua",
    "english.news.cn": "Xinhua",
    "globaltimes.cn": "Global Times",
    "scmp.com": "South China Morning Post",
    "timesofisrael.com": "The Times of Israel",
    "haaretz.com": "Haaretz",
    "jpost.com": "The Jerusalem Post",
    "irna.ir": "IRNA",
    "presstv.ir": "Press TV",
    "tehrantimes.com": "Tehran Times",
    "kyivindependent.com": "The Kyiv Independent",
    "breitbart.com": "Breitbart",
    "usatoday.com": "USA Today",
    "latimes.com": "Los Angeles Times",
    "newsweek.com": "Newsweek",
    "time.com": "Time",
    "theatlantic.com": "The Atlantic",
    "foreignpolicy.com": "Foreign Policy",
}

_DATE_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": False,
    # Published dates are absolute: "Tuesday" or "3 days ago" has no anchor here.
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["year"],
}
_DATE_LABELS = re.compile(r"date|publish|posted|created|issued|updated|time", re.I)
_LABEL_PREFIX = re.compile(
    r"^\s*(?:(?:first\s+)?published|posted|updated|last updated|date(?: created| published)?|created|issued|on)\b\s*(?:on|at)?\s*[:\-–—]?\s*",
    re.I,
)
_WEEKDAY = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b\.?,?", re.I)
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
_YEAR_ONLY = re.compile(r"^\s*(\d{4})\s*$")


@lru_cache(maxsize=1)
def _outlet_table() -> dict[str, str]:
    """Return domain -> outlet name: the built-in table, overridden by data/outlets.yaml if present."""
    table = dict(OUTLET_NAMES)
    path = DATA_DIR / "outlets.yaml"
    if path.exists():
        import yaml

        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(loaded, dict):
            table.update({str(k).lower(): str(v) for k, v in loaded.items()})
    return table


def domain_of(url: str | None) -> str | None:
    """Return a URL's host without "www." (None when it has no host)."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host.lower()):
        return None
    return host.lower().removeprefix("www.").removeprefix("m.").removeprefix("amp.")


def outlet_for_domain(domain: str | None) -> str | None:
    """Return the outlet name for a domain (the table, its parent domains, else the domain itself)."""
    if not domain:
        return None
    table = _outlet_table()
    parts = domain.split(".")
    for k in range(len(parts) - 1):
        name = table.get(".".join(parts[k:]))
        if name:
            return name
    return domain


@lru_cache(maxsize=1)
def _parser():
    """Return a dateparser DateDataParser with explicit settings (created once: it is costly)."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=None, settings=_DATE_SETTINGS)


def parse_published(text: str | None, day_first: bool | None = None) -> tuple[date | None, DatePrecision]:
    """Return (date, precision) for a published-date string; (None, UNKNOWN) when it states no date.

    Precision follows what the string gives: "28 Feb 2023" -> day, "February 2023" -> month,
    "2023" -> year. Numeric "12/20/2022" is read month-first unless a part exceeds 12 or
    day_first says otherwise; relative dates ("Tuesday", "3 days ago") are refused.
    """
    if not text or not text.strip() or len(text) > 200:
        return None, DatePrecision.UNKNOWN
    s = _LABEL_PREFIX.sub("", text.strip())
    s = _WEEKDAY.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip(" ,|-–—")
    result = _parse_numeric(s, day_first)
    if result is None:
        result = _parse_words(s)
    if result is None:
        return None, DatePrecision.UNKNOWN
    d, precision = result
    # A published date in the future or before the web is a misread, not a fact.
    if d > date.today() + timedelta(days=2) or d.year < 1900:
        return None, DatePrecision.UNKNOWN
    return d, precision


def _parse_numeric(s: str, day_first: bool | None) -> tuple[date, DatePrecision] | None:
    """Return the date of an all-numeric string (ISO, d/m/y, m/d/y, year), or None."""
    m = _ISO.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            return (date(y, mo, int(d)), DatePrecision.DAY) if d else (date(y, mo, 1), DatePrecision.MONTH)
        except ValueError:
            return None
    m = _NUMERIC.match(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000 if y < 70 else 1900
        if a > 12 or (day_first and b <= 12):
            day, month = a, b
        else:
            month, day = a, b
        try:
            return date(y, month, day), DatePrecision.DAY
        except ValueError:
            return None
    m = _YEAR_ONLY.match(s)
    if m and 1900 <= int(m.group(1)) <= 2100:
        return date(int(m.group(1)), 1, 1), DatePrecision.YEAR
    return None


def _parse_words(s: str) -> tuple[date, DatePrecision] | None:
    """Return the date of a worded string via dateparser, or None."""
    s = re.sub(r"\s+at\s+(?=\d)", " ", s)
    s = re.sub(r"\s*\|\s*", " ", s)
    if not re.search(r"\d{4}", s):
        return None  # no year: "Tuesday", "Feb 28" would be anchored to today's year
    try:
        data = _parser().get_date_data(s)
    except Exception:  # dateparser raises on some odd strings; an unreadable date stays unknown
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    period = data.period or "day"
    if period == "year":
        return date(d.year, 1, 1), DatePrecision.YEAR
    if period == "month":
        return date(d.year, d.month, 1), DatePrecision.MONTH
    return d, DatePrecision.DAY


def _date_from_fields(fields: dict[str, str]) -> str | None:
    """Return the first date-labelled field value of an export ("Date Created": "12/20/2022")."""
    for label, value in fields.items():
        if _DATE_LABELS.search(label) and value and len(value) <= 80:
            return value
    return None


def _hint(hints: dict[str, str], *names: str) -> str | None:
    """Return the first non-empty hint among names (keys compared case-insensitively)."""
    lowered = {str(k).lower(): v for k, v in hints.items()}
    for n in names:
        v = lowered.get(n)
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _original_link(cleaned: CleanedText, own_domain: str | None) -> str | None:
    """Return the link to the original article an aggregator copy points at, if any."""
    for link in cleaned.links:
        d = domain_of(link)
        if d and d != own_domain and not (own_domain and (d.endswith("." + own_domain) or own_domain.endswith("." + d))):
            return link
    return None


def _site_domain(site: str | None) -> str | None:
    """Return the domain an outlet name spells ("TheHiu.com" -> "thehiu.com"), else None."""
    if site and re.fullmatch(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}", site.strip()):
        return site.strip().lower().removeprefix("www.")
    return None


def extract_metadata(cleaned: CleanedText, hints: dict[str, str] | None = None) -> Metadata:
    """Return the article's metadata: hints first, then what the cleaned page shows."""
    hints = hints or {}
    url = _hint(hints, "url", "link", "source_url")
    title = _hint(hints, "title", "headline") or cleaned.title
    url = url or cleaned.fields.get("Canonical Url")

    outlet = _hint(hints, "outlet", "publisher", "site", "source", "sitename")
    own_domain = domain_of(url) or _site_domain(cleaned.site_name)
    if outlet is None:
        outlet = cleaned.site_name or (outlet_for_domain(domain_of(url)) if url else None)

    original_url = _hint(hints, "original_url")
    if original_url is None:
        original_url = _original_link(cleaned, own_domain)
    original_outlet = _hint(hints, "original_outlet")
    if original_outlet is None and original_url:
        original_outlet = outlet_for_domain(domain_of(original_url))

    author_hint = _hint(hints, "author", "authors", "byline")
    if author_hint is not None:
        authors = author_names(author_hint)
        # A batch's "author" that is the outlet itself ("Breitbart News") names no person.
        authors = [a for a in authors if looks_like_person(a) or not ORG_WORDS.search(a)]
    else:
        authors = list(cleaned.byline)
        if not authors:
            # An export's labelled author field ("**Author:** Sam Field").
            value = next((v for k, v in cleaned.fields.items() if re.fullmatch(r"(?i)authors?|by ?line|writer|written by", k)), "")
            authors = [n for n in split_names(value) if looks_like_person(n)]
    outlet_keys = {_norm(outlet), _norm(cleaned.site_name), _norm(original_outlet)} - {""}
    authors = [a for a in dict.fromkeys(authors) if _norm(a) not in outlet_keys]

    published, precision = None, DatePrecision.UNKNOWN
    published_hint = _hint(hints, "published", "publication_date", "date", "published_at")
    day_first = None
    order = _hint(hints, "date_order")
    if order:
        day_first = order.upper().startswith("D")
    for candidate in (published_hint, _date_from_fields(cleaned.fields), cleaned.dateline):
        if candidate:
            published, precision = parse_published(candidate, day_first)
            if published is not None:
                break
    return Metadata(
        title=title,
        outlet=outlet,
        original_outlet=original_outlet,
        original_url=original_url,
        url=url,
        authors=authors,
        published=published,
        published_precision=precision,
    )


def _norm(text: str | None) -> str:
    """Return a loose comparison key for names: lowercase letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", (text or "").lower())
