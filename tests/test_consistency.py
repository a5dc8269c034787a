from __future__ import annotations

import pytest

from ccsim.contact_center.models import AccountStatus
from ccsim.scenarios.consistency import check_scenario
from ccsim.scenarios.generator import GenerationConfig, generate_scenario, generate_scenarios


def test_generated_scenarios_are_consistent() -> None:
    problems = {s.id: check_scenario(s) for s in generate_scenarios(GenerationConfig(count=3000, seed=21))}
    assert {k: v for k, v in problems.items() if v} == {}


def _without_transaction(scenario, transaction_id):
    customer = scenario.customer.model_copy(
        update={"transactions": [t for t in scenario.customer.transactions if t.transaction_id != transaction_id]}
    )
    return scenario.model_copy(update={"customer": customer})


def test_catches_removed_fraud_transaction() -> None:
    s = generate_scenario("unrecognized_charge", "easy", 3)
    broken = _without_transaction(s, s.facts.transaction_ids[0])
    assert any("not in the customer's record" in p for p in check_scenario(broken))


def test_catches_removed_duplicate() -> None:
    s = generate_scenario("charged_twice", "easy", 3)
    broken = _without_transaction(s, s.facts.transaction_ids[1])
    assert any("twice" in p for p in check_scenario(broken))


def test_catches_wrong_needs_human() -> None:
    s = generate_scenario("check_balance", "easy", 3)
    broken = s.model_construct(**{**dict(s), "needs_human": True})
    assert any("needs_human" in p for p in check_scenario(broken))


def test_catches_intent_route_mismatch() -> None:
    s = generate_scenario("check_balance", "easy", 3)
    broken = s.model_copy(update={"intent": "lost_card"})
    assert check_scenario(broken)


def test_catches_past_due_without_past_due_date() -> None:
    s = generate_scenario("collections_calls", "easy", 3)
    account = s.customer.account.model_copy(update={"status": AccountStatus.OPEN, "days_past_due": 0})
    broken = s.model_copy(update={"customer": s.customer.model_copy(update={"account": account})})
    assert any("past_due" in p for p in check_scenario(broken))


@pytest.mark.parametrize("number", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111"])
def test_catches_full_card_number(number: str) -> None:
    s = generate_scenario("check_balance", "easy", 3)
    broken = s.model_copy(update={"opening_message": f"my card is {number}"})
    assert any("13+ digit" in p for p in check_scenario(broken))


def test_catches_missing_required_state_card() -> None:
    s = generate_scenario("lost_card", "easy", 3)
    state = [r.model_copy(update={"card_id": "card-99"}) for r in s.required_state]
    assert any("card-99" in p for p in check_scenario(s.model_copy(update={"required_state": state})))
