from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.run_folder import EPISODES, TRAJECTORIES, RunFolder, RunFolderError
from ccsim.contact_center.taxonomy import Route
from tests.episode_factory import make_episode


def test_append_flushes_each_episode_and_resume_sees_it(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    with folder:
        folder.append(make_episode("a", Route.FRAUD, Route.FRAUD))
        # Flushed before the block ends: a kill here would keep it.
        assert (tmp_path / "run" / EPISODES).read_text().count("\n") == 1
        folder.append(make_episode("b", Route.FRAUD, Route.FRAUD))
    resumed = RunFolder(tmp_path / "run", resume=True)
    assert resumed.finished_ids == {"a#0", "b#0"}


def test_existing_run_is_not_overwritten_without_resume(tmp_path: Path) -> None:
    with RunFolder(tmp_path / "run") as folder:
        folder.append(make_episode("a", Route.FRAUD, Route.FRAUD))
    with pytest.raises(RunFolderError, match="--resume"):
        RunFolder(tmp_path / "run")


def test_a_line_cut_by_a_kill_is_dropped_on_resume(tmp_path: Path) -> None:
    with RunFolder(tmp_path / "run") as folder:
        folder.append(make_episode("a", Route.FRAUD, Route.FRAUD))
    path = tmp_path / "run" / EPISODES
    path.write_text(path.read_text() + '{"episode_id": "b#0", "scen')
    resumed = RunFolder(tmp_path / "run", resume=True)
    assert resumed.unreadable_lines == 1
    with resumed:
        resumed.append(make_episode("c", Route.FRAUD, Route.FRAUD))
    assert [e.episode_id for e in resumed.all_episodes()] == ["a#0", "c#0"]


def test_trajectory_writer_gets_every_episode(tmp_path: Path) -> None:
    with RunFolder(tmp_path / "run", trajectory_writer=lambda e: f'{{"id": "{e.episode_id}"}}') as folder:
        folder.append(make_episode("a", Route.FRAUD, Route.FRAUD))
    assert (tmp_path / "run" / "trajectories.jsonl").read_text() == '{"id": "a#0"}\n'


def test_sort_puts_episodes_and_trajectories_in_scenario_order_whatever_order_they_finished_in(
    tmp_path: Path,
) -> None:
    def trajectory(episode: Episode) -> str:
        return json.dumps({"messages_and_choices": [], "metadata": {"episode_id": episode.episode_id}})

    with RunFolder(tmp_path / "run", trajectory_writer=trajectory) as folder:
        for scenario, trial in [("c", 0), ("a", 1), ("x", 0), ("b", 0), ("a", 0)]:  # completion order
            folder.append(make_episode(scenario, Route.FRAUD, Route.FRAUD).model_copy(update={
                "episode_id": f"{scenario}#{trial}", "trial": trial,
            }))  # fmt: skip
    folder.sort({"a": 0, "b": 1, "c": 2})  # "x" is not one of the run's scenarios: it stays, last
    expected = ["a#0", "a#1", "b#0", "c#0", "x#0"]
    assert [e.episode_id for e in folder.all_episodes()] == expected
    lines = (tmp_path / "run" / TRAJECTORIES).read_text().splitlines()
    assert [json.loads(line)["metadata"]["episode_id"] for line in lines] == expected
    before = (tmp_path / "run" / EPISODES).stat().st_mtime_ns
    folder.sort({"a": 0, "b": 1, "c": 2})
    assert (tmp_path / "run" / EPISODES).stat().st_mtime_ns == before  # already in order: not rewritten
