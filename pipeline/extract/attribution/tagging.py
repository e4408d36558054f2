"""The hand-off to the trained models: cue words added and vetoed, speakers re-drawn.

Finds: with the linear cue model, the cue CRF and the ranker of pipeline.extract.attribution.
lexical_models, cue words outside the lexicon and lexicon words used otherwise; the candidates worth
keeping; each speaker's extent as the role CRF draws it. In the PolNeAR scope, where the optional
contextual taggers (pipeline.extract.attribution.encoders) are installed, the cue tagger's agreement
with a rule candidate, and attributions for cue words no rule read. Every threshold is here, with the
figures that chose it.
Leaves to others: the rules themselves; training is pipeline.learn.
"""

from __future__ import annotations

import bisect

from pipeline.extract import cues
from pipeline.extract.attribution.content import has_clause_marker, participle_clause
from pipeline.extract.attribution.document import RELATIVES, Doc, Found, trim_end
from pipeline.extract.attribution.phrases import adjective_like, describes_document, np_forward, speaker_before
from pipeline.extract.attribution.quotations import QUOTE_MARKS
from pipeline.extract.attribution.sentences import fronted_clause_comma, keep_to_own_clause

# Cue-model thresholds, chosen on PolNeAR dev (see the report of pipeline.learn.eval_polnear).
CUE_ADD_THRESHOLD = 0.5  # a token outside the lexicon becomes a cue at this probability
CUE_DROP_THRESHOLD = 0.1  # a lexicon hit below this probability is not a cue
# With the candidate ranker, cues are proposed generously and the ranker decides.
RANKED_CUE_ADD_THRESHOLD = 0.3
RANKED_CUE_DROP_THRESHOLD = 0.1
RANK_THRESHOLD = 0.4
# "X was reported by Y": the ranker saw few passives in training and rejects most of them; the rule's
# agent phrase is a reliable speaker, so passives need only this score (and keep the rule's agent).
PASSIVE_RANK_THRESHOLD = 0.1


# Role tagger: a cue-model token outside every rule attribution becomes an attribution (scope
# "polnear" only) at this cue probability, when the tagger finds both a source and a content for it.
TAGGED_CUE_THRESHOLD = 0.4
# ... or at this probability of the contextual cue tagger (pipeline.extract.attribution.encoders), when it is installed,
# blended with the cue CRF's: ENCODED_CUE_WEIGHT * encoder + (1 - ENCODED_CUE_WEIGHT) * CRF. Two models
# that read a sentence differently err on different words; the blend steadies what a retrain of the
# encoder adds (dev speaker F1 of two seeds' cue taggers: 0.806 and 0.796 alone, 0.8045 and 0.8005 blended).
ENCODED_CUE_THRESHOLD = 0.5
ENCODED_CUE_WEIGHT = 0.7
# A rule candidate's cue must have this probability under the contextual cue tagger, when it is installed.
ENCODER_AGREEMENT = 0.7
# ... and when the tagger is this sure of every token of the source it marks for it (a cue word the
# rules did not read is often no cue; an unsure source is the sign).
TAGGED_SOURCE_CONFIDENCE = 0.6
ENCODED_SOURCE_CONFIDENCE = 0.7  # the same for the contextual role tagger's label probabilities


def model_cue_sets(doc: Doc, add: float, drop: float, cue_model=None) -> tuple[set[int], set[int]]:
    """Return (offsets to add as cues, offsets to block) from the cue tagger's probabilities."""
    from pipeline.extract.attribution import lexical_models

    probs = lexical_models.cue_probabilities(doc, cue_model)
    doc.cue_probs = probs
    extra: set[int] = set()
    blocked: set[int] = set()
    for i, p in probs.items():
        tok = doc.tokens[i]
        low = tok.low
        if low in cues.CUE_FORMS or low in cues.NOMINAL_CUES or low == "according":
            if p < drop:
                blocked.add(tok.start)
        elif p >= add and tok.text.isalpha() and low not in cues.AUXILIARIES and low not in cues.DETERMINERS \
                and low not in cues.NP_STOPS and low not in cues.OTHER_PRONOUNS and not low.endswith("ly") \
                and low not in _PREPOSITIONS \
                and _verb_like(doc, i):
            extra.add(tok.start)
    return extra, blocked


# "reports of", "chants of": the cue tagger's context words; as cues they make the noun before them a speaker.
_PREPOSITIONS = frozenset("of for about at in on to with from by into over against".split())


def _verb_like(doc: Doc, i: int) -> bool:
    """Return True when token i can be a verb: an inflected form, or after an auxiliary, 'to' or a subject."""
    low = doc.tokens[i].low
    if low.endswith(("ed", "ing", "s")):
        return True
    if i == 0:
        return False
    prev = doc.tokens[i - 1]
    if prev.low.endswith(("'s", "’s")) or prev.text in ("’", "'"):
        return False
    return prev.low in cues.AUXILIARIES or prev.low == "to" or prev.low in cues.OTHER_PRONOUNS \
        or prev.low in cues.PERSONAL_PRONOUNS or (prev.low.endswith("s") and not adjective_like(prev.low))


# Read by rule from their form, not from a cue word the encoder could weigh.
_FORM_KINDS = frozenset(("poll", "headline", "signature", "colon", "passive", "according"))


def encoder_agrees(doc: Doc, found: list[Found]) -> list[Found]:
    """Return the candidates whose cue the contextual cue tagger also reads as a cue (all without it).

    The rules and the linear cue model take a lexicon word for a cue wherever a subject and a clause
    surround it ("the decision *found* its way"); the encoder reads the sentence and knows better.
    """
    probs = doc.encoded_cue_probs
    if probs is None:
        return found
    kept = []
    for f in found:
        scores = [probs[k] for k in range(f.cue[0], f.cue[1]) if k in probs]
        if f.kind in _FORM_KINDS or not scores or max(scores) >= ENCODER_AGREEMENT:
            kept.append(f)
    return kept


def is_statement_cue(doc: Doc, f: Found) -> bool:
    """Return True when a candidate's cue makes a statement for the product (speech, communication, belief).

    Cue-model proposals outside the lexicon count only for communication verbs; belief verbs need a
    clause after them ("feels that ...", not "feeling the economic fallout").
    """
    if f.kind in ("colon", "headline", "signature", "according", "nominal"):
        return True
    tokens = doc.tokens
    lemma = cues.statement_lemma(tokens[f.cue[0]].low)
    if lemma is None:
        return False
    if lemma == "strike":
        # "struck down the allegations" answers them; "struck a chord", "struck a deal" say nothing.
        return any(t.low == "down" for t in tokens[f.cue[0] + 1:min(len(tokens), f.cue[1] + 1)])
    if lemma in cues.COGNITION_VERBS and f.kind == "complement":
        after = f.cue[1]
        while after < len(tokens) and (tokens[after].low in cues.TIME_WORDS or tokens[after].text == ","):
            after += 1
        if tokens[f.cue[0]].low.endswith("ing"):
            # "feeling the economic fallout": a participle takes an object, not a statement
            return after < len(tokens) and (tokens[after].low in ("that", ":") or tokens[after].text in QUOTE_MARKS)
        return after < len(tokens) and has_clause_marker(doc, after, len(tokens))
    return True


def _label_runs(labels: list[str], want: str) -> list[tuple[int, int]]:
    """Return the (start, end) index ranges of consecutive labels equal to want."""
    runs = []
    k = 0
    while k < len(labels):
        if labels[k] == want:
            j = k
            while j < len(labels) and labels[j] == want:
                j += 1
            runs.append((k, j))
            k = j
        else:
            k += 1
    return runs


def _nearest_run(runs: list[tuple[int, int]], anchor: int) -> tuple[int, int]:
    return min(runs, key=lambda r: min(abs(r[0] - anchor), abs(r[1] - 1 - anchor)))


def _role_spans(doc: Doc, anchor: int, hinted: bool = True, min_source_confidence: float = 0.0,
                tagged: tuple[list[str], list[float] | None] | None = None) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Return (source token range, content token range) the role tagger marks for the cue at anchor.

    hinted: give the tagger the rules' speaker for the cue (speaker_hint) as it had in training.
    A source any of whose tokens the tagger labels S with a lower marginal than min_source_confidence
    counts as none. tagged: labels and confidences (None where no confidence is asked for) the role
    CRF or another tagger gave the cue's window (the role CRF is asked otherwise).
    """
    from pipeline.extract.attribution import lexical_models

    first = lexical_models.role_window(doc, anchor)[0]
    if tagged is None:
        hint = speaker_hint(doc, anchor) if hinted else None
        tagged = lexical_models.tag_roles(doc, (anchor, anchor + 1), hint=hint)
    if tagged is None:
        return None, None
    labels, confidence = tagged
    at = anchor - first
    source = content = None
    sources = _label_runs(labels, "S")
    if sources:
        s, e = _nearest_run(sources, at)
        if min_source_confidence <= 0 or min(confidence[s:e]) >= min_source_confidence:
            source = _trim_source(doc, first + s, first + e)
    contents = _label_runs(labels, "C")
    if contents:
        near = _nearest_run(contents, at)
        same_side = [r for r in contents if (r[0] > at) == (near[0] > at)]
        content = (first + same_side[0][0], first + same_side[-1][1])
    return source, content


def speaker_hint(doc: Doc, anchor: int) -> tuple[int, int] | None:
    """Return the speaker noun phrase the rules read for a cue word at anchor, for the role tagger.

    The subject before the cue, else after '"...," said' or ', said' the inverted speaker after it;
    computed from the cue word alone, so that training (gold cues) and extraction see the same hint.
    """
    from pipeline.extract.attribution import lexical_models

    first, last = lexical_models.role_window(doc, anchor)
    tokens = doc.tokens
    span = speaker_before(doc, first, anchor)
    if span is None and anchor > first and (tokens[anchor - 1].text == "," or tokens[anchor - 1].text in QUOTE_MARKS):
        span = np_forward(doc, anchor + 1, last, clause_tail=True)
    return span


def _trim_source(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Return a tagged source range without a dangling conjunction or punctuation at its edges.

    "who make up 80 percent of the investors and see ...": the "and" joins two verbs of one subject.
    """
    tokens = doc.tokens
    while end > start and (tokens[end - 1].low in ("and", "or", "but") or tokens[end - 1].text in (",", ";", ":", "—", "–")):
        end -= 1
    while start < end and (tokens[start].low in ("and", "or", "but") or tokens[start].text in (",", ";", ":", "—", "–")):
        start += 1
    return (start, end) if end > start else None


def tag_speakers(doc: Doc, found: list[Found], keep_clauses: bool) -> None:
    """Replace each candidate's speaker span by the role tagger's source span where it marks one.

    The tagger reads the rules' speaker as a hint (pipeline.extract.attribution.speaker_hint) and learned
    where PolNeAR's source extent differs from it: relative clauses, postmodifiers and appositions
    before the noun the rules stopped at ("Many people involved in the negotiations"), or another
    noun phrase altogether. It reads one sentence without syntax, so it may not run a speaker on
    to the right over a time or a verb; a coordinated cue ("... and said") keeps the speaker
    carried over from its first cue. keep_clauses: see _finished_clause.
    """
    from pipeline.extract.attribution import lexical_models

    # Read by rule: the tagger never saw "in" or a signature's dash as a cue ("― Edwin G. Monroy"), a
    # passive's agent follows "by", and a nominal's speaker is its possessive ("The spokesman said
    # Tehran's statements ...": not "The spokesman said Tehran's"). A coordinated cue's speaker was
    # carried over from an earlier cue: it follows that cue's new extent.
    tagged = [f for f in found if f.kind not in ("poll", "passive", "headline", "signature", "nominal", "coordinated")]
    # Every cue of the text is tagged in one pass (a text of thousands of cues would otherwise pay
    # the tagger's set-up per cue).
    labels = lexical_models.tag_roles_many(doc, [((f.cue[0], f.cue[0] + 1), speaker_hint(doc, f.cue[0])) for f in tagged])
    labels_of = {id(f): found_labels for f, found_labels in zip(tagged, labels)}
    redrawn: dict[tuple[int, int], tuple[int, int]] = {}  # rule speaker -> tagger's extent of it
    for f in found:
        if f.kind == "coordinated":
            if f.speaker is not None:
                f.speaker = redrawn.get(f.speaker, f.speaker)
            continue
        if id(f) not in labels_of:
            continue
        source, _ = _role_spans(doc, f.cue[0], tagged=labels_of[id(f)])
        if source is None:
            continue
        if f.speaker is not None and source[0] < f.speaker[1] and f.speaker[0] < source[1]:
            start, end = source
            if end > f.speaker[1] and not _right_extension_ok(doc, f.speaker[1], end):
                end = f.speaker[1]  # "X said on Sunday", "X, summing up the talks, said": not who X is
            if start < f.speaker[0]:
                start = _left_extension_start(doc, start, f.speaker[0])
            end = _before_content(doc, f, start, end)
            while end > start + 1 and doc.tokens[end - 1].text in (",", ";", ":", "—", "–"):
                end -= 1
            source = _finished_clause(doc, (start, end), f.speaker, keep_clauses)
        if f.speaker is not None:
            redrawn[f.speaker] = source
        f.speaker = source


def _before_content(doc: Doc, f: Found, start: int, end: int) -> int:
    """Return end, cut where f's content begins: a source never runs into what it says.

    "According to the Pentagon, the drones came from Iran.": the tagger read the comma as an
    apposition's and ran the source over the content, whose names then chose the party (Iran).
    """
    content_start = f.content[0]
    if doc.tokens[start].start >= content_start:
        return end  # content before the speaker ("'...,' Smith said"): nothing to cut
    while end > start + 1 and doc.tokens[end - 1].end > content_start:
        end -= 1
    return end


def _finished_clause(doc: Doc, source: tuple[int, int], rule: tuple[int, int], keep_clause: bool) -> tuple[int, int]:
    """Return source without a relative clause or apposition it leaves unfinished inside the rule speaker.

    "Mr. Obama, who understood that a push | would be fruitless, told": the tagger stops at the
    verb, but a source never ends inside a comma-delimited clause. PolNeAR's annotators mark the
    whole clause (keep_clause: up to the rule speaker's end); the product keeps the name before it,
    so that the clause's own names ("who has backed Hillary Clinton") never decide the party.
    """
    tokens = doc.tokens
    start, end = source
    if end >= rule[1] or tokens[end].text in (",", ")", "—", "–", ":", ";"):
        return source
    for k in range(end - 1, start, -1):
        if tokens[k].text == "," and (tokens[k + 1].low in RELATIVES or tokens[k + 1].low in ("a", "an", "the")):
            return (start, rule[1]) if keep_clause else (start, k)
    return source


def _right_extension_ok(doc: Doc, speaker_end: int, end: int) -> bool:
    """Return True when the tagger's source may run on to end, right of the rule speaker.

    An apposition after a comma or bracket ("X, a lawyer,"), a name-internal mark ("a New York
    Times/CBS News poll") or a place phrase ("one GOP source in the room") belongs to the speaker;
    "X, summing up the talks," (a participle clause), "on Sunday" and a verb do not.
    """
    tokens = doc.tokens
    nxt = tokens[speaker_end]
    if nxt.text == "," and (speaker_end + 1 < len(tokens) and tokens[speaker_end + 1].low in ("and", "but", "or")
                            or end < len(tokens) and tokens[end].low in cues.AUXILIARIES and not tokens[end].is_cap):
        return False  # "according to Ham, the current administration has ...": a clause, no apposition
    if nxt.text in (",", "("):
        return not participle_clause(doc, speaker_end + 1)
    if nxt.text in ("/", "–", "—"):
        return True
    phrase = tokens[speaker_end + 1:end]
    return (nxt.low in ("on", "in", "with", "from", "of") and bool(phrase) and phrase[0].low in ("the", "a", "an")
            and not any(t.low in cues.TIME_WORDS for t in phrase))


def _left_extension_start(doc: Doc, start: int, speaker_start: int) -> int:
    """Return where the tagger's source, begun at start left of the rule speaker, may begin.

    A head noun's premodifiers and an apposition before a name ("The minister of the economy, Mr.
    Guajardo Villarreal,") belong to the speaker; the sentence's fronted clause ("Although Scott
    lacks an achievement, elected officials say") does not: the source starts after its comma.
    (A phrase joined by a subordinator, "Hawaii, as one of his advisers pointed out", looked like a
    second case, but stopping there cost more on PolNeAR train than it won.)
    """
    from pipeline.extract.attribution import lexical_models

    first, last = lexical_models.role_window(doc, start)  # the sentence the tagger read
    comma = fronted_clause_comma(doc, first, last)
    return comma + 1 if comma is not None and start <= comma < speaker_start else start


def add_tagged(doc: Doc, found: list[Found]) -> list[Found]:
    """Return found plus role-tagger attributions for confident cue words no candidate uses.

    The cue words come from the contextual cue tagger blended with the cue CRF when the encoder is
    installed, else from the cue sequence tagger (a CRF over the sentence) when its model is present,
    else from the linear cue tagger. The sequence taggers read the whole sentence, so their words are
    taken as they are ("according", "support", a colon); the linear tagger's words must look like a
    verb or a lexicon cue.
    """
    from pipeline.extract.attribution import lexical_models

    tokens = doc.tokens
    used = {k for f in found for k in range(f.cue[0] - 1, f.cue[1] + 1)}
    read = set(used)  # tokens no new cue can come from: used cues and the contents found
    for f in found:
        read.update(range(bisect.bisect_left(doc.tok_starts, f.content[0]), bisect.bisect_left(doc.tok_starts, f.content[1])))
    threshold = ENCODED_CUE_THRESHOLD
    seq_probs = doc.encoded_cue_probs
    if seq_probs is None:
        threshold = TAGGED_CUE_THRESHOLD
        seq_probs = lexical_models.cue_crf_probabilities(doc, skip=read)
    else:
        seq_probs = blend_cue_probabilities(seq_probs, lexical_models.cue_crf_probabilities(doc))
    probs = doc.cue_probs if seq_probs is None else seq_probs
    hot = sorted(i for i, p in probs.items() if p >= threshold and tokens[i].is_word)
    groups: list[list[int]] = []
    for i in hot:
        if groups and i == groups[-1][-1] + 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    added = []
    for group in groups:
        if any(k in used for k in group):
            continue
        anchor = lexical_models.cue_anchor(doc, group)
        if seq_probs is None and (not (tokens[anchor].low in cues.CUE_FORMS or tokens[anchor].low in cues.NOMINAL_CUES
                                       or _verb_like(doc, anchor)) or tokens[anchor].low in cues.NP_STOPS):
            continue  # "about", "of", "have": the linear cue model's context words, not cues of their own
        if any(f.content[0] <= tokens[anchor].start < f.content[1] for f in found):
            continue  # inside a found statement's content: an embedded clause, rarely annotated apart
        if describes_document(tokens, anchor):
            continue  # "A report released Tuesday found": the participle names the source, the verb is the cue
        source, content = _tagged_roles(doc, anchor)
        if source is None or content is None:
            continue
        start, end = tokens[content[0]].start, trim_end(doc, tokens[content[1] - 1].end)
        quote = doc.quote_at(start)
        if quote is not None and quote.open_start == start and quote.closed and end < quote.close_end:
            end = quote.close_end  # the tagger reads one sentence; a quotation runs to its mark
        if any(f.content[0] < end and start < f.content[1] for f in found):
            continue  # 'The senator was blunt: "...," she said': the content has its cue already
        if end > start:
            tagged = Found(source, (group[0], group[-1] + 1), (start, end), kind="tagged")
            window_first, window_last = lexical_models.role_window(doc, anchor)
            keep_to_own_clause(doc, tagged, fronted_clause_comma(doc, window_first, window_last), window_last)
            added.append(tagged)
    return sorted(found + added, key=lambda f: f.cue[0])


def blend_cue_probabilities(encoded: dict[int, float], crf: dict[int, float] | None) -> dict[int, float]:
    """Return token -> the contextual cue tagger's probability blended with the cue CRF's (the encoder's alone without the CRF).

    A token the CRF did not score (it reads word tokens outside quotes, like the encoder) counts as 0.
    """
    if crf is None:
        return encoded
    return {k: ENCODED_CUE_WEIGHT * p + (1 - ENCODED_CUE_WEIGHT) * crf.get(k, 0.0) for k, p in encoded.items()}


def _tagged_roles(doc: Doc, anchor: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Return (source, content) token ranges for a cue word no rule read, from the surest tagger installed.

    The contextual role tagger (pipeline.extract.attribution.encoders) reads the sentence with the rules' speaker marked as
    a hint. Without it the role CRF is asked with no hint first: the rules read no statement here, and
    a noun phrase they would take before a long-tail cue word ("the charges", "the questions")
    misleads the CRF more than it helps; it is given the hint only when it finds no source it is sure
    of without it.
    """
    from pipeline.extract.attribution import encoders, lexical_models

    window = lexical_models.role_window(doc, anchor)
    tagged = encoders.tag_roles(doc, window, (anchor, anchor + 1), speaker_hint(doc, anchor))
    if tagged is not None:
        return _role_spans(doc, anchor, min_source_confidence=ENCODED_SOURCE_CONFIDENCE, tagged=tagged)
    source, content = _role_spans(doc, anchor, hinted=False, min_source_confidence=TAGGED_SOURCE_CONFIDENCE)
    if source is None and content is not None:
        # Unsure without the rules' noun phrase: with it (as in training) the tagger may be sure.
        source, _ = _role_spans(doc, anchor, hinted=True, min_source_confidence=TAGGED_SOURCE_CONFIDENCE)
    return source, content
