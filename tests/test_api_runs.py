"""`ccsim.simulate` / `asimulate` / `play_episode`: the public API a user's script or notebook calls."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import ccsim
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.agents.runner import RunSettings, run_episodes
from ccsim.api.progress import EpisodeFinished, ProgressEvent, RunFinished, RunStarted
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.run_folder import RunFolder
from tests.fake_openai import FakeOpenAIServer, ScriptedReply


@pytest.fixture(scope="module")
def scenarios() -> list[ccsim.Scenario]:
    return ccsim.generate_scenarios(16, seed=21)


def test_simulate_returns_episodes_and_a_summary(scenarios: list[ccsim.Scenario]) -> None:
    run = ccsim.simulate(scenarios)
    assert run.planner == "rules" and run.folder is None and run.aborted is None and not run.failed
    assert sorted(e.scenario_id for e in run.episodes) == sorted(s.id for s in scenarios)
    assert run.summary.episodes == len(scenarios)
    correct = sum(bool(e.metrics and e.metrics.route_correct) for e in run.episodes)
    assert run.summary.route_accuracy.value == pytest.approx(correct / len(scenarios))
    assert run.summary.route_accuracy.value > 0.8


def test_simulate_writes_a_run_folder(scenarios: list[ccsim.Scenario], tmp_path: Path) -> None:
    run = ccsim.simulate(scenarios[:4], out=tmp_path / "run", provenance={"note": "from a test"})
    assert run.folder == tmp_path / "run"
    names = {p.name for p in run.folder.iterdir()}
    assert {"config.json", "episodes.jsonl", "trajectories.jsonl", "summary.json", "report.md"} <= names
    assert len((run.folder / "trajectories.jsonl").read_text().splitlines()) == 4
    config = json.loads((run.folder / "config.json").read_text())
    assert config["note"] == "from a test" and config["settings"]["planner"]["kind"] == "rules"


async def test_resume_runs_only_what_had_not_finished(scenarios: list[ccsim.Scenario], tmp_path: Path) -> None:
    settings = RunSettings(planner=ModelSpec(kind="rules"), concurrency=4)
    with RunFolder(tmp_path / "run") as folder:  # a run killed after its first 5 episodes
        for episode in await run_episodes(scenarios[:5], settings):
            folder.append(episode)
    first_five = {e.episode_id: e.started_at for e in RunFolder(tmp_path / "run", resume=True).previous}

    run = await ccsim.asimulate(scenarios, out=tmp_path / "run", resume=True)

    episodes = RunFolder(tmp_path / "run", resume=True).previous
    assert sorted(e.episode_id for e in episodes) == sorted(f"{s.id}#0" for s in scenarios)
    assert {e.episode_id: e.started_at for e in episodes if e.episode_id in first_five} == first_five
    assert run.summary.episodes == len(scenarios) == len(run.episodes)
    assert (tmp_path / "run" / "report.md").read_text().startswith("# Run report: rules")


def test_progress_events_tell_the_whole_run(scenarios: list[ccsim.Scenario]) -> None:
    events: list[ProgressEvent] = []
    ccsim.simulate(scenarios[:3], trials=2, progress=events.append)
    assert isinstance(events[0], RunStarted) and events[0].total == 6 and events[0].previous == ()
    assert sum(isinstance(e, EpisodeFinished) for e in events) == 6
    assert isinstance(events[-1], RunFinished) and events[-1].episodes == 6 and events[-1].aborted is None


def test_a_planner_object_plays_like_its_spec(scenarios: list[ccsim.Scenario]) -> None:
    by_spec = ccsim.simulate(scenarios[:6], planner="rules")
    by_object = ccsim.simulate(scenarios[:6], planner=RulesPlanner())
    assert by_object.planner == "object:RulesPlanner"
    routes = {e.episode_id: e.final_route for e in by_spec.episodes}
    assert {e.episode_id: e.final_route for e in by_object.episodes} == routes


def test_a_failing_endpoint_aborts_the_run_and_keeps_what_finished(
    scenarios: list[ccsim.Scenario], tmp_path: Path
) -> None:
    with FakeOpenAIServer(responder=lambda body: ScriptedReply(status=503)) as server:
        spec = ModelSpec(kind="openai", model="fake", base_url=server.base_url, max_retries=0, timeout_s=5)
        run = ccsim.simulate(scenarios * 2, planner=spec, out=tmp_path / "run", concurrency=2)
    assert run.failed and run.aborted is not None and "stopped after" in run.aborted
    assert 0 < len(run.episodes) < 32
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["episodes"] == len(run.episodes)


def test_play_episode(scenarios: list[ccsim.Scenario]) -> None:
    episode = ccsim.play_episode(scenarios[0], trial=2)
    assert episode.episode_id == f"{scenarios[0].id}#2" and episode.status == "completed"
    assert episode.final_route is not None


async def test_the_blocking_twins_refuse_a_running_loop(scenarios: list[ccsim.Scenario]) -> None:
    with pytest.raises(RuntimeError, match=r"await ccsim\.asimulate"):
        ccsim.simulate(scenarios[:1])
    episode = await ccsim.aplay_episode(scenarios[0])
    assert episode.status == "completed"
    assert asyncio.get_running_loop() is not None
