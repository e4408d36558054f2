"""Streamlit dashboard: lays out widgets and calls query functions; no SQL and no pipeline logic here.

Pages: Timeline (landing), Claims explorer (filters, table, CSV exports), Briefing (one assertion laid
out for a screenshot, PNG download), Review (dashboard_review.py: the queue of links to check) and
Needs attention. Every read opens the published database
read-only for the duration of one query and is cached by the file's inode and mtime, so a newly
published file (an ingest renames its private copy over it) is picked up on the next rerun.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

import dashboard_review
from pipeline import charts, config
from pipeline.extract.parties import UNKNOWN_PARTY_ID as UNKNOWN_PARTY
from pipeline.models import ClaimExportRow
from pipeline.store import connection, export, queries, review_queries, reviews

EXPORT_COLUMNS = list(ClaimExportRow.model_fields)
TABLE_LIMIT = 5000
MAX_SMALL_MULTIPLES = 12
BRIEFING_LIST_LIMIT = 200
# Faceted charts cannot stretch to the container (Vega-Lite), so they get a fixed width.
WEEKLY_WIDTH = 760
ALL_ASSERTIONS = ""

# The reads pages may run through `read`; anything else is a programming error.
READS = {
    "filter_options", "timeline_points", "weekly_counts", "undated_claims", "evidence", "filtered_claims",
    "filtered_totals", "date_range", "assertion", "needs_date", "unknown_party_speakers", "quarantined",
    "claims_export", "documents", "counts", "busiest_assertions", "explorer_table", "read_model_current",
    "source_outlets",
    # pipeline.store.review_queries
    "review_queue", "review_choices", "reviews_synced", "paragraph_around", "document_statements", "orphaned_reviews", "review_events",
}


class DatabaseUnavailable(Exception):
    """The database cannot be read right now (busy, or not a claims database); the message says why."""


def database_path() -> Path:
    """Return the database the app reads ($CLAIMS_DB or data/claims.duckdb)."""
    return config.db_path()


def file_version(path: Path) -> tuple[int, int]:
    """Return (inode, mtime) so cached reads refresh when an ingest publishes a new file."""
    stat = os.stat(path)
    return stat.st_ino, stat.st_mtime_ns


@st.cache_data(ttl=600, max_entries=512, show_spinner=False)
def cached_read(name: str, path: str, version: tuple[int, int], *args, **kwargs):
    # Read-only and short-lived: the app never holds the file across reruns, and a writer never
    # writes the published file in place (it renames a finished copy over it).
    with connection.connect_readonly(Path(path)) as con:
        return getattr(queries if hasattr(queries, name) else review_queries, name)(con, *args, **kwargs)


def read(name: str, *args, **kwargs):
    """Return queries.<name>(con, *args) on the published database, cached until the file changes."""
    if name not in READS:
        raise ValueError(f"unknown read {name!r}")
    try:
        path = database_path()
    except config.SettingError as exc:
        raise DatabaseUnavailable(f"The database setting cannot be used: {exc}") from exc
    try:
        return cached_read(name, str(path), file_version(path), *args, **kwargs)
    except connection.NotADatabase as exc:
        raise DatabaseUnavailable(f"{exc}. Point $CLAIMS_DB at a database made by `python -m pipeline ingest`.") from exc
    except connection.StoreBusy as exc:
        raise DatabaseUnavailable(f"The database is busy ({exc}). Wait a moment and reload the page.") from exc
    except FileNotFoundError as exc:
        # Published files are renamed, never deleted; a vanished file is a moment between two renames.
        raise DatabaseUnavailable("The database file was being replaced. Reload the page.") from exc
    except (duckdb.CatalogException, duckdb.BinderException) as exc:  # a table or a column of a newer version
        raise DatabaseUnavailable(
            f"`{path.name}` is not a claims database of this version ({str(exc).splitlines()[0]}). "
            "Run `python -m pipeline ingest PATH` to create or upgrade it."
        ) from exc
    except duckdb.Error as exc:
        raise DatabaseUnavailable(f"The database could not be read: {str(exc).splitlines()[0]}") from exc


# --- text safety -------------------------------------------------------------------------------

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def text_or(value, default: str) -> str:
    """Return the value as text, or the default when it is missing (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return default
    return str(value)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return "1 claim", "2 claims", "0 parties": the number with the noun in the right form."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def md_escape(text) -> str:
    """Return stored text escaped so st.markdown shows it literally (no markdown, links, HTML or LaTeX)."""
    text = text_or(text, "")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text).replace("\n", " "))


def is_web_link(value) -> bool:
    """Return True for http(s) URLs (anything else, e.g. a file path, is shown as text)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


# --- filters and query parameters --------------------------------------------------------------

LIST_PARAMS = {"assertion": "assertion", "party": "party", "speaker": "speaker", "stance": "stance",
               "outlet": "outlet", "certainty": "certainty"}
STANCES = ["asserts", "denies"]


def _seed_widget(key: str, value) -> None:
    # Widgets take their first value from the URL; afterwards the widget state is the truth.
    if key not in st.session_state:
        st.session_state[key] = value


def unknown_url_values(allowed: dict[str, list[str]]) -> list[str]:
    """Return "party 'nope'" for each value in the URL that is not in this database (said on the page, then ignored)."""
    found = []
    for name, values in allowed.items():
        for value in st.query_params.get_all(name):
            if value not in values:
                found.append(f"{name} {value!r}")
    return found


def warn_unknown(found: list[str]) -> None:
    if found:
        st.warning("This link names what this database does not hold, so it is ignored: " + ", ".join(found) + ".")


def date_bounds() -> tuple[date, date]:
    """Return the first and last statement dates, the range a date input offers (today when there are none)."""
    first, last = read("date_range")
    first = pd.Timestamp(first).date() if first is not None else date.today()
    last = pd.Timestamp(last).date() if last is not None else date.today()
    return first, last


def parse_day(text: str) -> date | None:
    """Return the date typed as YYYY-MM-DD (also YYYY/MM/DD), None for nothing typed; ValueError otherwise."""
    text = (text or "").strip().replace("/", "-")
    return date.fromisoformat(text) if text else None


def date_inputs(columns, keys: tuple[str, str], bounds: tuple[date, date]) -> tuple[date | None, date | None]:
    """Two typed dates (From, To) that apply on Enter, for any year: a corpus may be older than ten years.

    Streamlit's date picker applies a typed date only when the field loses focus and offers ten years
    back from today; a text field applies on Enter, and says which dates the data holds.
    """
    first, last = bounds
    picked = []
    for column, key, label in zip(columns, keys, ("From", "To"), strict=True):
        text = column.text_input(label, key=key, placeholder=f"{first if label == 'From' else last:%Y-%m-%d}",
                                 help=f"A date as YYYY-MM-DD; Enter applies it. Statements are dated from "
                                      f"{first:%Y-%m-%d} to {last:%Y-%m-%d}.")
        try:
            picked.append(parse_day(text))
        except ValueError:
            column.error(f"“{text}” is not a date (YYYY-MM-DD).")
            picked.append(None)
    return picked[0], picked[1]


def filters_ui(options: dict[str, dict[str, str]], reviewed_toggle: bool = True) -> queries.ClaimFilter:
    """Return the explorer's filters as picked; each filter round-trips through st.query_params."""
    allowed = {**{k: list(v) for k, v in options.items()}, "stance": STANCES}
    warn_unknown(unknown_url_values({name: allowed[name] for name in LIST_PARAMS}))
    for name in LIST_PARAMS:
        wanted = [v for v in st.query_params.get_all(name) if v in allowed[name]]
        _seed_widget(f"f_{name}", wanted)
    _seed_widget("f_since", st.query_params.get("since", ""))
    _seed_widget("f_until", st.query_params.get("until", ""))
    _seed_widget("f_text", st.query_params.get("q", ""))
    _seed_widget("f_reviewed", st.query_params.get("reviewed") == "1")

    row1 = st.columns([3, 2, 2, 2])
    assertions = row1[0].multiselect("Assertion", list(options["assertion"]), key="f_assertion",
                                     format_func=lambda a: options["assertion"].get(a, a))
    parties = row1[1].multiselect("Party", list(options["party"]), key="f_party",
                                  format_func=lambda p: options["party"].get(p, p))
    speakers = row1[2].multiselect("Speaker", list(options["speaker"]), key="f_speaker")
    stances = row1[3].multiselect("Stance", STANCES, key="f_stance")
    row2 = st.columns([2, 1, 1, 1, 2])
    outlets = row2[0].multiselect("Outlet", list(options["outlet"]), key="f_outlet")
    certainties = row2[1].multiselect("Certainty", list(options["certainty"]), key="f_certainty")
    since, until = date_inputs(row2[2:4], ("f_since", "f_until"), date_bounds())
    text = row2[4].text_input("Quote words", key="f_text", placeholder="words in the quote",
                              help="Each word must begin a word of the quote, in any order: `drone` finds drones.")

    picked = {"assertion": assertions, "party": parties, "speaker": speakers, "stance": stances,
              "outlet": outlets, "certainty": certainties}
    for name, values in picked.items():
        _set_param(name, values)
    _set_param("since", since.isoformat() if since else None)
    _set_param("until", until.isoformat() if until else None)
    _set_param("q", text.strip() or None)
    reviewed = reviewed_toggle and st.toggle("Reviewed links only", key="f_reviewed",
                                             help="Only links a reviewer confirmed, corrected or added.")
    _set_param("reviewed", "1" if reviewed else None)
    return queries.ClaimFilter(
        assertions=tuple(assertions), parties=tuple(parties), speakers=tuple(speakers), stances=tuple(stances),
        outlets=tuple(outlets), certainties=tuple(certainties), since=since, until=until, text=text.strip(),
        reviewed_only=reviewed,
    )


def _set_param(name: str, value) -> None:
    if value:
        if st.query_params.get_all(name) != (value if isinstance(value, list) else [value]):
            st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


# --- ISO weeks ---------------------------------------------------------------------------------


def iso_week_label(monday: date) -> str:
    """Return 'YYYY-Www (d Mon – d Mon)' for the week starting on this Monday."""
    year, week, _ = monday.isocalendar()
    sunday = monday + timedelta(days=6)
    return f"{year}-W{week:02d} ({monday:%d %b} – {sunday:%d %b %Y})"


def default_week(today: date, latest: date | None) -> tuple[date, str]:
    """Return (Monday of the default export week, why it was chosen).

    The last complete ISO week before today; when the newest statement is older than that week, the
    week of the newest statement instead (the data is older than the calendar).
    """
    this_monday = today - timedelta(days=today.weekday())
    last_complete = this_monday - timedelta(days=7)
    if latest is not None and latest < last_complete:
        monday = latest - timedelta(days=latest.weekday())
        return monday, "the week of the latest statement date (the data is older than last week)"
    return last_complete, "the last complete week before today"


def week_choices(first: date | None, last: date | None, default_monday: date) -> list[date]:
    """Return the Mondays a user can export, newest first: from the first statement's week to the default week."""
    end = max(default_monday, (last - timedelta(days=last.weekday())) if last else default_monday)
    start = (first - timedelta(days=first.weekday())) if first else default_monday
    weeks = []
    monday = end
    while monday >= start and len(weeks) < 600:
        weeks.append(monday)
        monday -= timedelta(days=7)
    return weeks


# --- pages -------------------------------------------------------------------------------------


def _assertion_label(options: dict[str, dict[str, str]], assertion_id: str) -> str:
    if assertion_id == ALL_ASSERTIONS:
        return "All assertions (small multiples)"
    return options["assertion"].get(assertion_id, assertion_id)


def _pick_assertion(options: dict[str, dict[str, str]], allow_all: bool, key: str) -> str:
    choices = ([ALL_ASSERTIONS] if allow_all else []) + list(options["assertion"])
    wanted = st.query_params.get("assertion", choices[0])
    if wanted not in choices:
        warn_unknown([f"assertion {wanted!r}"])
    _seed_widget(key, wanted if wanted in choices else choices[0])
    picked = st.selectbox("Assertion", choices, key=key, format_func=lambda a: _assertion_label(options, a))
    _set_param("assertion", picked or None)
    return picked


def _known_party_points(points: pd.DataFrame, show_unknown: bool) -> pd.DataFrame:
    """Return the points to draw: statements whose party is unknown only when asked for."""
    if show_unknown or points.empty:
        return points
    return points[points["party_id"] != UNKNOWN_PARTY].reset_index(drop=True)


def _point_key(point: dict) -> str:
    return "|".join(str(point.get(field, "")) for field in charts.POINT_FIELDS)


def _point_from_key(key: str) -> dict | None:
    parts = key.split("|")
    return dict(zip(charts.POINT_FIELDS, parts)) if len(parts) == len(charts.POINT_FIELDS) else None


def timeline_page() -> None:
    st.title("Disputed assertions over time")
    options = read("filter_options")
    if not options["assertion"]:
        st.info("The assertion catalog is empty. Add assertions to data/assertions.yaml and run "
                "`python -m pipeline relink`.")
        return
    picked = _pick_assertion(options, allow_all=True, key="t_assertion")
    _seed_widget("t_unknown", st.query_params.get("unknown") == "1")
    show_unknown = st.toggle("Show statements whose party is unknown as a row of their own", key="t_unknown")
    _set_param("unknown", "1" if show_unknown else None)
    _seed_widget("t_reviewed", st.query_params.get("reviewed") == "1")
    reviewed = st.toggle("Reviewed links only", key="t_reviewed",
                         help="Only links a reviewer confirmed, corrected or added (the Review page).")
    _set_param("reviewed", "1" if reviewed else None)
    filters = queries.ClaimFilter(assertions=(picked,) if picked else (), reviewed_only=reviewed)
    totals = read("filtered_totals", filters)
    if totals["claims"] == 0:
        st.info("No statements are linked to this assertion yet.")
        return
    unknown = read("filtered_totals", dataclasses.replace(filters, parties=(UNKNOWN_PARTY,)))
    if picked:
        shown = read("timeline_points", filters)
    else:
        # Small multiples of the busiest assertions only: hundreds of charts help no one.
        busiest = read("busiest_assertions", filters, limit=MAX_SMALL_MULTIPLES)
        # ("",) matches nothing: every linked statement is undated.
        shown = read("timeline_points", dataclasses.replace(filters, assertions=tuple(busiest) or ("",)))
        if len(busiest) == MAX_SMALL_MULTIPLES and len(options["assertion"]) > MAX_SMALL_MULTIPLES:
            st.caption(f"Showing the {MAX_SMALL_MULTIPLES} assertions with the most dated statements; pick one "
                       "above to see any other.")
    shown = _known_party_points(shown, show_unknown)

    chart_col, side = st.columns([5, 1])
    with side:
        st.metric("Dated statements", int(totals["claims"] - totals["undated"]))
        st.metric("Unknown date", int(totals["undated"]), help="Counted here and listed below; never plotted.")
        st.metric("Parties", int(totals["parties"]) - (1 if unknown["claims"] else 0),
                  help="Parties known from the actors file; statements whose party is unknown are not one.")
        st.metric("Unknown party", int(unknown["claims"]),
                  help="Statements whose speaker's party could not be resolved: "
                       + ("drawn as a row of their own." if show_unknown else "not drawn (the toggle above draws them)."))
    selected = []
    with chart_col:
        if shown.empty:
            st.info("Every statement about this assertion has an unknown date or an unknown party: nothing to plot. "
                    "Undated statements are listed below; the toggle above draws those of unknown party.")
        else:
            # One chart per assertion on a shared date axis: small multiples that line up, and the same
            # dot size for the same count in each.
            x_domain = (shown["statement_date"].min(), shown["statement_date"].max())
            for assertion_id, group in shown.groupby("assertion_id", sort=False):
                if not picked:
                    st.markdown(f"**{md_escape(_assertion_label(options, assertion_id))}**")
                chart = charts.timeline_chart(group, x_domain=x_domain, row_height=34,
                                              most_statements=int(shown["statements"].max()))
                # An explicit height: with a stretched width Streamlit does not size the chart to its rows.
                event = st.altair_chart(chart, on_select="rerun", selection_mode=charts.POINT_SELECTION,
                                        key=f"timeline-{assertion_id}", width="stretch",
                                        height=charts.timeline_height(group))
                selected += ((event or {}).get("selection") or {}).get(charts.POINT_SELECTION, [])
            st.caption("Blue circles assert, vermillion squares deny; dot size = number of statements. "
                       f"{charts.DATE_KEY.capitalize()}; month-precision dates sit at the month's first day. "
                       "Click a dot, or pick a row of the table below, to list the statements behind it.")
    if not shown.empty:
        selected += _points_table(shown)
    if selected:
        _set_param("point", _point_key(selected[-1]))
    elif st.query_params.get("point"):
        point = _point_from_key(st.query_params.get("point"))
        if point is None or (picked and point["assertion_id"] != picked):
            warn_unknown([f"point {st.query_params.get('point')!r}"])
            _set_param("point", None)
        else:
            selected = [point]
    for point in selected[-1:]:
        _evidence_list(filters, point)

    weekly = read("weekly_counts", dataclasses.replace(
        filters, assertions=(picked,) if picked else tuple(shown["assertion_id"].unique()) or ("",)))
    weekly = weekly if show_unknown else weekly[weekly["party_id"] != UNKNOWN_PARTY]
    st.subheader("Weekly statements by party")
    if weekly.empty:
        st.info("No dated statements to count by week.")
    elif picked:
        st.altair_chart(charts.weekly_chart(weekly, width=WEEKLY_WIDTH), width="content")
    else:
        for assertion_id in shown["assertion_id"].drop_duplicates():
            with st.expander(_assertion_label(options, assertion_id)):
                st.altair_chart(charts.weekly_chart(weekly[weekly["assertion_id"] == assertion_id], width=WEEKLY_WIDTH),
                                width="content")

    if totals["undated"]:
        with st.expander(f"{counted(int(totals['undated']), 'statement')} with an unknown date"):
            undated = read("undated_claims", filters)
            st.dataframe(undated, hide_index=True, width="stretch",
                         column_config={"link": st.column_config.LinkColumn("source")})


def _points_table(points: pd.DataFrame) -> list[dict]:
    """Show the chart's points as a table (a keyboard reaches every point); return the point of a picked row."""
    table = pd.DataFrame({
        "date": [charts.date_label(d, p) for d, p in zip(points["statement_date"], points["date_precision"])],
        "dated by": [charts.PRECISION_LABELS.get(p, p) for p in points["date_precision"]],
        "party": points["party"], "stance": points["stance"], "statements": points["statements"],
        "speaker": points["speaker"].fillna("(no speaker)"),
    })
    with st.expander(f"The {counted(len(points), 'point')} of the chart as a table"):
        event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                             selection_mode="single-row", key="points-table")
    rows = ((event or {}).get("selection") or {}).get("rows", [])
    return [points.iloc[i][charts.POINT_FIELDS].to_dict() for i in rows]


def _evidence_list(filters: queries.ClaimFilter, point: dict) -> None:
    try:
        day = date.fromisoformat(str(point.get("date_key")))
    except ValueError:
        day = None
    point_filters = queries.ClaimFilter(assertions=(point["assertion_id"],)) if point.get("assertion_id") else filters
    rows = read("evidence", point_filters, party_id=point.get("party_id"), stance=point.get("stance"), day=day)
    st.subheader(f"Evidence: {counted(len(rows), 'statement')}")
    for row in rows.itertuples(index=False):
        with st.container(border=True):
            before, quote, after = queries.in_sentence(row.before, row.evidence, row.after)
            st.markdown(f"{md_escape(before)}**{md_escape(quote)}**{md_escape(after)}")
            who = md_escape(text_or(row.speaker, "(no speaker)"))
            if isinstance(row.speaker_role, str) and row.speaker_role:
                who += f", {md_escape(row.speaker_role)}"
            when = charts.date_label(row.statement_date, row.date_precision)
            st.caption(f"{who} · {md_escape(row.party)} · {md_escape(row.stance)} · {md_escape(when)} "
                       f"({md_escape(row.date_precision)}) · {md_escape(text_or(row.outlet, 'outlet unknown'))} · "
                       f"{md_escape(text_or(row.title, 'untitled'))}")
            if is_web_link(row.link):
                st.link_button("Open source", row.link)
            else:
                st.caption(f"Source file: {md_escape(row.link)}")


def explorer_page() -> None:
    st.title("Claims explorer")
    options = read("filter_options")
    filters = filters_ui(options)
    totals = read("filtered_totals", filters)
    table = read("explorer_table", filters, limit=TABLE_LIMIT)
    st.markdown(f"**{counted(totals['claims'], 'claim')} from {counted(totals['documents'], 'document')}, "
                f"{counted(totals['parties'], 'party', 'parties')}**"
                + (f" (table shows the first {TABLE_LIMIT})" if totals["claims"] > TABLE_LIMIT else ""))
    if filters.since or filters.until:
        undated = read("filtered_totals", dataclasses.replace(filters, since=None, until=None))["undated"]
        if undated:
            st.caption(f"The date range leaves out {counted(int(undated), 'claim')} whose date is unknown "
                       "(they match every other filter).")
    if table.empty:
        st.info("No claims match these filters.")
    else:
        table.insert(3, "claim", table["assertion_id"].map(lambda a: options["assertion"].get(a, a)))
        event = st.dataframe(
            table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
            key="explorer-table",
            column_config={
                "statement_date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
                "date_precision": "precision",
                "assertion_id": "assertion",
                "claim": st.column_config.TextColumn("assertion (text)", width="medium"),
                "link": st.column_config.LinkColumn("source"),
                "confidence": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        rows = ((event or {}).get("selection") or {}).get("rows", [])
        if rows:
            row = table.iloc[rows[0]]
            with st.container(border=True):
                st.markdown(f"**{md_escape(text_or(row['speaker'], '(no speaker)'))}** ({md_escape(row['party'])}, "
                            f"{md_escape(row['stance'])}) on “{md_escape(row['claim'])}”")
                st.markdown(f"“{md_escape(row['quote'])}”")
                st.caption(f"{md_escape(text_or(row['outlet'], 'outlet unknown'))} · "
                           f"{md_escape(text_or(row['title'], 'untitled'))}")
        else:
            st.caption("Pick a row to read its whole quote.")

    st.subheader("Exports")
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Download this table (CSV)", data=lambda: _filtered_csv(filters), file_name="claims-filtered.csv",
            mime="text/csv", disabled=table.empty, key="download_filtered",
        )
        st.caption("Every claim the filters match, with the columns of `python -m pipeline export`; UTF-8 with a "
                   "byte-order mark (Excel reads it right); cells a spreadsheet would run are neutralised.")
    with right:
        first, last = read("date_range")
        monday, why = default_week(date.today(), last)
        weeks = week_choices(first, last, monday)
        _seed_widget("export_week", monday)
        week = st.selectbox("ISO week", weeks, key="export_week", format_func=iso_week_label)
        label = f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}"
        st.download_button(
            f"Download the whole week {label} (CSV, all claims)",
            data=lambda: _weekly_csv(week), file_name=f"claims-{label}.csv",
            mime="text/csv", key="download_week",
        )
        st.caption(f"Default: {why}. Every claim of the week, as `python -m pipeline export --week {label}` "
                   "writes it: the filters above do not apply.")


def _filtered_csv(filters: queries.ClaimFilter) -> bytes:
    frame = read("filtered_claims", filters, limit=None)
    return export.to_csv_file_bytes(frame[EXPORT_COLUMNS])


def _weekly_csv(monday: date) -> bytes:
    # The same query, columns and bytes as `python -m pipeline export --week YYYY-Www --out FILE.csv`.
    frame = read("claims_export", since=monday, until=monday + timedelta(days=6))
    return export.to_csv_file_bytes(frame)


def briefing_page() -> None:
    st.title("Briefing")
    options = read("filter_options")
    if not options["assertion"]:
        st.info("The assertion catalog is empty: nothing to brief.")
        return
    warn_unknown(unknown_url_values({"party": list(options["party"])}))
    _seed_widget("b_party", [p for p in st.query_params.get_all("party") if p in options["party"]])
    _seed_widget("b_since", st.query_params.get("since", ""))
    _seed_widget("b_until", st.query_params.get("until", ""))
    controls = st.columns([3, 2, 1, 1])
    with controls[0]:
        picked = _pick_assertion(options, allow_all=False, key="b_assertion")
    parties = controls[1].multiselect("Parties", list(options["party"]), key="b_party",
                                      format_func=lambda p: options["party"].get(p, p))
    since, until = date_inputs(controls[2:4], ("b_since", "b_until"), date_bounds())
    _set_param("party", parties)
    _set_param("since", since.isoformat() if since else None)
    _set_param("until", until.isoformat() if until else None)
    filters = queries.ClaimFilter(assertions=(picked,), parties=tuple(parties), since=since, until=until)
    detail = read("assertion", picked)
    points = read("timeline_points", filters)
    if points.empty:
        st.subheader(md_escape(detail["claim"]))
        st.info("No dated statements for this assertion with these filters.")
        return
    # Sources and statements of everything the filters match, not of the first rows listed below.
    totals = read("filtered_totals", filters)
    footer = charts.briefing_footer(date.today(), int(totals["documents"]), int(totals["claims"]),
                                     int(totals["undated"]), read("source_outlets", filters))
    chart, height = _briefing_chart(detail, points, [options["party"].get(p, p) for p in parties], since, until,
                                    footer)
    # theme=None: the page shows exactly what the PNG will contain.
    st.altair_chart(chart, width="content", height=height, theme=None)

    claims = read("filtered_claims", filters, limit=BRIEFING_LIST_LIMIT)
    st.subheader("Who said what, when")
    if totals["claims"] > len(claims):
        st.caption(f"The first {len(claims)} of {counted(int(totals['claims']), 'statement')}, oldest first.")
    lines = []
    for row in claims.itertuples(index=False):
        when = charts.date_label(row.statement_date, row.date_precision)
        quote = row.quote if len(row.quote) <= 220 else row.quote[:217] + "…"
        lines.append(f"- **{md_escape(when)}** · {md_escape(text_or(row.speaker, '(no speaker)'))} "
                     f"({md_escape(row.party)}, {md_escape(row.stance)}): “{md_escape(quote)}” "
                     f"— {md_escape(text_or(row.outlet, 'outlet unknown'))}")
    st.markdown("\n".join(lines))
    st.caption(footer)
    st.download_button(
        "Download PNG", data=lambda: charts.chart_png(chart), file_name=f"briefing-{picked}.png",
        mime="image/png", key="download_png",
    )


def _briefing_chart(detail: dict, points: pd.DataFrame, party_names: list[str], since, until, footer: str):
    first = points["statement_date"].min()
    last = points["statement_date"].max()
    subtitle = charts.briefing_subtitle(detail.get("counterclaim"), party_names, since, until,
                                        pd.Timestamp(first).date(), pd.Timestamp(last).date())
    return (charts.briefing_chart(points, detail["claim"], subtitle, footer),
            charts.briefing_height(points, detail["claim"], subtitle, footer))


def attention_page() -> None:
    st.title("Needs attention")
    _attention_list("Documents without a publication date", read("needs_date"),
                    "Every original document has a date.",
                    "A manifest row (`ingest --manifest`) can supply the date.")
    _attention_list("Speakers whose party is unknown", read("unknown_party_speakers"),
                    "Every speaker was resolved to a party.",
                    "Add them (or their role phrases) to data/actors.yaml and run `python -m pipeline relink`.")
    _attention_list("Quarantined inputs", read("quarantined"), "No input was rejected.")
    _attention_list("Reviews whose statement is gone", read("orphaned_reviews"),
                    "Every review applies to a statement.",
                    "A re-extraction or an edited article no longer has the quote these reviews were made on; "
                    "they are kept (the review log is never rewritten) and apply again if the quote returns.")


def _attention_list(title: str, frame, all_clear: str, hint: str | None = None) -> None:
    """One section of the attention page: a count, then the rows or an all-clear message."""
    st.subheader(f"{title} ({len(frame)})")
    if frame.empty:
        st.success(all_clear)
        return
    if hint:
        st.caption(hint)
    st.dataframe(frame, hide_index=True, width="stretch")


def review_page() -> None:
    dashboard_review.review_page(read, lambda options: filters_ui(options, reviewed_toggle=False),
                                 database_path(), md_escape)


PAGES = {
    "timeline": (timeline_page, "Timeline", ":material/timeline:"),
    "explorer": (explorer_page, "Claims explorer", ":material/table:"),
    "briefing": (briefing_page, "Briefing", ":material/description:"),
    "review": (review_page, "Review", ":material/rate_review:"),
    "attention": (attention_page, "Needs attention", ":material/warning:"),
}


def guarded(page) -> None:
    """Run a page, showing a message instead of a traceback when the database is missing or unreadable."""
    path = database_path()
    if not path.exists():
        st.info(f"No database yet at `{path}`. Run `python -m pipeline ingest data/seeds` (or `make run`).")
        return
    try:
        if reviews.log_size(path) > read("reviews_synced"):
            dashboard_review.apply_in_background(path)
        if not read("read_model_current"):
            st.warning("The dashboard's tables were not rebuilt after the last write (it was interrupted, or the "
                       "file predates them), so they may miss recent claims. Any ingest rebuilds them, e.g. "
                       "`python -m pipeline ingest data/seeds`.")
        page()
    except DatabaseUnavailable as exc:
        st.warning(str(exc))
        st.button("Retry")


def render(name: str) -> None:
    """Render one page by name without navigation (used by tests and for embedding)."""
    st.set_page_config(page_title="Contested-claim tracker", layout="wide")
    guarded(PAGES[name][0])


def main() -> None:
    st.set_page_config(page_title="Contested-claim tracker", layout="wide")
    pages = [
        st.Page(lambda f=func: guarded(f), title=title, icon=icon, url_path=name, default=(name == "timeline"))
        for name, (func, title, icon) in PAGES.items()
    ]
    st.navigation(pages).run()
    path = database_path()
    if path.exists():
        st.sidebar.caption(f"Database: {path.name}, updated {datetime.fromtimestamp(path.stat().st_mtime):%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
