"""The one canonical episode loop: simulation, evaluation and training all call `run_episode`.

An episode that raises or times out is recorded with its error and the events it had produced; the
run goes on. A run whose episodes mostly fail stops early with one clear message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from ccsim.agents.graph import play_episode
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import Episode, EventLog
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.observability import traced
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.reward import RewardConfig, episode_reward
from ccsim.contact_center.scoring import EpisodeOutcome, score_episode


class RunAbortedError(RuntimeError):
    """Most episodes are failing: the run stopped instead of producing thousands of errors."""


def episode_seed(scenario_seed: int, trial: int) -> int:
    digest = hashlib.sha256(f"{scenario_seed}:{trial}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def episode_id(scenario_id: str, trial: int) -> str:
    return f"{scenario_id}#{trial}"


def _label(planner: ModelSpec | BaseChatModel, planner_label: str | None) -> str:
    if planner_label:
        return planner_label
    return planner.label if isinstance(planner, ModelSpec) else type(planner).__name__


@traced("episode")
async def run_episode(
    scenario: Scenario,
    *,
    planner: ModelSpec | BaseChatModel,
    customer: ModelSpec | None = None,
    helper: ModelSpec | None = None,
    episode_config: EpisodeConfig | None = None,
    trial: int = 0,
    reward: RewardConfig | None = None,
    planner_label: str | None = None,
    prices: PriceTable | None = None,
) -> Episode:
    """Play one scenario once and return its scored record. Never raises for an episode's own failure."""
    customer = customer or ModelSpec(kind="scripted")
    helper = helper or ModelSpec(kind="scripted")
    episode_config = episode_config or EpisodeConfig()
    reward = reward or RewardConfig()
    prices = prices or PriceTable()
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
    if error is not None:
        log.add("error", "system", error)
    latency = log.elapsed()
    metrics = score_episode(scenario, outcome, log.events, latency_s=latency, prices=prices)
    return Episode(
        episode_id=episode_id(scenario.id, trial),
        scenario_id=scenario.id,
        trial=trial,
        seed=seed,
        planner=_label(planner, planner_label),
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
        reward=reward.error_reward if outcome.status == "error" else episode_reward(metrics, reward),
        started_at=started_at,
    )


class RunSettings(BaseModel):
    """Who plays and how a batch of episodes runs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    planner: ModelSpec = Field(description="The planner under test.")
    customer: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"))
    helper: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"))
    episode: EpisodeConfig = Field(default_factory=EpisodeConfig)
    reward: RewardConfig = Field(default_factory=RewardConfig)
    concurrency: int = Field(default=8, ge=1, description="Episodes in flight at once.")
    trials: int = Field(default=1, ge=1, description="Episodes per scenario (for pass^k).")
    abort_after: int = Field(default=20, ge=1, description="Episodes seen before the failure-rate check applies.")
    abort_failure_rate: float = Field(default=0.8, gt=0, le=1, description="Error share that stops the run.")


def _failed(episode: Episode) -> bool:
    return episode.status in ("error", "timeout")


async def run_episodes(
    scenarios: Sequence[Scenario],
    settings: RunSettings,
    *,
    on_episode: Callable[[Episode], Awaitable[None] | None] | None = None,
    skip: Iterable[str] = (),
    planner_model: BaseChatModel | None = None,
    prices: PriceTable | None = None,
) -> list[Episode]:
    """Run every (scenario, trial) not in `skip` with bounded concurrency, in completion order.

    `on_episode` sees each episode as soon as it finishes (the run folder appends and flushes it there),
    so a killed run keeps everything that had finished.
    """
    done = set(skip)
    jobs = [(s, t) for s in scenarios for t in range(settings.trials) if episode_id(s.id, t) not in done]
    semaphore = asyncio.Semaphore(settings.concurrency)
    planner: ModelSpec | BaseChatModel = planner_model if planner_model is not None else settings.planner

    async def one(scenario: Scenario, trial: int) -> Episode:
        async with semaphore:
            return await run_episode(
                scenario,
                planner=planner,
                customer=settings.customer,
                helper=settings.helper,
                episode_config=settings.episode,
                trial=trial,
                reward=settings.reward,
                planner_label=settings.planner.label,
                prices=prices,
            )

    tasks = [asyncio.ensure_future(one(s, t)) for s, t in jobs]
    finished: list[Episode] = []
    try:
        for next_done in asyncio.as_completed(tasks):
            episode = await next_done
            finished.append(episode)
            if on_episode is not None:
                maybe = on_episode(episode)
                if asyncio.iscoroutine(maybe):
                    await maybe
            failures = [e for e in finished if _failed(e)]
            if len(finished) >= settings.abort_after and len(failures) / len(finished) >= settings.abort_failure_rate:
                cause, count = Counter((e.error or e.status).split(":")[0] for e in failures).most_common(1)[0]
                example = next(e.error for e in failures if (e.error or e.status).startswith(cause))
                raise RunAbortedError(
                    f"stopped after {len(failures)} of {len(finished)} episodes failed "
                    f"(most common: {cause} x{count}; e.g. {example}). Finished episodes are saved."
                )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return finished
