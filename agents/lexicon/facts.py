"""Facts in the customer's words that a department or helper needs, and nothing more of a card number.

`extract_facts` finds merchants (names and statement descriptors), amounts, dates and card last-four digits;
`redact_card_numbers` keeps only the last four digits of anything that looks like a card number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_AMOUNT_RE = re.compile(
    r"[$£€]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{2})?\s?(?:dollars|usd|bucks|euros?|pounds)\b", re.IGNORECASE
)
_DATE_RE = re.compile(
    r"\b(?:"
    + _MONTHS
    + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    + _MONTHS
    + r"(?:\s+\d{4})?|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{4}-\d{2}-\d{2}|(?:last|this)\s+(?:monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|week|month|night)|yesterday|today|this morning|last night|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)
_LAST_FOUR_RE = re.compile(
    r"\b(?:ending|ends|ending in|ends in|ends with|last (?:four|4)(?: digits)?(?: are| is)?|x{2,}|\*{2,})\s*"
    r"(?:in|with|:|-)?\s*(\d{4})\b",
    re.IGNORECASE,
)
_CARD_NUMBER_RE = re.compile(r"\b(?:\d[ -]?){12,18}(\d{4})\b")
_LONG_DIGITS_RE = re.compile(r"\d{5,}")
_MERCHANT_AFTER_RE = re.compile(
    r"\b(?:from|at|with|by|to|on|for)\s+((?:[A-Z][\w&'.*-]*|[A-Z0-9]{2,}[*][\w*-]*)(?:\s+(?:[A-Z][\w&'.*-]*|"
    r"[A-Z0-9*]{2,}))*)"
)
_DESCRIPTOR_RE = re.compile(r"\b[A-Za-z0-9]{2,}\s?\*\s?[A-Z0-9][A-Z0-9.#-]*(?: [A-Z0-9][A-Z0-9.#-]*)*")
_KNOWN_MERCHANTS = (
    "amazon", "netflix", "spotify", "uber", "lyft", "paypal", "apple", "google", "walmart", "target", "costco",
    "starbucks", "best buy", "ebay", "doordash", "hulu", "disney", "airbnb", "expedia", "shell", "home depot",
)  # fmt: skip
_KNOWN_MERCHANT_RES = tuple((name, re.compile(rf"\b{name}\b")) for name in _KNOWN_MERCHANTS)
# Capitalised words after "from", "at"... that are no merchant.
_NOT_MERCHANTS = frozenset(
    {"I", "I'm", "Im", "The", "My", "A", "An", "It", "This", "That", "Monday", "Tuesday", "Wednesday", "Thursday",
     "Friday", "Saturday", "Sunday", "SYSTEM", "System", "Please", "Visa", "Mastercard", "ATM", "USD", "Hi",
     "Hello", "Thanks", "You", "We", "They", "He", "She", "Paris", "France", "Mexico", "Japan", "London"}
)  # fmt: skip


def redact_card_numbers(text: str) -> str:
    """Replace anything that looks like a card number by its last four digits, and drop other long digit runs."""
    text = _CARD_NUMBER_RE.sub(lambda m: f"card ending {m.group(1)}", text)
    return _LONG_DIGITS_RE.sub("[number removed]", text)


class HandoffFacts(BaseModel):
    """Facts found in the customer's words that a department or helper needs."""

    merchants: list[str] = Field(default_factory=list, description="Merchant names or statement descriptors.")
    amounts: list[str] = Field(default_factory=list, description="Amounts as written, e.g. '$12.34'.")
    dates: list[str] = Field(default_factory=list, description="Dates or relative days as written.")
    last_four: list[str] = Field(default_factory=list, description="Card last-four digits mentioned.")


def _unique(items: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        cleaned = item.strip(" .,;:!?")
        if cleaned and cleaned.lower() not in {s.lower() for s in seen}:
            seen[cleaned] = None
    return list(seen)


def extract_facts(text: str) -> HandoffFacts:
    """Merchants, amounts, dates and card last-four digits mentioned in the customer's text."""
    last_four = [m.group(1) for m in _LAST_FOUR_RE.finditer(text)]
    last_four += [m.group(1) for m in _CARD_NUMBER_RE.finditer(text)]
    merchants = [m.group(0) for m in _DESCRIPTOR_RE.finditer(text)]
    for m in _MERCHANT_AFTER_RE.finditer(text):
        words = [w for w in m.group(1).split() if w.strip(".,") not in _NOT_MERCHANTS]
        if words and not any(c.isdigit() for c in words[0][:1]):
            merchants.append(" ".join(words))
    lowered = text.lower()
    merchants += [name.title() for name, pattern in _KNOWN_MERCHANT_RES if pattern.search(lowered)]
    merchants = [m for m in merchants if not any(m.lower() in other.lower() and m != other for other in merchants)]
    return HandoffFacts(
        merchants=_unique([redact_card_numbers(m) for m in merchants]),
        amounts=_unique([m.group(0) for m in _AMOUNT_RE.finditer(text)]),
        dates=_unique([m.group(0) for m in _DATE_RE.finditer(text)]),
        last_four=_unique(last_four),
    )
