"""Build Episode records directly, for tests of what consumes them (summaries, run folders, exports)."""

from __future__ import annotations

from ccsim.contact_center.episode import Episode, EpisodeMetrics
from ccsim.contact_center.taxonomy import ROUTES, Route


def make_episode(
    scenario_id: str,
    expected: Route,
    predicted: Route | None,
    *,
    trial: int = 0,
    status: str = "completed",
    asked: bool = False,
    difficulty: str = "easy",
    latency_s: float = 0.01,
    cost_usd: float = 0.0,
) -> Episode:
    escalated = predicted is not None and ROUTES[predicted].needs_human
    metrics = EpisodeMetrics(
        route=predicted,
        expected_route=expected,
        route_correct=predicted == expected,
        escalated=escalated,
        send_to_human_correct=predicted is not None and escalated == ROUTES[expected].needs_human,
        asked_clarification=asked,
        customer_turns=2 if asked else 1,
        planner_calls=2 if asked else 1,
        invalid_actions=0,
        turn_limit_hit=status == "turn_limit",
        state_correct=predicted is not None,
        handoff_summary_ok=None,
        latency_s=latency_s,
        planner_latency_s=latency_s / 2,
        prompt_tokens=0,
        completion_tokens=0,
        cost_usd=cost_usd,
    )
    return Episode(
        episode_id=f"{scenario_id}#{trial}",
        scenario_id=scenario_id,
        trial=trial,
        seed=trial,
        planner="rules",
        intent="test_intent",
        difficulty=difficulty,
        status=status,  # type: ignore[arg-type]
        error="ValueError: boom" if status == "error" else None,
        final_route=predicted,
        events=[],
        metrics=metrics,
        reward=1.0 if predicted == expected else 0.0,
        started_at="2026-01-01T00:00:00.000+00:00",
    )
