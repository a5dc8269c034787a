"""The episode record (docs/architecture.md): one event stream feeds the record, the metrics, the
trajectory export and every report.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ccsim.contact_center.taxonomy import Route

EventKind = Literal[
    "customer_message",  # the customer wrote to the planner
    "planner_message",  # the planner wrote to the customer (a clarifying question or an answer)
    "planner_action",  # the planner called delegate(...) or transfer_to_human(...)
    "invalid_action",  # a malformed or unknown planner action, reported back to the planner
    "tool_call",  # a helper agent called a bank tool
    "tool_result",  # the bank tool's answer
    "helper_message",  # a helper agent's answer to the customer
    "transfer",  # the call went to a human department
    "end",  # the episode ended (customer hung up, transfer, turn limit)
    "error",  # an exception; the episode is recorded as errored
]


class TokenUsage(BaseModel):
    prompt_tokens: int = Field(default=0, ge=0, description="Input tokens.")
    completion_tokens: int = Field(default=0, ge=0, description="Output tokens.")

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Event(BaseModel):
    """One thing that happened in an episode."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=0, description="Position in the episode's event stream.")
    t: float = Field(ge=0, description="Seconds since the episode started.")
    kind: EventKind = Field(description="What happened.")
    actor: str = Field(description="Who acted: 'customer', 'planner', a helper route name, or 'system'.")
    content: str = Field(default="", description="Message text, tool result text or error message.")
    tool_name: str | None = Field(default=None, description="Tool or action name, for calls and results.")
    tool_args: dict[str, Any] | None = Field(default=None, description="Parsed tool arguments, for calls.")
    tool_call_id: str | None = Field(default=None, description="Ties a call to its result.")
    model: str | None = Field(default=None, description="The model that produced this event, if any.")
    latency_s: float | None = Field(default=None, ge=0, description="Wall time of the model or tool call.")
    usage: TokenUsage | None = Field(default=None, description="Tokens used by the model call, if any.")


EpisodeStatus = Literal["completed", "turn_limit", "timeout", "error"]


class EpisodeMetrics(BaseModel):
    """Per-episode metrics (docs/architecture.md)."""

    route: Route | None = Field(description="Final destination, or None when the episode never routed.")
    expected_route: Route = Field(description="Ground-truth destination.")
    route_correct: bool = Field(description="route == expected_route.")
    escalated: bool = Field(description="The call went to a human department.")
    send_to_human_correct: bool = Field(description="escalated == the scenario's needs_human.")
    asked_clarification: bool = Field(description="The planner asked the customer at least one question.")
    clarification_needed: bool = Field(
        default=False, description="The scenario's opening could not decide the route without a question."
    )
    routing_actions: int = Field(
        default=0, ge=0, description="delegate/transfer actions taken; more than one means the customer came back."
    )
    customer_turns: int = Field(ge=0, description="Messages the customer wrote.")
    planner_calls: int = Field(ge=0, description="Times the planner model was called.")
    invalid_actions: int = Field(ge=0, description="Malformed or unknown planner actions.")
    turn_limit_hit: bool = Field(description="The episode ran out of turns.")
    state_correct: bool = Field(description="Every required side effect holds at the end.")
    handoff_summary_ok: bool | None = Field(
        description="A transfer's summary names the facts the department needs; None when nothing was transferred."
    )
    latency_s: float = Field(ge=0, description="Episode wall time.")
    planner_latency_s: float = Field(ge=0, description="Total wall time spent in planner calls.")
    prompt_tokens: int = Field(ge=0, description="Planner prompt tokens.")
    completion_tokens: int = Field(ge=0, description="Planner completion tokens.")
    cost_usd: float = Field(ge=0, description="Cost of the priced model calls in the episode (see unpriced_models).")
    unpriced_models: list[str] = Field(
        default_factory=list, description="Models that used tokens but have no known price: their cost is unknown."
    )


class Episode(BaseModel):
    """A finished episode: one line of episodes.jsonl."""

    model_config = ConfigDict(extra="forbid")

    episode_id: str = Field(description="'<scenario id>#<trial>'.")
    scenario_id: str = Field(description="The scenario played.")
    trial: int = Field(ge=0, description="Trial index when a scenario is played several times.")
    seed: int = Field(description="Seed used for this episode (scenario seed mixed with trial).")
    planner: str = Field(description="Planner spec, e.g. 'rules' or 'openai:gpt-4.1-mini'.")
    intent: str = Field(description="The scenario's intent.")
    difficulty: str = Field(description="The scenario's difficulty tier.")
    status: EpisodeStatus = Field(description="How the episode ended.")
    error: str | None = Field(default=None, description="Error type and message when status is 'error'.")
    final_route: Route | None = Field(description="Where the episode ended, if it routed.")
    handoff_summary: str | None = Field(default=None, description="The summary given on transfer_to_human.")
    events: list[Event] = Field(description="The full event stream.")
    planner_messages: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The planner's view in OpenAI chat format. Assistant turns carry a 'choice' key holding "
        "the OpenAI Choice (finish_reason, message, logprobs) exactly as the endpoint returned it.",
    )
    planner_tools: list[dict[str, Any]] = Field(
        default_factory=list, description="OpenAI tool schemas the planner was bound to."
    )
    state_changes: list[dict[str, Any]] = Field(
        default_factory=list, description="Mutations the episode made to the bank state, in order."
    )
    metrics: EpisodeMetrics | None = Field(default=None, description="Metrics; None only if scoring failed.")
    reward: float | None = Field(default=None, description="Scalar reward under the run's reward config.")
    started_at: str = Field(description="ISO-8601 UTC start time.")


class EventLog:
    """The append-only event stream of one running episode.

    The runner owns it and hands it to the graph, so the transcript survives an exception or a
    timeout inside the graph: nothing already recorded is lost.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def add(self, kind: EventKind, actor: str, content: str = "", **fields: Any) -> Event:
        event = Event(
            seq=len(self.events),
            t=round(self.elapsed(), 6),
            kind=kind,
            actor=actor,
            content=content,
            **fields,
        )
        self.events.append(event)
        return event
