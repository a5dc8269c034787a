from __future__ import annotations

import random
import re

import pytest

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
