"""Paired comparisons of planners on the same scenarios, and the judge's column of the leaderboard.

Two planners played the same scenarios, so their results pair up by scenario: for each scenario shared
by both, the per-scenario value (route correct as 0/1, or the reward; the mean over trials when there
are several) of A minus that of B. The difference is the mean of those per-scenario differences, and its
95% interval comes from a paired bootstrap: resample the scenarios with replacement, keep the pairs
together. The verdict follows the interval: above zero "A better", below zero "B better", otherwise "no
significant difference".
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.summary import routed_correctly

Verdict = Literal["A better", "B better", "no significant difference"]

COMPARED_METRICS: dict[str, Callable[[Episode], float]] = {
    "route_accuracy": lambda e: float(routed_correctly(e)),
    "reward": lambda e: float(e.reward or 0.0),
}


class PairedComparison(BaseModel):
    """Planner A minus planner B on one metric, over the scenarios both played."""

    a: str = Field(description="Planner A's label.")
    b: str = Field(description="Planner B's label.")
    metric: str = Field(description="'route_accuracy' or 'reward'.")
    scenarios: int = Field(ge=0, description="Scenarios both planners played (the pairs).")
    a_mean: float = Field(description="A's mean over the paired scenarios.")
    b_mean: float = Field(description="B's mean over the paired scenarios.")
    difference: float = Field(description="Mean of A - B over the paired scenarios.")
    low: float = Field(description="Lower bound of the paired-bootstrap 95% interval of the difference.")
    high: float = Field(description="Upper bound of the paired-bootstrap 95% interval of the difference.")
    verdict: Verdict

    @property
    def statement(self) -> str:
        """The verdict with the planners named."""
        if self.verdict == "A better":
            return f"{self.a} better"
        if self.verdict == "B better":
            return f"{self.b} better"
        return self.verdict


def _per_scenario(episodes: Sequence[Episode], value: Callable[[Episode], float]) -> dict[str, float]:
    by_scenario: dict[str, list[float]] = defaultdict(list)
    for episode in episodes:
        by_scenario[episode.scenario_id].append(value(episode))
    return {scenario: float(np.mean(values)) for scenario, values in by_scenario.items()}


def paired_bootstrap(
    differences: Sequence[float], *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of the paired differences and its percentile-bootstrap 95% interval."""
    if not differences:
        return 0.0, 0.0, 0.0
    d = np.asarray(differences, dtype=float)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(resamples, len(d)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(d.mean()), float(low), float(high)


def compare_pair(
    a: str,
    a_episodes: Sequence[Episode],
    b: str,
    b_episodes: Sequence[Episode],
    *,
    metric: str = "route_accuracy",
    resamples: int = 2000,
    seed: int = 0,
) -> PairedComparison:
    """A minus B on `metric` over the scenarios both played, with a paired bootstrap 95% interval."""
    value = COMPARED_METRICS[metric]
    a_by, b_by = _per_scenario(a_episodes, value), _per_scenario(b_episodes, value)
    shared = sorted(a_by.keys() & b_by.keys())
    diffs = [a_by[s] - b_by[s] for s in shared]
    mean, low, high = paired_bootstrap(diffs, resamples=resamples, seed=seed)
    # Round the bounds before judging them, so a difference that is exactly zero everywhere reads as zero.
    low, high = round(low, 4), round(high, 4)
    verdict: Verdict = "A better" if low > 0 else "B better" if high < 0 else "no significant difference"
    return PairedComparison(
        a=a,
        b=b,
        metric=metric,
        scenarios=len(shared),
        a_mean=round(float(np.mean([a_by[s] for s in shared])), 4) if shared else 0.0,
        b_mean=round(float(np.mean([b_by[s] for s in shared])), 4) if shared else 0.0,
        difference=round(mean, 4),
        low=low,
        high=high,
        verdict=verdict,
    )


def compare_planners(
    episodes_by_planner: Mapping[str, Sequence[Episode]],
    *,
    metrics: Sequence[str] = ("route_accuracy", "reward"),
    resamples: int = 2000,
    seed: int = 0,
) -> list[PairedComparison]:
    """Every pair of planners (in the given order, A before B) on every metric."""
    return [
        compare_pair(a, episodes_by_planner[a], b, episodes_by_planner[b], metric=m, resamples=resamples, seed=seed)
        for a, b in itertools.combinations(episodes_by_planner, 2)
        for m in metrics
    ]


class JudgeScore(BaseModel):
    """A planner's RULER score on the leaderboard: the mean over the episodes the judge scored.

    RULER judges the episodes of one scenario (every planner, every trial) against each other. A group
    the judge failed on is counted in `failures` and left out of the mean, never scored as 0.
    """

    judge: str = Field(description="The judge model.")
    score: float | None = Field(description="Mean RULER score of the judged episodes; None when none was judged.")
    judged: int = Field(ge=0, description="Episodes the judge scored.")
    failures: int = Field(ge=0, description="Episodes in groups the judge failed on (not scored).")
    errors: list[str] = Field(default_factory=list, description="The judge's error messages, truncated.")

    def cell(self) -> str:
        if self.score is None:
            return f"n/a ({self.failures} judge failures)" if self.failures else "n/a"
        text = f"{self.score:.3f}"
        return f"{text} ({self.failures} judge failures)" if self.failures else text
