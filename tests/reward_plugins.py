"""Rewards a user might write, loaded by 'tests.reward_plugins:NAME' in the rubric and re-scoring tests."""

from __future__ import annotations

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.reward import RewardConfig, RewardTerm, Rubric, route_correct


def brevity(episode: Episode) -> float:
    """A correct route is worth 1, each planner call after the first costs 0.25, a human transfer 0.125."""
    assert episode.metrics is not None
    metrics = episode.metrics
    value = 1.0 if metrics.route_correct else 0.0
    value -= 0.25 * max(0, metrics.planner_calls - 1)
    return value - (0.125 if metrics.escalated else 0.0)


def strict() -> Rubric:
    """A factory: takes no arguments and returns a rubric reusing a default term with another weight."""
    return Rubric(
        name="strict",
        terms=(
            RewardTerm(name="route", weight=2.0, function=route_correct),
            RewardTerm(name="brevity", weight=0.5, function=brevity),
        ),
        min_reward=0.0,
        error_reward=-1.0,
    )


def heavy_routes() -> RewardConfig:
    """A factory returning weights: the default terms, a correct route worth 3."""
    return RewardConfig(route_correct=3.0)


STRICT = strict()
NOT_A_REWARD = 42


def two_arguments(episode: Episode, other: Episode) -> float:
    return 0.0


def makes_a_string() -> str:
    return "not a rubric"


def explodes(episode: Episode) -> float:
    raise KeyError("surprise")


def not_a_number(episode: Episode) -> float:
    return float("nan")
