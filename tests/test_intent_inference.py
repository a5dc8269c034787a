"""Imported utterances get the intent their words name, or unknown facts (issue 12, item 4)."""

from __future__ import annotations

import asyncio

import pytest

from ccsim.agents.customer import ScriptedCustomer
from ccsim.agents.questions import ClarifyingQuestion
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.catalog import load_catalog
from ccsim.scenarios.consistency import check_scenario
from ccsim.scenarios.importer import FACTS_UNKNOWN, MinimalRecord, complete_record
from ccsim.scenarios.intent_inference import infer_intent, intent_scores, words


@pytest.mark.parametrize(
    ("text", "route", "intent"),
    [
        ("what's my minimum payment this month", Route.ACCOUNT_SERVICES, "minimum_payment"),
        ("my sign up bonus was never credited", Route.ACCOUNT_SERVICES, "rewards_not_credited"),
        ("the new card was mailed to my old address", Route.CARD_SERVICES, "card_wrong_address"),
        ("I was charged twice for the same dinner", Route.DISPUTES, "charged_twice"),
        ("I forgot my PIN", Route.CARD_SERVICES, "pin_help"),
    ],
)
def test_clear_words_name_the_intent(text: str, route: Route, intent: str) -> None:
    assert infer_intent(text, route) == intent


def test_only_intents_of_the_route_compete() -> None:
    scores = intent_scores("what's my minimum payment", Route.KNOWLEDGE_BASE)
    assert set(scores) == {i.name for i in load_catalog().by_route(Route.KNOWLEDGE_BASE)}


def test_words_that_decide_nothing_give_none() -> None:
    assert infer_intent("hello, I need some help please", Route.ACCOUNT_SERVICES) is None
    assert not any("merchant" in w for w in words("{merchant} charged me"))  # catalog slots are not words


def _complete(text: str, route: Route) -> Scenario:
    record = MinimalRecord(id="x1", opening_message=text, expected_route=route, needs_human=ROUTES[route].needs_human)
    return complete_record(record, seed=0)


def test_inferred_intent_keeps_coherent_facts() -> None:
    scenario = _complete("what's my minimum payment this month", Route.ACCOUNT_SERVICES)
    assert scenario.intent == "minimum_payment"
    assert FACTS_UNKNOWN not in scenario.tags
    assert check_scenario(scenario) == []


def test_undecided_intent_gets_unknown_facts_and_the_customer_does_not_invent_any() -> None:
    text = "hello, I need some help please"
    scenario = _complete(text, Route.FRAUD)
    assert FACTS_UNKNOWN in scenario.tags
    facts = scenario.facts
    assert facts.recognizes_merchant is None and facts.made_the_charge is None and facts.unknown_charges is None
    assert facts.transaction_ids == [] and facts.extra == {}
    assert scenario.required_state == []
    assert check_scenario(scenario) == []
    customer = ScriptedCustomer(scenario, seed=0)
    asyncio.run(customer.reply(None))
    for question in (ClarifyingQuestion.RECOGNIZE_MERCHANT, ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES):
        assert customer.answer(question) is None  # the customer says "I'm not sure" instead
    assert text in (customer.answer(ClarifyingQuestion.DETAILS) or "")


def test_unknown_facts_keep_what_the_route_implies() -> None:
    closing = _complete("hello, I need some help please", Route.ACCOUNT_CLOSURE)
    hardship = _complete("hello, I need some help please", Route.HARDSHIP)
    assert FACTS_UNKNOWN in closing.tags and closing.facts.wants_to_close is True
    assert FACTS_UNKNOWN in hardship.tags and hardship.facts.can_pay is False
