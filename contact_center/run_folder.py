"""The run folder (DESIGN section 9): runs/<run-id>/ with config, episodes, trajectories, summary, report.

episodes.jsonl is append-only and flushed per episode, so a killed run keeps every finished episode
and `--resume` picks up where it stopped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.files import write_text_atomic

EPISODES = "episodes.jsonl"
TRAJECTORIES = "trajectories.jsonl"
CONFIG = "config.json"
SUMMARY = "summary.json"
REPORT = "report.md"

# Serialises one finished episode to one JSONL line (the trajectory export plugs in here).
LineWriter = Callable[[Episode], str]


class RunFolderError(RuntimeError):
    """A run folder that cannot be created or resumed."""


def new_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S')}"


def load_episodes(path: Path) -> tuple[list[Episode], int]:
    """Episodes from an episodes.jsonl, and how many lines were unreadable (a line cut by a kill)."""
    episodes: list[Episode] = []
    bad = 0
    if not path.exists():
        return episodes, bad
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                episodes.append(Episode.model_validate_json(line))
            except ValidationError:
                bad += 1
    return episodes, bad


class RunFolder:
    """One run's files. Use as a context manager while episodes are being appended."""

    def __init__(self, path: Path, *, resume: bool = False, trajectory_writer: LineWriter | None = None) -> None:
        self.path = Path(path)
        self.trajectory_writer = trajectory_writer
        if self.path.exists() and any(self.path.iterdir()) and not resume:
            raise RunFolderError(f"{self.path} already holds a run; pass --resume to continue it or choose --out")
        self.path.mkdir(parents=True, exist_ok=True)
        self.previous, self.unreadable_lines = load_episodes(self.path / EPISODES)
        self._episodes: TextIO | None = None
        self._trajectories: TextIO | None = None

    @property
    def finished_ids(self) -> set[str]:
        return {e.episode_id for e in self.previous}

    def write_config(self, config: dict[str, Any]) -> None:
        write_text_atomic(self.path / CONFIG, json.dumps(config, indent=2, default=str) + "\n")

    def read_config(self) -> dict[str, Any] | None:
        path = self.path / CONFIG
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def __enter__(self) -> RunFolder:
        if self.unreadable_lines:
            self._rewrite_clean_episodes()
        self._episodes = (self.path / EPISODES).open("a", encoding="utf-8")
        if self.trajectory_writer is not None:
            self._trajectories = (self.path / TRAJECTORIES).open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in (self._episodes, self._trajectories):
            if handle is not None:
                handle.close()

    def _rewrite_clean_episodes(self) -> None:
        # A kill mid-write leaves a partial last line; drop it so the file stays valid JSONL.
        text = "".join(e.model_dump_json() + "\n" for e in self.previous)
        write_text_atomic(self.path / EPISODES, text)

    def append(self, episode: Episode) -> None:
        if self._episodes is None:
            raise RunFolderError("RunFolder.append() outside its `with` block")
        self._episodes.write(episode.model_dump_json() + "\n")
        self._episodes.flush()
        if self._trajectories is not None and self.trajectory_writer is not None:
            self._trajectories.write(self.trajectory_writer(episode) + "\n")
            self._trajectories.flush()

    def all_episodes(self) -> list[Episode]:
        episodes, _ = load_episodes(self.path / EPISODES)
        return episodes

    def write_summary(self, summary: dict[str, Any], report_markdown: str) -> None:
        write_text_atomic(self.path / SUMMARY, json.dumps(summary, indent=2) + "\n")
        write_text_atomic(self.path / REPORT, report_markdown)
