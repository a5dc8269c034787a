"""Per-episode metrics (docs/architecture.md) from what an episode did and what the scenario expected."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ccsim.contact_center.episode import EpisodeMetrics, EpisodeStatus, Event, TokenUsage
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.taxonomy import ROUTES, Route


class EpisodeOutcome(BaseModel):
    """What the graph reports about a finished (or aborted) episode, independent of the agents package."""

    status: EpisodeStatus = Field(description="How the episode ended.")
    final_route: Route | None = Field(default=None, description="Destination of the last routing action.")
    handoff_summary: str | None = Field(default=None, description="Summary given with a transfer.")
    unmet_requirements: list[str] = Field(default_factory=list, description="Required side effects that failed.")
    planner_calls: int = Field(default=0, ge=0)
    invalid_actions: int = Field(default=0, ge=0)
    planner_latency_s: float = Field(default=0.0, ge=0)
    planner_usage: TokenUsage = Field(default_factory=TokenUsage)
    usage_by_model: dict[str, TokenUsage] = Field(default_factory=dict)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9.$]+", " ", text.lower())


def _amount_variants(fact: str) -> list[str]:
    """'$1,234.50' may be written '1234.50', '1,234.5' or '$1234.50'."""
    match = re.fullmatch(r"\$?([\d,]+(?:\.\d+)?)", fact.strip())
    if not match:
        return [fact]
    number = float(match.group(1).replace(",", ""))
    return [
        f"{number:,.2f}",
        f"{number:.2f}",
        f"{number:g}",
        f"{number:,.0f}" if number.is_integer() else f"{number:.2f}",
    ]


def summary_mentions(summary: str, fact: str) -> bool:
    text = _normalise(summary)
    return any(_normalise(v).strip() in text for v in _amount_variants(fact))


def handoff_summary_ok(summary: str | None, required_facts: list[str]) -> bool:
    return summary is not None and bool(summary.strip()) and all(summary_mentions(summary, f) for f in required_facts)


def customer_turns_from_events(events: list[Event]) -> int:
    return sum(1 for e in events if e.kind == "customer_message")


def score_episode(
    scenario: Scenario, outcome: EpisodeOutcome, events: list[Event], *, latency_s: float, prices: PriceTable
) -> EpisodeMetrics:
    route = outcome.final_route if outcome.status != "error" else None
    escalated = route is not None and ROUTES[route].needs_human
    transferred = escalated and outcome.handoff_summary is not None
    return EpisodeMetrics(
        route=route,
        expected_route=scenario.expected_route,
        route_correct=route == scenario.expected_route,
        escalated=escalated,
        send_to_human_correct=route is not None and escalated == scenario.needs_human,
        asked_clarification=any(e.kind == "planner_message" for e in events),
        clarification_needed=scenario.clarification_needed,
        routing_actions=sum(1 for e in events if e.kind == "planner_action"),
        # The event stream is the one record; it also counts turns an aborted episode got through.
        customer_turns=customer_turns_from_events(events),
        planner_calls=outcome.planner_calls,
        invalid_actions=outcome.invalid_actions,
        turn_limit_hit=outcome.status == "turn_limit",
        state_correct=route is not None and not outcome.unmet_requirements,
        handoff_summary_ok=handoff_summary_ok(outcome.handoff_summary, scenario.handoff_facts) if transferred else None,
        latency_s=round(latency_s, 6),
        planner_latency_s=round(outcome.planner_latency_s, 6),
        prompt_tokens=outcome.planner_usage.prompt_tokens,
        completion_tokens=outcome.planner_usage.completion_tokens,
        cost_usd=prices.cost(outcome.usage_by_model),
        unpriced_models=prices.unpriced(outcome.usage_by_model),
    )
