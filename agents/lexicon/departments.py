"""A department's name is where a call goes, never what it is about (routing policy rules 5 and 6).

"Fraud department", "the disputes team", "Card services", "Account closure (retention)": a customer who names
a department names a destination, and the policy routes on the issue, whoever asked for which department. So
whatever sentence such a name stands in (an instruction the lexicon did not recognise, a postscript, a story
about who phoned), it is read as "the bank's team": the sentence's other words stay and decide, and the name
itself gives no department any weight. A bare route word ("fraud", "a dispute") is the customer's issue and
stays; agents.lexicon.instructions removes it where it is a destination in an instruction.
"""

from __future__ import annotations

import re

_UNIT = (
    r"(?:departments?|dept|depts|team|teams|queue|desk|unit|division|section|specialists?|people|folks|group|line|"
    r"hotline|office|squad|centre|center)"
)
_DEPARTMENT_NAME = re.compile(
    # A route word with a unit ("fraud team", "Hardship department"), the title as the taxonomy writes it.
    r"\b(?:(?:fraud|disputes?|hardship|retention|closures?|account\s+closure|collections?|transactions?|"
    # (on one line: "... transactions\n\ndepartment = ..." is two things)
    r"card\s+services?|account\s+services?|knowledge\s*base)[ \t]+" + _UNIT + r"\b"
    # the title with its alias, in brackets or, once an instruction's brackets went, without them
    r"|account\s+closure\s*\(?\s*retention\b(?:\s*\))?"
    # Names no customer describes an issue with.
    r"|(?:card|account)\s+services\b|knowledge\s*base\b"
    # "my Meridian Card Services card" is a product's name, not a department's.
    r")(?!\s+(?:card|cards|account|credit|debit|visa|mastercard)\b)",
    re.IGNORECASE,
)
# The article before a name goes with it ("the fraud team" -> "the bank's team", not "the the bank's team").
_ARTICLE = re.compile(r"\b(?:the|your|ur|our|a|an|that|this)\s+$", re.IGNORECASE)
# A piece of every name above, to skip the scan of a message that has none.
_KEYS = ("fraud", "disput", "hardship", "retention", "closure", "collection", "transaction", "services", "knowledge")
NEUTRAL = "the bank's team"


def neutralise_departments(text: str) -> str:
    """The text with each department's name read as the bank's team."""
    lower = text.lower()
    if not any(key in lower for key in _KEYS):  # most messages name none: no regex scan for them
        return text
    out: list[str] = []
    end = 0
    for match in _DEPARTMENT_NAME.finditer(text):
        before = text[end : match.start()]
        article = _ARTICLE.search(before[-8:])
        out += [before[: len(before) - len(article.group(0))] if article else before, NEUTRAL]
        end = match.end()
    return "".join(out) + text[end:] if out else text
