"""Helper agents do their task with their route's bank tools, log every call, and never leak a card number."""

from __future__ import annotations

import re

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import StructuredTool

from ccsim.agents.helpers import LLMHelper, ScriptedHelper, _plain_tool, _run_plain_tool
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import EventLog
from ccsim.contact_center.models import CardStatus, CustomerFacts, Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.tools.bank_state import BankState
from ccsim.tools.bank_tools import tools_for_helper
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer, ScriptedToolCall

FULL_CARD_NUMBER = re.compile(r"\d{13,19}")


def setup(scenario: Scenario | None = None) -> tuple[Scenario, BankState, EventLog]:
    scenario = scenario or make_scenario()
    return scenario, BankState.from_scenario(scenario), EventLog()


def said(text: str) -> list[BaseMessage]:
    return [HumanMessage(text)]


async def test_card_services_locks_and_replaces_a_lost_card() -> None:
    scenario, state, log = setup()
    card_id = scenario.facts.card_id
    helper = ScriptedHelper(Route.CARD_SERVICES, state, log, scenario)
    answer = await helper.run("The customer lost their card; lock and replace it.", said("I lost my card."))
    assert state.record.card(card_id).status in (CardStatus.LOCKED, CardStatus.CLOSED)
    assert [r.old_card_id for r in state.card_replacements] == [card_id]
    calls = [e for e in log.events if e.kind == "tool_call"]
    assert [e.tool_name for e in calls] == ["list_cards", "lock_card", "replace_card"]
    assert all(e.actor == "card_services" for e in log.events)
    results = {e.tool_call_id for e in log.events if e.kind == "tool_result"}
    assert results == {e.tool_call_id for e in calls}
    assert "locked" in answer and not FULL_CARD_NUMBER.search(answer)


async def test_card_services_uses_a_card_the_task_names_over_the_facts() -> None:
    scenario, state, log = setup()
    helper = ScriptedHelper(Route.CARD_SERVICES, state, log, scenario)
    await helper.run("Activate the new card ending 3005.", [])
    assert state.record.card("CARD-A3").status is CardStatus.ACTIVE


async def test_account_services_answers_balance_and_sets_autopay() -> None:
    scenario, state, log = setup()
    helper = ScriptedHelper(Route.ACCOUNT_SERVICES, state, log, scenario)
    answer = await helper.run("Tell the customer their balance and due date.", said("what's my balance?"))
    assert "$1,240.55" in answer and str(state.record.account.payment_due_date) in answer
    await helper.run("Set autopay to pay the full balance.", [])
    assert state.record.account.autopay == "full"


async def test_transactions_explains_the_descriptor_the_customer_mentions() -> None:
    scenario, state, log = setup()
    helper = ScriptedHelper(Route.TRANSACTIONS, state, log, scenario)
    answer = await helper.run("Explain this charge.", said("what is BLUE BOTTLE on my statement?"))
    assert "Blue Bottle Coffee" in answer and "pending" in answer
    facts = CustomerFacts(issue_summary="what is this", transaction_ids=["TXN-A004"])
    scenario2, state2, log2 = setup(make_scenario().model_copy(update={"facts": facts}))
    fallback = await ScriptedHelper(Route.TRANSACTIONS, state2, log2, scenario2).run("Explain the charge.", [])
    assert "Shell" in fallback  # nothing named: the transaction the customer is asking about


async def test_knowledge_base_answers_from_the_top_article() -> None:
    scenario, state, log = setup()
    helper = ScriptedHelper(Route.KNOWLEDGE_BASE, state, log, scenario)
    answer = await helper.run("Explain the foreign transaction fee.", said("do you charge fees abroad?"))
    result = next(e for e in log.events if e.kind == "tool_result")
    assert result.tool_name == "search_knowledge_base"
    title = answer.split(":")[0]
    assert title and title in result.content


async def test_llm_helper_runs_a_tool_loop_and_logs_it() -> None:
    _, state, log = setup()
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="lock_card", arguments={"card_id": "CARD-A1"}, id="t1")])
        server.enqueue(tool_calls=[ScriptedToolCall(name="lock_card", arguments='{"card_id": ')])
        server.enqueue(text="Your card ending 4821 is locked.")
        spec = ModelSpec(kind="openai", model="fake-helper", base_url=server.base_url, max_retries=0, timeout_s=10)
        helper = LLMHelper(Route.CARD_SERVICES, state, log, spec)
        answer = await helper.run("Lock the lost card.", said("I lost my card"))
        first_request = server.requests[0]
        last_request = server.requests[-1]
    assert answer == "Your card ending 4821 is locked."
    assert state.record.card("CARD-A1").status is CardStatus.LOCKED
    assert {t["function"]["name"] for t in first_request["tools"]} >= {"lock_card", "replace_card"}
    assert "transfer" not in {t["function"]["name"] for t in first_request["tools"]}
    assert [(e.kind, e.tool_call_id) for e in log.events] == [("tool_call", "t1"), ("tool_result", "t1")]
    assert any(m["role"] == "tool" and "not valid JSON" in m["content"] for m in last_request["messages"])
    assert helper.usage.by_model()["fake-helper"].prompt_tokens == 33


async def test_a_tool_run_directly_answers_what_langchain_would() -> None:
    scenario = make_scenario()
    card_id = scenario.customer.cards[0].card_id
    calls = [
        ("lock_card", {"card_id": card_id}),
        ("lock_card", {"card_id": "no-such-card"}),  # a bank error, handled as text
        ("replace_card", {"card_id": card_id, "reason": "not-a-reason"}),  # invalid arguments
        ("list_cards", {}),
        ("get_card_delivery_status", {"card_id": card_id}),
    ]
    for name, args in calls:
        by_langchain = {t.name: t for t in tools_for_helper(Route.CARD_SERVICES, BankState.from_scenario(scenario))}
        state = BankState.from_scenario(scenario)
        direct = {t.name: t for t in tools_for_helper(Route.CARD_SERVICES, state)}
        tool = direct[name]
        assert isinstance(tool, StructuredTool) and _plain_tool(tool)
        assert await _run_plain_tool(tool, dict(args)) == await by_langchain[name].ainvoke(dict(args)), name
        # The direct run takes these tools to have no injected arguments; LangChain's own reading agrees.
        assert by_langchain[name]._injected_args_keys == frozenset()


def test_a_tool_with_a_callback_handler_runs_through_langchain() -> None:
    tool = tools_for_helper(Route.CARD_SERVICES, BankState.from_scenario(make_scenario()))[0]
    assert isinstance(tool, StructuredTool) and _plain_tool(tool)
    tool.callbacks = [AsyncCallbackHandler()]
    assert not _plain_tool(tool)
