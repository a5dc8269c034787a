"""What the customer's answer to one of the policy's clarifying questions says about the route.

Each reader takes the answer as normalised text (agents.lexicon.normalise) and returns the route it points
to, or None when the answer settles nothing: the answer is then scored like any other customer text.
"""

from __future__ import annotations

import re

from ccsim.agents.lexicon import cues
from ccsim.agents.lexicon.evidence import MIN_EVIDENCE, NOT_RECOGNISED, issue_scores
from ccsim.agents.questions import ClarifyingQuestion
from ccsim.contact_center.taxonomy import ROUTES, Route, RouteKind

R = Route

_YES = re.compile(r"^\W*(yes|yeah|yep|yup|ya|yea|sure|correct|right|i do|it is|definitely|absolutely|of course)\b")
_NO = re.compile(r"^\W*(no|nope|nah|not really|never|negative)\b")

# -- do you recognise the merchant? ----------------------------------------------------------------------------

_NO_MERCHANT = re.compile(
    r"\bnot (from )?(a |the |any )?(shop|store|merchant|company|business)\b|\b(fee|interest)\b.{0,30}\b(bank|"
    r"you|your|card)\b|\bfrom (the bank|you|your bank)\b"
)
_NO_BELL = re.compile(r"\b(maybe|unsure|not certain)\b.{0,60}\b(does not|do not|doesn't) ring a bell\b")
_KNOWS_MERCHANT = re.compile(
    r"^\W*(yes|yeah|yep|yup|i do)\b(?![^.]{0,25}\bnot\b).{0,20}\b(recognise|know)\b"
    r"|\bi (do )?recognise (it|them|the (merchant|store|shop|company|name)|this|that|\w+, i)\b"
    r"|\bi have (bought|shopped|ordered) from them\b"
)
_NOT_THEIRS = re.compile(
    r"\b(never (heard|been|shopped|bought|used|made|ordered|signed)|(did|have|had) not (make|made|buy|bought|"
    r"order|authori[sz]e|do|use|sign)|not (me|mine)|was not me|someone else|unauthorized|fraud|stolen|not "
    r"(made|done) by me|no clue who|no idea who)\b"
)
_UNSURE = re.compile(
    r"\bunsure\b|\bmaybe\b|\bmight\b|\bpossibly\b|\bperhaps\b|\bcan not tell\b|\bthe name\b|"
    r"\bdoes not ring\b|\bnot certain\b|\bcould be\b|\bdo not know (if|whether)\b"
)
_UNKNOWN_MERCHANT = re.compile(
    r"\b(do not|does not|did not) (recognise|know)\b|\bnot recognised?\b|\bunfamiliar\b|"
    r"\bno idea\b|\bnever (heard|seen|been|shopped|bought|used)\b|\bdo not know (them|it|this|that|who|what)\b"
)
_FAMILIAR = re.compile(
    r"\b(i |yes,? i )?(do )?(recognise|know) (it|them|the|this|that|him|her)\b|\bi (did )?(buy|bought|"
    r"order\w*|shop\w*|use|used|paid|made|subscribe\w*|signed)\b|\bit is (mine|my)\b|\bmy (own )?"
    r"(gym|subscription|order|purchase)\b|\bfamiliar\b|\brecognise\b"
)


def _recognises_merchant(text: str) -> Route | None:
    if _NO_MERCHANT.search(text):
        # A bank fee or interest charge has no merchant: a knowledge question, not fraud or a dispute.
        return R.KNOWLEDGE_BASE
    if cues.hedged_recognition(text) or _NO_BELL.search(text):
        return R.TRANSACTIONS
    if _KNOWS_MERCHANT.search(text):
        # Knowing the merchant decides the dispute side (rule 1), even if this particular charge is wrong.
        return R.DISPUTES
    if _NOT_THEIRS.search(text):
        return R.FRAUD
    if _UNSURE.search(text):
        return R.TRANSACTIONS
    if _UNKNOWN_MERCHANT.search(text):
        return R.FRAUD
    if _FAMILIAR.search(text):
        return R.DISPUTES
    if _YES.search(text):
        return R.DISPUTES
    if _NO.search(text):
        return R.FRAUD
    return None


# -- is the card lost or stolen, and are there charges you didn't make? ----------------------------------------

_CHARGES_MADE = re.compile(
    r"\b(someone|somebody)\b.{0,20}\b(used|using|spent|bought|took|charged)\b|\bthere (are|is|were|was) "
    r"(some|a few|two|three|several|\d+)?\s*(charges?|transactions?|purchases?|payments?)\b|\bcharges? on it\b"
)
_LOST = re.compile(r"\b(lost|stolen|missing|misplaced)\b")
_LOST_OR_GONE = re.compile(r"\b(lost|stolen|missing|misplaced|gone)\b")


def _unknown_charges(text: str) -> Route | None:
    if cues.no_unknown_charges(text):
        return R.CARD_SERVICES
    if NOT_RECOGNISED in issue_scores(text) or _CHARGES_MADE.search(text):
        return R.FRAUD
    if _NO.search(text):
        return R.CARD_SERVICES
    if _YES.search(text) and not _LOST.search(text):
        return R.FRAUD
    if _LOST_OR_GONE.search(text):
        return R.CARD_SERVICES
    return None


# -- trouble affording the payments, or a question about the bill? ---------------------------------------------

_NO_TROUBLE = re.compile(
    r"\b(not (having )?(any )?(trouble|problem|difficult\w*)|just (a |have a )?(question|query|"
    r"wondering|asking|checking)|i can (afford|pay)|no problem|fine|question about)\b"
)
_TROUBLE = re.compile(r"\b(trouble|afford|tight|hard|struggl\w*)\b")


def _payment_trouble(text: str, helper_fallback: Route) -> Route | None:
    if _NO_TROUBLE.search(text):
        return helper_fallback
    if any(route is R.HARDSHIP for route, _ in issue_scores(text)) or _TROUBLE.search(text):
        return R.HARDSHIP
    if _YES.search(text):
        return R.HARDSHIP
    if _NO.search(text):
        return helper_fallback
    return None


# -- close the account altogether, or just replace or block this card? -----------------------------------------

_KEEP_ACCOUNT = re.compile(r"^\W*(no|nope|nah)\b|\b(do not|not) (want|wish|trying|looking) to close\b")
_JUST_THE_CARD = re.compile(
    r"\b(just|only) (replace|block|lock|freeze|cancel the card|a new card)\b|\b(replace|replacement|"
    r"block|lock|freeze|new card)\b"
)
_CLOSE_ALL = re.compile(r"\bclose\w*\b|\baltogether\b|\bfor good\b|\beverything\b")


def _close_account(text: str) -> Route | None:
    if _KEEP_ACCOUNT.search(text):
        return R.CARD_SERVICES
    if _JUST_THE_CARD.search(text):
        return R.CARD_SERVICES
    if _CLOSE_ALL.search(text) or _YES.search(text):
        return R.ACCOUNT_CLOSURE
    if _NO.search(text):
        return R.CARD_SERVICES
    return None


def read_answer(question: ClarifyingQuestion, answer: str, scores: dict[Route, float]) -> Route | None:
    """The route the normalised `answer` to `question` points to, given the conversation's route `scores`."""
    match question:
        case ClarifyingQuestion.RECOGNIZE_MERCHANT:
            return _recognises_merchant(answer)
        case ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES:
            return _unknown_charges(answer)
        case ClarifyingQuestion.PAYMENT_TROUBLE:
            # "Just a question about the bill" goes to the helper the rest of the conversation points to.
            helpers = {r: s for r, s in scores.items() if ROUTES[r].kind is RouteKind.HELPER and s >= MIN_EVIDENCE}
            fallback = max(helpers, key=helpers.__getitem__) if helpers else R.ACCOUNT_SERVICES
            return _payment_trouble(answer, fallback)
        case ClarifyingQuestion.CLOSE_ACCOUNT:
            return _close_account(answer)
        case _:
            # The answer to an open question is scored like any other customer text; it needs no vote.
            return None
