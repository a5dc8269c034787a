"""Issue 12: openings in the registers real customers use, the policy rules they need, and the registers check set."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from ccsim.agents.policies.rules import Turn, decide
from ccsim.contact_center.policy import routing_policy
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.catalog import load_catalog
from ccsim.scenarios.consistency import check_scenario
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from tests.check_sets import CHECK_SETS, load_check_set

NEW_INTENTS = {
    "rewards_not_credited": Route.ACCOUNT_SERVICES,
    "statement_delivery": Route.ACCOUNT_SERVICES,
    "card_wrong_address": Route.CARD_SERVICES,
    "fee_complaint": Route.KNOWLEDGE_BASE,
    "how_to_question": Route.KNOWLEDGE_BASE,
}


def test_new_intents_route_where_the_policy_says() -> None:
    catalog = load_catalog()
    for name, route in NEW_INTENTS.items():
        assert catalog.get(name).route is route


def test_policy_decides_fee_complaints_and_effects() -> None:
    policy = routing_policy()
    assert "The bank's own fees and interest are not a dispute" in policy
    assert "Route by the issue the customer describes, however they word it" in policy
    assert "A general question is not a request to act" in policy


def test_every_intent_has_short_and_long_register_openings() -> None:
    for intent in load_catalog().intents:
        texts = [*intent.easy, *intent.medium]
        assert min(len(t.split()) for t in texts) <= 4, intent.name  # an app fragment
        assert max(len(t.split()) for t in texts) >= 12, intent.name  # a story or a complaint


def test_generated_openings_name_the_bank_or_product_and_stay_consistent() -> None:
    scenarios = generate_scenarios(GenerationConfig(count=400, seed=12))
    assert all(check_scenario(s) == [] for s in scenarios)
    assert not any("{bank}" in s.opening_message or "{product}" in s.opening_message for s in scenarios)
    named = [
        s for s in scenarios if re.search(r"northbank|harbor bank|platinum card|gold card", s.opening_message, re.I)
    ]
    assert named


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("they charged me a late fee even though i paid on time", Route.KNOWLEDGE_BASE),
        ("I was charged a $39 late fee and I think it's unfair, please remove it", Route.KNOWLEDGE_BASE),
        ("my apr jumped and nobody told me, not ok", Route.KNOWLEDGE_BASE),
        ("I met the spending requirement but my sign-up bonus was never credited", Route.ACCOUNT_SERVICES),
        ("no statement this month", Route.ACCOUNT_SERVICES),
        ("my new card went to my old address", Route.CARD_SERVICES),
        ("my payment didnt go through, can i pay now", Route.ACCOUNT_SERVICES),
        ("annual fee not worth it, close card", Route.ACCOUNT_CLOSURE),
    ],
)
def test_rules_follow_the_new_policy_rules(text: str, route: Route) -> None:
    decision = decide([Turn(role="customer", text=text)])
    assert decision.route is route, decision


REGISTER_SETS = [
    "registers",
    "registers_v2",
    "registers_v3",
    "registers_v4",
    "registers_v6_chat",
    "registers_v6_complaints",
    "registers_v7_chat",
    "registers_v7_complaints",
]


@pytest.mark.parametrize("name", REGISTER_SETS)
def test_registers_check_set_loads_and_covers_every_route(name: str) -> None:
    scenarios = load_check_set(name)
    assert 280 <= len(scenarios) <= 400
    counts = Counter(s.expected_route for s in scenarios)
    assert set(counts) == set(Route)
    assert min(counts.values()) >= 30
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert all(check_scenario(s) == [] for s in scenarios)


@pytest.mark.parametrize("name", REGISTER_SETS)
def test_registers_check_set_is_apart_from_the_other_sets(name: str) -> None:
    def openings(name: str) -> set[str]:
        with (CHECK_SETS / f"{name}.jsonl").open(encoding="utf-8") as f:
            return {json.loads(line)["opening_message"].lower() for line in f if line.strip()}

    registers = openings(name)
    # Written apart: only a few short, common phrasings ("close my account", "can i get on a hardship plan") coincide.
    assert len(registers & openings("holdout")) <= 5
    assert len(registers & openings("realistic")) <= 5
    catalog_texts = {t.lower() for i in load_catalog().intents for t in (*i.easy, *i.medium)}
    shared = registers & catalog_texts
    assert len(shared) <= 5 and all(len(text.split()) <= 8 for text in shared), shared
