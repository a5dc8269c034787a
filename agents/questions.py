"""The fixed set of clarifying questions a planner may ask, and recognising them in free text.

Every planner (rules, local model, hosted LLM) asks in its own words; the scripted customer needs to
know which of these few questions it was asked so it can answer from the scenario's hidden facts.
"""

from __future__ import annotations

import re
from enum import StrEnum


class ClarifyingQuestion(StrEnum):
    """A clarifying question the routing policy allows (rule 7 of routing_policy.md)."""

    RECOGNIZE_MERCHANT = "recognize_merchant"
    LOST_OR_UNKNOWN_CHARGES = "lost_or_unknown_charges"
    PAYMENT_TROUBLE = "payment_trouble"
    CLOSE_ACCOUNT = "close_account"
    WHICH_ISSUE = "which_issue"
    DETAILS = "details"


_CANONICAL_TEXT: dict[ClarifyingQuestion, str] = {
    ClarifyingQuestion.RECOGNIZE_MERCHANT: (
        "Do you recognise the merchant on that charge, or is it a charge you didn't make?"
    ),
    ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES: (
        "Is the card lost or stolen, and are there any charges on it you didn't make?"
    ),
    ClarifyingQuestion.PAYMENT_TROUBLE: (
        "Are you having trouble affording your payments, or do you have a question about the bill?"
    ),
    ClarifyingQuestion.CLOSE_ACCOUNT: (
        "Do you want to close the card account altogether, or just replace or block this card?"
    ),
    ClarifyingQuestion.WHICH_ISSUE: "Which of those matters most to sort out first?",
    ClarifyingQuestion.DETAILS: "Could you tell me a bit more about what's going on?",
}


def question_text(question: ClarifyingQuestion) -> str:
    """The canonical wording of a clarifying question."""
    return _CANONICAL_TEXT[question]


# Checked in order: the specific questions first, so that "could you tell me more about the charge, do you
# know the merchant?" is a merchant question and not a request for details. Within a question the cue
# lists are alternatives; one hit is enough.
_CUES: tuple[tuple[ClarifyingQuestion, tuple[str, ...]], ...] = (
    (
        ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES,
        (
            r"\b(lost|stolen|missing|misplaced)\b.*\b(charges?|transactions?|purchases?|payments?|activity)\b",
            r"\b(charges?|transactions?|purchases?|activity)\b.*\b(lost|stolen|missing|misplaced)\b",
            r"\b(any|other|unfamiliar|unknown|unusual|suspicious)\s+(charges?|transactions?|purchases?|activity)"
            r"\b.*\b(card|account)\b",
            r"\bhas (anyone|someone) (used|been using)\b",
            r"\bsince (you|it was) (lost|lost it|misplaced)\b",
        ),
    ),
    (
        ClarifyingQuestion.RECOGNIZE_MERCHANT,
        (
            r"\brecogni[sz]e\b",
            r"\b(know|familiar with|heard of)\b.*\b(merchant|company|business|shop|store|seller|retailer|them)\b",
            r"\b(bought|purchased|shopped|ordered|done business)\b.*\b(from|with|at)\b",
            r"\b(did|do) you (make|authori[sz]e|approve)\b",
            r"\b(was|is) (this|that|it) (a |the )?(charge|purchase|payment|transaction) (you|that you) (made|did)\b",
            r"\bcharge you (didn'?t|did not) make\b",
            r"\bmade (this|that|the) (purchase|charge|payment|transaction)\b",
            r"\bis (this|that|it) (your|yours)\b",
        ),
    ),
    (
        ClarifyingQuestion.PAYMENT_TROUBLE,
        (
            r"\b(afford|affording|hardship|struggl\w*|difficult\w*|trouble paying|behind on)\b",
            r"\b(financial|money) (trouble|difficult\w*|problems?|situation)\b",
            r"\bable to (make|pay|keep up)\b",
            r"\bquestion about (the|your) (bill|statement|payment)\b",
        ),
    ),
    (
        ClarifyingQuestion.CLOSE_ACCOUNT,
        (
            r"\bclose\b.*\baccount\b",
            r"\b(account|card)\b.*\b(closed|closing|altogether|for good|permanently)\b",
            r"\bcancel (the|your) (whole|entire) (account|card)\b",
        ),
    ),
    (
        ClarifyingQuestion.WHICH_ISSUE,
        (
            r"\bwhich (one|of (those|these|them)|issue|problem|matters?)\b",
            r"\b(most|more) (important|urgent|pressing)\b",
            r"\b(first|start with|priorit\w+)\b.*\b(issue|problem|thing|those|these)\b",
        ),
    ),
    (
        ClarifyingQuestion.DETAILS,
        (
            r"\b(tell|say|explain|describe)\b.*\b(more|what|details?|happened|going on)\b",
            r"\bmore (detail|information|info|about)\b",
            r"\bwhat (happened|is going on|'?s going on|seems to be|can i help|do you need)\b",
            r"\bhow can i help\b",
            r"\bwhat (exactly|specifically)\b",
            r"\bcould you (clarify|elaborate)\b",
        ),
    ),
)

_COMPILED = tuple((q, tuple(re.compile(p) for p in pats)) for q, pats in _CUES)


def classify_question(text: str) -> ClarifyingQuestion | None:
    """Which clarifying question a planner's free-text message asks, or None if it asks none of them."""
    normalised = text.lower().replace("’", "'")
    for question, patterns in _COMPILED:
        if any(p.search(normalised) for p in patterns):
            return question
    return None
