"""Episode -> `art.Trajectory` (docs/architecture.md): the planner's view only, its turns as trainable Choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from ccsim.contact_center.at_rest import ALTERED_KEY, SENSITIVE, TRUNCATED, altered_turns
from ccsim.contact_center.episode import Episode
from ccsim.training.art_adapter import Choice, Trajectory, TrajectoryGroup

MetricValue = float | int | bool
MetadataValue = float | int | str | bool | None

# gather_trajectory_groups overwrites trajectory.metrics["completion_tokens"] with its own logprob count,
# so the episode's token counts travel under names ART does not touch.
_RENAMED_METRICS = {"prompt_tokens": "planner_prompt_tokens", "completion_tokens": "planner_completion_tokens"}


def _message_or_choice(message: dict[str, Any], trainable: bool = True) -> dict[str, Any] | Choice:
    """An assistant turn with the endpoint's Choice becomes that Choice; everything else stays a message."""
    plain = {key: value for key, value in message.items() if key not in ("choice", ALTERED_KEY)}
    raw_choice = message.get("choice")
    # A turn stored masked or cut (contact_center.at_rest) is no longer what the model generated: never a Choice.
    if message.get("role") != "assistant" or raw_choice is None or not trainable or message.get(ALTERED_KEY):
        return plain
    try:
        return Choice.model_validate(raw_choice)
    except ValidationError:
        # A choice the endpoint mangled cannot be trained on; keep the text so RULER and logs still see it.
        return plain


def _metrics(episode: Episode) -> dict[str, MetricValue]:
    metrics: dict[str, MetricValue] = {
        "errored": episode.status in ("error", "timeout"),  # a timeout is an error too (as in the summary)
        "turn_limit": episode.status == "turn_limit",
    }
    if episode.metrics is not None:
        for key, value in episode.metrics.model_dump().items():
            # Booleans stay booleans: ART's metrics accept them and average them as 0/1.
            if isinstance(value, bool | int | float):
                metrics[_RENAMED_METRICS.get(key, key)] = value
    metrics["programmatic_reward"] = episode.reward if episode.reward is not None else 0.0
    altered = altered_turns(episode.planner_messages)
    metrics["sensitive_turns"] = altered[SENSITIVE]
    metrics["truncated_turns"] = altered[TRUNCATED]
    return metrics


def _metadata(episode: Episode) -> dict[str, MetadataValue]:
    # Flat scalars only: ART 0.5.18 rejects nested metadata values.
    expected = episode.metrics.expected_route if episode.metrics is not None else None
    metadata: dict[str, MetadataValue] = {
        "scenario_id": episode.scenario_id,
        "episode_id": episode.episode_id,
        "intent": episode.intent,
        "difficulty": episode.difficulty,
        "expected_route": str(expected) if expected is not None else None,
        "predicted_route": str(episode.final_route) if episode.final_route is not None else None,
        "seed": episode.seed,
        "planner": episode.planner,
        "trial": episode.trial,
        "status": episode.status,
    }
    if altered_turns(episode.planner_messages)[SENSITIVE]:
        # Counted by trainers and reports: such a trajectory holds no trainable Choice at all.
        metadata["excluded_from_training"] = SENSITIVE
    if episode.error is not None:
        # Runner convention: "<ErrorType>: <message>".
        metadata["error_type"] = episode.error.split(":", 1)[0].strip()
        metadata["error"] = episode.error[:500]
    return metadata


def episode_to_trajectory(episode: Episode, *, tools: list[dict[str, Any]] | None = None) -> Trajectory:
    """One ART trajectory in the classic form; `tools` overrides the schemas recorded on the episode."""
    # A turn stored cut or masked (contact_center.at_rest) is never a Choice. One that wrote a sensitive number
    # makes the whole trajectory untrainable (excluded from training, counted): the policy must not learn from
    # it, and the later turns were sampled after text that is no longer stored as generated. A cut turn (an
    # oversized reply, already an invalid action) loses only its own Choice.
    trainable = not altered_turns(episode.planner_messages)[SENSITIVE]
    return Trajectory(
        messages_and_choices=[_message_or_choice(message, trainable) for message in episode.planner_messages],
        tools=tools if tools is not None else (episode.planner_tools or None),
        reward=episode.reward if episode.reward is not None else 0.0,
        metrics=_metrics(episode),
        metadata=_metadata(episode),
    )


def episodes_to_groups(episodes: Iterable[Episode]) -> list[TrajectoryGroup]:
    """One TrajectoryGroup per scenario (GRPO compares rollouts of the same scenario), in first-seen order."""
    by_scenario: dict[str, list[Trajectory]] = {}
    for episode in episodes:
        by_scenario.setdefault(episode.scenario_id, []).append(episode_to_trajectory(episode))
    return [
        TrajectoryGroup(trajectories, metadata={"scenario_id": scenario_id})
        for scenario_id, trajectories in by_scenario.items()
    ]
