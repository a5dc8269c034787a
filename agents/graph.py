"""The contact center as a LangGraph graph: customer -> planner -> (helper agent | transfer | customer) -> ...

One compiled graph serves every episode: the per-episode objects (planner model, customer, helpers, bank
state, event log, limits) travel in the runtime context, never in globals, so many episodes can run
concurrently. `play_episode` is the one entry point the runner calls.
"""

from __future__ import annotations

import operator
import time
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict  # not typing's: LangGraph Studio's /schemas needs it on Python < 3.12

from ccsim.agents.customer import CustomerSimulator
from ccsim.agents.helpers import Helper
from ccsim.agents.planner_actions import (
    InvalidAction,
    PlannerDecision,
    action_arguments,
    action_tool_name,
    parse_action,
    parse_invalid_tool_call,
    planner_tools,
)
from ccsim.agents.planner_view import system_note, to_openai_messages
from ccsim.agents.prompts import planner_system_prompt
from ccsim.agents.registry import EpisodeParts, PlannerModel, build_customer, build_helpers, build_planner
from ccsim.agents.stored_text import customer_text, event_fields, safe_text, stored_planner_messages
from ccsim.agents.usage import UsageTally
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import EventLog, TokenUsage
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.observability import traced
from ccsim.contact_center.taxonomy import HELPER_ROUTES, ROUTES, Route
from ccsim.tools.bank_state import BankState, BankToolError

CUSTOMER = "customer"
PLANNER = "planner"
TRANSFER = "transfer"
HELPER_NODES: tuple[str, ...] = tuple(r.value for r in HELPER_ROUTES)
PlayStatus = Literal["completed", "turn_limit"]


class PendingAction(TypedDict):
    route: str
    text: str  # the delegate task or the transfer summary
    tool_call_id: str


class EpisodeState(TypedDict, total=False):
    """The graph's state: the planner's view plus a few counters and hand-offs between nodes."""

    planner_messages: Annotated[list[BaseMessage], operator.add]
    to_customer: str | None  # the planner's question for the customer
    helper_answer: str | None  # a helper's answer for the customer
    pending: PendingAction | None  # the validated action the next node carries out
    customer_turns: int
    planner_calls: int
    invalid_actions: int
    planner_latency_s: float
    planner_usage: TokenUsage
    final_route: str | None
    handoff_summary: str | None
    status: PlayStatus | None


@dataclass
class EpisodeContext:
    """Per-episode runtime objects (LangGraph runtime context)."""

    planner: PlannerModel
    planner_label: str
    customer: CustomerSimulator
    helpers: dict[Route, Helper]
    bank: BankState
    log: EventLog
    config: EpisodeConfig
    usage: UsageTally


# ---- nodes ------------------------------------------------------------------------------------------


async def customer_node(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> Command:
    ctx = runtime.context
    reply = await ctx.customer.reply(state.get("to_customer"), helper_answer=state.get("helper_answer"))
    update: dict[str, Any] = {"to_customer": None, "helper_answer": None}
    if reply.text:
        # Masked before the planner or the log sees it: a card number the customer types is never stored.
        said = customer_text(reply.text)
        ctx.log.add("customer_message", CUSTOMER, said)
        update["customer_turns"] = state.get("customer_turns", 0) + 1
        update["planner_messages"] = [HumanMessage(said)]
    if reply.ended:
        ctx.log.add("end", CUSTOMER, "The customer ended the call.")
        return Command(goto=END, update={**update, "status": "completed"})
    return Command(goto=PLANNER, update=update)


@traced("planner", hide=("planner",))
async def call_planner(planner: PlannerModel, messages: list[BaseMessage]) -> Any:
    """One planner call (a Weave op under the episode's while Weave runs)."""
    return await planner.ainvoke(messages)


@traced("helper", hide=("helper",))
async def call_helper(helper: Helper, route: str, task: str, conversation: list[BaseMessage]) -> str:
    """One helper agent's turn, its tool calls nested under it in Weave."""
    return await helper.run(task, conversation)


async def planner_node(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> Command:
    ctx = runtime.context
    calls = state.get("planner_calls", 0)
    if calls >= ctx.config.max_turns:
        ctx.log.add("end", "system", f"Turn limit reached after {calls} planner turns.")
        return Command(goto=END, update={"status": "turn_limit"})

    started = time.perf_counter()
    response = await call_planner(ctx.planner, state["planner_messages"])
    latency = time.perf_counter() - started
    if not isinstance(response, AIMessage):
        response = AIMessage(content=getattr(response, "content", str(response)))
    usage = ctx.usage.record(response, ctx.planner_label)
    model = str(response.response_metadata.get("model_name") or ctx.planner_label)
    update: dict[str, Any] = {
        "planner_calls": calls + 1,
        "planner_latency_s": state.get("planner_latency_s", 0.0) + latency,
        "planner_usage": state.get("planner_usage", TokenUsage()) + usage,
    }
    # The first event of this planner call carries the call's model, latency and usage.
    call_fields: dict[str, Any] = {"model": model, "latency_s": round(latency, 6), "usage": usage}

    def log_once(kind: Any, content: str = "", **fields: Any) -> None:
        content, fields = event_fields(content, fields)  # masked and capped: nothing sensitive at rest
        ctx.log.add(kind, PLANNER, content, **call_fields, **fields)
        call_fields.clear()

    new_messages: list[BaseMessage] = [response]
    results: list[PlannerDecision | InvalidAction] = [parse_action(dict(tc)) for tc in response.tool_calls]
    results += [parse_invalid_tool_call(dict(itc)) for itc in response.invalid_tool_calls]

    if not results:
        text = response.text.strip()
        if len(text) > ctx.config.max_message_chars:
            error = (
                f"Your message was {len(text)} characters; the limit is {ctx.config.max_message_chars}. "
                "Ask the customer one short question, or call delegate or transfer_to_human."
            )
            log_once("invalid_action", error)
            new_messages.append(system_note(error))
            update["invalid_actions"] = state.get("invalid_actions", 0) + 1
            return Command(goto=PLANNER, update={**update, "planner_messages": new_messages})
        if text:
            log_once("planner_message", text)
            return Command(goto=CUSTOMER, update={**update, "planner_messages": new_messages, "to_customer": text})
        error = "Your reply was empty. Ask the customer a question, or call delegate or transfer_to_human."
        log_once("invalid_action", error)
        new_messages.append(system_note(error))
        update["invalid_actions"] = state.get("invalid_actions", 0) + 1
        return Command(goto=PLANNER, update={**update, "planner_messages": new_messages})

    chosen: PlannerDecision | None = None
    invalid: list[InvalidAction] = []
    for result in results:
        if isinstance(result, InvalidAction):
            invalid.append(result)
        elif chosen is None:
            chosen = result
        else:
            invalid.append(
                InvalidAction(
                    error="Only one action per turn: this call was ignored.",
                    tool_name=action_tool_name(result),
                    tool_call_id=result.tool_call_id,
                    raw_args=action_arguments(result),
                )
            )
    if chosen is not None:
        log_once(
            "planner_action",
            tool_name=action_tool_name(chosen),
            tool_args=action_arguments(chosen),
            tool_call_id=chosen.tool_call_id,
        )
    for bad in invalid:
        args = bad.raw_args if isinstance(bad.raw_args, dict) else {"raw": bad.raw_args}
        log_once("invalid_action", bad.error, tool_name=bad.tool_name, tool_args=args, tool_call_id=bad.tool_call_id)
        if bad.tool_call_id:
            new_messages.append(ToolMessage(bad.error, tool_call_id=bad.tool_call_id, status="error"))
        else:
            new_messages.append(system_note(bad.error))
    update["invalid_actions"] = state.get("invalid_actions", 0) + len(invalid)
    update["planner_messages"] = new_messages
    if chosen is None:
        return Command(goto=PLANNER, update=update)
    route = chosen.route
    assert route is not None  # parse_action returns only delegate and transfer decisions, which name a route
    # The task or summary travels to helpers, the bank state and the transfer event masked and capped.
    text = safe_text(chosen.text)[0]
    update["pending"] = PendingAction(route=route.value, text=text, tool_call_id=chosen.tool_call_id or "")
    return Command(goto=route.value if chosen.kind == "delegate" else TRANSFER, update=update)


def _helper_node(route: Route) -> Any:
    async def helper_node(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> Command:
        ctx = runtime.context
        pending = state["pending"]
        assert pending is not None and pending["route"] == route.value
        conversation = [m for m in state["planner_messages"] if not isinstance(m, SystemMessage)]
        answer = await call_helper(ctx.helpers[route], route.value, pending["text"], conversation)
        ctx.log.add("helper_message", route.value, event_fields(answer, {})[0])
        return Command(
            goto=CUSTOMER,
            update={
                "planner_messages": [ToolMessage(answer, tool_call_id=pending["tool_call_id"], name="delegate")],
                "helper_answer": answer,
                "final_route": route.value,
                "pending": None,
            },
        )

    helper_node.__name__ = f"{route.value}_node"
    return helper_node


async def transfer_node(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> Command:
    ctx = runtime.context
    pending = state["pending"]
    assert pending is not None
    try:
        transfer = ctx.bank.transfer_to_department(pending["route"], pending["text"])
    except BankToolError as error:
        # parse_action already checks what the bank checks; this guards the two drifting apart.
        message = f"transfer_to_human failed: {error}"
        ctx.log.add(
            "invalid_action", PLANNER, message, tool_name="transfer_to_human", tool_call_id=pending["tool_call_id"]
        )
        return Command(
            goto=PLANNER,
            update={
                "planner_messages": [ToolMessage(message, tool_call_id=pending["tool_call_id"], status="error")],
                "invalid_actions": state.get("invalid_actions", 0) + 1,
                "pending": None,
            },
        )
    route = Route(transfer.department)
    receipt = f"Transferred to {ROUTES[route].title}."
    ctx.log.add(
        "transfer",
        "system",
        transfer.summary,
        tool_name="transfer_to_human",
        tool_args={"department": route.value, "summary": transfer.summary},
        tool_call_id=pending["tool_call_id"],
    )
    ctx.log.add("end", "system", receipt)
    return Command(
        goto=END,
        update={
            "planner_messages": [ToolMessage(receipt, tool_call_id=pending["tool_call_id"], name="transfer_to_human")],
            "final_route": route.value,
            "handoff_summary": transfer.summary,
            "status": "completed",
            "pending": None,
        },
    )


# ---- the graph --------------------------------------------------------------------------------------


def build_graph() -> CompiledStateGraph[EpisodeState, EpisodeContext, EpisodeState, EpisodeState]:
    """The compiled contact-center graph (stateless: everything per episode comes in the context)."""
    builder = StateGraph(EpisodeState, context_schema=EpisodeContext)
    builder.add_node(CUSTOMER, customer_node, destinations=(PLANNER, END))
    builder.add_node(PLANNER, planner_node, destinations=(CUSTOMER, PLANNER, *HELPER_NODES, TRANSFER, END))
    for route in HELPER_ROUTES:
        builder.add_node(route.value, _helper_node(route), destinations=(CUSTOMER,))
    builder.add_node(TRANSFER, transfer_node, destinations=(PLANNER, END))
    builder.add_edge(START, CUSTOMER)
    return builder.compile(name="contact_center")


@cache
def contact_center_graph() -> CompiledStateGraph[EpisodeState, EpisodeContext, EpisodeState, EpisodeState]:
    """The graph, compiled once per process and shared by every episode."""
    return build_graph()


def graph_mermaid() -> str:
    """The graph as Mermaid text (for `ccsim graph`)."""
    return contact_center_graph().get_graph().draw_mermaid()


def recursion_limit(config: EpisodeConfig) -> int:
    # Per planner turn at most planner -> helper -> customer; plus the opening and the final turn-limit check.
    return 3 * config.max_turns + 10


# ---- the entry point ----------------------------------------------------------------------------------


class PlayResult(BaseModel):
    """What one played episode produced; the runner scores it and writes it out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: PlayStatus = Field(description="'completed' (transfer or customer ended) or 'turn_limit'.")
    final_route: Route | None = Field(description="Destination of the last routing action, if any.")
    handoff_summary: str | None = Field(default=None, description="The transfer summary, redacted.")
    planner_messages: list[dict[str, Any]] = Field(description="The planner's view in OpenAI chat format.")
    planner_tools: list[dict[str, Any]] = Field(description="The OpenAI tool schemas the planner was bound to.")
    state_changes: list[dict[str, Any]] = Field(description="Bank-state mutations, in order.")
    unmet_requirements: list[str] = Field(description="Required side effects that do not hold at the end.")
    customer_turns: int = Field(ge=0)
    planner_calls: int = Field(ge=0)
    invalid_actions: int = Field(ge=0)
    usage_by_model: dict[str, TokenUsage] = Field(description="Tokens of every model call, by model name.")
    planner_usage: TokenUsage = Field(description="Tokens of the planner's calls.")
    planner_latency_s: float = Field(ge=0, description="Total wall time in planner calls.")
    planner_label: str = Field(description="The planner's name, e.g. 'rules' or 'openai:gpt-4.1-mini'.")


def _planner_label(planner: ModelSpec | PlannerModel) -> str:
    if isinstance(planner, ModelSpec):
        return planner.label
    name = getattr(planner, "model_name", None) or getattr(getattr(planner, "bound", None), "model_name", None)
    return str(name or type(planner).__name__)


async def play_episode(
    scenario: Scenario,
    *,
    planner: ModelSpec | PlannerModel,
    customer: ModelSpec,
    helper: ModelSpec,
    seed: int,
    config: EpisodeConfig,
    log: EventLog,
) -> PlayResult:
    """Play one episode through the graph. `planner` is a spec or an already-built (e.g. trainable) model."""
    usage = UsageTally()
    bank = BankState.from_scenario(scenario)
    planner_label = _planner_label(planner)
    parts = EpisodeParts(scenario=scenario, seed=seed, bank=bank, log=log, usage=usage)
    context = EpisodeContext(
        planner=build_planner(planner) if isinstance(planner, ModelSpec) else planner,
        planner_label=planner_label,
        customer=build_customer(customer, parts),
        helpers=build_helpers(helper, parts),
        bank=bank,
        log=log,
        config=config,
        usage=usage,
    )
    initial: EpisodeState = {
        "planner_messages": [SystemMessage(planner_system_prompt())],
        "customer_turns": 0,
        "planner_calls": 0,
        "invalid_actions": 0,
        "planner_latency_s": 0.0,
        "planner_usage": TokenUsage(),
        "final_route": None,
        "handoff_summary": None,
        "status": None,
    }
    final = await contact_center_graph().ainvoke(
        initial, context=context, config={"recursion_limit": recursion_limit(config)}
    )
    final_route = final.get("final_route")
    # Not validated here: every field is built just above from typed values, and the runner validates the
    # record it makes of them (Episode), so validating here too would check the same data twice per episode.
    return PlayResult.model_construct(
        status=final.get("status") or "completed",
        final_route=Route(final_route) if final_route else None,
        handoff_summary=final.get("handoff_summary"),
        planner_messages=stored_planner_messages(to_openai_messages(final["planner_messages"])),
        planner_tools=planner_tools(),
        state_changes=list(bank.changes),
        unmet_requirements=bank.check_requirements(scenario.required_state),
        customer_turns=final.get("customer_turns", 0),
        planner_calls=final.get("planner_calls", 0),
        invalid_actions=final.get("invalid_actions", 0),
        usage_by_model=usage.by_model(),
        planner_usage=final.get("planner_usage") or TokenUsage(),
        planner_latency_s=final.get("planner_latency_s", 0.0),
        planner_label=planner_label,
    )
