"""RULER as an evaluation column: ART's relative judge scores the planners' episodes of each scenario.

For every scenario, the episodes every planner played on it (all trials) form one group, and the judge
ranks them against each other (RULER is relative: a score means "better or worse than the others on
this scenario"). A planner's RULER score is the mean over its judged episodes. A group the judge fails
on (HTTP error, unparsable reply, wrong number of scores) is counted against every planner in it and
left out of the means: it is never scored as 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from ccsim.contact_center.comparison import JudgeScore
from ccsim.contact_center.episode import Episode
from ccsim.training.art_adapter import TrajectoryGroup
from ccsim.training.rewards import RewardBlend, score_group
from ccsim.training.trajectory import episode_to_trajectory


def judge_litellm_model(model: str, base_url: str | None) -> str:
    """The judge as LiteLLM names it: a model on an OpenAI-compatible `base_url` goes through 'openai/'."""
    if base_url and not model.startswith(("openai/", "hosted_vllm/")):
        return f"openai/{model}"
    return model


async def judge_planners(
    episodes_by_planner: Mapping[str, Sequence[Episode]],
    *,
    judge: str,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 4,
    timeout_s: float = 120.0,
    retries: int = 2,
) -> dict[str, JudgeScore]:
    """Each planner's RULER score over the scenarios, with the judge's failures counted per planner."""
    config = RewardBlend(
        ruler_weight=1.0,
        judge_model=judge_litellm_model(judge, base_url),
        judge_base_url=base_url,
        judge_api_key_env=api_key_env,
        judge_timeout_s=timeout_s,
        judge_retries=retries,
    )
    by_scenario: dict[str, list[tuple[str, Episode]]] = {}
    for planner, episodes in episodes_by_planner.items():
        for episode in episodes:
            by_scenario.setdefault(episode.scenario_id, []).append((planner, episode))
    members = list(by_scenario.values())
    groups = [
        TrajectoryGroup([episode_to_trajectory(e) for _, e in group], metadata={"scenario_id": scenario_id})
        for scenario_id, group in by_scenario.items()
    ]
    gate = asyncio.Semaphore(concurrency)

    async def one(group_index: int) -> tuple[list[float] | None, list[str]]:
        async with gate:
            judged, report = await score_group(groups[group_index], config)
        if report.failures:
            return None, report.errors
        return [float(t.metrics["ruler_score"]) for t in judged.trajectories], []

    results = await asyncio.gather(*(one(i) for i in range(len(groups))))
    scores: dict[str, list[float]] = {planner: [] for planner in episodes_by_planner}
    failures: dict[str, int] = dict.fromkeys(episodes_by_planner, 0)
    errors: dict[str, list[str]] = {planner: [] for planner in episodes_by_planner}
    for group, (group_scores, group_errors) in zip(members, results, strict=True):
        for position, (planner, _) in enumerate(group):
            if group_scores is None:
                failures[planner] += 1
                errors[planner] = (errors[planner] + group_errors)[-5:]
            else:
                scores[planner].append(group_scores[position])
    return {
        planner: JudgeScore(
            judge=judge,
            score=round(sum(values) / len(values), 4) if values else None,
            judged=len(values),
            failures=failures[planner],
            errors=errors[planner],
        )
        for planner, values in scores.items()
    }
