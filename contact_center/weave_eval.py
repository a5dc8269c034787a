"""Mirror finished episodes into a `weave.Evaluation`, so W&B users see the same leaderboard in Weave.

The run folder is the source of truth (docs/architecture.md): the evaluation's model replays recorded
episodes instead of playing them again, so Weave costs no extra model calls and cannot disagree with
summary.json. It runs offline too (Weave then records nothing remotely).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.taxonomy import ROUTES


def route_correct(expected_route: str, output: dict[str, Any]) -> dict[str, bool]:
    return {"route_correct": output.get("route") == expected_route}


def send_to_human_correct(needs_human: bool, output: dict[str, Any]) -> dict[str, bool]:
    return {"send_to_human_correct": bool(output.get("routed")) and output.get("escalated") == needs_human}


def episode_reward_scorer(output: dict[str, Any]) -> dict[str, float]:
    return {"reward": float(output.get("reward") or 0.0), "customer_turns": float(output.get("customer_turns", 0))}


async def mirror_to_weave(planner: str, episodes: Sequence[Episode]) -> dict[str, Any]:
    """Run a weave.Evaluation over recorded episodes; returns Weave's aggregate scores."""
    import weave  # only here: importing Weave costs seconds and nothing else needs it

    by_id = {e.episode_id: e for e in episodes if e.metrics is not None}

    @weave.op(name=f"ccsim.planner.{planner.replace(':', '_').replace('/', '_')}")
    def recorded_planner(episode_id: str) -> dict[str, Any]:
        episode = by_id[episode_id]
        assert episode.metrics is not None
        return {
            "route": episode.final_route.value if episode.final_route else None,
            "routed": episode.final_route is not None,
            "escalated": episode.metrics.escalated,
            "reward": episode.reward,
            "customer_turns": episode.metrics.customer_turns,
            "status": episode.status,
        }

    rows = [
        {
            "episode_id": e.episode_id,
            "expected_route": e.metrics.expected_route.value,
            "needs_human": ROUTES[e.metrics.expected_route].needs_human,
        }
        for e in by_id.values()
        if e.metrics is not None
    ]
    if not rows:
        return {}
    evaluation = weave.Evaluation(
        name=f"ccsim-eval-{planner}",
        dataset=rows,
        scorers=[
            weave.op(name="ccsim.route_correct")(route_correct),
            weave.op(name="ccsim.send_to_human_correct")(send_to_human_correct),
            weave.op(name="ccsim.episode_reward")(episode_reward_scorer),
        ],
    )
    return await evaluation.evaluate(recorded_planner)
