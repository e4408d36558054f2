"""Command line: `python -m pipeline COMMAND ...`. Commands orchestrate; stages do the work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline import config, export, ingest, queries, store


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="DuckDB file (default: $CLAIMS_DB or data/claims.duckdb)")


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
    p.set_defaults(func=cmd_ingest)

    p = commands.add_parser("documents", help="List stored documents.",
                            description="List stored documents with metadata, duplicate link and statement count.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.add_argument("--needs-date", action="store_true", help="only original documents without a publication date")
    p.set_defaults(func=cmd_documents)

    p = commands.add_parser("quarantine", help="List rejected inputs with their reasons.",
                            description="List inputs that could not be used, why, and where their raw bytes are kept.")
    _add_db(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.set_defaults(func=cmd_quarantine)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipeline.statements import statement_extractor

    console = Console(stderr=True, highlight=False)
    db = config.db_path(args.db)
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        console.print(f"error: {path}: no such file or folder", markup=False)
    paths = [p for p in args.paths if p.exists()]
    if args.manifest is not None and not args.manifest.is_file():
        console.print(f"error: {args.manifest}: manifest not found", markup=False)
        return 2
    try:
        summary = ingest.ingest(paths, db, statement_extractor(), manifest=args.manifest,
                                max_bytes=config.max_bytes(args.max_bytes), console=console)
    except store.StoreBusy as exc:
        console.print(f"error: {exc}", markup=False)
        return 3
    print(summary.line())
    if summary.interrupted:
        return 130
    return 0 if summary.usable else 1


def _show(frame, fmt: str, title: str) -> None:
    if fmt == "csv":
        sys.stdout.write(export.to_csv_text(frame))
    elif fmt == "json":
        sys.stdout.write(export.to_json_lines(frame))
    else:
        table = Table(title=title)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*("" if _missing(v) else str(v) for v in row))
        Console(highlight=False).print(table)


def _missing(value) -> bool:
    try:
        return value is None or value != value  # NaN / NaT
    except (TypeError, ValueError):
        return False


def _readonly(args) -> "object | None":
    db = config.db_path(args.db)
    if not db.exists():
        print(f"error: {db}: no database yet; run `python -m pipeline ingest PATH` first", file=sys.stderr)
        return None
    return store.connect_readonly(db)


def cmd_documents(args: argparse.Namespace) -> int:
    con = _readonly(args)
    if con is None:
        return 1
    with con:
        frame = queries.needs_date(con) if args.needs_date else queries.documents(con)
    _show(frame, args.format, "Documents needing a date" if args.needs_date else "Documents")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    con = _readonly(args)
    if con is None:
        return 1
    with con:
        frame = queries.quarantined(con)
    _show(frame, args.format, "Quarantined inputs")
    return 0
