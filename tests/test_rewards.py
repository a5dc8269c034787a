"""The programmatic reward orders outcomes as docs/architecture.md describes, and the blend arithmetic holds."""

from __future__ import annotations

import pytest

from ccsim.contact_center.episode import EpisodeMetrics
from ccsim.contact_center.reward import RewardConfig, episode_reward
from ccsim.contact_center.taxonomy import Route
from ccsim.training.art_adapter import Trajectory, TrajectoryGroup
from ccsim.training.rewards import RewardBlend, blend, programmatic_reward, score_group


def _metrics(**overrides: object) -> EpisodeMetrics:
    fields: dict[str, object] = {
        "route": Route.FRAUD,
        "expected_route": Route.FRAUD,
        "route_correct": True,
        "escalated": True,
        "send_to_human_correct": True,
        "asked_clarification": False,
        "customer_turns": 1,
        "planner_calls": 1,
        "invalid_actions": 0,
        "turn_limit_hit": False,
        "state_correct": False,
        "handoff_summary_ok": False,
        "latency_s": 1.0,
        "planner_latency_s": 0.5,
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "cost_usd": 0.0,
    }
    fields.update(overrides)
    return EpisodeMetrics.model_validate(fields)


CONFIG = RewardConfig()


def test_correct_route_is_worth_most_and_partial_credit_needs_the_right_human_decision() -> None:
    correct = episode_reward(_metrics(), CONFIG)
    right_kind = episode_reward(_metrics(route=Route.DISPUTES, route_correct=False), CONFIG)
    wrong_kind = episode_reward(
        _metrics(route=Route.TRANSACTIONS, route_correct=False, escalated=False, send_to_human_correct=False), CONFIG
    )
    assert correct == pytest.approx(CONFIG.route_correct)
    assert right_kind == pytest.approx(CONFIG.human_decision_partial)
    assert wrong_kind == 0.0
    assert correct > right_kind > wrong_kind


def test_never_routing_earns_no_partial_credit_and_the_turn_limit_costs() -> None:
    unrouted = _metrics(route=None, route_correct=False, escalated=False, send_to_human_correct=False)
    assert episode_reward(unrouted, CONFIG) == 0.0
    hit = unrouted.model_copy(update={"turn_limit_hit": True, "planner_calls": 4})
    expected = -CONFIG.turn_limit_penalty - CONFIG.needless_turn_penalty * (4 - CONFIG.free_turns)
    assert episode_reward(hit, CONFIG) == pytest.approx(expected)


def test_invalid_actions_and_needless_turns_cost_per_unit() -> None:
    base = episode_reward(_metrics(planner_calls=CONFIG.free_turns), CONFIG)
    invalid = episode_reward(_metrics(planner_calls=CONFIG.free_turns, invalid_actions=2), CONFIG)
    slow = episode_reward(_metrics(planner_calls=CONFIG.free_turns + 3), CONFIG)
    assert base - invalid == pytest.approx(2 * CONFIG.invalid_action_penalty)
    assert base - slow == pytest.approx(3 * CONFIG.needless_turn_penalty)


def test_bonuses_for_state_and_handoff_summary() -> None:
    both = episode_reward(_metrics(state_correct=True, handoff_summary_ok=True), CONFIG)
    assert both == pytest.approx(CONFIG.route_correct + CONFIG.state_correct_bonus + CONFIG.handoff_summary_bonus)
    assert episode_reward(_metrics(handoff_summary_ok=None), CONFIG) == pytest.approx(CONFIG.route_correct)


def test_reward_is_clipped_below() -> None:
    terrible = _metrics(
        route=None, route_correct=False, send_to_human_correct=False, invalid_actions=20, turn_limit_hit=True
    )
    assert episode_reward(terrible, CONFIG) == CONFIG.min_reward
    assert episode_reward(terrible, RewardConfig(min_reward=None)) < CONFIG.min_reward  # type: ignore[operator]


def test_blend_weights_and_programmatic_reward_survives_a_blend() -> None:
    assert blend(1.0, 0.0, 0.25) == pytest.approx(0.75)
    trajectory = Trajectory(reward=0.3, metrics={"programmatic_reward": 0.8})
    assert programmatic_reward(trajectory) == 0.8
    assert programmatic_reward(Trajectory(reward=0.3)) == 0.3


async def test_without_a_judge_the_group_is_returned_untouched() -> None:
    group = TrajectoryGroup([Trajectory(reward=1.0), Trajectory(reward=0.0)])
    scored, report = await score_group(group, RewardBlend(ruler_weight=0.5))  # no judge_model
    assert scored is group
    assert report.groups == 0 and report.failures == 0


def test_a_route_the_customer_came_back_from_and_an_unneeded_question_cost() -> None:
    config = CONFIG.model_copy(update={"unneeded_question_penalty": 0.3})
    base = episode_reward(_metrics(planner_calls=1), config)
    probed = episode_reward(_metrics(planner_calls=2, routing_actions=2), config)
    assert base - probed == pytest.approx(config.premature_route_penalty + config.needless_turn_penalty)
    needless = episode_reward(_metrics(planner_calls=2, asked_clarification=True), config)
    needed = episode_reward(_metrics(planner_calls=2, asked_clarification=True, clarification_needed=True), config)
    assert needed - needless == pytest.approx(0.3)
