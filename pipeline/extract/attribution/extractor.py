"""Who said what in one text: the whole extraction run, and the Attribution built for each find.

The extractor works on one text at a time and needs no model: quotations are paired first
(straight, curly, doubled apostrophes, unbalanced ones run to the end of their paragraph), then
sentences are cut outside quotations, then each cue (a speech or belief verb, "according to", a
possessive nominal such as "X's statements") is tied to a speaker noun phrase and a content span
by the surface forms news uses:

    "<quote>," SPEAKER CUE [adjunct].          "<quote>," CUE SPEAKER [adjunct].
    CONTENT, SPEAKER CUE [adjunct].            SPEAKER [aux/adverbs] CUE [addressee] [that|:] CONTENT
    According to SPEAKER, CONTENT.             CONTENT, according to SPEAKER.
    SPEAKER's statements CONTENT.              ..., adding/warning that CONTENT  (speaker carried over)

Also: "SPEAKER: content" line labels (transcripts, headlines), '"<quote>" ― Name' signatures,
passives with an agent ("was first reported by X"), quotations continued after the cue or over
paragraphs without a closing mark (one contiguous content span from the first quotation to the last).

Cues come from a lexicon (pipeline.extract.cues) and, when its weights are present, from a linear cue tagger
trained on PolNeAR train (pipeline.extract.attribution.lexical_models): it proposes cue words outside the lexicon
("wants", "plans") and vetoes lexicon words used otherwise; a linear ranker trained on the same data
then keeps the candidates likely to be real attributions, and a role tagger (a linear-chain CRF over
the cue's sentence, python-crfsuite) re-draws each speaker's extent the way PolNeAR marks sources.
extract_attributions(text, use_model=False) is the pure-rule path. scope="statements" (default, the
product) keeps speech, communication and belief cues; scope="polnear" (the evaluation) also keeps
PolNeAR's intentions and perceptions, adds role-tagger attributions for cue words no rule read (the
cue words chosen by a cue sequence tagger, a second CRF over each sentence), and
keeps the outermost of nested statements as PolNeAR's annotators do. numpy, scikit-learn's feature
hasher and python-crfsuite (optional: without it the rules draw speakers); no torch.

Speakers are then resolved inside the text: surnames to the full name seen before, he/she to the
most recent person of a compatible gender (first-name gender from the optional gender-guesser
package), definite role nouns ("the agency director", "the top Swedish diplomat") to the most recent
person whose role fits. Place names stay as written; the parties stage maps metonyms.

This module runs the stages in order (quotations and sentences, people, each sentence's rules, the
models' hand-off, quotations continued) and builds each result: speaker edges trimmed, direct or
reported, certainty from hedges, the speaker resolved through the people of the text. What each stage
finds is said at the top of its own module.
"""

from __future__ import annotations

from pipeline.extract import cues
from pipeline.extract.attribution.document import Doc, Found, trim_end
from pipeline.extract.attribution.forms import dash_signatures
from pipeline.extract.attribution.people import People, resolve, scan_people
from pipeline.extract.attribution.quotations import Tok
from pipeline.extract.attribution.sentences import (
    extend_following_quotes,
    extend_paragraph_quotes,
    sentence_attributions,
)
from pipeline.extract.attribution.tagging import (
    CUE_ADD_THRESHOLD,
    CUE_DROP_THRESHOLD,
    PASSIVE_RANK_THRESHOLD,
    RANK_THRESHOLD,
    RANKED_CUE_ADD_THRESHOLD,
    RANKED_CUE_DROP_THRESHOLD,
    add_tagged,
    encoder_agrees,
    is_statement_cue,
    model_cue_sets,
    tag_speakers,
)
from pipeline.models import Attribution, Span

SCOPES = ("statements", "polnear")


def extract_attributions(text: str, use_model: bool = True, scope: str = "statements") -> list[Attribution]:
    """Return the attributions in text (speaker, cue, content, directness, certainty) in text order.

    With use_model (default) the trained models, when their files are present, take part: the cue
    tagger adds cues outside the lexicon and drops lexicon words used otherwise, the ranker keeps the
    likely candidates and the role tagger (a CRF trained on PolNeAR) marks each cue's source span.
    scope "statements" (the product) keeps speech, communication and belief cues only; scope
    "polnear" also keeps what PolNeAR annotates as attribution (intentions, plans, perceptions:
    "wants", "aimed", "seeks") and adds role-tagger attributions for cue words no rule understood.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    return _extract(text, use_model=use_model, scope=scope)


def find_candidates(text: str, use_model: bool, add: float, drop: float, cue_model=None,
                extra_cues: set[int] | None = None, blocked_cues: set[int] | None = None):
    """Return (parsed document, people, candidate attributions) before any ranking."""
    doc = Doc(text)
    doc.extra_cues = set(extra_cues or ())
    doc.blocked_cues = set(blocked_cues or ())
    if use_model:
        extra, blocked = model_cue_sets(doc, add, drop, cue_model)
        doc.extra_cues |= extra
        doc.blocked_cues |= blocked
    people = scan_people(doc)
    per_sentence = [sentence_attributions(doc, first, last) for first, last in doc.sentences]
    extend_following_quotes(doc, per_sentence)
    found = [f for group in per_sentence for f in group]
    signed = dash_signatures(doc)
    if signed:
        taken = {f.content[0] for f in found}
        found = sorted(found + [f for f in signed if f.content[0] not in taken], key=lambda f: f.cue[0])
    found = extend_paragraph_quotes(doc, found)
    return doc, people, found


def _extract(text: str, extra_cues: set[int] | None = None, blocked_cues: set[int] | None = None,
             use_model: bool = False, add: float | None = None, drop: float | None = None,
             rank_threshold: float | None = None, scope: str = "polnear") -> list[Attribution]:
    """Return attributions; with use_model the cue tagger proposes cues and the ranker keeps the likely ones."""
    if not text or not text.strip():
        return []
    from pipeline.extract.attribution import encoders, lexical_models

    ranked = use_model and lexical_models.ranker_available()
    if add is None:
        add = RANKED_CUE_ADD_THRESHOLD if ranked else CUE_ADD_THRESHOLD
    if drop is None:
        drop = RANKED_CUE_DROP_THRESHOLD if ranked else CUE_DROP_THRESHOLD
    doc, people, found = find_candidates(text, use_model, add, drop, None, extra_cues, blocked_cues)
    if ranked and found:
        threshold = RANK_THRESHOLD if rank_threshold is None else rank_threshold
        scores = lexical_models.rank_scores(doc, found)
        found = [f for f, score in zip(found, scores)
                 if score >= threshold or f.kind in ("poll", "headline", "nominal")
                 or f.kind == "passive" and score >= PASSIVE_RANK_THRESHOLD]
    if scope == "statements":
        found = [f for f in found if is_statement_cue(doc, f)]
    if use_model and lexical_models.role_tagger_available():
        tag_speakers(doc, found, keep_clauses=scope == "polnear")
    if scope == "polnear":
        if use_model:
            doc.encoded_cue_probs = encoders.cue_probabilities(doc)
            found = encoder_agrees(doc, found)
        found = _outermost(doc, found)
        if use_model and lexical_models.role_tagger_available():
            found = add_tagged(doc, found)
        for f in found:
            if f.cue[1] - f.cue[0] == 1 and (doc.tokens[f.cue[0]].low in _RAISING_VERBS or _naming_participle(doc, f.cue[0])):
                f.speaker = None
    return [a for a in (_build(doc, people, f) for f in found) if a is not None]


# "No major polls appear to have been conducted", "Trump's supporters seemed unperturbed": PolNeAR reads
# the subject of a raising verb as part of what is perceived, an attribution without a source.
_RAISING_VERBS = frozenset("appear appears appeared appearing seem seems seemed seeming".split())
_HAVE_FORMS = frozenset("have has had having".split())


def _naming_participle(doc: Doc, i: int) -> bool:
    """Return True for "X, known as Y", "a state known for", "a book titled": the noun before is what is named.

    PolNeAR reads these as attributions without a source ("known" after a form of "have" is a verb of
    its own: "Trump had known him").
    """
    low = doc.tokens[i].low
    if low in ("titled", "entitled"):
        return True
    before = doc.tokens[i - 1].low if i > 0 else ""
    return low == "known" and not (before in _HAVE_FORMS or before.endswith(("'ve", "’ve")))


def _outermost(doc: Doc, found: list[Found]) -> list[Found]:
    """Return found without the attributions whose cue lies inside another one's content.

    PolNeAR's annotators mostly mark the outer statement only ("he said witnesses saw a gun"); the
    product keeps embedded statements, which are claims of their own ("X said Y denied Z").
    """
    def inside(f: Found, g: Found) -> bool:
        return g is not f and g.content[0] <= doc.tokens[f.cue[0]].start < g.content[1]

    # Two contents that hold each other's cue ('he cited are "...," The Hill reported'): the trailing
    # cue closes the sentence and is the outer statement.
    return [f for f in found if not any(inside(f, g) and not (f.trailing and not g.trailing and inside(g, f))
                                        for g in found)]


def _build(doc: Doc, people: People, f: Found) -> Attribution | None:
    """Return the Attribution for a found triple, with direct/certainty and resolved speaker."""
    text = doc.text
    tokens = doc.tokens
    c_start, c_end = f.content
    direct = False
    q = doc.quote_at(c_start)
    if q is not None and c_start in (q.open_start, q.start):
        c_start = q.open_start
        close = q.close_end if q.closed else q.end
        last_quote = doc.quote_at(max(c_start, c_end - 1))
        if trim_end(doc, close) >= c_end - 1 or c_end <= close:
            direct = True
            c_start = q.start
            c_end = min(c_end, q.end) if q.closed else c_end
        elif last_quote is not None and c_end >= trim_end(doc, last_quote.close_end if last_quote.closed else last_quote.end) \
                and _short_gaps(doc, c_start, c_end):
            # Several quotations of one speaker ('"Q1," X said. "Q2."'): direct, outer marks dropped.
            direct = True
            c_start = q.start
            c_end = last_quote.end
    while c_end > c_start and (text[c_end - 1] in ".,;:!? " or text[c_end - 1] in "”\"’'") and (direct or text[c_end - 1] not in "”\"’'" or not _has_open_quote(text, c_start, c_end)):
        if text[c_end - 1] in "”\"’'" and not direct:
            break
        c_end -= 1
    if c_end <= c_start:
        return None
    cue_tokens = tokens[f.cue[0]:f.cue[1]]
    cue = Span(text=text[cue_tokens[0].start:cue_tokens[-1].end], start=cue_tokens[0].start, end=cue_tokens[-1].end)
    speaker_span = None
    name = role = None
    speaker = _trim_speaker_edges(doc, f.speaker) if f.speaker is not None else None
    if speaker is not None and speaker[1] - speaker[0] == 1 and _cannot_speak(tokens[speaker[0]]):
        speaker = None
    if speaker is not None:
        s_tokens = tokens[speaker[0]:speaker[1]]
        s, e = s_tokens[0].start, s_tokens[-1].end
        speaker_span = Span(text=text[s:e], start=s, end=e)
        name, role = resolve(people, s_tokens, speaker_span.text, s)
    # The cue's own sentence and its content: a hedge in the sentence before ("Iran reportedly plans
    # ... . Western officials say ...") is not this speaker's.
    sentence_start = tokens[doc.sentence_of(f.cue[0])[0]].start
    sentence_window = text[min(sentence_start, c_start): max(c_end, cue.end)].lower()
    lemma = cues.CUE_FORMS.get(cue_tokens[0].low, "")
    hedged = lemma in cues.HEDGING_CUES or any(w in sentence_window for w in cues.HEDGING_WORDS)
    return Attribution(
        speaker=speaker_span,
        speaker_name=name,
        speaker_role=role,
        cue=cue,
        content=Span(text=text[c_start:c_end], start=c_start, end=c_end),
        direct=direct,
        certainty="hedged" if hedged else "asserted",
    )


_SPEAKER_LEAD_WORDS = frozenset("even perhaps said say says".split())
# "Later Smith said", "Meanwhile the ministry said": a sentence adverb before the subject.
_LEAD_ADVERBS = frozenset("later earlier meanwhile then now also still instead separately today yesterday "
                          "however moreover furthermore indeed".split())

# Words that are never a speaker on their own: "It is worth noting", "Having said that", "Perhaps
# recognizing", "Please ask" (adverbs, adjectives, imperatives the rules or tagger read as a subject).
_NON_SPEAKER_WORDS = frozenset("""worth perhaps otherwise indeed very seldom hard least far well please
maybe also only just even still already often never always various numerous""".split())


def _cannot_speak(tok: Tok) -> bool:
    """Return True for a one-word speaker that cannot be one: a listed adverb, a bare participle, a negation."""
    low = tok.low
    if low in _NON_SPEAKER_WORDS or low.endswith(("n't", "n’t")):
        return True
    # "Having said that", "Keeps saying", "faced questions": a lone verb form is no noun phrase.
    return low in ("having", "keeps") or (len(low) > 5 and low.endswith(("ing", "ed")) and not tok.is_cap)


def _trim_speaker_edges(doc: Doc, speaker: tuple[int, int]) -> tuple[int, int]:
    """Return a speaker token range without the words at its edges that belong to the clause around it.

    "Even China", "Said Ellis": a focus adverb or an inverted cue before the name ("Both X and Y"
    keeps "Both", as PolNeAR's annotators do, 58 times to 2 in train);
    "which RT said", "One of the docs who": the relative pronoun next to the noun phrase it stands for.
    """
    tokens = doc.tokens
    start, end = speaker
    while end - start > 1:
        low = tokens[start].low
        following = tokens[start + 1]
        if low in _SPEAKER_LEAD_WORDS or low in ("which", "who") and following.is_cap \
                or low in _LEAD_ADVERBS and (following.is_cap or following.low in cues.DETERMINERS):
            start += 1
        else:
            break
    while end - start > 1 and not tokens[end - 1].is_word and tokens[end - 1].text not in (")", "."):
        end -= 1
    if end - start > 1 and tokens[end - 1].low in ("who", "which") and tokens[end - 2].low not in ("of", "and", ","):
        end -= 1
    if end - start > 1 and tokens[start].low == "who" and not any(t.is_cap for t in tokens[start + 1:end]):
        end = start + 1  # "Sanders, who for weeks had highlighted": the adverbial after "who" is not the speaker
    return (start, end)


def _short_gaps(doc: Doc, start: int, end: int) -> bool:
    """Return True when the text between the quotations in [start, end) is only short attribution bits."""
    inside = [q for q in doc.quotes if start <= q.open_start and q.close_end <= end + 1 or q.open_start <= start < q.end]
    for a, b in zip(inside, inside[1:]):
        if len(doc.text[a.close_end:b.open_start].split()) > 14:
            return False
    return len(inside) >= 2


def _has_open_quote(text: str, start: int, end: int) -> bool:
    return any(ch in "“\"‘" for ch in text[start:end])
