"""Chart builders: encodings, the stance colours, the briefing title, and real PNGs from `brief`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipeline import charts
from pipeline.cli import main as cli
from pipeline.store import connection, queries

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARTNERSHIP = "iran-russia-partnership-threat"


def points_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "assertion_id": ["a", "a", "a"],
        "assertion": ["A claim."] * 3,
        "party_id": ["p", "q", "p"],
        "party": ["P", "Q", "P"],
        "stance": ["asserts", "denies", "asserts"],
        "statement_date": [date(2023, 1, 5), date(2023, 2, 1), date(2023, 3, 1)],
        "date_precision": ["day", "month", "published"],
        "date_key": ["2023-01-05", "2023-02-01", "2023-03-01"],
        "statements": [1, 3, 2],
        "documents": [1, 2, 1],
        "speaker": ["Someone", None, "Other"],
        "quote_excerpt": ["x", "y", "z"],
        "outlet": ["O", None, "O"],
    })


def test_timeline_encodes_date_party_stance_and_count_with_the_colour_blind_safe_pair():
    spec = charts.timeline_chart(points_frame()).to_dict()
    encoding = spec["encoding"]
    assert encoding["x"]["field"] == "statement_date" and encoding["x"]["type"] == "temporal"
    assert encoding["y"]["field"] == "party"
    assert encoding["color"]["field"] == "stance"
    assert encoding["color"]["scale"] == {"domain": ["asserts", "denies"], "range": ["#0072B2", "#D55E00"]}
    assert encoding["size"]["field"] == "statements"
    assert encoding["size"]["legend"]["values"] == [1, 2, 3]
    tooltips = {t["field"] for t in encoding["tooltip"]}
    assert {"speakers_label", "quote_excerpt", "outlet", "when", "precision"} <= tooltips
    assert spec["params"][0]["name"] == charts.POINT_SELECTION
    assert spec["params"][0]["select"]["fields"] == charts.POINT_FIELDS


def test_month_precision_is_plotted_at_the_month_and_said_in_the_tooltip():
    frame = charts._timeline_frame(points_frame())
    month = frame[frame["date_precision"] == "month"].iloc[0]
    assert month["when"] == "2023-02" and month["statement_date"] == pd.Timestamp("2023-02-01")
    assert "month only" in month["precision"]
    assert frame.loc[frame["date_precision"] == "published", "precision"].iloc[0] == "article's publication date"
    assert charts.date_label(date(2022, 5, 1), "year") == "2022"
    assert charts.date_label(None, "unknown") == "unknown"


def test_several_assertions_become_small_multiples():
    frame = pd.concat([points_frame(), points_frame().assign(assertion_id="b", assertion="B claim.")])
    spec = charts.timeline_chart(frame, width=600).to_dict()
    assert spec["facet"]["row"]["field"] == "assertion"
    assert spec["resolve"]["scale"]["y"] == "independent"


def test_weekly_chart_puts_denials_below_zero_with_the_same_colours():
    weekly = pd.DataFrame({"assertion_id": ["a", "a"], "party_id": ["p", "q"], "party": ["P", "Q"],
                           "week": [date(2023, 1, 2), date(2023, 1, 9)], "asserts": [2, 0], "denies": [1, 3]})
    long = charts.weekly_frame(weekly)
    assert sorted(zip(long["party"], long["stance"], long["signed"])) == [
        ("P", "asserts", 2), ("P", "denies", -1), ("Q", "denies", -3)]
    assert list(long["week_label"].unique()) == ["2023-W01", "2023-W02"]
    spec = charts.weekly_chart(weekly, width=500).to_dict()
    bars = spec["spec"]["layer"][0]["encoding"]
    assert bars["y"]["field"] == "signed" and bars["y"]["scale"]["domain"] == [-3, 3]
    assert bars["color"]["scale"]["range"] == ["#0072B2", "#D55E00"]
    assert spec["facet"]["row"]["field"] == "party"


def test_briefing_subtitle_names_the_filters_and_range():
    lines = charts.briefing_subtitle("Not so.", ["Iran"], None, date(2023, 1, 31), date(2022, 11, 1),
                                     date(2023, 2, 28))
    assert lines[0] == "Counterclaim: Not so."
    assert "Iran" in lines[1] and "01 Nov 2022 – 31 Jan 2023" in lines[1]
    assert "all parties" in charts.briefing_subtitle(None, [], None, None, date(2023, 1, 1), date(2023, 1, 2))[0]


def test_briefing_png_of_the_seed_assertion_has_the_claim_as_title(seed_db):
    with connection.connect_readonly(seed_db) as con:
        detail = queries.assertion(con, PARTNERSHIP)
        points = queries.timeline_points(con, queries.ClaimFilter(assertions=(PARTNERSHIP,)))
    subtitle = charts.briefing_subtitle(detail["counterclaim"], [], None, None, date(2022, 12, 1), date(2023, 2, 28))
    footer = charts.briefing_footer(date(2026, 12, 2), 3, 14)
    chart = charts.briefing_chart(points, detail["claim"], subtitle, footer)
    spec = chart.to_dict()
    assert " ".join(spec["title"]["text"]) == detail["claim"]
    assert spec["title"]["subtitle"][0].startswith("Counterclaim: Their cooperation is normal")
    assert spec["layer"][1]["mark"]["text"] == "Made with the contested-claim tracker on 02 December 2026 from 3 sources · 14 statements."
    png = charts.chart_png(chart)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 10_000


def test_briefing_footer_reads_as_english():
    assert charts.briefing_footer(date(2023, 3, 1), 1, 1) == \
        "Made with the contested-claim tracker on 01 March 2023 from 1 source · 1 statement."
    assert charts.briefing_footer(date(2023, 3, 1), 6, 9, 2, ["A", "B", "C", "D", "E"]) == \
        ("Made with the contested-claim tracker on 01 March 2023 from 6 sources (A, B, C, D and 1 more) · "
         "9 statements, 2 of them undated and not plotted.")
    assert charts.briefing_footer(date(2023, 3, 1), 2, 5).endswith("from 2 sources · 5 statements.")
    assert charts.briefing_footer(date(2023, 3, 1), 4, 18, undated=10).endswith(
        "from 4 sources · 18 statements, 10 of them undated and not plotted.")


def test_brief_command_writes_a_png(seed_db, tmp_path, capsys):
    out = tmp_path / "brief" / "partnership.png"
    assert cli(["brief", "--assertion", PARTNERSHIP, "--out", str(out), "--db", str(seed_db)]) == 0
    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    assert "dated statements" in capsys.readouterr().out


@pytest.mark.parametrize("assertion, code, message", [("no-such-assertion", 2, "no assertion")])
def test_brief_command_rejects_an_unknown_assertion(seed_db, tmp_path, capsys, assertion, code, message):
    out = tmp_path / "x.png"
    assert cli(["brief", "--assertion", assertion, "--out", str(out), "--db", str(seed_db)]) == code
    assert message in capsys.readouterr().err and not out.exists()


def test_small_multiples_share_one_dot_size_scale():
    frame = points_frame()
    spec = charts.timeline_chart(frame, most_statements=9).to_dict()
    assert spec["encoding"]["size"]["scale"]["domain"] == [1, 9]
    assert "domain" not in charts.timeline_chart(frame).to_dict()["encoding"]["size"]["scale"]
