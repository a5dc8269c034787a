"""Episodes become ART trajectories that ART itself accepts: the planner's turns as Choices with logprobs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ccsim.contact_center.episode import Episode, EpisodeMetrics
from ccsim.contact_center.reward import RewardConfig, episode_reward
from ccsim.contact_center.taxonomy import Route
from ccsim.training.art_adapter import Choice, Trajectory, TrajectoryGroup, group_advantages, trainable_choices
from ccsim.training.trajectory import episode_to_trajectory, episodes_to_groups

PLANNER_TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "transfer_to_human",
            "description": "Transfer the call to a human department.",
            "parameters": {
                "type": "object",
                "properties": {"department": {"type": "string"}, "summary": {"type": "string"}},
                "required": ["department", "summary"],
            },
        },
    }
]


def _logprobs(tokens: list[str]) -> dict[str, Any]:
    return {
        "content": [
            {"token": f"token_id:{100 + i}", "logprob": -0.1 * (i + 1), "bytes": list(t.encode()), "top_logprobs": []}
            for i, t in enumerate(tokens)
        ]
    }


def planner_turn(department: str, *, call_id: str = "call_1", with_logprobs: bool = True) -> dict[str, Any]:
    """An assistant turn as agents/planner_view.py records it: the message plus its 'choice'."""
    arguments = json.dumps({"department": department, "summary": "Unrecognised charge at ACME."})
    body = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": "transfer_to_human", "arguments": arguments}}
        ],
    }
    choice = {
        "index": 0,
        "finish_reason": "tool_calls",
        "message": dict(body),
        "logprobs": _logprobs(["transfer", department]) if with_logprobs else None,
    }
    return {**body, "choice": choice}


def make_episode(
    *,
    scenario_id: str = "sc-1",
    trial: int = 0,
    route: Route | None = Route.FRAUD,
    expected: Route = Route.FRAUD,
    status: str = "completed",
    error: str | None = None,
    invalid_actions: int = 0,
    with_logprobs: bool = True,
) -> Episode:
    metrics = EpisodeMetrics(
        route=route,
        expected_route=expected,
        route_correct=route == expected,
        escalated=route is not None and route in (Route.FRAUD, Route.DISPUTES, Route.HARDSHIP, Route.ACCOUNT_CLOSURE),
        send_to_human_correct=route is not None,
        asked_clarification=False,
        customer_turns=1,
        planner_calls=1 + invalid_actions,
        invalid_actions=invalid_actions,
        turn_limit_hit=status == "turn_limit",
        state_correct=True,
        handoff_summary_ok=True if route is not None else None,
        latency_s=0.5,
        planner_latency_s=0.2,
        prompt_tokens=120,
        completion_tokens=12,
        cost_usd=0.0,
    )
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You route calls for the bank."},
        {"role": "user", "content": "There is a charge I never made."},
    ]
    if route is not None:
        messages += [
            planner_turn(route.value, with_logprobs=with_logprobs),
            {"role": "tool", "tool_call_id": "call_1", "content": f"transferred to {route.value}"},
        ]
    config = RewardConfig()
    return Episode(
        episode_id=f"{scenario_id}#{trial}",
        scenario_id=scenario_id,
        trial=trial,
        seed=1000 + trial,
        planner="openai:ccsim-planner@0",
        intent="unrecognized_charge",
        difficulty="easy",
        status=status,  # type: ignore[arg-type]
        error=error,
        final_route=route,
        events=[],
        planner_messages=messages,
        planner_tools=PLANNER_TOOLS,
        metrics=metrics,
        reward=config.error_reward if status == "error" else episode_reward(metrics, config),
        started_at="2025-03-14T10:00:00.000+00:00",
    )


def test_planner_turns_become_choices_with_logprobs_and_the_rest_stays_messages() -> None:
    trajectory = episode_to_trajectory(make_episode())
    kinds = [
        type(item).__name__ if isinstance(item, Choice) else item["role"] for item in trajectory.messages_and_choices
    ]
    assert kinds == ["system", "user", "Choice", "tool"]
    choice = trajectory.messages_and_choices[2]
    assert isinstance(choice, Choice)
    assert choice.logprobs is not None and choice.logprobs.content is not None
    assert [t.token for t in choice.logprobs.content] == ["token_id:100", "token_id:101"]
    assert choice.message.tool_calls is not None and choice.message.tool_calls[0].function.name == "transfer_to_human"
    assert trainable_choices(trajectory) == [choice]
    # No message dict leaks the 'choice' bookkeeping key into what the model or RULER sees.
    assert all("choice" not in item for item in trajectory.messages_and_choices if isinstance(item, dict))


def test_trajectory_validates_as_an_art_object_with_tools_reward_metrics_and_flat_metadata() -> None:
    episode = make_episode(route=Route.DISPUTES, expected=Route.FRAUD)
    trajectory = episode_to_trajectory(episode)
    revalidated = Trajectory.model_validate(trajectory.model_dump())  # ART's own validation of every field
    assert revalidated.tools == PLANNER_TOOLS
    assert trajectory.reward == pytest.approx(episode.reward)
    assert trajectory.metrics["route_correct"] is False
    assert trajectory.metrics["send_to_human_correct"] is True
    assert trajectory.metrics["programmatic_reward"] == pytest.approx(episode.reward)
    # Renamed so gather_trajectory_groups' own completion_tokens metric cannot overwrite it.
    assert trajectory.metrics["planner_completion_tokens"] == 12 and "completion_tokens" not in trajectory.metrics
    assert trajectory.metadata["expected_route"] == "fraud"
    assert trajectory.metadata["predicted_route"] == "disputes"
    assert trajectory.metadata["scenario_id"] == "sc-1"
    assert all(isinstance(v, str | int | float | bool) or v is None for v in trajectory.metadata.values())
    # ART reads messages back from Choices for tokenising and for RULER.
    assert [m["role"] for m in trajectory.messages()] == ["system", "user", "assistant", "tool"]


def test_assistant_turn_without_logprobs_is_a_choice_art_will_not_train() -> None:
    trajectory = episode_to_trajectory(make_episode(with_logprobs=False))
    assert any(isinstance(item, Choice) for item in trajectory.messages_and_choices)
    assert trainable_choices(trajectory) == []


def test_assistant_turn_without_a_choice_stays_a_plain_message() -> None:
    episode = make_episode()
    episode.planner_messages[2] = {k: v for k, v in episode.planner_messages[2].items() if k != "choice"}
    trajectory = episode_to_trajectory(episode)
    assert not any(isinstance(item, Choice) for item in trajectory.messages_and_choices)
    assert trajectory.messages_and_choices[2]["role"] == "assistant"


def test_errored_episode_converts_with_config_reward_and_error_type() -> None:
    episode = make_episode(route=None, status="error", error="APIConnectionError: connection refused")
    trajectory = episode_to_trajectory(episode)
    assert trajectory.reward == RewardConfig().error_reward
    assert trajectory.metadata["status"] == "error"
    assert trajectory.metadata["error_type"] == "APIConnectionError"
    assert trajectory.metadata["predicted_route"] is None
    assert trajectory.metrics["errored"] is True


def test_episodes_group_by_scenario_and_different_rewards_give_nonzero_advantages() -> None:
    episodes = [
        make_episode(scenario_id="sc-1", trial=0, route=Route.FRAUD),
        make_episode(scenario_id="sc-2", trial=0, route=Route.HARDSHIP, expected=Route.HARDSHIP),
        make_episode(scenario_id="sc-1", trial=1, route=Route.DISPUTES),
        make_episode(scenario_id="sc-1", trial=2, route=Route.FRAUD, invalid_actions=1),
    ]
    groups = episodes_to_groups(episodes)
    assert [g.metadata["scenario_id"] for g in groups] == ["sc-1", "sc-2"]
    assert [len(g) for g in groups] == [3, 1]
    assert all(isinstance(g, TrajectoryGroup) for g in groups)
    advantages = group_advantages(groups[0])
    assert sum(advantages) == pytest.approx(0.0)
    assert all(abs(a) > 1e-6 for a in advantages)
    # Correct route beats correct-with-an-invalid-action beats the wrong human department.
    assert advantages[0] > advantages[2] > advantages[1]
    assert group_advantages(groups[1]) == [0.0]
