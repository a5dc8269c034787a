"""Customer simulators: the scripted one answers from the hidden facts, in persona; the LLM one is guarded."""

from __future__ import annotations

from typing import Any

import pytest

from ccsim.agents.customer import LLMCustomer, ScriptedCustomer
from ccsim.agents.prompts import STOP_TOKEN
from ccsim.agents.questions import ClarifyingQuestion, question_text
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.models import CustomerFacts, Persona, Scenario
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.catalog import load_catalog
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer

CALM = Persona(tone="calm", verbosity="normal", patience=6, typing="clean")


def scenario_with(route: Route = Route.CARD_SERVICES, persona: Persona = CALM, **facts: Any) -> Scenario:
    base = make_scenario(expected_route=route)
    record = base.customer.model_copy(deep=True)
    record.profile.persona = persona
    merged = {"issue_summary": "I need help with my card.", **facts}
    return base.model_copy(
        update={"customer": record, "facts": CustomerFacts(**merged), "needs_human": ROUTES[route].needs_human}
    )


async def opened(scenario: Scenario, seed: int = 1) -> ScriptedCustomer:
    customer = ScriptedCustomer(scenario, seed)
    first = await customer.reply(None)
    assert first.text == scenario.opening_message and not first.ended
    return customer


async def answer(scenario: Scenario, question: ClarifyingQuestion | str, seed: int = 1) -> str:
    customer = await opened(scenario, seed)
    text = question_text(question) if isinstance(question, ClarifyingQuestion) else question
    reply = await customer.reply(text)
    assert not reply.ended
    return reply.text


async def test_merchant_question_follows_the_facts() -> None:
    unknown = scenario_with(Route.FRAUD, recognizes_merchant=False, made_the_charge=False, transaction_ids=["TXN-A005"])
    text = await answer(unknown, ClarifyingQuestion.RECOGNIZE_MERCHANT)
    assert "don't recognise AMZN MKTP US*2K4T81" in text
    known = scenario_with(Route.DISPUTES, recognizes_merchant=True, made_the_charge=True, transaction_ids=["TXN-A005"])
    assert "Yes, I recognise Amazon" in await answer(known, ClarifyingQuestion.RECOGNIZE_MERCHANT)


@pytest.mark.parametrize(
    ("situation", "unknown_charges", "expected"),
    [
        ("lost", False, "The card was lost, but I don't see any charges I didn't make."),
        ("stolen", True, "The card was stolen, and there are charges on it I didn't make."),
        (None, True, "I still have my card. But there are charges on it I didn't make."),
    ],
)
async def test_lost_or_unknown_charges(situation: str | None, unknown_charges: bool, expected: str) -> None:
    scenario = scenario_with(card_situation=situation, unknown_charges=unknown_charges)
    assert (await answer(scenario, ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES)).endswith(expected)


async def test_payment_close_priority_and_details_questions() -> None:
    hardship = scenario_with(Route.HARDSHIP, can_pay=False, hardship_reason="I lost my job")
    assert "can't afford this month's payment. I lost my job." in await answer(
        hardship, ClarifyingQuestion.PAYMENT_TROUBLE
    )
    closing = scenario_with(Route.ACCOUNT_CLOSURE, wants_to_close=True)
    assert "close the account altogether" in await answer(closing, ClarifyingQuestion.CLOSE_ACCOUNT)
    staying = scenario_with(Route.CARD_SERVICES)
    assert "don't want to close" in await answer(staying, ClarifyingQuestion.CLOSE_ACCOUNT)
    summary = "Someone charged my card at a store I never visited."
    fraud = scenario_with(Route.FRAUD, issue_summary=summary)
    # "Tell me more" only gets the opening again: the hidden facts need the specific questions.
    details = await answer(fraud, ClarifyingQuestion.DETAILS)
    assert summary not in details and fraud.opening_message in details


async def test_says_it_does_not_know_what_its_facts_do_not_cover() -> None:
    scenario = scenario_with()  # no merchant facts, no payment facts
    for question in (
        ClarifyingQuestion.RECOGNIZE_MERCHANT,
        ClarifyingQuestion.PAYMENT_TROUBLE,
        "What's your zodiac sign?",
    ):
        text = (await answer(scenario, question)).lower()
        assert "not sure" in text or "don't know" in text or "no idea" in text


async def test_helper_answer_ends_the_call_only_when_it_solves_the_issue() -> None:
    helped = await opened(scenario_with(Route.CARD_SERVICES))
    assert (await helped.reply(None, helper_answer="Card locked.")).ended
    fraud = await opened(scenario_with(Route.FRAUD, recognizes_merchant=False))
    reply = await fraud.reply(None, helper_answer="That charge is AMZN MKTP, which is Amazon.")
    assert not reply.ended
    assert "don't recognise" in reply.text


async def test_gives_up_when_patience_runs_out() -> None:
    impatient = Persona(tone="frustrated", verbosity="terse", patience=2, typing="clean")
    customer = await opened(scenario_with(persona=impatient))
    replies = [await customer.reply(question_text(ClarifyingQuestion.DETAILS)) for _ in range(3)]
    assert [r.ended for r in replies] == [False, False, True]


async def test_deterministic_per_seed_and_varied_across_seeds() -> None:
    polite_chatty = Persona(tone="polite", verbosity="chatty", patience=6, typing="casual")
    scenario = scenario_with(persona=polite_chatty, card_situation="lost", unknown_charges=False)
    question = ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES
    assert await answer(scenario, question, seed=5) == await answer(scenario, question, seed=5)
    texts = {await answer(scenario, question, seed=s) for s in range(12)}
    assert len(texts) > 1
    assert all(t == t.lower() and "the card was lost" in t for t in texts)  # casual typing


def llm_customer(server: FakeOpenAIServer, scenario: Scenario) -> LLMCustomer:
    spec = ModelSpec(kind="openai", model="fake-customer", base_url=server.base_url, max_retries=0, timeout_s=10)
    return LLMCustomer(scenario, spec, seed=1)


async def test_llm_customer_opens_answers_and_stops() -> None:
    scenario = scenario_with(card_situation="lost", unknown_charges=False)
    with FakeOpenAIServer() as server:
        server.enqueue(text="It was lost, no strange charges.")
        server.enqueue(text=f"Thanks, that's all. {STOP_TOKEN}")
        customer = llm_customer(server, scenario)
        assert (await customer.reply(None)).text == scenario.opening_message
        first = await customer.reply("Was it lost or stolen?")
        last = await customer.reply(None, helper_answer="Locked and replaced.")
        system_prompt = server.requests[0]["messages"][0]["content"]
    assert first.text == "It was lost, no strange charges." and not first.ended
    assert last.ended and STOP_TOKEN not in last.text and last.text == "Thanks, that's all."
    assert scenario.facts.issue_summary in system_prompt and STOP_TOKEN in system_prompt
    assert customer.usage.by_model()["fake-customer"].prompt_tokens == 22


async def test_llm_customer_guards_early_stops_and_empty_replies() -> None:
    scenario = scenario_with()
    with FakeOpenAIServer() as server:
        server.enqueue(text=f"bye {STOP_TOKEN}")  # ends before anyone helped: retried
        server.enqueue(text="It was lost.")
        server.enqueue(text="")
        server.enqueue(text="   ")  # empty twice: the customer leaves
        customer = llm_customer(server, scenario)
        await customer.reply(None)
        retried = await customer.reply("Was it lost?")
        gave_up = await customer.reply("Anything else?")
        retry_prompt = server.requests[1]["messages"]
    assert retried.text == "It was lost." and not retried.ended
    assert "do not write" in retry_prompt[-1]["content"]
    assert gave_up.ended


async def test_answers_never_leak_the_issue_summary_for_a_single_issue() -> None:
    summary = "I want to know my minimum payment and statement balance"
    bill = scenario_with(Route.ACCOUNT_SERVICES, issue_summary=summary, can_pay=True)
    paying = await answer(bill, ClarifyingQuestion.PAYMENT_TROUBLE)
    assert "I can pay" in paying and "question about my bill" in paying
    assert summary not in paying and bill.opening_message in paying
    which = await answer(bill, ClarifyingQuestion.WHICH_ISSUE)
    assert summary not in which and "just the one thing" in which and bill.opening_message in which
    fee = scenario_with(
        Route.KNOWLEDGE_BASE, issue_summary="I want to understand the late fee", extra={"charge_source": "a bank fee"}
    )
    assert "late fee" not in await answer(fee, ClarifyingQuestion.RECOGNIZE_MERCHANT)


async def test_which_issue_names_the_primary_issue_only_when_there_are_several() -> None:
    from ccsim.scenarios.generator import generate_scenario

    scenario = generate_scenario("charged_twice", "adversarial", 4, adversarial_kind="multi_issue")
    assert scenario.facts.other_issues
    text = await answer(scenario, ClarifyingQuestion.WHICH_ISSUE)
    assert "most important" in text.lower() and "just the one thing" not in text.lower()
    # The words are the primary intent's own plain phrasing, not the other issue's.
    plain = [t for t in load_catalog().get("charged_twice").easy if "{" not in t]
    assert any(p.lower() in text.lower() for p in plain), text


@pytest.mark.parametrize("family", [f.name for f in load_catalog().families])
async def test_every_family_member_answers_the_familys_question_from_its_facts(family: str) -> None:
    from ccsim.scenarios.generator import generate_scenario

    spec = load_catalog().family(family)
    for member in spec.members:
        scenario = generate_scenario(member, "hard", 5)
        text = (await answer(scenario, ClarifyingQuestion(spec.question), seed=5)).lower()
        assert not any(w in text for w in ("not sure, sorry", "don't know", "dont know", "no idea")), (member, text)
        assert scenario.facts.issue_summary.lower() not in text, (member, text)
