"""Weave, offline: EvaluationLogger for stored runs, and the live call tree (episode -> planner, helper -> tool).

Weave's real client runs against `tests.weave_double.RecordingTraceServer` (the wheel ships no local
trace server), so these tests check what Weave would send: ops, parents, inputs, outputs, scores.
"""

from __future__ import annotations

from collections import Counter

import pytest

import ccsim
from ccsim.contact_center.observability import weave_active
from ccsim.contact_center.weave_eval import episode_transcript, log_evaluation, weave_name
from tests.weave_double import op_short_name, recording_weave


def test_a_stored_run_is_logged_with_predictions_transcripts_scores_and_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenarios = ccsim.generate_scenarios(4, seed=21)
    run = ccsim.simulate(scenarios, planner="py:tests.plugins:always_fraud", trajectories=False, weave=False)
    with recording_weave(monkeypatch) as server:
        logger = log_evaluation(run.planner, run.episodes, run.summary)
    starts = server.starts()
    ends = server.ends()
    names = Counter(op_short_name(s["op_name"]) for s in starts)
    assert names["Evaluation.evaluate"] == 1 and names["Evaluation.summarize"] == 1
    assert names["Evaluation.predict_and_score"] == len(run.episodes) == names["Model.predict"]
    assert names["route_correct"] == names["reward"] == len(run.episodes)
    # Each prediction's output carries the whole conversation, as the run folder recorded it.
    predicted = [ends[s["id"]]["output"] for s in starts if op_short_name(s["op_name"]) == "Model.predict"]
    by_opening = {p["transcript"][0]["content"]: p for p in predicted}
    for episode in run.episodes:
        output = by_opening[episode.events[0].content]
        assert output["route"] == "fraud"
        assert output["transcript"] == episode_transcript(episode)
        assert any(
            line["kind"] == "planner_action" and line["tool"] == "transfer_to_human" for line in output["transcript"]
        )
    # The route_correct scores are the episodes' own, and the summary is the run's.
    scored = [ends[s["id"]]["output"] for s in starts if op_short_name(s["op_name"]) == "route_correct"]
    assert sorted(scored) == sorted(e.metrics.route_correct for e in run.episodes if e.metrics)
    summary_call = next(s for s in starts if op_short_name(s["op_name"]) == "Evaluation.summarize")
    summary = ends[summary_call["id"]]["output"]
    # Weave's own aggregate of the logged scores, and ours under "output".
    assert "route_correct" in summary and "reward" in summary
    assert summary["output"]["route_accuracy"] == run.summary.route_accuracy.value
    assert summary["output"]["episodes"] == len(run.episodes)
    assert logger.name == f"ccsim-eval-{weave_name(run.planner)}"


def test_live_episodes_show_the_call_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    # A card-services scenario: the planner delegates, the helper calls bank tools.
    scenario = next(s for s in ccsim.generate_scenarios(60, seed=22) if s.expected_route.value == "card_services")
    assert not weave_active()
    with recording_weave(monkeypatch) as server:
        assert weave_active()
        episode = ccsim.play_episode(scenario, planner="rules")
    assert episode.final_route is not None
    starts = server.starts()
    by_id = {s["id"]: s for s in starts}
    names = {s["id"]: op_short_name(s["op_name"]) for s in starts}
    parent = {s["id"]: names.get(s.get("parent_id") or "") for s in starts}
    roots = [i for i, n in names.items() if n == "ccsim.episode"]
    assert len(roots) == 1 and by_id[roots[0]].get("parent_id") is None
    planners = [i for i, n in names.items() if n == "ccsim.planner"]
    helpers = [i for i, n in names.items() if n == "ccsim.helper"]
    tools = [i for i, n in names.items() if n == "ccsim.tool"]
    assert planners and helpers and tools
    assert all(parent[i] == "ccsim.episode" for i in planners + helpers)
    assert all(parent[i] == "ccsim.helper" for i in tools)
    # Live objects stay out of the trace; what the op was called with stays in.
    assert all("planner" not in by_id[i]["inputs"] and "messages" in by_id[i]["inputs"] for i in planners)
    assert all("tool" not in by_id[i]["inputs"] and by_id[i]["inputs"]["name"] for i in tools)
    assert {by_id[i]["inputs"]["route"] for i in helpers} == {"card_services"}


def test_without_a_weave_client_nothing_is_traced() -> None:
    assert not weave_active()
    episode = ccsim.play_episode(ccsim.generate_scenarios(1, seed=23)[0], planner="rules")
    assert episode.status == "completed"


def test_evaluate_logs_one_weave_evaluation_per_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    import ccsim.api.evaluation as evaluation

    monkeypatch.setattr(evaluation, "start_weave", lambda _weave: True)  # the client below stands in for weave.init
    scenarios = ccsim.generate_scenarios(3, seed=24)
    with recording_weave(monkeypatch) as server:
        board = ccsim.evaluate(scenarios, ["rules", "py:tests.plugins:always_fraud"], trajectories=False)
    starts = server.starts()
    evaluations = [s for s in starts if op_short_name(s["op_name"]) == "Evaluation.evaluate"]
    assert len(evaluations) == len(board.runs) == 2
    predictions = [s for s in starts if op_short_name(s["op_name"]) == "Model.predict"]
    assert len(predictions) == sum(len(run.episodes) for run in board.runs)
