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
from typing import NamedTuple

from pydantic import Field

from pipeline.config import ARTICLE_EXTENSIONS, BATCH_EXTENSIONS
from pipeline.ingest.discover import display_path, special_kind
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
    # A batch row's own bytes as they stand in the file (kept if the row is quarantined later);
    # None for an article file, whose bytes are the file.
    raw_row: bytes | None = None
    # The input's file as the run names it (a batch row's `source` is its url or file:line).
    origin: str = ""

    def rejected(self, reason: str) -> "Rejection":
        """Return a rejection of this article that keeps its raw input exactly: the file, or the row's bytes."""
        origin = self.origin or self.source
        if self.raw_row is not None:
            return Rejection(source=origin, source_path=self.source_path, line=self.line, reason=reason,
                             raw=self.raw_row)
        return Rejection(source=origin, source_path=self.source_path, line=self.line, reason=reason,
                         raw=b"", copy_whole_file=True)


class Rejection(Strict):
    """An input that cannot be used, with the reason and its raw bytes (kept by the quarantine)."""

    source: str
    source_path: str
    line: int | None = None
    reason: str
    raw: bytes
    # Inputs too large to hold in memory are copied to the quarantine from their file instead of `raw`.
    copy_whole_file: bool = False
    # Inputs with no bytes to keep: a file that cannot be read, a FIFO or device (never opened), a link.
    no_raw: bool = False

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


def relative_source(file: Path, root: Path) -> str:
    """Return the file's path relative to the ingest root, in POSIX form (bytes that are not UTF-8 escaped)."""
    try:
        relative = file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = file.as_posix()
    return display_path(relative)


def scrub(text: str) -> str:
    """Return text with lone surrogates (JSON escapes such as \\ud800 that are no character) as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def read_file(file: Path, root: Path, limit: int, manifest: dict[str, dict[str, str]] | None = None
              ) -> Iterator[RawArticle | Rejection]:
    """Yield the raw articles in one file (one, or one per batch row) and rejections for what is unusable."""
    source = relative_source(file, root)
    manifest = manifest or {}

    def reject(reason: str, raw: bytes = b"", **how) -> Rejection:
        return Rejection(source=source, source_path=str(file), reason=reason, raw=raw, **how)

    try:
        status = file.stat()
    except OSError as exc:
        yield reject(f"cannot read: {exc.strerror}", no_raw=True)
        return
    kind = special_kind(status.st_mode)
    if kind is not None:
        yield reject(f"not a regular file ({kind}), never opened", no_raw=True)
        return
    suffix = file.suffix.lower()
    if suffix not in ARTICLE_EXTENSIONS | BATCH_EXTENSIONS:
        yield reject(f"unsupported file type {suffix or '(none)'}", copy_whole_file=True)
        return
    if suffix in BATCH_EXTENSIONS:
        yield from read_batch(file, source, limit, manifest)
        return
    if status.st_size > limit:
        yield reject(f"file too large: {status.st_size} bytes, limit {limit}", copy_whole_file=True)
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        yield reject(f"cannot read: {exc.strerror}", no_raw=True)
        return
    if not data.strip():
        yield reject("empty file", data)
        return
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        yield reject(str(exc), data)
        return
    if not text.strip():
        yield reject("empty file (whitespace only)", data)
        return
    yield RawArticle(source=source, source_path=str(file), kind=kind_for(file), text=text, encoding=encoding,
                     raw_sha256=sha256(data), hints=manifest_hints(manifest, file, None), origin=source)


def read_batch(file: Path, source: str, limit: int, manifest: dict[str, dict[str, str]]
               ) -> Iterator[RawArticle | Rejection]:
    """Yield one raw article per usable row of a JSONL or CSV batch; rejections carry the line number.

    The file is streamed: memory stays at about one row, however large the batch. A rejected row
    keeps its own bytes as they stand in the file.
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
    row_codec = _row_codec(file, encoding)
    seen_row = False
    with open(file, encoding=encoding, newline="") as fh:
        rows = _jsonl_rows(fh) if file.suffix.lower() == ".jsonl" else _csv_rows(fh, limit)
        for item in _batch_articles(rows, file, source, encoding, row_codec, limit, manifest):
            seen_row = True
            yield item
    if not seen_row:
        yield Rejection(source=source, source_path=str(file), reason="batch file has no rows", raw=b"",
                        copy_whole_file=True)


def _row_codec(file: Path, encoding: str) -> str:
    """Return the codec that turns one row's text back into its bytes in the file (no byte-order mark)."""
    if encoding == "utf-8-sig":
        return "utf-8"
    if encoding in ("utf-16", "utf-32"):
        with open(file, "rb") as fh:
            head = fh.read(4)
        little = head.startswith(codecs.BOM_UTF32_LE if encoding == "utf-32" else codecs.BOM_UTF16_LE)
        return f"{encoding}-{'le' if little else 'be'}"
    return encoding


class _Row(NamedTuple):
    line: int  # the first line of the row in the file
    fields: dict | None  # None when the row is unusable
    error: str | None
    raw: str  # the row's text as it stands in the file, without the line break that ends it


def _batch_articles(rows: Iterable[_Row], file: Path, source: str, encoding: str, row_codec: str, limit: int,
                    manifest: dict[str, dict[str, str]]) -> Iterator[RawArticle | Rejection]:
    for row in rows:
        raw_row = row.raw.encode(row_codec, "surrogateescape")

        def reject(reason: str) -> Rejection:
            return Rejection(source=source, source_path=str(file), line=row.line, reason=reason, raw=raw_row)

        if row.error:
            yield reject(row.error)
            continue
        fields = row.fields
        body = fields.get("html") or fields.get("text")
        if not isinstance(body, str) or not body.strip():
            yield reject("row has no 'text' or 'html'")
            continue
        body = scrub(body)
        size = len(body.encode())
        if size > limit:
            yield reject(f"row too large: {size} bytes, limit {limit}")
            continue
        hints = {k: scrub(str(fields[k])).strip() for k in HINT_FIELDS if fields.get(k) not in (None, "")}
        url = hints.get("url")
        hints.update(manifest_hints(manifest, None, url))
        kind = SourceKind.HTML if fields.get("html") else SourceKind.TEXT
        # The document id hashes the row's content, not its bytes: the same row re-saved in another
        # encoding or key order is the same document.
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
        yield RawArticle(source=url or f"{source}:{row.line}", source_path=str(file), line=row.line, kind=kind,
                         text=body, encoding=encoding, raw_sha256=sha256(scrub(canonical).encode()), hints=hints,
                         raw_row=raw_row, origin=source)


def _jsonl_rows(lines: Iterable[str]) -> Iterator[_Row]:
    # Lines end at \n, \r\n or \r only (an open file's lines): JSON strings may hold U+2028 raw,
    # which str.splitlines() would take for a line end.
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _Row(number, None, f"malformed JSON: {exc.msg} at column {exc.colno}", line)
            continue
        except RecursionError:
            yield _Row(number, None, "malformed JSON: nested too deeply", line)
            continue
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            yield _Row(number, None, f"malformed JSON: {str(exc).splitlines()[0][:120]}", line)
            continue
        if not isinstance(row, dict):
            yield _Row(number, None, f"JSON line is a {type(row).__name__}, not an object", line)
            continue
        yield _Row(number, row, None, line)


class _Lines:
    """Physical lines of a file with their numbers; lines a record read by mistake can be put back."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._back: list[tuple[int, str]] = []
        self._number = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        while True:
            if self._back:
                item = self._back.pop()
            else:
                line = next(self._lines, None)
                if line is None:
                    return
                self._number += 1
                item = (self._number, line)
            self.taken.append(item)
            yield item[1]

    def put_back(self, items: list[tuple[int, str]]) -> None:
        self._back.extend(reversed(items))


def _csv_rows(lines: Iterable[str], limit: int = 0) -> Iterator[_Row]:
    """Yield one _Row per CSV record; an unbalanced quote costs only the line it opens on.

    A quoted field may hold line breaks, so a record may span lines. One that does and has the wrong
    number of fields (or runs into the end of the file) is an unbalanced quote: that line is
    rejected and reading starts again at the next line, so the rows after it are not swallowed.
    """
    # Fields up to one row's size limit (the csv module's default stops at 131,072 characters).
    csv.field_size_limit(max(csv.field_size_limit(), limit + 1))
    source = _Lines(lines)
    reader = csv.reader(source)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield _Row(1, None, f"CSV has no header row ({exc or 'no lines'})", "".join(t for _, t in source.taken))
        return
    header = [h.strip().lower() for h in header]
    while True:
        source.taken = []
        try:
            fields = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as exc:
            fields, error = None, f"malformed CSV: {exc}"
        taken = source.taken
        if not taken:
            return
        first, raw = taken[0][0], "".join(text for _, text in taken)
        if len(taken) > 1 and (fields is None or len(fields) != len(header)):
            # An unbalanced quote ran over the following lines: reject its own line, read the rest again.
            source.put_back(taken[1:])
            reader = csv.reader(source)
            yield _Row(first, None, "malformed CSV: unbalanced quote", taken[0][1].rstrip("\r\n"))
            continue
        if error is not None:
            reader = csv.reader(source)
            yield _Row(first, None, error, raw.rstrip("\r\n"))
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            yield _Row(first, None, f"row has {len(fields)} fields, header has {len(header)}", raw.rstrip("\r\n"))
            continue
        yield _Row(first, dict(zip(header, fields)), None, raw.rstrip("\r\n"))


class Manifest(dict):
    """Manifest hints keyed by resolved file path or by url; remembers which keys were looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}
        self.used: set[str] = set()

    def unmatched(self) -> list[tuple[str, int]]:
        """Return (key, line) of the rows that matched no file or batch row read so far, in file order."""
        return sorted(((k, n) for k, n in self.lines.items() if k not in self.used), key=lambda kv: kv[1])


def load_manifest(path: Path) -> tuple[Manifest, list[Rejection]]:
    """Return manifest hints keyed by resolved file path or by url, and rejections for bad rows."""
    hints = Manifest()
    rejections: list[Rejection] = []
    source = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return hints, [Rejection(source=source, source_path=str(path), reason=f"manifest: cannot read: "
                                 f"{exc.strerror}", raw=b"", no_raw=True)]
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        return hints, [Rejection(source=source, source_path=str(path), reason=f"manifest: {exc}", raw=data)]
    row_codec = _row_codec(path, encoding)
    lines = io.StringIO(text, newline="")
    rows = _jsonl_rows(lines) if path.suffix.lower() == ".jsonl" else _csv_rows(lines)
    for row in rows:
        raw = row.raw.encode(row_codec, "surrogateescape")
        if row.error:
            rejections.append(Rejection(source=source, source_path=str(path), line=row.line,
                                        reason=f"manifest: {row.error}", raw=raw))
            continue
        fields = {k: scrub(str(row.fields[k])).strip() for k in HINT_FIELDS if row.fields.get(k) not in (None, "")}
        if row.fields.get("path"):
            key = str((path.parent / scrub(str(row.fields["path"]))).resolve())
        elif fields.get("url"):
            key = fields["url"]
        else:
            rejections.append(Rejection(source=source, source_path=str(path), line=row.line,
                                        reason="manifest: row has neither 'path' nor 'url'", raw=raw))
            continue
        hints[key] = fields
        hints.lines[key] = row.line
    return hints, rejections


def manifest_hints(manifest: dict[str, dict[str, str]], file: Path | None, url: str | None) -> dict[str, str]:
    """Return the manifest's fields for a file (by resolved path) or a batch row (by url)."""
    used = manifest.used if isinstance(manifest, Manifest) else None
    if file is not None:
        key = str(file.resolve())
        found = manifest.get(key)
        if found:
            if used is not None:
                used.add(key)
            return dict(found)
    if url and url in manifest:
        if used is not None:
            used.add(url)
        return dict(manifest[url])
    return {}
