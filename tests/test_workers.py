"""All cores: episodes played in worker processes are the ones one process plays, and none is lost to a kill."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import ccsim
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.agents.runner import RunSettings, run_episodes
from ccsim.api.workers import EPISODES_PER_AUTO_WORKER, auto_workers, plan_workers, worker_pool
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.run_folder import EPISODES, TRAJECTORIES, load_episodes
from ccsim.training.trajectory_io import load_trajectories
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

TIMINGS = {"started_at", "t", "latency_s", "planner_latency_s"}


def comparable(value: Any) -> Any:
    """An episode record without its wall-clock fields: what must not depend on where it was played."""
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items() if key not in TIMINGS}
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def folder_records(folder: Path) -> list[dict[str, Any]]:
    return [comparable(json.loads(line)) for line in (folder / EPISODES).read_text().splitlines()]


def trajectory_ids(folder: Path) -> list[str]:
    return [str(t.metadata["episode_id"]) for t in load_trajectories(folder / TRAJECTORIES)]


def worker_pids() -> list[int]:
    """This test process's live child processes (the run's workers, forked from it), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(parent) == os.getpid() and state != "Z":
            pids.append(int(entry.name))
    return pids


def test_two_workers_play_the_same_episodes_into_the_same_folder_as_one_process(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(24, seed=31)
    one = ccsim.simulate(scenarios, trials=2, concurrency=6, out=tmp_path / "one", workers=1)
    two = ccsim.simulate(scenarios, trials=2, concurrency=6, out=tmp_path / "two", workers=2)
    expected_ids = [f"{s.id}#{t}" for s in scenarios for t in range(2)]
    records = folder_records(tmp_path / "one")
    assert [r["episode_id"] for r in records] == expected_ids  # scenario order, whatever finished first
    assert folder_records(tmp_path / "two") == records  # routes, rewards, metrics, events: all the same
    assert trajectory_ids(tmp_path / "two") == trajectory_ids(tmp_path / "one") == expected_ids
    assert two.summary.route_accuracy == one.summary.route_accuracy
    assert two.summary.episodes == 48


async def test_a_killed_worker_loses_no_finished_episode_and_the_run_completes(tmp_path: Path) -> None:
    transfer = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "a charge"})
    scenarios = ccsim.generate_scenarios(48, seed=32)
    folder = tmp_path / "run"
    before_kill: list[str] = []
    killed: list[int] = []

    async def kill_one_worker_mid_run() -> None:
        while len(before_kill) < 8:
            await asyncio.sleep(0.05)
            if (folder / EPISODES).exists():
                before_kill[:] = (folder / EPISODES).read_text().splitlines()
        pid = worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[transfer], delay_s=0.1)) as server:
        planner = ModelSpec(kind="openai", model="m", base_url=server.base_url, max_retries=0)
        options: dict[str, Any] = {"planner": planner, "concurrency": 4, "out": folder, "workers": 2}
        killer = asyncio.ensure_future(kill_one_worker_mid_run())
        run = await ccsim.asimulate(scenarios, trajectories=False, preflight=False, **options)
        await killer
        assert killed and killed[0] not in worker_pids()
        episodes, bad = load_episodes(folder / EPISODES)
        assert bad == 0 and [e.scenario_id for e in episodes] == [s.id for s in scenarios]  # one each, in order
        assert run.summary.episodes == len(scenarios)
        kept = set((folder / EPISODES).read_text().splitlines())
        assert set(before_kill) <= kept  # every episode finished before the kill is there, byte for byte
        # The dead worker's episodes in flight were played again on a live one, not recorded as failures.
        assert all(e.status == "completed" for e in episodes), [e.error for e in episodes if e.error]

        # Resume with workers after losing the folder's tail: the lost ones are played again, nothing twice.
        lines = (folder / EPISODES).read_text().splitlines(keepends=True)
        (folder / EPISODES).write_text("".join(lines[:30]))
        requests = len(server.requests)
        await ccsim.asimulate(scenarios, resume=True, trajectories=False, preflight=False, **options)
        assert len(server.requests) - requests == len(scenarios) - 30
    episodes, bad = load_episodes(folder / EPISODES)
    assert bad == 0 and [e.scenario_id for e in episodes] == [s.id for s in scenarios]
    assert (folder / EPISODES).read_text().splitlines(keepends=True)[:30] == lines[:30]


def test_the_automatic_count_is_one_per_core_but_no_more_than_the_run_can_use() -> None:
    cores = os.cpu_count() or 1
    assert auto_workers(None, episodes=10, concurrency=8) == 1  # a short run stays in one process
    assert auto_workers(None, episodes=100 * EPISODES_PER_AUTO_WORKER, concurrency=256) == cores
    assert auto_workers(4, episodes=1000, concurrency=2) == 2  # each worker needs an episode in flight
    assert auto_workers(4, episodes=3, concurrency=8) == 3
    assert auto_workers(1, episodes=10_000, concurrency=256) == 1


def test_a_planner_object_that_cannot_be_pickled_keeps_the_run_in_one_process() -> None:
    class Unshippable(RulesPlanner):
        def __reduce__(self) -> Any:
            raise TypeError("holds a socket")

    settings = RunSettings(planner=ModelSpec(kind="object", path="Unshippable"), concurrency=8)
    options: dict[str, Any] = {"episodes": 100, "settings": settings, "prices": None, "trajectories": True}
    # A fresh interpreter ("exec", the start method off Linux) gets the planner pickled...
    plan = plan_workers(2, planner_model=Unshippable(), start="exec", **options)
    assert plan.workers == 1 and plan.context is None
    assert plan.reason is not None and "planner object cannot be sent" in plan.reason
    assert "holds a socket" in plan.reason
    picklable = plan_workers(2, planner_model=RulesPlanner(), start="exec", **options)
    assert picklable.workers == 2 and picklable.shipped and picklable.reason is None
    # ...a forked worker already holds it: nothing to pickle, nothing to fall back from.
    forked = plan_workers(2, planner_model=Unshippable(), start="fork", **options)
    assert forked.workers == 2 and forked.reason is None and forked.context is not None


def test_a_planner_object_plays_in_forked_workers() -> None:
    class Unshippable(RulesPlanner):
        def __reduce__(self) -> Any:
            raise TypeError("holds a socket")

    scenarios = ccsim.generate_scenarios(6, seed=33)
    run = ccsim.simulate(scenarios, planner=Unshippable(), workers=2, concurrency=4)
    alone = ccsim.simulate(scenarios, planner=Unshippable(), workers=1, concurrency=4)
    assert [comparable(e.model_dump(mode="json")) for e in run.episodes] == [
        comparable(e.model_dump(mode="json")) for e in alone.episodes
    ]


async def test_fresh_interpreter_workers_play_the_same_episodes_as_one_process() -> None:
    # "exec" is the start method off Linux: a `python -c` worker that unpickles the run's context.
    scenarios = ccsim.generate_scenarios(6, seed=34)
    settings = RunSettings(planner=ModelSpec(kind="rules"), concurrency=4)
    options: dict[str, Any] = {"settings": settings, "planner_model": None, "prices": None}
    plan = plan_workers(2, episodes=6, trajectories=False, start="exec", **options)  # no ART import: faster
    assert plan.start == "exec" and plan.shipped
    async with worker_pool(plan) as pool:
        assert pool is not None and len(pool.pids) == 2 and os.getpid() not in pool.pids
        played = await run_episodes(scenarios, settings, play=pool.play)
        lines = dict(pool.lines)
    alone = await run_episodes(scenarios, settings)
    assert [comparable(e.model_dump(mode="json")) for e in played] == [
        comparable(e.model_dump(mode="json")) for e in alone
    ]
    assert [lines[e.episode_id].episode for e in played] == [e.model_dump_json() for e in played]


def test_eval_on_the_command_line_takes_workers_and_gives_the_same_leaderboard(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ccsim.cli.app import app

    common = ["eval", "-p", "rules", "-p", "py:tests.plugins:always_fraud", "--generate", "12", "--no-weave"]
    for workers in ("1", "2"):
        result = CliRunner().invoke(app, [*common, "--workers", workers, "--out", str(tmp_path / workers)])
        assert result.exit_code == 0, result.output
    for planner in ("rules", "py_tests.plugins_always_fraud"):
        assert folder_records(tmp_path / "2" / planner) == folder_records(tmp_path / "1" / planner)
    board = json.loads((tmp_path / "2" / "leaderboard.json").read_text())
    assert [row["episodes"] for row in board["planners"]] == [12, 12]
