"""Paired comparisons of planners on the same scenarios (paired bootstrap 95% interval and a verdict)."""

from __future__ import annotations

import pytest

from ccsim.contact_center.comparison import JudgeScore, compare_pair, compare_planners, paired_bootstrap
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.taxonomy import Route
from tests.episode_factory import make_episode


def _run(correct: list[bool], *, trials: int = 1) -> list[Episode]:
    return [
        make_episode(f"s{i}", Route.FRAUD, Route.FRAUD if ok else Route.DISPUTES, trial=t)
        for i, ok in enumerate(correct)
        for t in range(trials)
    ]


def test_a_clearly_better_planner_wins_and_the_interval_excludes_zero() -> None:
    a, b = _run([True] * 40), _run([i % 2 == 0 for i in range(40)])
    result = compare_pair("A", a, "B", b)
    assert result.scenarios == 40
    assert result.difference == pytest.approx(0.5)
    assert 0 < result.low < 0.5 < result.high
    assert result.verdict == "A better" and result.statement == "A better"
    flipped = compare_pair("B", b, "A", a)
    assert flipped.verdict == "B better" and flipped.statement == "A better"
    assert flipped.difference == pytest.approx(-0.5)


def test_a_small_difference_on_few_scenarios_is_not_significant() -> None:
    a, b = _run([True] * 10), _run([True] * 9 + [False])
    result = compare_pair("A", a, "B", b)
    assert result.difference == pytest.approx(0.1)
    assert result.low <= 0 <= result.high
    assert result.verdict == "no significant difference"


def test_identical_planners_differ_by_exactly_zero() -> None:
    a = _run([True, False, True])
    result = compare_pair("A", a, "B", list(a), metric="reward")
    assert (result.difference, result.low, result.high) == (0.0, 0.0, 0.0)
    assert result.verdict == "no significant difference"


def test_only_shared_scenarios_pair_up_and_trials_are_averaged() -> None:
    a = _run([True, True, True], trials=2)
    b = _run([False, False], trials=1)  # played only s0 and s1
    result = compare_pair("A", a, "B", b)
    assert result.scenarios == 2
    assert (result.a_mean, result.b_mean) == (1.0, 0.0)


def test_every_pair_on_both_metrics_in_the_given_order() -> None:
    runs = {"x": _run([True] * 5), "y": _run([False] * 5), "z": _run([True] * 5)}
    comparisons = compare_planners(runs)
    assert [(c.a, c.b, c.metric) for c in comparisons] == [
        ("x", "y", "route_accuracy"),
        ("x", "y", "reward"),
        ("x", "z", "route_accuracy"),
        ("x", "z", "reward"),
        ("y", "z", "route_accuracy"),
        ("y", "z", "reward"),
    ]


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    diffs = [0.0, 1.0, 1.0, 0.0, 1.0, -1.0, 1.0, 0.0]
    assert paired_bootstrap(diffs, seed=3) == paired_bootstrap(diffs, seed=3)
    mean, low, high = paired_bootstrap(diffs)
    assert low < mean < high and mean == pytest.approx(3 / 8)
    assert paired_bootstrap([]) == (0.0, 0.0, 0.0)


def test_judge_cell_shows_failures_instead_of_a_zero() -> None:
    assert JudgeScore(judge="j", score=0.75, judged=3, failures=0).cell() == "0.750"
    assert JudgeScore(judge="j", score=0.75, judged=3, failures=1).cell() == "0.750 (1 judge failures)"
    assert JudgeScore(judge="j", score=None, judged=0, failures=4).cell() == "n/a (4 judge failures)"
