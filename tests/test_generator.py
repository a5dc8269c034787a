from __future__ import annotations

import pytest

from ccsim.contact_center.models import AccountStatus, Difficulty, Split
from ccsim.contact_center.taxonomy import ROUTES, Route, most_urgent
from ccsim.scenarios.catalog import load_catalog
from ccsim.scenarios.generator import GenerationConfig, generate_scenario, generate_scenarios
from ccsim.scenarios.io import dumps_scenario
from ccsim.scenarios.stats import scenario_stats


@pytest.fixture(scope="module")
def many():
    return generate_scenarios(GenerationConfig(count=3000, seed=11))


def test_same_seed_same_bytes_and_other_seed_differs() -> None:
    config = GenerationConfig(count=60, seed=5)
    first = "\n".join(dumps_scenario(s) for s in generate_scenarios(config))
    second = "\n".join(dumps_scenario(s) for s in generate_scenarios(config))
    other = "\n".join(dumps_scenario(s) for s in generate_scenarios(GenerationConfig(count=60, seed=6)))
    assert first == second
    assert first != other


def test_ids_are_zero_padded_and_unique(many) -> None:
    ids = [s.id for s in many]
    assert ids[0] == "sc-11-000000"
    assert len(set(ids)) == len(ids)


def test_all_routes_and_intents_appear(many) -> None:
    stats = scenario_stats(many)
    assert set(stats.by_route) == {r.value for r in Route}
    assert set(stats.by_intent) == set(load_catalog().names)
    # balanced over routes: no route far from an eighth
    assert max(stats.by_route.values()) < 1.4 * min(stats.by_route.values())


def test_ground_truth_matches_taxonomy(many) -> None:
    for s in many:
        assert s.needs_human == ROUTES[s.expected_route].needs_human
        assert s.facts.issue_summary


def test_variety_targets_on_a_sample(many) -> None:
    stats = scenario_stats(many)
    assert stats.distinct_opening_ratio >= 0.9
    assert stats.max_template_share <= 0.02


def test_split_default_is_roughly_80_10_10(many) -> None:
    stats = scenario_stats(many)
    assert 0.75 < stats.by_split["train"] / len(many) < 0.85
    assert 0.06 < stats.by_split["val"] / len(many) < 0.14


def test_fixed_split_and_mixes() -> None:
    config = GenerationConfig(
        count=300,
        seed=3,
        split=Split.VAL,
        route_mix={Route.FRAUD: 1.0, Route.HARDSHIP: 1.0},
        difficulty_mix={Difficulty.HARD: 1.0},
    )
    scenarios = generate_scenarios(config)
    assert {s.split for s in scenarios} == {Split.VAL}
    assert {s.expected_route for s in scenarios} == {Route.FRAUD, Route.HARDSHIP}
    assert {s.difficulty for s in scenarios} == {Difficulty.HARD}
    assert all(s.clarification_needed for s in scenarios)


def test_bad_mix_is_rejected() -> None:
    with pytest.raises(ValueError):
        GenerationConfig(count=1, route_mix={Route.FRAUD: 0.0})


def test_fraud_transaction_is_in_the_record() -> None:
    s = generate_scenario("unrecognized_charge", "easy", 42)
    txn = s.customer.transaction(s.facts.transaction_ids[0])
    assert txn is not None and txn.merchant in s.handoff_facts
    assert s.facts.recognizes_merchant is False and s.facts.unknown_charges is True


def test_duplicate_charge_appears_twice() -> None:
    s = generate_scenario("charged_twice", "medium", 42)
    a, b = (s.customer.transaction(t) for t in s.facts.transaction_ids)
    assert a and b and a.merchant == b.merchant and a.amount == b.amount


def test_past_due_account() -> None:
    s = generate_scenario("payment_plan", "easy", 9)
    account = s.customer.account
    assert account.status is AccountStatus.PAST_DUE and account.days_past_due > 0
    assert account.payment_due_date < max(t.date for t in s.customer.transactions)


def test_card_situations() -> None:
    lost = generate_scenario("lost_card", "easy", 1)
    assert {(r.target, r.value, r.card_id) for r in lost.required_state} >= {
        ("card_status", "locked", lost.facts.card_id)
    }
    delivery = generate_scenario("card_delivery", "easy", 1)
    assert delivery.customer.card(delivery.facts.card_id).delivery == "in_transit"
    activate = generate_scenario("activate_card", "easy", 1)
    assert activate.customer.card(activate.facts.card_id).status.value == "not_activated"


def test_hard_lost_card_is_decided_by_unknown_charges() -> None:
    card = generate_scenario("lost_card", "hard", 2)
    fraud = generate_scenario("stolen_card_with_charges", "hard", 2)
    assert card.clarification_needed and fraud.clarification_needed
    assert card.facts.unknown_charges is False and card.expected_route is Route.CARD_SERVICES
    assert fraud.facts.unknown_charges is True and fraud.expected_route is Route.FRAUD


def test_hard_needs_ambiguous_phrasings() -> None:
    with pytest.raises(ValueError):
        generate_scenario("check_balance", "hard", 1)


@pytest.mark.parametrize("kind", ["injection", "human_demand", "third_party", "multi_issue"])
def test_adversarial_kinds(kind: str) -> None:
    s = generate_scenario("check_balance" if kind != "multi_issue" else "charged_twice", "adversarial", 4,
                          adversarial_kind=kind)  # fmt: skip
    assert kind in s.tags
    if kind == "multi_issue":
        others = [load_catalog().get(n).route for n in s.facts.other_issues]
        assert others and most_urgent([s.expected_route, *others]) is s.expected_route
    if kind == "injection":
        assert s.facts.extra["injected_route"] != s.expected_route.value


def test_no_full_card_number_or_ssn(many) -> None:
    for s in many[:300]:
        assert len(s.customer.profile.ssn_last4) == 4
        assert all(len(c.last_four) == 4 for c in s.customer.cards)


def test_transactions_span_20_to_90_days() -> None:
    for s in generate_scenarios(GenerationConfig(count=40, seed=2)):
        dates = [t.date for t in s.customer.transactions if t.kind == "purchase"]
        assert 10 <= (max(dates) - min(dates)).days <= 120


def test_make_payment_amount_fits_under_the_current_balance() -> None:
    for seed in range(60):
        scenario = generate_scenario("make_payment", "easy", seed)
        assert scenario.facts.amount is not None
        assert 0 < scenario.facts.amount <= scenario.customer.account.current_balance, seed


def test_autopay_phrasing_agrees_with_the_required_setting() -> None:
    for seed in range(80):
        scenario = generate_scenario("autopay_setup", "easy", seed)
        required = next(r.value for r in scenario.required_state if r.target == "autopay")
        text = scenario.opening_message.lower()
        assert required != "off" and "turn off" not in text and "switch off" not in text
        # A phrasing that names a setting names the one the episode must end with.
        named = {m for m in ("minimum", "statement", "full") if m in text}
        assert named <= {required}, (seed, text, required)


def test_handoff_facts_are_only_what_the_opening_states() -> None:
    from ccsim.contact_center.scoring import summary_mentions

    scenarios = generate_scenarios(GenerationConfig(count=400, seed=5))
    assert any(s.handoff_facts for s in scenarios)
    for scenario in scenarios:
        assert all(summary_mentions(scenario.opening_message, f) for f in scenario.handoff_facts), scenario.id


def test_hard_openings_come_from_family_templates_shared_across_routes() -> None:
    config = GenerationConfig(count=1200, seed=13, difficulty_mix={Difficulty.HARD: 1.0})
    routes_by_template: dict[str, set[Route]] = {}
    for s in generate_scenarios(config):
        intent = load_catalog().get(s.intent)
        assert s.template_id == f"{s.intent}.family.{intent.family}.{s.template_id.rsplit('.', 1)[1]}"
        routes_by_template.setdefault(s.template_id.split(".family.", 1)[1], set()).add(s.expected_route)
    # Most shared openings turn up under more than one route even in a small sample: the wording cannot decide.
    shared = sum(len(r) > 1 for r in routes_by_template.values())
    assert shared >= 0.8 * len(routes_by_template), routes_by_template


def test_same_family_opening_under_different_routes() -> None:
    fraud = generate_scenario("unrecognized_charge", "hard", 3)
    dispute = generate_scenario("wrong_amount", "hard", 3)
    lock = generate_scenario("lock_card", "hard", 3)
    closure = generate_scenario("close_account_no_reason", "hard", 3)
    assert fraud.template_id.startswith("unrecognized_charge.family.weird_charge.")
    assert dispute.template_id.startswith("wrong_amount.family.weird_charge.")
    assert lock.template_id.startswith("lock_card.family.card_off.")
    assert closure.template_id.startswith("close_account_no_reason.family.card_off.")
    assert closure.facts.wants_to_close is True and not lock.facts.wants_to_close


def test_alternations_pick_one_choice_per_group_and_leave_plain_text_alone() -> None:
    import random

    from ccsim.scenarios.generator import expand_alternations

    rng = random.Random(0)
    seen = {expand_alternations("[[how do i|can i]] add a user[[?|]]", rng) for _ in range(200)}
    assert seen == {"how do i add a user?", "how do i add a user", "can i add a user?", "can i add a user"}
    state = rng.getstate()
    assert expand_alternations("plain {merchant} text", rng) == "plain {merchant} text"
    assert rng.getstate() == state  # a template without choices draws nothing


def test_generated_openings_hold_no_grammar_markup_and_some_are_complaint_letters() -> None:
    from ccsim.scenarios.generator import _FORMAL_REQUESTS

    scenarios = generate_scenarios(GenerationConfig(count=600, seed=5))
    assert not any("[[" in s.opening_message or "|" in s.opening_message for s in scenarios if not s.tags)
    letters = [s for s in scenarios if any(r.lower()[:20] in s.opening_message.lower() for r in _FORMAL_REQUESTS)]
    assert len(letters) >= 20


def test_atm_withdrawals_are_cash_on_the_card_in_question() -> None:
    for seed in range(20):
        dispute = generate_scenario("atm_cash_not_dispensed", "easy", seed)
        fraud = generate_scenario("atm_withdrawal_fraud", "medium", seed)
        for s in (dispute, fraud):
            (tid,) = s.facts.transaction_ids
            txn = s.customer.transaction(tid)
            assert txn is not None and txn.channel == "atm" and txn.card_id == s.facts.card_id, seed
            assert txn.amount % 20 == 0 and s.facts.amount == txn.amount
        assert dispute.facts.made_the_charge is True and dispute.expected_route is Route.DISPUTES
        assert dispute.facts.card_id == dispute.customer.cards[0].card_id
        assert fraud.facts.made_the_charge is False and fraud.facts.unknown_charges is True
        assert fraud.expected_route is Route.FRAUD


def test_unlock_card_starts_locked_and_must_end_active() -> None:
    for seed in range(10):
        s = generate_scenario("unlock_card", "easy", seed)
        card = s.customer.card(s.facts.card_id or "")
        assert card is not None and card.status.value == "locked"
        required = [(r.target, r.value, r.card_id) for r in s.required_state]
        assert required == [("card_status", "active", s.facts.card_id)]


def test_a_catalog_letter_gets_no_second_background(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from ccsim.scenarios import generator

    monkeypatch.setattr(generator, "FORMAL_RATE", 1.0)
    persona = {"verbosity": "normal", "tone": "calm"}
    letter = "I have held my Gold card since 2015. On May 3 it was declined. Please explain why."
    chat = "my card got declined at the store"
    for seed in range(30):
        composed = generator._compose(letter, "medium", persona, random.Random(seed))
        assert composed.startswith(letter) and not any(b in composed for b in generator._FORMAL_BACKGROUNDS)
        plain = generator._compose(chat, "medium", persona, random.Random(seed))
        assert plain.split(". ")[0] + "." in generator._FORMAL_BACKGROUNDS, plain


def test_issue_12_openings_fill_every_slot_and_stay_consistent() -> None:
    from ccsim.scenarios.consistency import check_scenario

    names = ("card_declined", "digital_wallet", "unlock_card", "atm_cash_not_dispensed", "atm_withdrawal_fraud",
             "update_contact_details", "credit_limit_change", "close_account_bereavement")  # fmt: skip
    for name in names:
        for seed in range(15):
            s = generate_scenario(name, "medium", seed)
            assert "{" not in s.opening_message and "[[" not in s.opening_message, s.opening_message
            assert check_scenario(s) == [], (name, seed, check_scenario(s))
