"""Record a finished run in Weave as an Evaluation, with `weave.EvaluationLogger`.

The run folder is the source of truth (docs/architecture.md): each recorded episode becomes one logged
prediction (its inputs: the scenario; its output: the route, the status, the handoff summary and the
whole conversation transcript) with its scores (route correct, send-to-human correct, reward, turns,
invalid actions), and the run's summary closes the evaluation. Nothing is replayed: Weave costs no
model call and cannot disagree with summary.json.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.summary import RunSummary

SCORES = ("route_correct", "send_to_human_correct", "reward", "customer_turns", "invalid_actions")
MESSAGE_KINDS = ("customer_message", "planner_message", "helper_message")


def weave_name(text: str) -> str:
    """A Weave object name from a planner label ('openai:gpt-4.1@http://x' -> 'openai-gpt-4.1-http-x')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "planner"


def episode_transcript(episode: Episode) -> list[dict[str, Any]]:
    """The conversation in order: messages, the planner's routing actions, the helpers' tool calls and results,
    the transfer, errors. One dict per event, with only the fields that event has."""
    lines: list[dict[str, Any]] = []
    for event in episode.events:
        line: dict[str, Any] = {"actor": event.actor, "kind": event.kind}
        if event.content:
            line["content"] = event.content
        if event.tool_name:
            line["tool"] = event.tool_name
        if event.tool_args is not None:
            line["args"] = event.tool_args
        lines.append(line)
    return lines


def prediction_inputs(episode: Episode) -> dict[str, Any]:
    opening = next((e.content for e in episode.events if e.kind == "customer_message"), "")
    expected = episode.metrics.expected_route if episode.metrics is not None else None
    return {
        "scenario_id": episode.scenario_id,
        "trial": episode.trial,
        "intent": episode.intent,
        "difficulty": episode.difficulty,
        "opening": opening,
        "expected_route": expected.value if expected is not None else None,
    }


def prediction_output(episode: Episode) -> dict[str, Any]:
    return {
        "route": episode.final_route.value if episode.final_route else None,
        "status": episode.status,
        "error": episode.error,
        "handoff_summary": episode.handoff_summary,
        "transcript": episode_transcript(episode),
    }


def prediction_scores(episode: Episode) -> dict[str, float | bool | None]:
    """The episode's scores; an episode that could not be scored gets None, not a fake 0."""
    m = episode.metrics
    if m is None:
        return dict.fromkeys(SCORES)
    return {
        "route_correct": m.route_correct,
        "send_to_human_correct": m.send_to_human_correct,
        "reward": float(episode.reward) if episode.reward is not None else None,
        "customer_turns": float(m.customer_turns),
        "invalid_actions": float(m.invalid_actions),
    }


def summary_scores(summary: RunSummary, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The run's headline figures for the evaluation's summary (the full summary stays in summary.json)."""
    scores: dict[str, Any] = {
        "episodes": summary.episodes,
        "route_accuracy": summary.route_accuracy.value,
        "route_accuracy_low": summary.route_accuracy.low,
        "route_accuracy_high": summary.route_accuracy.high,
        "macro_route_accuracy": summary.macro_route_accuracy.value,
        "send_to_human_accuracy": summary.send_to_human_accuracy,
        "mean_reward": summary.mean_reward,
        "latency_p50_s": summary.latency_p50_s,
        "latency_p95_s": summary.latency_p95_s,
        "cost_per_1k_episodes_usd": None if summary.unpriced_models else summary.cost_per_1k_episodes_usd,
        "errors": sum(summary.errors_by_cause.values()),
        **{f"pass^{k}": v for k, v in summary.pass_hat_k.items()},
    }
    return {**scores, **(extra or {})}


def log_evaluation(
    planner: str,
    episodes: Sequence[Episode],
    summary: RunSummary | None = None,
    *,
    extra_summary: Mapping[str, Any] | None = None,
) -> Any:
    """Log the episodes as one Weave evaluation of `planner`; returns the `EvaluationLogger` (finished).

    Needs a running Weave client (`weave.init`, or any client set as Weave's current one)."""
    import weave  # only here: importing Weave costs seconds and nothing else needs it

    from ccsim.contact_center.summary import summarize

    # Only the arguments weave 0.52 (the oldest release pyproject allows) takes too.
    logger = weave.EvaluationLogger(name=f"ccsim-eval-{weave_name(planner)}", model=weave_name(planner))
    for episode in episodes:
        prediction = logger.log_prediction(inputs=prediction_inputs(episode), output=prediction_output(episode))
        for name, value in prediction_scores(episode).items():
            if value is not None:
                prediction.log_score(name, value)
        prediction.finish()
    logger.log_summary(summary_scores(summary or summarize(planner, episodes), extra_summary))
    return logger


async def mirror_to_weave(
    planner: str,
    episodes: Sequence[Episode],
    summary: RunSummary | None = None,
    *,
    extra_summary: Mapping[str, Any] | None = None,
) -> Any:
    """`log_evaluation` for the async API (`ccsim.simulate` and `ccsim.evaluate` call it when Weave runs)."""
    return log_evaluation(planner, episodes, summary, extra_summary=extra_summary)
