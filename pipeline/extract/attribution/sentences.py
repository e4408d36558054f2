"""One sentence's attributions, and quotations continued after them.

Finds: every rule's candidates in a sentence in order (colon labels, verb cues, nominal cues,
"according to", polls), keeps a cue inside a fronted clause ("While he acknowledged X, Ham noted Y") to
its own clause, and extends a quoted content over the quotations that continue it without a cue of
their own, in the same sentence, the next ones, or back over unclosed paragraphs.
Leaves to others: the models (tagging) and the final Attribution (extractor).
"""

from __future__ import annotations

import bisect

from pipeline.extract import cues
from pipeline.extract.attribution.content import only_adjuncts
from pipeline.extract.attribution.document import CONNECTIVES, SUBORDINATORS, Doc, Found, trim_end
from pipeline.extract.attribution.forms import (
    according_to,
    colon_label,
    in_poll,
    nominal_cue,
    owner_before,
    proposal_cue,
    title_case,
)
from pipeline.extract.attribution.phrases import owned_noun
from pipeline.extract.attribution.quotations import QUOTE_MARKS, Quote
from pipeline.extract.attribution.verbs import verb_cue


def sentence_attributions(doc: Doc, first: int, last: int) -> list[Found]:
    """Return the attributions whose cue lies in the sentence tokens[first:last]."""
    tokens = doc.tokens
    results: list[Found] = []
    i = first
    label = colon_label(doc, first, last)
    if label is not None:
        results.append(label)
        i = label.cue[1]
    while i < last:
        tok = tokens[i]
        low = tok.low
        if not tok.is_word or doc.inside_quote(tok.start):
            i += 1
            continue
        # "Trump's proposal to ban ...", "his call for a ban", "his proposed ban": a position, owned.
        # Without an owner the word goes on to the rules below ("Trump calls for a ban": a verb).
        position_word = low in cues.PROPOSAL_NOUNS or low == "proposed"
        hit: Found | None = proposal_cue(doc, first, last, i) if position_word else None
        if hit is not None:
            pass
        elif low == "according" and i + 1 < last and tokens[i + 1].low == "to":
            hit = according_to(doc, first, last, i)
        elif low == "in" and i + 1 < last:
            hit = in_poll(doc, first, last, i)
        elif low in cues.NOMINAL_CUES and owner_before(tokens, first, i) and not owned_noun(tokens, first, i):
            # "his comments that ...": after a possessive pronoun a cue word is a noun, never a verb.
            hit = nominal_cue(doc, first, last, i)
        elif owned_noun(tokens, first, i):
            # "Moscow's claims fell apart", "the aides' briefing said": a noun after its owner, no verb.
            # A possessive statement noun is read by its form, whatever the cue model makes of the word.
            hit = nominal_cue(doc, first, last, i) if low in cues.NOMINAL_CUES else None
        elif tok.start in doc.blocked_cues:
            hit = None
        elif (low in cues.CUE_FORMS or tok.start in doc.extra_cues) and (
                not tok.is_cap or i == first or title_case(doc, first, last)):
            hit = verb_cue(doc, first, last, i, results)
        elif low in cues.NOMINAL_CUES:
            hit = nominal_cue(doc, first, last, i)
        if hit is not None:
            results.append(hit)
            i = hit.cue[1]
        else:
            i += 1
    comma = fronted_clause_comma(doc, first, last)
    for f in results:
        keep_to_own_clause(doc, f, comma, last)
    return results


_FRONTED_SUBORDINATORS = SUBORDINATORS | frozenset(("despite",))


def fronted_clause_comma(doc: Doc, first: int, last: int) -> int | None:
    """Return the comma closing a subordinate clause that opens the sentence, else None.

    "While he acknowledged funding was a reason, Ham also noted ...", "As Democratic leaders worried
    about X, President Obama is ...": a statement inside the fronted clause ends with it; the main
    clause after the comma is another statement (or none), never part of that content.
    """
    tokens = doc.tokens
    j = first
    while j < last and (not tokens[j].is_word or tokens[j].low in CONNECTIVES or tokens[j].low == "even"):
        j += 1
    if j >= last or tokens[j].low not in _FRONTED_SUBORDINATORS or doc.inside_quote(tokens[j].start):
        return None
    for k in range(j + 2, last):
        if tokens[k].text == "," and not doc.inside_quote(tokens[k].start):
            return k
    return None


def _parenthetical_cue(doc: Doc, after: int, comma: int) -> bool:
    """Return True when nothing but adjuncts follow a cue up to comma ("As X pointed out with a chart,", "as X put it,")."""
    tokens = doc.tokens
    if after < comma and tokens[after].low == "it":
        after += 1  # "As Ms. Simonyan put it in a statement,"
    if after >= comma or only_adjuncts(doc, after, comma):
        return True
    return tokens[after].low in ("with", "in", "on", "at", "during") and not any(
        t.low == "that" or t.text in QUOTE_MARKS for t in tokens[after:comma])


def keep_to_own_clause(doc: Doc, f: Found, comma: int | None, last: int) -> None:
    """Cut f's content at `comma`, which closes a fronted subordinate clause of its sentence, on the cue's side.

    A cue inside the clause keeps the content up to the comma, unless only adjuncts follow the cue
    there ("As one user pointed out with a chart, the gap is vast": the main clause is the content);
    a cue after it loses the clause from a content read before it (a passive's subject).
    The comma comes from fronted_clause_comma, asked once per sentence (None: no such clause).
    """
    if comma is None:
        return
    tokens = doc.tokens
    cut = tokens[comma].start
    if not f.content[0] < cut < f.content[1]:
        return
    if f.cue[1] <= comma:
        if not _parenthetical_cue(doc, f.cue[1], comma):
            f.content = (f.content[0], trim_end(doc, cut))
    elif comma + 1 < last:
        f.content = (tokens[comma + 1].start, f.content[1])


def extend_following_quotes(doc: Doc, per_sentence: list[list[Found]]) -> None:
    """Extend quoted contents over the quotations that continue them without a cue of their own.

    '"Q1," X said. "Q2."' and '"Q1," X said, "Q2."' are one statement in two pieces; the span
    (one contiguous Span) then runs from Q1 to the end of Q2, the cue and speaker included.
    """
    text = doc.text
    for index, group in enumerate(per_sentence):
        if not group:
            continue
        f = group[-1]
        quote = doc.quote_at(f.content[0])
        if quote is None or quote.open_start != f.content[0] or not quote.closed:
            continue
        end = f.content[1]
        first, last = doc.sentences[index]
        # A second quotation in the same sentence, after the cue.
        cue_end = doc.tokens[f.cue[1] - 1].end
        # The first quotation opening after the cue and the content, before the sentence ends.
        i = bisect.bisect_left(doc.quote_starts, max(cue_end, end + 1))
        if i < len(doc.quotes) and doc.quote_starts[i] < doc.tokens[last - 1].end:
            end = doc.quotes[i].close_end
        following = index + 1
        while following < len(per_sentence) and not per_sentence[following]:
            nfirst, nlast = doc.sentences[following]
            start_tok = doc.tokens[nfirst]
            if "\n" in text[end:start_tok.start] or start_tok.text not in QUOTE_MARKS:
                break
            nq = doc.quote_at(start_tok.start)
            if nq is None or nq.open_start != start_tok.start:
                break
            end = nq.close_end if nq.closed else nq.end
            following += 1
        if end != f.content[1]:
            f.content = (f.content[0], end)


def extend_paragraph_quotes(doc: Doc, found: list[Found]) -> list[Found]:
    """Return found with direct quotes extended back over an unclosed quote in the paragraph before."""
    for f in found:
        quote = doc.quote_at(f.content[0])
        if quote is None or not f.trailing:
            continue
        opening = _unclosed_quote_before(doc, quote)
        if opening is None:
            continue
        # Follow a chain of unclosed paragraphs back to where the quotation opened.
        while (earlier := _unclosed_quote_before(doc, opening)) is not None:
            opening = earlier
        f.content = (opening.start, f.content[1])
    return found


def _unclosed_quote_before(doc: Doc, quote: Quote) -> Quote | None:
    """Return the unclosed quotation that ends the paragraph before quote's, when quote opens its paragraph."""
    para_start = doc.line_start(quote.open_start)
    if not doc.blank_between(para_start, quote.open_start):
        return None
    prev_end = para_start - 1
    while prev_end > 0 and doc.text[prev_end - 1].isspace():
        prev_end -= 1
    previous = doc.quote_at(prev_end - 1) if prev_end > 0 else None
    return previous if previous is not None and not previous.closed else None
