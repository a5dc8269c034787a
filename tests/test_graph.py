"""The whole graph end to end: rules planner, scripted customer and scripted helpers, on hand-built and
generated scenarios."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from ccsim.agents.graph import PlayResult, graph_mermaid, play_episode
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import EventLog
from ccsim.contact_center.models import CustomerFacts, Scenario, StateRequirement
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from tests.bank_fixtures import make_scenario

RULES = ModelSpec(kind="rules")
SCRIPTED = ModelSpec(kind="scripted")
FULL_CARD_NUMBER = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


def variant(route: Route, opening: str, **facts: Any) -> Scenario:
    base = make_scenario(expected_route=route)
    return base.model_copy(
        update={
            "opening_message": opening,
            "facts": CustomerFacts(**{"issue_summary": opening, **facts}),
            "needs_human": ROUTES[route].needs_human,
        }
    )


async def play(scenario: Scenario, planner: Any = RULES, max_turns: int = 8) -> tuple[PlayResult, EventLog]:
    log = EventLog()
    result = await play_episode(
        scenario,
        planner=planner,
        customer=SCRIPTED,
        helper=SCRIPTED,
        seed=scenario.seed,
        config=EpisodeConfig(max_turns=max_turns),
        log=log,
    )
    return result, log


async def test_unrecognised_charge_is_transferred_to_fraud_with_a_summary() -> None:
    scenario = variant(
        Route.FRAUD,
        "There's a $129.99 charge from AMZN MKTP I never made and I don't recognise it.",
        recognizes_merchant=False,
        made_the_charge=False,
        transaction_ids=["TXN-A005"],
    )
    result, log = await play(scenario)
    assert result.status == "completed"
    assert result.final_route is Route.FRAUD
    assert result.handoff_summary and "$129.99" in result.handoff_summary
    assert [e.kind for e in log.events][-2:] == ["transfer", "end"]
    assert result.planner_messages[-1]["role"] == "tool"
    assert not any(FULL_CARD_NUMBER.search(e.content) for e in log.events)


async def test_lost_card_is_delegated_and_ends_locked() -> None:
    scenario = make_scenario()
    card_id = scenario.facts.card_id
    scenario = scenario.model_copy(
        update={"required_state": [StateRequirement(target="card_status", card_id=card_id, value="locked")]}
    )
    result, log = await play(scenario)
    assert result.final_route is Route.CARD_SERVICES
    assert result.unmet_requirements == []
    assert any(c["what"] == "card_status" and c["card_id"] == card_id for c in result.state_changes)
    assert {e.actor for e in log.events if e.kind in ("tool_call", "tool_result")} == {"card_services"}
    assert log.events[-1].kind == "end" and log.events[-1].actor == "customer"
    # Every planner turn got a customer message back, after the opening.
    assert result.customer_turns == result.planner_calls + 1


async def test_the_customers_answer_decides_an_ambiguous_charge_both_ways() -> None:
    opening = "I have a question about a charge from Amazon on my statement."
    charge = {"transaction_ids": ["TXN-A005"]}
    disputes = variant(Route.DISPUTES, opening, recognizes_merchant=True, made_the_charge=True, **charge)
    fraud = variant(Route.FRAUD, opening, recognizes_merchant=False, made_the_charge=False, **charge)
    for scenario, expected in ((disputes, Route.DISPUTES), (fraud, Route.FRAUD)):
        result, log = await play(scenario)
        assert result.final_route is expected
        assert [e.kind for e in log.events][:4] == [
            "customer_message",
            "planner_message",
            "customer_message",
            "planner_action",
        ]


async def test_an_injected_planner_model_that_keeps_asking_hits_the_turn_limit() -> None:
    asks = GenericFakeChatModel(messages=iter([AIMessage("Could you tell me more about what's going on?")] * 10))
    result, log = await play(make_scenario(), planner=asks, max_turns=3)
    assert result.status == "turn_limit"
    assert result.planner_calls == 3 and result.final_route is None
    assert sum(e.kind == "planner_message" for e in log.events) == 3


async def test_generated_scenarios_run_concurrently_and_deterministically() -> None:
    scenarios = generate_scenarios(GenerationConfig(count=48, seed=11))
    results = await asyncio.gather(*(play(s) for s in scenarios))
    correct = sum(r.final_route == s.expected_route for s, (r, _) in zip(scenarios, results, strict=True))
    assert correct / len(scenarios) >= 0.7
    assert all(r.status in ("completed", "turn_limit") for r, _ in results)
    again, log_again = await play(scenarios[0])
    first, log_first = results[0]
    assert again.planner_messages == first.planner_messages
    assert [(e.kind, e.content) for e in log_again.events] == [(e.kind, e.content) for e in log_first.events]


def test_mermaid_shows_every_node() -> None:
    text = graph_mermaid()
    for node in ("customer", "planner", "transfer", *(r.value for r in Route if not ROUTES[r].needs_human)):
        assert f"{node}({node})" in text
    assert "planner -.-> transfer" in text
