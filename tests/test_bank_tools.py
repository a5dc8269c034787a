from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from ccsim.contact_center.models import CardStatus
from ccsim.contact_center.taxonomy import HUMAN_ROUTES, Route
from ccsim.tools.bank_state import BankState
from ccsim.tools.bank_tools import make_bank_tools, tools_for_helper, transfer_tool
from tests.bank_fixtures import TODAY, make_scenario, other_record

FULL_CARD_NUMBER = re.compile(r"\d{13,}")
NOT_ON_RECORD = "not on the verified caller's record; I can't share it."
HELPER_TOOL_NAMES = {
    Route.ACCOUNT_SERVICES: {"get_account_summary", "get_statement", "schedule_payment", "set_autopay"},
    Route.TRANSACTIONS: {"list_transactions", "search_transactions", "get_transaction"},
    Route.CARD_SERVICES: {
        "list_cards",
        "activate_card",
        "lock_card",
        "unlock_card",
        "replace_card",
        "reset_pin",
        "get_card_delivery_status",
        "add_travel_notice",
    },
    Route.KNOWLEDGE_BASE: {"search_knowledge_base"},
}


@pytest.fixture
def state() -> BankState:
    return BankState.from_scenario(make_scenario())


def _by_name(state: BankState) -> dict[str, BaseTool]:
    return {t.name: t for t in make_bank_tools(state)}


def _call(tool: BaseTool, args: dict[str, Any]) -> ToolMessage:
    """Invoke as the graph does, with a tool call, so errors come back as status='error' messages."""
    return tool.invoke({"type": "tool_call", "name": tool.name, "args": args, "id": "call-1"})


def test_tool_sets_per_helper(state: BankState) -> None:
    for route, names in HELPER_TOOL_NAMES.items():
        assert {t.name for t in tools_for_helper(route, state)} == names
    everything = set().union(*HELPER_TOOL_NAMES.values()) | {"transfer_to_human_department"}
    assert set(_by_name(state)) == everything
    assert "transfer_to_human_department" not in {t.name for t in make_bank_tools(state, include_transfer=False)}
    with pytest.raises(ValueError):
        tools_for_helper(Route.FRAUD, state)


def test_every_tool_has_a_description_and_schema(state: BankState) -> None:
    for tool in make_bank_tools(state):
        assert len(tool.description) > 30
        assert tool.args_schema is not None


def test_account_tools(state: BankState) -> None:
    tools = _by_name(state)
    summary = json.loads(tools["get_account_summary"].invoke({}))
    assert summary["current_balance"] == state.record.account.current_balance
    statement = json.loads(tools["get_statement"].invoke({"account_id": "ACC-1001"}))
    assert statement["payment_due_date"] == state.record.account.payment_due_date.isoformat()
    out = tools["schedule_payment"].invoke({"amount": 120.5, "date": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert "$120.50" in out and state.scheduled_payments[0].amount == 120.5
    assert "minimum" in tools["set_autopay"].invoke({"mode": "minimum"})
    assert state.record.account.autopay == "minimum"


def test_transaction_tools(state: BankState) -> None:
    tools = _by_name(state)
    listed = json.loads(tools["list_transactions"].invoke({"days": 10, "status": "posted"}))
    assert {t["status"] for t in listed} == {"posted"}
    assert all(t["date"] >= (TODAY - dt.timedelta(days=10)).isoformat() for t in listed)
    found = json.loads(tools["search_transactions"].invoke({"query": "netflix"}))
    assert [t["transaction_id"] for t in found] == ["TXN-A003"]
    assert found[0]["card"] == "**** **** **** 4821"
    assert tools["search_transactions"].invoke({"query": "nothing like this"}) == "No matching transactions."
    one = json.loads(tools["get_transaction"].invoke({"transaction_id": "TXN-A004"}))
    assert one["merchant"] == "Shell" and one["card"].endswith("7719")


def test_card_tools(state: BankState) -> None:
    tools = _by_name(state)
    cards = json.loads(tools["list_cards"].invoke({}))
    assert [c["card_number"] for c in cards] == ["**** **** **** 4821", "**** **** **** 7719", "**** **** **** 3005"]
    assert "locked" in tools["lock_card"].invoke({"card_id": "CARD-A1"})
    assert "unlocked" in tools["unlock_card"].invoke({"card_id": "CARD-A1"})
    assert "active" in tools["activate_card"].invoke({"card_id": "CARD-A3"})
    out = tools["replace_card"].invoke({"card_id": "CARD-A1", "reason": "lost"})
    assert "old card is closed" in out and state.record.card("CARD-A1").status is CardStatus.CLOSED
    new_id = state.card_replacements[0].new_card_id
    delivery = json.loads(tools["get_card_delivery_status"].invoke({"card_id": new_id}))
    assert delivery["delivery"] == "processing" and delivery["expected_delivery"]
    pin = tools["reset_pin"].invoke({"card_id": "CARD-A2"})
    assert "CARD-A2" in pin and state.pin_resets[0].card_id == "CARD-A2"
    notice = tools["add_travel_notice"].invoke(
        {"destination": "Japan", "start": TODAY.isoformat(), "end": (TODAY + dt.timedelta(days=9)).isoformat()}
    )
    assert "Japan" in notice and state.travel_notices[0].end == TODAY + dt.timedelta(days=9)


def test_knowledge_base_tool(state: BankState) -> None:
    (tool,) = tools_for_helper(Route.KNOWLEDGE_BASE, state)
    hits = json.loads(tool.invoke({"query": "what's the late fee", "k": 2}))
    assert hits[0]["id"] == "fee-late" and len(hits) == 2
    assert "No article" in tool.invoke({"query": "the of and"})


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("get_account_summary", {"account_id": "ACC-2002"}),
        ("schedule_payment", {"amount": 10, "date": TODAY.isoformat(), "account_id": "ACC-2002"}),
        ("set_autopay", {"mode": "full", "account_id": "ACC-2002"}),
        ("get_transaction", {"transaction_id": "TXN-B003"}),
        ("lock_card", {"card_id": "CARD-B1"}),
        ("replace_card", {"card_id": "CARD-B2", "reason": "stolen"}),
        ("get_card_delivery_status", {"card_id": "CARD-B3"}),
        ("reset_pin", {"card_id": "CARD-NOT-ANYWHERE"}),
    ],
)
def test_other_customers_ids_are_refused(state: BankState, name: str, args: dict[str, Any]) -> None:
    assert other_record().account.account_id == "ACC-2002"  # the ids above belong to a real other customer
    message = _call(_by_name(state)[name], args)
    assert message.status == "error"
    assert NOT_ON_RECORD in message.content
    ids = [v for v in args.values() if str(v).startswith(("ACC", "TXN", "CARD"))]
    assert ids and not any(i in message.content for i in ids)  # not even the id is echoed back
    assert state.changes == []


@pytest.mark.parametrize(
    ("name", "args", "fragment"),
    [
        ("schedule_payment", {"amount": -5, "date": TODAY.isoformat()}, "amount"),
        ("schedule_payment", {"amount": 10, "date": "next tuesday"}, "date"),
        ("schedule_payment", {"amount": 99999, "date": TODAY.isoformat()}, "exceeds the current balance"),
        ("set_autopay", {"mode": "sometimes"}, "mode"),
        ("list_transactions", {"days": 0}, "days"),
        ("replace_card", {"card_id": "CARD-A1"}, "reason"),
        ("unlock_card", {"card_id": "CARD-A1"}, "not locked"),
    ],
)
def test_bad_arguments_come_back_as_readable_errors(
    state: BankState, name: str, args: dict[str, Any], fragment: str
) -> None:
    message = _call(_by_name(state)[name], args)
    assert message.status == "error"
    assert message.content.startswith("Error:") and fragment in message.content


def test_transfer_tool_accepts_human_departments_and_rejects_others(state: BankState) -> None:
    tool = transfer_tool(state)
    for department in ["billing", "card_services", "knowledge base", "supervisor"]:
        message = _call(tool, {"department": department, "summary": "Customer wants help."})
        assert message.status == "error" and "human departments are" in message.content
    assert state.transfers == []
    out = tool.invoke({"department": "Disputes", "summary": "Charged twice by Amazon $129.99 on card ending 4821"})
    assert "Disputes" in out and state.transfers[0].department == "disputes"
    assert {r.value for r in HUMAN_ROUTES} >= {t.department for t in state.transfers}


async def test_tools_work_async(state: BankState) -> None:
    tools = _by_name(state)
    assert "locked" in await tools["lock_card"].ainvoke({"card_id": "CARD-A2"})
    assert state.record.card("CARD-A2").status is CardStatus.LOCKED
    message = await tools["get_transaction"].ainvoke(
        {"type": "tool_call", "name": "get_transaction", "args": {"transaction_id": "TXN-B001"}, "id": "c"}
    )
    assert message.status == "error" and NOT_ON_RECORD in message.content


def test_no_output_ever_contains_a_full_card_number(state: BankState) -> None:
    # Plant a full card number where a careless tool might echo it: a merchant descriptor.
    state.record.transactions[2].descriptor = "NETFLIX 4111111111111111 REF"
    tools = _by_name(state)
    later = (TODAY + dt.timedelta(days=4)).isoformat()
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_account_summary", {}),
        ("get_statement", {}),
        ("schedule_payment", {"amount": 50, "date": later}),
        ("set_autopay", {"mode": "full"}),
        ("list_transactions", {"days": 365}),
        ("search_transactions", {"query": "netflix"}),
        ("get_transaction", {"transaction_id": "TXN-A003"}),
        ("list_cards", {}),
        ("lock_card", {"card_id": "CARD-A1"}),
        ("unlock_card", {"card_id": "CARD-A1"}),
        ("activate_card", {"card_id": "CARD-A3"}),
        ("replace_card", {"card_id": "CARD-A2", "reason": "stolen"}),
        ("reset_pin", {"card_id": "CARD-A1"}),
        ("get_card_delivery_status", {"card_id": "CARD-A2-R1"}),
        ("add_travel_notice", {"destination": "Peru", "start": later, "end": later}),
        ("search_knowledge_base", {"query": "lost card"}),
        ("transfer_to_human_department", {"department": "fraud", "summary": "card 4111-1111-1111-1111 used"}),
        ("lock_card", {"card_id": "5500 0000 0000 0004"}),
    ]
    assert {name for name, _ in calls} == set(tools)
    outputs = [str(_call(tools[name], args).content) for name, args in calls]
    assert sum("**** **** **** 1111" in out for out in outputs) >= 3  # the planted numbers were seen, masked
    for out in outputs:
        assert FULL_CARD_NUMBER.search(re.sub(r"[ -]", "", out)) is None, out
