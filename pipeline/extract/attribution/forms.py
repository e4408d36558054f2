"""Attributions read by their form rather than by a verb.

Finds: "according to SPEAKER" (before or after its content, with an apposition), polls and surveys
("a Gallup poll last week found"), "SPEAKER: content" line labels and headline colons (metadata labels
such as "Published:" are no speakers), '"<quote>" ― Name' signatures, and possessive nominal cues
("Tehran's statements struck down ...", "the ministry's statement denied").
Leaves to others: verb cues (verbs), the models' veto on rule candidates (tagging).
"""

from __future__ import annotations

import bisect

from pipeline.extract import cues
from pipeline.extract.attribution.content import content_after, content_before
from pipeline.extract.attribution.document import CONNECTIVES, DASHES, RELATIVES, SUBORDINATORS, Doc, Found, trim_end
from pipeline.extract.attribution.phrases import np_forward, opening_apposition, possessive_before, verb_follows
from pipeline.extract.attribution.quotations import QUOTE_MARKS, end_of_paragraph, run_end
from pipeline.extract.attribution.verbs import BE_FORMS

_NOT_SPEAKER_LABELS = frozenset("""
related update updated note photo photos video watch read source sources credit tags tag category
categories description date image caption editor editors read more see also listen warning correction
disclosure advertisement transcript summary background q a question answer subscribe follow
published posted modified author authors byline by filed dateline location section topics keywords
headline title subject from to cc url link email contact length words reporting writing edited contributor
""".split())


def colon_label(doc: Doc, first: int, last: int) -> Found | None:
    """Return 'SPEAKER: content' at the start of a line (headlines, transcripts), else None."""
    tokens = doc.tokens
    j = first
    if j < last and tokens[j].text in QUOTE_MARKS:
        j += 1
    k = j
    while k < last and k - j < 4 and (tokens[k].is_cap and tokens[k].is_word and tokens[k].low not in ("and", "of", "the", "in")
                                      or tokens[k].text == "."
                                      or tokens[k].text in ("’s", "'s")):
        k += 1
    if k == j or k >= last - 1 or tokens[k].text != ":":
        # No short label before a colon: on a text's first line, a longer headline label may still be one.
        return _headline_label(doc, first, last, j) if doc.opens_text(first) else None
    if "\n" in doc.text[tokens[j].start:tokens[k].start]:
        return None
    if any(t.low.rstrip(".") in _NOT_SPEAKER_LABELS for t in tokens[j:k]) or tokens[k - 1].text[:1].isdigit():
        return None
    para_end = run_end(doc.text, tokens[k].end, end_of_paragraph(doc.text, tokens[k].end))
    c = k + 1
    if c >= len(tokens) or tokens[c].start >= para_end:
        return None
    end = trim_end(doc, para_end)
    if end - tokens[c].start < 8:
        return None
    return Found((j, k), (k, k + 1), (tokens[c].start, end), kind="colon")


def _headline_label(doc: Doc, first: int, last: int, j: int) -> Found | None:
    """Return the headline form 'A lesson from NAME: "quote"' / 'NAME Hammers X: "quote"' on a text's first line.

    The source is the name after a last "from" before the colon, else all of it; the content after the
    colon must be a quotation.
    """
    tokens = doc.tokens
    k = j
    while k < last and k - j <= 8 and tokens[k].text != ":":
        if not (tokens[k].is_word or tokens[k].text in (".", "’s", "'s", "-")) or "\n" in doc.text[tokens[j].start:tokens[k].end]:
            return None
        k += 1
    if k >= last - 1 or tokens[k].text != ":" or k - j < 2:
        return None
    c = k + 1
    if tokens[c].text not in QUOTE_MARKS and tokens[c].text != "'":
        return None
    start = j
    for m in range(k - 1, j, -1):
        if tokens[m].low == "from":
            start = m + 1
            break
    if start == j and not title_case(doc, j, k) or start > j and not all(t.is_cap for t in tokens[start:k] if t.is_word):
        return None
    if start >= k or any(t.low.rstrip(".") in _NOT_SPEAKER_LABELS for t in tokens[start:k]):
        return None
    para_end = run_end(doc.text, tokens[k].end, end_of_paragraph(doc.text, tokens[k].end))
    end = trim_end(doc, para_end)
    if end - tokens[c].start < 8:
        return None
    return Found((start, k), (k, k + 1), (tokens[c].start, end), kind="headline")


def dash_signatures(doc: Doc) -> list[Found]:
    """Return '"<quote>" ― Name' attributions (a quotation signed after a dash at line end)."""
    found = []
    tokens = doc.tokens
    for q in doc.quotes:
        if not q.closed:
            continue
        i = bisect.bisect_left(doc.tok_starts, q.close_end)
        if i >= len(tokens) or tokens[i].text not in ("―", "—", "–", "-", "--"):
            continue
        line_end = end_of_paragraph(doc.text, tokens[i].end)
        j = i + 1
        k = j
        while k < len(tokens) and tokens[k].start < line_end and (tokens[k].is_word and tokens[k].is_cap or tokens[k].text == "."):
            k += 1
        if k == j or k - j > 5 or doc.text[tokens[k - 1].end:line_end].strip(" .\u00a0"):
            continue
        found.append(Found((j, k), (i, i + 1), (q.open_start, q.close_end), kind="signature"))
    return found


def title_case(doc: Doc, first: int, last: int) -> bool:
    """Return True for a headline-style line where most longer words are capitalised."""
    words = [t for t in doc.tokens[first:last] if t.is_word and len(t.text) > 3]
    return bool(words) and sum(t.is_cap for t in words) >= 0.7 * len(words)


_OWNER_PRONOUNS = frozenset(("his", "her", "their", "its", "our", "my"))


def owner_before(tokens, first: int, i: int) -> bool:
    """Return True when tokens[i] follows its owner: a possessive ("Trump's", "aides'") or "his", "their"."""
    return i - 1 >= first and (tokens[i - 1].low in _OWNER_PRONOUNS or possessive_before(tokens, first, i))


def _owner_span(tokens, first: int, i: int, honorific: bool = True) -> tuple[int, int]:
    """Return the token range of the owner before tokens[i]: "his", "Mr. Trump's", "the aides'".

    honorific: reach back over "Mr." and "Mrs." (their period is a token of its own), which tell two
    Clintons apart; nominal_cue's owners have never done so, and its figures were measured without it.
    """
    owner = tokens[i - 1]
    if owner.low in _OWNER_PRONOUNS:
        return i - 1, i
    sp_start = i - 1 if owner.is_word else i - 2
    while sp_start - 1 >= first and (tokens[sp_start - 1].is_word and (
            tokens[sp_start - 1].is_cap or tokens[sp_start - 1].low in ("the", "a", "an"))
            or honorific and tokens[sp_start - 1].text == "." and sp_start - 2 >= first
            and tokens[sp_start - 2].is_cap):
        sp_start -= 1
        if tokens[sp_start].low in ("the", "a", "an"):
            break
    return sp_start, i


def nominal_cue(doc: Doc, first: int, last: int, i: int) -> Found | None:
    """Return "X's statements <content>" attributions with a possessive speaker, else None."""
    tokens = doc.tokens
    if not owner_before(tokens, first, i):
        return None
    sp_start, sp_end = _owner_span(tokens, first, i, honorific=False)
    j = i + 1
    if j < last and tokens[j].low == "that":
        j += 1
    elif j < last and not verb_follows(tokens, j):
        return None
    k = j
    while k < last and tokens[k].low in cues.AUXILIARIES:
        k += 1
    passive = any(t.low in BE_FORMS for t in tokens[j:k])
    if k < last and tokens[k].low in cues.CUE_FORMS and not passive:
        return None  # "The ministry's statement denied any role": the verb is the cue, the phrase its speaker
    content = content_after(doc, j, last, "say")
    if content is None:
        return None
    return Found((sp_start, sp_end), (i, i + 1), content, kind="nominal")


def proposal_cue(doc: Doc, first: int, last: int, i: int) -> Found | None:
    """Return "X's proposal to <verb>", "his call for <noun phrase>", "her pledge that ...", "his proposed <noun>".

    A position credited to its owner by a noun: "Mr. Trump's plan to bar Muslims from entering the
    country", "his call for a total and complete ban", "Trump's proposed ban on Muslims". The content is
    what is proposed (the infinitive, the "for" phrase, the clause, or the noun phrase after "proposed"),
    up to the end of its clause. Only with an owner: "a proposal to ..." names no one.
    """
    tokens = doc.tokens
    low = tokens[i].low
    # "Trump's aides proposed banning ...": a verb whose subject ends in a noun; "proposed" is read as an
    # adjective right after its owner only.
    owned = (i if owner_before(tokens, first, i) else None) if low == "proposed" else _owned_at(tokens, first, i)
    if owned is None or i + 1 >= last:
        return None
    sp_start, sp_end = _owner_span(tokens, first, owned)
    nxt = tokens[i + 1]
    if low == "proposed":
        if not (nxt.is_word and nxt.low not in cues.DETERMINERS and nxt.low not in ("to", "that", "by")):
            return None
        start = i + 1
    elif nxt.low == "that" and low not in ("plan", "plans", "call", "calls", "idea", "ideas"):
        start = i + 2  # "her pledge that ...": "his plan that won" is a relative clause
    elif nxt.low == "to" and i + 2 < last and tokens[i + 2].is_word and not tokens[i + 2].is_cap \
            and tokens[i + 2].low not in cues.DETERMINERS and not tokens[i + 2].low.endswith(("ing", "ed")):
        start = i + 2  # "to ban", not "to the president", "to Congress", "to voting"
    elif nxt.low == "for" and low in ("call", "calls", "demand", "demands", "plan", "plans", "proposal", "proposals"):
        start = i + 2
    else:
        return None
    if start >= last:
        return None
    content = content_after(doc, start, last, "propose")
    if content is None or content[1] <= content[0]:
        return None
    return Found((sp_start, sp_end), (i, i + 1), content, kind="nominal")


_NOT_MODIFIERS = cues.DETERMINERS | cues.AUXILIARY_VERBS | cues.ADJUNCT_STARTS | frozenset(
    "for with against of and or but than".split())


def _owned_at(tokens, first: int, i: int) -> int | None:
    """Return the index right after the owner of tokens[i], two modifiers allowed ("Trump's controversial plan")."""
    for k in (i, i - 1, i - 2):
        if k < i and not (tokens[k].is_word and not tokens[k].is_cap and tokens[k].low not in _NOT_MODIFIERS):
            return None
        if owner_before(tokens, first, k):
            return k
    return None


def according_to(doc: Doc, first: int, last: int, i: int) -> Found | None:
    """Return 'according to X' attributions with content on the other side of the phrase."""
    tokens = doc.tokens
    at_start = i == first or (tokens[i - 1].low in CONNECTIVES and i - 1 == first)
    speaker = np_forward(doc, i + 2, last, apposition=not at_start)
    if speaker is None:
        return None
    if at_start:
        speaker = opening_apposition(doc, speaker, last)
        j = speaker[1]
        while j < last and not tokens[j].is_word:
            j += 1
        if j >= last:
            return None
        content = (tokens[j].start, trim_end(doc, tokens[last - 1].end))
    else:
        b = i - 1
        while b > first and tokens[b].text in (",", "(", "—", "–"):
            b -= 1
        content = content_before(doc, first, b + 1)
        if content is None:
            return None
    if content[1] <= content[0]:
        return None
    return Found(speaker, (i, i + 2), content, kind="according")


_POLL_WORDS = frozenset("poll polls survey surveys".split())
# After the poll word, the words that go on describing the poll ("released Monday", "of 800 likely voters").
_POLL_MODIFIERS = frozenset("released conducted taken published last this of from by in".split())
_POLL_PARTICIPLES = frozenset("released conducted taken published".split())
_CLAUSE_OPENERS = SUBORDINATORS | frozenset("despite with without amid given".split())


def in_poll(doc: Doc, first: int, last: int, i: int) -> Found | None:
    """Return 'In a CNN poll, X leads' / 'X leads in the latest polls' attributions (the poll is the source).

    PolNeAR annotates the poll a finding is reported "in" as its source, with the clause on the other
    side of the phrase as content. The poll noun phrase must end in poll(s)/survey(s) within a few words.
    """
    tokens = doc.tokens
    at_start = i == first or (tokens[i - 1].low in CONNECTIVES and i - 1 == first)
    head = None
    for k in range(i + 1, min(last, i + 12)):
        t = tokens[k]
        if t.low in _POLL_WORDS:
            head = k
            break
        if not (t.is_word or t.text in ("/", "-", "’", "'", "&")) or t.low in RELATIVES or t.low in ("that", "in", "to"):
            return None
    if head is None:
        return None
    end = head + 1
    if end < last and tokens[end].low in _POLL_MODIFIERS:
        while end < last and tokens[end].text not in (",", ";", ".", ":") and tokens[end].text not in DASHES \
                and end - head <= 10:
            end += 1
    if at_start and end + 1 < last and tokens[end].text == "," and tokens[end + 1].low in _POLL_PARTICIPLES:
        k = end + 1  # "In the last poll, conducted in early September, ...": the participle describes the poll
        while k < last and tokens[k].text != ",":
            k += 1
        if k < last:
            end = k
    speaker = (i + 1, end)
    if at_start:
        j = end
        while j < last and not tokens[j].is_word:
            j += 1
        if j >= last or tokens[end].text != ",":
            return None
        content = (tokens[j].start, trim_end(doc, tokens[last - 1].end))
    else:
        start = first
        if tokens[first].low in _CLAUSE_OPENERS:
            # "Despite X, she did not receive a bump in the polls": the finding is the main clause
            commas = [k for k in range(first, i) if tokens[k].text == ","]
            if commas:
                start = commas[-1] + 1
        content = content_before(doc, start, i)
        if content is None:
            return None
    if content[1] <= content[0]:
        return None
    return Found(speaker, (i, i + 1), content, kind="poll")
