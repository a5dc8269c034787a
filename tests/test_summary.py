from __future__ import annotations

import math

import pytest

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.summary import (
    RouteTally,
    macro_interval,
    pass_hat_k,
    route_accuracy,
    summarize,
    wilson_interval,
)
from ccsim.contact_center.taxonomy import Route
from tests.episode_factory import make_episode


def test_wilson_interval_brackets_the_estimate_and_narrows_with_n() -> None:
    small, large = wilson_interval(8, 10), wilson_interval(800, 1000)
    assert small.low < 0.8 < small.high
    assert large.low < 0.8 < large.high
    assert (large.high - large.low) < (small.high - small.low)
    assert wilson_interval(0, 0).value == 0.0


def test_pass_hat_k_matches_tau_bench_definition() -> None:
    # One scenario 2 of 4 trials right, one 4 of 4: pass^2 = (C(2,2)/C(4,2) + 1) / 2.
    counts = [(4, 2), (4, 4)]
    assert pass_hat_k(counts, 1) == pytest.approx((0.5 + 1) / 2)
    assert pass_hat_k(counts, 2) == pytest.approx(round((1 / math.comb(4, 2) + 1) / 2, 4))


def test_macro_accuracy_weights_routes_equally() -> None:
    expected = ["fraud"] * 9 + ["hardship"]
    correct = [True] * 9 + [False]
    assert macro_interval(expected, correct).value == pytest.approx(0.5)


def test_summarize_counts_confusion_escalation_and_errors() -> None:
    episodes = [
        make_episode("a", Route.FRAUD, Route.FRAUD),
        make_episode("b", Route.FRAUD, Route.DISPUTES),
        make_episode("c", Route.ACCOUNT_SERVICES, Route.FRAUD),
        make_episode("d", Route.ACCOUNT_SERVICES, Route.ACCOUNT_SERVICES, asked=True, difficulty="hard"),
        make_episode("e", Route.HARDSHIP, None, status="error"),
    ]
    s = summarize("rules", episodes)
    assert s.route_accuracy.value == pytest.approx(2 / 5)
    assert s.confusion["fraud"] == {"fraud": 1, "disputes": 1}
    assert s.confusion["hardship"] == {"none": 1}
    # Escalated: a, b, c; of those a and b needed a human.
    assert s.escalation_precision == pytest.approx(round(2 / 3, 4))
    # Needed a human: a, b, e; escalated: a, b.
    assert s.escalation_recall == pytest.approx(round(2 / 3, 4))
    assert s.per_route["fraud"].precision == pytest.approx(0.5)
    assert s.errors_by_cause == {"ValueError": 1}
    assert s.ask_rate_by_difficulty["hard"] == 1.0


def test_summarize_pass_hat_k_over_trials() -> None:
    episodes = [make_episode("a", Route.FRAUD, Route.FRAUD, trial=t) for t in range(3)]
    episodes += [make_episode("b", Route.FRAUD, Route.FRAUD if t else Route.DISPUTES, trial=t) for t in range(3)]
    s = summarize("rules", episodes)
    assert s.trials == 3
    assert s.pass_hat_k[3] == pytest.approx(0.5)
    assert s.pass_hat_k[1] == pytest.approx(round((1 + 2 / 3) / 2, 4))


def _unscored(scenario_id: str) -> Episode:
    return make_episode(scenario_id, Route.FRAUD, Route.FRAUD).model_copy(update={"metrics": None})


def test_route_accuracy_counts_failed_and_unscored_episodes_as_wrong() -> None:
    episodes = [
        make_episode("a", Route.FRAUD, Route.FRAUD),
        make_episode("b", Route.FRAUD, Route.DISPUTES),
        make_episode("c", Route.HARDSHIP, None, status="error"),
        _unscored("d"),
    ]
    assert route_accuracy(episodes) == 0.25
    assert route_accuracy([]) == 0.0
    assert summarize("rules", episodes).route_accuracy.value == 0.25


def test_running_tally_agrees_with_the_batch_figure() -> None:
    previous = [make_episode("a", Route.FRAUD, Route.FRAUD), make_episode("b", Route.FRAUD, None, status="timeout")]
    tally = RouteTally.of(previous)  # a resumed run starts from what had finished
    assert (tally.episodes, tally.correct, tally.failed) == (2, 1, 1)
    later = [make_episode("c", Route.DISPUTES, Route.DISPUTES), make_episode("d", Route.DISPUTES, Route.FRAUD)]
    for episode in later:
        tally.add(episode)
    assert (tally.episodes, tally.correct, tally.failed) == (4, 2, 1)
    assert tally.accuracy == route_accuracy(previous + later) == 0.5
    assert RouteTally().accuracy == 0.0


def test_summary_is_the_same_whatever_order_the_episodes_finished_in() -> None:
    routes = [Route.FRAUD, Route.DISPUTES, Route.HARDSHIP, Route.ACCOUNT_SERVICES]
    episodes = [
        make_episode(f"s{i:02d}", routes[i % 4], routes[(i * 7) % 4] if i % 3 else routes[i % 4]) for i in range(24)
    ]
    in_order = summarize("rules", episodes)
    shuffled = summarize("rules", episodes[1::2] + episodes[::2])
    assert shuffled.macro_route_accuracy == in_order.macro_route_accuracy
    assert shuffled.model_dump() == in_order.model_dump()
