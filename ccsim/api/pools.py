"""Where a run's episodes are played: this process, local worker processes, or Ray actors (issue 10).

Every choice plays the same jobs through the same `EpisodePlayer`, behind one `play(job)` that the runner's
concurrency loop calls; the caller's process stays the one writer of the run folder.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import AsyncIterator
from typing import Protocol

from pydantic import BaseModel, Field

from ccsim.agents.registry import PlannerModel
from ccsim.agents.runner import EpisodeJob, RunSettings
from ccsim.api.gc_tuning import tuned_gc
from ccsim.api.workers import plan_workers, worker_pool
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.run_folder import EpisodeLines


class PoolSettings(BaseModel):
    """How a run asked to be spread out, and what it has to play."""

    workers: int | None = Field(default=None, ge=1, description="Processes (or Ray actors); None: automatic.")
    ray_address: str | None = Field(default=None, description="Play on Ray: an address, or 'local'.")
    episodes: int = Field(ge=0, description="Episodes left to play (a resumed run skips the finished ones).")
    trajectories: bool = Field(description="Whether the workers also serialise each episode's trajectory.")


class JobPool(Protocol):
    """Plays jobs somewhere else; `lines` holds each played episode's run-folder lines until they are written."""

    lines: dict[str, EpisodeLines]

    async def play(self, job: EpisodeJob) -> Episode: ...


@contextlib.asynccontextmanager
async def job_pool(
    pool: PoolSettings, *, settings: RunSettings, planner_model: PlannerModel | None, prices: PriceTable | None
) -> AsyncIterator[JobPool | None]:
    """The pool a run plays through, or None to play in this process (the plain path, no subprocess).

    This process runs under `tuned_gc` while the pool is open, whoever plays: it plays the episodes itself,
    or it writes what the workers send back (forked workers start from its settings, ccsim/api/gc_tuning.py)."""
    with tuned_gc():
        async with _job_pool(pool, settings=settings, planner_model=planner_model, prices=prices) as played:
            yield played


@contextlib.asynccontextmanager
async def _job_pool(
    pool: PoolSettings, *, settings: RunSettings, planner_model: PlannerModel | None, prices: PriceTable | None
) -> AsyncIterator[JobPool | None]:
    if pool.ray_address is not None:
        from ccsim.api.ray_runner import ray_pool  # Ray loads only when asked for

        async with ray_pool(pool, settings=settings, planner_model=planner_model, prices=prices) as actors:
            yield actors
        return
    plan = plan_workers(
        pool.workers,
        episodes=pool.episodes,
        settings=settings,
        planner_model=planner_model,
        prices=prices,
        trajectories=pool.trajectories,
    )
    if plan.reason:
        warnings.warn(plan.reason, UserWarning, stacklevel=6)
    async with worker_pool(plan) as workers:
        yield workers
