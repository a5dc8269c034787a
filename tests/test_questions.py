"""The fixed clarifying questions and recognising them in any planner's wording."""

from __future__ import annotations

import pytest

from ccsim.agents.questions import ClarifyingQuestion, classify_question, question_text


@pytest.mark.parametrize("question", list(ClarifyingQuestion))
def test_canonical_text_is_recognised_as_itself(question: ClarifyingQuestion) -> None:
    text = question_text(question)
    assert text.endswith("?")
    assert classify_question(text) is question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Just to confirm, is this a company you've bought from before?", ClarifyingQuestion.RECOGNIZE_MERCHANT),
        ("Did you make this purchase yourself?", ClarifyingQuestion.RECOGNIZE_MERCHANT),
        ("Are you familiar with the merchant listed on the statement?", ClarifyingQuestion.RECOGNIZE_MERCHANT),
        ("Do you recognize that transaction?", ClarifyingQuestion.RECOGNIZE_MERCHANT),
        ("Have you noticed any unfamiliar transactions since you lost it?", ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES),
        (
            "Was the card stolen, and do you see any purchases you didn't make?",
            ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES,
        ),
        ("Has anyone used the card since it went missing?", ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES),
        ("Is this something you are able to pay right now?", ClarifyingQuestion.PAYMENT_TROUBLE),
        ("Are you experiencing financial difficulty at the moment?", ClarifyingQuestion.PAYMENT_TROUBLE),
        ("Would you like the account closed, or just a replacement card?", ClarifyingQuestion.CLOSE_ACCOUNT),
        ("Which one is more urgent for you today?", ClarifyingQuestion.WHICH_ISSUE),
        ("Can you explain what happened?", ClarifyingQuestion.DETAILS),
        ("How can I help you today?", ClarifyingQuestion.DETAILS),
    ],
)
def test_paraphrased_llm_questions(text: str, expected: ClarifyingQuestion) -> None:
    assert classify_question(text) is expected


@pytest.mark.parametrize("text", ["Thanks, have a nice day.", "I've locked your card now.", ""])
def test_statements_are_not_questions(text: str) -> None:
    assert classify_question(text) is None
