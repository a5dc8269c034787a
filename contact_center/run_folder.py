"""The run folder (docs/architecture.md): runs/<run-id>/ with config, episodes, trajectories, summary, report.

episodes.jsonl is append-only and flushed per episode, so a killed run keeps every finished episode
and `--resume` picks up where it stopped. Each episode's trajectory line is written and flushed before
its episode line: the episode line is the commit, so a kill can leave at most an orphan trajectory,
never an episode without one. Resuming repairs both files: torn last lines are dropped, orphan and
duplicate trajectories removed, missing ones rebuilt from their episodes, and (by default) episodes
that errored or timed out move to episodes.retried.jsonl / trajectories.retried.jsonl to be played again.

One process writes the folder, however many play the episodes (ccsim/api/workers.py, ray_runner.py): lines
are appended in the order episodes finish, and `sort` puts both files in scenario order when the run ends,
so a run's files do not depend on how it was spread out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from pydantic import ValidationError

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.files import open_atomic, write_text_atomic

EPISODES = "episodes.jsonl"
TRAJECTORIES = "trajectories.jsonl"
CONFIG = "config.json"
SUMMARY = "summary.json"
REPORT = "report.md"
RETRIED_EPISODES = "episodes.retried.jsonl"
RETRIED_TRAJECTORIES = "trajectories.retried.jsonl"
# The settings a resumed run must share with the folder's, or the two runs' episodes would mix.
RESUME_MUST_MATCH = ("planner", "customer", "helper", "episode", "reward", "trials")
# Endpoint knobs that may change between a run and its resume (a longer timeout after an outage).
RESUME_MAY_CHANGE = ("timeout_s", "max_retries", "api_key_env")

# Serialises one finished episode to one JSONL line (the trajectory export plugs in here).
LineWriter = Callable[[Episode], str]


# An episode line starts with its id (Episode's first field), so ordering a run folder needs no full parse.
_EPISODE_ID = re.compile(rb'\{"episode_id":"((?:[^"\\]|\\.)*)"')


class EpisodeLines(NamedTuple):
    """One finished episode as the lines the run folder stores: the episode, and its trajectory (None: the
    folder's own trajectory writer makes it)."""

    episode: str
    trajectory: str | None = None


def _sort_lines(path: Path, key: Callable[[bytes], tuple[int, int] | None]) -> None:
    """Stable-sort a JSONL file's lines by `key`, holding offsets only; a line without a key stays last."""
    if not path.exists():
        return
    places: list[tuple[tuple[int, int, int], int, int]] = []
    last = (1 << 62, 0)
    with path.open("rb") as handle:
        offset = 0
        for number, line in enumerate(handle):
            places.append(((*(key(line) or last), number), offset, len(line)))
            offset += len(line)
    if all(places[i][0] <= places[i + 1][0] for i in range(len(places) - 1)):
        return  # already in order (one process, concurrency 1): nothing to rewrite
    places.sort()
    with path.open("rb") as source, open_atomic(path, "wb") as target:
        for _, offset, length in places:
            source.seek(offset)
            line = source.read(length)
            target.write(line if line.endswith(b"\n") else line + b"\n")


class RunFolderError(RuntimeError):
    """A run folder that cannot be created or resumed."""


def new_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S')}"


def iter_episodes(path: Path) -> Iterator[Episode]:
    """Episodes from an episodes.jsonl one at a time (memory stays flat however long the run); unreadable
    lines (a line cut by a kill) are skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    yield Episode.model_validate_json(line)
                except ValidationError:
                    continue


class EpisodeFile(Sequence[Episode]):
    """A run folder's episodes as a sequence read from episodes.jsonl on demand, never all held at once.

    Each iteration streams the file again; `scenario_ids` keeps only those scenarios' episodes.
    """

    def __init__(self, path: Path, scenario_ids: Collection[str] | None = None, *, length: int | None = None) -> None:
        self.path = Path(path)
        self.scenario_ids = set(scenario_ids) if scenario_ids is not None else None
        self._length = length  # None: counted on first use (a pass over the file); a writer knows it already

    def __iter__(self) -> Iterator[Episode]:
        for episode in iter_episodes(self.path):
            if self.scenario_ids is None or episode.scenario_id in self.scenario_ids:
                yield episode

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        for position, episode in enumerate(self):
            if position == index:
                return episode
        raise IndexError(index)


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


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def settings_differences(stored: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What differs between a run folder's settings and a resume's, as 'field: stored -> current' lines."""
    old = _flatten({k: stored.get(k) for k in RESUME_MUST_MATCH})
    new = _flatten({k: current.get(k) for k in RESUME_MUST_MATCH})
    return [
        f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key) and key.rsplit(".", 1)[-1] not in RESUME_MAY_CHANGE
    ]


def _trajectory_episode_id(line: str) -> str | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    metadata = record.get("metadata") if isinstance(record, dict) else None
    episode_id = metadata.get("episode_id") if isinstance(metadata, dict) else None
    return episode_id if isinstance(episode_id, str) else None


class RunFolder:
    """One run's files. Use as a context manager while episodes are being appended."""

    def __init__(
        self,
        path: Path,
        *,
        resume: bool = False,
        trajectory_writer: LineWriter | None = None,
        retry_failed: bool = False,
    ) -> None:
        self.path = Path(path)
        self.trajectory_writer = trajectory_writer
        self.retry_failed = retry_failed
        if self.path.exists() and any(self.path.iterdir()) and not resume:
            raise RunFolderError(f"{self.path} already holds a run; pass --resume to continue it or choose --out")
        self.path.mkdir(parents=True, exist_ok=True)
        self.previous, self.unreadable_lines = load_episodes(self.path / EPISODES)
        self.retried: list[Episode] = []
        if retry_failed:
            failed = [e for e in self.previous if e.status in ("error", "timeout")]
            self.retried = failed
            self.previous = [e for e in self.previous if e.status not in ("error", "timeout")]
        self._episodes: TextIO | None = None
        self._trajectories: TextIO | None = None

    def check_resume(self, settings: Mapping[str, Any]) -> None:
        """Refuse to resume with settings that differ from the folder's (RunFolderError naming each field)."""
        stored = (self.read_config() or {}).get("settings")
        if not isinstance(stored, Mapping):
            return
        differences = settings_differences(stored, settings)
        if differences:
            raise RunFolderError(
                f"cannot resume {self.path}: its run used other settings ({'; '.join(differences)}); "
                "resume with the same settings or choose another --out"
            )

    @property
    def finished_ids(self) -> set[str]:
        return {e.episode_id for e in self.previous}

    def write_config(self, config: dict[str, Any]) -> None:
        write_text_atomic(self.path / CONFIG, json.dumps(config, indent=2, default=str) + "\n")

    def read_config(self) -> dict[str, Any] | None:
        path = self.path / CONFIG
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def __enter__(self) -> RunFolder:
        self.repair()
        self._episodes = (self.path / EPISODES).open("a", encoding="utf-8")
        if self.trajectory_writer is not None:
            self._trajectories = (self.path / TRAJECTORIES).open("a", encoding="utf-8")
        return self

    def repair(self) -> None:
        """Make episodes.jsonl and trajectories.jsonl agree: one line each per kept episode, nothing torn."""
        episodes_file = self.path / EPISODES
        if not episodes_file.exists() and not (self.path / TRAJECTORIES).exists():
            return
        by_id: dict[str, Episode] = {}
        for episode in self.previous:
            by_id.setdefault(episode.episode_id, episode)  # a duplicate line (two runs on one folder) counts once
        kept = list(by_id.values())
        if self.retried:
            with (self.path / RETRIED_EPISODES).open("a", encoding="utf-8") as handle:
                handle.writelines(e.model_dump_json() + "\n" for e in self.retried)
        if len(kept) != len(self.previous) or self.unreadable_lines or self.retried:
            self._rewrite_clean_episodes(kept)
        self.previous = kept
        if self.trajectory_writer is not None or (self.path / TRAJECTORIES).exists():
            self._repair_trajectories({e.episode_id: e for e in kept})

    def _repair_trajectories(self, kept: dict[str, Episode]) -> None:
        path = self.path / TRAJECTORIES
        lines: dict[str, str] = {}
        retried_ids = {e.episode_id for e in self.retried}
        retried_lines: list[str] = []
        changed = False
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    episode_id = _trajectory_episode_id(line)
                    if episode_id in kept and episode_id not in lines and line.endswith("\n"):
                        lines[episode_id] = line
                        continue
                    changed = True  # torn, orphaned (killed before its episode line) or duplicated
                    if episode_id in retried_ids and line.endswith("\n"):
                        retried_lines.append(line)
        missing = [episode_id for episode_id in kept if episode_id not in lines]
        if missing and self.trajectory_writer is not None:
            for episode_id in missing:
                lines[episode_id] = self.trajectory_writer(kept[episode_id]) + "\n"
            changed = True
        if retried_lines:
            with (self.path / RETRIED_TRAJECTORIES).open("a", encoding="utf-8") as handle:
                handle.writelines(retried_lines)
        if changed:
            write_text_atomic(path, "".join(lines[e] for e in kept if e in lines))

    def __exit__(self, *exc: object) -> None:
        for handle in (self._episodes, self._trajectories):
            if handle is not None:
                handle.close()

    def _rewrite_clean_episodes(self, episodes: list[Episode]) -> None:
        # A kill mid-write leaves a partial last line; drop it so the file stays valid JSONL.
        text = "".join(e.model_dump_json() + "\n" for e in episodes)
        write_text_atomic(self.path / EPISODES, text)

    def append(self, episode: Episode, *, lines: EpisodeLines | None = None) -> None:
        """Write one finished episode (and its trajectory) and flush both. `lines`: the two lines already
        serialised (by the worker process that played the episode), so this, the one writer, need not."""
        if self._episodes is None:
            raise RunFolderError("RunFolder.append() outside its `with` block")
        # Trajectory first, episode second: the episode line commits both (see the module docstring).
        if self._trajectories is not None and self.trajectory_writer is not None:
            trajectory = lines.trajectory if lines is not None and lines.trajectory is not None else None
            self._trajectories.write((trajectory or self.trajectory_writer(episode)) + "\n")
            self._trajectories.flush()
        self._episodes.write((lines.episode if lines is not None else episode.model_dump_json()) + "\n")
        self._episodes.flush()

    def sort(self, position: Mapping[str, int]) -> None:
        """Rewrite episodes.jsonl and trajectories.jsonl in job order (`position`: scenario id -> its place in
        the run's scenarios; trials in order within a scenario), whatever order the episodes finished in, so
        that one process, several or a Ray cluster leave the same files. Lines are moved, never parsed into
        episodes, and only their offsets are held: memory stays flat however long the run. Episodes of
        scenarios not in `position` keep their order, after the others. Call it outside the `with` block."""
        unknown = len(position)

        def episode_key(line: bytes) -> tuple[int, int] | None:
            found = _EPISODE_ID.match(line)
            if found is None:
                return None
            scenario_id, _, trial = found.group(1).decode().rpartition("#")
            return position.get(scenario_id, unknown), int(trial) if trial.isdigit() else 0

        def trajectory_key(line: bytes) -> tuple[int, int] | None:
            episode_id = _trajectory_episode_id(line.decode("utf-8", errors="replace"))
            if episode_id is None:
                return None
            scenario_id, _, trial = episode_id.rpartition("#")
            return position.get(scenario_id, unknown), int(trial) if trial.isdigit() else 0

        _sort_lines(self.path / EPISODES, episode_key)
        _sort_lines(self.path / TRAJECTORIES, trajectory_key)

    def all_episodes(self) -> list[Episode]:
        episodes, _ = load_episodes(self.path / EPISODES)
        return episodes

    def iter_episodes(self) -> Iterator[Episode]:
        return iter_episodes(self.path / EPISODES)

    def write_summary(self, summary: dict[str, Any], report_markdown: str) -> None:
        write_text_atomic(self.path / SUMMARY, json.dumps(summary, indent=2) + "\n")
        write_text_atomic(self.path / REPORT, report_markdown)
