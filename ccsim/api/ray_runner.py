"""Beyond one machine: a run's episodes played by Ray actors across a cluster (issue 10, `ccsim[ray]`).

Each actor is an `EpisodePlayer` (ccsim/api/workers.py) on its own event loop, holding its share of the
run's concurrency; the driver keeps the concurrency loop, the abort check and the one run folder, exactly as
with local worker processes, so the output matches a local run for the same seeds. What the actors need
travels pickled (cloudpickle, Ray's own); a node needs ccsim installed (`pip install "ccsim[ray]"`) and any
`py:` plug-in importable. An actor that dies hands its episodes in flight to another actor once; a job whose
second actor dies too is recorded as a failed episode naming the cause.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ccsim.agents.registry import PlannerModel
from ccsim.agents.runner import EpisodeJob, RunSettings, failed_episode
from ccsim.api.gc_tuning import tune_worker_gc
from ccsim.api.workers import (
    EpisodePlayer,
    Finished,
    WorkerContext,
    WorkerDiedError,
    WorkerJobError,
    dumps,
    raise_fd_limit,
    registered_builders,
)
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.run_folder import EpisodeLines

if TYPE_CHECKING:
    from ccsim.api.pools import PoolSettings

# `ray_address` that joins the Ray instance this machine runs, or starts one (ray.init() without an address).
LOCAL = "local"


class RayUnavailableError(RuntimeError):
    """--ray without Ray installed."""


class EpisodeActor:
    """One Ray actor: plays the run's jobs on its own event loop (an async actor)."""

    def __init__(self, context: bytes, driver_path: list[str]) -> None:
        # Plug-ins named `py:module:factory` import by name; on the driver's own machine its paths help.
        sys.path.extend(entry for entry in driver_path if entry not in sys.path)
        raise_fd_limit()
        self.player = EpisodePlayer(pickle.loads(context))
        tune_worker_gc(collect=True)  # the actor's process is the run's alone, and is killed when it ends

    async def play(self, job: bytes) -> bytes:
        answer: Finished | str
        try:
            answer = await self.player.play(pickle.loads(job))
        except Exception as exc:  # the driver must hear back about every job
            answer = f"{type(exc).__name__}: {exc}"
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailableError('--ray needs Ray: pip install "ccsim[ray]"') from None
    return ray


class RayPool:
    """Ray actors behind one `play(job)`, for `run_episodes(play=...)`."""

    def __init__(self, actors: list[Any], *, settings: RunSettings, prices: PriceTable | None) -> None:
        self.actors = actors
        self.settings = settings
        self.prices = prices
        self.busy = [0] * len(actors)
        self.dead: set[int] = set()
        self.lines: dict[str, EpisodeLines] = {}

    async def play(self, job: EpisodeJob) -> Episode:
        ray = _ray()
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        cause: Exception | None = None
        for _ in range(2):  # a job whose actor died is tried once more, on another actor
            alive = [index for index in range(len(self.actors)) if index not in self.dead]
            if not alive:
                cause = WorkerDiedError("every Ray actor of the run has died")
                break
            index = min(alive, key=self.busy.__getitem__)
            self.busy[index] += 1
            try:
                answer = pickle.loads(await self.actors[index].play.remote(payload))
            except ray.exceptions.RayActorError as exc:
                self.dead.add(index)
                cause = WorkerDiedError(f"Ray actor {index} died while playing this episode ({type(exc).__name__})")
                continue
            finally:
                self.busy[index] -= 1
            if isinstance(answer, str):
                cause = WorkerJobError(answer)
                break
            self.lines[answer.episode.episode_id] = answer.lines
            return answer.episode
        return failed_episode(
            job.scenario,
            trial=job.trial,
            error=f"{type(cause).__name__}: {cause}",
            planner_label=self.settings.planner.label,
            reward=self.settings.reward,
            prices=self.prices,
        )


def connect(address: str) -> Any:
    """Ray, connected: to the cluster at `address`, or with LOCAL to this machine's (started if none).
    A Ray already initialised by the caller is used as it is."""
    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=None if address == LOCAL else address, include_dashboard=False)
    return ray


def actor_count(requested: int | None, *, cluster_cpus: float, episodes: int, concurrency: int) -> int:
    """`requested`, or one actor per CPU of the cluster; never more than episodes, or than episodes in flight."""
    wanted = requested if requested is not None else int(cluster_cpus)
    return max(1, min(wanted, concurrency, max(episodes, 1)))


@contextlib.asynccontextmanager
async def ray_pool(
    pool: PoolSettings, *, settings: RunSettings, planner_model: PlannerModel | None, prices: PriceTable | None
) -> AsyncIterator[RayPool]:
    """Start the run's actors on the cluster at `pool.ray_address`; they are killed when the run ends."""
    ray = connect(pool.ray_address or LOCAL)
    count = actor_count(
        pool.workers,
        cluster_cpus=ray.cluster_resources().get("CPU", 1),
        episodes=pool.episodes,
        concurrency=settings.concurrency,
    )
    context = WorkerContext(
        settings=settings,
        planner_model=planner_model,
        prices=prices,
        trajectories=pool.trajectories,
        builders=registered_builders(),
    )
    try:
        shipped = dumps(context)
    except Exception as exc:
        raise ValueError(f"the run cannot be sent to Ray actors ({type(exc).__name__}: {exc})") from exc
    share = -(-settings.concurrency // count)
    actor_class = ray.remote(EpisodeActor).options(num_cpus=1, max_concurrency=max(share, 1))
    actors = [actor_class.remote(shipped, list(sys.path)) for _ in range(count)]
    try:
        yield RayPool(actors, settings=settings, prices=prices)
    finally:
        for actor in actors:
            ray.kill(actor)
