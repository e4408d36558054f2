"""The last step of a link: the judge's probabilities, the retrieval scores and the word rules' signals, weighed.

Each (statement, assertion) pair the contextual linker judged becomes one `PairEvidence`; `decide`
turns it into a stance, a confidence and a relatedness. Its two constants were checked on the
training disputes (../shared/eval/disputes_train), never on the dev ones: a grid around them moved
the training F1 by less than 0.01. A logistic regression fitted on the same pairs did worse there
(F1 0.44 against 0.47) and linked far too much on the seeds, so the rule stays.
"""

from __future__ import annotations

from pipeline.models import Stance, Strict

COSINE_FULL = 0.55  # a reading this near an assertion's nearest side (or nearer) is fully on its topic
DISCUSSION_DISCOUNT = 0.75  # certainty kept when the judge reads a statement as discussing, taking no side


class PairEvidence(Strict):
    """What is known about one (statement, assertion) pair when it is decided."""

    claim: list[float]  # the judge on (claim, reading): supports, refutes, discusses, unrelated
    counter: list[float] | None = None  # the same on the counterclaim, when there is one
    cosine: float
    word_stance: Stance | None = None  # the word linker's link, if it made one
    word_confidence: float = 0.0
    word_below_threshold: bool = False
    rule_stance: Stance | None = None  # a word rule's stance signal when one fired
    rule_certainty: float = 0.0

    def sides(self) -> tuple[float, float, float]:
        """Return (asserts, denies, discusses) mass: supporting the counterclaim is denying the claim."""
        asserts, denies, discusses = self.claim[0], self.claim[1], self.claim[2]
        if self.counter is not None:
            asserts, denies = (asserts + self.counter[1]) / 2, (denies + self.counter[0]) / 2
            discusses = (discusses + self.counter[2]) / 2
        return asserts, denies, discusses



def decide(evidence: PairEvidence) -> tuple[Stance, float, float]:
    """Return (stance, confidence, relatedness) of a pair.

    Relatedness: the judge's "not unrelated" on the claim side (a counterclaim such as "the accusations
    are false" fits any denial), scaled by how near the reading's embedding lies to the assertion (the
    judge alone calls most statements of the same field related). Stance: a word rule's signal where
    one fired (a denying cue or denying words: what the speaker literally said), else the judge's
    leaning, discounted when it reads the statement as discussion rather than a side taken.
    """
    asserts, denies, discusses = evidence.sides()
    relatedness = (1.0 - evidence.claim[3]) * min(1.0, max(0.0, evidence.cosine) / COSINE_FULL)
    if evidence.rule_stance is not None:
        return evidence.rule_stance, relatedness * evidence.rule_certainty, relatedness
    leaning = asserts + denies
    stance = Stance.ASSERTS if asserts >= denies else Stance.DENIES
    certainty = 0.5 + 0.5 * abs(asserts - denies) / leaning if leaning > 0 else 0.5
    if discusses > leaning:
        certainty *= DISCUSSION_DISCOUNT
    return stance, relatedness * certainty, relatedness
