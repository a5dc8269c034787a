"""The rules baseline as a chat model: messages in, rules_router decision out as text or a tool call."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from ccsim.agents.planner_actions import PLANNER_TOOLS, Delegate, Transfer, parse_action
from ccsim.agents.planner_view import system_note
from ccsim.agents.policies.decision_messages import decision_to_message
from ccsim.agents.policies.factory import build_planner
from ccsim.agents.policies.rules import RulesPlanner, messages_to_turns
from ccsim.agents.policies.rules_router import Decision
from ccsim.agents.questions import ClarifyingQuestion, question_text
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.taxonomy import Route


def test_messages_become_turns_by_who_spoke() -> None:
    delegate_call = {"name": "delegate", "args": {"agent": "transactions", "task": "t"}, "id": "c1"}
    bad_call = {"name": "delegate", "args": {"agent": "pizza", "task": "t"}, "id": "c0"}
    messages = [
        SystemMessage("policy"),
        HumanMessage("what is this charge?"),
        AIMessage("Do you recognise the merchant?"),
        HumanMessage("not sure"),
        AIMessage("", tool_calls=[bad_call]),
        ToolMessage("unknown agent", tool_call_id="c0", status="error"),
        system_note("your reply was empty"),
        AIMessage("", tool_calls=[delegate_call]),
        ToolMessage("That is Amazon.", tool_call_id="c1"),
    ]
    turns = [(t.role, t.text) for t in messages_to_turns(messages)]
    assert turns == [
        ("customer", "what is this charge?"),
        ("planner", "Do you recognise the merchant?"),
        ("customer", "not sure"),
        ("helper", "That is Amazon."),
    ]


async def test_a_clear_fraud_opening_is_a_transfer_tool_call() -> None:
    planner = RulesPlanner()
    assert planner.bind_tools(PLANNER_TOOLS) is planner
    messages = [
        SystemMessage("policy"),
        HumanMessage("There's a $49.99 charge from QZX TECH I never made, it's fraud."),
    ]
    reply = await planner.ainvoke(messages)
    assert reply.text == ""
    action = parse_action(reply.tool_calls[0])
    assert isinstance(action, Transfer) and action.route is Route.FRAUD
    assert "$49.99" in action.summary
    again = await planner.ainvoke(messages)
    assert again.tool_calls[0]["id"] == reply.tool_calls[0]["id"]  # deterministic ids
    raw = reply.additional_kwargs["tool_calls"][0]
    assert json.loads(raw["function"]["arguments"]) == reply.tool_calls[0]["args"]
    assert reply.response_metadata["finish_reason"] == "tool_calls"


async def test_an_ambiguous_opening_is_a_question_then_the_answer_decides() -> None:
    planner = build_planner(ModelSpec(kind="rules"))
    opening = HumanMessage("I have a question about a charge from Amazon on my statement.")
    question = await planner.ainvoke([SystemMessage("policy"), opening])
    assert not question.tool_calls and question.text
    known = await planner.ainvoke(
        [
            SystemMessage("policy"),
            opening,
            question,
            HumanMessage("Yes, I recognise Amazon, but they charged me twice."),
        ]
    )
    unknown = await planner.ainvoke(
        [
            SystemMessage("policy"),
            opening,
            question,
            HumanMessage("No, I don't recognise it. I didn't make that charge."),
        ]
    )
    assert parse_action(known.tool_calls[0]).route is Route.DISPUTES
    assert parse_action(unknown.tool_calls[0]).route is Route.FRAUD


def test_decision_to_message_forms() -> None:
    ask = decision_to_message(
        Decision(kind="ask", question=ClarifyingQuestion.DETAILS, text=question_text(ClarifyingQuestion.DETAILS))
    )
    assert ask.text == question_text(ClarifyingQuestion.DETAILS) and not ask.tool_calls
    first = decision_to_message(Decision(kind="delegate", route=Route.CARD_SERVICES, text="lock it"), call_index=1)
    second = decision_to_message(Decision(kind="delegate", route=Route.CARD_SERVICES, text="lock it"), call_index=2)
    assert first.tool_calls[0]["id"] != second.tool_calls[0]["id"]
    assert parse_action(first.tool_calls[0]) == Delegate(
        route=Route.CARD_SERVICES, task="lock it", tool_call_id=first.tool_calls[0]["id"]
    )
