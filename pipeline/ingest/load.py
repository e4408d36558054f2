"""Files, folders, batch files and manifests -> decoded raw articles, or rejections with a reason.

Nothing here raises on bad input: every problem becomes a `Rejection` that the ingest quarantines,
so one broken file never stops a run.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import Field

from pipeline.config import ARTICLE_EXTENSIONS, BATCH_EXTENSIONS
from pipeline.models import SourceKind, Strict

HINT_FIELDS = ("url", "title", "outlet", "author", "published")

# Magic numbers of formats that turn up renamed as .txt in scraped folders.
BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"%PDF-": "PDF document",
    b"PK\x03\x04": "ZIP archive (or Office document)",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "ELF executable",
    b"RIFF": "RIFF media file",
}


class RawArticle(Strict):
    """One decoded article as read, before cleaning: a file or one row of a batch file."""

    source: str
    source_path: str
    line: int | None = None
    kind: SourceKind
    text: str
    encoding: str
    raw_sha256: str
    hints: dict[str, str] = Field(default_factory=dict)


class Rejection(Strict):
    """An input that cannot be used, with the reason and its raw bytes (kept by the quarantine)."""

    source: str
    source_path: str
    line: int | None = None
    reason: str
    raw: bytes
    # Inputs too large to hold in memory are copied to the quarantine from their file instead of `raw`.
    copy_whole_file: bool = False

    def message(self) -> str:
        """Return the one-line error shown to the user."""
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


class DecodeError(ValueError):
    """Bytes that are not text in any encoding we accept."""


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sniff_binary(data: bytes) -> str | None:
    """Return a description of a binary format, or None when the bytes may be text."""
    for signature, name in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return name
    if b"\x00" in data[:8192]:
        return "binary data (NUL bytes)"
    return None


# UTF-32's marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _control_count(text: str) -> int:
    return sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")


def _mostly_controls(controls: int, length: int) -> bool:
    """Return True when Windows-1252 text has too many control characters to be text at all."""
    return controls > max(8, length // 100)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for bytes in UTF-8, UTF-16/32 with a BOM, or Windows-1252."""
    for bom, encoding in BYTE_ORDER_MARKS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(f"undecodable {encoding} bytes at offset {exc.start}") from exc
    binary = sniff_binary(data)
    if binary:
        raise DecodeError(f"binary file ({binary}), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        # Windows-1252 is the usual non-UTF-8 encoding of Western news scrapes; it leaves five
        # byte values undefined, so text with those is genuinely undecodable.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"undecodable bytes at offset {utf8_error.start} (neither UTF-8 nor Windows-1252)"
            ) from exc
        if _mostly_controls(_control_count(text), len(text)):
            raise DecodeError(f"undecodable bytes at offset {utf8_error.start} (control characters)")
        return text, "windows-1252"


# Batch files may be far larger than one article (a month of a feed): they are read in pieces of
# this size and never held whole, in bytes or in text.
BATCH_CHUNK = 1 << 20


def batch_encoding(file: Path) -> str:
    """Return the encoding of a batch file by the rules of `decode`, reading it in pieces; DecodeError if none fits."""
    with open(file, "rb") as fh:
        head = fh.read(BATCH_CHUNK)
    for bom, encoding in BYTE_ORDER_MARKS:
        if head.startswith(bom):
            offset = _first_undecodable(file, encoding)
            if offset is not None:
                raise DecodeError(f"undecodable {encoding} bytes at offset {offset}")
            return encoding
    binary = sniff_binary(head)
    if binary:
        raise DecodeError(f"binary file ({binary}), not text")
    utf8_error = _first_undecodable(file, "utf-8")
    if utf8_error is None:
        return "utf-8"
    # One pass decodes Windows-1252 (which fails on its five undefined bytes) and counts control characters.
    controls = length = 0
    try:
        with open(file, encoding="cp1252", newline="") as fh:
            while piece := fh.read(BATCH_CHUNK):
                length += len(piece)
                controls += _control_count(piece)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"undecodable bytes at offset {utf8_error} (neither UTF-8 nor Windows-1252)") from exc
    if _mostly_controls(controls, length):
        raise DecodeError(f"undecodable bytes at offset {utf8_error} (control characters)")
    return "windows-1252"


def _first_undecodable(file: Path, encoding: str) -> int | None:
    """Return the byte offset of the first byte the encoding cannot decode, or None when all of it decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0
    with open(file, "rb") as fh:
        while True:
            piece = fh.read(BATCH_CHUNK)
            # The decoder holds back the bytes of a character the last piece left unfinished; an
            # error's offset counts from those.
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(piece, final=not piece)
            except UnicodeDecodeError as exc:
                return done - pending + exc.start
            if not piece:
                return None
            done += len(piece)


def kind_for(path: Path) -> SourceKind:
    """Return how an article file should be cleaned, from its extension."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return SourceKind.HTML
    if suffix in (".md", ".markdown"):
        return SourceKind.MARKDOWN
    return SourceKind.TEXT


def discover(paths: list[Path], passed_over: list[Path] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, ingest root) for every article or batch file under the given files and folders.

    Files of other types inside a folder (images, notes, a catalog) are not articles and are not
    quarantined; they are appended to passed_over so the run can say so. Hidden files are ignored.
    A file named directly is always yielded (an unsupported type is then quarantined with the reason).
    """
    wanted = ARTICLE_EXTENSIONS | BATCH_EXTENSIONS
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.name.startswith("."):
                    continue
                if file.suffix.lower() in wanted:
                    yield file, path
                elif passed_over is not None:
                    passed_over.append(file)
        else:
            yield path, path.parent


def relative_source(file: Path, root: Path) -> str:
    """Return the file's path relative to the ingest root, in POSIX form."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def read_file(file: Path, root: Path, limit: int, manifest: dict[str, dict[str, str]] | None = None
              ) -> Iterator[RawArticle | Rejection]:
    """Yield the raw articles in one file (one, or one per batch row) and rejections for what is unusable."""
    source = relative_source(file, root)
    manifest = manifest or {}
    try:
        size = file.stat().st_size
    except OSError as exc:
        yield Rejection(source=source, source_path=str(file), reason=f"cannot read: {exc.strerror}", raw=b"")
        return
    suffix = file.suffix.lower()
    if suffix not in ARTICLE_EXTENSIONS | BATCH_EXTENSIONS:
        yield Rejection(source=source, source_path=str(file), reason=f"unsupported file type {suffix or '(none)'}",
                        raw=b"", copy_whole_file=True)
        return
    if suffix not in BATCH_EXTENSIONS and size > limit:
        yield Rejection(source=source, source_path=str(file),
                        reason=f"file too large: {size} bytes, limit {limit}", raw=b"", copy_whole_file=True)
        return
    if suffix in BATCH_EXTENSIONS:
        yield from read_batch(file, source, limit, manifest)
        return
    data = file.read_bytes()
    if not data.strip():
        yield Rejection(source=source, source_path=str(file), reason="empty file", raw=data)
        return
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        yield Rejection(source=source, source_path=str(file), reason=str(exc), raw=data)
        return
    if not text.strip():
        yield Rejection(source=source, source_path=str(file), reason="empty file (whitespace only)", raw=data)
        return
    yield RawArticle(source=source, source_path=str(file), kind=kind_for(file), text=text,
                     encoding=encoding, raw_sha256=sha256(data), hints=manifest_hints(manifest, file, None))


def read_batch(file: Path, source: str, limit: int, manifest: dict[str, dict[str, str]]
               ) -> Iterator[RawArticle | Rejection]:
    """Yield one raw article per usable row of a JSONL or CSV batch; rejections carry the line number.

    The file is streamed: memory stays at about one row, however large the batch.
    """
    try:
        encoding = batch_encoding(file)
    except DecodeError as exc:
        yield Rejection(source=source, source_path=str(file), reason=str(exc), raw=b"", copy_whole_file=True)
        return
    with open(file, encoding=encoding, newline="") as fh:
        blank = not fh.read(BATCH_CHUNK).strip() and not fh.read(1)
    if blank:
        yield Rejection(source=source, source_path=str(file), reason="empty batch file", raw=b"",
                        copy_whole_file=True)
        return
    seen_row = False
    with open(file, encoding=encoding, newline="") as fh:
        rows = _jsonl_rows(fh) if file.suffix.lower() == ".jsonl" else _csv_rows(fh)
        for item in _batch_articles(rows, file, source, encoding, limit, manifest):
            seen_row = True
            yield item
    if not seen_row:
        yield Rejection(source=source, source_path=str(file), reason="batch file has no rows", raw=b"",
                        copy_whole_file=True)


def _batch_articles(rows, file: Path, source: str, encoding: str, limit: int, manifest: dict[str, dict[str, str]]
                    ) -> Iterator[RawArticle | Rejection]:
    for line, row, error in rows:
        raw_row = json.dumps(row, sort_keys=True, ensure_ascii=False).encode() if row is not None else error[1]
        if error:
            yield Rejection(source=source, source_path=str(file), line=line, reason=error[0], raw=raw_row)
            continue
        body = row.get("html") or row.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Rejection(source=source, source_path=str(file), line=line,
                            reason="row has no 'text' or 'html'", raw=raw_row)
            continue
        if len(body.encode()) > limit:
            yield Rejection(source=source, source_path=str(file), line=line,
                            reason=f"row too large: {len(body.encode())} bytes, limit {limit}", raw=raw_row)
            continue
        hints = {k: str(row[k]).strip() for k in HINT_FIELDS if row.get(k) not in (None, "")}
        url = hints.get("url")
        hints.update(manifest_hints(manifest, None, url))
        kind = SourceKind.HTML if row.get("html") else SourceKind.TEXT
        yield RawArticle(source=url or f"{source}:{line}", source_path=str(file), line=line, kind=kind,
                         text=body, encoding=encoding, raw_sha256=sha256(raw_row), hints=hints)


def _jsonl_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict | None, tuple[str, bytes] | None]]:
    # Lines end at \n, \r\n or \r only (an open file's lines): JSON strings may hold U+2028 raw,
    # which str.splitlines() would take for a line end.
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, (f"malformed JSON: {exc.msg} at column {exc.colno}", line.encode())
            continue
        if not isinstance(row, dict):
            yield number, None, (f"JSON line is a {type(row).__name__}, not an object", line.encode())
            continue
        yield number, row, None


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict | None, tuple[str, bytes] | None]]:
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield 1, None, (f"CSV has no header row ({exc or 'no lines'})", b"")
        return
    header = [h.strip().lower() for h in header]
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, (f"malformed CSV: {exc}", b"")
            return
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            yield line, None, (f"row has {len(fields)} fields, header has {len(header)}",
                               ",".join(fields).encode())
            continue
        yield line, dict(zip(header, fields)), None


def load_manifest(path: Path) -> tuple[dict[str, dict[str, str]], list[Rejection]]:
    """Return manifest hints keyed by resolved file path or by url, and rejections for bad rows."""
    hints: dict[str, dict[str, str]] = {}
    rejections: list[Rejection] = []
    data = path.read_bytes()
    try:
        text, _ = decode(data)
    except DecodeError as exc:
        return hints, [Rejection(source=str(path), source_path=str(path), reason=f"manifest: {exc}", raw=data)]
    lines = io.StringIO(text, newline="")
    rows = _jsonl_rows(lines) if path.suffix.lower() == ".jsonl" else _csv_rows(lines)
    for line, row, error in rows:
        if error:
            rejections.append(Rejection(source=str(path), source_path=str(path), line=line,
                                        reason=f"manifest: {error[0]}", raw=error[1]))
            continue
        fields = {k: str(row[k]).strip() for k in HINT_FIELDS if row.get(k) not in (None, "")}
        if row.get("path"):
            hints[str((path.parent / str(row["path"])).resolve())] = fields
        elif fields.get("url"):
            hints[fields["url"]] = fields
        else:
            rejections.append(Rejection(source=str(path), source_path=str(path), line=line,
                                        reason="manifest: row has neither 'path' nor 'url'",
                                        raw=json.dumps(row).encode()))
    return hints, rejections


def manifest_hints(manifest: dict[str, dict[str, str]], file: Path | None, url: str | None) -> dict[str, str]:
    """Return the manifest's fields for a file (by resolved path) or a batch row (by url)."""
    if file is not None:
        found = manifest.get(str(file.resolve()))
        if found:
            return dict(found)
    if url and url in manifest:
        return dict(manifest[url])
    return {}
