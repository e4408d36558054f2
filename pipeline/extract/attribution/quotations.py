"""Quotation marks paired per paragraph, and the word tokens every other module reads.

Finds: straight, curly, guillemet and doubled-apostrophe quotations, British single marks ('We never
sent drones,' the minister said) where a closing mark is followed by a cue, a double mark closed by a
single one, and unclosed quotations, which run to the end of their paragraph. An apostrophe ("the
ministers' views") stays an apostrophe.
Leaves to others: sentences (document), who is quoted (verbs, forms, sentences).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN_RE = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*|''|``|\S")
OPEN_QUOTES = {"“", "„", "«", "``"}
CLOSE_QUOTES = {"”", "»"}
AMBIGUOUS_QUOTES = {'"', "''", "″"}
QUOTE_MARKS = OPEN_QUOTES | CLOSE_QUOTES | AMBIGUOUS_QUOTES | {"‘", "’"}
_SINGLE_CLOSES = frozenset({"’", "'"})  # a straight one closes a quotation only where find_quotes says so
CLOSING_MARKS = CLOSE_QUOTES | AMBIGUOUS_QUOTES | _SINGLE_CLOSES


@dataclass(slots=True, init=False)
class Tok:
    text: str
    start: int
    end: int
    # Read a dozen times per token by the rules and the taggers' features, so computed once.
    low: str = field(compare=False, repr=False)
    is_cap: bool = field(compare=False, repr=False)
    is_word: bool = field(compare=False, repr=False)

    def __init__(self, text: str, start: int, end: int) -> None:
        # Written out, not dataclass's __init__ calling __post_init__: a long text has 100,000s of tokens.
        self.text = text
        self.start = start
        self.end = end
        self.low = text.lower()
        first = text[:1]
        self.is_cap = first.isupper()
        self.is_word = first.isalnum()


@dataclass
class Quote:
    open_start: int  # offset of the opening mark
    start: int  # first character inside the marks
    end: int  # offset of the closing mark (or paragraph end when unclosed)
    close_end: int  # offset after the closing mark
    closed: bool


def find_quotes(text: str, tokens: list[Tok]) -> list[Quote]:
    """Return quotations paired per paragraph; an unclosed one runs to its paragraph's end."""
    quotes: list[Quote] = []
    open_tok: Tok | None = None
    single_open: Tok | None = None
    paragraph_end = end_of_paragraph(text, 0)
    for i, tok in enumerate(tokens):
        if tok.start >= paragraph_end:
            if open_tok is not None:
                quotes.append(_unclosed_quote(text, open_tok, paragraph_end))
            open_tok = single_open = None
            paragraph_end = end_of_paragraph(text, tok.start)
        mark = tok.text
        if mark not in QUOTE_MARKS and mark != "'":
            continue
        before = text[tok.start - 1] if tok.start > 0 else " "
        after = text[tok.end] if tok.end < len(text) else " "
        if mark == "'":
            # British style quotes with straight single marks ('We never sent drones,' the minister said).
            # Apostrophes stay apostrophes: an opening mark stands before a letter after a boundary, a
            # closing one ends on or stands before punctuation (not "the ministers' views").
            if open_tok is not None:
                continue
            if single_open is None and (before.isspace() or before in "([—–\"“") and after.isalpha():
                single_open = tok
            elif single_open is not None and not before.isspace() and not after.isalnum() \
                    and (before in ",.?!" or after in ",.;:?!)\n" or after == " " and text[tok.end:tok.end + 2] == " -"):
                if tok.start - single_open.end > 1:
                    quotes.append(Quote(single_open.start, single_open.end, tok.start, tok.end, True))
                single_open = None
            continue
        if mark in OPEN_QUOTES and open_tok is not None:
            # A second opening mark: the first quotation may have closed on a single mark (“...,’ she said. “...”).
            earlier = _unclosed_quote(text, open_tok, tok.start)
            if earlier.closed:
                quotes.append(earlier)
                open_tok = tok
            continue
        if mark in OPEN_QUOTES or (mark in AMBIGUOUS_QUOTES and open_tok is None):
            if open_tok is None and single_open is None:
                if mark in AMBIGUOUS_QUOTES and after.isspace() and not before.isspace():
                    continue  # a stray closing mark
                open_tok = tok
            continue
        if mark in CLOSE_QUOTES and open_tok is None and single_open is None and (tok.start == 0 or before == "\n") \
                and after.isalnum():
            open_tok = tok  # a paragraph opening with a closing mark: a typo for the opening one
            continue
        if mark in CLOSE_QUOTES or mark in AMBIGUOUS_QUOTES:
            if open_tok is not None:
                quotes.append(Quote(open_tok.start, open_tok.end, tok.start, tok.end, True))
                open_tok = None
            continue
        # Single quotes: only a ‘ after a boundary opens, only a ’ before a non-letter closes.
        if open_tok is not None:
            continue
        if mark == "‘" and (before.isspace() or before in "([—–-\"“") and not after.isspace():
            single_open = tok
        elif mark == "’" and single_open is not None and not after.isalnum():
            if tok.start - single_open.end > 1:
                quotes.append(Quote(single_open.start, single_open.end, tok.start, tok.end, True))
            single_open = None
    if open_tok is not None:
        quotes.append(_unclosed_quote(text, open_tok, paragraph_end))
    return quotes


_MISMATCHED_CLOSE_RE = re.compile(r"[,.?!]’(?=\s)")


def _unclosed_quote(text: str, open_tok: Tok, paragraph_end: int) -> Quote:
    """Return the quotation a double mark opens when no double mark closes it in its paragraph.

    “We never sent drones,’ the minister said: a single mark after the quotation's last punctuation
    closes it (when no single mark opened inside it); otherwise it runs to the paragraph's end, as a
    quotation continued in the next paragraph does, but never past MAX_RUN_CHARS.
    """
    end = run_end(text, open_tok.end, paragraph_end)
    if "‘" not in text[open_tok.end:end]:
        match = _MISMATCHED_CLOSE_RE.search(text, open_tok.end, end)
        if match is not None:
            return Quote(open_tok.start, open_tok.end, match.end() - 1, match.end(), True)
    return Quote(open_tok.start, open_tok.end, end, end, False)


# An unclosed quotation, or a label's content, runs to the end of its paragraph, but no further than
# this: a text of one line (some scrapes have no line breaks at all) would otherwise make every
# statement after an unclosed mark one content to the text's end, and the run quadratic in its length.
# News quotations and transcript turns are far shorter.
MAX_RUN_CHARS = 5000


def run_end(text: str, start: int, paragraph_end: int) -> int:
    """Return where a content that runs to its paragraph's end stops: that end, or at most MAX_RUN_CHARS on."""
    if paragraph_end - start <= MAX_RUN_CHARS:
        return paragraph_end
    cut = text.rfind(" ", start, start + MAX_RUN_CHARS)
    return cut if cut > start else start + MAX_RUN_CHARS


def end_of_paragraph(text: str, pos: int) -> int:
    """Return the offset of the newline ending the paragraph at pos (or the text's end)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def tokenize(text: str) -> list[Tok]:
    """Return word and punctuation tokens with their offsets."""
    return [Tok(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
