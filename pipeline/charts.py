"""Altair chart builders shared by the dashboard and the `brief` command (no Streamlit here)."""

from __future__ import annotations

import textwrap
from datetime import date

import altair as alt
import numpy as np
import pandas as pd

# A colour-blind-safe pair (Okabe-Ito blue and vermillion), the same in every chart and PNG.
STANCE_DOMAIN = ["asserts", "denies"]
STANCE_RANGE = ["#0072B2", "#D55E00"]
STANCE_SCALE = alt.Scale(domain=STANCE_DOMAIN, range=STANCE_RANGE)
# Stance is also a shape, so a grey-scale print or a colour-blind reader tells them apart, and the two
# stances of one day sit a little apart in their party's row instead of on top of each other.
STANCE_SHAPES = alt.Scale(domain=STANCE_DOMAIN, range=["circle", "square"])
STANCE_OFFSET = 6  # pixels above (asserts) and below (denies) the party's line
# A statement whose own words date it is a filled mark; one dated only by its article's publication
# is hollow: the x axis says "statement date", and for most news statements it is the article's.
DATE_BASIS_DOMAIN = ["the statement's own date", "the article's publication date"]
DATE_BASIS_FILL = alt.Scale(domain=DATE_BASIS_DOMAIN, range=[0.85, 0.0])
# Axis and legend text dark enough on white (12.6:1; the 4.5:1 of WCAG AA is the floor).
TEXT_COLOR = "#333333"
DATE_KEY = "filled ● = the statement's own date · hollow ○ = dated by its article's publication"
TOOL_NAME = "contested-claim tracker"
# A point that rests on a link the linker is less than even sure of is drawn lighter, never as firm as the rest.
WEAK_LINK_CONFIDENCE = 0.5
LINK_DOMAIN = ["sure links", f"a link under {WEAK_LINK_CONFIDENCE:.0%} confidence"]
LINK_OPACITY = alt.Scale(domain=LINK_DOMAIN, range=[0.95, 0.35])

# The selection the dashboard reads back: these fields identify one point (one party, stance and day).
POINT_SELECTION = "point"
POINT_FIELDS = ["assertion_id", "party_id", "stance", "date_key"]

PRECISION_LABELS = {
    "day": "day",
    "month": "month only (plotted at the month's start)",
    "year": "year only (plotted at the year's start)",
    "published": "article's publication date",
}


def date_label(day, precision: str) -> str:
    """Return a date as people read it at its precision: 2022-11 for a month, 2022 for a year."""
    if day is None or pd.isna(day):
        return "unknown"
    day = pd.Timestamp(day)
    if precision == "month":
        return day.strftime("%Y-%m")
    if precision == "year":
        return day.strftime("%Y")
    return day.strftime("%Y-%m-%d")


def _timeline_frame(points: pd.DataFrame) -> pd.DataFrame:
    frame = points.copy()
    frame["statement_date"] = pd.to_datetime(frame["statement_date"])
    frame["when"] = [date_label(d, p) for d, p in zip(frame["statement_date"], frame["date_precision"])]
    frame["precision"] = frame["date_precision"].map(lambda p: PRECISION_LABELS.get(p, p))
    frame["outlet"] = frame["outlet"].fillna("(outlet unknown)")
    frame["speaker"] = frame["speaker"].fillna("(no speaker)")
    # Column-wise: the 12 busiest assertions of a large corpus are tens of thousands of points.
    weakest = frame["lowest_confidence"] if "lowest_confidence" in frame else pd.Series(1.0, index=frame.index)
    frame["link"] = np.where(weakest.fillna(1.0) < WEAK_LINK_CONFIDENCE, LINK_DOMAIN[1], LINK_DOMAIN[0])
    frame["date_basis"] = np.where(frame["date_precision"] == "published", DATE_BASIS_DOMAIN[1], DATE_BASIS_DOMAIN[0])
    others = (frame["speakers"] if "speakers" in frame else pd.Series(1, index=frame.index)).fillna(1).astype(int) - 1
    speakers = frame["speaker"].astype(str)
    frame["speakers_label"] = speakers.where(others <= 0, speakers + " and " + others.astype(str) + " more")
    return frame


def _size_legend_values(frame: pd.DataFrame) -> list[int]:
    # Whole numbers only: a legend of "1.5 statements" means nothing.
    counts = sorted({int(v) for v in frame["statements"]}) if len(frame) else [1]
    if len(counts) <= 4:
        return counts
    step = (len(counts) - 1) / 3
    return sorted({counts[round(i * step)] for i in range(4)})


def timeline_chart(points: pd.DataFrame, selectable: bool = True, width: int | str = "container",
                   row_height: int = 28, x_domain: tuple[date, date] | None = None,
                   most_statements: int | None = None) -> alt.Chart:
    """Return a dot chart: statement date on x, party on y, colour = stance, size = statements.

    `points` is `queries.timeline_points`. With several assertions, one small multiple per assertion
    (stacked vertically, each with its own parties; needs a fixed width). With `selectable`, clicking
    a dot selects it. `x_domain` fixes the date axis and `most_statements` the dot sizes, so separate
    charts line up and the same dot means the same count in each.
    """
    frame = _timeline_frame(points)
    x_scale = alt.Scale(padding=18)
    if x_domain is not None:
        x_scale = alt.Scale(padding=18, domain=[pd.Timestamp(x_domain[0]).isoformat(),
                                                pd.Timestamp(x_domain[1]).isoformat()])
    parties = max(frame.groupby("assertion_id")["party"].nunique().max() if len(frame) else 1, 1)
    # The offset is a mark property in pixels, so the party rows keep their point scale.
    offset = alt.expr(f"datum.stance == '{STANCE_DOMAIN[0]}' ? -{STANCE_OFFSET} : {STANCE_OFFSET}")
    base = alt.Chart(frame).mark_point(filled=True, strokeWidth=1.6, yOffset=offset).encode(
        x=alt.X("statement_date:T", title="Statement date (hollow: the article's publication date)", scale=x_scale,
                axis=alt.Axis(format="%Y-%m-%d", labelAngle=0, labelOverlap=True, labelColor=TEXT_COLOR,
                              titleColor=TEXT_COLOR)),
        y=alt.Y("party:N", title=None, sort="ascending", axis=alt.Axis(labelColor=TEXT_COLOR)),
        color=alt.Color("stance:N", scale=STANCE_SCALE, title="Stance",
                        legend=alt.Legend(orient="top", labelColor=TEXT_COLOR, titleColor=TEXT_COLOR)),
        stroke=alt.Stroke("stance:N", scale=STANCE_SCALE, legend=None),
        shape=alt.Shape("stance:N", scale=STANCE_SHAPES, title="Stance"),
        fillOpacity=alt.FillOpacity("date_basis:N", scale=DATE_BASIS_FILL, title="Date",
                                    legend=None),  # Vega-Lite draws no fillOpacity legend: DATE_KEY says it
        size=alt.Size("statements:Q", title="Statements",
                      scale=alt.Scale(range=[60, 600], zero=False,
                                      **({"domain": [1, max(most_statements, 2)]} if most_statements else {})),
                      legend=alt.Legend(orient="top", format="d", values=_size_legend_values(frame),
                                        labelColor=TEXT_COLOR, titleColor=TEXT_COLOR)),
        opacity=alt.Opacity("link:N", scale=LINK_OPACITY, title="Link",
                            legend=alt.Legend(orient="top", labelColor=TEXT_COLOR, titleColor=TEXT_COLOR,
                                              labelLimit=260)),
        tooltip=[
            alt.Tooltip("party:N", title="Party"),
            alt.Tooltip("stance:N", title="Stance"),
            alt.Tooltip("when:N", title="Date"),
            alt.Tooltip("precision:N", title="Date precision"),
            alt.Tooltip("statements:Q", title="Statements"),
            alt.Tooltip("link:N", title="Link"),
            alt.Tooltip("speakers_label:N", title="Speakers"),
            alt.Tooltip("quote_excerpt:N", title="Quote (first)"),
            alt.Tooltip("outlet:N", title="Outlet (first)"),
        ],
    )
    if selectable:
        selection = alt.selection_point(name=POINT_SELECTION, fields=POINT_FIELDS, on="click")
        # The picked dot is outlined more heavily: opacity already says how sure its link is.
        base = base.add_params(selection).encode(
            strokeWidth=alt.condition(selection, alt.value(3.2), alt.value(1.6))
        )
    if frame["assertion_id"].nunique() > 1:
        return base.properties(width=width, height=alt.Step(row_height)).facet(
            row=alt.Row("assertion:N", title=None, sort=alt.SortField("assertion_id"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                          labelOrient="top", labelFontWeight="bold", labelLimit=900)),
        ).resolve_scale(y="independent")
    return base.properties(width=width, height=max(120, row_height * parties))


def timeline_height(points: pd.DataFrame, row_height: int = 34) -> int:
    """Return the pixel height one single-assertion timeline needs: its party rows, legend and axis."""
    parties = points["party"].nunique() if len(points) else 1
    return max(120, row_height * parties) + 150


def weekly_frame(weekly: pd.DataFrame) -> pd.DataFrame:
    """Return `queries.weekly_counts` as long rows: asserting counts positive, denying counts negative."""
    long = weekly.melt(id_vars=["assertion_id", "party_id", "party", "week"], value_vars=["asserts", "denies"],
                       var_name="stance", value_name="statements")
    long = long[long["statements"] > 0].copy()
    long["signed"] = long["statements"].where(long["stance"] == "asserts", -long["statements"])
    long["week"] = pd.to_datetime(long["week"])
    long["week_label"] = long["week"].dt.strftime("%G-W%V")
    return long


def _week_ticks(long: pd.DataFrame, most: int = 12) -> list[str]:
    """Return the Mondays to label: every week with bars, thinned evenly to at most `most`."""
    weeks = sorted(long["week"].drop_duplicates()) if len(long) else []
    step = max(1, -(-len(weeks) // most))
    return [pd.Timestamp(w).isoformat() for w in weeks[::step]]


def weekly_chart(weekly: pd.DataFrame, width: int | str = "container") -> alt.Chart:
    """Return weekly bars per party (one row each): statements asserting up (positive), denying down (negative)."""
    long = weekly_frame(weekly)
    # Symmetric y so "up" and "down" read the same in every party's row.
    reach = int(max(long["statements"].max() if len(long) else 1, 1))
    bars = alt.Chart().mark_bar(size=7).encode(
        # Ticks on the Mondays the bars stand on, so a label names the week of the bar above it.
        x=alt.X("week:T", title="Week (Monday) · asserting above the line, denying below", scale=alt.Scale(padding=10),
                axis=alt.Axis(format="%Y-%m-%d", labelAngle=0, labelOverlap=True, labelColor=TEXT_COLOR,
                              titleColor=TEXT_COLOR, values=_week_ticks(long))),
        # Counts either way: "2 asserting" above the line, "2 denying" below it (never "-2").
        y=alt.Y("signed:Q", title=None, scale=alt.Scale(domain=[-reach, reach]),
                axis=alt.Axis(tickMinStep=1, values=[-reach, 0, reach], labelExpr="datum.value > 0 ? datum.value + ' asserting' : datum.value < 0 ? "
                                                               "-datum.value + ' denying' : ''",
                              labelColor=TEXT_COLOR)),
        color=alt.Color("stance:N", scale=STANCE_SCALE, title="Stance",
                        legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("party:N", title="Party"),
            alt.Tooltip("week_label:N", title="ISO week"),
            alt.Tooltip("stance:N", title="Stance"),
            alt.Tooltip("statements:Q", title="Statements"),
        ],
    )
    zero = alt.Chart().mark_rule(color="#888888").encode(y=alt.datum(0))
    return alt.layer(bars, zero, data=long).properties(width=width, height=64).facet(
        row=alt.Row("party:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=160)),
        spacing=6,
    )


def briefing_subtitle(counterclaim: str | None, parties: list[str], since: date | None, until: date | None,
                      first: date | None, last: date | None) -> list[str]:
    """Return the subtitle lines of a briefing: the counterclaim, the filters and the date range shown."""
    lines = []
    if counterclaim:
        lines.append(f"Counterclaim: {counterclaim}")
    who = ", ".join(parties) if parties else "all parties"
    start = since or first
    end = until or last
    span = f"{start:%d %b %Y} – {end:%d %b %Y}" if start and end else "no dated statements"
    lines.append(f"Statements by {who} · {span} · blue circle = asserts, vermillion square = denies")
    lines.append(DATE_KEY)
    return lines


def briefing_footer(generated: date, documents: int, statements: int, undated: int = 0,
                    outlets: list[str] | None = None) -> str:
    """Return the briefing's provenance line: the tool, when, and the sources and statements it rests on.

    Undated statements are counted and said to be unplotted, so the dots and the count agree.
    """
    sources = f"{documents} source{'s' if documents != 1 else ''}"
    if outlets:
        named = ", ".join(outlets[:4]) + (f" and {len(outlets) - 4} more" if len(outlets) > 4 else "")
        sources += f" ({named})"
    count = f"{statements} statement{'s' if statements != 1 else ''}"
    if undated:
        count += f", {undated} of them undated and not plotted"
    return f"Made with the {TOOL_NAME} on {generated:%d %B %Y} from {sources} · {count}."


FOOTER_HEIGHT = 16
# Below the plot: the date axis's labels and title take about this much.
_AXIS_BELOW = 44


def briefing_chart(points: pd.DataFrame, claim: str, subtitle: list[str], footer: str | None = None,
                   width: int = 760) -> alt.Chart | alt.LayerChart:
    """Return the briefing timeline with the claim as title, the subtitle lines and the footer (for screen and PNG).

    The footer is part of the chart, so a PNG pasted into a briefing still says when it was made and
    from how many sources.
    """
    chart = timeline_chart(points, selectable=False, width=width, row_height=34)
    # Vega titles do not wrap: break long claims into lines that fit the chart's width.
    title = alt.TitleParams(text=textwrap.wrap(claim, width=max(40, width // 10)) or [claim], subtitle=subtitle, anchor="start", fontSize=17, subtitleFontSize=12,
                            subtitleColor="#444444", limit=width + 150, offset=12)
    if footer:
        # Vega-Lite has no footer: a text mark under the date axis, in the same view (a compound
        # chart would be sized differently by Streamlit than the PNG), with one datum of its own.
        # Its place follows the plot's height as drawn: Streamlit stretches the plot to the height
        # the page asks for.
        line = alt.Chart(alt.Data(values=[{}])).mark_text(
            text=footer, align="left", baseline="top", fontSize=11, color="#444444",
        ).encode(x=alt.value(0), y=alt.value({"expr": f"height + {_AXIS_BELOW}"}))
        chart = alt.layer(chart, line)
    chart = chart.properties(title=title)
    return chart.configure_view(stroke=None).configure(background="white")


def briefing_height(points: pd.DataFrame, claim: str, subtitle: list[str], footer: str | None = None,
                    width: int = 760) -> int:
    """Return the pixel height of `briefing_chart`: the timeline plus its title, subtitle and footer lines."""
    title_lines = len(textwrap.wrap(claim, width=max(40, width // 10))) or 1
    return (timeline_height(points) + 24 * title_lines + 18 * len(subtitle) + 20
            + (FOOTER_HEIGHT + 8 if footer else 0))


def chart_png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """Return the chart rendered as PNG bytes, offline (vl-convert)."""
    import vl_convert

    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return vl_convert.vegalite_to_png(chart.to_dict(), vl_version=version, scale=scale)
