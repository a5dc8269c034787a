"""Memory flat for any run length: episodes stream from the run folder instead of being held (issue 11)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import ccsim
from ccsim.agents.runner import RunSettings, run_episodes
from ccsim.api import runs
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.run_folder import EpisodeFile
from ccsim.contact_center.summary import summarize


def test_a_long_runs_episodes_are_read_from_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "HOLD_EPISODES", 3)
    scenarios = ccsim.generate_scenarios(6, seed=8)
    run = ccsim.simulate(scenarios, out=tmp_path / "run")
    assert isinstance(run.episodes, EpisodeFile)  # not a list held in memory
    assert len(run.episodes) == 6 and sorted(e.scenario_id for e in run.episodes) == sorted(s.id for s in scenarios)
    assert run.episodes[-1].episode_id == list(run.episodes)[-1].episode_id
    assert summarize("rules", list(run.episodes)).model_dump() == run.summary.model_dump()


def test_a_short_runs_episodes_are_a_list(tmp_path: Path) -> None:
    run = ccsim.simulate(ccsim.generate_scenarios(3, seed=8), out=tmp_path / "run")
    assert isinstance(run.episodes, list) and len(run.episodes) == 3


def test_the_summary_of_a_generator_equals_the_summary_of_a_list() -> None:
    episodes = ccsim.simulate(ccsim.generate_scenarios(12, seed=4)).episodes
    assert summarize("rules", iter(episodes)).model_dump() == summarize("rules", list(episodes)).model_dump()


def test_the_runner_can_hand_episodes_over_without_keeping_them() -> None:
    seen: list[str] = []
    settings = RunSettings(planner=ModelSpec(kind="rules"), concurrency=3)
    scenarios = ccsim.generate_scenarios(7, seed=6)
    kept = asyncio.run(run_episodes(scenarios, settings, on_episode=lambda e: seen.append(e.episode_id), keep=False))
    assert kept == [] and sorted(seen) == sorted(f"{s.id}#0" for s in scenarios)
    ordered = asyncio.run(run_episodes(scenarios, settings))
    assert [e.scenario_id for e in ordered] == [s.id for s in scenarios]  # job order when kept
