"""Re-score a stored run with another reward, without replaying it (`ccsim score`).

A rubric reads only the finished `Episode` record, so applying it to a run's episodes.jsonl gives exactly the
rewards a fresh run with that rubric would give (the planner's decisions do not depend on the reward; a reward
that reads wall time or token counts of a non-deterministic model would of course differ run to run). A reward
change therefore needs no new rollouts.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.report import run_report_markdown
from ccsim.contact_center.reward import RewardSpec, Rubric, as_rubric
from ccsim.contact_center.run_folder import CONFIG, EPISODES, SUMMARY, TRAJECTORIES, RunFolder, load_episodes
from ccsim.contact_center.summary import summarize


class RescoreError(RuntimeError):
    """A run folder that cannot be re-scored, or an output folder that is in the way; the message is one line."""


class RescoreResult(BaseModel):
    """What re-scoring a run did."""

    source: Path = Field(description="The run folder that was read (never modified).")
    out: Path = Field(description="The new run folder holding the re-scored episodes.")
    reward: dict[str, Any] = Field(description="The rubric applied, as config.json records it.")
    episodes: int = Field(ge=0, description="Episodes re-scored.")
    unreadable_lines: int = Field(ge=0, description="Lines of the source episodes.jsonl that could not be read.")
    changed: int = Field(ge=0, description="Episodes whose reward changed.")
    old_mean_reward: float | None = Field(description="Mean stored reward (episodes that had one); None if none had.")
    new_mean_reward: float = Field(description="Mean reward under the new rubric.")
    term_means: dict[str, float] = Field(
        description="Mean weighted contribution of each term over the episodes that were not errored."
    )
    trajectories: bool = Field(description="trajectories.jsonl was rebuilt with the new rewards.")


def rescore_episodes(episodes: Sequence[Episode], rubric: Rubric) -> list[Episode]:
    """Copies of the episodes with their reward under `rubric`; nothing else changes."""
    return [episode.model_copy(update={"reward": rubric.score(episode)}) for episode in episodes]


def default_out(run: Path, rubric: Rubric) -> Path:
    """Where a re-scored run goes unless told: inside the source run, named after the rubric."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", rubric.name).strip("._") or "reward"
    return run / f"rescored-{slug}"


def _trajectory_line(episode: Episode) -> str:
    # ART loads only here, and only when the source run had trajectories.
    from ccsim.training.trajectory import episode_to_trajectory
    from ccsim.training.trajectory_io import dumps_trajectory

    return dumps_trajectory(episode_to_trajectory(episode))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _planner_label(run: Path, episodes: Sequence[Episode]) -> str:
    summary = _read_json(run / SUMMARY)
    if summary is not None and isinstance(summary.get("planner"), str):
        return str(summary["planner"])
    return Counter(e.planner for e in episodes).most_common(1)[0][0]


def _config(run: Path, rubric: Rubric) -> dict[str, Any]:
    # The source's config with the reward swapped, so whatever reads settings from config.json reads the truth,
    # plus where the episodes came from and what they were scored with before.
    config = _read_json(run / CONFIG) or {}
    settings = config.get("settings")
    previous = settings.get("reward") if isinstance(settings, dict) else None
    if isinstance(settings, dict):
        config["settings"] = {**settings, "reward": rubric.describe()}
    else:
        config["reward"] = rubric.describe()
    config["rescored_from"] = {"run": str(run), "reward": previous, "replayed": False}
    return config


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def rescore_run(
    run: str | Path,
    reward: RewardSpec = None,
    *,
    out: str | Path | None = None,
    trajectories: bool | None = None,
) -> RescoreResult:
    """Apply `reward` (anything `as_rubric` reads; None is the shared default) to every stored episode of `run`.

    Writes a new run folder at `out` (default `<run>/rescored-<reward name>`): episodes.jsonl with the new
    rewards, trajectories.jsonl rebuilt with them (by default when the source has one), summary.json, report.md
    and config.json naming the source run and the rubric. The source folder is never modified, and an existing
    non-empty `out` is refused. Raises RescoreError, RewardSpecError (a bad reward name) or RewardFunctionError
    (the reward function failed on an episode; nothing is written then).
    """
    source = Path(run)
    if not source.is_dir():
        raise RescoreError(f"{source}: no such run folder")
    if not (source / EPISODES).is_file():
        raise RescoreError(f"{source} holds no {EPISODES}, so it is not a run folder")
    rubric = as_rubric(reward)
    episodes, unreadable = load_episodes(source / EPISODES)
    if not episodes:
        raise RescoreError(f"{source / EPISODES} holds no readable episodes")
    target = Path(out) if out is not None else default_out(source, rubric)
    if target.resolve() == source.resolve():
        raise RescoreError(f"{target} is the source run; choose another --out")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RescoreError(f"{target} already exists and is not empty; choose another --out or remove it")
    # Score everything before writing anything: a reward function that fails leaves no half-written folder.
    rescored = rescore_episodes(episodes, rubric)
    breakdowns = [rubric.breakdown(e) for e in rescored if not rubric.errored(e)]
    write_trajectories = (source / TRAJECTORIES).is_file() if trajectories is None else trajectories

    folder = RunFolder(target, trajectory_writer=_trajectory_line if write_trajectories else None)
    folder.write_config(_config(source, rubric))
    with folder:
        for episode in rescored:
            folder.append(episode)
    summary = summarize(_planner_label(source, episodes), rescored)
    note = f"> Re-scored from `{source}` with the reward `{rubric.name}`; no episode was replayed.\n\n"
    folder.write_summary(summary.model_dump(mode="json"), note + run_report_markdown(summary, rescored))

    old = [e.reward for e in episodes if e.reward is not None]
    return RescoreResult(
        source=source,
        out=target,
        reward=rubric.describe(),
        episodes=len(rescored),
        unreadable_lines=unreadable,
        changed=sum(1 for before, after in zip(episodes, rescored, strict=True) if before.reward != after.reward),
        old_mean_reward=_mean(old),
        new_mean_reward=_mean([e.reward for e in rescored if e.reward is not None]) or 0.0,
        term_means={term.name: _mean([b[term.name] for b in breakdowns]) or 0.0 for term in rubric.terms},
        trajectories=write_trajectories,
    )
