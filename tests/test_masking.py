from __future__ import annotations

import random
import re

import pytest

from ccsim.tools import masking
from ccsim.tools.masking import mask_card_number, redact

LONG_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}")


def _random_card_number(rng: random.Random) -> tuple[str, str]:
    """A random 13-19 digit number written plainly, in groups of four with spaces, or with dashes."""
    digits = "".join(str(rng.randrange(10)) for _ in range(rng.randint(13, 19)))
    style = rng.choice(["plain", "spaces", "dashes"])
    if style == "plain":
        return digits, digits
    sep = " " if style == "spaces" else "-"
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4)), digits


def test_mask_card_number_keeps_only_last_four() -> None:
    assert mask_card_number("1234") == "**** **** **** 1234"
    with pytest.raises(ValueError):
        mask_card_number("123")


@pytest.mark.parametrize("seed", range(40))
def test_random_card_numbers_in_text_are_masked_keeping_last_four(seed: int) -> None:
    rng = random.Random(seed)
    written, digits = _random_card_number(rng)
    text = f"Customer said {written}, please check."
    masked = redact(text)
    assert digits not in re.sub(r"[ -]", "", masked)
    assert LONG_DIGIT_RUN.search(masked) is None
    assert f"**** **** **** {digits[-4:]}" in masked
    assert masked.startswith("Customer said ") and masked.endswith(", please check.")


def test_ssn_masked_keeping_last_four() -> None:
    assert redact("SSN 123-45-6789 on file") == "SSN ***-**-6789 on file"
    assert redact("ssn 123 45 6789") == "ssn ***-**-6789"


@pytest.mark.parametrize(
    "text",
    ["my CVV is 123", "cvc: 4567", "the security code 987 is on the back", "CVV2=321"],
)
def test_cvv_mentions_masked(text: str) -> None:
    masked = redact(text)
    assert re.search(r"\d{3}", masked) is None
    assert "***" in masked


def test_ordinary_numbers_survive() -> None:
    text = "Balance $1,240.55 due 2025-03-26, call 555-201-7788, card **** **** **** 4821, order 123456789."
    assert redact(text) == text


# The patterns as first written: masking.py's are reordered for speed and must match exactly the same spans.
PLAIN_PATTERNS = {
    "_CARD_NUMBER": re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)"),
    "_SSN": re.compile(r"(?<!\d)\d{3}([- ])\d{2}\1(\d{4})(?!\d)"),
    "_CVV": re.compile(
        r"\b(cvv2?|cvc2?|cid|card verification (?:value|code)|security code)(\s*(?:is|:|=|#|-)?\s*)\d{3,4}(?!\d)",
        re.IGNORECASE,
    ),
}
_PIECES = ["cvv", "CVC2", "security code is ", "card verification value", "Cid:", "\u017fecurity code "]
_PIECES += ["4111 1111 1111 1111", "123-45-6789", "123 45 6789", "\u0663\u0663\u0663", "x1234", "\u0130"]
_PIECES += [" ", "-", ":", "#"]


@pytest.mark.parametrize("name", sorted(PLAIN_PATTERNS))
def test_the_fast_patterns_match_what_the_plain_ones_match(name: str) -> None:
    fast, plain = getattr(masking, name), PLAIN_PATTERNS[name]
    rng = random.Random(name)
    for _ in range(4000):
        text = "".join(
            rng.choice("0123456789 -cvsCVSido") if rng.random() < 0.6 else rng.choice(_PIECES)
            for _ in range(rng.randint(1, 30))
        )
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == [
            (m.span(), m.groups()) for m in plain.finditer(text)
        ], text
