"""Re-scoring a stored run gives exactly the rewards of a fresh run with that reward, without replaying it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.agents.runner import RunSettings, run_episodes
from ccsim.api.rescore import RescoreError, rescore_run
from ccsim.cli import app
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.report import run_report_markdown
from ccsim.contact_center.reward import RewardFunctionError, RewardSpecError, as_rubric
from ccsim.contact_center.run_folder import RunFolder, load_episodes
from ccsim.contact_center.summary import summarize
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.training.trajectory_io import load_trajectories

RULES = ModelSpec(kind="rules")
BREVITY = "tests.reward_plugins:brevity"


def _trajectory_line(episode: Episode) -> str:
    from ccsim.training.trajectory import episode_to_trajectory
    from ccsim.training.trajectory_io import dumps_trajectory

    return dumps_trajectory(episode_to_trajectory(episode))


async def _play(path: Path, settings: RunSettings) -> list[Episode]:
    # The scenarios vary enough (easy and hard openings, transfers and helpers) for the rewards to differ.
    scenarios = generate_scenarios(GenerationConfig(count=24, seed=11))
    folder = RunFolder(path, trajectory_writer=_trajectory_line)
    folder.write_config({"settings": settings.model_dump(mode="json"), "source": "generated"})
    with folder:
        episodes = await run_episodes(scenarios, settings, on_episode=folder.append)
    summary = summarize(settings.planner.label, episodes)
    folder.write_summary(summary.model_dump(mode="json"), run_report_markdown(summary))
    return episodes


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio

    path = tmp_path_factory.mktemp("runs") / "rules-default"
    asyncio.run(_play(path, RunSettings(planner=RULES, concurrency=8)))
    return path


def _rewards(path: Path) -> dict[str, float | None]:
    episodes, bad = load_episodes(path / "episodes.jsonl")
    assert bad == 0
    return {e.episode_id: e.reward for e in episodes}


async def test_rescoring_with_a_users_function_equals_a_fresh_run_with_it(stored_run: Path, tmp_path: Path) -> None:
    result = rescore_run(stored_run, BREVITY, out=tmp_path / "rescored")
    fresh = await _play(tmp_path / "fresh", RunSettings(planner=RULES, concurrency=8, reward=BREVITY))

    rescored = _rewards(tmp_path / "rescored")
    assert rescored == {e.episode_id: e.reward for e in fresh}
    assert len(rescored) == 24 == result.episodes
    # The check can fail: the user's reward really differs from the default on this run.
    assert result.changed > 0 and rescored != _rewards(stored_run)
    assert result.old_mean_reward == pytest.approx(sum(_rewards(stored_run).values()) / 24)  # type: ignore[arg-type]
    assert result.new_mean_reward == pytest.approx(sum(rescored.values()) / 24)  # type: ignore[arg-type]


def test_the_rescored_folder_is_a_complete_run_that_names_its_source(stored_run: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in stored_run.iterdir() if p.is_file()}
    result = rescore_run(stored_run, BREVITY, out=tmp_path / "rescored")
    out = tmp_path / "rescored"
    assert {p.name for p in out.iterdir()} >= {
        "episodes.jsonl",
        "trajectories.jsonl",
        "summary.json",
        "report.md",
        "config.json",
    }
    rewards = _rewards(out)
    trajectories = load_trajectories(out / "trajectories.jsonl")
    assert {t.metadata["episode_id"]: t.reward for t in trajectories} == rewards
    assert all(t.metrics["programmatic_reward"] == t.reward for t in trajectories)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mean_reward"] == pytest.approx(result.new_mean_reward, abs=1e-4)
    assert summary["planner"] == "rules"
    config = json.loads((out / "config.json").read_text())
    assert config["settings"]["reward"]["terms"][0]["function"] == BREVITY
    assert config["rescored_from"]["run"] == str(stored_run)
    assert config["rescored_from"]["reward"]["name"] == "default"
    assert config["source"] == "generated"  # the rest of the source's config carries over
    assert "Re-scored from" in (out / "report.md").read_text()
    # The source run is never touched.
    assert {p.name: p.read_bytes() for p in stored_run.iterdir() if p.is_file()} == before


def test_rescoring_with_the_default_changes_nothing(stored_run: Path, tmp_path: Path) -> None:
    result = rescore_run(stored_run, None, out=tmp_path / "same")
    assert result.changed == 0
    assert _rewards(tmp_path / "same") == _rewards(stored_run)
    assert set(result.term_means) == {t.name for t in as_rubric(None).terms}


def test_default_out_is_inside_the_run_and_is_never_overwritten(stored_run: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(stored_run, run)
    result = rescore_run(run, "tests.reward_plugins:strict")
    assert result.out == run / "rescored-strict" and (result.out / "episodes.jsonl").is_file()
    with pytest.raises(RescoreError, match="already exists and is not empty"):
        rescore_run(run, "tests.reward_plugins:strict")
    with pytest.raises(RescoreError, match="is the source run"):
        rescore_run(run, out=run)


def test_bad_inputs_fail_clearly(stored_run: Path, tmp_path: Path) -> None:
    with pytest.raises(RescoreError, match="no such run folder"):
        rescore_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RescoreError, match=r"holds no episodes\.jsonl"):
        rescore_run(tmp_path / "empty")
    with pytest.raises(RewardSpecError, match="has no attribute 'nope'"):
        rescore_run(stored_run, "tests.reward_plugins:nope", out=tmp_path / "x")
    with pytest.raises(RewardFunctionError, match="term 'explodes' failed"):
        rescore_run(stored_run, "tests.reward_plugins:explodes", out=tmp_path / "y")
    assert not (tmp_path / "y").exists()  # nothing half-written


def _ccsim(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_ccsim_score_rescores_a_run_like_a_fresh_run_would(stored_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    code, output = _ccsim("score", str(stored_run), "--reward", BREVITY, "--out", str(out))
    assert code == 0, output
    assert "re-scored 24 episodes" in output and f"wrote {out}" in output
    old, new = rescore_run(stored_run, BREVITY, out=tmp_path / "api").old_mean_reward, _rewards(out)
    assert f"mean reward {old:.4f} -> {sum(new.values()) / 24:.4f}" in output  # type: ignore[arg-type]
    assert new == _rewards(tmp_path / "api")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["missing-run-folder"], "no such run folder"),
        (["RUN", "--reward", "tests.reward_plugins:nope"], "has no attribute 'nope'"),
        (["RUN", "--reward", "nocolon"], "expected 'module:function'"),
    ],
)
def test_ccsim_score_errors_are_one_line(stored_run: Path, tmp_path: Path, args: list[str], says: str) -> None:
    args = [str(stored_run) if a == "RUN" else str(tmp_path / a) if a == "missing-run-folder" else a for a in args]
    code, output = _ccsim("score", *args, "--out", str(tmp_path / "o"))
    assert code == 1
    assert says in output and "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1
