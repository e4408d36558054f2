"""Near-duplicate detection."""

from pipeline.ingest import dedupe

BASE = (
    "The minister said on Tuesday that the agreement would be signed next month. "
    "Officials from both countries have met several times since the spring to settle the last details. "
    "Critics argue the deal leaves key questions open, including inspections and the timeline for payments. "
    "A spokesman for the opposition called the plan reckless and promised to fight it in parliament."
)


def test_the_same_article_with_other_spacing_quotes_and_a_tail_is_a_copy():
    copy = BASE.replace("said", "said").replace(". ", ".\n\n") + " Read more on our website."
    assert dedupe.is_near_copy(BASE, copy)
    assert dedupe.fingerprint(BASE).body_sha256 == dedupe.fingerprint(BASE.replace(" ", "  ")).body_sha256


def test_a_different_article_on_the_same_topic_is_not_a_copy():
    other = (
        "The agreement drew criticism on Wednesday from opposition leaders, who said the minister had misled "
        "parliament about inspections. Payments will start next year, a ministry statement said."
    )
    assert not dedupe.is_near_copy(BASE, other)


def test_copies_share_lsh_bands_and_unrelated_texts_do_not():
    a = dedupe.fingerprint(BASE)
    b = dedupe.fingerprint(BASE + " The vote is expected in June.")
    c = dedupe.fingerprint("Completely unrelated text about football scores and the weather this weekend in town.")
    assert set(a.bands) & set(b.bands)
    assert not set(a.bands) & set(c.bands)
