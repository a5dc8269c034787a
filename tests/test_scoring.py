from __future__ import annotations

from ccsim.contact_center.episode import TokenUsage
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.scoring import handoff_summary_ok


def test_handoff_summary_needs_every_fact_and_accepts_amount_spellings() -> None:
    facts = ["ZELLQUIX", "$1,234.50"]
    assert handoff_summary_ok("Customer does not recognise zellquix charge of 1234.50 on card 4242", facts)
    assert handoff_summary_ok("zellquix, $1,234.50", facts)
    assert not handoff_summary_ok("Customer does not recognise a charge", facts)
    assert not handoff_summary_ok(None, facts)
    assert not handoff_summary_ok("   ", [])


def test_price_table_matches_dated_and_prefixed_model_names() -> None:
    table = PriceTable()
    usage = {"openai/gpt-4.1-mini-2025-04-14": TokenUsage(prompt_tokens=1_000_000, completion_tokens=1_000_000)}
    assert table.cost(usage) == 0.40 + 1.60
    assert table.cost({"my-local-model": TokenUsage(prompt_tokens=10**6)}) == 0.0
