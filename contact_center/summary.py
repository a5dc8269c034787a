"""Run-level metrics (docs/architecture.md): accuracy with intervals, per-route F1, confusion, pass^k, cost."""

from __future__ import annotations

import math
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

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


def _macro_of(codes: np.ndarray, correct: np.ndarray, routes: int) -> float:
    """Mean per-route recall over the routes present in `codes` (each a route's index in sorted order)."""
    counts = np.bincount(codes, minlength=routes)
    hits = np.bincount(codes, weights=correct, minlength=routes)  # sums of 0s and 1s: exact
    present = counts > 0
    # np.mean over the present routes in sorted order: the same float, bit for bit, as a mean of their recalls.
    recalls = hits[present] / counts[present]
    return float(np.mean(recalls)) if recalls.size else 0.0


# Resampled indices drawn at a time: a bootstrap over 10,000 episodes never holds 1,000 x 10,000 of them.
_BOOTSTRAP_CELLS = 1 << 18


def macro_interval(
    expected: Sequence[str], correct: Sequence[bool], *, resamples: int = 1000, seed: int = 0
) -> Interval:
    """Macro route accuracy with a percentile-bootstrap 95% interval (resampling episodes by position)."""
    if not expected:
        return Interval(value=0.0, low=0.0, high=0.0)
    labels, codes = np.unique(np.asarray(expected), return_inverse=True)
    codes = codes.reshape(-1)
    cor = np.asarray(correct, dtype=float)
    n, routes = len(codes), len(labels)
    rng = np.random.default_rng(seed)
    samples = np.empty(resamples)
    rows = max(1, _BOOTSTRAP_CELLS // n)
    # Drawn in blocks of rows: the generator gives the same numbers as one (resamples, n) draw would.
    for start in range(0, resamples, rows):
        block = rng.integers(0, n, size=(min(rows, resamples - start), n))
        for offset, idx in enumerate(block):
            samples[start + offset] = _macro_of(codes[idx], cor[idx], routes)
    low, high = np.percentile(samples, [2.5, 97.5])
    value = _macro_of(codes, cor, routes)
    return Interval(value=round(value, 4), low=round(float(low), 4), high=round(float(high), 4))


def pass_hat_k(successes_per_scenario: Sequence[tuple[int, int]], k: int) -> float:
    """tau-bench's pass^k: the chance that k i.i.d. trials of a scenario all succeed, averaged over scenarios."""
    values = [math.comb(c, k) / math.comb(n, k) for n, c in successes_per_scenario if n >= k]
    return round(sum(values) / len(values), 4) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 4) if values else 0.0


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def missing_logprobs(episode: Episode) -> int:
    """The episode's planner turns whose Choice came back without logprobs."""
    return sum(
        1
        for m in episode.planner_messages
        if m.get("role") == "assistant" and isinstance(m.get("choice"), dict) and not m["choice"].get("logprobs")
    )


class _Scores(NamedTuple):
    """What a summary reads of one scored episode's metrics."""

    expected: str
    predicted: str
    correct: bool
    asked: bool
    escalated: bool
    needed: bool
    send_to_human_correct: bool
    customer_turns: int
    planner_calls: int
    invalid_actions: int
    state_correct: bool
    handoff_summary_ok: bool | None
    latency_s: float
    planner_latency_s: float
    cost_usd: float
    reward: float


class _Row(NamedTuple):
    """What a summary reads of one episode: a few scalars, not the episode (a 10,000-episode summary holds
    10,000 small tuples). Repeated strings are interned, so they are held once."""

    scenario_id: str
    trial: int
    difficulty: str
    status: str
    cause: str | None  # the failure's cause (error up to its first colon), for a failed episode only
    scores: _Scores | None  # None: the episode was never scored


def _row(episode: Episode) -> _Row:
    m = episode.metrics
    scores = None
    if m is not None:
        scores = _Scores(
            expected=m.expected_route.value,
            predicted=m.route.value if m.route else NONE_LABEL,
            correct=routed_correctly(episode),
            asked=m.asked_clarification,
            escalated=m.escalated,
            needed=ROUTES[m.expected_route].needs_human,
            send_to_human_correct=m.send_to_human_correct,
            customer_turns=m.customer_turns,
            planner_calls=m.planner_calls,
            invalid_actions=m.invalid_actions,
            state_correct=m.state_correct,
            handoff_summary_ok=m.handoff_summary_ok,
            latency_s=m.latency_s,
            planner_latency_s=m.planner_latency_s,
            cost_usd=m.cost_usd,
            reward=episode.reward or 0.0,
        )
    cause = sys.intern((episode.error or episode.status).split(":")[0]) if episode_failed(episode) else None
    return _Row(
        episode.scenario_id, episode.trial, sys.intern(episode.difficulty), sys.intern(episode.status), cause, scores
    )


class SummaryBuilder:
    """A run's summary gathered one episode at a time, as they finish, so the writer of a run folder need not
    read its episodes back: `summarize(planner, episodes)` is `add` for each, then `summary`. Each episode is
    kept only as a few scalars (`_Row`), so memory stays small however many episodes there are."""

    def __init__(self, *, logprobs: bool = False) -> None:
        self.logprobs = logprobs  # the run asked for them: turns without them are counted
        self._lacking = 0
        self._unpriced: set[str] = set()
        self._rows: list[_Row] = []

    @property
    def episodes(self) -> int:
        return len(self._rows)

    def add(self, episode: Episode) -> None:
        self._lacking += missing_logprobs(episode) if self.logprobs else 0
        if episode.metrics is not None:
            self._unpriced.update(episode.metrics.unpriced_models)
        self._rows.append(_row(episode))

    def summary(self, planner: str) -> RunSummary:
        return _summary(planner, self._rows, self._unpriced, self._lacking)


def summarize(planner: str, episodes: Iterable[Episode], *, logprobs: bool = False) -> RunSummary:
    """The run's summary. `episodes` may be a generator (e.g. read from episodes.jsonl): see `SummaryBuilder`.
    `logprobs`: the run asked for them, so turns without them are counted."""
    builder = SummaryBuilder(logprobs=logprobs)
    for episode in episodes:
        builder.add(episode)
    return builder.summary(planner)


def _summary(planner: str, rows: list[_Row], unpriced: set[str], lacking: int) -> RunSummary:
    # The bootstrap interval resamples by position: a fixed order makes the summary the same whichever
    # order the episodes finished in (one process or many).
    rows = sorted(rows, key=lambda r: (r.scenario_id, r.trial))
    metrics = [r.scores for r in rows if r.scores is not None]
    expected = [m.expected for m in metrics]
    predicted = [m.predicted for m in metrics]
    correct = [m.correct for m in metrics]

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
    by_scenario: dict[str, list[int]] = {}  # scenario id -> [episodes, correct]
    for row in rows:
        right = row.scores is not None and row.scores.correct
        failed = row.cause is not None
        for tallied in (tally, by_difficulty[row.difficulty]):
            tallied.episodes += 1
            tallied.correct += right
            tallied.failed += failed
        scenario = by_scenario.setdefault(row.scenario_id, [0, 0])
        scenario[0] += 1
        scenario[1] += right
    asked_by_difficulty: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        if row.scores is not None:
            asked_by_difficulty[row.difficulty].append(row.scores.asked)
    counts = [(n, c) for n, c in by_scenario.values()]
    max_trials = max((n for n, _ in counts), default=1)

    escalated = [m.escalated for m in metrics]
    needed = [m.needed for m in metrics]
    handoffs = [m.handoff_summary_ok for m in metrics if m.handoff_summary_ok is not None]
    latencies = [m.latency_s for m in metrics]
    total_cost = sum(m.cost_usd for m in metrics)

    return RunSummary(
        planner=planner,
        episodes=len(rows),
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
        mean_reward=round(statistics.fmean(m.reward for m in metrics), 4) if metrics else 0.0,
        mean_customer_turns=round(statistics.fmean(m.customer_turns for m in metrics), 3) if metrics else 0.0,
        mean_planner_calls=round(statistics.fmean(m.planner_calls for m in metrics), 3) if metrics else 0.0,
        invalid_actions=sum(m.invalid_actions for m in metrics),
        state_correct_rate=_ratio(sum(m.state_correct for m in metrics), len(metrics)),
        handoff_summary_ok_rate=_ratio(sum(handoffs), len(handoffs)) if handoffs else None,
        latency_p50_s=_percentile(latencies, 50),
        latency_p95_s=_percentile(latencies, 95),
        planner_latency_p50_s=_percentile([m.planner_latency_s for m in metrics], 50),
        cost_per_1k_episodes_usd=round(1000 * total_cost / len(metrics), 6) if metrics else 0.0,
        unpriced_models=sorted(unpriced),
        errors_by_cause=dict(Counter(r.cause for r in rows if r.cause is not None)),
        status_counts=dict(Counter(r.status for r in rows)),
        logprobs_missing=lacking,
    )
