"""The planner's decisions and tools: schemas bound to the model, and validation of what the planner calls."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ccsim.agents.planner_actions import (
    DELEGATE,
    PLANNER_TOOLS,
    TRANSFER_TO_HUMAN,
    InvalidAction,
    PlannerDecision,
    action_arguments,
    action_tool_name,
    parse_action,
    parse_invalid_tool_call,
)
from ccsim.agents.questions import ClarifyingQuestion, question_text
from ccsim.contact_center.taxonomy import HELPER_ROUTES, HUMAN_ROUTES, Route


def call(name: str, args: object, call_id: str = "call_1") -> dict[str, object]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def test_schemas_list_exactly_the_routes_each_tool_takes() -> None:
    by_name = {t["function"]["name"]: t["function"] for t in PLANNER_TOOLS}
    assert set(by_name) == {DELEGATE, TRANSFER_TO_HUMAN}
    assert by_name[DELEGATE]["parameters"]["properties"]["agent"]["enum"] == [r.value for r in HELPER_ROUTES]
    assert by_name[TRANSFER_TO_HUMAN]["parameters"]["properties"]["department"]["enum"] == [
        r.value for r in HUMAN_ROUTES
    ]
    for function in by_name.values():
        assert function["parameters"]["required"] == list(function["parameters"]["properties"])
        assert function["parameters"]["additionalProperties"] is False


def test_valid_delegate_and_transfer_parse_leniently() -> None:
    delegate = parse_action(call(DELEGATE, {"agent": "Card Services", "task": " lock the card "}))
    assert delegate == PlannerDecision(
        kind="delegate", route=Route.CARD_SERVICES, text="lock the card", tool_call_id="call_1"
    )
    transfer = parse_action(call(TRANSFER_TO_HUMAN, {"department": "fraud", "summary": "unknown $50 charge"}, "c2"))
    assert transfer == PlannerDecision.transfer(Route.FRAUD, "unknown $50 charge", "c2")


@pytest.mark.parametrize(
    ("name", "args", "fragment"),
    [
        ("refund", {"amount": 5}, "Unknown tool 'refund'"),
        (DELEGATE, {"agent": "fraud", "task": "x"}, "'fraud' is a human department; call transfer_to_human"),
        (TRANSFER_TO_HUMAN, {"department": "pizza", "summary": "x"}, "unknown department 'pizza'"),
        (TRANSFER_TO_HUMAN, {"department": "card_services", "summary": "x"}, "is a helper agent; call delegate"),
        (DELEGATE, {"agent": "transactions"}, "task"),
        (DELEGATE, {"agent": "transactions", "task": "x", "priority": "high"}, "priority"),
        (TRANSFER_TO_HUMAN, {"department": "fraud", "summary": "   "}, "'summary' is empty"),
        (DELEGATE, {"agent": 3, "task": "x"}, "must be a string"),
        (DELEGATE, ["transactions"], "JSON object"),
    ],
)
def test_invalid_calls_say_what_is_wrong(name: str, args: object, fragment: str) -> None:
    result = parse_action(call(name, args))
    assert isinstance(result, InvalidAction)
    assert fragment in result.error
    assert result.tool_call_id == "call_1"


def test_broken_json_is_an_invalid_action_keeping_the_raw_text() -> None:
    result = parse_invalid_tool_call({"name": DELEGATE, "args": '{"agent": "trans', "id": "c9", "error": "x"})
    assert result.tool_call_id == "c9"
    assert result.raw_args == '{"agent": "trans'
    assert "not valid JSON" in result.error


def test_a_decision_says_what_its_tool_call_carries() -> None:
    transfer = PlannerDecision.transfer(Route.FRAUD, "unknown $50 charge")
    assert action_tool_name(transfer) == TRANSFER_TO_HUMAN
    assert action_arguments(transfer) == {"department": "fraud", "summary": "unknown $50 charge"}
    delegate = PlannerDecision.delegate(Route.TRANSACTIONS, "explain the charge")
    assert action_tool_name(delegate) == DELEGATE
    assert action_arguments(delegate) == {"agent": "transactions", "task": "explain the charge"}
    ask = PlannerDecision.ask(ClarifyingQuestion.RECOGNIZE_MERCHANT)
    assert ask.text == question_text(ClarifyingQuestion.RECOGNIZE_MERCHANT) and ask.route is None
    with pytest.raises(ValueError, match="calls no tool"):
        action_tool_name(ask)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "delegate", "route": "fraud", "text": "x"},  # a human department is transferred to
        {"kind": "transfer", "route": "card_services", "text": "x"},  # a helper is delegated to
        {"kind": "transfer", "text": "x"},  # nowhere to go
        {"kind": "ask", "route": "card_services", "text": "which card?"},
        {"kind": "delegate", "route": "card_services", "text": "x", "question": "details"},
        {"kind": "delegate", "route": "card_services", "text": ""},
    ],
)
def test_an_inconsistent_decision_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PlannerDecision.model_validate(fields)
