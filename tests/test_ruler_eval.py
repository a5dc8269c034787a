"""`ccsim eval --judge` / `ccsim.evaluate(judge=...)`: a RULER column, with the loopback server as the judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ccsim
from tests.fake_openai import FakeOpenAIServer, ScriptedReply

PLANNERS = ["rules", "py:tests.plugins:always_fraud"]


def _scores(*values: float) -> str:
    return json.dumps(
        {"scores": [{"trajectory_id": str(i), "explanation": "ok", "score": v} for i, v in enumerate(values, 1)]}
    )


def _judge(fail_on: str | None = None) -> Any:
    """Prefers the first trajectory of each group (the rules planner's); replies garbage to a request naming
    `fail_on`, as a judge that breaks on one scenario would."""

    def reply(body: dict[str, Any]) -> ScriptedReply:
        text = json.dumps(body["messages"])
        if fail_on is not None and fail_on in text:
            return ScriptedReply(text="this is not the JSON you asked for")
        return ScriptedReply(text=_scores(0.9, 0.2))

    return reply


def test_evaluate_with_a_judge_adds_ruler_scores_and_counts_failures(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(6, seed=11)
    broken = scenarios[0].opening_message
    with FakeOpenAIServer(responder=_judge(fail_on=broken)) as server:
        board = ccsim.evaluate(
            scenarios, PLANNERS, out=tmp_path, trajectories=False, judge="judge-model", judge_base_url=server.base_url
        )
        requests = list(server.requests)
    assert len(requests) == len(scenarios)  # one judge call per scenario, both planners in the group
    assert requests[0]["model"] == "judge-model"
    assert board.judge is not None
    rules, fraud = board.judge["rules"], board.judge["py:tests.plugins:always_fraud"]
    assert (rules.score, rules.judged, rules.failures) == (0.9, 5, 1)
    assert (fraud.score, fraud.judged, fraud.failures) == (0.2, 5, 1)
    assert rules.errors and fraud.errors
    markdown = (tmp_path / "leaderboard.md").read_text()
    assert "RULER score" in markdown and "0.900 (1 judge failures)" in markdown
    saved = json.loads((tmp_path / "leaderboard.json").read_text())
    assert saved["judge"] == "judge-model"
    assert {row["planner"]: row["ruler"]["failures"] for row in saved["planners"]} == {p: 1 for p in PLANNERS}


def test_a_judge_that_always_fails_shows_no_score_rather_than_zero(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(3, seed=12)
    with FakeOpenAIServer(responder=lambda _body: ScriptedReply(text="nope")) as server:
        board = ccsim.evaluate(scenarios, PLANNERS, trajectories=False, judge="j", judge_base_url=server.base_url)
    assert board.judge is not None
    assert all(s.score is None and s.failures == 3 for s in board.judge.values())
    assert "n/a (3 judge failures)" in board.markdown()


def test_without_a_judge_there_is_no_ruler_column_but_there_are_comparisons() -> None:
    scenarios = ccsim.generate_scenarios(30, seed=13)
    board = ccsim.evaluate(scenarios, PLANNERS, trajectories=False)
    assert board.judge is None and "RULER" not in board.markdown()
    by_metric = {c.metric: c for c in board.comparisons}
    assert set(by_metric) == {"route_accuracy", "reward"}
    accuracy = by_metric["route_accuracy"]
    summaries = {s.planner: s for s in board.summaries}
    expected = summaries["rules"].route_accuracy.value - summaries[PLANNERS[1]].route_accuracy.value
    assert accuracy.difference == pytest.approx(expected, abs=1e-3)
    assert accuracy.verdict == "A better" and accuracy.low > 0
    assert "Paired comparisons" in board.markdown() and "rules better" in board.markdown()


def test_cli_eval_prints_the_paired_difference_and_the_ruler_column(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ccsim.cli import app

    scenario_file = tmp_path / "s.jsonl"
    ccsim.save_scenarios(scenario_file, ccsim.generate_scenarios(8, seed=14))
    with FakeOpenAIServer(responder=_judge()) as server:
        result = CliRunner().invoke(
            app,
            ["eval", "-p", PLANNERS[0], "-p", PLANNERS[1], "-s", str(scenario_file), "-o", str(tmp_path / "e"),
             "--judge", "judge-model", "--judge-base-url", server.base_url, "--no-trajectories"],
            env={"COLUMNS": "200"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "RULER score" in result.output and "0.900" in result.output and "0.200" in result.output
    assert "Paired comparisons" in result.output and "rules better" in result.output
    assert "A - B [95% CI]" in result.output
