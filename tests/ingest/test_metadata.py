"""Metadata: title, outlet and original outlet, authors, published date with its precision."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.ingest.clean import CleanedText, clean
from pipeline.ingest.metadata import Metadata, domain_of, extract_metadata, outlet_for_domain, parse_published
from pipeline.models import DatePrecision

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _meta(prefix: str, hints: dict[str, str] | None = None) -> Metadata:
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return extract_metadata(clean(raw, "text"), hints)


def test_000_news_page():
    m = _meta("000")
    assert m.title == "'Global coalition' must push back against Iran-Russia co-op: Pentagon"
    assert m.outlet == "Al Mayadeen English"
    assert m.authors == []
    assert m.published == date(2023, 2, 28)
    assert m.published_precision == DatePrecision.DAY
    assert m.original_url is None and m.original_outlet is None


def test_001_clean_copy_states_no_date():
    m = _meta("001")
    assert m.title == "'Global coalition' must push back against Iran-Russia co-op: Pentagon"
    assert m.published is None
    assert m.published_precision == DatePrecision.UNKNOWN


def test_001_gets_its_date_from_a_manifest_hint():
    m = _meta("001", {"published": "2023-02-28", "outlet": "Al Mayadeen English", "url": "https://example.org/a"})
    assert m.published == date(2023, 2, 28)
    assert m.published_precision == DatePrecision.DAY
    assert m.outlet == "Al Mayadeen English"
    assert m.url == "https://example.org/a"


def test_002_aggregator_copy_points_at_the_original():
    m = _meta("002")
    assert m.title == "US Secretary of Defense warns of ‘unthinkable’ military ties between Iran and Russia"
    assert m.original_url == "https://www.ft.com/content/287e9199-896f-43e4-9437-25f75c833c25"
    assert m.original_outlet == "Financial Times"
    assert m.outlet == "TheHiu.com"
    assert m.authors == []  # "Brian Ashcraft" sits in the aggregator's chrome, not a byline
    assert m.published is None
    assert m.published_precision == DatePrecision.UNKNOWN


def test_003_blog_post_states_no_date():
    m = _meta("003")
    assert m.title == "Unwavering Iran And Russia Alliance: Resilience In The Face Of Geopolitical Pressure"
    assert m.published is None
    assert m.published_precision == DatePrecision.UNKNOWN


def test_004_markdown_export_fields():
    m = _meta("004")
    assert m.title == "CIA Chief Says Russia-Iran Building 'Full-Fledged Defense Partnership'"
    assert m.authors == ["Dave DeCamp"]
    assert m.published == date(2022, 12, 20)
    assert m.published_precision == DatePrecision.DAY


def test_hints_override_guesses():
    cleaned = CleanedText(body="Text.", title="Page title", byline=["Ann Lee"], dateline="28 Feb 2023", site_name="Site")
    m = extract_metadata(
        cleaned,
        {"title": "Manifest title", "author": "Bo Chen; Dee Roy", "published": "March 2023", "outlet": "The Paper"},
    )
    assert m.title == "Manifest title"
    assert m.authors == ["Bo Chen", "Dee Roy"]
    assert m.published == date(2023, 3, 1)
    assert m.published_precision == DatePrecision.MONTH
    assert m.outlet == "The Paper"


def test_outlet_named_as_author_is_not_an_author():
    cleaned = CleanedText(body="Text.")
    m = extract_metadata(cleaned, {"author": "Breitbart News", "outlet": "breitbart"})
    assert m.authors == []


def test_url_hint_gives_outlet_from_domain_when_page_names_none():
    m = extract_metadata(CleanedText(body="Text."), {"url": "https://www.ft.com/content/abc"})
    assert m.outlet == "Financial Times"
    assert m.original_url is None


def test_html_fixture_metadata():
    cleaned = clean((FIXTURES / "article_page.html").read_text(encoding="utf-8"), "html")
    m = extract_metadata(cleaned)
    assert m.outlet == "The Coastal Ledger"
    assert m.authors == ["Maria Lopez"]
    assert m.published == date(2023, 4, 12)
    assert m.url == "https://coastalledger.example.com/news/harbor-authority-denies-dumping"


@pytest.mark.parametrize(
    "text, expected, precision",
    [
        ("28 Feb 2023 20:45", date(2023, 2, 28), DatePrecision.DAY),
        ("February 2023", date(2023, 2, 1), DatePrecision.MONTH),
        ("2023", date(2023, 1, 1), DatePrecision.YEAR),
        ("12/20/2022", date(2022, 12, 20), DatePrecision.DAY),
        ("20/12/2022", date(2022, 12, 20), DatePrecision.DAY),
        ("Feb. 28, 2023", date(2023, 2, 28), DatePrecision.DAY),
        ("Tuesday, February 28, 2023", date(2023, 2, 28), DatePrecision.DAY),
        ("Published on 28 February 2023", date(2023, 2, 28), DatePrecision.DAY),
        ("Updated: March 1, 2023 at 5:00 pm", date(2023, 3, 1), DatePrecision.DAY),
        ("2023-02-28T10:00:00Z", date(2023, 2, 28), DatePrecision.DAY),
        ("2023-02", date(2023, 2, 1), DatePrecision.MONTH),
    ],
)
def test_parse_published_precision(text, expected, precision):
    assert parse_published(text) == (expected, precision)


@pytest.mark.parametrize("text", ["Tuesday", "3 days ago", "Feb 28", "", "garbage 1234", "2999-01-01", "13/13/2022"])
def test_parse_published_refuses_relative_future_or_unreadable(text):
    assert parse_published(text) == (None, DatePrecision.UNKNOWN)


def test_numeric_date_order_hint():
    assert parse_published("03/04/2023") == (date(2023, 3, 4), DatePrecision.DAY)
    assert parse_published("03/04/2023", day_first=True) == (date(2023, 4, 3), DatePrecision.DAY)
    m = extract_metadata(CleanedText(body="x", dateline="03/04/2023"), {"date_order": "DMY"})
    assert m.published == date(2023, 4, 3)


def test_domain_helpers():
    assert domain_of("https://www.ft.com/content/1") == "ft.com"
    assert domain_of("not a url") is None
    assert outlet_for_domain("markets.ft.com") == "Financial Times"
    assert outlet_for_domain("unknown-site.example") == "unknown-site.example"


def test_markdown_author_field_gives_the_author():
    md = (
        "# Ministers trade accusations over grain deal\n\n"
        "The agriculture minister said on Friday that the neighbouring government had broken the agreement "
        "twice in a month, according to a statement released by his office.\n\n"
        "**Author:** Sam Field\n\n**Published:** 4 March 2023\n"
    )
    m = extract_metadata(clean(md, "markdown"))
    assert m.authors == ["Sam Field"]
    assert m.published == date(2023, 3, 4)
