"""Nothing lost: resume retries failures, repairs torn or drifted files, refuses other settings (issue 11)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest

import ccsim
from ccsim.contact_center.run_folder import EPISODES, RETRIED_EPISODES, TRAJECTORIES, RunFolderError, load_episodes
from ccsim.training.trajectory_io import load_trajectories
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

TRANSFER = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "unknown charge"})


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def assert_one_of_each(folder: Path, scenario_ids: set[str]) -> None:
    episodes, bad = load_episodes(folder / EPISODES)
    trajectories = load_trajectories(folder / TRAJECTORIES)
    assert bad == 0
    assert sorted(e.scenario_id for e in episodes) == sorted(scenario_ids)
    assert sorted(str(t.metadata["scenario_id"]) for t in trajectories) == sorted(scenario_ids)


def test_resume_retries_failed_episodes_and_keeps_their_old_records(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(5, seed=2)
    healthy = {"on": False}

    def respond(body: dict) -> ScriptedReply:
        return ScriptedReply(tool_calls=[TRANSFER]) if healthy["on"] else ScriptedReply(status=500)

    with FakeOpenAIServer(respond) as server:
        planner = ccsim.ModelSpec(kind="openai", model="m", base_url=server.base_url, max_retries=0)
        first = ccsim.simulate(scenarios, planner=planner, out=tmp_path / "run")
        assert all(e.status == "error" for e in first.episodes)
        kept = ccsim.simulate(scenarios, planner=planner, out=tmp_path / "run", resume=True, retry_failed=False)
        assert all(e.status == "error" for e in kept.episodes)  # asked not to retry
        healthy["on"] = True
        second = ccsim.simulate(scenarios, planner=planner, out=tmp_path / "run", resume=True)
    assert len(second.episodes) == 5 and not any(e.error for e in second.episodes)
    assert second.summary.errors_by_cause == {}
    retried, _ = load_episodes(tmp_path / "run" / RETRIED_EPISODES)
    assert len(retried) == 5 and all(e.status == "error" for e in retried)
    assert_one_of_each(tmp_path / "run", {s.id for s in scenarios})


def test_resume_repairs_torn_lines_and_a_missing_trajectory(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(6, seed=3)
    folder = tmp_path / "run"
    ccsim.simulate(scenarios, out=folder)
    trajectories = lines(folder / TRAJECTORIES)
    # A kill during a big write: one trajectory lost, then a torn line in each file.
    (folder / TRAJECTORIES).write_text("\n".join(trajectories[:-1]) + "\n" + trajectories[-1][:50])
    with (folder / EPISODES).open("a") as handle:
        handle.write('{"episode_id": "torn')
    ccsim.simulate(scenarios, out=folder, resume=True)
    assert_one_of_each(folder, {s.id for s in scenarios})
    assert len(lines(folder / EPISODES)) == len(lines(folder / TRAJECTORIES)) == 6


def test_an_orphan_trajectory_from_a_kill_between_the_two_writes_is_dropped(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(4, seed=4)
    folder = tmp_path / "run"
    ccsim.simulate(scenarios, out=folder)
    episodes = lines(folder / EPISODES)
    (folder / EPISODES).write_text("\n".join(episodes[:-1]) + "\n")  # the last episode line never got written
    ccsim.simulate(scenarios, out=folder, resume=True)
    assert_one_of_each(folder, {s.id for s in scenarios})


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"planner": "py:tests.plugins:always_fraud"}, "planner.kind: 'rules' -> 'py'"),
        ({"max_turns": 3}, "episode.max_turns: 8 -> 3"),
        ({"customer": "py:tests.plugins:silent_customer"}, "customer.kind"),
        ({"reward": "tests.plugins:fraud_bonus"}, "reward"),
    ],
)
def test_a_resume_with_other_settings_is_refused_naming_the_difference(
    tmp_path: Path, change: dict, named: str
) -> None:
    scenarios = ccsim.generate_scenarios(3, seed=5)
    ccsim.simulate(scenarios, out=tmp_path / "run")
    before = lines(tmp_path / "run" / EPISODES)
    with pytest.raises(RunFolderError, match="cannot resume") as error:
        ccsim.simulate(scenarios, out=tmp_path / "run", resume=True, **change)
    assert named in str(error.value)
    assert lines(tmp_path / "run" / EPISODES) == before
    ccsim.simulate(scenarios, out=tmp_path / "run", resume=True, concurrency=2)  # not a setting of the run's


def _simulate_in_child(scenarios: list[ccsim.Scenario], folder: Path, resume: bool) -> None:
    ccsim.simulate(scenarios, out=folder, resume=resume, concurrency=4, weave=False)


def test_three_kill_9s_then_resume_leave_one_episode_and_one_trajectory_per_scenario(tmp_path: Path) -> None:
    # Forked children start in milliseconds (everything is imported already); each dies by SIGKILL mid-run.
    folder, scenarios = tmp_path / "run", ccsim.generate_scenarios(150, seed=9)
    ccsim.simulate(scenarios[:2], out=tmp_path / "warm")  # imports ART and compiles the graph before forking
    fork = multiprocessing.get_context("fork")
    chance = random.Random(11)
    for attempt in range(3):
        child = fork.Process(target=_simulate_in_child, args=(scenarios, folder, attempt > 0))
        child.start()
        target = len(lines(folder / EPISODES)) + chance.randint(3, 40)
        deadline = time.monotonic() + 60
        while len(lines(folder / EPISODES)) < target and child.is_alive() and time.monotonic() < deadline:
            time.sleep(chance.uniform(0.001, 0.02))
        assert child.pid is not None and child.is_alive(), "the run finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
    assert len(lines(folder / EPISODES)) < len(scenarios)
    ccsim.simulate(scenarios, out=folder, resume=True)
    assert_one_of_each(folder, {s.id for s in scenarios})
