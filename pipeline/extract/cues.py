"""Lexicons for attribution extraction: cue verbs, hedges, pronouns, role words.

General English only: nothing here names a dispute, a country or a person. The lists
were chosen from communication/cognition verbs common in news and checked against the
cue words of the PolNeAR *train* compartment.
"""

from __future__ import annotations

# Irregular or doubled-consonant inflections: lemma -> (3rd person, past, participle, -ing).
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("says", "said", "said", "saying"),
    "tell": ("tells", "told", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "speak": ("speaks", "spoke", "spoken", "speaking"),
    "think": ("thinks", "thought", "thought", "thinking"),
    "find": ("finds", "found", "found", "finding"),
    "show": ("shows", "showed", "shown", "showing"),
    "see": ("sees", "saw", "seen", "seeing"),
    "know": ("knows", "knew", "known", "knowing"),
    "feel": ("feels", "felt", "felt", "feeling"),
    "hold": ("holds", "held", "held", "holding"),
    "admit": ("admits", "admitted", "admitted", "admitting"),
    "allege": ("alleges", "alleged", "alleged", "alleging"),
    "argue": ("argues", "argued", "argued", "arguing"),
    "quip": ("quips", "quipped", "quipped", "quipping"),
    "testify": ("testifies", "testified", "testified", "testifying"),
    "deny": ("denies", "denied", "denied", "denying"),
    "reply": ("replies", "replied", "replied", "replying"),
    "worry": ("worries", "worried", "worried", "worrying"),
    "predict": ("predicts", "predicted", "predicted", "predicting"),
    "signal": ("signals", "signaled", "signalled", "signaling"),
    "concede": ("concedes", "conceded", "conceded", "conceding"),
}

# Verbs that introduce speech (quotes and that-clauses) and can close a sentence ("..., X said").
SPEECH_VERBS = frozenset("""
say tell write speak tweet post add note ask report announce suggest argue explain declare acknowledge
admit claim accuse deny insist dismiss contend affirm warn cite reiterate stress indicate underline remind
urge assert state confirm reveal recall reply respond predict promise pledge vow propose praise criticize
criticise blast blame charge complain concede emphasize emphasise mention observe allege maintain repeat
reject testify caution counter retort quip joke boast lament signal hint demand estimate echo describe
continue conclude agree disagree inform assure point call question attack decline comment write
allege announce brief disclose highlight recount recommend reaffirm underscore caution
""".split())

# Verbs of belief, perception and evidence: attributions only with a complement clause.
COGNITION_VERBS = frozenset("""
think believe hope fear worry expect know feel find show see suspect doubt wonder assume
""".split())

# Cues whose content is an object or an -ing/of-clause rather than a that-clause.
OBJECT_CUES = frozenset("accuse deny dismiss reject blame criticize criticise praise blast attack question cite urge".split())

# Cues that mark the content as not vouched for by the writer.
HEDGING_CUES = frozenset("claim allege contend suggest hint speculate insist purport".split())
HEDGING_WORDS = (
    "reportedly", "allegedly", "purportedly", "supposedly", "apparently", "it is believed",
    "is believed to", "are believed to", "is said to", "are said to", "rumored", "rumoured",
    "unconfirmed", "unverified",
)

# Nouns that are the cue in a nominal attribution ("the ministry's statements ...").
NOMINAL_CUES = frozenset("""
statement statements claim claims remark remarks comment comments allegation allegations accusation
accusations assertion assertions denial denials warning warnings words testimony tweet tweets
insistence position view views
""".split())

# Nouns of a position taken ("Trump's proposal to ban ...", "his call for a ban on ...", "her pledge that
# ..."): what follows them is what the owner proposes, vows or demands, a statement of the owner's.
PROPOSAL_NOUNS = frozenset("""
proposal proposals plan plans call calls pledge pledges promise promises vow vows demand demands
suggestion suggestions idea ideas
""".split())

# The verbs among them: "that was held" is a relative clause, "that the plan" a complement.
AUXILIARY_VERBS = frozenset("has have had is are was were be been will would could can should may might must shall do does did".split())

# Auxiliary verbs and the adverbs that sit between them and a cue ("has also repeatedly said").
AUXILIARIES = AUXILIARY_VERBS | frozenset("""
being
also again once long consistently repeatedly publicly previously later then earlier still never not n't
already often frequently reportedly allegedly recently just even first privately openly angrily quickly
flatly strongly firmly further furthermore since subsequently initially ultimately separately additionally
almost now soon first last
""".split())

DETERMINERS = frozenset("""
the a an this that these those his her its their our my your some many several few most all both each
other another two three four five six seven eight nine ten one more no any such top senior former
""".split())

# Lowercase words that end a speaker noun phrase when scanning away from the cue.
NP_STOPS = frozenset("""
in on at to from with by about after before as than while when because if but however although though
that which where what whether so yet or nor into onto over under against between among during without
within through across per via since until unless despite like not is are was were be been has have had
do does did will would can could should may might must shall it's also then there here off up out down
become became becomes get gets got make makes made take took seem seems remain remains stay keep kept
""".split())

# Words allowed between a speaker and the content of "told": the addressee.
TIME_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight tomorrow earlier later
recently last this next week month year morning evening afternoon night weekend january february march
april may june july august september october november december jan feb mar apr jun jul aug sep sept oct
nov dec
""".split())

ADJUNCT_STARTS = frozenset("""
in on at during last this earlier later to after before while when as from through via by according of about
""".split()) | TIME_WORDS

PERSONAL_PRONOUNS = {
    "he": "male", "him": "male", "his": "male",
    "she": "female", "her": "female", "hers": "female",
}
OTHER_PRONOUNS = frozenset("i we they you it who which me us them".split())

HONORIFICS = frozenset("mr mrs ms miss dr sen sens rep reps del gov gen lt col sgt prof rev adm maj capt sir dame lord".split())

# Capitalised words that belong to a role title, not to a person's name.
TITLE_WORDS = frozenset("""
president vice secretary minister deputy assistant under director chief chairman chairwoman chair
spokesman spokeswoman spokesperson ambassador envoy senator sen sens representative rep reps delegate del governor gov
general gen admiral colonel lieutenant commander mayor judge justice attorney prosecutor king queen
prince princess crown sheikh premier chancellor leader speaker head adviser advisor counsel
foreign defense defence state interior affairs security national homeland justice treasury finance
intelligence ministry department office house council committee white army navy air force joint
staff chiefs of for the and republican democratic party campaign former acting senior top
mr mrs ms dr prof rev sir dame lord press
""".split())

# Lowercase role nouns: heads of descriptions that can stand for a named person.
ROLE_HEADS = frozenset("""
official officials spokesman spokeswoman spokesperson minister secretary director president diplomat
envoy ambassador chief leader chairman chairwoman adviser advisor aide senator governor general admiral
commander mayor premier chancellor king prince officer analyst expert candidate nominee lawmaker
representative negotiator head deputy prosecutor attorney source sources
""".split())

# A role noun may refer to a person whose stated role uses a different word.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "diplomat": ("foreign minister", "foreign secretary", "secretary of state", "ambassador", "envoy",
                 "foreign affairs", "diplomat"),
    "envoy": ("envoy", "ambassador", "special representative"),
    "spy chief": ("intelligence", "director of national intelligence", "spy"),
    "general": ("general", "commander", "chief of staff", "chairman of the joint chiefs"),
    "commander": ("commander", "general", "admiral"),
    "lawmaker": ("senator", "representative", "congressman", "congresswoman", "member of parliament", "mp"),
    "leader": ("president", "prime minister", "leader", "chancellor", "premier", "king", "supreme leader"),
    "official": ("official", "secretary", "minister", "director", "spokesman", "spokeswoman", "spokesperson",
                 "adviser", "advisor", "ambassador", "deputy", "assistant"),
}

# Role-phrase modifiers that say nothing about which person is meant.
GENERIC_MODIFIERS = frozenset("the a an top senior former current chief new then".split())


def _regular_forms(lemma: str) -> tuple[str, ...]:
    """Return the 3rd-person, past, participle and -ing forms of a regular verb."""
    if lemma.endswith("e"):
        return (lemma + "s", lemma + "d", lemma + "d", lemma[:-1] + "ing")
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return (lemma + "es", lemma + "ed", lemma + "ed", lemma + "ing")
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return (lemma[:-1] + "ies", lemma[:-1] + "ied", lemma[:-1] + "ied", lemma + "ing")
    return (lemma + "s", lemma + "ed", lemma + "ed", lemma + "ing")


def _build_forms() -> dict[str, str]:
    """Return a map from every inflected cue form to its lemma."""
    forms: dict[str, str] = {}
    for lemma in SPEECH_VERBS | COGNITION_VERBS:
        inflections = _IRREGULAR.get(lemma) or _regular_forms(lemma)
        forms[lemma] = lemma
        for form in inflections:
            forms.setdefault(form, lemma)
    return forms


CUE_FORMS: dict[str, str] = _build_forms()

# Communication verbs outside the lexicon above that the cue tagger may propose and that still make
# a statement for the product ("expressed concern", "struck down the allegations", "refused to ...").
# The product keeps model-proposed cues only when their lemma is here; PolNeAR-style cues of intent,
# perception or action ("wants", "aimed", "seeks", "feeling") are kept only in the evaluation scope.
EXTRA_STATEMENT_VERBS = frozenset("""
express voice strike refuse rule decry denounce condemn slam reassure assure acknowledge portray
""".split())
_EXTRA_IRREGULAR = {"struck": "strike", "striking": "strike"}


def statement_lemma(word: str) -> str | None:
    """Return the lemma when word is a form of a product statement cue (lexicon or extra verbs), else None."""
    low = word.lower()
    if low in CUE_FORMS:
        return CUE_FORMS[low]
    if low in _EXTRA_IRREGULAR:
        return _EXTRA_IRREGULAR[low]
    for lemma in EXTRA_STATEMENT_VERBS:
        if low == lemma or low in _regular_forms(lemma):
            return lemma
    return None
