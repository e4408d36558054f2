"""Command line: `python -m pipeline COMMAND ...`. Commands orchestrate; stages do the work."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from pipeline import config
from pipeline.ingest import runner
from pipeline.store import (
    connection,
    database,
    export,
    queries,
    review_queries,
    reviews,
)
from pipeline.yamlfile import InputFileError


def _error(message: str) -> None:
    # Plain stderr, never wrapped: one line per error, whatever the terminal width.
    print(message, file=sys.stderr)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None,
                        help="DuckDB file (default: $CLAIMS_DB or data/claims.duckdb; ~ expands, links are followed)")


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=None,
                        help="assertion catalog YAML (default: data/assertions.yaml)")
    parser.add_argument("--actors", type=Path, default=None, help="actors YAML (default: data/actors.yaml)")


def _add_workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes that analyse documents (default: $CLAIMS_WORKERS or one per core); "
                             "documents are stored in input order whatever N is")


def _iso_week(text: str) -> tuple[date, date]:
    """Return (Monday, Sunday) of an ISO week written YYYY-Www."""
    try:
        year, week = text.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO week (YYYY-Www): {text!r}") from None
    return monday, monday + timedelta(days=6)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every command and its help text."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Contested-claim tracker pipeline.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("ingest", help="Ingest article files, folders and batch files into the database.",
                            description="Ingest .txt, .md, .html/.htm files (folders recursively) and .jsonl/.csv "
                                        "batches whose rows carry 'text' or 'html'.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to ingest")
    _add_db(p)
    p.add_argument("--manifest", type=Path, help="CSV or JSONL with 'path' (or 'url') and metadata fields that "
                                                 "override what is guessed: url, title, outlet, author, published")
    p.add_argument("--max-bytes", type=int, default=None,
                   help="size limit of one article file or batch row (default: $CLAIMS_MAX_BYTES or 20 MB)")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="time one document may take, plus 30 s per MB of its text; a document that takes longer "
                        "is quarantined (default: $CLAIMS_TIME_LIMIT or 10)")
    _add_workers(p)
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="analyse on a Dask cluster: its scheduler's address, e.g. tcp://10.0.0.5:8786 (needs "
                        "requirements-dask.txt here and on the workers); documents are still stored here")
    _add_inputs(p)
    p.set_defaults(func=cmd_ingest)

    p = commands.add_parser("relink", help="Re-link every stored statement after a catalog or actors change.",
                            description="Re-derive parties, dates, claims and document stances of every stored "
                                        "document from its stored statements (or re-extract them with --reextract).")
    _add_db(p)
    _add_inputs(p)
    p.add_argument("--reextract", action="store_true",
                   help="run attribution again too (after a change to the extractor), not only the linking")
    _add_workers(p)
    p.set_defaults(func=cmd_relink)

    p = commands.add_parser("export", help="Export claims (one row per statement and assertion) as CSV or Parquet.",
                            description="One row per claim; copies of articles are excluded. Cells a spreadsheet "
                                        "would run as formulas are neutralised.")
    _add_db(p)
    p.add_argument("--out", type=Path, required=True,
                   help="output file (CSV: UTF-8 with a byte-order mark, for Excel), or - for standard output "
                        "(plain UTF-8 CSV)")
    p.add_argument("--format", choices=("csv", "parquet"), default=None,
                   help="output format (default: from the file extension, else csv)")
    period = p.add_mutually_exclusive_group()
    period.add_argument("--week", type=_iso_week, help="ISO week YYYY-Www: statements dated inside it")
    period.add_argument("--since", type=date.fromisoformat, help="first statement date (YYYY-MM-DD)")
    p.add_argument("--until", type=date.fromisoformat, help="last statement date (YYYY-MM-DD), with --since")
    p.add_argument("--assertion", help="only this assertion id")
    p.add_argument("--include-below-threshold", action="store_true",
                   help="also export links whose confidence is below the linking threshold")
    p.add_argument("--table", choices=("claims", "document-stances"), default="claims",
                   help="claims (default), or document-stances: each document's overall stance per assertion "
                        "(document, assertion_id, stance, confidence); pairs not listed are unrelated")
    p.set_defaults(func=cmd_export)

    p = commands.add_parser("attributions", help="Print every attribution found in files' text as read (no cleaning).",
                            description="One JSON object per attribution: file, speaker, cue and content with "
                                        "character offsets into the file's text as Python reads it, direct, party.")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="text files (UTF-8, or decodable as ingest does)")
    p.add_argument("--format", choices=("jsonl",), default="jsonl", help="output format")
    p.add_argument("--actors", type=Path, default=None, help="actors YAML (default: data/actors.yaml)")
    p.add_argument("--scope", choices=("statements", "polnear"), default="statements",
                   help="statements (default): the product's speech and belief cues; polnear: every attribution "
                        "PolNeAR annotates (intentions, plans, perceptions too), as pipeline.learn.eval_polnear scores it")
    p.set_defaults(func=cmd_attributions)

    p = commands.add_parser("assertions", help="List the catalog with counts of asserting and denying parties.",
                            description="Per assertion: asserting and denying parties and statements, first and "
                                        "last statement dates.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.set_defaults(func=cmd_assertions)

    p = commands.add_parser("brief", help="Write one assertion's briefing chart (title, subtitle, timeline) as PNG.",
                            description="The dashboard's briefing chart for one assertion, rendered offline.")
    _add_db(p)
    p.add_argument("--assertion", required=True, help="assertion id from the catalog")
    p.add_argument("--party", action="append", default=[], metavar="PARTY_ID",
                   help="only this party (repeat for several), as the briefing page's Parties filter")
    p.add_argument("--since", type=date.fromisoformat, help="first statement date (YYYY-MM-DD)")
    p.add_argument("--until", type=date.fromisoformat, help="last statement date (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, required=True, help="output PNG file")
    p.set_defaults(func=cmd_brief)

    p = commands.add_parser("documents", help="List stored documents.",
                            description="List stored documents with metadata, duplicate link and statement count.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.add_argument("--needs-date", action="store_true", help="only original documents without a publication date")
    p.add_argument("--outlet", help="only documents of this outlet")
    p.add_argument("--since", type=date.fromisoformat, help="published on or after (YYYY-MM-DD)")
    p.add_argument("--until", type=date.fromisoformat, help="published on or before (YYYY-MM-DD)")
    p.add_argument("--originals", action="store_true", help="leave out copies (duplicates) of other documents")
    p.add_argument("--limit", type=int, default=None, help="at most this many rows")
    p.set_defaults(func=cmd_documents)

    p = commands.add_parser("review", help="Confirm, reject or correct one link (or add one from a statement).",
                            description="Record a reviewer's decision on one link, by its claim_id (exports, the "
                                        "dashboard): --confirm, --reject, --stance, --party or --assertion (move it). "
                                        "Given a statement_id instead, --assertion A --stance S adds the link the "
                                        "linker missed. Reviews are appended to a log beside the database and "
                                        "survive every re-ingest and relink.")
    _add_db(p)
    p.add_argument("id", metavar="CLAIM_ID", help="claim id (or a statement id, to add a link)")
    p.add_argument("--confirm", action="store_true", help="the link is right as it stands")
    p.add_argument("--reject", nargs="?", const="not a claim", choices=("not a claim", "wrong assertion"),
                   help="the link is wrong: 'not a claim' (default) or 'wrong assertion'")
    p.add_argument("--stance", choices=("asserts", "denies"), help="the right stance")
    p.add_argument("--party", metavar="PARTY_ID", help="the right party (an id of the actors file, or unknown)")
    p.add_argument("--assertion", metavar="ASSERTION_ID", help="the right assertion (moves the link there)")
    p.add_argument("--note", default="", help="a free note kept with the review")
    p.add_argument("--reviewer", default=None, help="who reviews (default: $CLAIMS_REVIEWER)")
    p.set_defaults(func=cmd_review)

    p = commands.add_parser("reviews", help="List every review: who, when, before -> after.",
                            description="Every review in the log, oldest first, with whether it applies to a "
                                        "statement today (orphaned: its statement is gone) or waits for a writer.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.set_defaults(func=cmd_reviews)

    p = commands.add_parser("quarantine", help="List rejected inputs with their reasons.",
                            description="List inputs that could not be used, why, and where their raw bytes are kept.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.set_defaults(func=cmd_quarantine)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code (2 for a path or setting that cannot be used)."""
    args = build_parser().parse_args(argv)
    try:
        if "db" in args:
            db = config.db_path(args.db)
            if db.parent.is_dir():
                for removed in database.remove_dead_writers_files(db):
                    _error(f"removed {removed.name}, left by a writer that was killed")
        return args.func(args)
    except (config.SettingError, connection.NotADatabase, connection.Unwritable) as exc:
        _error(f"error: {exc}")
        return 2
    except OSError as exc:
        # A path that cannot be written or read (a read-only folder, /proc, a full disk): one line.
        where = exc.filename or getattr(args, "db", None) or ""
        _error(f"error: {where}: {exc.strerror or exc}" if where else f"error: {exc.strerror or exc}")
        return 2


def _analyzer(args: argparse.Namespace, console: Console):
    """Return the Analyzer for the given catalog and actors files, or None after printing the error."""
    from pipeline.link.analyzer import analyzer

    try:
        return analyzer(args.actors, args.catalog)
    except InputFileError as exc:
        _error(f"error: {exc}")
        return None


def cmd_ingest(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    db = config.db_path(args.db)
    max_bytes, time_limit = config.max_bytes(args.max_bytes), config.document_seconds(args.time_limit)
    workers = config.workers(args.workers)
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        _error(f"error: {path}: no such file or folder")
    paths = [p for p in args.paths if p.exists()]
    if args.manifest is not None and not args.manifest.is_file():
        _error(f"error: {args.manifest}: manifest not found")
        return 2
    analyze = _analyzer(args, console)
    if analyze is None:
        return 2
    try:
        summary = runner.ingest(paths, db, analyze, manifest=args.manifest,
                                max_bytes=max_bytes, console=console, time_limit=time_limit, workers=workers,
                                dask=args.dask)
    except connection.StoreBusy as exc:
        _error(f"error: {exc}")
        return 3
    print(summary.line())
    if summary.interrupted:
        return 130
    return 0 if summary.usable else 1


def _show(frame, fmt: str, title: str) -> None:
    if fmt == "table" and not sys.stdout.isatty():
        fmt = "csv"  # a pipe or a file gets rows a program can read, not a table wrapped to 80 columns
    if fmt == "csv":
        sys.stdout.write(export.to_csv_text(_dates_as_dates(frame)))
    elif fmt == "json":
        sys.stdout.write(export.to_json_lines(frame))
    else:
        if frame.empty:
            Console(highlight=False).print(f"{title}: none.")
            return
        table = Table(title=title)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in _dates_as_dates(frame).itertuples(index=False):
            table.add_row(*("" if _missing(v) else str(v) for v in row))
        Console(highlight=False).print(table)
    if frame.empty and fmt == "csv":
        _error(f"{title}: none.")


def _dates_as_dates(frame):
    """Return the frame with date columns (datetimes at midnight) as YYYY-MM-DD text."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            if (column.dropna().dt.normalize() == column.dropna()).all():
                out[name] = column.dt.strftime("%Y-%m-%d")
    return out


def _missing(value) -> bool:
    """True for None, NaN, NaT and pandas' NA (a missing integer, such as a file's quarantine line)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array (authors): a value, never "missing"
        return False


def _existing_db(args: argparse.Namespace):
    """Return the database path, or None after saying how to make one when it does not exist yet."""
    db = config.db_path(args.db)
    if db.exists():
        return db
    _error(f"error: {db}: no database yet; run `python -m pipeline ingest PATH` first")
    return None


def _readonly(args: argparse.Namespace):
    """Return a read-only connection to the database, or None when there is none yet."""
    db = _existing_db(args)
    return connection.connect_readonly(db) if db is not None else None


def _list(args: argparse.Namespace, query, title: str) -> int:
    """Run one read-only query on the database and print its rows in the chosen format."""
    con = _readonly(args)
    if con is None:
        return 1
    with con:
        frame = query(con)
    _show(frame, args.format, title)
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    if args.needs_date:
        return _list(args, queries.needs_date, "Documents needing a date")
    return _list(args, lambda con: queries.documents(con, outlet=args.outlet, since=args.since, until=args.until,
                                                     originals_only=args.originals, limit=args.limit), "Documents")


def cmd_quarantine(args: argparse.Namespace) -> int:
    return _list(args, queries.quarantined, "Quarantined inputs")


def cmd_relink(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    db = _existing_db(args)
    if db is None:
        return 1
    workers = config.workers(args.workers)
    analyze = _analyzer(args, console)
    if analyze is None:
        return 2
    started = time.perf_counter()
    try:
        with database.writer(db) as con:
            count = runner.relink(con, analyze, console, reextract=args.reextract, workers=workers)
            totals = queries.counts(con)
    except connection.StoreBusy as exc:
        _error(f"error: {exc}")
        return 3
    print(f"relinked {count} documents against {len(analyze.catalog.assertions)} assertions in "
          f"{time.perf_counter() - started:.1f} s: {totals['statements']} statements, {totals['claims']} claims")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    to_stdout = str(args.out) == "-"
    fmt = args.format or ("parquet" if args.out.suffix.lower() == ".parquet" else "csv")
    if not to_stdout and args.format is None and args.out.suffix.lower() in (".xlsx", ".xls"):
        _error(f"error: {args.out}: Excel workbooks are not written; use a .csv file (UTF-8 with a byte-order "
               "mark: Excel opens it with every character right) or .parquet")
        return 2
    if to_stdout and fmt != "csv":
        _error("error: --out - writes CSV only")
        return 2
    if not to_stdout and not args.out.parent.is_dir():
        _error(f"error: {args.out.parent}: no such folder for --out")
        return 2
    con = _readonly(args)
    if con is None:
        return 1
    since, until = args.week if args.week else (args.since, args.until)
    with con:
        if args.assertion is not None and not _known_assertion(queries.filter_options(con), args.assertion):
            return 2
        if args.table == "document-stances":
            frame = queries.document_stances(con, assertion_id=args.assertion)
        else:
            frame = queries.claims_export(con, assertion_id=args.assertion, since=since, until=until,
                                          include_below_threshold=args.include_below_threshold)
    what = "document stances" if args.table == "document-stances" else "claims"
    if to_stdout:
        sys.stdout.write(export.to_csv_text(frame))
        _error(f"wrote {len(frame)} {what} to standard output")
        return 0
    export.write_frame(frame, args.out, fmt)
    print(f"wrote {len(frame)} {what} to {args.out}")
    return 0


def _known_assertion(options: dict[str, dict[str, str]], assertion_id: str) -> bool:
    """Return True for an assertion of the stored catalog (`queries.filter_options`); else say which ids there are."""
    known = list(options["assertion"])
    if assertion_id in known:
        return True
    shown = ", ".join(known[:20]) + (f", and {len(known) - 20} more" if len(known) > 20 else "")
    _error(f"error: no assertion {assertion_id!r} in the stored catalog; known: {shown or '(none)'}")
    return False


def cmd_assertions(args: argparse.Namespace) -> int:
    return _list(args, queries.assertion_summary, "Assertions")


def cmd_attributions(args: argparse.Namespace) -> int:
    from pipeline.extract import attribution, parties
    from pipeline.ingest import load

    try:
        actors = parties.load_actors(args.actors or config.DEFAULT_ACTORS_PATH)
    except InputFileError as exc:
        _error(f"error: {exc}")
        return 2
    status = 0
    for file in args.files:
        try:
            text, _ = load.decode(file.read_bytes())
        except (OSError, load.DecodeError) as exc:
            _error(f"error: {file}: {exc}")
            status = 1
            continue
        for found in attribution.extract_attributions(text, scope=args.scope):
            party = parties.resolve_party(actors, found.speaker_name, found.speaker.text if found.speaker else None,
                                          found.speaker_role, None)
            record = {
                "file": str(file),
                "speaker": found.speaker.model_dump() if found.speaker else None,
                "speaker_name": found.speaker_name,
                "cue": found.cue.model_dump(),
                "content": found.content.model_dump(),
                "direct": found.direct,
                "certainty": found.certainty,
                "party": party.party_id,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return status


def cmd_brief(args: argparse.Namespace) -> int:
    """Write one assertion's briefing chart as PNG (the dashboard's Download PNG); return the exit code."""
    from pipeline import charts  # Altair and vl-convert load only for this command

    con = _readonly(args)
    if con is None:
        return 1
    filters = queries.ClaimFilter(assertions=(args.assertion,), parties=tuple(args.party), since=args.since,
                                  until=args.until)
    with con:
        options = queries.filter_options(con)
        if not _known_assertion(options, args.assertion):
            return 2
        party_names = options["party"]
        unknown = [p for p in args.party if p not in party_names]
        if unknown:
            _error(f"error: no party {unknown[0]!r} among the claims; known: {', '.join(party_names)}")
            return 2
        detail = queries.assertion(con, args.assertion)
        points = queries.timeline_points(con, filters)
        totals = queries.filtered_totals(con, filters)
        outlets = queries.source_outlets(con, filters)
    if points.empty:
        _error(f"error: assertion {args.assertion!r} has no dated statements to plot with these filters")
        return 1
    first, last = points["statement_date"].min(), points["statement_date"].max()
    subtitle = charts.briefing_subtitle(detail["counterclaim"], [party_names[p] for p in args.party], args.since,
                                        args.until, first.date(), last.date())
    footer = charts.briefing_footer(date.today(), totals["documents"], totals["claims"], totals["undated"], outlets)
    png = charts.chart_png(charts.briefing_chart(points, detail["claim"], subtitle, footer))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"wrote {args.out} ({len(png)} bytes, {int(points['statements'].sum())} dated statements)")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    db = _existing_db(args)
    if db is None:
        return 1
    reviewer = args.reviewer or os.environ.get("CLAIMS_REVIEWER", "")
    with connection.connect_readonly(db) as con:
        choices = review_queries.review_choices(con)
        link = review_queries.link(con, args.id)
        statement = None if link else review_queries.statement(con, args.id)
    try:
        if link is not None:
            event = reviews.link_review(link, choices, reviewer, confirm=args.confirm, reject=args.reject,
                                        stance=args.stance, party_id=args.party, assertion_id=args.assertion,
                                        note=args.note)
        elif statement is not None:
            if args.confirm or args.reject:
                raise reviews.ReviewRejected(f"{args.id} is a statement, not a link: give --assertion and --stance "
                                             "to add a link from it")
            event = reviews.added_link(statement, choices, reviewer, args.assertion, args.stance, args.party, args.note)
        else:
            _error(f"error: {args.id}: no such claim or statement in {db}")
            return 1
    except reviews.ReviewRejected as exc:
        _error(f"error: {exc}")
        return 2
    reviews.append(db, event)
    applied = database.apply_pending_reviews(db, wait_seconds=0.0)
    print(f"recorded: {_describe(event)}, by {event.reviewer}; "
          + ("applied" if applied else "a writer is running: it applies the review before it publishes"))
    return 0


def _describe(event: reviews.ReviewEvent) -> str:
    before = event.before
    what = {
        "confirm": "confirmed",
        "reject": f"rejected ({event.reason})",
        "stance": f"stance {before.get('stance')} -> {event.stance.value if event.stance else ''}",
        "party": f"party {before.get('party_id')} -> {event.party_id}",
        "assertion": f"moved {event.assertion_id} -> {event.to_assertion_id}",
        "add": f"added to {event.assertion_id} ({event.stance.value if event.stance else ''})",
        "note": "note",
    }[event.action]
    subject = f"claim {event.claim_id}" if event.claim_id else f"statement \u201c{event.quote[:60]}\u201d"
    return f"{subject} {what}"


def cmd_reviews(args: argparse.Namespace) -> int:
    db = _existing_db(args)
    if db is None:
        return 1
    events, _ = reviews.read_log(db)
    with connection.connect_readonly(db) as con:
        applied = set(review_queries.review_events(con)["id"]) if events else set()
        orphans = {(r.document_id, reviews.quote_key(r.quote), r.assertion_id)
                   for r in review_queries.orphaned_reviews(con).itertuples()}
    rows = []
    for event in events:
        target = event.to_assertion_id if event.action == "assertion" else event.assertion_id
        key = (event.document_id, reviews.quote_key(event.quote), target)
        rows.append({
            "reviewed_at": event.at, "reviewer": event.reviewer, "action": event.action, "claim_id": event.claim_id,
            "document_id": event.document_id, "quote": event.quote[:160], "assertion_id": event.assertion_id,
            "before": json.dumps(event.before, ensure_ascii=False),
            "after": json.dumps({k: v for k, v in (("stance", event.stance.value if event.stance else None),
                                                   ("party_id", event.party_id),
                                                   ("assertion_id", event.to_assertion_id),
                                                   ("reason", event.reason)) if v}, ensure_ascii=False),
            "note": event.note,
            "status": "pending" if event.id not in applied else ("orphaned" if key in orphans else "applies"),
        })
    frame = pd.DataFrame(rows, columns=["reviewed_at", "reviewer", "action", "claim_id", "document_id", "quote",
                                        "assertion_id", "before", "after", "note", "status"])
    _show(frame, args.format, "Reviews")
    bad = reviews.unreadable_lines(db)
    if bad:
        _error(f"warning: {reviews.log_path(db)}: lines {', '.join(map(str, bad[:10]))} are not reviews; kept as they are")
    return 0
