"""Writing tables for people: CSV safe to open in a spreadsheet, JSON, Parquet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

# A spreadsheet runs a cell that starts with one of these as a formula or a command (CSV injection):
# the formula signs, tab and line breaks (a cell may start after one), "|" (DDE in old Excel), "%"
# (LibreOffice), and the full-width forms that East Asian spreadsheets read as the same signs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%", "＝", "＋", "－", "＠", "｜", "％",
                    # A spreadsheet takes a leading apostrophe for "this is text" and hides it: one more keeps it.
                    "'")
# Excel on Windows reads a CSV without a byte-order mark as its ANSI code page ("ItÃ¢â‚¬â„¢s" for "It's"):
# files and downloads carry the UTF-8 mark; what goes to a pipe (stdout) does not.
UTF8_BOM = "\ufeff"


def neutralise_cell(value):
    """Return the value with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of the frame whose text cells cannot run as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    """Return the frame as CSV text with a header row, formulas neutralised, rows ended by CRLF (RFC 4180).

    The CRLF line end is what makes the writer quote every field that holds a CR or an LF (it quotes
    the characters of its line end): with LF alone a bare CR stayed unquoted, a reader split the row
    there, and the rest of the cell ("=1+2") started a new one.
    """
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue()


def to_csv_file_bytes(frame: pd.DataFrame) -> bytes:
    """Return the CSV as a file or a download carries it: UTF-8 with a byte-order mark, so Excel reads it right."""
    return (UTF8_BOM + to_csv_text(frame)).encode("utf-8")


def to_json_lines(frame: pd.DataFrame) -> str:
    """Return the frame as JSON lines (dates as ISO strings)."""
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_frame(frame: pd.DataFrame, out: Path, fmt: str) -> None:
    """Write a frame to a file as csv (UTF-8 with a BOM), json (lines) or parquet."""
    if fmt == "csv":
        out.write_bytes(to_csv_file_bytes(frame))
    elif fmt == "json":
        out.write_text(to_json_lines(frame), encoding="utf-8", newline="")
    elif fmt == "parquet":
        frame.to_parquet(out, index=False)
    else:
        raise ValueError(f"unknown format {fmt!r}")
