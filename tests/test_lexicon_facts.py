"""Handoff facts: merchants, amounts, dates and last-four digits, and never a full card number."""

from __future__ import annotations

from ccsim.agents.lexicon.facts import extract_facts, redact_card_numbers


def test_extract_facts_finds_descriptors_amounts_and_last_four() -> None:
    facts = extract_facts("There's AMZN*MKTP US 2.0 for $12.34 on Friday, card ending in 1234")
    assert any("AMZN*MKTP" in m for m in facts.merchants)
    assert facts.amounts == ["$12.34"]
    assert facts.last_four == ["1234"]
    assert "Friday" in facts.dates


def test_known_merchants_are_found_in_any_case_and_listed_once() -> None:
    facts = extract_facts("two charges from Best Buy, yes best buy again, $5 and 5 dollars, last friday")
    assert facts.merchants == ["Best Buy"]
    assert facts.amounts == ["$5", "5 dollars"]
    assert facts.dates == ["last friday"]


def test_a_full_card_number_keeps_only_its_last_four() -> None:
    text = "my card is 4111 1111 1111 4821 and my account 123456789"
    assert redact_card_numbers(text) == "my card is card ending 4821 and my account [number removed]"
    assert extract_facts(text).last_four == ["4821"]
