"""Hostile inputs for the ingest, made from a seed: what an attacker or a careless scrape hands the pipeline.

`write_corpus(folder, n, seed)` writes n inputs (files, batch rows, links, FIFOs) into a folder and
returns what each must become: a stored document, a quarantine record, or an entry passed over and
counted. Good articles (the shipped seeds with a sentence of their own, so that dedupe keeps them
apart) are mixed in; the checks are that none is lost, that nothing is neither stored nor
quarantined, and that every quarantine copy is the input's bytes. Used by tests/ingest/test_hostile.py
and bench/fuzz.py.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "data" / "seeds").glob("*.txt"))

PROSE = [
    "Officials said on Monday that the talks would resume next week.",
    "“We never sent drones to Russia,” the foreign minister said.",
    "According to the Pentagon, the shipments began in August.",
    "The ministry denied the report, calling it baseless.",
    "Analysts say the agreement is unlikely to hold.",
    "A spokesman for the Kremlin declined to comment.",
]


@dataclass
class Input:
    """One input written by the generator and what must become of it."""

    case: str
    path: str  # relative to the corpus folder (a batch row: the batch file)
    expect: str  # "document", "quarantine", "document-or-quarantine", "passed-over"
    raw: bytes | None = None  # the bytes the quarantine copy must equal (None: no bytes to keep)
    line: int | None = None  # a batch row's line
    source: str | None = None  # what the stored document's source is, when it is not the path


def _good_article(rng: random.Random, tag: str) -> str:
    text = rng.choice(SEEDS).read_text(encoding="utf-8")
    unique = f"\n\nThe analyst Dana Example{tag} said on Tuesday that case {tag} remained open.\n"
    return text + unique


def _prose(rng: random.Random, chars: int, separator: str = " ") -> str:
    parts, size = [], 0
    while size < chars:
        sentence = rng.choice(PROSE)
        parts.append(sentence)
        size += len(sentence) + 1
    return separator.join(parts)[:chars]


class _Writer:
    def __init__(self, folder: Path, rng: random.Random, scale: float, prefix: str) -> None:
        self.folder, self.rng, self.scale, self.prefix = folder, rng, scale, prefix
        self.inputs: list[Input] = []
        self.count = 0

    def name(self, case: str, suffix: str) -> str:
        self.count += 1
        return f"{self.prefix}{self.count:05d}_{case}{suffix}"

    def file(self, case: str, suffix: str, data: bytes, expect: str) -> None:
        name = self.name(case, suffix)
        (self.folder / name).write_bytes(data)
        self.inputs.append(Input(case, name, expect, data))

    def jsonl(self, case: str, rows: list[tuple[bytes, str, str | None]]) -> None:
        """Write a batch of (row bytes, expectation, url) lines; each row is one input."""
        name = self.name(case, ".jsonl")
        (self.folder / name).write_bytes(b"\n".join(row for row, _, _ in rows) + b"\n")
        for line, (row, expect, url) in enumerate(rows, start=1):
            self.inputs.append(Input(case, name, expect, row, line, url))

    def csv(self, case: str, header: bytes, rows: list[tuple[bytes, str, str | None]]) -> None:
        name = self.name(case, ".csv")
        (self.folder / name).write_bytes(header + b"\n" + b"\n".join(row for row, _, _ in rows) + b"\n")
        line = 2
        for row, expect, url in rows:
            self.inputs.append(Input(case, name, expect, row, line, url))
            line += len(re.findall(rb"\r\n|\r|\n", row)) + 1  # a quoted field may hold line breaks

    def size(self, chars: int) -> int:
        return max(200, int(chars * self.scale))


def _url(w: _Writer, case: str) -> str:
    return f"https://fuzz.example/{case}/{w.count}-{w.rng.randrange(10**9)}"


def _good_file(w: _Writer) -> None:
    w.file("good", ".txt", _good_article(w.rng, f"{w.count}-{w.rng.randrange(10**6)}").encode(), "document")


def _good_row(w: _Writer) -> tuple[bytes, str, str]:
    url = _url(w, "row")
    text = _good_article(w.rng, f"{w.count}-{w.rng.randrange(10**6)}")
    return json.dumps({"url": url, "title": "A good row", "text": text}).encode(), "document", url


CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


@case
def empty(w):
    w.file("empty", ".txt", b"", "quarantine")


@case
def whitespace(w):
    w.file("whitespace", ".txt", b" \n\t\n  ", "quarantine")


@case
def binary_png(w):
    w.file("png", ".txt", b"\x89PNG\r\n\x1a\n" + w.rng.randbytes(500), "quarantine")


@case
def random_bytes(w):
    w.file("random", ".txt", w.rng.randbytes(w.rng.randrange(1, 4000)), "document-or-quarantine")


@case
def nul_bytes(w):
    w.file("nul", ".md", b"text\x00" * 50, "quarantine")


@case
def undecodable(w):
    w.file("undecodable", ".txt", ("Officials said " * 20).encode() + b"\x81\x8d\x8f\x90\x9d" * 5, "quarantine")


@case
def utf16_odd(w):
    w.file("utf16", ".txt", b"\xff\xfe" + "Officials said the talks failed.".encode("utf-16-le") + b"\x00", "quarantine")


@case
def windows_1252(w):
    w.file("cp1252", ".txt", ("“It’s over,” the minister said on Monday. " * 10).encode("cp1252"), "document")


@case
def single_line(w):
    w.file("single_line", ".txt", _prose(w.rng, w.size(800_000)).encode(), "document-or-quarantine")


@case
def short_lines(w):
    lines = "\n".join(f"line {i} ok" for i in range(w.size(1_000_000) // 10))
    w.file("short_lines", ".txt", lines.encode(), "document-or-quarantine")


@case
def no_punctuation(w):
    words = ["word", "other", "Iran", "drones", "said", "minister", "Moscow"]
    text = " ".join(w.rng.choice(words) for _ in range(w.size(5_000_000) // 6))
    w.file("no_punctuation", ".txt", text.encode(), "document-or-quarantine")


@case
def nested_quotes(w):
    depth = max(10, w.size(58_000) // 20)
    text = 'The spokesman said "' * depth + "nothing" + '"' * depth + ".\n"
    w.file("nested_quotes", ".txt", text.encode(), "document-or-quarantine")


@case
def according_chain(w):
    n = max(10, w.size(125_000) // 40)
    text = " ".join(f"According to official {i}, who said that" for i in range(n)) + " the drones came.\n"
    w.file("according_chain", ".txt", text.encode(), "document-or-quarantine")


@case
def html_without_article(w):
    html = "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    w.file("html_menu", ".html", html.encode(), "quarantine")


@case
def html_deep(w):
    depth = max(50, w.size(20_000) // 5)
    html = "<html><body>" + "<div>" * depth + "<p>" + _prose(w.rng, 2000) + "</p>" + "</div>" * depth + "</body></html>"
    w.file("html_deep", ".html", html.encode(), "document-or-quarantine")


@case
def html_script(w):
    html = ("<html><body><script>alert(1)</script><article><h1>Talks</h1><p>" + _prose(w.rng, 1500)
            + "<img src=x onerror=alert(2)></p></article></body></html>")
    w.file("html_script", ".html", html.encode(), "document-or-quarantine")


@case
def markdown_odd(w):
    md = "# " + "*" * 500 + "\n\n" + "[" * 300 + "](" * 300 + "\n\n" + _prose(w.rng, 1500)
    w.file("markdown", ".md", md.encode(), "document-or-quarantine")


@case
def formula_title(w):
    text = "=HYPERLINK(\"http://evil.example\")\n\n" + _prose(w.rng, 1500)
    w.file("formula", ".txt", text.encode(), "document-or-quarantine")


@case
def good(w):
    _good_file(w)


@case
def good_again(w):
    _good_file(w)


@case
def jsonl_mixed(w):
    rows = [_good_row(w)]
    rows.append((b'{"text": "' + b"9" * 5001 + b'"}', "document-or-quarantine", None))  # a long string, fine
    rows.append((b'{"text": "x", "n": ' + b"9" * 5001 + b"}", "quarantine", None))
    depth = w.size(100_000)
    rows.append((b"[" * depth + b"]" * depth, "quarantine", None))
    url = _url(w, "surrogate")
    rows.append((json.dumps({"url": url, "title": "bad \ud800 title", "text": _prose(w.rng, 800) + " \ud800"}).encode(),
                 "document", url))
    rows.append((b'"just a string"', "quarantine", None))
    rows.append((b'{"text": ', "quarantine", None))
    rows.append((b'{"title": "no text"}', "quarantine", None))
    rows.append(_good_row(w))
    w.jsonl("jsonl_mixed", rows)


@case
def csv_mixed(w):
    good_url = _url(w, "csv")
    text = _good_article(w.rng, f"{w.count}-{w.rng.randrange(10**6)}").replace('"', '""')
    rows = [(f'{good_url},"Good",\"{text}\"'.encode(), "document", good_url)]
    rows.append((b'https://fuzz.example/unbalanced,"Broken,text without its closing quote', "quarantine", None))
    big_url = _url(w, "bigfield")
    big = _prose(w.rng, max(140_000, w.size(140_000)))
    rows.append((f'{big_url},Big,"{big}"'.encode(), "document", big_url))
    rows.append((b"only,two", "quarantine", None))
    cr_url = _url(w, "cr")
    rows.append((f'{cr_url},"=1+2\r@SUM(1)","{_prose(w.rng, 900)}"'.encode(), "document", cr_url))
    second = _url(w, "csv2")
    text2 = _good_article(w.rng, f"{w.count}-{w.rng.randrange(10**6)}").replace('"', '""')
    rows.append((f'{second},"After the bad rows","{text2}"'.encode(), "document", second))
    w.csv("csv_mixed", b"url,title,text", rows)


@case
def odd_name(w):
    name = os.fsdecode(w.prefix.encode() + b"caf\xe9_" + str(w.count).encode() + b".txt")
    data = _good_article(w.rng, f"{w.count}-{w.rng.randrange(10**6)}").encode()
    w.count += 1
    (w.folder / name).write_bytes(data)
    shown = os.fsencode(name).decode("utf-8", "backslashreplace")
    w.inputs.append(Input("odd_name", shown, "document", data))


@case
def link_outside(w):
    name = w.name("link_outside", ".txt")
    (w.folder / name).symlink_to("/etc/passwd")
    w.inputs.append(Input("link_outside", name, "quarantine"))


@case
def link_loop(w):
    name = w.name("link_loop", ".txt")
    (w.folder / name).symlink_to(w.folder / name)
    w.inputs.append(Input("link_loop", name, "quarantine"))


@case
def link_dangling(w):
    name = w.name("link_dangling", ".txt")
    (w.folder / name).symlink_to(w.folder / "does-not-exist.txt")
    w.inputs.append(Input("link_dangling", name, "quarantine"))


@case
def fifo(w):
    name = w.name("fifo", ".txt")
    os.mkfifo(w.folder / name)
    w.inputs.append(Input("fifo", name, "quarantine"))


@case
def hidden(w):
    name = "." + w.name("hidden", ".txt")
    (w.folder / name).write_text("hidden")
    w.inputs.append(Input("hidden", name, "passed-over"))


@case
def other_type(w):
    w.file("other", ".pdf", b"%PDF-1.4 not an article", "passed-over")


# How often each case is drawn: good articles often, the slow ones rarely (they are slow on purpose).
WEIGHTS = {name: 3 for name in CASES}
WEIGHTS.update(good=12, good_again=12, jsonl_mixed=4, csv_mixed=4, single_line=1, short_lines=1,
               no_punctuation=1, nested_quotes=1, according_chain=1, html_deep=1)


def write_corpus(folder: Path, n: int, seed: int = 0, scale: float = 1.0, cases: list[str] | None = None,
                 prefix: str = "") -> list[Input]:
    """Write about n inputs into folder (drawn with the seed) and return what each must become.

    scale shrinks the large cases (0.01 makes the 800 KB line 8 KB) so that tests stay quick.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    writer = _Writer(folder, rng, scale, prefix)
    names = cases or list(CASES)
    weights = [WEIGHTS[name] for name in names]
    while len(writer.inputs) < n:
        CASES[rng.choices(names, weights)[0]](writer)
    return writer.inputs
