"""The one canonical episode loop: simulation, evaluation and training all call `run_episode`.

An episode that raises or times out is recorded with its error and the events it had produced; the
run goes on. A run whose episodes mostly fail stops early with one clear message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

from langchain_core.runnables import Runnable
from pydantic import BaseModel, ConfigDict, Field, InstanceOf

from ccsim.agents.graph import play_episode
from ccsim.agents.registry import PlannerModel
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import Episode, EventLog
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.observability import traced
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.reward import RewardSpec, RubricField, as_rubric, default_rubric
from ccsim.contact_center.scoring import EpisodeOutcome, score_episode
from ccsim.contact_center.summary import RouteTally, episode_failed


class RunAbortedError(RuntimeError):
    """Most episodes are failing: the run stopped instead of producing thousands of errors."""


def episode_seed(scenario_seed: int, trial: int) -> int:
    digest = hashlib.sha256(f"{scenario_seed}:{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def episode_id(scenario_id: str, trial: int) -> str:
    return f"{scenario_id}#{trial}"


def _label(planner: ModelSpec | PlannerModel, planner_label: str | None) -> str:
    if planner_label:
        return planner_label
    return planner.label if isinstance(planner, ModelSpec) else type(planner).__name__


@traced("episode")
async def run_episode(
    scenario: Scenario,
    *,
    planner: ModelSpec | PlannerModel,
    customer: ModelSpec | None = None,
    helper: ModelSpec | None = None,
    episode_config: EpisodeConfig | None = None,
    trial: int = 0,
    reward: RewardSpec = None,
    planner_label: str | None = None,
    prices: PriceTable | None = None,
) -> Episode:
    """Play one scenario once and return its scored record. Never raises for an episode's own failure."""
    customer = customer or ModelSpec(kind="scripted")
    helper = helper or ModelSpec(kind="scripted")
    episode_config = episode_config or EpisodeConfig()
    log = EventLog()
    seed = episode_seed(scenario.seed, trial)
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    result: Any = None
    error: str | None = None
    try:
        result = await asyncio.wait_for(
            play_episode(
                scenario, planner=planner, customer=customer, helper=helper, seed=seed, config=episode_config, log=log
            ),
            timeout=episode_config.timeout_s,
        )
        outcome = EpisodeOutcome.model_validate(result, from_attributes=True)
    except TimeoutError:
        error = f"TimeoutError: episode exceeded {episode_config.timeout_s:g}s"
        outcome = EpisodeOutcome(status="timeout")
    except Exception as exc:  # an episode's failure is data, not a crash of the run
        error = f"{type(exc).__name__}: {exc}"
        outcome = EpisodeOutcome(status="error")
    return _record(
        scenario, trial, seed, log, outcome, result, error,
        label=_label(planner, planner_label), reward=reward, prices=prices, started_at=started_at,
    )  # fmt: skip


def failed_episode(
    scenario: Scenario,
    *,
    trial: int,
    error: str,
    planner_label: str,
    reward: RewardSpec = None,
    prices: PriceTable | None = None,
) -> Episode:
    """The record of an episode that could not be played at all (its worker process died under it): an
    error episode like any other, so the run's summary counts it and `--resume` plays it again."""
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    seed = episode_seed(scenario.seed, trial)
    outcome = EpisodeOutcome(status="error")
    return _record(
        scenario, trial, seed, EventLog(), outcome, None, error,
        label=planner_label, reward=reward, prices=prices, started_at=started_at,
    )  # fmt: skip


def _record(
    scenario: Scenario,
    trial: int,
    seed: int,
    log: EventLog,
    outcome: EpisodeOutcome,
    result: Any,
    error: str | None,
    *,
    label: str,
    reward: RewardSpec,
    prices: PriceTable | None,
    started_at: str,
) -> Episode:
    if error is not None:
        log.add("error", "system", error)
    latency = log.elapsed()
    metrics = score_episode(scenario, outcome, log.events, latency_s=latency, prices=prices or PriceTable())
    episode = Episode(
        episode_id=episode_id(scenario.id, trial),
        scenario_id=scenario.id,
        trial=trial,
        seed=seed,
        planner=label,
        intent=scenario.intent,
        difficulty=scenario.difficulty.value,
        status=outcome.status,
        error=error,
        final_route=metrics.route,
        handoff_summary=outcome.handoff_summary,
        events=log.events,
        planner_messages=getattr(result, "planner_messages", []) or [],
        planner_tools=getattr(result, "planner_tools", []) or [],
        state_changes=getattr(result, "state_changes", []) or [],
        metrics=metrics,
        started_at=started_at,
    )
    episode.reward = as_rubric(reward).score(episode)
    return episode


class RunSettings(BaseModel):
    """Who plays and how a batch of episodes runs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    planner: ModelSpec = Field(description="The planner under test.")
    customer: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"))
    helper: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"))
    episode: EpisodeConfig = Field(default_factory=EpisodeConfig)
    reward: RubricField = Field(
        default_factory=default_rubric,
        description="How episodes are scored: a Rubric, or anything `as_rubric` reads (RewardConfig weights, a "
        "reward function, 'module:function').",
    )
    concurrency: int = Field(default=8, ge=1, description="Episodes in flight at once.")
    trials: int = Field(default=1, ge=1, description="Episodes per scenario (for pass^k).")
    abort_after: int = Field(default=20, ge=1, description="Episodes seen before the failure-rate check applies.")
    abort_failure_rate: float = Field(default=0.8, gt=0, le=1, description="Error share that stops the run.")


class EpisodeJob(BaseModel):
    """One episode to play: a scenario, its trial, and optionally a planner of its own (a training rollout
    samples under its own seed) that plays it instead of the run's planner."""

    model_config = ConfigDict(frozen=True)

    scenario: Scenario
    trial: int = Field(default=0, ge=0, description="Trial number: seeds the episode and names it (id#trial).")
    planner: ModelSpec | InstanceOf[Runnable] | None = Field(
        default=None, description="This episode's own planner; None plays the run's."
    )

    @property
    def episode_id(self) -> str:
        return episode_id(self.scenario.id, self.trial)


def iter_jobs(work: Iterable[Scenario | EpisodeJob], trials: int, skip: Collection[str] = ()) -> Iterator[EpisodeJob]:
    """The episodes `work` stands for, in job order, one at a time (a 10,000-scenario run never holds 10,000
    jobs), leaving out those whose id is in `skip`."""
    for item in work:
        jobs = (item,) if isinstance(item, EpisodeJob) else (EpisodeJob(scenario=item, trial=t) for t in range(trials))
        for job in jobs:
            if job.episode_id not in skip:
                yield job


# Plays one job: the runner's own `run_episode` by default, or a worker pool's (ccsim/api/workers.py).
PlayJob = Callable[[EpisodeJob], Awaitable[Episode]]


def _abort_message(failures: Sequence[str], finished: int) -> str:
    """`failures`: each failed episode's error ("<Cause>: message") or status."""
    cause, count = Counter(f.split(":")[0] for f in failures).most_common(1)[0]
    example = next(f for f in failures if f.startswith(cause))
    share = f"{len(failures)} of {finished}"
    return f"stopped after {share} episodes failed (most common: {cause} x{count}; e.g. {example})"


async def play_job(
    job: EpisodeJob, settings: RunSettings, *, planner: ModelSpec | PlannerModel, prices: PriceTable | None = None
) -> Episode:
    """Play one job under a run's settings: its own planner if it has one, else `planner`."""
    return await run_episode(
        job.scenario,
        planner=job.planner if job.planner is not None else planner,
        customer=settings.customer,
        helper=settings.helper,
        episode_config=settings.episode,
        trial=job.trial,
        reward=settings.reward,
        planner_label=settings.planner.label,
        prices=prices,
    )


async def run_episodes(
    work: Sequence[Scenario | EpisodeJob],
    settings: RunSettings,
    *,
    on_episode: Callable[[Episode], Awaitable[None] | None] | None = None,
    skip: Iterable[str] = (),
    planner_model: PlannerModel | None = None,
    prices: PriceTable | None = None,
    keep: bool = True,
    play: PlayJob | None = None,
) -> list[Episode]:
    """Play every episode whose id is not in `skip` with bounded concurrency; return them in job order.

    A Scenario stands for its `settings.trials` trials, played by `planner_model` if given, else by
    `settings.planner`; an EpisodeJob is exactly one episode, played by its own planner when it has one.
    Episodes are labelled `settings.planner.label` either way. `on_episode` sees each episode as soon as it
    finishes, in completion order (the run folder appends and flushes it there), so a killed run keeps
    everything that had finished. RunAbortedError stops the run once most episodes fail. With
    `keep=False` nothing is held after `on_episode` has seen it (memory stays flat however long the run)
    and the returned list is empty. Jobs are made from `work` as they start, never all up front. `play`
    replaces the in-process `run_episode` (a pool of worker processes plays the job instead); the
    concurrency, the abort check and `on_episode` stay here either way.
    """
    done = set(skip)
    run_planner: ModelSpec | PlannerModel = planner_model if planner_model is not None else settings.planner

    async def play_here(job: EpisodeJob) -> Episode:
        return await play_job(job, settings, planner=run_planner, prices=prices)

    player = play or play_here
    results: dict[int, Episode] = {}
    pending = enumerate(iter_jobs(work, settings.trials, done))
    failures: list[str] = []
    tally = RouteTally()
    in_order = asyncio.Lock()  # one finished episode at a time through on_episode and the abort check
    stopped: list[bool] = []  # set once the run ends early: no further episode starts or is handed over

    async def finish(index: int, episode: Episode) -> None:
        async with in_order:
            if stopped:
                return
            if keep:
                results[index] = episode
            tally.add(episode)
            if episode_failed(episode):
                failures.append(episode.error or episode.status)
            if on_episode is not None:
                maybe = on_episode(episode)
                if asyncio.iscoroutine(maybe):
                    await maybe
            if tally.episodes >= settings.abort_after and tally.failed / tally.episodes >= settings.abort_failure_rate:
                stopped.append(True)
                raise RunAbortedError(_abort_message(failures, tally.episodes))

    async def worker() -> None:
        # `concurrency` workers pull jobs one at a time: no task (or result) per job is created up front.
        for index, job in pending:
            if stopped:
                return
            await finish(index, await player(job))

    workers = [asyncio.ensure_future(worker()) for _ in range(_lanes(work, settings))]
    try:
        await asyncio.gather(*workers)
    finally:
        # A cancelled episode can swallow its cancellation (LangGraph, wait_for); the flag stops its worker too.
        stopped.append(True)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    # Job order, not completion order: whoever reads the list (a trainer's groups) stays deterministic.
    return [results[index] for index in sorted(results)]


def _lanes(work: Sequence[Scenario | EpisodeJob], settings: RunSettings) -> int:
    # No more lanes than episodes (a lane with nothing to do would only be created and dropped).
    try:
        most = len(work) * settings.trials
    except TypeError:  # an iterable without a length: the lanes without work end at once
        return settings.concurrency
    return max(1, min(settings.concurrency, most))
