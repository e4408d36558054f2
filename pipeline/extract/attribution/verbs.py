"""Verb cues: a speech, communication or belief verb tied to its speaker and content.

Finds: SPEAKER [aux/adverbs] CUE [addressee] [that|:] CONTENT, "<quote>," SPEAKER CUE and its
inverted form "<quote>," CUE SPEAKER, CONTENT, SPEAKER CUE, passives with an agent ("was first
reported by X"), a tell-like cue's addressee ("told reporters after the meeting"), and
"..., adding that" with the speaker carried over.
Leaves to others: cues that are not verbs (forms), sentence-level choices (sentences).
"""

from __future__ import annotations

from pipeline.extract import cues
from pipeline.extract.attribution.content import (
    content_after,
    content_before,
    has_clause_marker,
    only_adjuncts,
    opens_mid_sentence,
    quote_first,
)
from pipeline.extract.attribution.document import (
    DASHES,
    IRREGULAR_PAST,
    QUANTIFIERS,
    SUBORDINATORS,
    Doc,
    Found,
    trim_end,
)
from pipeline.extract.attribution.phrases import (
    adjective_like,
    describes_document,
    np_forward,
    sentence_subject,
    speaker_before,
    went_on_to,
)
from pipeline.extract.attribution.quotations import CLOSING_MARKS, OPEN_QUOTES, QUOTE_MARKS


def verb_cue(doc: Doc, first: int, last: int, i: int, previous: list[Found]) -> Found | None:
    """Return the attribution of a cue verb at token i, or None when it is not used as a cue."""
    tokens = doc.tokens
    low = tokens[i].low
    lemma = cues.CUE_FORMS.get(low) or _stem(low)
    cue_end = i + 1
    # Particles that belong to the cue ("pointed out", "called for").
    if cue_end < last and (lemma, tokens[cue_end].low) in {("point", "out"), ("point", "to"), ("call", "for"),
                                                              ("call", "on"), ("speak", "of")}:
        cue_end += 1
    prev = i - 1
    prev_low = tokens[prev].low if prev >= first else ""
    is_base = low == lemma or low == lemma + "s" or low == lemma + "es"
    is_ing = low.endswith("ing") and low != lemma
    # "A GAO report released last year found", "a speech titled": a participle after the document it
    # describes modifies it; the sentence's own verb is the cue.
    if describes_document(tokens, i):
        return None
    if prev_low == "having" and i + 2 < last and tokens[i + 1].low in ("that", "this") and tokens[i + 2].text == ",":
        return None  # "Having said that, ...": a connective, not a statement
    # "the reported deal", "a claim", "to say": nouns, adjectives and infinitives are not cues.
    if prev_low in cues.DETERMINERS or (prev_low in ("to", "of", "for", "in", "on", "with") and not went_on_to(tokens, prev, first)):
        return None
    # Passives ("was told", "is said to") have no speaker in subject position; with "by X" the
    # agent is the speaker and the subject the content ("The story was first reported by the Post").
    be = prev
    while be >= first and tokens[be].low in cues.AUXILIARIES and tokens[be].low not in BE_FORMS:
        be -= 1
    if be >= first and tokens[be].low in BE_FORMS and not is_ing:
        return _passive_by(doc, first, last, i, cue_end, be)
    # "Berg told reporters" (tell): the addressee is skipped before the content.
    after = _skip_addressee(doc, cue_end, last, lemma)
    inverted = _inverted_trailing(doc, first, last, i, after)
    if inverted is not None:
        return inverted
    coordinated = prev_low in ("and", "but") or (is_ing and prev_low == ",")
    speaker = None if coordinated and previous else speaker_before(doc, first, i)
    if speaker is not None and is_ing and speaker[0] > first and tokens[speaker[0] - 1].low in _OBJECT_PREPOSITIONS \
            and not (tokens[speaker[0] - 1].low in ("with", "by") and tokens[speaker[0]].is_cap):
        # "at a news conference announcing that", "a letter to Senate leaders opposing": the participle
        # describes the object of a preposition, which is not the speaker. "with Trump calling for a ban"
        # (a name after "with") and "statements made by Donald Trump calling for a ban" (the agent named
        # after "by") are the participle's subject.
        speaker = None
    # "avoided taking her", "made questioning": a participle right after a past verb is that verb's
    # complement inside the content, not the previous speaker going on.
    complement_ing = is_ing and (prev_low.endswith("ed") or prev_low in IRREGULAR_PAST or prev_low in _ING_PREPOSITIONS)
    if speaker is None and (is_ing and not complement_ing or prev_low in ("and", ",", "but")) and previous:
        # "..., adding that ...", "... and said ...": the previous speaker goes on.
        # A participle ("..., adding that") belongs to the main clause; "and said" to the last cue.
        prior = previous[0] if is_ing else previous[-1]
        connector = prev if prev_low in ("and", ",", "but") else i
        cut = tokens[connector].start
        for earlier in previous:
            if earlier.content[0] < cut < earlier.content[1]:
                earlier.content = (earlier.content[0], trim_end(doc, cut))
        content = content_after(doc, after, last, lemma)
        if content is None:
            return None
        return Found(prior.speaker, (i, cue_end), content, kind="coordinated")
    if speaker is None and is_ing and prev_low == ",":
        subject = sentence_subject(doc, first, i)
        content = content_after(doc, after, last, lemma)
        if subject is None or content is None:
            return None
        return Found(subject, (i, cue_end), content, kind="participle")
    if speaker is None:
        return None
    if is_base and low != lemma and adjective_like(prev_low) and not tokens[i - 1].is_cap:
        return None  # "recent reports", "political claims": nouns
    if is_base and low == lemma and lemma not in ("say", "tell", "think", "believe", "know", "hope", "fear",
                                                   "expect", "want", "argue", "insist", "claim", "deny", "warn"):
        # Base forms double as nouns ("the report", "a call"): require a pronoun or plural subject.
        sp_low = tokens[speaker[1] - 1].low
        if sp_low not in cues.OTHER_PRONOUNS and not sp_low.endswith("s") and tokens[i - 1].low not in cues.AUXILIARIES:
            return None
    trailing = _trailing(doc, first, last, speaker, after)
    if trailing is not None:
        return Found(speaker, (i, cue_end), trailing, trailing=True, kind="trailing")
    if lemma in cues.COGNITION_VERBS and not has_clause_marker(doc, after, last) and doc.cue_probs.get(i, 0.0) < 0.5:
        return None
    content = content_after(doc, after, last, lemma)
    if content is None:
        return None
    return Found(speaker, (i, cue_end), content, kind="complement")


def _stem(word: str) -> str:
    """Return a crude lemma of a verb form outside the cue lexicon ("wants" -> "want")."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


BE_FORMS = frozenset("is was were are been being be".split())
_OBJECT_PREPOSITIONS = frozenset("at in on to with through from for by into about after before during under over".split())
# "defined these areas by adding ...": a participle after these prepositions is an adjunct of the content.
_ING_PREPOSITIONS = frozenset("by from without about at".split())


def _passive_by(doc: Doc, first: int, last: int, i: int, cue_end: int, be: int) -> Found | None:
    """Return 'CONTENT was reported by SPEAKER' attributions, else None."""
    tokens = doc.tokens
    j = cue_end
    while j < last and j - cue_end < 4 and tokens[j].low != "by":
        if not tokens[j].is_word:
            return None
        j += 1
    if j >= last or tokens[j].low != "by":
        return None
    speaker = np_forward(doc, j + 1, last, apposition=False)
    if speaker is None:
        return None
    while be > first and tokens[be - 1].low in cues.AUXILIARIES:
        be -= 1
    content = content_before(doc, first, be)
    if content is None:
        return None
    return Found(speaker, (i, cue_end), content, kind="passive")


_ADDRESSEE_ENDS = (SUBORDINATORS | cues.TIME_WORDS | frozenset(("during", "following", "outside", "inside"))) - {"this", "once"}


def _skip_addressee(doc: Doc, start: int, last: int, lemma: str) -> int:
    """Return the token index after an addressee of tell-like cues ("told reporters")."""
    tokens = doc.tokens
    if lemma not in ("tell", "assure", "inform", "remind", "warn", "brief", "ask", "urge"):
        return start
    j = start
    limit = min(last, start + 5)
    while j < limit:
        t = tokens[j]
        if t.low in ("that", ":", ",", "of", "about", "in", "on", "at", "to", ".") or t.text in QUOTE_MARKS \
                or t.low in _ADDRESSEE_ENDS:
            break  # "told reporters after the meeting": an adjunct, not more of the addressee
        if t.low in cues.CUE_FORMS and not t.is_cap:
            break  # a verb ends the addressee; "The Huffington Post" does not
        j += 1
    if lemma in ("urge", "warn", "ask") and (j >= last or tokens[j].low not in ("that", ":")):
        return start  # "urged the board to halt ...": the object is part of the content
    return j


def _inverted_trailing(doc: Doc, first: int, last: int, i: int, after: int) -> Found | None:
    """Return '"<quote>," said X' or 'CONTENT, said X' attributions, else None."""
    tokens = doc.tokens
    if i - 1 < first:
        return None
    boundary = tokens[i - 1]
    if not (boundary.text in (",",) or boundary.text in CLOSING_MARKS):
        return None
    speaker = np_forward(doc, i + 1, last, clause_tail=True)
    if speaker is None:
        return None
    sp_tok = tokens[speaker[0]]
    if sp_tok.low in ("that", "it", "me", "us", "them", "him", "her", "you", "this") or (
            not sp_tok.is_cap and sp_tok.low not in ("the", "a", "an", "he", "she", "they", "another", "several", "some",
                                                     "many", "other", "two", "three") and sp_tok.low not in QUANTIFIERS
            and not sp_tok.text[:1].isdigit()):
        return None
    if cues.CUE_FORMS.get(tokens[i].low) in ("tell", "inform", "assure", "remind", "urge", "brief"):
        return None
    after_quote = boundary.text in CLOSING_MARKS
    # '"...," suggesting the debate erased all memory of ...': a participle after a quotation takes a
    # clause; only '"...," saying Mr. X.' with nothing but adjuncts after the name is an inverted speaker.
    participle = tokens[i].low.endswith("ing")
    if participle and not after_quote and i - 2 >= first and tokens[i - 2].low in cues.CUE_FORMS:
        return None  # '"...," she said, citing the latest figures': the participle goes on from "she said"
    if not after_quote and not only_adjuncts(doc, speaker[1], last):
        return None
    if participle and (not only_adjuncts(doc, speaker[1], last) or any(
            not t.is_cap and t.low.endswith("ed") and len(t.low) > 4 for t in tokens[speaker[0]:speaker[1]])
            or not sp_tok.is_cap and speaker[1] - speaker[0] > 6):
        return None
    if not after_quote:
        # "Anna Berg, the minister's deputy, noted the rule": the comma closes an apposition.
        subject = speaker_before(doc, first, i)
        if subject is not None and subject[0] <= first + 1:
            return None
    if after_quote and speaker[1] < last and (doc.tokens[speaker[1]].low == "that" or doc.tokens[speaker[1]].text in (":",) + tuple(OPEN_QUOTES)):
        return None
    content = content_before(doc, quote_first(doc, first, i - 1), i - 1)
    if content is None:
        return None
    return Found(speaker, (i, i + 1), content, trailing=True, kind="inverted")


def _trailing(doc: Doc, first: int, last: int, speaker: tuple[int, int], after: int) -> tuple[int, int] | None:
    """Return the content offsets of 'CONTENT, SPEAKER CUE [adjunct].', else None."""
    tokens = doc.tokens
    b = speaker[0] - 1
    if b < first:
        return None
    boundary = tokens[b]
    if boundary.text not in (",", ":") and boundary.text not in CLOSING_MARKS | DASHES:
        return None
    after_quote = boundary.text in CLOSING_MARKS
    content_first = quote_first(doc, first, b)
    if after_quote:
        if after < last and (tokens[after].low == "that" or tokens[after].text == ":" or tokens[after].text in OPEN_QUOTES):
            return None
        if opens_mid_sentence(doc, first, content_first) and tokens[content_first - 1].text != ":":
            # (After a colon the quotation is announced, 'McCaskill scolded him: "...," she said': its own content.)
            if not only_adjuncts(doc, after, last):
                return None  # 'In an interview on "Face the Nation," Ryan said the ...': a title, not his words
            content_first = first  # 'The loopholes he cited are "...," The Hill reported': the whole sentence
    elif not only_adjuncts(doc, after, last):
        return None
    return content_before(doc, content_first, b)
