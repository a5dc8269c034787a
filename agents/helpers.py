"""Helper agents: they do the task the planner delegated, with their route's bank tools, and answer briefly.

Scripted helpers (the default) are deterministic and call the same LangChain tools an LLM helper gets, so
the event stream looks the same either way. LLM helpers run a small explicit tool loop. Every tool call and
result is logged with actor = the helper's route. Helpers never route the call.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.runnables.config import ensure_config
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import ValidationError
from pydantic.v1 import ValidationError as ValidationErrorV1

from ccsim.agents.prompts import helper_system_prompt
from ccsim.agents.quiet_runs import nothing_listens
from ccsim.agents.usage import UsageTally
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import EventLog
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.observability import traced
from ccsim.contact_center.taxonomy import Route
from ccsim.tools.bank_state import BankState
from ccsim.tools.bank_tools import tools_for_helper
from ccsim.tools.masking import redact

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

MAX_HELPER_STEPS = 6
_ROLE_NAMES = {"human": "Customer", "ai": "Planner", "tool": "Helper"}


class Helper(Protocol):
    async def run(self, task: str, conversation: list[BaseMessage]) -> str: ...


def customer_texts(conversation: list[BaseMessage]) -> list[str]:
    return [m.text for m in conversation if isinstance(m, HumanMessage)]


def render_conversation(conversation: list[BaseMessage]) -> str:
    """The conversation as plain lines, for an LLM helper's prompt."""
    lines = [
        f"{_ROLE_NAMES[m.type]}: {m.text}"
        for m in conversation
        if m.type in _ROLE_NAMES and m.text.strip() and not (isinstance(m, ToolMessage) and m.status == "error")
    ]
    return "\n".join(lines) or "(no messages yet)"


@traced("tool", hide=("tool",))
async def call_tool(tool: BaseTool, name: str, args: dict[str, Any]) -> Any:
    """One bank tool call (a Weave op under its helper's while Weave runs)."""
    if isinstance(tool, StructuredTool) and _plain_tool(tool):
        return await _run_plain_tool(tool, args)
    return await tool.ainvoke(args)


def _kwargs_only(fn: Callable[..., Any] | None) -> bool:
    """A plain function taking nothing but **kwargs, none of them marked injected."""
    code = getattr(fn, "__code__", None)
    return (
        code is not None
        and not (code.co_argcount or code.co_kwonlyargcount or code.co_flags & inspect.CO_VARARGS)
        and bool(code.co_flags & inspect.CO_VARKEYWORDS)
        and not any("Injected" in str(a) for a in getattr(fn, "__annotations__", {}).values())
    )


def _plain_tool(tool: StructuredTool) -> bool:
    """Whether LangChain's run of this tool would come down to validating the arguments and awaiting its
    coroutine: functions taking **kwargs only (nothing injected), plain content out, errors handled as text,
    and no callback handler or tracer configured to see the run."""
    if (
        tool.coroutine is None
        or not _kwargs_only(tool.coroutine)
        or (tool.func is not None and not _kwargs_only(tool.func))
        or tool.response_format != "content"
        or tool.handle_tool_error is not True
        or not callable(tool.handle_validation_error)
    ):
        return False
    return nothing_listens(ensure_config(None), tool)


async def _run_plain_tool(tool: StructuredTool, args: dict[str, Any]) -> Any:
    """What `tool.ainvoke(args)` returns for a plain tool (see _plain_tool), without LangChain's run
    bookkeeping: per call it inspects the coroutine's signature again, which costs more than the bank work."""
    assert tool.coroutine is not None and callable(tool.handle_validation_error)
    # What LangChain would work out from the function's signature for each new tool: a function of **kwargs
    # has no injected arguments.
    tool.__dict__.setdefault("_injected_args_keys", frozenset())
    try:
        tool_args, tool_kwargs = tool._to_args_and_kwargs(args, None)
        return await tool.coroutine(*tool_args, **tool_kwargs)
    except (ValidationError, ValidationErrorV1) as error:
        return tool.handle_validation_error(error)
    except ToolException as error:
        return error.args[0] if error.args else "Tool execution error"


class _ToolRunner:
    """Calls one helper's tools by name and logs every call and result.

    The tools are built on first use: an episode builds every helper, and most call one or none."""

    def __init__(self, route: Route, build_tools: Callable[[], list[BaseTool]], log: EventLog) -> None:
        self.route = route
        self._build_tools = build_tools
        self.log = log
        self._ids = itertools.count(1)

    @functools.cached_property
    def tools(self) -> dict[str, BaseTool]:
        return {t.name: t for t in self._build_tools()}

    async def call(self, name: str, args: dict[str, Any], call_id: str | None = None) -> str:
        call_id = call_id or f"{self.route.value}-{next(self._ids)}"
        self.log.add("tool_call", self.route.value, tool_name=name, tool_args=args, tool_call_id=call_id)
        started = time.perf_counter()
        tool = self.tools.get(name)
        if tool is None:
            result = f"Error: unknown tool {name!r}; available: {', '.join(self.tools)}."
        else:
            output = await call_tool(tool, name, args)
            result = output if isinstance(output, str) else str(output)
        self.log.add(
            "tool_result",
            self.route.value,
            result,
            tool_name=name,
            tool_call_id=call_id,
            latency_s=round(time.perf_counter() - started, 6),
        )
        return result


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _money(value: float) -> str:
    # A negative balance is money the bank owes the customer; say so rather than drop the sign.
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f} (a credit)"


# Words that name no merchant: matching on them would pick an arbitrary line ("INTEREST CHARGE ON PURCHASES").
_GENERIC_WORDS = frozenset(
    [
        "the",
        "this",
        "that",
        "what",
        "charge",
        "charges",
        "charged",
        "statement",
        "card",
        "transaction",
        "transactions",
        "purchase",
        "purchases",
        "payment",
        "payments",
        "online",
        "pending",
        "posted",
        "explain",
        "customer",
        "from",
        "for",
        "and",
        "with",
        "your",
        "you",
        "was",
        "were",
        "have",
        "has",
        "bank",
        "account",
        "com",
        "www",
        "inc",
        "llc",
    ]
)
_AMOUNT = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")


# Card requests in the order they are checked: the first that a text mentions is what it asks for.
_CARD_ACTIONS: tuple[tuple[str, str], ...] = (
    ("stolen", r"\bstolen\b"),
    ("lost", r"\b(lost|misplaced|can'?t find|missing)\b"),
    ("travel", r"\b(travel\w*|trip|abroad|overseas|vacation)\b"),
    ("activate", r"\b(activat\w*|turn (it|the card|my card) on)\b"),
    ("pin", r"\bpin\b"),
    ("expiring", r"\bexpir\w*\b"),
    ("damaged", r"\b(damaged|broken|cracked|worn|snapped|bent)\b"),
    ("unlock", r"\b(unlock|unfreeze|found it|found my card)\b"),
    ("lock", r"\b(lock|freeze|block)\b"),
    ("delivery", r"\b(deliver\w*|arriv\w*|received?|mail|shipping|ship)\b"),
)
_SITUATION_ACTIONS: dict[str | None, str] = {
    "lost": "lost",
    "stolen": "stolen",
    "damaged": "damaged",
    "expiring": "expiring",
    "not_received": "delivery",
}


def _card_action(text: str) -> str | None:
    low = text.lower()
    return next((action for action, pattern in _CARD_ACTIONS if re.search(pattern, low)), None)


class ScriptedHelper:
    """A deterministic helper: reads the task and the customer's words, calls its tools, answers in a sentence."""

    def __init__(self, route: Route, state: BankState, log: EventLog, scenario: Scenario) -> None:
        self.route = route
        self.state = state
        self.scenario = scenario
        self._tools = _ToolRunner(route, functools.partial(tools_for_helper, route, state), log)

    async def run(self, task: str, conversation: list[BaseMessage]) -> str:
        # The customer's own words first: a planner's task may name several issues ("lock or unlock a card").
        text = " ".join([*customer_texts(conversation), task])
        handlers = {
            Route.ACCOUNT_SERVICES: self._account_services,
            Route.TRANSACTIONS: self._transactions,
            Route.CARD_SERVICES: self._card_services,
            Route.KNOWLEDGE_BASE: self._knowledge_base,
        }
        return redact(await handlers[self.route](task, text))

    # ---- account services --------------------------------------------------------------------------

    async def _account_services(self, task: str, text: str) -> str:
        low = text.lower()
        summary = _json_or_none(await self._tools.call("get_account_summary", {}))
        if not isinstance(summary, dict):
            return "I couldn't open the account right now, sorry."
        if "autopay" in low or "automatic payment" in low:
            mode = self._autopay_mode(low.removesuffix(task.lower())) or self._autopay_mode(task.lower())
            mode = mode or self._default_autopay_mode()
            return await self._tools.call("set_autopay", {"mode": mode})
        if re.search(r"\b(schedule|make|pay off|send)\b.*\bpayment\b|\bpay (my|the|it|\$)|\bput \$?\d", low):
            # More than the balance cannot be scheduled; paying it all is what such a customer wants.
            amount = min(self._payment_amount(text, summary), float(summary["current_balance"]))
            return await self._tools.call("schedule_payment", {"amount": amount, "date": self.state.today.isoformat()})
        answer = (
            f"Your current balance is {_money(summary['current_balance'])} with "
            f"{_money(summary['available_credit'])} of available credit. The statement balance is "
            f"{_money(summary['statement_balance'])}; the minimum payment of {_money(summary['minimum_payment'])} "
            f"is due on {summary['payment_due_date']}."
        )
        if "reward" in low or "points" in low:
            answer += f" You have {summary['rewards_points']:,} rewards points."
        if summary.get("days_past_due"):
            answer += f" The account is {summary['days_past_due']} days past due."
        return answer

    @staticmethod
    def _autopay_mode(low: str) -> str | None:
        if re.search(r"\b(turn off|stop|cancel|disable)\b.*autopay|autopay\b.*\boff\b", low):
            return "off"
        return next((mode for mode in ("full", "statement", "minimum") if mode in low), None)

    def _default_autopay_mode(self) -> str:
        chosen = self.scenario.facts.extra.get("autopay_choice", "")
        return chosen if chosen in ("off", "minimum", "statement", "full") else "statement"

    def _payment_amount(self, text: str, summary: dict[str, Any]) -> float:
        if match := _AMOUNT.search(text):
            return float(match.group(1).replace(",", ""))
        if self.scenario.facts.amount:
            return abs(self.scenario.facts.amount)
        low = text.lower()
        if "full" in low:
            return float(summary["current_balance"])
        if "statement" in low:
            return float(summary["statement_balance"])
        return float(summary["minimum_payment"]) or float(summary["current_balance"])

    # ---- transactions ------------------------------------------------------------------------------

    async def _transactions(self, task: str, text: str) -> str:
        listed = _json_or_none(await self._tools.call("list_transactions", {"days": 365, "status": "all"}))
        if not isinstance(listed, list) or not listed:
            return "I don't see any recent transactions on the account."
        chosen = self._match_transaction(text, listed)
        if chosen is None:
            return "I couldn't find the transaction you mean; could you tell me the merchant or amount?"
        detail = _json_or_none(await self._tools.call("get_transaction", {"transaction_id": chosen["transaction_id"]}))
        t = detail if isinstance(detail, dict) else chosen
        if t["kind"] == "payment":
            return f"Your payment of {_money(abs(t['amount']))} on {t['date']} is {t['status']}."
        answer = (
            f'The {_money(t["amount"])} charge on {t["date"]} shows on your statement as "{t["descriptor"]}"; '
            f"it is {t['merchant']} ({t['category']}), made {t['channel'].replace('_', ' ')}"
            f"{' with card ' + t['card'] if t.get('card') else ''}."
        )
        if t["status"] == "pending":
            answer += " It is still pending: it usually posts within a few days, and the final amount can change."
        return answer

    def _match_transaction(self, text: str, listed: list[dict[str, Any]]) -> dict[str, Any] | None:
        low = text.lower()
        words = set(re.findall(r"[a-z0-9]{3,}", low)) - _GENERIC_WORDS
        amounts = {float(a.replace(",", "")) for a in _AMOUNT.findall(text)}

        def score(t: dict[str, Any]) -> int:
            names = set(re.findall(r"[a-z0-9]{3,}", f"{t['merchant']} {t['descriptor']}".lower()))
            return 2 * len(names & words) + (3 if abs(float(t["amount"])) in amounts else 0)

        best = max(listed, key=score)
        if score(best) > 0:
            return best
        by_id = {t["transaction_id"]: t for t in listed}
        for transaction_id in self.scenario.facts.transaction_ids:
            if transaction_id in by_id:
                return by_id[transaction_id]
        if "pending" in low:
            return next((t for t in listed if t["status"] == "pending"), None)
        if "payment" in low:
            return next((t for t in listed if t["kind"] == "payment"), None)
        return None

    # ---- card services -----------------------------------------------------------------------------

    async def _card_services(self, task: str, text: str) -> str:
        cards = _json_or_none(await self._tools.call("list_cards", {}))
        if not isinstance(cards, list) or not cards:
            return "I can't find a card on the account."
        card_id = self._pick_card(text, cards)
        said = text.removesuffix(task).strip()
        action = _card_action(said) or _card_action(task) or _SITUATION_ACTIONS.get(self.scenario.facts.card_situation)
        if action in ("lost", "stolen"):
            return await self._lock_and_replace(card_id, action)
        if action == "travel":
            destination = self.scenario.facts.extra.get("country") or self._destination(text) or "abroad"
            start = self.state.today
            end = start + dt.timedelta(days=21)
            return await self._tools.call(
                "add_travel_notice", {"destination": destination, "start": start.isoformat(), "end": end.isoformat()}
            )
        if action in ("damaged", "expiring"):
            return await self._tools.call("replace_card", {"card_id": card_id, "reason": action})
        if action == "delivery":
            status = await self._tools.call("get_card_delivery_status", {"card_id": card_id})
            return f"Here is the delivery status of your card: {status}"
        if action is not None:
            tool = {"activate": "activate_card", "pin": "reset_pin", "unlock": "unlock_card", "lock": "lock_card"}[
                action
            ]
            return await self._tools.call(tool, {"card_id": card_id})
        card = next((c for c in cards if c["card_id"] == card_id), cards[0])
        return f"Your card {card['card_number']} is {card['status']} and expires {card['expiry']}."

    async def _lock_and_replace(self, card_id: str, reason: str) -> str:
        locked = await self._tools.call("lock_card", {"card_id": card_id})
        replaced = await self._tools.call("replace_card", {"card_id": card_id, "reason": reason})
        return f"{locked} {replaced}"

    def _pick_card(self, text: str, cards: list[dict[str, Any]]) -> str:
        for card in cards:
            if card["card_id"].lower() in text.lower():
                return card["card_id"]
        for card in cards:
            if re.search(rf"(?<!\d){card['card_number'][-4:]}(?!\d)", text):
                return card["card_id"]
        if self.scenario.facts.card_id and any(c["card_id"] == self.scenario.facts.card_id for c in cards):
            return self.scenario.facts.card_id
        usable = [c for c in cards if c["status"] not in ("closed",)]
        primary = [c for c in usable if c["role"] == "primary"]
        return (primary or usable or cards)[0]["card_id"]

    @staticmethod
    def _destination(text: str) -> str | None:
        match = re.search(r"\b(?:to|in|visiting)\s+([A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?)", text)
        return match.group(1) if match else None

    # ---- knowledge base ----------------------------------------------------------------------------

    async def _knowledge_base(self, task: str, text: str) -> str:
        hits = _json_or_none(await self._tools.call("search_knowledge_base", {"query": text, "k": 1}))
        if not isinstance(hits, list) or not hits:
            return "I couldn't find an article about that in our knowledge base."
        body = " ".join(str(hits[0]["body"]).split())
        sentences = re.split(r"(?<=[.!?])\s+", body)
        return f"{hits[0]['title']}: {' '.join(sentences[:2])}"


class LLMHelper:
    """A helper played by a chat model in an explicit tool loop over its route's bank tools."""

    def __init__(
        self,
        route: Route,
        state: BankState,
        log: EventLog,
        spec: ModelSpec,
        *,
        usage: UsageTally | None = None,
        model: Runnable[LanguageModelInput, BaseMessage] | None = None,
    ) -> None:
        self.route = route
        self.log = log
        self.label = spec.model or spec.label
        self.usage = usage if usage is not None else UsageTally()
        self._tools = _ToolRunner(route, functools.partial(tools_for_helper, route, state), log)
        self._given_model = model
        self._chat_model: ChatOpenAI | None = None
        if model is None:
            from ccsim.agents.policies.openai_chat import chat_model  # langchain-openai only for LLM helpers

            self._chat_model = chat_model(spec)  # a bad spec fails here, as the episode starts

    @functools.cached_property
    def _model(self) -> Runnable[LanguageModelInput, BaseMessage]:
        # Bound on first use: an episode builds every helper, and most call one or none.
        if self._given_model is not None:
            return self._given_model
        assert self._chat_model is not None
        return self._chat_model.bind_tools(list(self._tools.tools.values()))

    async def run(self, task: str, conversation: list[BaseMessage]) -> str:
        messages: list[BaseMessage] = [
            SystemMessage(helper_system_prompt(self.route)),
            HumanMessage(f"Task from the planner: {task}\n\nConversation so far:\n{render_conversation(conversation)}"),
        ]
        for _step in range(MAX_HELPER_STEPS):
            response = await self._model.ainvoke(messages)
            self.usage.record(response, self.label)
            messages.append(response)
            if not isinstance(response, AIMessage) or not (response.tool_calls or response.invalid_tool_calls):
                return redact(response.text.strip()) or "I'm sorry, I couldn't complete that."
            for call in response.tool_calls:
                result = await self._tools.call(call["name"], call["args"], call.get("id"))
                messages.append(ToolMessage(result, tool_call_id=call.get("id") or "", name=call["name"]))
            for bad in response.invalid_tool_calls:
                messages.append(
                    ToolMessage(
                        f"Error: the arguments are not valid JSON: {bad.get('args')!r}",
                        tool_call_id=bad.get("id") or "",
                        status="error",
                    )
                )
        return "I'm sorry, I couldn't complete that within the steps I'm allowed."
