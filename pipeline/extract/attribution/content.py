"""Contents: what a cue introduces, and where that stops.

Finds: the content after a verb cue (a that-clause, a colon, a quotation, a short noun-phrase object
that ends at its comma), the content before a trailing cue ('"...," she said'), quotations that run
over a paragraph, and the clause boundaries that end a content (a new statement, a subordinate
clause, a participle adjunct).
Leaves to others: the cue and the speaker (verbs, forms, phrases).
"""

from __future__ import annotations

import bisect

from pipeline.extract import cues
from pipeline.extract.attribution.document import CONNECTIVES, RELATIVES, SUBORDINATORS, Doc, trim_end
from pipeline.extract.attribution.quotations import (
    AMBIGUOUS_QUOTES,
    CLOSE_QUOTES,
    CLOSING_MARKS,
    OPEN_QUOTES,
    QUOTE_MARKS,
    end_of_paragraph,
    run_end,
)


def participle_clause(doc: Doc, k: int) -> bool:
    """Return True when token k opens a participle clause ("summing up", "speaking to reporters")."""
    if k >= len(doc.tokens):
        return False
    tok = doc.tokens[k]
    return not tok.is_cap and tok.low.endswith("ing") and len(tok.low) > 5


def has_clause_marker(doc: Doc, start: int, last: int) -> bool:
    """Return True when a that-clause, colon or quotation follows a belief verb."""
    if start >= last:
        return False
    tok = doc.tokens[start]
    return tok.low in ("that", ":") or tok.text in QUOTE_MARKS or tok.text[:1].isdigit() or (
        tok.is_cap or tok.low in ("he", "she", "they", "it", "we", "i", "the", "there", "this", "his", "her", "their", "a", "an"))


def opens_mid_sentence(doc: Doc, first: int, k: int) -> bool:
    """Return True when words precede token k in its sentence (beyond a connective)."""
    words = [t for t in doc.tokens[first:k] if t.is_word]
    return len(words) > 1 or (len(words) == 1 and words[0].low not in CONNECTIVES)


def quote_first(doc: Doc, first: int, boundary: int) -> int:
    """Return the token where content starts: the opening mark when a quotation ends at boundary."""
    tok = doc.tokens[boundary]
    if tok.text not in CLOSING_MARKS:
        return first
    quote = doc.quote_at(tok.start)
    if quote is None or quote.open_start < doc.tokens[first].start:
        return first
    return bisect.bisect_left(doc.tok_starts, quote.open_start)


def only_adjuncts(doc: Doc, start: int, last: int) -> bool:
    """Return True when tokens[start:last] hold only punctuation, time or place adjuncts, or a participle cue."""
    tokens = doc.tokens
    j = start
    while j < last and not tokens[j].is_word:
        if tokens[j].text in QUOTE_MARKS and not doc.quote_at(tokens[j].start) is None and tokens[j].start == doc.quote_at(tokens[j].start).open_start:
            return False
        j += 1
    if j >= last:
        return True
    t = tokens[j]
    if j > start and tokens[j - 1].text == "," and participle_clause(doc, j):
        return True  # '"...," she said, referencing the bank's drive': a participle clause, no complement
    if t.low in ("and", "but") and j > start and tokens[j - 1].text == "," and j + 1 < last \
            and tokens[j + 1].is_word and tokens[j + 1].low not in cues.ADJUNCT_STARTS | {"for", "with", "into"}:
        return True  # "The plan is flawed, he said, and it should go": a new clause, no complement
    if t.low not in cues.ADJUNCT_STARTS and not (t.low.endswith("ing") and t.low in cues.CUE_FORMS) and t.low not in cues.TIME_WORDS:
        return False
    # An adjunct must not hide a that-clause or quote (then the cue takes a complement).
    for k in range(j, last):
        tk = tokens[k]
        if tk.low in cues.CUE_FORMS and tk.low.endswith("ing") and tokens[k - 1].text == ",":
            return True
        if tk.low == "that" and not (k + 1 < last and tokens[k + 1].low in cues.AUXILIARY_VERBS):
            return False  # "after the meeting that was held": a relative clause, no complement
        if tk.text == ":" or (tk.text in OPEN_QUOTES):
            return False
    return True


def content_before(doc: Doc, first: int, boundary: int) -> tuple[int, int] | None:
    """Return the offsets of the content from the sentence start to the boundary token (exclusive)."""
    tokens = doc.tokens
    s = first
    while s < boundary and (tokens[s].low in CONNECTIVES and tokens[s + 1].text == ","):
        s += 2
    if s >= boundary:
        return None
    start = tokens[s].start
    end = trim_end(doc, tokens[boundary].start)
    if boundary < len(tokens) and tokens[boundary].text in CLOSING_MARKS:
        end = trim_end(doc, tokens[boundary].end)
    if end <= start or not any(t.is_word for t in tokens[s:boundary]):
        return None
    return (start, end)


def content_after(doc: Doc, start: int, last: int, lemma: str) -> tuple[int, int] | None:
    """Return the offsets of the complement after a cue (after adjuncts and 'that'), else None."""
    tokens = doc.tokens
    j = start
    # Skip adjuncts such as "on Tuesday", "in an interview that aired on PBS" up to the complementizer.
    if j < last and (tokens[j].low in cues.ADJUNCT_STARTS or tokens[j].text == ",") and lemma not in cues.OBJECT_CUES:
        k = j
        target = None
        while k < min(last, j + 16):
            tk = tokens[k]
            if tk.low == "that" and k + 1 < last and (tokens[k + 1].is_cap or tokens[k + 1].low in cues.DETERMINERS
                                                      or tokens[k + 1].low in cues.OTHER_PRONOUNS
                                                      or tokens[k + 1].low in cues.PERSONAL_PRONOUNS
                                                      or tokens[k + 1].text in QUOTE_MARKS):
                target = k
                break
            opens_quote = tk.text in OPEN_QUOTES or (tk.text in AMBIGUOUS_QUOTES and doc.quote_at(tk.start)
                                                      and doc.quote_at(tk.start).open_start == tk.start)
            if tk.text == ":" or (opens_quote and tokens[k - 1].text in (":", ",")):
                target = k  # "said in a statement: ...", "said Tuesday, “...”"
                break
            if opens_quote:
                break
            k += 1
        if target is not None:
            j = target
        elif tokens[j].low in cues.TIME_WORDS:
            while j < last and (tokens[j].low in cues.TIME_WORDS or tokens[j].text == ","):
                j += 1
    clause = j < last and tokens[j].low in ("that", ":")
    while j < last and (tokens[j].low in ("that", ":", ",") or tokens[j].text in ("—", "–")):
        j += 1
    if j >= last and last > start and tokens[last - 1].text == ":":
        return _next_paragraph(doc, tokens[last - 1].end)
    if j >= last:
        return None
    begin = tokens[j].start
    object_end = None if clause else _noun_phrase_object_end(doc, j, last)
    stop = object_end or _clause_end(doc, j, last, object_like=not clause and (
        lemma in cues.OBJECT_CUES or lemma not in cues.CUE_FORMS.values()))
    end = trim_end(doc, tokens[stop - 1].end)
    if end <= begin or not any(t.is_word for t in tokens[j:stop]):
        return None
    return (begin, end)


_NP_OBJECT_OPENERS = frozenset("the a an this these those his her its their our my your".split())
_NP_OBJECT_BREAKS = frozenset((",", "--", "—", "–", "because", "including"))


def _noun_phrase_object_end(doc: Doc, j: int, last: int) -> int | None:
    """Return where a cue's complement at j ends when it is a short noun phrase, not a reported clause.

    "has said the same thing, including Mitt Romney", "wrote his book, Mr. McKinley said": a
    determiner, at most five words with no verb among them, then a comma, a dash, "because" or
    "including". A subject with an apposition or a clause ("said the bill, which passed, ...",
    "said the bill, if passed, ...", "the program, known as EB-5, ...") goes on after its comma
    and is none; nor is a phrase that a quotation follows ("added the words, ''Hillary Clinton.''").
    """
    tokens = doc.tokens
    if j >= last or tokens[j].low not in _NP_OBJECT_OPENERS:
        return None
    for k in range(j + 1, min(last, j + 7)):
        t = tokens[k]
        if t.text in _NP_OBJECT_BREAKS or t.low in _NP_OBJECT_BREAKS:
            nxt = tokens[k + 1] if k + 1 < last else None
            if k == j + 1 or nxt is None or nxt.text in QUOTE_MARKS or nxt.text in (",", ":") \
                    or nxt.low in RELATIVES or nxt.low in SUBORDINATORS or nxt.low in ("and", "or", "but") \
                    or nxt.text[:1].isdigit() or not nxt.is_cap and nxt.low.endswith(("ed", "wn")):
                return None
            return k
        if not t.is_word or t.low in cues.AUXILIARIES or t.low.endswith("ed") or t.low in cues.PERSONAL_PRONOUNS:
            return None
    return None


_CLAUSE_BREAKS = frozenset("but while although though whereas with".split())
_OBJECT_BREAKS = frozenset("during while because since after before as when although though but which who where "
                           "whose whom".split())


def _next_paragraph(doc: Doc, pos: int) -> tuple[int, int] | None:
    """Return the offsets of the paragraph after pos (content announced by a colon), else None."""
    text = doc.text
    start = pos
    while start < len(text) and text[start].isspace():
        start += 1
    if start >= len(text) or "\n" not in text[pos:start]:
        return None
    end = trim_end(doc, run_end(text, start, end_of_paragraph(text, start)))
    return (start, end) if end > start else None


def _clause_end(doc: Doc, j: int, last: int, object_like: bool) -> int:
    """Return the token index where a reported content ends: the sentence end or a new clause.

    Annotators stop content at "; ", ", but ...", ", and <new subject> ..." and, for object-taking
    cues ("condemned X", "supports X"), at the first comma or subordinating word.
    """
    tokens = doc.tokens
    first_tok = tokens[j]
    if first_tok.text in QUOTE_MARKS:
        return last  # a quotation runs to its end
    for k in range(j + 1, last):
        t = tokens[k]
        nxt = tokens[k + 1] if k + 1 < last else None
        if t.text in CLOSE_QUOTES | AMBIGUOUS_QUOTES and tokens[k - 1].text == "," and nxt is not None \
                and nxt.low in _CLAUSE_BREAKS and doc.quote_at(t.start) is not None:
            return k + 1  # 'lower taxes and “jobs, jobs, jobs,” but he has also ...': the comma sits inside the marks
        if doc.inside_quote(t.start):
            continue
        if t.text == ";":
            return k
        if object_like and k > j + 1 and (t.text in (",", "—", "–", "(") or t.low in _OBJECT_BREAKS):
            return k
        if object_like and k > j + 1 and (
                t.low in cues.TIME_WORDS and t.low not in ("may", "march", "this", "next", "last", "earlier", "later")
                or t.low in ("on", "at") and nxt is not None and (nxt.low in cues.TIME_WORDS or nxt.is_cap)
                or t.low == "and" and nxt is not None and not nxt.is_cap and nxt.low.endswith("ed")):
            return k  # "blasted the mayor as a disgrace Wednesday on ...", "viewed X as Y and despised them"
        if t.text == "," and nxt is not None:
            if nxt.low in _CLAUSE_BREAKS:
                return k
            if nxt.low == "and" and k + 2 < last and (tokens[k + 2].low in cues.PERSONAL_PRONOUNS or tokens[k + 2].low
                                                      in ("they", "we", "i", "it", "the") or tokens[k + 2].is_cap):
                return k
            if nxt.low == "according":
                return k
            if nxt.low == "and" and _new_statement_after(doc, k + 2, last):
                return k  # "..., and human rights groups warned that ...": another speaker's statement
        if t.text in ("—", "–") and nxt is not None and nxt.low in ("and", "but", "which", "who"):
            return k
    return last


def _new_statement_after(doc: Doc, start: int, last: int) -> bool:
    """Return True when tokens[start:] open a clause of its own with a cue verb: a short subject, then the verb."""
    tokens = doc.tokens
    if start >= last or tokens[start].low in RELATIVES or tokens[start].low == "that":
        return False  # ", and who feel ...": the same relative clause goes on
    for k in range(start + 1, min(last, start + 6)):
        t = tokens[k]
        if not t.is_word or t.low in cues.NP_STOPS:
            return False
        if not t.is_cap and t.low in cues.CUE_FORMS and not t.low.endswith("ing") and t.low not in cues.NOMINAL_CUES:
            return True
    return False
