"""`ccsim.evaluate`: several planners on the same scenarios, one run folder each, one leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ccsim
from ccsim.api.evaluation import folder_name


def test_evaluate_ranks_planners_and_writes_the_leaderboard(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(12, seed=4)
    board = ccsim.evaluate(scenarios, ["rules", "py:tests.plugins:always_fraud"], out=tmp_path, trajectories=False)
    assert [run.planner for run in board.runs] == ["rules", "py:tests.plugins:always_fraud"]
    by_planner = {s.planner: s for s in board.summaries}
    fraud_share = sum(s.expected_route.value == "fraud" for s in scenarios) / len(scenarios)
    assert by_planner["py:tests.plugins:always_fraud"].route_accuracy.value == pytest.approx(fraud_share, abs=1e-4)
    assert by_planner["rules"].route_accuracy.value > by_planner["py:tests.plugins:always_fraud"].route_accuracy.value
    assert (tmp_path / "rules" / "episodes.jsonl").exists()
    assert (tmp_path / folder_name("py:tests.plugins:always_fraud") / "summary.json").exists()
    assert [row["planner"] for row in json.loads((tmp_path / "leaderboard.json").read_text())["planners"]] == [
        "rules",
        "py:tests.plugins:always_fraud",
    ]
    assert (tmp_path / "leaderboard.md").read_text() == board.markdown()


def test_the_same_planner_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="each planner must be different"):
        ccsim.evaluate(ccsim.generate_scenarios(2, seed=1), ["rules", "rules"])
