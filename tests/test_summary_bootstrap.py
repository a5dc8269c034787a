"""The macro-accuracy bootstrap and the incremental summary give the same figures as the plain computation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ccsim
from ccsim.contact_center.run_folder import EPISODES, load_episodes
from ccsim.contact_center.summary import SummaryBuilder, macro_interval, summarize

ROUTES = ["account_closure", "account_services", "card_services", "disputes", "fraud", "hardship", "transactions"]


def reference_macro_interval(expected: list[str], correct: list[bool]) -> tuple[float, float, float]:
    """The bootstrap written plainly: all resamples drawn at once, each resample's recalls by string compare."""
    exp, cor = np.asarray(expected), np.asarray(correct, dtype=float)

    def macro(e: np.ndarray, c: np.ndarray) -> float:
        return float(np.mean([c[e == r].mean() for r in np.unique(e)]))

    idx = np.random.default_rng(0).integers(0, len(exp), size=(1000, len(exp)))
    low, high = np.percentile([macro(exp[i], cor[i]) for i in idx], [2.5, 97.5])
    return round(macro(exp, cor), 4), round(float(low), 4), round(float(high), 4)


@pytest.mark.parametrize(("n", "routes"), [(1, 1), (7, 3), (60, 7), (300, 5), (301, 7)])
def test_the_bootstrap_matches_the_plain_computation_to_the_bit(n: int, routes: int) -> None:
    rng = np.random.default_rng(n)
    expected = [str(r) for r in rng.choice(ROUTES[:routes], size=n)]
    correct = [bool(c) for c in rng.random(n) < 0.7]
    interval = macro_interval(expected, correct)
    assert (interval.value, interval.low, interval.high) == reference_macro_interval(expected, correct)


def test_a_run_folders_summary_is_the_summary_of_its_episodes(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(30, seed=5)
    ccsim.simulate(scenarios[:12], trials=2, out=tmp_path / "run", weave=False)
    # Resumed on more scenarios: the summary covers the earlier episodes too, built as they were written.
    run = ccsim.simulate(scenarios, trials=2, out=tmp_path / "run", resume=True, weave=False)
    episodes, _ = load_episodes(tmp_path / "run" / EPISODES)
    assert len(episodes) == 60
    assert run.summary == summarize(run.planner, episodes)
    builder = SummaryBuilder()
    for episode in reversed(episodes):  # the order episodes arrive in does not matter
        builder.add(episode)
    assert builder.summary(run.planner) == run.summary
