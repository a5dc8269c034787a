"""Rewards for training: the programmatic reward, optionally blended with RULER (ART's relative LLM judge).

The programmatic reward is a `contact_center.reward.Rubric` (by default `default_rubric()`, the one eval and
simulate use too), computed by the runner and carried on each trajectory (`reward` and
`metrics["programmatic_reward"]`). RULER asks a judge model to score the rollouts of one scenario against each
other; the blend is
    reward = (1 - ruler_weight) * programmatic + ruler_weight * ruler_score.
A judge that fails (HTTP error, garbage, wrong number of scores) never stops training: the group keeps its
programmatic rewards and the failure is counted.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ccsim.contact_center.reward import RewardConfig, RewardField, Rubric, as_rubric
from ccsim.training.art_adapter import Trajectory, TrajectoryGroup, ruler_score_group


class RewardBlend(BaseModel):
    """How a group's rewards are made: programmatic weights, and RULER when a judge is configured."""

    model_config = ConfigDict(extra="forbid")

    programmatic: RewardField = Field(
        default_factory=RewardConfig,
        description="The programmatic reward: the shared default weights, other weights, or a user's rubric "
        "(a Rubric, a reward function or 'module:function').",
    )
    ruler_weight: float = Field(
        default=0.0, ge=0, le=1, description="Share of the RULER score in the reward; 0 turns RULER off."
    )
    judge_model: str | None = Field(
        default=None,
        description="The RULER judge as a LiteLLM model string, e.g. 'openai/gpt-4.1-mini' or "
        "'hosted_vllm/Qwen/Qwen3-32B'; None turns RULER off.",
    )
    judge_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL of the judge, if any.")
    judge_api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the judge key.")
    judge_timeout_s: float = Field(default=120.0, gt=0, description="Timeout of one judge call.")
    judge_retries: int = Field(default=2, ge=0, description="LiteLLM retries of one judge call.")
    rubric: str | None = Field(default=None, description="A custom RULER rubric; None uses ART's default.")

    def programmatic_rubric(self) -> Rubric:
        """The programmatic reward as the rubric the runner applies."""
        return as_rubric(self.programmatic)

    @property
    def ruler_enabled(self) -> bool:
        return self.ruler_weight > 0 and bool(self.judge_model)

    def litellm_params(self) -> dict[str, object]:
        params: dict[str, object] = {"timeout": self.judge_timeout_s, "num_retries": self.judge_retries}
        if self.judge_base_url:
            params["api_base"] = self.judge_base_url
        key = os.environ.get(self.judge_api_key_env)
        if key or self.judge_base_url:
            # Local judges (vLLM, loopback) accept any key but LiteLLM's OpenAI client insists on one.
            params["api_key"] = key or "not-needed"
        return params


class RulerReport(BaseModel):
    """What RULER did to a batch of groups."""

    groups: int = Field(default=0, ge=0, description="Groups offered to the judge.")
    scored: int = Field(default=0, ge=0, description="Groups the judge scored.")
    failures: int = Field(default=0, ge=0, description="Groups that fell back to the programmatic reward.")
    errors: list[str] = Field(default_factory=list, description="The judges' error messages, truncated.")

    def merge(self, other: RulerReport) -> RulerReport:
        return RulerReport(
            groups=self.groups + other.groups,
            scored=self.scored + other.scored,
            failures=self.failures + other.failures,
            errors=(self.errors + other.errors)[-20:],
        )


def programmatic_reward(trajectory: Trajectory) -> float:
    """The runner's reward for this rollout, even after a blend has replaced `trajectory.reward`."""
    value = trajectory.metrics.get("programmatic_reward", trajectory.reward)
    return float(value)


def blend(programmatic: float, ruler_score: float, ruler_weight: float) -> float:
    return (1.0 - ruler_weight) * programmatic + ruler_weight * ruler_score


def _rebuild(group: TrajectoryGroup, trajectories: list[Trajectory]) -> TrajectoryGroup:
    rebuilt = TrajectoryGroup(
        trajectories, metadata=dict(group.metadata), metrics=dict(group.metrics), logs=list(group.logs)
    )
    rebuilt.exceptions = list(group.exceptions)
    return rebuilt


async def score_group(group: TrajectoryGroup, config: RewardBlend) -> tuple[TrajectoryGroup, RulerReport]:
    """The group with blended rewards, and what the judge did. Never raises for a judge's failure."""
    if not config.ruler_enabled or not group.trajectories:
        return group, RulerReport()
    kwargs: dict[str, Any] = {"swallow_exceptions": False}
    if config.rubric:
        kwargs["rubric"] = config.rubric
    try:
        judged = await ruler_score_group(
            group, str(config.judge_model), extra_litellm_params=config.litellm_params(), **kwargs
        )
        if judged is None or len(judged.trajectories) != len(group.trajectories):
            raise ValueError("the judge returned no scores for the group")
        scores = [float(t.metrics["ruler_score"]) for t in judged.trajectories]
    except Exception as exc:  # any judge failure falls back; training must not stop on a flaky judge
        message = f"{type(exc).__name__}: {exc}"[:300]
        return group, RulerReport(groups=1, failures=1, errors=[message])
    blended = []
    for trajectory, score in zip(group.trajectories, scores, strict=True):
        base = programmatic_reward(trajectory)
        metrics = {**trajectory.metrics, "programmatic_reward": base, "ruler_score": score}
        blended.append(
            trajectory.model_copy(update={"reward": blend(base, score, config.ruler_weight), "metrics": metrics})
        )
    return _rebuild(group, blended), RulerReport(groups=1, scored=1)


async def score_groups(groups: list[TrajectoryGroup], config: RewardBlend) -> tuple[list[TrajectoryGroup], RulerReport]:
    """`score_group` over a batch, one judge call per group, concurrently; groups keep their order."""
    results = await asyncio.gather(*(score_group(group, config) for group in groups))
    report = RulerReport()
    for _, group_report in results:
        report = report.merge(group_report)
    return [group for group, _ in results], report
