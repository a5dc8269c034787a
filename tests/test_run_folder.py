from __future__ import annotations

from pathlib import Path

import pytest

from ccsim.contact_center.run_folder import EPISODES, RunFolder, RunFolderError
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
