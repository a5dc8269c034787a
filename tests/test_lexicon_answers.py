"""Reading the customer's answer to a clarifying question."""

from __future__ import annotations

import pytest

from ccsim.agents.lexicon.answers import read_answer
from ccsim.agents.lexicon.normalise import normalise
from ccsim.agents.questions import ClarifyingQuestion
from ccsim.contact_center.taxonomy import Route

Q = ClarifyingQuestion
NO_SCORES = dict.fromkeys(Route, 0.0)


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        (Q.RECOGNIZE_MERCHANT, "Yes I know them, but they charged me twice", Route.DISPUTES),
        (Q.RECOGNIZE_MERCHANT, "No, I've never heard of them", Route.FRAUD),
        (Q.RECOGNIZE_MERCHANT, "hmm the name kind of rings a bell", Route.TRANSACTIONS),
        (Q.RECOGNIZE_MERCHANT, "it's not from a shop, it's a fee from the bank", Route.KNOWLEDGE_BASE),
        (Q.LOST_OR_UNKNOWN_CHARGES, "No, no other charges", Route.CARD_SERVICES),
        (Q.LOST_OR_UNKNOWN_CHARGES, "someone has already used it at a gas station", Route.FRAUD),
        (Q.LOST_OR_UNKNOWN_CHARGES, "yes it's stolen", Route.CARD_SERVICES),
        (Q.PAYMENT_TROUBLE, "I just can't afford it this month", Route.HARDSHIP),
        (Q.CLOSE_ACCOUNT, "close it altogether", Route.ACCOUNT_CLOSURE),
        (Q.CLOSE_ACCOUNT, "no, just block it", Route.CARD_SERVICES),
        (Q.RECOGNIZE_MERCHANT, "what?", None),
        (Q.DETAILS, "yes", None),  # an open question's answer is scored as text, with no vote
    ],
)
def test_answers_point_to_a_route(question: ClarifyingQuestion, answer: str, expected: Route | None) -> None:
    assert read_answer(question, normalise(answer), NO_SCORES) is expected


def test_a_bill_question_goes_to_the_helper_the_conversation_points_to() -> None:
    answer = normalise("no, just a question about the bill")
    assert read_answer(Q.PAYMENT_TROUBLE, answer, NO_SCORES) is Route.ACCOUNT_SERVICES
    scores = NO_SCORES | {Route.KNOWLEDGE_BASE: 2.5, Route.FRAUD: 9.0}  # a human route is never the fallback
    assert read_answer(Q.PAYMENT_TROUBLE, answer, scores) is Route.KNOWLEDGE_BASE
