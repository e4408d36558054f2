"""Attribution extraction: seed articles (real text) and one test per syntactic form."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.attribution import Attribution, extract_attributions

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _find(attributions: list[Attribution], cue: str, content_has: str) -> Attribution:
    """Return the attribution with this cue whose content contains the given words."""
    for a in attributions:
        if a.cue.text == cue and content_has in a.content.text:
            return a
    raise AssertionError(f"no attribution with cue {cue!r} and content containing {content_has!r}: "
                         f"{[(a.cue.text, a.content.text[:60]) for a in attributions]}")


def _offsets_index_text(text: str, attributions: list[Attribution]) -> None:
    for a in attributions:
        for span in (a.speaker, a.cue, a.content):
            if span is not None:
                assert text[span.start:span.end] == span.text


@pytest.fixture(scope="module")
def seed_001() -> tuple[str, list[Attribution]]:
    text = _seed("001")
    return text, extract_attributions(text)


# ---------------------------------------------------------------- seeds


def test_001_quote_then_speaker_resolves_surname_to_full_name(seed_001):
    text, found = seed_001
    a = _find(found, "told", "We now need to rally a coalition")
    assert a.speaker.text == "Stroul"
    assert a.speaker_name == "Dana Stroul"
    assert a.speaker_role == "Deputy Assistant Secretary of Defense"
    assert a.direct is True
    assert not a.content.text.startswith(("“", '"'))
    _offsets_index_text(text, found)


def test_001_pronoun_she_resolves_to_the_female_speaker_not_the_latest_person(seed_001):
    _, found = seed_001
    a = _find(found, "added", "Iranian threats are no longer specific")
    assert a.speaker.text == "she"
    assert a.speaker_name == "Dana Stroul"
    assert a.direct is True


def test_001_role_noun_resolves_to_the_person_holding_the_role(seed_001):
    _, found = seed_001
    a = _find(found, "said", "Quite worried")
    assert a.speaker.text == "the CIA director"
    assert a.speaker_name == "William Burns"
    assert a.speaker_role == "CIA Director"
    assert a.direct is True


def test_001_speaker_then_title_and_name_with_trailing_reported_speech(seed_001):
    _, found = seed_001
    a = _find(found, "said", "Iran had given a small batch of drones")
    assert a.speaker_name == "Hossein Amir-Abdollahian"
    assert a.speaker_role == "Iranian Foreign Minister"
    assert a.direct is False


def test_001_he_claimed_is_hedged_and_resolves_to_last_male_speaker(seed_001):
    _, found = seed_001
    a = _find(found, "claimed", "this relationship is")
    assert a.speaker_name == "William Burns"
    assert a.certainty == "hedged"


def test_001_participle_adding_keeps_the_speaker_of_the_main_clause(seed_001):
    _, found = seed_001
    accused = _find(found, "accused", "Iran of providing Russia")
    adding = _find(found, "adding", "is now one of Russia")
    assert accused.speaker_name == adding.speaker_name == "James Cleverly"
    assert "adding" not in accused.content.text


def test_001_nominal_possessive_statements(seed_001):
    _, found = seed_001
    a = _find(found, "statements", "struck down the allegations")
    assert a.speaker.text == "Tehran's"
    assert a.speaker_name == "Tehran"


@pytest.mark.parametrize("verb_phrase", ["struck down", "once again struck down", "have struck down"])
def test_nominal_possessive_statements_before_an_irregular_past(verb_phrase):
    (a,) = extract_attributions(f"Tehran's statements {verb_phrase} the allegations as false.")
    assert (a.speaker.text, a.speaker_name, a.cue.text) == ("Tehran's", "Tehran", "statements")
    assert a.content.text == f"{verb_phrase} the allegations as false"


def test_nominal_speaker_is_its_possessive_even_after_another_speakers_cue():
    text = "The spokesman said Tehran's statements once again struck down the allegations."
    a = _find(extract_attributions(text), "statements", "struck down the allegations")
    assert a.speaker.text == "Tehran's"


def test_nominal_phrase_before_a_cue_verb_is_that_verbs_speaker_once():
    (a,) = extract_attributions("The ministry's statement denied any role in the attack.")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("The ministry's statement", "denied",
                                                           "any role in the attack")


@pytest.mark.parametrize("sentence, cue, content", [
    ("Voters were drawn to Mr. Trump's plan to bar Muslims from entering the country.", "plan",
     "bar Muslims from entering the country"),
    ("Critics seized on Trump’s controversial proposal to ban Muslims from entering the United States.", "proposal",
     "ban Muslims from entering the United States"),
    ('The crowd denounced Donald Trump\'s call for "a total and complete shutdown of Muslims."', "call",
     "a total and complete shutdown of Muslims"),
    ("Aides defended Trump's proposed ban on Muslims at the rally.", "proposed", "ban on Muslims at the rally"),
])
def test_a_position_credited_by_a_noun_is_its_owners_statement(sentence, cue, content):
    (a,) = [a for a in extract_attributions(sentence) if a.cue.text == cue]
    assert a.speaker_name in ("Trump", "Donald Trump")
    assert (a.cue.text, a.content.text) == (cue, content)


def test_a_possessive_pronoun_makes_a_cue_word_a_noun():
    text = "Donald Trump spoke in Ohio. There was anger over his comments that Muslims should be banned."
    a = _find(extract_attributions(text), "comments", "Muslims should be banned")
    assert a.speaker_name == "Donald Trump"


@pytest.mark.parametrize("sentence", [
    "Lawmakers debated a proposal to ban imports of the drones.",  # no owner: nobody's position
    "Trump's plans to the committee arrived late.",  # "to" + noun phrase: no infinitive
])
def test_a_position_noun_without_owner_or_infinitive_is_no_statement(sentence):
    assert [a for a in extract_attributions(sentence) if a.cue.text in ("proposal", "plans")] == []


def test_struck_is_a_cue_only_when_it_strikes_down():
    assert extract_attributions("Sanders struck a chord with his attacks on the role of money in politics.") == []


@pytest.mark.parametrize("text, content, name", [
    ("The debate grew louder, with Trump calling for a ban on Muslims entering the country.", "a ban on Muslims",
     "Trump"),
    # the agent named after "by", not the main clause's speaker
    ("Clinton claimed that statements made by Republican front-runner Donald Trump calling for a temporary ban "
     "on Muslim immigration help the recruiters.", "a temporary ban on Muslim immigration", "Donald Trump"),
])
def test_a_name_after_with_or_by_is_the_subject_of_its_participle(text, content, name):
    assert _find(extract_attributions(text), "calling for", content).speaker_name == name


def test_a_relative_who_is_the_speaker_without_the_adverbial_after_it():
    text = ("Senator Bernie Sanders spoke first. In New Hampshire, Sanders, who for weeks had highlighted the millions "
            "of dollars in campaign contributions and speaking fees she received from Wall Street firms, won.")
    a = _find(extract_attributions(text), "highlighted", "speaking fees")
    assert (a.speaker.text, a.speaker_name) == ("who", "Bernie Sanders")


@pytest.mark.parametrize("text, cue, content, name", [
    ("Senator Tim Scott spoke on Monday. Mr. Scott, who has called the remarks racially toxic, stayed calm.",
     "called", "the remarks racially toxic", "Tim Scott"),
    ("Donald J. Trump arrived late. Mr. Trump, who said last week that the judge was biased, issued a statement.",
     "said", "the judge was biased", "Donald J Trump"),
])
def test_a_relative_who_after_an_honorific_is_the_person_named(text, cue, content, name):
    # The full stop of "Mr." ends no sentence: the name before "who" is its antecedent.
    a = _find(extract_attributions(text), cue, content)
    assert (a.speaker.text, a.speaker_name) == ("who", name)


@pytest.mark.parametrize("text, cue, content, name", [
    ("R. Gil Kerlikowske, the United States Customs and Border Protection commissioner, who conceded that many more "
     "tunnels might exist, spoke last.", "conceded", "many more tunnels", "R Gil Kerlikowske"),
    ("Maria Lopez met the mayor, a man of few words, who said the plan was dead.", "said", "the plan was dead", "who"),
    ("Donald Trump spoke in Mexico. This was the Trump who questions the judicial independence of a judge.",
     "questions", "the judicial independence", "Donald Trump"),
    # The run a name is found in may begin with its role.
    ("Kremlin spokesman Dmitry Peskov, who said the claims were nonsense, left early.", "said", "the claims",
     "Dmitry Peskov"),
    ("Vice President Mike Pence -- who said the plan was sound -- spoke.", "said", "the plan was sound", "Mike Pence"),
    ("Mike Pence, 64, the former vice president, who said the plan was sound, spoke.", "said", "the plan",
     "Mike Pence"),
])
def test_a_relative_who_means_the_name_right_before_it_across_one_apposition(text, cue, content, name):
    # A long apposition does not hide the name; a name that is not right before the "who" is not its antecedent.
    assert _find(extract_attributions(text), cue, content).speaker_name == name


def test_an_owner_verb_proposed_stays_a_verb():
    (a,) = extract_attributions("Trump's aides proposed banning Muslims.")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("Trump's aides", "proposed", "banning Muslims")


def test_001_has_long_been_accusing(seed_001):
    _, found = seed_001
    a = _find(found, "accusing", "Iran of supplying drones")
    assert "western allies" in a.speaker.text


def test_002_trailing_plural_speaker_say():
    found = extract_attributions(_seed("002"))
    a = _find(found, "say", "Tehran has provided Moscow with drones")
    assert a.speaker.text == "Western officials"
    assert a.direct is False


def test_002_inverted_said_a_senior_official_has_role_without_name():
    found = extract_attributions(_seed("002"))
    a = _find(found, "said", "combat-capable military")
    assert a.speaker.text == "a senior US defense official"
    assert a.speaker_role == "senior US defense official"


def test_003_contends_that_and_metonym_speaker_stays_as_written():
    found = extract_attributions(_seed("003"))
    a = _find(found, "contends", "the drone shipments predate")
    assert a.speaker.text == "Iran"
    assert a.speaker_name == "Iran"
    assert a.content.text.startswith("the drone shipments predate")


def test_003_speaker_before_a_dash_parenthetical_with_denied():
    found = extract_attributions(_seed("003"))
    a = _find(found, "denied", "employing Iranian drones")
    assert a.speaker.text == "Moscow"


def test_004_role_title_before_name():
    text = _seed("004")
    found = extract_attributions(text)
    a = _find(found, "said", "Cooperation between Iran and Russia")
    assert a.speaker_name == "Nasser Kanani"
    assert a.speaker_role == "Iranian Foreign Ministry spokesman"
    assert a.direct is True
    later = _find(found, "accused", "the US of making")
    assert later.speaker_name == "Nasser Kanani"
    _offsets_index_text(text, found)


def test_004_insists_and_coordinated_said_keep_the_subject():
    found = extract_attributions(_seed("004"))
    assert _find(found, "insists", "only happened before").speaker.text == "Tehran"
    assert _find(found, "dismissed", "Burns").speaker.text == "Iran"
    said = _find(found, "said", "seek permission from anyone")
    assert said.speaker.text == "Iran"


# ---------------------------------------------------------------- forms


def test_quote_then_inverted_cue_and_speaker():
    text = '"We will not back down," said Maria Lopez, the union leader.'
    (a,) = extract_attributions(text)
    assert a.cue.text == "said"
    assert a.speaker.text.startswith("Maria Lopez")
    assert a.speaker_name == "Maria Lopez"
    assert a.speaker_role == "union leader"
    assert a.content.text == "We will not back down"
    assert a.direct is True


def test_speaker_then_that_clause():
    text = "The minister said that the talks had failed."
    (a,) = extract_attributions(text)
    assert a.speaker.text == "The minister"
    assert a.content.text == "the talks had failed"
    assert a.direct is False


def test_according_to_at_end_and_at_start():
    end = extract_attributions("The plant was closed in March, according to the ministry.")
    assert end[0].cue.text == "according to"
    assert end[0].speaker.text == "the ministry"
    assert end[0].content.text == "The plant was closed in March"
    start = extract_attributions("According to two officials, the plant was closed in March.")
    assert start[0].speaker.text == "two officials"
    assert start[0].content.text == "the plant was closed in March"


def test_trailing_say_with_time_adjunct():
    text = "The convoy was attacked near the border, local officials said on Monday."
    (a,) = extract_attributions(text)
    assert a.speaker.text == "local officials"
    assert a.content.text == "The convoy was attacked near the border"


def test_insists_that_and_denied_gerund():
    a = extract_attributions("The company insists that the shipments were legal.")[0]
    assert (a.speaker.text, a.cue.text, a.content.text) == ("The company", "insists", "the shipments were legal")
    b = extract_attributions("The government has consistently denied selling weapons abroad.")[0]
    assert (b.speaker.text, b.cue.text) == ("The government", "denied")
    assert b.content.text == "selling weapons abroad"


def test_accused_of_keeps_object_and_charge():
    a = extract_attributions("The opposition has long accused the mayor of hiding the report.")[0]
    assert a.speaker.text == "The opposition"
    assert a.cue.text == "accused"
    assert a.content.text == "the mayor of hiding the report"


def test_quote_spanning_two_sentences_and_continuation():
    text = '"This is wrong. We will appeal," Jane Smith told reporters. "The court erred."'
    found = extract_attributions(text)
    assert len(found) == 1
    a = found[0]
    assert a.speaker_name == "Jane Smith"
    assert a.direct is True
    assert a.content.text.startswith("This is wrong. We will appeal")
    assert a.content.text.endswith("The court erred")


def test_quote_over_paragraphs_without_closing_mark():
    text = ('“The first paragraph of the statement goes on\n\n'
            '“and the second one closes it,” the spokeswoman said.')
    found = extract_attributions(text)
    a = _find(found, "said", "and the second one closes it")
    assert a.content.start == text.index("The first paragraph")
    assert a.direct is True


def test_curly_and_straight_quotes_are_both_paired():
    curly = extract_attributions("“It is over,” he said.")[0]
    straight = extract_attributions('"It is over," he said.')[0]
    assert curly.content.text == straight.content.text == "It is over"


@pytest.mark.parametrize("text", ["'We never sent drones,' the minister said.",   # British straight singles
                                  "“We never sent drones,’ the minister said.",    # a double closed by a single
                                  "‘We never sent drones,’ the minister said."])
def test_single_and_mismatched_quote_marks_give_the_direct_quotation(text):
    (a,) = extract_attributions(text)
    assert (a.speaker.text, a.cue.text, a.content.text, a.direct) == (
        "the minister", "said", "We never sent drones", True)


def test_straight_apostrophes_inside_single_quotes_stay_apostrophes():
    (a,) = extract_attributions("'The ministers' views on Iran's drones are wrong,' Mr Cleverly said.")
    assert a.content.text == "The ministers' views on Iran's drones are wrong"
    assert a.speaker_name == "Cleverly" and a.direct is True


def test_a_single_mark_inside_a_double_quotation_does_not_close_it():
    (a,) = extract_attributions("“He told me ‘no,’ and left,” she said.")
    assert a.content.text == "He told me ‘no,’ and left"


def test_a_cue_word_after_a_possessive_is_a_noun():
    (a,) = extract_attributions("The minister's aides' briefing said the evidence was fake.")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("The minister's aides' briefing", "said",
                                                           "the evidence was fake")
    assert extract_attributions("Moscow's claims fell apart within a week.") == []
    (verb,) = extract_attributions("Iran's denied the report.")  # 's for "has" before a past form
    assert verb.cue.text == "denied"


def test_unbalanced_quotes_do_not_crash_and_keep_offsets_valid():
    for text in ['He said "this never closes.', 'Odd ” marks “ here, she said.', '"', '“', "said", "",
                 'The "report" said "that', "'' ``  ''"]:
        found = extract_attributions(text)
        _offsets_index_text(text, found)


def test_pronoun_resolution_follows_gender_of_first_name():
    text = ("Foreign Minister Anna Berg met Defence Minister Peter Holm on Monday. "
            '"We agree on the essentials," she said. "Not on everything," he added.')
    found = extract_attributions(text)
    assert _find(found, "said", "essentials").speaker_name == "Anna Berg"
    assert _find(found, "added", "everything").speaker_name == "Peter Holm"


@pytest.mark.parametrize("text, cue, content, speaker", [
    # The name lists call "Bernie" mostly female; the article says "his" twice.
    pytest.param("Senator Bernie Sanders spoke in Concord, and his crowd cheered. Governor Ralph Alvarado stayed home. "
                 "Sanders then took his questions. Reporter Anna Berg asked about banks. "
                 '"The banks run this town," he said.', "said", "banks run this town", "Bernie Sanders",
                 id="the text's pronouns correct a first name's gender"),
    pytest.param("Senator Peter Holm spoke on Monday, saying: “Under John Berg, taxes rose every year.” "
                 "Later, he called for lower taxes.", "called for", "lower taxes", "Peter Holm",
                 id="a pronoun outside quotes means a person the narrative names"),
    pytest.param("Donald Trump spoke in Ohio. His standing improved after the shootings in San Bernardino, Calif., and "
                 "his call for a ban on Muslims entering the country.", "call", "a ban on Muslims", "Donald Trump",
                 id="a place is no person for a pronoun to mean"),
    # "In" and "On" are first names in the name lists; "In California" is no person for "he" to mean.
    pytest.param("Senator Peter Holm spoke for an hour, and his voice gave out. In California, voters lined up. "
                 '"We will win," he said.', "said", "We will win", "Peter Holm",
                 id="a sentence's first word is no first name"),
    # "Kelly" is mostly a woman's first name in the lists; after a title one word is a surname, of no known gender.
    # The full stop of "U.S." ends no sentence: the "his" after it still tells Sanders' gender.
    pytest.param("Senator Bernie Sanders told the U.S. Senate his plan. Sanders told the U.S. crowd his views. "
                 'Reporter Anna Berg asked about banks. "The banks run this town," he said.', "said",
                 "banks run this town", "Bernie Sanders", id="an abbreviation ends no sentence for the gender votes"),
    pytest.param("Queen Elizabeth opened the session. She said the realm was at peace.", "said", "the realm",
                 "Elizabeth", id="one word after a royal title is a first name"),
    pytest.param("Senator Kelly toured the plant on Monday. He said the jobs would stay in Arizona.", "said",
                 "the jobs would stay", "Kelly",
                 id="one word after a title is a surname, not a first name"),
])
def test_a_pronoun_resolves_to_the_person_it_means(text, cue, content, speaker):
    assert _find(extract_attributions(text), cue, content).speaker_name == speaker


def test_a_he_after_a_name_only_women_bear_does_not_make_her_a_man():
    text = ("Senator Peter Holm spoke in Concord. “Anna Berg is a joke,” he said. "
            "“Anna Berg knows nothing,” he added. “Anna Berg will lose,” he said later.")
    found = extract_attributions(text)
    assert {a.speaker_name for a in found if a.cue.text in ("said", "added")} == {"Peter Holm"}


def test_role_noun_needs_matching_modifiers():
    text = ("Swedish Foreign Minister Anna Berg spoke first. Finnish Interior Minister Peter Holm followed. "
            "The top Swedish diplomat said the plan was sound.")
    a = _find(extract_attributions(text), "said", "the plan was sound")
    assert a.speaker_name == "Anna Berg"
    assert a.speaker_role == "Swedish Foreign Minister"


def test_role_noun_demonym_fits_the_country_a_possessive_role_names():
    text = ("Iran's foreign minister Hossein Amir-Abdollahian denied the accusation. "
            "The top Iranian diplomat insisted that Tehran had sent only a small batch of drones.")
    a = _find(extract_attributions(text), "insisted", "a small batch of drones")
    assert a.speaker.text == "The top Iranian diplomat"
    assert a.speaker_name == "Hossein Amir-Abdollahian"


def test_role_noun_demonym_does_not_fit_another_country():
    text = ("Iraq's foreign minister Fuad Hussein spoke first. "
            "The top Iranian diplomat said the talks had failed.")
    a = _find(extract_attributions(text), "said", "the talks had failed")
    assert a.speaker_name == "The top Iranian diplomat"


@pytest.mark.parametrize("opening", ["According to the CIA director, William Burns,",
                                     "According to William Burns, the CIA director,"])
def test_opening_according_to_keeps_the_apposition_and_names_the_person(opening):
    text = f"{opening} Iran plans to send missiles. The CIA director warned that the deliveries would grow."
    found = extract_attributions(text)
    a = _find(found, "According to", "Iran plans to send missiles")
    assert a.speaker.text == opening[len("According to "):-1]
    assert a.content.text == "Iran plans to send missiles"
    assert a.speaker_name == "William Burns"
    later = _find(found, "warned", "the deliveries would grow")
    assert later.speaker_name == "William Burns"


def test_opening_according_to_a_name_then_a_clause_is_no_apposition():
    (a,) = extract_attributions("According to Ham, the current administration has failed.")
    assert a.speaker.text == "Ham"
    assert a.content.text == "the current administration has failed"


def test_a_hedge_in_the_sentence_before_is_not_the_next_speakers():
    text = ("Iran reportedly plans to send missiles, the newspaper said. "
            "Western officials say the drones were used against the power grid.")
    found = extract_attributions(text)
    assert _find(found, "said", "reportedly plans").certainty == "hedged"
    assert _find(found, "say", "the power grid").certainty == "asserted"


@pytest.mark.parametrize("line", ["Published: Tuesday, February 28, 2023", "Posted: 28 Feb 2023 14:05 GMT",
                                  "By: Jon Gambrell and Lolita Baldor", "Last modified: February 28, 2023"])
def test_metadata_labels_before_a_colon_are_no_speakers(line):
    text = f"{line}\n\nThe talks ended on Monday.\n"
    assert extract_attributions(text) == []


def test_hedging_words_mark_certainty():
    hedged = extract_attributions("The group allegedly sold arms, the report said.")[0]
    assert hedged.certainty == "hedged"
    plain = extract_attributions("The group sold arms, the report said.")[0]
    assert plain.certainty == "asserted"


def test_colon_label_in_transcripts():
    text = 'HOST: What do you make of the vote result last night?\n'
    (a,) = extract_attributions(text)
    assert a.speaker.text == "HOST"
    assert a.cue.text == ":"
    assert a.content.text.startswith("What do you make")


def test_lexicon_only_mode_gives_the_same_core_forms():
    text = '"We are ready," the general said.'
    (a,) = extract_attributions(text, use_model=False)
    assert (a.speaker.text, a.content.text, a.direct) == ("the general", "We are ready", True)


_PIECES = ['"', "“", "”", "‘", "’", "'", "''", "``", " said ", " told ", " according to ", " he ", " she ",
           " Mr. ", " U.S. ", "\n", "\n\n", ", ", ". ", "? ", ":", " — ", "(", ")", " the minister", " Anna Berg",
           " adding that ", " that ", "―", " claims", " reports ", "x", "Q", "1999"]


def test_random_quote_soup_never_crashes_and_offsets_stay_exact():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=40))
    def check(parts):
        text = "".join(parts)
        found = extract_attributions(text)
        _offsets_index_text(text, found)
        assert all(a.content.text.strip() for a in found)

    check()


# ---------------------------------------------------------------- scopes and the role tagger

needs_role_tagger = pytest.mark.skipif(
    not __import__("pipeline.extract.attribution.lexical_models", fromlist=["x"]).role_tagger_available(),
    reason="role tagger model or python-crfsuite absent")


def test_product_scope_drops_intentions_that_polnear_counts():
    text = "Republicans want to repeal the law before the election."
    assert extract_attributions(text) == []
    assert extract_attributions(text, scope="statements") == []
    # PolNeAR annotates intentions as attributions; its scope keeps them when the cue model does.
    polnear = extract_attributions(text, scope="polnear")
    assert all(a.cue.text == "want" and a.speaker.text == "Republicans" for a in polnear)


def test_product_scope_drops_a_belief_participle_with_an_object():
    assert extract_attributions("Three US allies are feeling the economic fallout of the war.") == []


def test_product_scope_keeps_a_belief_verb_with_a_clause():
    (a,) = extract_attributions("The minister believes that the treaty will hold.")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("The minister", "believes", "the treaty will hold")


def test_unknown_scope_is_an_error():
    with pytest.raises(ValueError):
        extract_attributions("He said so.", scope="everything")


@needs_role_tagger
def test_role_tagger_keeps_the_apposition_after_an_inverted_speaker():
    text = ('"We will not stand for this," said Paul Rieckhoff, founder and CEO of Iraq and Afghanistan '
            'Veterans of America.')
    (a,) = extract_attributions(text)
    assert a.speaker.text == "Paul Rieckhoff, founder and CEO of Iraq and Afghanistan Veterans of America"
    assert a.speaker_name == "Paul Rieckhoff"
    assert a.content.text == "We will not stand for this"


@needs_role_tagger
def test_role_tagger_apposition_gives_name_and_role_without_the_closing_comma():
    (a,) = extract_attributions("Senator Ann Lee, a Democrat from Ohio, said the bridge was unsafe.")
    assert a.speaker.text == "Senator Ann Lee, a Democrat from Ohio"
    assert a.speaker_name == "Ann Lee"
    assert a.content.text == "the bridge was unsafe"


@needs_role_tagger
def test_role_tagger_never_pulls_the_content_or_a_connective_into_the_speaker(seed_001):
    _, found = seed_001
    said = _find(found, "said", "The United States needs to rally a global coalition")
    assert said.speaker.text == "Deputy Assistant Secretary of Defense Dana Stroul"
    assert said.speaker_name == "Dana Stroul"
    underlined = _find(found, "underlined", "concerns about Iran using the knowledge")
    assert underlined.speaker.text == "Stroul"
    assert underlined.speaker_name == "Dana Stroul"


@needs_role_tagger
def test_role_tagger_drops_a_relative_clause_from_the_speaker():
    text = "Mr. Obama, who understood that a push would be fruitless, told aides that he would act alone."
    told = _find(extract_attributions(text), "told", "he would act alone")
    assert told.speaker.text == "Mr. Obama"


@needs_role_tagger
def test_role_tagger_never_draws_the_fronted_clause_into_the_speaker():
    text = ("Although Scott lacks a signature policy achievement, elected officials from both parties say he "
            "has forged a reputation as a hard worker.")
    (say,) = extract_attributions(text, scope="polnear")
    assert say.speaker.text == "elected officials from both parties"
    assert say.content.text.startswith("he has forged a reputation")


def test_a_noun_phrase_object_of_a_speech_verb_ends_at_its_comma():
    text = ("A chorus of prominent Republicans has said the same thing, including the former presidential "
            "candidate Mitt Romney.")
    (said,) = extract_attributions(text, scope="polnear")
    assert (said.speaker.text, said.content.text) == ("A chorus of prominent Republicans", "the same thing")
    # A subject with an apposition goes on: the reported clause is the content.
    (bill,) = extract_attributions("The senator said the bill, which passed on Monday, would cost billions.")
    assert bill.content.text == "the bill, which passed on Monday, would cost billions"


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_quotation_announced_by_a_colon_is_the_content_of_the_trailing_cue():
    (a,) = extract_attributions("The senator was blunt: “The plan is a failure,” she said.", scope="polnear")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("she", "said", "The plan is a failure")


def test_participle_after_she_said_goes_on_from_her_and_leaves_the_quotation_to_said():
    text = "“The plan is a failure” for the state and its workers, she said, citing the latest figures."
    said, citing = extract_attributions(text)
    assert (said.speaker.text, said.content.text) == ("she", "“The plan is a failure” for the state and its workers")
    assert (citing.speaker.text, citing.content.text) == ("she", "the latest figures")
    text = "“The plan is a failure” for the state, she said, referencing the latest figures."
    assert extract_attributions(text)[0].content.text == "“The plan is a failure” for the state"


def test_raising_verb_has_no_source_in_polnear_scope():
    text = "No major polls appear to have been conducted in South Dakota before the primary."
    (a,) = extract_attributions(text, scope="polnear")
    assert a.speaker is None and a.cue.text == "appear"
    assert a.content.text == "to have been conducted in South Dakota"
    assert extract_attributions(text) == []  # the product's scope: no statement


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_a_poll_or_report_keeps_its_date_in_the_source_and_a_person_does_not():
    (poll,) = extract_attributions("A Washington Post-ABC News poll last week found Clinton ahead.", scope="polnear")
    assert poll.speaker.text == "A Washington Post-ABC News poll last week"
    (released,) = extract_attributions("A CBS poll released Monday shows Clinton ahead.", scope="polnear")
    assert released.speaker.text == "A CBS poll released Monday"
    (according,) = extract_attributions("Clinton leads by four points, according to the latest Reuters/Ipsos opinion "
                                        "poll released Friday.", scope="polnear")
    assert according.speaker.text == "the latest Reuters/Ipsos opinion poll released Friday"
    (person,) = extract_attributions("Clinton on Tuesday said the deal was bad.")
    assert person.speaker.text == "Clinton"


@needs_role_tagger
def test_signature_after_a_dash_keeps_the_whole_name_with_its_initial():
    text = "Here are some replies.\n\n“He is not fit to lead our nation.” ― Edwin G. Monroy\n"
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker.text, a.content.text) == ("Edwin G. Monroy", "He is not fit to lead our nation")


def test_delegate_abbreviation_does_not_end_the_sentence():
    (a,) = extract_attributions('"This is a waste of time," said Del. Stacey Plaskett.')
    assert (a.speaker.text, a.speaker_name) == ("Del. Stacey Plaskett", "Stacey Plaskett")


def test_according_to_a_person_familiar_with_keeps_what_they_know():
    (a,) = extract_attributions("The decision was made in secret, according to a person familiar with Johnson's views.")
    assert a.speaker.text == "a person familiar with Johnson's views"
    assert a.content.text == "The decision was made in secret"


def test_titled_name_before_of_place_is_the_name_not_the_place():
    (mica,) = extract_attributions('"This is a waste of time," said Rep. John Mica of Florida.')
    assert (mica.speaker.text, mica.speaker_name) == ("Rep. John Mica of Florida", "John Mica")
    (plaskett,) = extract_attributions('"This is a waste of time," said Del. Stacey Plaskett of the Virgin Islands.')
    assert (plaskett.speaker.text, plaskett.speaker_name) == ("Del. Stacey Plaskett of the Virgin Islands", "Stacey Plaskett")
    (blinken,) = extract_attributions('"We will act," said Secretary of State Antony Blinken.')
    assert (blinken.speaker_name, blinken.speaker_role) == ("Antony Blinken", "Secretary of State")


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_participle_describing_a_report_is_no_cue_of_its_own():
    (a,) = extract_attributions("A report released Tuesday found that the program was flawed.", scope="polnear")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("A report released Tuesday", "found", "the program was flawed")


def test_participle_cue_takes_the_whole_subject_noun_phrase():
    text = "Mr. Trump spoke at the rally, noting that the polls were rigged."
    (a,) = [a for a in extract_attributions(text) if a.cue.text == "noting"]
    assert (a.speaker.text, a.content.text) == ("Mr. Trump", "the polls were rigged")


needs_cue_crf = pytest.mark.skipif(
    not __import__("pipeline.extract.attribution.lexical_models", fromlist=["x"]).cue_crf_available(),
    reason="cue sequence tagger model or python-crfsuite absent")


@needs_cue_crf
def test_cue_sequence_tagger_marks_long_tail_cue_words_and_skips_quotations():
    from pipeline.extract.attribution import document, lexical_models

    doc = document.Doc("The senator enjoyed tremendous support from unions. “We will win,” she said.")
    probs = {doc.tokens[i].text: p for i, p in lexical_models.cue_crf_probabilities(doc).items()}
    assert probs["enjoyed"] > 0.5 and probs["said"] > 0.9
    assert probs["senator"] < 0.1 and probs["unions"] < 0.1
    assert "win" not in probs  # inside a quotation: never a cue the extractor reads


def test_in_a_poll_is_the_source_of_its_finding_in_polnear_scope():
    text = "In the previous Washington Post/ABC News national poll, conducted in early September, Clinton led Trump by 5 points."
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker.text, a.cue.text) == ("the previous Washington Post/ABC News national poll, conducted in early September", "In")
    assert a.content.text == "Clinton led Trump by 5 points"
    (b,) = extract_attributions("Despite the ads, she did not receive a bump in one of the first post-debate polls.", scope="polnear")
    assert (b.speaker.text, b.content.text) == ("one of the first post-debate polls", "she did not receive a bump")
    assert extract_attributions(text) == []  # the product's scope: a poll is no statement
    assert extract_attributions("He lives in a house near the river.", scope="polnear") == []


def test_speaker_edges_drop_focus_adverbs_and_relative_pronouns():
    (a,) = extract_attributions("Even China, the country's only ally, said it was opposed to the test.")
    assert a.speaker.text == "China, the country's only ally"
    (b,) = extract_attributions("Both Mr. King and Mr. Schultz say the rules are too strict.")
    assert b.speaker.text == "Both Mr. King and Mr. Schultz"
    (c,) = extract_attributions("Both senators say the rules are too strict.")
    assert c.speaker.text == "Both senators"


def test_paragraph_opening_with_a_closing_mark_is_a_quotation_signed_after_a_dash():
    text = "Here are some of the replies.\n\n”He has empowered the worst of us. He represents our greatest shame.” ― Sonya Herridge\n"
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker.text, a.cue.text) == ("Sonya Herridge", "―")
    assert a.content.text == "He has empowered the worst of us. He represents our greatest shame"
    assert a.direct is True


def test_participle_after_a_quotation_takes_a_clause_not_an_inverted_speaker():
    text = '"He performed 100 percent, was at the top of his game," suggesting the second debate erased all memory of his first performance.'
    assert all(a.cue.text != "suggesting" for a in extract_attributions(text, scope="polnear"))
    (a,) = extract_attributions('"We will win this state," saying Mr. Kaine on Sunday.', scope="polnear")
    assert (a.speaker.text, a.cue.text) == ("Mr. Kaine", "saying")


def test_content_ends_before_another_speakers_statement_after_comma_and():
    text = "Obama emphasized that the reforms were not complete, and human rights groups warned that abuses continue."
    found = {a.cue.text: a for a in extract_attributions(text, scope="polnear")}
    assert found["emphasized"].content.text == "the reforms were not complete"
    assert (found["warned"].speaker.text, found["warned"].content.text) == ("human rights groups", "abuses continue")
    (b,) = extract_attributions("He said there are people who think in stark terms, and who feel buoyed by it.")
    assert b.content.text == "there are people who think in stark terms, and who feel buoyed by it"


def test_content_ends_at_but_after_a_quotation_closing_on_a_comma():
    text = "Trump is promising lower taxes and “jobs, jobs, jobs,” but he has also intensified the dire warnings."
    found = {a.cue.text: a for a in extract_attributions(text, scope="polnear")}
    assert found["promising"].content.text == "lower taxes and “jobs, jobs, jobs,”"


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_passive_by_keeps_the_agent_as_speaker_and_the_subject_as_content():
    (a,) = extract_attributions("His views were echoed by a number of tax experts.", scope="polnear")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("a number of tax experts", "were echoed", "His views")


def test_headline_colon_with_a_quotation_names_its_source():
    text = "Senator Hammers Bank Chief Over Fees: ‘You Should Be Investigated.’\n\nThe hearing ran late on Tuesday."
    (a,) = [a for a in extract_attributions(text, scope="polnear") if a.cue.text == ":"]
    assert (a.speaker.text, a.content.text) == ("Senator Hammers Bank Chief Over Fees", "You Should Be Investigated")
    text = "A lesson from Loretta Lynch: ‘Be the voice that people hear.’\n\nShe spoke at the law school."
    (b,) = [a for a in extract_attributions(text, scope="polnear") if a.cue.text == ":"]
    assert b.speaker.text == "Loretta Lynch"


def test_tagged_speaker_does_not_run_over_a_comma_into_the_next_clause():
    text = ("The top 1 percent paid 25.4 percent of all federal taxes in 2013, according to the nonpartisan "
            "Congressional Budget Office, and the top 10 percent paid 69 percent of all taxes.")
    (a,) = extract_attributions(text, scope="polnear")
    assert a.speaker.text == "the nonpartisan Congressional Budget Office"
    (b,) = extract_attributions("According to Ham, the current administration has shuffled through military leaders.")
    assert (b.speaker.text, b.content.text) == ("Ham", "the current administration has shuffled through military leaders")


def test_content_of_a_cue_in_a_fronted_subordinate_clause_ends_with_the_clause():
    text = "While he acknowledged funding was a major reason, Ham also noted that several problems left him disillusioned."
    found = {a.cue.text: a for a in extract_attributions(text, scope="polnear")}
    assert found["acknowledged"].content.text == "funding was a major reason"
    assert (found["noted"].speaker.text, found["noted"].content.text) == ("Ham", "several problems left him disillusioned")
    # "As X put it, ...": the cue takes no complement of its own inside the clause; nothing is cut.
    text = "As one analyst pointed out with a chart, the gap between the two candidates is vast."
    (b,) = extract_attributions(text, scope="polnear")
    assert "the gap between the two candidates is vast" in b.content.text


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_tagged_cue_asks_for_the_rules_speaker_when_unsure_without_it():
    text = "The agency had intended the program to be a success, and now it could say so."
    found = {a.cue.text: a for a in extract_attributions(text, scope="polnear")}
    assert (found["had intended"].speaker.text, found["had intended"].content.text) == ("The agency", "the program to be a success")
    text = "The rabid partisans are not only an arm of the party, they are willing to lie to serve that goal."
    (b,) = extract_attributions(text, scope="polnear")
    assert (b.speaker.text, b.cue.text, b.content.text) == ("they", "are willing", "to lie to serve that goal")


def test_addressee_ends_at_a_time_adjunct_and_a_relative_that_is_no_complement():
    text = '"The talks went well," the minister told reporters after the meeting that was held on Friday.'
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker.text, a.cue.text, a.content.text) == ("the minister", "told", "The talks went well")


def test_cue_between_commas_before_a_new_clause_takes_the_content_before_it():
    text = "It would take two weeks to convene the committee, he said, and intense wrangling could follow."
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker.text, a.content.text) == ("he", "It would take two weeks to convene the committee")


@pytest.mark.parametrize(("text", "name", "role"), [
    # A member of a body: the capitalised words after "for the" / "at the" name the body, not the person.
    ("A spokesman for the Kremlin said the talks failed.", "A spokesman for the Kremlin", "spokesman for the Kremlin"),
    ("A professor at the University of Tehran said the talks failed.", "A professor at the University of Tehran",
     "professor at the University of Tehran"),
    # A body whose own name holds "of"; a title's "of" still leads to the name after it.
    ("The University of Michigan said the study was flawed.", "University of Michigan", None),
    ("The Bank of England said rates would rise.", "Bank of England", None),
    ("Secretary of State Antony Blinken said the talks failed.", "Antony Blinken", "Secretary of State"),
    # The apposition after a body's spokesman is the person.
    ("The spokesman for Acme Corp, John Smith, said it failed.", "John Smith", "spokesman for Acme Corp"),
])
def test_speaker_name_tells_a_body_from_the_person_who_speaks_for_it(text, name, role):
    (a,) = extract_attributions(text)
    assert (a.speaker_name, a.speaker_role) == (name, role)


def test_body_named_in_a_role_is_not_remembered_as_a_person():
    text = "The spokesman for Acme Corp, John Smith, said it failed. Smith later said it worked."
    later = _find(extract_attributions(text), "said", "it worked")
    assert later.speaker_name == "John Smith"


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_an_adverb_or_a_lone_verb_form_is_never_a_speaker():
    (a,) = extract_attributions("It is worth noting that the plan failed.", scope="polnear")
    assert (a.speaker, a.cue.text, a.content.text) == (None, "noting", "the plan failed")
    # "Having said that" is a connective: the sentence's statement is the critics'.
    (b,) = extract_attributions("Having said that, critics insist the plan failed.", scope="polnear")
    assert (b.speaker.text, b.cue.text, b.content.text) == ("critics", "insist", "the plan failed")


def test_a_sentence_adverb_before_the_subject_is_not_part_of_the_speaker():
    text = "The spokesman for Acme Corp, John Smith, said it failed. Later Smith said it worked."
    later = _find(extract_attributions(text), "said", "it worked")
    assert (later.speaker.text, later.speaker_name) == ("Smith", "John Smith")
    (a,) = extract_attributions("Meanwhile the Kremlin said the talks had failed.")
    assert a.speaker.text == "the Kremlin"
    (b,) = extract_attributions("Today show host Al Roker said the storm had passed.")
    assert (b.speaker.text, b.speaker_name) == ("Today show host Al Roker", "Al Roker")


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_naming_participles_have_no_source_in_polnear_scope():
    text = "He is better known as a Dallas Cowboys fan than as a politician."
    (a,) = extract_attributions(text, scope="polnear")
    assert (a.speaker, a.cue.text) == (None, "known")
    # After a form of "have", "known" is a verb with its own subject.
    found = extract_attributions("Trump had known him for years, and we've known that he lies.", scope="polnear")
    assert [(a.speaker.text, a.cue.text) for a in found] == [("Trump", "had known"), ("we've", "known")]


@pytest.mark.usefixtures("without_encoders")  # the rules and CRFs; tests/extract/test_encoders.py: with encoders
def test_a_noun_before_of_is_no_speaker_of_its_own_complement():
    text = "There were accusations of favoritism toward Clinton Foundation donors during her time as secretary."
    assert [a.cue.text for a in extract_attributions(text, scope="polnear")] == []
    text = 'The crowd broke into spontaneous chants of "Lock her up!"'
    assert all(a.cue.text != "of" for a in extract_attributions(text, scope="polnear"))
    (a,) = extract_attributions("Various reports of migrants traveling to Europe on false passports emerged.", scope="polnear")
    assert (a.speaker, a.cue.text) == (None, "reports")


@pytest.mark.parametrize("text, speaker", [
    ("According to the Pentagon, the drones came from Iran.", "the Pentagon"),
    ("According to a senior Pentagon official, the drones came from Iran, which denies it.",
     "a senior Pentagon official"),
])
def test_the_tagged_speaker_never_runs_into_the_content_it_introduces(text, speaker):
    from pipeline.config import DEFAULT_ACTORS_PATH
    from pipeline.extract.parties import load_actors, resolve_party

    (a,) = extract_attributions(text)
    assert (a.speaker.text, a.content.text[:25]) == (speaker, "the drones came from Iran")
    # The content's own names ("Iran") must not decide whose statement it is.
    party = resolve_party(load_actors(DEFAULT_ACTORS_PATH), a.speaker_name, a.speaker.text, a.speaker_role, None)
    assert party.party_id == "united-states"
