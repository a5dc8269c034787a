"""Progress events: how a running simulation or evaluation tells its caller what happened, as it happens.

Library functions never draw progress bars; they call one `Progress` callback with these events, and the
CLI (or a notebook, or a user's logger) renders them however it likes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ccsim.contact_center.episode import Episode


@dataclass(frozen=True)
class RunStarted:
    """A planner's run begins: `total` episodes in all, `previous` already finished (a resumed run)."""

    planner: str
    total: int
    previous: tuple[Episode, ...]


@dataclass(frozen=True)
class EpisodeFinished:
    """One episode finished (and, with a run folder, is already on disk)."""

    planner: str
    episode: Episode


@dataclass(frozen=True)
class RunFinished:
    """A planner's run ended; `aborted` says why when it stopped early."""

    planner: str
    episodes: int
    aborted: str | None


ProgressEvent = RunStarted | EpisodeFinished | RunFinished
Progress = Callable[[ProgressEvent], None]
