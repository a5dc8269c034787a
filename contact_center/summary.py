"""Run-level metrics (docs/architecture.md): accuracy with intervals, per-route F1, confusion, pass^k, cost."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.taxonomy import ROUTES, Route

NONE_LABEL = "none"  # predicted label of an episode that never routed


def episode_failed(episode: Episode) -> bool:
    """The episode raised or timed out: infrastructure, not a decision of the planner."""
    return episode.status in ("error", "timeout")


def routed_correctly(episode: Episode) -> bool:
    """Ended at the expected route. An episode that could not be scored counts as wrong, as a failed one does."""
    return episode.metrics is not None and episode.metrics.route_correct


class RouteTally(BaseModel):
    """Route accuracy counted as episodes arrive (a progress bar, a resumed run); `route_accuracy` is the
    same count over a finished batch, so every report computes the one figure the same way."""

    episodes: int = Field(default=0, ge=0, description="Episodes seen, failed ones included.")
    correct: int = Field(default=0, ge=0, description="Episodes that ended at the expected route.")
    failed: int = Field(default=0, ge=0, description="Episodes that raised or timed out.")

    @classmethod
    def of(cls, episodes: Iterable[Episode]) -> RouteTally:
        tally = cls()
        for episode in episodes:
            tally.add(episode)
        return tally

    def add(self, episode: Episode) -> None:
        self.episodes += 1
        self.correct += routed_correctly(episode)
        self.failed += episode_failed(episode)

    @property
    def accuracy(self) -> float:
        """Share of the episodes that ended at the expected route; 0.0 before any episode."""
        return self.correct / self.episodes if self.episodes else 0.0


def route_accuracy(episodes: Iterable[Episode]) -> float:
    """Share of the episodes that ended at the expected route (failed and unscored ones count as wrong)."""
    return RouteTally.of(episodes).accuracy


class Interval(BaseModel):
    value: float = Field(description="Point estimate.")
    low: float = Field(description="Lower bound of the 95% interval.")
    high: float = Field(description="Upper bound of the 95% interval.")


class RouteScores(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int


class RunSummary(BaseModel):
    """Everything summary.json and the leaderboard show for one planner."""

    planner: str
    episodes: int
    scenarios: int
    trials: int
    route_accuracy: Interval = Field(description="Micro route accuracy with a Wilson 95% interval.")
    macro_route_accuracy: Interval = Field(description="Mean per-route recall with a bootstrap 95% interval.")
    send_to_human_accuracy: float
    escalation_precision: float = Field(description="Of the escalated episodes, the share that needed a human.")
    escalation_recall: float = Field(description="Of the episodes that needed a human, the share escalated.")
    per_route: dict[str, RouteScores]
    confusion: dict[str, dict[str, int]] = Field(description="confusion[expected][predicted] counts.")
    accuracy_by_difficulty: dict[str, float]
    ask_rate_by_difficulty: dict[str, float] = Field(description="Share of episodes where the planner asked.")
    pass_hat_k: dict[int, float] = Field(description="tau-bench pass^k for k = 1..trials.")
    mean_reward: float
    mean_customer_turns: float
    mean_planner_calls: float
    invalid_actions: int
    state_correct_rate: float
    handoff_summary_ok_rate: float | None
    latency_p50_s: float
    latency_p95_s: float
    planner_latency_p50_s: float
    cost_per_1k_episodes_usd: float = Field(description="Mean cost of the priced model calls, per 1,000 episodes.")
    unpriced_models: list[str] = Field(
        default_factory=list, description="Models without a known price: when any, the cost is unknown, not 0."
    )
    errors_by_cause: dict[str, int]
    status_counts: dict[str, int]
    logprobs_missing: int = Field(
        default=0, description="Planner turns without the logprobs the run asked for (they cannot be trained on)."
    )

    def __str__(self) -> str:
        # print(run.summary) should read as a result, not as a 40-field pydantic repr.
        acc, macro = self.route_accuracy, self.macro_route_accuracy
        return (
            f"{self.planner}: {self.episodes} episodes, "
            f"route accuracy {acc.value:.3f} [{acc.low:.3f}, {acc.high:.3f}], macro {macro.value:.3f}, "
            f"send-to-human {self.send_to_human_accuracy:.3f}, "
            f"mean reward {self.mean_reward:+.3f}, errors {sum(self.errors_by_cause.values())}"
        )


def wilson_interval(successes: int, n: int, z: float = 1.96) -> Interval:
    if n == 0:
        return Interval(value=0.0, low=0.0, high=0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(value=round(p, 4), low=round(max(0.0, centre - half), 4), high=round(min(1.0, centre + half), 4))


def _macro(expected: np.ndarray, correct: np.ndarray) -> float:
    recalls = [correct[expected == r].mean() for r in np.unique(expected)]
    return float(np.mean(recalls)) if recalls else 0.0


def macro_interval(
    expected: Sequence[str], correct: Sequence[bool], *, resamples: int = 1000, seed: int = 0
) -> Interval:
    if not expected:
        return Interval(value=0.0, low=0.0, high=0.0)
    exp, cor = np.asarray(expected), np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(exp), size=(resamples, len(exp)))
    samples = np.array([_macro(exp[i], cor[i]) for i in idx])
    low, high = np.percentile(samples, [2.5, 97.5])
    return Interval(value=round(_macro(exp, cor), 4), low=round(float(low), 4), high=round(float(high), 4))


def pass_hat_k(successes_per_scenario: Sequence[tuple[int, int]], k: int) -> float:
    """tau-bench's pass^k: the chance that k i.i.d. trials of a scenario all succeed, averaged over scenarios."""
    values = [math.comb(c, k) / math.comb(n, k) for n, c in successes_per_scenario if n >= k]
    return round(sum(values) / len(values), 4) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 4) if values else 0.0


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _slim(episode: Episode) -> Episode:
    """The episode without its event stream and messages: all a summary reads, a small part of the memory."""
    return episode.model_copy(update={"events": [], "planner_messages": [], "planner_tools": [], "state_changes": []})


def missing_logprobs(episode: Episode) -> int:
    """The episode's planner turns whose Choice came back without logprobs."""
    return sum(
        1
        for m in episode.planner_messages
        if m.get("role") == "assistant" and isinstance(m.get("choice"), dict) and not m["choice"].get("logprobs")
    )


def summarize(planner: str, episodes: Iterable[Episode], *, logprobs: bool = False) -> RunSummary:
    """The run's summary. `episodes` may be a generator (e.g. read from episodes.jsonl): each is kept only
    as its metrics and labels, so memory stays small however many episodes there are. `logprobs`: the run
    asked for them, so turns without them are counted."""
    lacking = 0
    slim: list[Episode] = []
    for episode in episodes:
        lacking += missing_logprobs(episode) if logprobs else 0
        slim.append(_slim(episode))
    # The bootstrap interval resamples by position: a fixed order makes the summary the same whichever
    # order the episodes finished in (one process or many).
    episodes = sorted(slim, key=lambda e: (e.scenario_id, e.trial))
    scored = [e for e in episodes if e.metrics is not None]
    metrics = [e.metrics for e in scored if e.metrics is not None]
    expected = [m.expected_route.value for m in metrics]
    predicted = [m.route.value if m.route else NONE_LABEL for m in metrics]
    correct = [routed_correctly(e) for e in scored]

    confusion: dict[str, dict[str, int]] = {r.value: {} for r in Route}
    for exp, pred in zip(expected, predicted, strict=True):
        confusion[exp][pred] = confusion[exp].get(pred, 0) + 1
    per_route: dict[str, RouteScores] = {}
    for route in Route:
        r = route.value
        tp = sum(1 for e, p in zip(expected, predicted, strict=True) if e == r and p == r)
        fp = sum(1 for e, p in zip(expected, predicted, strict=True) if e != r and p == r)
        fn = sum(1 for e, p in zip(expected, predicted, strict=True) if e == r and p != r)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
        per_route[r] = RouteScores(precision=precision, recall=recall, f1=f1, support=tp + fn)

    tally = RouteTally()
    by_difficulty: dict[str, RouteTally] = defaultdict(RouteTally)
    by_scenario: dict[str, RouteTally] = defaultdict(RouteTally)
    for episode in episodes:
        tally.add(episode)
        by_difficulty[episode.difficulty].add(episode)
        by_scenario[episode.scenario_id].add(episode)
    asked_by_difficulty: dict[str, list[bool]] = defaultdict(list)
    for episode in scored:
        assert episode.metrics is not None
        asked_by_difficulty[episode.difficulty].append(episode.metrics.asked_clarification)
    counts = [(t.episodes, t.correct) for t in by_scenario.values()]
    max_trials = max((n for n, _ in counts), default=1)

    escalated = [m.escalated for m in metrics]
    needed = [ROUTES[m.expected_route].needs_human for m in metrics]
    handoffs = [m.handoff_summary_ok for m in metrics if m.handoff_summary_ok is not None]
    latencies = [m.latency_s for m in metrics]
    failed = [e for e in episodes if episode_failed(e)]
    total_cost = sum(m.cost_usd for m in metrics)

    return RunSummary(
        planner=planner,
        episodes=len(episodes),
        scenarios=len(by_scenario),
        trials=max_trials,
        route_accuracy=wilson_interval(tally.correct, tally.episodes),
        macro_route_accuracy=macro_interval(expected, correct),
        send_to_human_accuracy=_ratio(sum(m.send_to_human_correct for m in metrics), len(metrics)),
        escalation_precision=_ratio(sum(e and n for e, n in zip(escalated, needed, strict=True)), sum(escalated)),
        escalation_recall=_ratio(sum(e and n for e, n in zip(escalated, needed, strict=True)), sum(needed)),
        per_route=per_route,
        confusion=confusion,
        accuracy_by_difficulty={d: round(t.accuracy, 4) for d, t in sorted(by_difficulty.items())},
        ask_rate_by_difficulty={d: round(statistics.fmean(v), 4) for d, v in sorted(asked_by_difficulty.items())},
        pass_hat_k={k: pass_hat_k(counts, k) for k in range(1, max_trials + 1)},
        mean_reward=round(statistics.fmean(e.reward or 0.0 for e in scored), 4) if scored else 0.0,
        mean_customer_turns=round(statistics.fmean(m.customer_turns for m in metrics), 3) if metrics else 0.0,
        mean_planner_calls=round(statistics.fmean(m.planner_calls for m in metrics), 3) if metrics else 0.0,
        invalid_actions=sum(m.invalid_actions for m in metrics),
        state_correct_rate=_ratio(sum(m.state_correct for m in metrics), len(metrics)),
        handoff_summary_ok_rate=_ratio(sum(handoffs), len(handoffs)) if handoffs else None,
        latency_p50_s=_percentile(latencies, 50),
        latency_p95_s=_percentile(latencies, 95),
        planner_latency_p50_s=_percentile([m.planner_latency_s for m in metrics], 50),
        cost_per_1k_episodes_usd=round(1000 * total_cost / len(metrics), 6) if metrics else 0.0,
        unpriced_models=sorted({model for m in metrics for model in m.unpriced_models}),
        errors_by_cause=dict(Counter((e.error or e.status).split(":")[0] for e in failed)),
        status_counts=dict(Counter(e.status for e in episodes)),
        logprobs_missing=lacking,
    )
